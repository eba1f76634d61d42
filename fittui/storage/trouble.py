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
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _kept_alone(db: Path) -> Iterator[None]:
    """Hold the kept file to this process while it is read and written again: another
    fittui keeping its own work at the same moment (a second ``fittui rate``, the app)
    would otherwise write its list over this one's, and one of them would be lost. The
    lock is an ``flock`` on the database's folder (no file of its own); where there is
    none (Windows), the file is written as before."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        fd = os.open(db.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        yield  # the write that follows says what is wrong
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            pass  # a file system without flock: as before
        yield
    finally:
        os.close(fd)  # lets the lock go


def set_aside(db: Path) -> list[Path]:
    """Kept files that could not be read, set aside as they were (``_kept_now``)."""
    return sorted(db.parent.glob(f"{kept_file(db).name}.damaged-*"))


def _kept_now(db: Path) -> list[dict]:
    """What is waiting, read to be changed (under ``_kept_alone``). A file that cannot be
    read as fittui writes it (cut short, edited by hand, another version's) is set aside
    as it is, ``fittui.json.unsaved.damaged-<date and time>``, rather than written over
    with whatever ratings it holds; the list then starts afresh."""
    target = kept_file(db)
    try:  # never through a link; an error reading it (permissions, the disk) is raised
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return []
    with os.fdopen(fd, "rb") as file:
        data = file.read()
    try:
        found = json.loads(data.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is a ValueError: not as fittui writes it
        found = None
    if isinstance(found, list):
        return [w for w in found if isinstance(w, dict)]
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    aside, n = target.with_name(f"{target.name}.damaged-{stamp}"), 1
    while os.path.lexists(aside):
        n += 1
        aside = target.with_name(f"{target.name}.damaged-{stamp}-{n}")
    os.replace(target, aside)
    os.chmod(aside, 0o600)
    return []


def _as_kept(entry: dict) -> dict:
    """An entry of the kept file as it was handed to be kept: without its ``kept_at``."""
    return {k: v for k, v in entry.items() if k != "kept_at"}


def _write_kept(target: Path, work: list[dict]) -> None:
    if work:
        write_file_atomically(target, json.dumps(work, indent=1).encode() + b"\n")
    else:
        target.unlink(missing_ok=True)


def keep_work(db: Path, work: list[dict]) -> Path | None:
    """Add ``work`` to what is waiting (0600); the file, or None if it could not be written."""
    if not work:
        return None
    target = kept_file(db)
    stamp = datetime.now().strftime("%Y-%m-%dT%H:%M")
    try:
        with _kept_alone(db):
            waiting = _kept_now(db)
            # Work kept once already (an error kept it, then the terminal went away) is not
            # added again: it would be offered, and saved, twice.
            known = [_as_kept(w) for w in waiting]
            new = [{**w, "kept_at": stamp} for w in work if w not in known]
            if new:
                _write_kept(target, waiting + new)
    except (OSError, StorageError, TypeError, ValueError):
        return None
    return target


def drop_kept_work(db: Path, done: list[dict]) -> None:
    """Take ``done`` (entries as read from the file: saved now, or let go) out of what is
    waiting, leaving whatever was kept meanwhile by another fittui; none left: no file."""
    with _kept_alone(db):
        left = _kept_now(db)
        for entry in done:
            if entry in left:
                left.remove(entry)
        _write_kept(kept_file(db), left)


def replace_kept_work(db: Path, mine: dict | None, work: dict | None) -> Path | None:
    """Put ``work`` in the kept file in place of ``mine`` (both without their ``kept_at``;
    either may be None), in one step; the file, or None when ``work`` could not be kept."""
    target = kept_file(db)
    stamp = datetime.now().strftime("%Y-%m-%dT%H:%M")
    try:
        json.dumps(work)
    except (TypeError, ValueError):
        work = None  # what cannot be written is not kept; ``mine`` is still taken out
    with _kept_alone(db):
        left = [w for w in _kept_now(db) if _as_kept(w) != mine]
        _write_kept(target, left + ([{**work, "kept_at": stamp}] if work is not None else []))
    return target if work is not None else None
