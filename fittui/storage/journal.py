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
* Schema 2 (what this fittui writes; schema 1 is still read, and upgraded on the first
  write after its files are copied into backups/) keeps each client's administrations in
  lines of their own, ``["administrations", {id: record}, [place, ...]]`` with each
  record's place in entry order, after the small tables, and ends with an index of where
  each client's lines are. An open then reads the index only, the small tables when first
  asked for (a save asks only whether its client exists, which the index answers for a
  client with ratings: ``has_client``), and a client's ratings when asked
  (``client_records``), once ``summaries.py``'s stamp says this very file was read and
  checked whole; otherwise it is read whole, as every schema 1 file is. Reading a file
  whole (``snapshot_read.py``), writing one (``snapshot_file.py``), the upgrade
  (``upgrade.py``) and TinyDB's tables (``database.py``) live apart, so a save loads none
  of them.
* ``fittui.json.journal`` holds one JSON line per saved transaction,
  ``{"ops": [["put", table, id, doc] | ["del", table, id], ...]}``, appended and fsynced
  before a save returns. A line cut short by a crash does not parse; it was never reported
  saved, readers ignore it and the next writer cuts it off. A last line that parses but
  lost its newline is a whole save and is kept.
* Generations: the journal's first line names it and the snapshot it extends
  (``journal_head``); a snapshot names its generation and the journal it makes obsolete.
  A compaction or a restore (``install``) writes the new snapshot, then a new journal
  extending it: a crash between the two leaves a snapshot that names the old journal as
  obsolete, and a reader that opened the old journal before the new snapshot appeared sees
  the same. A journal and a snapshot that do not fit otherwise are a race (look again) or
  damage (refused). A snapshot of a generation with no journal at all is refused too: its
  saves are gone (``install`` writes a journal before the first snapshot of a database that
  had none, so no crash leaves one alone). Files from before generations read as before.
* Every read-modify-write holds ``fittui.json.lock`` (``lock.py``: flock). Readers take no
  lock: they open the journal before the snapshot. A process notices another's saves by the
  journal's first line (a new one at every compaction) and length, so no cache is ever
  stale; a journal cut or rewritten under a store, rather than appended to, stops its saves.
* Every record read is checked by ``validate`` (``fittui.storage.records``) as strictly as a save.
* No path fittui writes is opened through a symbolic link or as a FIFO or device
  (``open_kept``, ``check_kept``); folders are created 0700 and files 0600.
* Loading pauses the cycle collector: records hold no cycles, and collecting again and
  again while 100,000 of them are created doubles the time it takes.
* The first write of each day copies the database into ``backups/``, in a thread once the
  save is on disk (``daily.py``); the 14 newest up to today are kept, and one dated after
  today is never deleted here.
* A file that cannot be read raises :class:`UnreadableDatabase` and is never written over.
* Every file operation goes through ``os`` so ``tests/test_power_loss.py`` can record it.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import stat
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, Protocol

import orjson

from fittui.storage import daily, replayed
from fittui.storage.append import (  # noqa: F401 - new_id is re-exported
    COMPACT_FRACTION,
    COMPACT_MIN_BYTES,
    _entry_shape,
    _mark,
    _sig,
    index_entry,
    new_id,
)
from fittui.storage.atomic import fsync_folder, write_whole
from fittui.storage.errors import (  # noqa: F401 - re-exported: callers import the errors from here too
    ReadOnly,
    SaveFailed,
    StorageError,
    UnreadableDatabase,
    newest_backup,
)
from fittui.storage.layout import (  # noqa: F401 - SCHEMA_VERSION is re-exported
    FILE_SCHEMA,
    GROUPED,
    SCHEMA_VERSION,
    Tables,
)
from fittui.storage.lock import LockTimeout, WriteLock
from fittui.storage.summaries import Head, read_head, write_all

if TYPE_CHECKING:
    from fittui.storage.daily import DailyBackup
    from fittui.storage.fold_apart import Folds
from fittui.storage.locations import (  # noqa: F401 - privacy_warnings is re-exported
    backups_dir,
    daily_backups,
    make_private_dir,
    privacy_warnings,
)

BACKUPS_KEPT = 14
LOCK_TIMEOUT = 15.0
# The clients whose snapshot lines a store keeps once read (a running app's recent ones).
CLIENTS_CACHED = 256
# A reader that finds a journal and a snapshot of different generations saw a compaction or
# a restore happen between opening the two; it looks again this many times.
RACE_RETRIES = 40
# A look's finding of where the day's backup goes is used by a save this soon after it.
BACKUP_LOOK_SECONDS = 1.0
# A temporary file in backups/ this old was left by a killed process.
STALE_SECONDS = 3600

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOT_REGULAR = (
    "it is not a regular file (a folder, a FIFO or a device); fittui opens only its own files"
)
_LINK = "it is a symbolic link (or a loop of them); fittui never follows a link where it keeps data"


class Checks(Protocol):
    """The checks records read from disk must pass (``fittui.storage.records.RecordChecks``)."""

    def record(self, table: str, doc_id: str, doc: Any) -> str | None: ...

    def many(self, table: str, records: dict[str, Any]) -> tuple[str, str] | None: ...

    def links(
        self, tables: Mapping[str, Mapping[str, Any]], changed: list | None
    ) -> str | None: ...

    def fingerprint(self) -> str: ...


def backups(path: Path) -> list[Path]:
    """The daily backups of the database at ``path``, oldest first (see ``daily_backups``)."""
    return daily_backups(path)


def open_kept(path: Path, flags: int) -> int:
    """Open a file fittui keeps, never through a symbolic link, never blocking on a FIFO,
    and only when it is a regular file. Raises OSError whose ``strerror`` says it in words.
    """
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, _LINK, str(path)) from None
        if exc.errno in (errno.ENXIO, errno.EISDIR):  # a FIFO without a reader; a folder
            raise OSError(exc.errno, _NOT_REGULAR, str(path)) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, _NOT_REGULAR, str(path))
    return fd


def check_kept(path: Path) -> None:
    """Refuse a path fittui is about to write that is a link or not a regular file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise OSError(errno.ELOOP, _LINK, str(path))
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, _NOT_REGULAR, str(path))


def private_folder(folder: Path) -> None:
    """Create ``folder`` 0700 (parents too) and refuse it if it is a link: for backups/."""
    make_private_dir(folder)
    if stat.S_ISLNK(os.lstat(folder).st_mode):
        raise OSError(errno.ELOOP, _LINK, str(folder))


def _is_folder(path: Path | str) -> bool:
    """Whether ``path`` is a folder itself, not a link to one: one ``lstat``."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _words(exc: OSError) -> str:
    where = (
        f" ({exc.filename})" if exc.filename and str(exc.filename) not in str(exc.strerror) else ""
    )
    return f"{exc.strerror or exc}{where}"


def _fsync_dir(folder: Path) -> None:
    fsync_folder(folder, os)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_file_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write, fsync, rename over, fsync the folder: the old file or the new, never a mix.

    ``data`` may come in pieces, so a large snapshot is never held whole in memory. A link,
    FIFO or folder at ``path`` is refused, never replaced.
    """
    check_kept(path)
    write_whole(path, data, os)


def journal_head(journal_id: str, extends: str | None) -> bytes:
    """A journal's first line: an empty transaction (so an older fittui reads it as one) that
    names the journal and the snapshot generation it extends."""
    return orjson.dumps({"ops": [], "journal": journal_id, "extends": extends}) + b"\n"


def _head_of(line: bytes) -> tuple[str | None, str | None]:
    """(journal id, generation extended) of a journal's first line; (None, None) for a
    journal written before journals had a first line naming them."""
    try:
        head = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None, None
    if type(head) is dict and type(head.get("journal")) is str:
        extends = head.get("extends")
        return head["journal"], extends if type(extends) is str else None
    return None, None


def _shown(value: Any) -> str:
    text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode(errors="replace")
    return text if len(text) <= 60 else text[:57] + "..."


def _first(entry: tuple[int, str, dict[str, Any]]) -> int:
    return entry[0]


def _parsed(data: bytes | memoryview) -> Any:
    """JSON kept beside the data, parsed; None when it does not parse."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _only_records(table: str, doc_id: str, doc: Any) -> str | None:
    return None if type(doc) is dict else "is not a record"


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off while thousands of records (or rows) are made: they hold no
    cycles, and collecting again and again among them doubles the time it takes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Folded(NamedTuple):
    """A journal a compaction folded into the new snapshot: its id, its length, and per
    client the length after the last line that changed them (see ``last_touched``)."""

    journal: str | None
    length: int
    touched: dict[str, int]
    unknown: int

    def last_touched(self, codes: Iterable[str]) -> int:
        return max([self.unknown, *(self.touched.get(code, 0) for code in codes)])


