"""A TinyDB storage that never loses a saved record: a JSON snapshot plus a JSON-lines journal.

Why not TinyDB's ``JSONStorage``: it rewrites the whole file in place on every write (a
crash mid-write leaves a broken file), re-reads the whole file on every query and is not
safe for two processes. Here:

* ``fittui.json`` is a snapshot in JSON lines: a header ``{"fittui": {"schema": N},
  "records": count}``, then lines ``[table, {id: record, ...}]`` of up to 1,000 records
  each, so it is read a line at a time (one big document would need a parse buffer twice
  its size on top of the records). A missing last newline or a wrong count means it was
  cut short. It is only ever replaced whole: written to a temporary file in the same
  folder, fsynced, ``os.replace``d over the old one, and the folder fsynced.
* ``fittui.json.journal`` holds one JSON line per saved transaction,
  ``{"ops": [["put", table, id, doc] | ["del", table, id], ...]}``, appended and fsynced
  before a save returns. A line cut short by a crash has no newline; it was never reported
  saved, readers ignore it and the next writer cuts it off. When the journal outgrows a
  eighth of the snapshot, the snapshot is rewritten and the journal emptied (replaying an
  old journal over a newer snapshot is harmless: every op sets a final value).
* Every read-modify-write holds ``fittui.json.lock`` (filelock). Readers take no lock: they
  open the journal before the snapshot, so a compaction between the two can only make them
  replay ops that are already in the snapshot. A process notices another's saves by the
  snapshot's identity and the journal's length, so no cache is ever stale.
* Loading pauses the cycle collector: records hold no cycles, and collecting again and
  again while 100,000 of them are created doubles the time it takes.
* The first write of each day copies the database into ``backups/``; the last 14 are kept.
* A file that cannot be read raises :class:`UnreadableDatabase` and is never written over.
"""

from __future__ import annotations

import gc
import os
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager, nullcontext
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from fittui.locations import backups_dir, make_private_dir

SCHEMA_VERSION = 1
BACKUPS_KEPT = 14
LOCK_TIMEOUT = 15.0
COMPACT_MIN_BYTES = 256 * 1024
# Compact when the journal outgrows 1/COMPACT_FRACTION of the snapshot: it bounds the
# journal replayed at open (bench/bench_storage.py measures the worst case).
COMPACT_FRACTION = 8
SNAPSHOT_LINE_RECORDS = 1000
# schema version -> function turning that version's "tables" into the next version's.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}

Tables = dict[str, dict[str, dict[str, Any]]]
Validator = Callable[[str, str, Any], str | None]


class StorageError(Exception):
    """Something on disk stopped a read or a save; the message is for the person."""


