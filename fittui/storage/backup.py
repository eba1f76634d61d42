"""Backups on demand and restoring one: the database is checked, kept, then replaced whole.

``storage.py`` already copies the database into ``backups/`` on the first save of each
day. Here a therapist makes a copy when they choose (before moving to a new laptop, say),
and brings one back. A restore reads and checks the whole file first (a fittui database,
a schema this fittui reads, sound records, every rating's client present), holds the same
write lock as every save so a running app never sees half of it, keeps the current
database in ``backups/`` before touching it, and installs the restored data as a new
generation (``JournalStorage.install``): a crash at any moment, even while the current
database cannot be read, leaves either the old database or the restored one, and a reader
or a backup running meanwhile sees one of the two, never a mix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fittui.storage.journal import (
    StorageError,
    Tables,
    UnreadableDatabase,
    open_kept,
    private_folder,
    snapshot_lines,
    write_file_atomically,
)
from fittui.storage.locations import backups_dir, make_private_dir
from fittui.storage.store import ADMINISTRATIONS, CLIENTS, Store


class RestoreRefused(StorageError):
    """The file cannot be restored; the database was not touched."""


@dataclass(frozen=True)
class Restored:
    """What a restore did: the counts brought back and where the old database was kept."""

    clients: int
    administrations: int
    kept: Path | None


def _journal(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def _free_name(folder: Path, stem: str) -> Path:
    """``stem.json`` in ``folder``, or ``stem-2.json``... when a copy of that second exists."""
    target, n = folder / f"{stem}.json", 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}.json"
    return target


def backup_database(db: Path, now: datetime, folder: Path | None = None) -> Path:
    """Write a dated, complete copy (snapshot and journal folded into one file), mode 0600.

    The copy is named ``<name>-YYYY-MM-DD-HHMMSS.json``, so the daily backups' pruning
    never removes it. ``folder`` defaults to ``backups/`` beside the database.
    """
    if not (os.path.lexists(db) or os.path.lexists(_journal(db))):
        raise StorageError(f"no database at {db}: nothing to back up")
    tables = Store(db, read_only=True).storage.read()
    target_dir = folder if folder is not None else backups_dir(db)
    try:
        if folder is None:
            private_folder(target_dir)
        else:
            make_private_dir(target_dir)
    except OSError as exc:
        raise StorageError(f"could not write a backup into {target_dir}: {exc.strerror}") from None
    target = _free_name(target_dir, f"{db.stem}-{now:%Y-%m-%d-%H%M%S}")
    try:
        write_file_atomically(target, snapshot_lines(tables))
    except OSError as exc:
        raise StorageError(f"could not write {target}: {exc.strerror or exc}") from None
    return target


def _raw(path: Path) -> bytes:
    """A file's bytes, never through a link or from a FIFO."""
    with os.fdopen(open_kept(path, os.O_RDONLY), "rb") as f:
        return f.read()


def check_restorable(source: Path) -> Tables:
    """Read and check a whole database file; RestoreRefused says what is wrong with it."""
    if not source.is_file():
        raise RestoreRefused(f"{source} is not a file; the database was not changed")
    try:
        store = Store(source, read_only=True)
        tables = store.storage.read()
        codes = {c.code for c in store.clients()}
        for a in store.all_administrations():
            if a.client not in codes:
                raise RestoreRefused(
                    f"{source}: administration {a.id} belongs to client {a.client!r}, who is "
                    "not in the file; the database was not changed"
                )
    except RestoreRefused:
        raise
    except UnreadableDatabase as exc:
        raise RestoreRefused(
            f"{exc.path} cannot be restored: {exc.reason}; the database was not changed"
        ) from None
    except StorageError as exc:
        raise RestoreRefused(f"{exc}; the database was not changed") from None
    return tables


def restore_database(db: Path, source: Path, now: datetime) -> Restored:
    """Replace the database with ``source`` after checking it and keeping the current one.

    Under the write lock: (1) the current database goes to ``backups/`` as
    ``<name>-before-restore-<time>.json`` (its raw files if it cannot be read); (2) the
    restored data becomes the database in one step that cannot mix the two
    (``JournalStorage.install``).
    """
    same = source.resolve() == db.resolve() or (
        db.exists() and source.exists() and os.path.samefile(db, source)
    )
    if same:
        raise RestoreRefused(f"{source} is the database itself; choose a backup")
    tables = check_restorable(source)
    storage = Store(db).storage
    journal = _journal(db)
    kept = None
    with storage.exclusive():
        exists = os.path.lexists(db) or os.path.lexists(journal)
        try:
            current = storage.read() if exists else None
        except StorageError:
            current = None
        try:
            if exists:
                folder = backups_dir(db)
                private_folder(folder)
                kept = _free_name(folder, f"{db.stem}-before-restore-{now:%Y-%m-%d-%H%M%S}")
                if current is not None:
                    write_file_atomically(kept, snapshot_lines(current))
                else:  # unreadable: keep its files exactly as they are
                    for path, copy in ((db, kept), (journal, _journal(kept))):
                        if os.path.lexists(path):
                            write_file_atomically(copy, _raw(path))
            storage.install(tables)
        except OSError as exc:
            raise StorageError(
                f"could not restore into {db}: {exc.strerror or exc}"
                + (f"; the database as it was is kept in {kept}" if kept else "")
            ) from None
    return Restored(len(tables.get(CLIENTS, {})), len(tables.get(ADMINISTRATIONS, {})), kept)
