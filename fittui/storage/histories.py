"""Each client's ``fittui history CODE --json`` as last printed, kept beside the database.

Why: the history's figures, flags and patterns take the whole scoring to work out, and a
fresh interpreter pays for compiling and importing it before the first rating is scored.
Asked again about a client whose data has not changed, the answer is the same, so it is
kept (``fittui.json.histories/``, one small file per client) and printed as kept.

A kept history is never believed over the ratings. It is stamped with exactly what it was
worked out from, in two parts:

* the rules (:func:`rules_stamp`): the day, and the files that shape the answer besides
  the data: the user's settings, expected-path model and instruments in the config
  folder, fittui's own rules and code (each file by its inode, size and times), the
  versions of fittui's stamp, Python and the JSON encoder;
* the data (:func:`data_stamp`): the client's record and every rating of theirs as stored
  (voided ones too, in their stored order, which breaks ties within a day), their episode
  events and the ratings of the clients linked with them; the data itself, not a digest
  of it, so no two states can share one.

A history is printed as kept when both parts, made afresh now, are the same byte for
byte. To make the data part the database is opened and the client's records read, so
the file also names the database's files as they were when the data was last found the
same (``file_stamps.Files``: the snapshot's and the journal's inode, size and times, and the
journal's first line): while those files and the rules are unchanged, nothing in the
database can have changed, and the kept history is printed without opening it.
Otherwise it is worked out again and kept anew.

Each file is ``fittui-history 2`` and the lengths of its four parts (the database's
files, the rules, the data, the answer) and their CRC-32 on a line, then the parts: a
file cut short or damaged does not check out and is taken as absent. Files are written
whole (a temporary file renamed over the old one) without an fsync, since a lost one is
worked out again; they are readable by you only (0600, in a 0700 folder) like every file
fittui keeps, and never written by ``--read-only``.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib
from pathlib import Path

from fittui.storage.file_stamps import Sig, file_sig
from fittui.storage.locations import config_dir

# Not typing's: this module is on the quick commands' way, and typing costs them 2 ms to
# import. mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from fittui.storage.store import Store

VERSION = 2
MAGIC = b"fittui-history"
_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_PACKAGE = Path(__file__).resolve().parent.parent
# fittui's own files that shape a history besides the data: every rule of the domain (the
# scoring, the patterns, the instruments, the expected path), how records become ratings,
# how the settings are found and read, and how the command prints. Any change to one (an
# upgrade, an edit) changes the stamp.
_RULE_FOLDERS = ("domain", "domain/instruments")
_CODE_FILES = (
    "__init__.py",
    "storage/store.py",
    "storage/records.py",
    "storage/ratings.py",
    "storage/histories.py",
    "storage/printed.py",
    "storage/file_stamps.py",
    "storage/settings.py",
    "storage/locations.py",
    "cli/common.py",
    "cli/history.py",
    "cli/history_text.py",
    "cli/output.py",
    "cli/json_out.py",
)


def folder(db: Path) -> Path:
    """Where the kept histories of the database ``db`` live."""
    return db.with_name(db.name + ".histories")


def _file(db: Path, code: str) -> Path:
    # The code's bytes in hex: a safe file name, distinct for codes that differ in case only.
    return folder(db) / code.encode().hex()


def _own_folder(path: Path) -> bool:
    """``path`` is a folder itself, not a link to one: fittui never follows a link where it
    keeps data (a link here would lead every client's history wherever it points)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _file_stamp(path: Path) -> Sig | None:
    """A file's ``file_sig``, or None when it is absent."""
    try:
        return file_sig(os.stat(path))
    except OSError:
        return None


def _folder_stamp(path: Path, endings: tuple[str, ...] = ("",)) -> list[tuple[str, Sig | None]]:
    """Each entry of a folder whose name ends with one of ``endings``, by name, with its
    ``file_sig`` (None for a folder; an empty list when the folder is absent)."""
    try:
        with os.scandir(path) as entries:
            found = [
                (entry.name, file_sig(entry.stat()) if entry.is_file() else None)
                for entry in entries
                if entry.name.endswith(endings)
            ]
    except OSError:
        return []
    return sorted(found)


def rules_stamp(day: str) -> bytes:
    """What a history is worked out from besides the data (see the module) on ``day``
    (YYYY-MM-DD), read without opening the database."""
    settings = config_dir()
    made_from = [
        VERSION,
        sys.version,
        day,
        str(settings),
        _folder_stamp(settings),
        _folder_stamp(settings / "instruments"),
        [_folder_stamp(_PACKAGE / name, (".py", ".toml")) for name in _RULE_FOLDERS],
        [_file_stamp(_PACKAGE / name) for name in _CODE_FILES],
    ]
    return repr(made_from).encode()


def data_stamp(store: Store, code: str) -> bytes | None:
    """The data the history of ``code`` is worked out from, as the database holds it now
    (see the module); None when there is no such client (the command then says so)."""
    import orjson

    from fittui.storage.records import CLIENTS, EPISODE_EVENTS

    storage = store.storage
    client = storage.table(CLIENTS).get(code)
    if client is None:
        return None
    made_from = [
        orjson.__version__,
        client,
        storage.client_records(code),
        [doc for doc in storage.table(EPISODE_EVENTS).values() if doc.get("client") == code],
        [[other, storage.client_records(other)] for other in client.get("linked", ())],
    ]
    return orjson.dumps(made_from)


class Kept:
    """A kept history as read: the database's files it was last found true for (empty when
    none), its rules and data stamps, and the answer."""

    __slots__ = ("files", "rules", "data", "answer")

    def __init__(self, files: bytes, rules: bytes, data: bytes, answer: bytes) -> None:
        self.files, self.rules, self.data, self.answer = files, rules, data, answer


def read(db: Path, code: str) -> Kept | None:
    """The kept history of ``code``, or None (none kept, or a file that does not check
    out): what it was worked out from is for the caller to compare."""
    path = _file(db, code)
    if not _own_folder(path.parent):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | _FLAGS)
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
    if len(fields) != 7 or fields[0] != MAGIC or fields[1] != b"%d" % VERSION:
        return None
    try:
        lengths = [int(field) for field in fields[2:6]]
        crc = int(fields[6], 16)
    except ValueError:
        return None
    if min(lengths) < 0 or len(rest) != sum(lengths) or zlib.crc32(rest) != crc:
        return None
    parts, at = [], 0
    for length in lengths:
        parts.append(rest[at : at + length])
        at += length
    return Kept(*parts)


def keep(db: Path, code: str, kept: Kept) -> None:
    """Keep the history of ``code``; a file that cannot be written is left alone (the
    history is worked out again next time)."""
    parts = (kept.files, kept.rules, kept.data, kept.answer)
    body = b"".join(parts)
    lengths = b" ".join(b"%d" % len(part) for part in parts)
    head = b"%s %d %s %08x\n" % (MAGIC, VERSION, lengths, zlib.crc32(body))
    from fittui.storage.atomic import write_whole  # only when writing: not on the quick way
    from fittui.storage.locations import make_private_dir

    path = _file(db, code)
    try:
        make_private_dir(path.parent)
        if _own_folder(path.parent):
            write_whole(path, (head, body), os, durable=False)
    except OSError:
        pass