class _Index:
    """A snapshot's index of each client's lines, looked up in its bytes a client at a time.

    Why not parse it: at 6,000 clients the index is a sixth of a megabyte, and a command
    about one client needs one entry of it. The index line is written by ``snapshot_lines``
    alone and holds nothing but client codes and numbers, so a code's key is found by its
    bytes (``"C1":[``, after ``{`` or ``,``) within the index's own braces, and only that
    entry is parsed. ``None`` when there is no such client in the index.

    Each search reads the bytes from the start, though: a journal of a year's saves names
    thousands of clients, and opening it searched the index once for each (6,000 searches
    of a sixth of a megabyte, a sixth of a second). After ``WHOLE_AFTER`` clients looked
    up, the index is parsed once, whole, and each entry is taken from that, checked as
    ``index_entry`` checks it (an index that does not parse whole is searched as before,
    which says which entry is damaged).
    """

    WHOLE_AFTER = 128  # a whole parse costs about as much as this many searches

    def __init__(self, data: bytes = b"{}") -> None:
        self.data = data  # the index object's bytes, ``{...}``
        self._found: dict[str, list[list[int]] | None] = {}  # the entries looked up
        self._whole: dict[str, Any] | None = None

    def get(self, code: str) -> list[list[int]] | None:
        if code in self._found:  # the bytes never change: a running app's saves ask again
            return self._found[code]
        if self._whole is None and len(self._found) >= self.WHOLE_AFTER:
            self._whole = self._parsed()
        if self._whole:
            entry = self._whole.get(code)
            if entry is not None and not _entry_shape(entry):
                raise ValueError(f"the index entry of {code!r} is damaged")
        else:
            entry = index_entry(self.data, code)
        self._found[code] = entry
        return entry

    def _parsed(self) -> dict[str, Any]:
        """The whole index parsed, or {} (search it) when it is not one JSON object."""
        try:
            whole = orjson.loads(self.data)
        except orjson.JSONDecodeError:
            return {}
        return whole if type(whole) is dict else {}


class _KnownClients(Mapping[str, Any]):
    """The clients as a link check asks for them (``in``) before the small tables are
    read: each one looked up alone (``JournalStorage._client_known``); anything more reads
    the small tables."""

    def __init__(self, storage: JournalStorage) -> None:
        self.storage = storage

    def __contains__(self, code: object) -> bool:
        return type(code) is str and self.storage._client_known(code)

    def __getitem__(self, code: str) -> Any:
        return self.storage._loaded()["clients"][code]

    def __iter__(self) -> Iterator[str]:
        return iter(self.storage._loaded().get("clients", {}))

    def __len__(self) -> int:
        return len(self.storage._loaded().get("clients", {}))


class _NeedsWhole(Exception):
    """A partial read met something only the whole database can check (a client deleted)."""


class _Race(Exception):
    """A journal and a snapshot of different generations: another process is mid-way."""


