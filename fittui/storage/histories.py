"""Each client's ``fittui history CODE --json`` as last printed, kept beside the database.

Why: the history's figures, flags and patterns take the whole scoring to work out, and a
fresh interpreter pays for compiling and importing it before the first rating is scored.
Asked again about a client whose data has not changed, the answer is the same, so it is
kept (``fittui.json.histories/``, one small file per client) and printed as kept.

A kept history is never believed over the ratings. It is stamped with exactly what it was
worked out from: the client's record and every rating of theirs as stored (voided ones
too), their episode events, the ratings of the clients linked with them, the day, and the
files that shape the answer besides the data (the user's settings, expected-path model and
instruments in the config folder; fittui's own rules and code, by their file stamps; the
versions of Python and of the JSON encoder). It is printed only when that stamp, made
afresh from the database now, is the same byte for byte; otherwise it is worked out again
and kept anew. The stamp holds the data itself, in the order it is stored, not a digest of
it, so no two states can share one.

Each file is ``fittui-history 1 <stamp length> <answer length> <CRC-32>`` on a line, then
the stamp, then the answer: a file cut short or damaged does not check out and is taken
as absent. Files are written whole (a temporary file renamed over the old one) without an
fsync, since a lost one is worked out again; they are readable by you only (0600, in a
0700 folder) like every file fittui keeps, and never written by ``--read-only``.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from fittui.storage.locations import config_dir, make_private_dir
from fittui.storage.records import CLIENTS, EPISODE_EVENTS

if TYPE_CHECKING:
    from fittui.storage.store import Store

VERSION = 1
MAGIC = b"fittui-history"
_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_PACKAGE = Path(__file__).resolve().parent.parent
# fittui's own files that shape a history besides the data: every rule of the domain (the
# scoring, the patterns, the instruments, the expected path), how records become ratings,
# and how the command prints. Any change to one (an upgrade, an edit) changes the stamp.
_RULE_FOLDERS = ("domain", "domain/instruments")
_CODE_FILES = (
    "__init__.py",
    "storage/store.py",
    "storage/records.py",
    "storage/histories.py",
    "cli/history.py",
    "cli/history_text.py",
    "cli/output.py",
)


def folder(db: Path) -> Path:
    """Where the kept histories of the database ``db`` live."""
    return db.with_name(db.name + ".histories")


def _file(db: Path, code: str) -> Path:
    # The code's bytes in hex: a safe file name, distinct for codes that differ in case only.
    return folder(db) / code.encode().hex()


def _file_stamp(path: Path) -> list[int] | None:
    """What changes whenever a file is written: its inode, size and times (None if absent)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _folder_stamp(
    path: Path, endings: tuple[str, ...] = ("",)
) -> list[tuple[str, list[int] | None]]:
    """Each entry of a folder whose name ends with one of ``endings``, by name, with its
    file stamp (None for a folder; an empty list when the folder is absent)."""
    try:
        with os.scandir(path) as entries:
            found = [
                (entry.name, _file_stamp(Path(entry.path)) if entry.is_file() else None)
                for entry in entries
                if entry.name.endswith(endings)
            ]
    except OSError:
        return []
    return sorted(found)


def stamp(store: Store, code: str, today: date) -> bytes | None:
    """What the history of ``code`` is worked out from, as bytes (see the module); None
    when there is no such client (the command then says so as it always has)."""
    storage = store.storage
    client = storage.table(CLIENTS).get(code)
    if client is None:
        return None
    linked = client.get("linked", ())
    settings = config_dir()
    made_from = [
        VERSION,
        sys.version,
        orjson.__version__,
        today.isoformat(),
        client,
        storage.client_records(code),
        [doc for doc in storage.table(EPISODE_EVENTS).values() if doc.get("client") == code],
        [[other, storage.client_records(other)] for other in linked],
        _folder_stamp(settings),
        _folder_stamp(settings / "instruments"),
        [_folder_stamp(_PACKAGE / name, (".py", ".toml")) for name in _RULE_FOLDERS],
        [_file_stamp(_PACKAGE / name) for name in _CODE_FILES],
    ]
    # As read, in order: the order of a client's ratings breaks ties between ratings of one
    # day, so two stamps with the same ratings in another order are two stamps.
    return orjson.dumps(made_from)


def read(db: Path, code: str, made_from: bytes) -> bytes | None:
    """The kept history of ``code`` when it was worked out from exactly ``made_from``,
    else None (none kept, another stamp, or a file that does not check out)."""
    try:
        fd = os.open(_file(db, code), os.O_RDONLY | _FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as kept:
            data = kept.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    head, _, rest = data.partition(b"\n")
    fields = head.split(b" ")
    if len(fields) != 5 or fields[0] != MAGIC or fields[1] != b"%d" % VERSION:
        return None
    try:
        stamp_length, answer_length, crc = int(fields[2]), int(fields[3]), int(fields[4], 16)
    except ValueError:
        return None
    if len(rest) != stamp_length + answer_length or zlib.crc32(rest) != crc:
        return None
    if rest[:stamp_length] != made_from:
        return None
    return rest[stamp_length:]


def keep(db: Path, code: str, made_from: bytes, answer: bytes) -> None:
    """Keep the history of ``code`` worked out from ``made_from``; a file that cannot be
    written is left alone (the history is worked out again next time)."""
    body = made_from + answer
    head = b"%s %d %d %d %08x\n" % (MAGIC, VERSION, len(made_from), len(answer), zlib.crc32(body))
    path = _file(db, code)
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        make_private_dir(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS, 0o600)
        try:
            view = memoryview(head + body)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
