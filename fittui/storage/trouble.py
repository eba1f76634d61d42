"""When something goes wrong in the app: a private log of the details and a kept copy of
what was being saved.

A traceback on the screen would show other clients' codes and labels (Rich prints the
local variables) to whoever sits in front of it, the client included, and the rating being
saved would be gone. Instead the details go to a log file only the owner can read, and a
rating or note that was not saved goes to a file beside the database (mode 0600), which
the app offers back at its next start. No Textual here.
"""

from __future__ import annotations

import json
import os
import traceback
from datetime import datetime
from pathlib import Path

from fittui import __version__
from fittui.storage.journal import StorageError, write_file_atomically
from fittui.storage.locations import APP_NAME, make_private_dir


def log_file() -> Path:
    """``fittui.log`` in the per-user log folder (``~/.local/state/fittui/log`` on Linux)."""
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False) / "fittui.log"


def log_error(error: BaseException) -> Path | None:
    """Append the error and its traceback (no local variables) to the private log; the
    log's path, or None when it could not be written (the error is then shown without it)."""
    target = log_file()
    entry = (
        f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} fittui {__version__}: unexpected error\n"
        + "".join(traceback.format_exception(error))
    )
    try:
        make_private_dir(target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, entry.encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except OSError:
        return None
    return target


def kept_file(db: Path) -> Path:
    """Where ratings and notes that could not be saved wait: beside the database."""
    return db.with_name(db.name + ".unsaved")


def kept_work(db: Path) -> list[dict]:
    """What is waiting to be saved; a damaged file counts as nothing waiting, and is left."""
    try:
        found = json.loads(kept_file(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [w for w in found if isinstance(w, dict)] if isinstance(found, list) else []


def keep_work(db: Path, work: list[dict]) -> Path | None:
    """Add ``work`` to what is waiting (0600); the file, or None if it could not be written."""
    if not work:
        return None
    target = kept_file(db)
    stamp = datetime.now().strftime("%Y-%m-%dT%H:%M")
    entries = kept_work(db) + [{**w, "kept_at": stamp} for w in work]
    try:
        write_file_atomically(target, json.dumps(entries, indent=1).encode() + b"\n")
    except (OSError, StorageError, TypeError, ValueError):
        return None
    return target


def set_kept_work(db: Path, work: list[dict]) -> None:
    """Replace what is waiting (after some of it was saved or let go); none left: no file."""
    target = kept_file(db)
    if work:
        write_file_atomically(target, json.dumps(work, indent=1).encode() + b"\n")
    else:
        target.unlink(missing_ok=True)
