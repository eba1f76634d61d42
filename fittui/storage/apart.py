"""What the processes fittui starts beside a running app share (``daily_apart.py``,
``fold_apart.py``): how one is started, and how it runs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO


def start(module: str, args: list[str], output: int | IO[bytes]) -> subprocess.Popen[bytes]:
    """``python -m MODULE ARGS``, finding fittui where this process found it, its standard
    output and error sent to ``output`` (``subprocess.PIPE``, ``DEVNULL`` or a file)."""
    package = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package), *sys.path[1:]])}
    return subprocess.Popen(
        [sys.executable, "-P", "-m", module, *args],  # -P: never fittui from the current folder
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        env=env,
    )


def run(work: Callable[[], object], lowered: bool) -> int:
    """Run ``work``, at a lowered priority when ``lowered`` (the app and its saves come
    first: never for work that takes the write lock, which a save would then wait for
    behind every busier process): exit status 0, or 1 with the reason on standard error
    when the database could not be read or written."""
    from fittui.storage.errors import StorageError

    if lowered and hasattr(os, "nice"):
        os.nice(10)
    try:
        work()
    except (StorageError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
