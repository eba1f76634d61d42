"""The daily backup of a large database, read and written by a process of its own.

Why a process: reading and checking hundreds of thousands of records takes seconds of the
interpreter, which a thread would share with the app's saves and its screen (one thread
runs Python at a time, and a save that waited on the disk waits again for its turn). A
process runs beside them, at a lower priority; the backup thread (``daily.py``) only waits
for it. Apart from ``daily.py`` so that the commands that load that (every one that opens
the database) never compile this.

    python -m fittui.storage.daily_apart DB [TARGET]

reads the database ``DB`` as any reader does (every record checked, no lock taken) and
writes it in the plain layout to ``TARGET`` the atomic way, or to standard output (for a
backup sealed by the process that asked for it); it exits 1 with the reason on standard
error when it cannot.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from fittui.storage.apart import run, start
from fittui.storage.daily import check_folder, write_copy

_PIECE = 1024 * 1024


def _child(db: Path, *target: Path) -> subprocess.Popen[bytes]:
    """``python -m fittui.storage.daily_apart DB [TARGET]`` (``main``)."""
    return start("fittui.storage.daily_apart", [str(db), *map(str, target)], subprocess.PIPE)


def _ended(child: subprocess.Popen[bytes]) -> None:
    """Wait for a copying process; OSError with its last words when it failed."""
    assert child.stderr is not None, "a pipe"
    why = child.stderr.read().decode(errors="replace").strip()
    if child.wait() != 0:
        raise OSError(why.splitlines()[-1] if why else f"the copy ended with {child.returncode}")


def copy_apart(db: Path, target: Path) -> None:
    """Write the backup of ``db`` to ``target`` by a process of its own: this thread only
    waits, and the interpreter stays the app's."""
    child = _child(db, target)
    try:
        assert child.stdout is not None, "a pipe"
        child.stdout.read()
        _ended(child)
    finally:
        _reap(child)


def read_apart(db: Path) -> Iterator[bytes]:
    """The database at ``db`` in the plain layout, read and written out by a process of its
    own, in pieces as they come (for a backup sealed here); OSError saying why when it
    could not be read."""
    child = _child(db)
    try:
        assert child.stdout is not None, "a pipe"
        while piece := child.stdout.read(_PIECE):
            yield piece
        _ended(child)
    finally:
        _reap(child)


def _reap(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:  # given up on (an error, or its reader stopped): so is the copy
        child.kill()
        child.wait()
    for pipe in (child.stdout, child.stderr):
        if pipe is not None:
            pipe.close()


def main(args: list[str]) -> int:
    """The process of ``copy_apart`` and ``read_apart``: the database ``args[0]`` in the
    plain layout, read as any reader does (every record checked, no lock taken), written
    to ``args[1]`` the atomic way, or else to standard output, at a lowered priority."""
    from fittui.storage.journal import JournalStorage
    from fittui.storage.records import RecordChecks
    from fittui.storage.snapshot_file import snapshot_lines

    def copy() -> None:
        reader = JournalStorage(Path(args[0]), read_only=True, validate=RecordChecks())
        lines = snapshot_lines(reader.read())
        if len(args) > 1:
            check_folder(Path(args[1]).parent)  # the thread checked it; time has passed
            write_copy(Path(args[1]), lines)
        else:
            out = sys.stdout.buffer
            for line in lines:
                out.write(line)
            out.flush()

    return run(copy, lowered=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