class UnreadableDatabase(StorageError):
    """The database exists but cannot be read; it is left exactly as it is."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        self.backup = newest_backup(path)
        hint = f"; newest backup: {self.backup}" if self.backup else "; no backup found"
        super().__init__(f"cannot read database {path}: {reason}{hint}")


class SaveFailed(StorageError):
    """A save did not reach the disk; what was saved before is intact."""


class ReadOnly(StorageError):
    """A write was attempted on a database opened with --read-only."""


def backups(path: Path) -> list[Path]:
    """The daily backups of the database at ``path``, oldest first.

    The pattern names the date exactly, so the backups of ``fittui-test.json`` in the same
    folder are never taken for (and pruned as) those of ``fittui.json``.
    """
    folder = backups_dir(path)
    day = "[0-9]" * 4 + "-" + "[0-9]" * 2 + "-" + "[0-9]" * 2
    return sorted(folder.glob(f"{path.stem}-{day}.json")) if folder.is_dir() else []


def newest_backup(path: Path) -> Path | None:
    found = backups(path)
    return found[-1] if found else None


def new_id() -> str:
    """A record id no other process can pick: 64 random bits."""
    return secrets.token_hex(8)


def _fsync_dir(folder: Path) -> None:
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:  # Windows has no directory fsync
        return
    fd = os.open(folder, flags | os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_file_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write, fsync, rename over, fsync the folder: the old file or the new, never a mix.

    ``data`` may come in pieces, so a large snapshot is never held whole in memory.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            for piece in [data] if isinstance(data, bytes) else data:
                _write_all(fd, piece)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def snapshot_lines(tables: Tables) -> Iterator[bytes]:
    """The snapshot file, a line at a time (see the module docstring)."""
    count = sum(len(table) for table in tables.values())
    yield orjson.dumps({"fittui": {"schema": SCHEMA_VERSION}, "records": count}) + b"\n"
    for name, table in tables.items():
        records = iter(table.items())
        while chunk := dict(islice(records, SNAPSHOT_LINE_RECORDS)):
            yield orjson.dumps([name, chunk]) + b"\n"


def dump_snapshot(tables: Tables) -> bytes:
    return b"".join(snapshot_lines(tables))


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class JournalStorage(Storage):
    """TinyDB storage over a snapshot and a journal; see the module docstring."""

    def __init__(
        self, path: str | Path, read_only: bool = False, validate: Validator | None = None
    ):
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.read_only = read_only
        self.validate = validate
        self._tables: Tables | None = None
        self._snapshot_sig: tuple | None = None
        self._snapshot_size = 0
        self._journal_ino: int | None = None
        self._journal_offset = 0
        self._pending: list[list] | None = None
        self._depth = 0
        self._guard = threading.RLock()
        self._lock = (
            None
            if read_only
            else FileLock(
                self.path.with_name(self.path.name + ".lock"), timeout=LOCK_TIMEOUT, mode=0o600
            )
        )
        self.generation = 0  # bumped whenever the data seen changes; for callers' caches

    # -- reading -------------------------------------------------------------------------
    def read(self) -> Tables:
        with self._guard:
            self._refresh()
            return self._tables

    def _refresh(self) -> None:
        if self._depth and self._tables is not None:
            return  # inside a transaction the lock is held: nobody else has written
        try:
            journal = open(self.journal_path, "rb")  # noqa: SIM115 - closed by the with below
        except FileNotFoundError:
            journal = None
        except OSError as exc:
            raise UnreadableDatabase(self.journal_path, exc.strerror or str(exc)) from None
        with _gc_paused(), journal or nullcontext():
            try:
                st = os.stat(self.path)
                sig = (st.st_ino, st.st_size, st.st_mtime_ns)
            except FileNotFoundError:
                sig = None
            journal_ino = os.fstat(journal.fileno()).st_ino if journal else None
            if (
                self._tables is None
                or sig != self._snapshot_sig
                or journal_ino != self._journal_ino
            ):
                self._load_snapshot()
                self._journal_ino = journal_ino
                self._journal_offset = 0
            if journal:
                journal.seek(self._journal_offset)
                self._replay(journal.read())

    def _load_snapshot(self) -> None:
        self.generation += 1
        try:
            with open(self.path, "rb") as snapshot:
                st = os.fstat(snapshot.fileno())  # of the file read, even if replaced meanwhile
                tables = self._parse_snapshot(snapshot)
        except FileNotFoundError:
            self._tables, self._snapshot_sig, self._snapshot_size = {}, None, 0
            return
        except OSError as exc:
            raise UnreadableDatabase(self.path, exc.strerror or str(exc)) from None
        self._tables = tables
        self._snapshot_sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        self._snapshot_size = st.st_size

    def _parse_snapshot(self, snapshot: BinaryIO) -> Tables:
        header = snapshot.readline()
        if not header.strip():
            raise UnreadableDatabase(self.path, "the file is empty")
        meta, count = self._parse_line(header, 1), None
        if isinstance(meta, dict):
            meta, count = meta.get("fittui"), meta.get("records")
        if not isinstance(meta, dict) or type(meta.get("schema")) is not int:
            raise UnreadableDatabase(self.path, "not a fittui database (no schema version)")
        schema = meta["schema"]
        if schema > SCHEMA_VERSION:
            raise UnreadableDatabase(
                self.path, f"schema version {schema} is newer than this fittui understands"
            )
        if type(count) is not int:
            raise UnreadableDatabase(self.path, "unexpected shape (no record count)")
        tables: Tables = {}
        for number, line in enumerate(snapshot, start=2):
            row = self._parse_line(line, number)
            if not (
                type(row) is list
                and len(row) == 2
                and type(row[0]) is str
                and type(row[1]) is dict
                and all(type(d) is dict for d in row[1].values())
            ):
                raise UnreadableDatabase(
                    self.path, f"line {number}: unexpected shape (a table must hold records)"
                )
            tables.setdefault(row[0], {}).update(row[1])
            count -= len(row[1])
        if count:
            raise UnreadableDatabase(self.path, "cut short or damaged (records are missing)")
        while schema < SCHEMA_VERSION:
            if schema not in MIGRATIONS:
                raise UnreadableDatabase(self.path, f"unknown schema version {schema}")
            tables = MIGRATIONS[schema](tables)
            schema += 1
        if self.validate:
            for name, table in tables.items():
                for doc_id, doc in table.items():
                    self._check(self.path, name, doc_id, doc, "")
        return tables

    def _parse_line(self, line: bytes, number: int) -> Any:
        if not line.endswith(b"\n"):
            raise UnreadableDatabase(self.path, f"cut short (line {number} is incomplete)")
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise UnreadableDatabase(self.path, f"line {number}: not valid JSON ({exc})") from None

    def _check(self, path: Path, table: str, doc_id: str, doc: Any, where: str) -> None:
        problem = self.validate(table, doc_id, doc) if self.validate else None
        if problem:
            raise UnreadableDatabase(path, f"{where}{table} record {doc_id}: {problem}")

    def _replay(self, chunk: bytes) -> None:
        end = chunk.rfind(b"\n") + 1  # a last line without newline was cut short: not saved
        if not end:
            return
        changed = False
        line_start = self._journal_offset
        for line in chunk[:end].splitlines():
            where = f"journal at byte {line_start}: "
            line_start += len(line) + 1
            if not line.strip():
                continue
            try:
                ops = orjson.loads(line)["ops"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise UnreadableDatabase(self.journal_path, f"{where}damaged line") from None
            for op in ops:
                self._apply(op, where)
            changed = True
        self._journal_offset += end
        if changed:
            self.generation += 1

    def _apply(self, op: list, where: str = "") -> None:
        try:
            kind, table, doc_id = op[0], op[1], op[2]
            if kind == "put":
                self._check(self.journal_path, table, doc_id, op[3], where)
                self._tables.setdefault(table, {})[doc_id] = op[3]
            elif kind == "del":
                self._tables.get(table, {}).pop(doc_id, None)
            else:
                raise ValueError(kind)
        except (IndexError, TypeError, ValueError):
            raise UnreadableDatabase(self.journal_path, f"{where}unknown operation") from None

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Tables]:
        """Hold the write lock, see the latest data, and save everything done inside at once.

        All puts and deletes recorded inside go to disk as one journal line when the
        outermost transaction ends: all of them are saved, or none.
        """
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only; nothing was saved")
        with self._guard:
            outer = self._depth == 0
            if outer:
                self._acquire()
            try:
                if outer:
                    self._refresh()
                    self._pending = []
                self._depth += 1
                try:
                    yield self._tables
                finally:
                    self._depth -= 1
                if outer and self._pending:
                    self._commit(self._pending)
            except BaseException:
                if outer:
                    self._tables = None  # the disk is the truth: reload it next time
                raise
            finally:
                if outer:
                    self._pending = None
                    self._lock.release()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the write lock without a transaction: for replacing the whole database
        (``fittui restore``). Whatever was read before is forgotten afterwards."""
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only; nothing was changed")
        with self._guard:
            self._acquire()
            try:
                yield
            finally:
                self._tables = None
                self._lock.release()

    def _acquire(self) -> None:
        try:
            make_private_dir(self.path.parent)
            self._lock.acquire()
        except Timeout:
            raise SaveFailed(f"{self.path} is busy: another fittui is saving; try again") from None
        except OSError as exc:
            raise SaveFailed(f"cannot lock {self.path}: {exc.strerror or exc}") from None

    def lock_is_busy(self) -> bool:
        """Whether another process holds the write lock now, so that a save would wait.

        The rating screen asks, to show the client a calm "saving" while it waits.
        """
        if self._lock is None or self._lock.is_locked:
            return False
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return True
        except OSError:
            return False  # the save itself will say what is wrong
        self._lock.release()
        return False

    def record(self, op: list) -> None:
        """Note one put or delete inside the current transaction (already applied in memory)."""
        self._pending.append(op)

    def _commit(self, ops: list[list]) -> None:
        backup = self._backup_once_a_day()
        line = orjson.dumps({"ops": ops}) + b"\n"
        try:
            created = not self.journal_path.exists()
            fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size > self._journal_offset:  # a line cut short by a crash: drop it
                    os.ftruncate(fd, self._journal_offset)
                try:
                    _write_all(fd, line)
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, self._journal_offset)
                    raise
                st = os.fstat(fd)
            finally:
                os.close(fd)
            if created:
                _fsync_dir(self.path.parent)
        except OSError as exc:
            if backup:  # it holds this save, which did not happen
                backup.unlink(missing_ok=True)
            raise SaveFailed(
                f"could not save to {self.journal_path}: {exc.strerror or exc}"
            ) from None
        self._journal_ino, self._journal_offset = st.st_ino, self._journal_offset + len(line)
        self.generation += 1
        if self._journal_offset > max(COMPACT_MIN_BYTES, self._snapshot_size // COMPACT_FRACTION):
            try:
                self._compact()
            except OSError:
                pass  # the journal holds everything; compaction is tried again next save

    def write(self, data: Tables) -> None:
        """TinyDB's whole-database write: a new snapshot, under the lock."""
        with self.transaction():
            self._tables = data
            try:
                self._compact()
            except OSError as exc:
                raise SaveFailed(f"could not save to {self.path}: {exc.strerror or exc}") from None

    def _compact(self) -> None:
        write_file_atomically(self.path, snapshot_lines(self._tables))
        write_file_atomically(self.journal_path, b"")
        st = os.stat(self.path)
        self._snapshot_sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        self._snapshot_size = st.st_size
        self._journal_ino, self._journal_offset = os.stat(self.journal_path).st_ino, 0

    def _backup_once_a_day(self) -> Path | None:
        """On the day's first save, copy the database (with that save) into backups/."""
        if not (self.path.exists() or self.journal_path.exists()):
            return None
        folder = backups_dir(self.path)
        target = folder / f"{self.path.stem}-{date.today().isoformat()}.json"
        if target.exists():
            return None
        try:
            make_private_dir(folder)
            write_file_atomically(target, snapshot_lines(self._tables))
        except OSError as exc:
            raise SaveFailed(f"could not write the daily backup {target}: {exc.strerror}") from None
        for old in backups(self.path)[:-BACKUPS_KEPT]:
            old.unlink(missing_ok=True)
        return target

    def close(self) -> None:
        self._tables = None


class _Recorder(MutableMapping):
    """A table as TinyDB's updaters see it: changes apply in place and are noted for the journal."""

    def __init__(self, name: str, table: dict) -> None:
        self.name, self.table = name, table
        self.touched: dict[str, bool] = {}
        self.seen: dict[str, bytes] = {}

    def __getitem__(self, key: str) -> dict:
        doc = self.table[key]
        if key not in self.touched and key not in self.seen:
            # TinyDB's update() may change the document in place: remember how it was.
            self.seen[key] = orjson.dumps(doc)
        return doc

    def __setitem__(self, key: str, doc: dict) -> None:
        self.table[key] = doc
        self.touched[key] = True

    def __delitem__(self, key: str) -> None:
        del self.table[key]
        self.touched[key] = True

    def __iter__(self):
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, key: object) -> bool:
        return key in self.table

    def ops(self) -> list[list]:
        changed = [
            k
            for k, was in self.seen.items()
            if k not in self.touched and orjson.dumps(self.table[k]) != was
        ]
        return [
            ["put", self.name, key, self.table[key]]
            if key in self.table
            else ["del", self.name, key]
            for key in dict.fromkeys([*self.touched, *changed])
        ]


class JournalTable(Table):
    """A TinyDB table whose writes touch only the records they change, under the lock.

    Ids are random strings (``new_id``), so two processes never pick the same one, and
    the query cache is off, so a search always sees what another process saved.
    """

    document_id_class = str
    default_query_cache_capacity = 0

    def _get_next_id(self) -> str:
        table = self._read_table()
        while (doc_id := new_id()) in table:
            continue
        return doc_id

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        storage: JournalStorage = self._storage
        with storage.transaction() as tables:
            recorder = _Recorder(self.name, tables.setdefault(self.name, {}))
            updater(recorder)
            for op in recorder.ops():
                storage.record(op)


class Database(TinyDB):
    """TinyDB on fittui's journaled storage."""

    table_class = JournalTable
    default_storage_class = JournalStorage

    def table(self, name: str, **kwargs: Any) -> Table:
        kwargs.setdefault("cache_size", 0)  # a cached query could miss another process's save
        return super().table(name, **kwargs)