class JournalStorage:
    """TinyDB storage over a snapshot and a journal; see the module docstring."""

    def __init__(self, path: str | Path, read_only: bool = False, validate: Checks | None = None):
        self.path = Path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.read_only = read_only
        self.validate = validate
        self._tables: Tables | None = None
        # Partial: the small tables are read, but of the administrations only those the
        # journal holds (in ``_tables``); each client's are read from the snapshot's lines
        # when asked for (``client_records``), through the snapshot's index.
        self._partial = False
        self._small: bytes | None = None  # the small tables' lines, not yet read
        # The journal's administrations as kept replayed (``replayed.py``), as JSON: parsed
        # and checked when first asked for (``_loaded_as_is``), under the lines replayed
        # after them meanwhile (in ``_tables``). And the journal's puts into the small
        # tables since the load, which a store keeping the journal as replayed writes.
        self._kept_ratings: bytes | memoryview | None = None
        self._small_puts: dict[str, dict[str, Any]] = {}
        self._index = _Index()
        self._grouped_count = 0  # administrations in the snapshot
        self._deleted: set[str] = set()  # administrations the journal deleted
        self._client_cache: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
        self._journal_groups: tuple[int, dict[str, list[str]], dict[str, int]] | None = None
        self._snapshot_sig: tuple | None = None
        self._snapshot_size = 0
        self._generation: str | None = None
        self._journal_ino: int | None = None
        self._journal_id: str | None = None
        self._journal_head = b""
        self._journal_offset = 0
        self._journal_lines = 0
        self._journal_tail = b""  # the last bytes read, to notice a rewrite under us
        self._journal_crc: int | None = 0  # CRC-32 of the journal's bytes read so far
        # The journal's stamp (``_sig``) just after this store's last append, with its
        # modification time set apart (``_mark``): while it is the same, nothing wrote to it.
        self._journal_mark: tuple | None = None
        # The stamp of the journal this store started, marked then (``_start_journal``).
        self._started_mark: tuple | None = None
        # The journal kept open after that append, while its stamp is as marked; and
        # whether the last look found it so (``_as_left``), so a save appends without
        # opening it again.
        self._journal_fd: int | None = None
        self._left_as_is = False
        self._unterminated = False  # the last line read is complete but has no newline
        self._journal_obsolete = False
        self._pending: list[list] | None = None
        self._depth = 0
        self._swept = False
        self._backup_day = ""  # the day whose backup this store saw written
        self._backup_next: Path | None = None  # to be started as the save ends
        # (when, day, target, its folder) of the day's backup a look found due, for the save
        # that follows it (``_backup_due_now``).
        self._backup_looked: tuple[float, str, Path, str] | None = None
        self._guard = threading.RLock()
        self._lock: WriteLock | None = (
            None if read_only else WriteLock(self.lock_path, LOCK_TIMEOUT, self._lock_folder)
        )
        self.generation = 0  # bumped whenever the data seen changes; for callers' caches
        # The clients whose records changed since ``take_changes`` last asked; None when
        # everything was read afresh (a first read, a compaction or a restore elsewhere).
        self._changes: set[str] | None = None
        # For the rows kept beside the data: per client, the journal length after the last
        # line that changed their records; and after the last line whose clients are not
        # known (a deletion of a rating read from the snapshot).
        self._last_touch: dict[str, int] = {}
        self._unknown_touch = 0
        self._line_codes: set[str] | None = set()
        self._verified: list | None = None  # the stamp of the snapshot read and checked
        self._schema_read = FILE_SCHEMA  # of the snapshot read last
        self._snapshot_schema = FILE_SCHEMA  # of the snapshot on disk, as this store read it
        # Encrypts each daily backup when the settings ask for it (sealed.backup_sealer).
        self.seal_backup: Callable[[bytes], bytes] | None = None
        self.daily_backup: DailyBackup | None = None  # the copy being written, or written
        # Writes what is kept beside the data after a compaction (the Store's rows, which a
        # compaction leaves true); by default the rows in the file (``carry.py``).
        self.carry: Callable[[Folded], None] | None = None
        self.backup_failed: str | None = None
        # A running app's saves leave folding the journal in to a process of its own
        # (``fold_apart.py``), started once the save is on disk and the lock let go.
        self.fold_apart = False
        self.folds: Folds | None = None  # those processes, once one was due
        self._backup_told: DailyBackup | None = None  # its failure said by take_troubles
        # How the journal was found changed by another program, once it was: this store
        # saves nothing more (``_changed``), though it reads on.
        self._stopped: str | None = None
        if not read_only:
            daily.be_ready()

    def __del__(self) -> None:
        fd = getattr(self, "_journal_fd", None)  # the journal kept open between saves
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _unreadable(self, path: Path, reason: str) -> UnreadableDatabase:
        return UnreadableDatabase(path, reason, database=self.path)

    def _changed(self, how: str) -> UnreadableDatabase:
        """The journal was changed under this store: it is read afresh from now on, and
        nothing more is saved by this store (``transaction`` refuses), as the message
        says; reading it again must not make a damaged file one to add to."""
        self._tables = None
        self._stopped = self._stopped or how
        return self._stopped_error()

    def _stopped_error(self) -> UnreadableDatabase:
        return self._unreadable(
            self.journal_path,
            f"it was changed by another program while fittui had it open ({self._stopped}); "
            "nothing more is saved to it: close fittui, keep a copy of the folder, and look "
            "at the journal before going on",
        )

    # -- reading -------------------------------------------------------------------------
    def read(self) -> Tables:
        """Every table, whole (TinyDB's interface): the whole snapshot is read if it was
        not yet. Readers of one client or of the small tables use ``table`` and
        ``client_records``, which read no other client's ratings."""
        with self._guard:
            self._refresh(full=True)
            return self._loaded()

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        """One table as it stands now; for the administrations, the whole table (read in
        full: prefer ``client_records``)."""
        with self._guard:
            self._refresh(full=name == GROUPED)
            return (self._loaded() if name == GROUPED else self._small_tables()).get(name, {})

    def look(self) -> None:
        """Read what other processes saved since the last look: their new journal lines
        only, or the files afresh after a compaction or a restore. A store that saves
        also checks, on a day whose backup it has not seen, where that backup would go
        (``_backup_due``), so that a running app's first save of the day need not."""
        with self._guard:
            self._refresh(full=False)
            if not self.read_only:
                self._look_at_backups()

    def _look_at_backups(self) -> None:
        """On a day whose backup this store has not seen, find whether it is written and
        its folder is there as it should be (a folder, not a link), for a save made soon
        after (``_backup_due_now``); nothing is made here, and anything unusual is left
        for the save to check and report."""
        today = date.today().isoformat()
        if self._backup_day == today or (self._snapshot_sig is None and self._journal_ino is None):
            return
        folder = backups_dir(self.path)
        target = folder / f"{self.path.stem}-{today}.json"
        try:
            if not _is_folder(folder):
                return
            written = os.path.lexists(target)
        except OSError:
            return
        if written:
            self._backup_day = today
        else:
            self._backup_looked = (time.monotonic(), today, target, os.fspath(folder))

    def _loaded(self) -> Tables:
        """The tables read, once ``_refresh`` or ``_load`` has read them, the small ones
        included."""
        self._small_tables()
        return self._loaded_as_is()

    def _loaded_as_is(self) -> Tables:
        """The tables read so far: of a partial read, the small ones only once something
        asked for them (``_parse_small``); the administrations are there either way."""
        tables = self._small_tables_as_is()
        if self._kept_ratings is not None:
            self._take_kept_ratings(tables)
        return tables

    def _small_tables_as_is(self) -> Tables:
        """The tables read so far, the journal's administrations perhaps still kept aside
        (``_kept_ratings``): what the client list's start and the lines replayed after them
        need."""
        assert self._tables is not None, "read before the database was loaded"
        return self._tables

    def _small_tables(self) -> Tables:
        """The tables read, the small ones whole, the journal's administrations perhaps
        still kept aside."""
        if self._small is not None:
            self._parse_small()
        return self._small_tables_as_is()

    def has_client(self, code: str) -> bool:
        """Whether the client is in the database now, reading no more than it takes."""
        with self._guard:
            self._refresh(full=False)
            return self._client_known(code)

    def _client_known(self, code: str) -> bool:
        """Whether the client is in the tables read. Before the small tables are read: a
        client the journal put, or one with ratings in the snapshot's index (the snapshot
        was checked whole, every rating's client in it, and no client is deleted while the
        small tables wait: ``_apply_lines``); else the small tables are read."""
        if self._small is not None:
            if code in self._small_tables_as_is().get("clients", {}):
                return True
            try:
                if self._index.get(code):
                    return True
            except ValueError:
                pass  # read its lines to say what is wrong
        return code in self._small_tables().get("clients", {})

    def table_for_update(self, name: str) -> dict[str, dict[str, Any]]:
        """A table to change inside a transaction (TinyDB's writes): the administrations
        without reading the small tables, any other table with them."""
        tables = self._loaded_as_is() if name == GROUPED else self._small_tables()
        return tables.setdefault(name, {})

    def _refresh(self, full: bool = True) -> None:
        if self._depth and self._tables is not None:
            # Inside a transaction the lock is held: nobody else has written.
            if full and self._partial:
                assert not self._pending, "the whole database is read before any change"
                self._tables = None  # read it whole now, under the lock
            else:
                return
        for attempt in range(RACE_RETRIES):
            try:
                self._look(full)
                return
            except _Race as race:
                reason = str(race)
                time.sleep(0.002 * (attempt + 1))
        self._tables = None
        raise self._unreadable(self.journal_path, reason)

    def _snapshot_stat(self) -> tuple | None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._unreadable(self.path, _words(exc)) from None
        if stat.S_ISLNK(st.st_mode):
            raise self._unreadable(self.path, _LINK)
        return _sig(st)

    def _look(self, full: bool) -> None:
        if full and self._partial:
            self._tables = None
        self._left_as_is = self._as_left()
        if self._left_as_is:
            return
        try:
            journal = os.fdopen(open_kept(self.journal_path, os.O_RDONLY), "rb")
        except FileNotFoundError:
            journal = None
        except OSError as exc:
            raise self._unreadable(self.journal_path, _words(exc)) from None
        with collector_paused(), journal or nullcontext():
            sig = self._snapshot_stat()
            jst = os.fstat(journal.fileno()) if journal else None
            ino = jst.st_ino if jst else None
            # The same files as last time? Inode numbers are reused at once and times are
            # coarse, so the journal's first line (its id, new at every compaction and
            # restore) says whether it is still the journal this store read.
            if (
                self._tables is not None
                and sig == self._snapshot_sig
                and ino == self._journal_ino
                and (
                    journal is None
                    or os.pread(journal.fileno(), len(self._journal_head), 0) == self._journal_head
                )
            ):
                if journal and jst and not self._journal_obsolete:
                    self._check_unchanged(journal, jst)
                    journal.seek(self._journal_offset)
                    self._replay(journal.read())
                return
            try:
                self._load(journal, jst, full)
            except _NeedsWhole:
                self._load(journal, jst, True)

    def _as_left(self) -> bool:
        """Whether the files are as this store's last save left them, so there is nothing
        new to read: the journal's stamp is the one that save marked (``_mark``: nothing
        wrote to it since) and the snapshot's is unchanged."""
        if self._journal_mark is None or self._tables is None:
            return False
        try:
            journal = os.lstat(self.journal_path)
        except OSError:
            return False  # the whole look says what is wrong
        return _sig(journal) == self._journal_mark and self._snapshot_stat() == self._snapshot_sig

    def _check_unchanged(self, journal: BinaryIO, st: os.stat_result) -> None:
        """The journal this store has read is still as it was: not cut, and its last bytes
        read not rewritten (a writer checks all of them before appending: ``_append``)."""
        size = st.st_size
        if size < self._journal_offset:
            raise self._changed(f"it shrank from {self._journal_offset} to {size} bytes")
        start = self._journal_offset - len(self._journal_tail)
        tail = os.pread(journal.fileno(), len(self._journal_tail), start)
        if tail != self._journal_tail:
            raise self._changed(f"bytes before {self._journal_offset} were rewritten")

    def _load(self, journal: BinaryIO | None, jst: os.stat_result | None, full: bool) -> None:
        """Read the snapshot and the journal from the start and decide how they fit.

        ``full`` False reads of the snapshot only its small tables and its index, when it
        has one (``_read_partial``); the journal is always read whole and checked.
        """
        if journal:
            journal.seek(0)
        data = journal.read() if journal else b""  # the journal whole, to replay it
        first = data[: data.find(b"\n") + 1 or len(data)]
        journal_id, extends = _head_of(first)
        if (
            journal_id is not None
            and journal_id == self._journal_id
            and jst is not None
            and jst.st_ino != self._journal_ino
        ):
            raise self._changed("it was replaced by a copy of itself, as an editor saves")
        partial = None if full else self._read_partial()
        snapshot = partial[:5] if partial else self._read_snapshot()
        tables, sig, size, generation, supersedes = snapshot or ({}, None, 0, None, None)
        identity = journal_id or (f"inode:{jst.st_ino}" if jst else None)
        obsolete = self._obsolete(
            jst, snapshot is not None, generation, supersedes, identity, extends
        )
        self._forget(tables, partial)
        self._verified = None if sig is None else [generation, *sig]
        self._snapshot_schema = FILE_SCHEMA if partial or sig is None else self._schema_read
        self._snapshot_sig, self._snapshot_size = sig, size
        self._generation = generation
        self._journal_ino = jst.st_ino if jst else None
        self._journal_id, self._journal_head = journal_id, first if journal_id else b""
        self._journal_obsolete = obsolete
        self._journal_crc = None if obsolete else 0
        if obsolete and jst:
            self._journal_offset = jst.st_size
        elif journal:
            start = self._resume(data, first) if partial else 0
            self._replay(data[start:] if start else data)
            if partial and self._journal_offset - start >= replayed.KEEP_AFTER:
                self._keep_replayed()
        if partial is None and self._verified is not None and not self.read_only:
            self._keep_stamp()

    def _resume(self, data: bytes, first: bytes) -> int:
        """Take the journal as kept replayed (``replayed.py``) when it covers whole lines of
        ``data`` (the journal read whole, ``first`` its first line), was kept under the same
        checks, and checks out: how many bytes it covers, from which the replay goes on;
        else 0, nothing taken."""
        if self.validate is None:
            return 0
        checks = self.validate.fingerprint()
        kept = replayed.read(self.path, self._verified, self._journal_id, checks)
        if (
            kept is None
            or not len(first) <= kept.offset <= len(data)
            or not (kept.unterminated or data[kept.offset - 1 : kept.offset] == b"\n")
            or zlib.crc32(memoryview(data)[: kept.offset]) != kept.crc
        ):
            return 0
        for table, records in kept.small.items():
            for doc_id, doc in records.items():
                if table == GROUPED or self.validate.record(table, doc_id, doc):
                    return 0  # the journal's lines say what is wrong
        tables = self._small_tables_as_is()
        for table, records in kept.small.items():
            tables[table] = dict(records)
        self._small_puts = kept.small
        self._kept_ratings = kept.ratings
        self._deleted = set(kept.deleted)
        self._last_touch, self._unknown_touch = kept.touched, kept.unknown_touch
        self._journal_offset, self._journal_lines = kept.offset, kept.lines
        self._journal_crc, self._unterminated = kept.crc, kept.unterminated
        self._journal_tail = data[max(0, kept.offset - 64) : kept.offset]
        return kept.offset

    def _keep_replayed(self) -> None:
        """Keep the journal as replayed, for the next open (``replayed.py``); never by a
        read-only store, and a failure only makes the next open slower."""
        if (
            self.read_only
            or self.validate is None  # its lines' links went unchecked
            or self._verified is None
            or self._journal_id is None
            or self._journal_crc is None
        ):
            return
        ratings = self._loaded_as_is().get(GROUPED, {})
        kept = replayed.Replayed(
            self._journal_offset,
            self._journal_crc,
            self._journal_lines,
            self._unterminated,
            self._last_touch,
            self._unknown_touch,
            sorted(self._deleted),
            self._small_puts,
            b"",
        )
        checks = self.validate.fingerprint()
        try:
            replayed.write(self.path, self._verified, self._journal_id, checks, kept, ratings)
        except (OSError, TypeError, ValueError):
            pass  # a file that cannot be written, or records orjson cannot (nested deep)

    def prepare_ratings(self) -> None:
        """Parse the journal's administrations kept aside at open (``_kept_ratings``) now:
        for a thread the app starts once its first frame is drawn, so that the first
        question about ratings finds them ready. Parsing holds no lock; checking them and
        putting them in place does."""
        with self._guard:
            data = self._kept_ratings
        if data is None:
            return
        with collector_paused():
            parsed = _parsed(data)
        with self._guard:
            if self._kept_ratings is data and self._tables is not None:
                self._take_kept_ratings(self._tables, parsed)

    def _take_kept_ratings(self, tables: Tables, parsed: Any = None) -> None:
        """The journal's administrations as kept replayed, parsed (unless ``parsed`` is
        given) and checked now, under those the lines replayed since put in ``tables``. A
        record the checks refuse (the instruments changed since) makes the journal
        unreadable, as its line would; the kept file is then deleted, so the next open
        replays the journal and names that line."""
        data, self._kept_ratings = self._kept_ratings, None
        assert data is not None and self.validate is not None, "taken only with checks"
        with collector_paused():
            ratings = _parsed(data) if parsed is None else parsed
            if type(ratings) is not dict:
                wrong: tuple[str, str] | None = ("", "not a table of records")
            else:
                wrong = self.validate.many(GROUPED, ratings)
        if wrong is not None:
            if not self.read_only:
                replayed.forget(self.path)
            self._tables = None
            raise self._unreadable(self.journal_path, f"{GROUPED} record {wrong[0]}: {wrong[1]}")
        ratings.update(tables.get(GROUPED, {}))
        tables[GROUPED] = ratings

    def _obsolete(
        self,
        jst: os.stat_result | None,
        has_snapshot: bool,
        generation: str | None,
        supersedes: str | None,
        identity: str | None,
        extends: str | None,
    ) -> bool:
        """Whether the journal is one the snapshot made obsolete (a compaction or restore
        ended before replacing it); raises when the two do not fit: damage, or a race with
        another process's compaction (``_Race``: look again)."""
        if jst is None:
            if generation is None:
                return False  # a new database, or a snapshot of the older layout alone
            if os.path.lexists(self.journal_path):
                raise _Race("its journal appeared while it was read: a restore began")
            raise self._unreadable(
                self.path,
                f"its journal {self.journal_path.name} is missing, yet the snapshot says one "
                "extends it: the saves in it may have been lost",
            )
        if jst.st_size == 0:
            if not has_snapshot:
                raise self._unreadable(
                    self.journal_path,
                    f"the journal is empty and there is no snapshot {self.path.name}: the "
                    "data it held may have been deleted",
                )
            if generation is not None:
                raise self._unreadable(
                    self.journal_path,
                    "the journal is empty, yet it should name the snapshot it extends: saves "
                    "may have been lost",
                )
            return False
        if supersedes is not None and supersedes == identity:
            return True
        if extends != generation:
            if not has_snapshot:
                raise self._unreadable(
                    self.journal_path,
                    f"the snapshot it extends, {self.path.name}, is missing: the data it held "
                    "may have been deleted",
                )
            raise _Race(
                f"it extends snapshot {extends}, but {self.path.name} is {generation}: the "
                "snapshot may have been replaced by another copy"
            )
        return False

    def _forget(self, tables: Tables, partial: tuple | None) -> None:
        """Start over from ``tables`` just read: nothing noted from the files read before
        is kept, and callers take everything as changed."""
        self.generation += 1
        self._changes = None
        self._tables = tables
        self._partial = partial is not None
        self._index, self._grouped_count = partial[5:7] if partial else (_Index(), 0)
        self._small = partial[7] if partial else None
        self._deleted, self._client_cache, self._journal_groups = set(), {}, None
        self._kept_ratings, self._small_puts = None, {}
        self._last_touch, self._unknown_touch, self._line_codes = {}, 0, set()
        self._journal_offset, self._journal_lines = 0, 0
        self._unmark()
        self._journal_tail, self._unterminated = b"", False

    def _keep_stamp(self) -> None:
        """Note beside the data that this snapshot was read and checked whole, unless it is
        noted already (a later open may then read only the parts it needs)."""
        kept = read_head(self.path)
        if kept is not None and kept.snapshot == self._verified:
            return
        try:
            write_all(self.path, Head(self._verified, self._journal_id, None), {})
        except OSError:
            pass  # only the next open is slower

    def _open_snapshot(self) -> BinaryIO | None:
        """The snapshot opened to read (never through a link), or None when there is none."""
        try:
            fd = open_kept(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._unreadable(self.path, _words(exc)) from None
        return os.fdopen(fd, "rb")

    def _read_partial(self) -> tuple | None:
        """(tables, signature, size, generation, supersedes, index, administrations) of a
        snapshot with an index, reading only its header, its small tables and its index;
        None when there is no snapshot or it has no index (an older layout: read whole)."""
        snapshot = self._open_snapshot()
        if snapshot is None:
            return None
        with snapshot:
            st = os.fstat(snapshot.fileno())
            header = snapshot.readline(1 << 16)
            try:
                head = orjson.loads(header)
            except orjson.JSONDecodeError:
                return None  # the whole read says what is wrong
            if not (
                header.endswith(b"\n")
                and type(head) is dict
                and type(head.get("fittui")) is dict
                and head["fittui"].get("schema") == FILE_SCHEMA
                and type(head.get(GROUPED)) is int
                and type(head.get("records")) is int
            ):
                return None
            generation, supersedes = head.get("generation"), head.get("supersedes")
            if not (
                type(generation) in (str, type(None)) and type(supersedes) in (str, type(None))
            ):
                return None
            kept = read_head(self.path)
            if kept is None or kept.snapshot != [generation, *_sig(st)]:
                return None  # not known to be checked whole: read it whole
            index, trailer = self._trailer(snapshot, st.st_size)
            small = trailer.get("small")
            if not (
                type(small) is list
                and len(small) == 2
                and small[0] == len(header)
                and trailer.get("records") == head["records"]
            ):
                raise self._unreadable(self.path, "cut short or damaged (its index is wrong)")
            snapshot.seek(small[0])
            section = snapshot.read(small[1])
        sig = _sig(st)
        return {}, sig, st.st_size, generation, supersedes, index, head[GROUPED], section

    def _parse_small(self) -> None:
        """Read the small tables (clients, episode events, forms) from the snapshot's bytes
        kept at open, under what the journal changed since: the first question that needs
        them pays for them, and a save of one rating, which asks only whether its client
        exists (``_client_known``), never does. This very file was checked whole (the
        stamp): its records are not checked again."""
        section, self._small = self._small, None
        if section is None or self._tables is None:
            return
        snapshot: Tables = {}
        for number, line in enumerate(section.splitlines(keepends=True), start=2):
            row = self._parse_line(line, number)
            if not (type(row) is list and len(row) == 2 and type(row[1]) is dict):
                raise self._unreadable(self.path, f"line {number}: unexpected shape")
            snapshot.setdefault(row[0], {}).update(row[1])
        tables = self._small_tables_as_is()
        for name, records in snapshot.items():
            if name in tables:  # the journal's puts (it deletes none while they wait)
                records.update(tables[name])
            tables[name] = records

    def _trailer(self, snapshot: BinaryIO, size: int) -> tuple[_Index, dict[str, Any]]:
        """The snapshot's last line: its index of each client's lines (left as bytes, see
        ``_Index``) and the rest of it (where the small tables are, the record count)."""
        chunk = 1 << 16
        while True:
            start = max(0, size - chunk)
            snapshot.seek(start)
            tail = snapshot.read(size - start)
            cut = tail.rfind(b"\n", 0, len(tail) - 1)
            if cut >= 0 or start == 0:
                break
            chunk *= 4
        if not tail.endswith(b"\n"):
            raise self._unreadable(self.path, "cut short (the last line is incomplete)")
        line = tail[cut + 1 : -1]
        end = line.rfind(b'},"small":')
        trailer = None
        if line.startswith(b'{"index":{') and end > 0:
            try:
                trailer = orjson.loads(b"{" + line[end + 2 :])
            except orjson.JSONDecodeError:
                pass
        if type(trailer) is not dict:
            raise self._unreadable(self.path, "cut short or damaged (its index is missing)")
        return _Index(line[len(b'{"index":') : end + 1]), trailer

    def _read_snapshot(self) -> tuple | None:
        """(tables, signature, size, generation, supersedes) of the snapshot, or None."""
        snapshot = self._open_snapshot()
        if snapshot is None:
            return None
        with snapshot:
            st = os.fstat(snapshot.fileno())  # of the file read, even if replaced meanwhile
            try:
                tables, generation, supersedes, self._schema_read = self._parse_snapshot(snapshot)
            except OSError as exc:
                raise self._unreadable(self.path, _words(exc)) from None
        return tables, _sig(st), st.st_size, generation, supersedes

    def _parse_snapshot(self, snapshot: BinaryIO) -> tuple[Tables, str | None, str | None, int]:
        """The whole snapshot, every record checked: (tables, generation, supersedes,
        schema). ``snapshot_read.py`` is loaded only here, where a file is read whole."""
        from fittui.storage.snapshot_read import parse_snapshot

        return parse_snapshot(self, snapshot)

    def _parse_line(self, line: bytes, number: int) -> Any:
        if not line.endswith(b"\n"):
            raise self._unreadable(self.path, f"cut short (line {number} is incomplete)")
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise self._unreadable(self.path, f"line {number}: not valid JSON ({exc})") from None

    def _replay(self, chunk: bytes) -> None:
        """Apply the journal's new bytes: every complete line, and a last line without its
        newline when it parses (a whole transaction that lost its newline); a last line
        that does not parse was cut short by a crash, was never reported saved, and waits."""
        start = self._journal_offset
        raw = chunk
        if self._unterminated and chunk[:1] == b"\n":
            chunk, start = chunk[1:], start + 1  # the newline a later save put after it
            self._unterminated = False
        end = chunk.rfind(b"\n") + 1
        lines = chunk[:end].split(b"\n")[:-1] if end else []
        rest = chunk[end:]
        unterminated = False
        if rest.strip():
            try:
                orjson.loads(rest)
                lines.append(rest)
                unterminated = True
            except orjson.JSONDecodeError:
                pass  # torn by a crash
        used = end + (len(rest) if unterminated else 0)
        if not used:
            return
        self._apply_lines(lines, start)
        consumed = raw[: start + used - self._journal_offset]
        if self._journal_crc is not None:
            self._journal_crc = zlib.crc32(consumed, self._journal_crc)
        self._journal_offset = start + used
        self._journal_tail = (self._journal_tail + consumed)[-64:]
        self._unterminated = unterminated
        self.generation += 1

    def _apply_lines(self, lines: list[bytes], at: int) -> None:
        """Apply journal lines starting at byte ``at``, each checked as a save checks it:
        the shape of the line and of every operation, every record put, and the links
        between records once the line's operations are all applied (one transaction)."""
        tables = self._small_tables_as_is()
        record = self.validate.record if self.validate else _only_records
        links = self.validate.links if self.validate else None
        number = self._journal_lines
        for line in lines:
            number += 1
            self._journal_lines, line_at, at = number, at, at + len(line) + 1
            if not line.strip():
                continue
            try:
                transaction = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise self._damaged(line_at, f"not valid JSON ({exc})") from None
            ops = transaction.get("ops") if type(transaction) is dict else None
            if type(ops) is not list:
                raise self._damaged(line_at, "not a transaction (no list of ops)")
            changed = []
            for op in ops:
                if not (
                    type(op) is list
                    and len(op) in (3, 4)
                    and (op[0], len(op)) in (("put", 4), ("del", 3))
                    and type(op[1]) is str
                    and type(op[2]) is str
                ):
                    raise self._damaged(line_at, f"unknown operation {_shown(op)}")
                if len(op) == 4 and (problem := record(op[1], op[2], op[3])):
                    raise self._damaged(line_at, f"{op[1]} record {op[2]}: {problem}")
                self._apply_op(tables, op)
                changed.append((op[1], op[2]))
            if changed and links and (problem := links(self._linked(tables), changed)):
                raise self._damaged(line_at, problem)
            self._touched(at)

    def _apply_op(self, tables: Tables, op: list) -> None:
        """Apply one checked put or delete to the tables read (a partial read has the small
        tables read first when it changes one of them)."""
        table, doc_id = op[1], op[2]
        if table != GROUPED and self._small is not None:
            self._parse_small()
        if table == GROUPED and len(op) == 3 and self._kept_ratings is not None:
            self._take_kept_ratings(tables)  # whose rating it was (rare: taken at once)
        before = tables.get(table, {}).get(doc_id)
        self._note_change(table, before, doc_id)
        if len(op) == 4:
            self._note_change(table, op[3], doc_id)
            if table != GROUPED:
                self._small_puts.setdefault(table, {})[doc_id] = op[3]
            if table in tables:
                tables[table][doc_id] = op[3]
            else:
                tables[table] = {doc_id: op[3]}
            if self._partial and table == GROUPED:
                self._deleted.discard(doc_id)
            return
        if self._partial and table != GROUPED:
            raise _NeedsWhole  # is a client gone who still has ratings?
        if self._partial:
            # The snapshot may hold it, though the journal changed it since (a void): it is
            # left out of the client's snapshot lines from now on.
            self._deleted.add(doc_id)
            if before is None:
                self._changes = self._line_codes = None  # whose: in the snapshot
        if table in tables:
            tables[table].pop(doc_id, None)

    def _linked(self, tables: Tables) -> Mapping[str, Mapping[str, Any]]:
        """The tables as the checks of links between records see them: before the small
        tables are read, their clients are looked up one by one (``_client_known``)."""
        if self._small is None:
            return tables
        return {**tables, "clients": _KnownClients(self)}

    def client_records(self, code: str) -> dict[str, dict[str, Any]]:
        """One client's administrations in entry order, voided ones too, reading no other
        client's: from the snapshot, the client's own lines (through its index), then what
        the journal changed or added."""
        with self._guard:
            for attempt in range(RACE_RETRIES):
                self._refresh(full=False)
                try:
                    return self._client_records(code)
                except _Race:  # replaced by a compaction elsewhere since the look
                    time.sleep(0.002 * (attempt + 1))
            raise self._unreadable(self.path, "it keeps being replaced while fittui reads it")

    def _client_records(self, code: str) -> dict[str, dict[str, Any]]:
        journal = self._loaded_as_is().get(GROUPED, {})
        groups, order = self._journal_grouped()
        if not self._partial:  # everything is read: the client's, in entry order
            return {doc_id: journal[doc_id] for doc_id in groups.get(code, ())}
        placed: list[tuple[int, str, dict[str, Any]]] = []
        for place, doc_id, doc in self._snapshot_records(code):
            if doc_id in self._deleted:
                continue
            if doc_id in journal:
                doc = journal[doc_id]
                if doc["client"] != code:
                    continue  # moved to another client since the snapshot
            placed.append((place, doc_id, doc))
        seen = {doc_id for _, doc_id, _ in placed}
        for doc_id in groups.get(code, ()):
            if doc_id not in seen:
                doc = journal[doc_id]
                placed.append((self._place_of(doc_id, doc, order), doc_id, doc))
        placed.sort(key=_first)
        return {doc_id: doc for _, doc_id, doc in placed}

    def _journal_grouped(self) -> tuple[dict[str, list[str]], dict[str, int]]:
        """The administrations the journal holds, by client, and each one's place among
        them (kept until the data changes)."""
        if self._journal_groups is None or self._journal_groups[0] != self.generation:
            groups: dict[str, list[str]] = {}
            order: dict[str, int] = {}
            for n, (doc_id, doc) in enumerate(self._loaded_as_is().get(GROUPED, {}).items()):
                groups.setdefault(doc["client"], []).append(doc_id)
                order[doc_id] = n
            self._journal_groups = (self.generation, groups, order)
        return self._journal_groups[1], self._journal_groups[2]

    def _place_of(self, doc_id: str, doc: dict[str, Any], order: dict[str, int]) -> int:
        """The place in entry order of a rating the journal put under a client whose
        snapshot lines do not hold it: the place it had under the client it was moved from,
        or, for a rating new since the snapshot, after every rating in it."""
        for c in doc.get("corrections", ()):
            if c["what"] == "client":
                for place, other, _ in self._snapshot_records(c["old"]):
                    if other == doc_id:
                        return place
        return self._grouped_count + order[doc_id]

    def _snapshot_records(self, code: str) -> list[tuple[int, str, dict[str, Any]]]:
        """(place, id, record) of a client's administrations in the snapshot, checked as
        every record read is; kept while the snapshot stays the same file."""
        cached = self._client_cache.get(code)
        if cached is not None:
            return cached
        found: list[tuple[int, str, dict[str, Any]]] = []
        try:
            ranges = self._index.get(code)
        except ValueError as exc:
            raise self._unreadable(self.path, f"cut short or damaged ({exc})") from None
        if ranges:
            try:
                fd = open_kept(self.path, os.O_RDONLY)
            except OSError as exc:
                raise self._unreadable(self.path, _words(exc)) from None
            try:
                st = os.fstat(fd)
                if _sig(st) != self._snapshot_sig:
                    raise _Race("the snapshot was replaced since the last look")
                for offset, length in ranges:
                    found += self._client_line(code, os.pread(fd, length, offset), offset)
            finally:
                os.close(fd)
        if len(self._client_cache) >= CLIENTS_CACHED:
            self._client_cache.pop(next(iter(self._client_cache)))
        self._client_cache[code] = found
        return found

    def _client_line(
        self, code: str, line: bytes, offset: int
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """The records of one of a client's snapshot lines, checked."""
        where = f"the line at byte {offset}"
        if not line.endswith(b"\n"):
            raise self._unreadable(self.path, f"cut short ({where} is incomplete)")
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise self._unreadable(self.path, f"{where}: not valid JSON ({exc})") from None
        if not (
            type(row) is list
            and len(row) == 3
            and row[0] == GROUPED
            and type(row[1]) is dict
            and type(row[2]) is list
            and len(row[2]) == len(row[1])
            and all(type(p) is int for p in row[2])
        ):
            raise self._unreadable(self.path, f"{where}: unexpected shape (not {code}'s ratings)")
        records: dict[str, Any] = row[1]
        if self.validate and (wrong := self.validate.many(GROUPED, records)):
            raise self._unreadable(self.path, f"{where}: {GROUPED} record {wrong[0]}: {wrong[1]}")
        if not self.validate and any(type(d) is not dict for d in records.values()):
            raise self._unreadable(self.path, f"{where}: a record is not a record")
        if any(d["client"] != code for d in records.values()):
            raise self._unreadable(self.path, f"{where}: it holds ratings of another client")
        if not self._client_known(code):
            raise self._unreadable(
                self.path, f"{where}: client {code!r} of its ratings is not in the database"
            )
        return list(zip(row[2], records, records.values()))

    def _note_change(self, table: str, doc: Any, doc_id: str | None = None) -> None:
        """Remember which client a record put or deleted belongs to (``take_changes``)."""
        if type(doc) is not dict:
            return
        codes: set[str] = set()
        if table == "clients":
            codes.add(doc_id if doc_id is not None else doc.get("code", ""))
        elif type(doc.get("client")) is str:
            codes.add(doc["client"])
            corrections = doc.get("corrections")
            for c in corrections if type(corrections) is list else ():
                if type(c) is dict and c.get("what") == "client" and type(c.get("old")) is str:
                    codes.add(c["old"])  # a rating moved: its old client changed too
        if self._changes is not None:
            self._changes |= codes
        if self._line_codes is not None:
            self._line_codes |= codes

    def _touched(self, end: int) -> None:
        """The journal line ending at byte ``end`` changed the clients noted since the last
        call (``_note_change``)."""
        if self._line_codes is None:
            self._unknown_touch = end
        else:
            for code in self._line_codes:
                self._last_touch[code] = end
        self._line_codes = set()

    def last_touched(self, codes: Iterable[str]) -> int:
        """The journal length after the last line that changed any of these clients'
        records (0 when none did since the journal began): a row derived at a length at
        least this is still true."""
        touch, found = self._last_touch, self._unknown_touch
        for code in codes:
            at = touch.get(code, 0)
            if at > found:
                found = at
        return found

    def derived_from(self) -> tuple[list | None, str | None, int]:
        """(stamp of the snapshot read and checked, journal id, journal length): what rows
        kept beside the data are derived from now."""
        with self._guard:
            return self._verified, self._journal_id, self._journal_offset

    def checked_journal(self) -> tuple[str, tuple[int, int, int, int]] | None:
        """(journal id, its stamp as this store marked it, ``_mark``, after its last append
        or when it started it) of the journal this store read and checked whole, then wrote
        (``append.keep_checked``); None when it has no id, its bytes were not all read, or
        its stamp was not marked after its last write."""
        with self._guard:
            mark = self._journal_mark or self._started_mark
            if (
                self._journal_id is None
                or self._journal_crc is None
                or self._journal_obsolete
                or mark is None
                or mark[:2] != (self._journal_ino, self._journal_offset)
            ):
                return None
            return self._journal_id, mark

    def take_changes(self) -> set[str] | None:
        """The codes of the clients whose records changed since the last call, or None when
        everything must be taken as changed (the database was read afresh)."""
        changes, self._changes = self._changes, set()
        return changes

    def _damaged(self, at: int, problem: str) -> UnreadableDatabase:
        where = f"line {self._journal_lines} (byte {at})"
        return self._unreadable(self.journal_path, f"{where}: {problem}")

    # -- writing -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the write lock, see the latest data, and save everything done inside at once.

        All puts and deletes recorded inside go to disk as one journal line when the
        outermost transaction ends: all of them are saved, or none. The tables are asked
        for inside by name (``table``, ``table_for_update``, ``has_client``), so a save reads
        only what it needs.
        """
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only; nothing was saved")
        with self._guard:  # under it: a look on another thread may stop this store meanwhile
            if self._stopped is not None:
                raise self._stopped_error()
            outer = self._depth == 0
            if outer:
                self._acquire()
            try:
                if outer:
                    self._refresh(full=False)
                    self._sweep()
                    if self._snapshot_schema != FILE_SCHEMA:
                        self._upgrade()
                    self._pending = []
                self._depth += 1
                try:
                    yield
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
                    self._write_lock().release()
                    self._hand_backup()
                    self._hand_fold()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the write lock without a transaction: for replacing the whole database
        (``fittui restore``, through :meth:`install`). Whatever was read before is
        forgotten afterwards."""
        if self.read_only:
            raise ReadOnly(f"{self.path} is open read-only; nothing was changed")
        with self._guard:
            self._acquire()
            try:
                self._sweep()
                yield
            finally:
                self._tables = None
                self._write_lock().release()

    def _upgrade(self) -> None:
        """Rewrite a database an older fittui wrote in this layout, its old files kept in
        backups/ first (``upgrade.py``: loaded only for such a database)."""
        from fittui.storage.upgrade import upgrade

        upgrade(self)

    def _write_lock(self) -> WriteLock:
        """The lock every writer holds; a read-only store has none, and never writes."""
        assert self._lock is not None, "a read-only store never takes the write lock"
        return self._lock

    def _lock_folder(self) -> None:
        """Before the lock file is opened (it is then kept open between saves): its folder
        made, and a link or anything but a file in its place refused, in words."""
        make_private_dir(self.path.parent)
        check_kept(self.lock_path)

    def _acquire(self) -> None:
        try:
            self._write_lock().acquire()
        except LockTimeout:
            raise SaveFailed(f"{self.path} is busy: another fittui is saving; try again") from None
        except OSError as exc:
            raise SaveFailed(f"cannot lock {self.path}: {_words(exc)}") from None

    def _sweep(self) -> None:
        """Remove temporary files a killed process left (once per store, under the lock:
        every writer of the data folder's temporary files holds it)."""
        if self._swept:
            return
        self._swept = True
        # A pattern is compiled only for a name that may match (usually there is none).
        kept = r"(\.journal|\.summaries|\.replayed)?"
        mine = rf"\.{re.escape(self.path.name)}{kept}\.[0-9a-f]{{8}}\.tmp"
        backup = rf"\.{re.escape(self.path.stem)}-[\w.-]+\.json\.[0-9a-f]{{8}}\.tmp"
        old = time.time() - STALE_SECONDS
        for folder, pattern, before in (
            (self.path.parent, mine, None),
            (backups_dir(self.path), backup, old),
        ):
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        name = entry.name
                        if not (name.startswith(".") and name.endswith(".tmp")):
                            continue
                        if re.fullmatch(pattern, name) and entry.is_file(follow_symlinks=False):
                            if (
                                before is None
                                or entry.stat(follow_symlinks=False).st_mtime < before
                            ):
                                os.unlink(entry.path)
            except OSError:
                pass  # tidying up never stops a save

    def lock_is_busy(self) -> bool:
        """Whether another process holds the write lock now, so that a save would wait.

        The rating screen asks, to show the client a calm "saving" while it waits.
        """
        if self._lock is None or self._lock.is_locked:
            return False
        try:
            self._lock.acquire(timeout=0)
        except LockTimeout:
            return True
        except OSError:
            return False  # the save itself will say what is wrong
        self._lock.release()
        return False

    def record(self, op: list[Any]) -> None:
        """Note one put or delete inside the current transaction (already applied in memory)."""
        assert self._pending is not None, "a put or delete is recorded inside a transaction"
        self._pending.append(op)

    def _commit(self, ops: list[list]) -> None:
        target = self._backup_due_now()
        self._line_codes = set()
        for op in ops:
            if len(op) == 4:
                self._note_change(op[1], op[3], op[2])
            elif op[1] == "clients":
                self._note_change(op[1], {}, op[2])
            else:  # whose record it was is gone with it: take every client as changed
                self._changes = self._line_codes = None
                if op[1] == GROUPED and self._partial:
                    self._deleted.add(op[2])  # the snapshot's, perhaps: left out from now on
        line = orjson.dumps({"ops": ops}) + b"\n"
        try:
            if self._journal_ino is None or self._journal_obsolete:
                self._start_journal(line)
            else:
                self._append(line)
        except OSError as exc:
            raise SaveFailed(f"could not save to {self.journal_path}: {_words(exc)}") from None
        self.generation += 1
        self._touched(self._journal_offset)
        if self._outgrown() and not self.fold_apart:  # else by a process (``_hand_fold``)
            try:
                self._compact()
            except OSError:
                pass  # the journal holds everything; compaction is tried again next save
        self._backup_next = target

    def _backup_due_now(self) -> Path | None:
        """``_backup_due``, as a look found it at most ``BACKUP_LOOK_SECONDS`` ago (a running
        app looks twice a second), its folder checked again now (one ``lstat``: a link
        there still stops the save); else as found now."""
        looked, self._backup_looked = self._backup_looked, None
        if looked is not None and time.monotonic() - looked[0] <= BACKUP_LOOK_SECONDS:
            when, day, target, folder = looked
            today = date.today().isoformat()
            if day == today != self._backup_day and _is_folder(folder):
                return target
        return self._backup_due()

    def _outgrown(self) -> bool:
        """Whether the journal has outgrown its share of the snapshot: to be folded in."""
        share = self._snapshot_size // COMPACT_FRACTION
        return self._journal_offset > max(COMPACT_MIN_BYTES, share)

    def _hand_fold(self) -> None:
        """Once the lock is let go, start the process that folds the journal in, when the
        journal has outgrown its share (``fold_apart.Folds``: none while one started here
        is at work, or for a while after one failed; the journal holds everything)."""
        if not (self.fold_apart and self._outgrown()):
            return
        if self.folds is None:
            from fittui.storage.fold_apart import Folds

            self.folds = Folds(self.path)
        self.folds.start()

    def take_troubles(self) -> list[str]:
        """What failed in the work this store started beside its saves (the day's backup,
        a fold of the journal), each said once: for a running app, which has no standard
        error to print it on. The database itself is as it was."""
        troubles: list[str] = []
        # As a save's start of a fold is; never waited for: a save in a thread holds it
        # while it waits for another process's lock, and the app's loop must not.
        if not self._guard.acquire(blocking=False):
            return troubles  # the next look says it
        try:
            backup = self.daily_backup
            if backup is not None and backup.failed and backup is not self._backup_told:
                self._backup_told = backup
                troubles.append(backup.failed)
            if self.folds is not None and (trouble := self.folds.take_trouble()):
                troubles.append(trouble)
        finally:
            self._guard.release()
        return troubles

    def fold(self) -> bool:
        """Fold the journal into the snapshot if it has outgrown it, as a save would: the
        work of ``fold_apart.py``'s process. Everything is read first, without the lock
        (the long part, while saves go on); then, under the lock, the lines saved meanwhile,
        and the new snapshot is written. False when there was nothing to fold (another
        process folded it meanwhile). A fold killed after writing the snapshot, before its
        new journal, is finished: the new journal is written."""
        self.read()
        with self.transaction():
            if self._journal_obsolete:  # a fold killed between its two files: finished
                self._start_journal()
                replayed.forget(self.path)
            elif self._outgrown():
                self._compact()
            else:
                return False
        return True

    def _hand_backup(self) -> None:
        """Once the lock is let go, the day's backup the save just made due is handed to
        the thread that writes it: the last thing the save does, as the thread's waking
        competes with it for the interpreter."""
        target, self._backup_next = self._backup_next, None
        if target is not None:
            self._start_backup(target)

    def _append(self, line: bytes) -> None:
        """Append one transaction's line and fsync it, once the journal is known to hold
        exactly the bytes this store read and wrote: the look of this transaction found it
        as this store's last append left it (``_as_left``), or its stamp is the one that
        append marked (``_mark``), or else its bytes, read again, have the same CRC-32. The
        journal stays open for the next save while its stamp is as marked."""
        mark, fd = self._journal_mark, self._journal_fd
        self._journal_mark = self._journal_fd = None
        if fd is None or not self._left_as_is:
            if fd is not None:
                os.close(fd)
            fd = open_kept(self.journal_path, os.O_RDWR | os.O_APPEND)
            try:
                self._check_before_append(fd, mark)
            except BaseException:
                os.close(fd)
                raise
        data = b"\n" + line if self._unterminated else line
        try:
            try:
                _write_all(fd, data)
                mark = _mark(fd)  # before the fsync, which changes no time: one wait less
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, self._journal_offset)
                raise
            self._journal_mark = mark
        finally:
            if self._journal_mark is None:
                os.close(fd)
            else:
                self._journal_fd = fd
        self._journal_offset += len(data)
        if self._journal_crc is not None:
            self._journal_crc = zlib.crc32(data, self._journal_crc)
        self._journal_lines += 1
        self._journal_tail = (self._journal_tail + data)[-64:]
        self._unterminated = False

    def _check_before_append(self, fd: int, mark: tuple | None) -> None:
        """The journal just opened is the one this store read, its bytes unchanged (by its
        stamp as marked, else by their CRC-32); a line cut short by a crash is dropped."""
        st = os.fstat(fd)
        if st.st_ino != self._journal_ino:
            raise self._changed("it was replaced by another file")
        if (
            _sig(st) != mark
            and self._journal_crc is not None
            and self._journal_crc != zlib.crc32(os.pread(fd, self._journal_offset, 0))
        ):
            raise self._changed(f"bytes before {self._journal_offset} were rewritten")
        if st.st_size > self._journal_offset:  # a line cut short by a crash: drop it
            os.ftruncate(fd, self._journal_offset)

    def _unmark(self) -> None:
        """Forget the journal's marked stamp (it is another file now, or read afresh), and
        close it if it was kept open."""
        fd, self._journal_fd = self._journal_fd, None
        self._journal_mark, self._left_as_is, self._started_mark = None, False, None
        if fd is not None:
            os.close(fd)

    def _start_journal(self, first: bytes = b"") -> None:
        """Write a new journal extending the current snapshot, with its first transaction."""
        journal_id = new_id()
        head = journal_head(journal_id, self._generation)
        write_file_atomically(self.journal_path, head + first)
        st = os.lstat(self.journal_path)
        self._journal_ino, self._journal_crc = st.st_ino, zlib.crc32(head + first)
        self._journal_id, self._journal_head = journal_id, head
        self._journal_offset = len(head) + len(first)
        self._journal_lines = 2 if first else 1
        self._journal_tail = (head + first)[-64:]
        self._unterminated = self._journal_obsolete = False
        self._last_touch, self._unknown_touch = {}, 0
        self._unmark()
        # Its stamp marked (``_mark``), for ``checked_journal``: this store wrote it whole.
        try:
            fd = os.open(self.journal_path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return
        try:
            mark = _mark(fd)
        finally:
            os.close(fd)
        if mark is not None and mark[:2] == (st.st_ino, self._journal_offset):
            self._started_mark = mark

    def _journal_identity(self) -> str | None:
        """What a snapshot names to make the journal now on disk obsolete: its id, or its
        inode for a journal from before journals had ids. None when there is none."""
        try:
            fd = open_kept(self.journal_path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as journal:
            journal_id, _ = _head_of(journal.readline())
            return journal_id or f"inode:{os.fstat(journal.fileno()).st_ino}"

    def install(self, tables: Tables, folded: Folded | None = None) -> None:
        """Make ``tables`` the whole database, atomically, with the write lock held.

        The new snapshot names the journal it makes obsolete, then a new journal extending
        it replaces that one: a crash between the two leaves a snapshot whose obsolete
        journal every reader ignores, and a reader that opened the old journal just before
        sees it is obsolete. Either the old database or the new, never a mix.

        ``folded`` says, for a compaction, which journal the new snapshot folds in: what is
        kept beside the data and still true is carried over to the new journal (``carry``).
        """
        if tables is not self._tables:
            self._changes = None  # a restore: every client may have changed
        from fittui.storage.snapshot_file import snapshot_lines

        generation, replaced = new_id(), self._journal_identity()
        if replaced is None:
            # No journal yet (a new database, or an older layout's snapshot alone): one is
            # written first, so that no moment leaves a snapshot of a generation without
            # a journal beside it, which every open takes for a journal deleted.
            self._start_journal()
            replaced = self._journal_id
        write_file_atomically(self.path, snapshot_lines(tables, generation, replaced, indexed=True))
        st = os.lstat(self.path)
        self._tables, self._generation = tables, generation
        self._snapshot_sig = _sig(st)
        self._snapshot_size = st.st_size
        self._journal_obsolete = True
        self._partial, self._index, self._grouped_count = False, _Index(), 0
        self._small = None
        self._deleted, self._client_cache, self._journal_groups = set(), {}, None
        self._kept_ratings, self._small_puts = None, {}
        self._snapshot_schema = FILE_SCHEMA
        self._start_journal()
        replayed.forget(self.path)
        self.generation += 1
        self._verified = [generation, *self._snapshot_sig]
        try:
            if self.carry is not None and folded is not None:
                self.carry(folded)
            elif folded is not None:
                from fittui.storage.carry import carry_rows

                carry_rows(self, folded)
            else:
                write_all(self.path, Head(self._verified, self._journal_id, None), {})
        except OSError:
            pass  # the next open reads the new snapshot whole, and notes it then

    def write(self, data: Tables) -> None:
        """TinyDB's whole-database write: a new snapshot, under the lock."""
        with self.transaction():
            try:
                self.install(data)
            except OSError as exc:
                raise SaveFailed(f"could not save to {self.path}: {_words(exc)}") from None

    def _compact(self) -> None:
        self._whole()
        folded = Folded(
            self._journal_id, self._journal_offset, dict(self._last_touch), self._unknown_touch
        )
        self.install(self._loaded(), folded)

    def _whole(self) -> None:
        """Read the whole database when only part of it is read (under the lock, after a
        save: the journal on disk holds it), keeping what callers have yet to be told."""
        if self._partial:
            changes = self._changes
            self._tables = None
            self._refresh(full=True)
            self._changes = changes

    def _backup_due(self) -> Path | None:
        """Where today's daily backup goes when this save is the day's first, else None.

        Its folder is made (0700) and checked now, before the save, so that a link or a
        file where ``backups/`` should be stops the save with an error, as it always has.
        """
        if self._snapshot_sig is None and self._journal_ino is None:
            return None  # a new database: nothing to keep yet
        today = date.today().isoformat()
        if self._backup_day == today:
            return None
        folder = backups_dir(self.path)
        target = folder / f"{self.path.stem}-{today}.json"
        try:
            if not _is_folder(folder):
                private_folder(folder)  # made, or refused in words
            if os.path.lexists(target):
                self._backup_day = today
                return None
        except OSError as exc:
            # Checked before the journal line is written: the save stops here, unsaved.
            raise SaveFailed(
                f"could not write the daily backup {target}: {_words(exc)}; nothing was saved"
            ) from None
        return target

    def _start_backup(self, target: Path) -> None:
        """After the day's first save, copy the database into backups/ in a thread of its
        own (``daily.py``: the save does not wait for it).

        The 14 newest daily backups dated up to today are kept; a backup dated after today
        (written while the clock was wrong, or the clock is wrong now) is never deleted
        here, and ``privacy_warnings`` says so.
        """
        self._backup_day = target.name[-15:-5]
        validate, path = self.validate, self.path
        if self._snapshot_size >= daily.APART_BYTES:
            # Copied by a process of its own, reading as any reader does (``daily.py``).
            self.daily_backup = daily.DailyBackup(target, path, self.seal_backup, self._prune)
            return
        from fittui.storage.snapshot_file import snapshot_lines

        # A store holding everything hands the copy its tables as they are now (records are
        # replaced, never changed in place: ``_Recorder``); one holding part of the
        # database lets the copy read it, as any reader does.
        held = None if self._partial else {n: dict(t) for n, t in self._loaded().items()}

        def read() -> Iterator[bytes]:
            if held is not None:
                return snapshot_lines(held)
            reader = JournalStorage(path, read_only=True, validate=validate)
            return snapshot_lines(reader.read())

        self.daily_backup = daily.DailyBackup(target, read, self.seal_backup, self._prune)

    def _prune(self, target: Path) -> None:
        today = target.name[-15:-5]
        past = [b for b in backups(self.path) if b.name[-15:-5] <= today and b != target]
        for old in past[: max(0, len(past) - (BACKUPS_KEPT - 1))]:
            try:
                os.unlink(old)
            except OSError:
                pass

    def wait_for_backup(self) -> str | None:
        """Wait for the daily backup this store started, if any; why it failed, or None."""
        if self.daily_backup is not None:
            self.daily_backup.wait()
            self.backup_failed = self.backup_failed or self.daily_backup.failed
        return self.backup_failed

    def close(self) -> None:
        """Forget what was read, once the daily backup being written is finished, and
        close the lock file kept open between saves."""
        self.wait_for_backup()
        with self._guard:
            self._tables = None
            self._unmark()
            if self._lock is not None and not self._lock.is_locked:
                self._lock.close()


def __getattr__(name: str) -> Any:
    """The snapshot writer's functions, still found here by the callers that import them
    from the journal, loaded only when asked for (a save never writes a snapshot)."""
    if name in ("snapshot_lines", "dump_snapshot"):
        from fittui.storage import snapshot_file

        return getattr(snapshot_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
