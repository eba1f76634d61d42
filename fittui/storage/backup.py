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

import errno
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fittui.storage.atomic import fsync_folder
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
from fittui.storage.records import EPISODE_EVENTS, FORMS
from fittui.storage.store import ADMINISTRATIONS, CLIENTS, Store

_NO_LINK = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


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
    """``stem.json`` in ``folder``, or ``stem-2.json``... when a copy of that second exists
    (for the files a restore keeps of an unreadable database, under the write lock): free
    with its journal's name too, as such a copy may be its journal alone."""
    target, n = folder / f"{stem}.json", 1
    while os.path.lexists(target) or os.path.lexists(_journal(target)):
        n += 1
        target = folder / f"{stem}-{n}.json"
    return target


def write_new(
    folder: Path, stem: str, data: bytes | Iterable[bytes], suffix: str = ".json"
) -> Path:
    """Write ``data`` as ``stem.json`` in ``folder``, or ``stem-2.json``... when that name is
    taken, and never over a file: the copy is written and fsynced under a temporary name,
    then given the first free name by a hard link, which fails on a name another fittui
    took meanwhile (a backup of another database into the same folder, that same second),
    where a look and a rename would replace its copy. On a file system without hard links
    (a FAT USB stick), the name is taken by creating it exclusively, then renamed over.
    ``suffix`` ends the name instead of ``.json`` (``.json.age`` for an encrypted copy); the
    temporary name is the same, so a save sweeps one a kill left in ``backups/``."""
    staged = folder / f".{stem}.json.{os.urandom(4).hex()}.tmp"
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINK, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in [data] if isinstance(data, bytes) else data:
                f.write(piece)
            f.flush()
            os.fsync(f.fileno())
        n = 1
        while True:
            target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                claim(staged, target)
                break
            except FileExistsError:
                n += 1
    finally:
        staged.unlink(missing_ok=True)
    fsync_folder(folder, os)
    return target


def sweep_staged(folder: Path, db: Path) -> None:
    """Remove the copies of ``db`` that a backup killed while writing them left in
    ``folder`` under their temporary names: on a USB stick, a hidden, partial copy of the
    practice that nobody knows is there. Only those an hour old: a younger one may be a
    backup at work now (a save sweeps ``backups/`` the same way)."""
    import re

    pattern = re.compile(rf"\.{re.escape(db.stem)}-[\w.-]+\.json\.[0-9a-f]{{8}}\.tmp")
    found = stale_entries(
        folder, lambda e: pattern.fullmatch(e.name) is not None and e.is_file(follow_symlinks=False)
    )
    for path in found:
        try:
            os.unlink(path)
        except OSError:
            pass  # tidying up never stops a backup


def stale_entries(folder: Path, wanted: Callable[[os.DirEntry[str]], bool]) -> list[str]:
    """The paths of the entries of ``folder`` that ``wanted`` picks and that have not
    changed for an hour (``journal.STALE_SECONDS``): what a process killed at work left
    behind, never what one at work now is writing. Empty when the folder cannot be read:
    tidying up never stops what it is part of."""
    import time

    from fittui.storage.journal import STALE_SECONDS

    old = time.time() - STALE_SECONDS
    try:
        with os.scandir(folder) as entries:
            return [
                e.path
                for e in entries
                if wanted(e) and e.stat(follow_symlinks=False).st_mtime < old
            ]
    except OSError:
        return []


def claim(staged: Path, target: Path) -> None:
    """Give the written copy ``staged`` the name ``target``; FileExistsError when taken."""
    try:
        os.link(staged, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_LINK, 0o600))
        os.replace(staged, target)


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
    stem = f"{db.stem}-{now:%Y-%m-%d-%H%M%S}"
    sweep_staged(target_dir, db)
    try:
        return write_new(target_dir, stem, snapshot_lines(tables))
    except OSError as exc:
        raise StorageError(
            f"could not write a backup {stem}.json into {target_dir}: {exc.strerror or exc}"
        ) from None


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
        if problem := _stray(tables, codes):
            raise RestoreRefused(f"{source}: {problem}; the database was not changed")
    except RestoreRefused:
        raise
    except UnreadableDatabase as exc:
        raise RestoreRefused(
            f"{exc.path} cannot be restored: {exc.reason}; the database was not changed"
        ) from None
    except StorageError as exc:
        raise RestoreRefused(f"{exc}; the database was not changed") from None
    return tables


def _stray(tables: Tables, codes: set[str]) -> str | None:
    """A record in ``tables`` that names a client not in them, in words, or None.

    Beside the ratings: an episode event, a home form, a link between two clients. Saving
    never leaves one, but a file from elsewhere can hold one, and it would not stay a
    stray: the next client given that code would take over the old client's episodes, the
    ratings entered from their home forms, or a place in another client's case.
    """
    for table, what in ((EPISODE_EVENTS, "episode event"), (FORMS, "home form")):
        for doc_id, doc in tables.get(table, {}).items():
            if doc["client"] not in codes:
                return (
                    f"{what} {doc_id} belongs to client {doc['client']!r}, who is not in the file"
                )
    for code, doc in tables.get(CLIENTS, {}).items():
        for other in doc.get("linked", ()):
            if other not in codes:
                return f"client {code!r} is linked with client {other!r}, who is not in the file"
    return None


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
                name = _free_name(folder, f"{db.stem}-before-restore-{now:%Y-%m-%d-%H%M%S}")
                if current is not None:
                    write_file_atomically(name, snapshot_lines(current))
                    kept = name
                else:  # unreadable: keep its files exactly as they are
                    copies = [(db, name), (journal, _journal(name))]
                    copies = [(path, copy) for path, copy in copies if os.path.lexists(path)]
                    for path, copy in copies:
                        write_file_atomically(copy, _raw(path))
                    kept = copies[0][1]  # the journal alone, for a young database
        except OSError as exc:
            raise StorageError(
                f"could not keep {db} as it is before restoring over it: "
                f"{exc.strerror or exc}; the database was not changed"
            ) from None
        try:
            storage.install(tables)
        except OSError as exc:
            raise StorageError(
                f"could not restore into {db}: {exc.strerror or exc}"
                + (f"; the database as it was is kept in {kept}" if kept else "")
            ) from None
    return Restored(len(tables.get(CLIENTS, {})), len(tables.get(ADMINISTRATIONS, {})), kept)
