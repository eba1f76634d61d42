"""The storage's errors, in a module light enough for the CLI to import on every start.

Why apart from ``storage.py``: catching a storage error must not cost the import of TinyDB
and filelock (``fittui --version`` and ``fittui record`` start fast), and the CLI, the app
and the screens all catch them. ``storage.py`` re-exports every name here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from fittui.storage.locations import backups_dir


class StorageError(Exception):
    """Something on disk stopped a read or a save; the message is for the person."""


class UnreadableDatabase(StorageError):
    """The database exists but cannot be read; it is left exactly as it is."""

    def __init__(self, path: Path, reason: str, database: Path | None = None) -> None:
        self.path = path
        self.reason = reason
        self.backup = newest_backup(database or path)
        hint = f"; newest backup: {self.backup}" if self.backup else "; no backup found"
        super().__init__(f"cannot read database {path}: {reason}{hint}")


class SaveFailed(StorageError):
    """A save did not reach the disk; what was saved before is intact."""


class ReadOnly(StorageError):
    """A write was attempted on a database opened with --read-only."""


def backup_pattern(db: Path) -> re.Pattern[str]:
    """The names of every kind of backup of ``db`` in ``backups/``: daily
    (``fittui-2026-11-20.json``), made by ``fittui backup`` (``fittui-2026-11-20-143005.json``,
    ``...-2.json``, and ``...json.age`` when encrypted with a passphrase), kept by a restore
    (``fittui-before-restore-....json``) and by the upgrade of an older database
    (``fittui-before-upgrade-....json``).

    The date (or ``before-restore``) right after the name keeps the backups of
    ``fittui-test.json`` in the same folder apart from those of ``fittui.json``.
    """
    day = r"\d{4}-\d{2}-\d{2}"
    return re.compile(
        rf"{re.escape(db.stem)}-(?:before-(?:restore|upgrade)-)?{day}(?:-\d{{6}})?(?:-\d+)?"
        r"\.json(?:\.age)?"
    )


def newest_backup(db: Path) -> Path | None:
    """The most recently written backup of any kind, by the time the file was written (a
    wrong clock at the time can make a name's date lie), or None."""
    folder = backups_dir(db)
    pattern = backup_pattern(db)
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                    found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
    except OSError:
        return None
    return folder / max(found)[1] if found else None
