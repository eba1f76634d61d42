"""What fittui keeps beside the database to answer fast: ``fittui.json.summaries``.

Two things, both derived from the database and rebuilt from it whenever they do not check
out, never believed over it:

* a stamp saying which snapshot file fittui has read and checked whole (its generation,
  inode, size and modification and change times): a later open may then read only the
  parts of that file it needs. Any change to the file changes its times, and the stamp no
  longer fits, so the file is read and checked whole again.
* each client's caseload row (``derived.ClientRow``), stamped with the journal it was
  derived from and its length then, the day it was computed and the last day it stays
  true, under a fingerprint of the rules (instruments, expected-path model, episode gap).

The file is JSON lines, each with the CRC-32 of its JSON before it (``1a2b3c4d {...}``),
so a damaged or half-written line is noticed and everything from it on is ignored. The
first line is the head (``{"summaries": 2, "snapshot": [...], "journal": id, "rules":
fingerprint}``); each later line holds rows: ``{"journal": id, "rows": {code: {"at":
length, "day": day, "until": day, "row": {...}}}}``. A line holding archived clients' rows
only is written with ``a`` after its CRC instead of a space (``1a2b3c4d a{...}``): the
client list, which starts without the archived clients, checks that line's CRC but reads
none of its JSON (about three in five rows of a large practice). The active clients' rows
are written twice: whole in lines marked ``f``, which every reader but the list reads, and
cut to ``LIST_FIELDS`` in lines marked ``l``, which only the list reads (a sixth of the
file); a head with ``"list": 1`` says the file has them, and a file without them is believed
and written anew. A save appends a line of the rows it changed, whole, which every reader
reads (without an fsync: a row lost to a crash is computed again); a compaction or a rebuild
writes the file whole, atomically. It is never written by ``--read-only``, and
is readable by you only (0600) like every file fittui keeps. What ``clients --json`` and
``report --json`` print from these rows is kept too, whole, in files of its own
(``printed.py``), so that a run with nothing changed reads neither the rows nor the data.
"""

from __future__ import annotations

import errno
import mmap
import os
import stat
import zlib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from fittui.domain.frozen import Frozen
from fittui.storage.daily import write_copy

# Version 2 marks the lines of archived clients' rows; a file of another version is
# written anew, never read.
VERSION = 2
ROWS_PER_LINE = 500
# What of a row's report the client list shows (``ui/screens/clients.py``): the list reads
# each active client's row cut to these, from lines of their own (see the docstring).
LIST_FIELDS = ("client", "status", "ors_count", "ors_instrument", "ors_last", "srs_last", "flags")
_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class Head(Frozen):
    """What the rows and the stamp were derived from (see the module docstring)."""

    __slots__ = ("snapshot", "journal", "rules")
    snapshot: list | None  # [generation, inode, size, mtime_ns, ctime_ns] checked whole
    journal: str | None  # the journal whose lengths the rows' "at" are
    rules: str | None  # derived.Rules.fingerprint() of the rows

    def __init__(self, snapshot: list | None, journal: str | None, rules: str | None) -> None:
        self._fill(snapshot, journal, rules)


class Kept(Frozen):
    """The file as read: its head (None when there is none that checks out) and the
    newest entry of each client's row."""

    __slots__ = ("head", "rows", "damaged", "whole", "full", "outdated")
    head: Head | None
    rows: dict[str, dict[str, Any]]
    damaged: bool  # a line did not check out: the file is to be written anew
    whole: bool  # False: the archived clients' lines were checked but not read
    full: bool  # False: the active clients' rows are their list rows (LIST_FIELDS)
    outdated: bool  # written without list rows: to be written anew, rows believed

    def __init__(
        self,
        head: Head | None,
        rows: dict[str, dict[str, Any]],
        damaged: bool = False,
        whole: bool = True,
        full: bool = True,
        outdated: bool = False,
    ) -> None:
        self._fill(head, rows, damaged, whole, full, outdated)


def summaries_path(db: Path) -> Path:
    return db.with_name(db.name + ".summaries")


# After the CRC, what a line of rows holds: every reader reads a line marked with a space.
ARCHIVED_ONLY = b"a"  # archived clients' rows only
FULL_ROWS = b"f"  # active clients' whole rows, whose list rows are in LIST_ROWS lines
LIST_ROWS = b"l"  # active clients' rows cut to LIST_FIELDS: what the client list reads
_MARKS = (b" ", ARCHIVED_ONLY, FULL_ROWS, LIST_ROWS)
_SKIPPED = object()  # what ``_parse`` gives for a line that checks out but was not read
LIST_LAYOUT = 1  # the head's "list": the active clients' rows are in LIST_ROWS lines too


def _line(data: Any, mark: bytes = b" ") -> bytes:
    payload = orjson.dumps(data)
    return b"%08x" % zlib.crc32(payload) + mark + payload + b"\n"


def _parse(line: bytes, skip: bytes = b"") -> Any:
    """The JSON of a line whose CRC checks out, else None; ``_SKIPPED`` for a line that
    checks out with one of the marks in ``skip`` (its JSON left unread)."""
    if not line.endswith(b"\n"):
        return None
    return _parse_at(line, 0, len(line) - 1, skip)


def _parse_at(data: bytes | mmap.mmap, start: int, end: int, skip: bytes = b"") -> Any:
    """``_parse`` of the line from ``start`` to its newline at ``end`` in ``data``, its
    payload checked and parsed where it lies (a view, not a copy: a line holds 500 rows)."""
    mark = data[start + 8 : start + 9]
    if end - start < 10 or mark not in _MARKS:
        return None
    payload = memoryview(data)[start + 9 : end]
    try:
        if int(data[start : start + 8], 16) != zlib.crc32(payload):
            return None
        if mark in skip:
            return _SKIPPED
        return orjson.loads(payload)
    except (ValueError, orjson.JSONDecodeError):
        return None


def list_row(row: Any) -> Any:
    """A row as the client list reads it: its report cut to ``LIST_FIELDS``."""
    if type(row) is not dict or type(row.get("report")) is not dict:
        return row  # not a row: left for the reader to refuse
    report = row["report"]
    return {**row, "report": {name: report[name] for name in LIST_FIELDS if name in report}}


def _head(data: Any) -> Head | None:
    if not (type(data) is dict and data.get("summaries") == VERSION):
        return None
    snapshot, journal, rules = data.get("snapshot"), data.get("journal"), data.get("rules")
    if not (
        type(snapshot) in (list, type(None))
        and type(journal) in (str, type(None))
        and type(rules) in (str, type(None))
    ):
        return None
    return Head(snapshot, journal, rules)


def _open(db: Path, flags: int) -> int | None:
    """The file, never through a link nor anything but a regular file; None when absent."""
    try:
        fd = os.open(summaries_path(db), flags | _FLAGS, 0o600)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENXIO, errno.EISDIR):
            return None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def read_head(db: Path) -> Head | None:
    """The head alone (an open checks its snapshot stamp), or None."""
    try:
        fd = _open(db, os.O_RDONLY)
    except OSError:
        return None
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as kept:
        return _head(_parse(kept.readline(1 << 20)))


def _mapped(fd: int) -> mmap.mmap | bytes:
    """The whole file behind ``fd`` (closed here), mapped rather than copied: the client
    list reads a sixth of a large practice's file and only checks the rest, and copying
    all of it into fresh memory costs more than checking it. The file is only ever
    replaced whole or appended to, never cut short where it lies, so the mapping stays
    whole while it is read."""
    try:
        if os.fstat(fd).st_size:
            try:
                return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                pass  # a file system that cannot map it: read it
        with os.fdopen(os.dup(fd), "rb") as kept:
            return kept.read()
    finally:
        os.close(fd)


def read(db: Path, archived: bool = True, full: bool = True) -> Kept:
    """The head and each client's newest row entry, from the lines that check out; the
    rows of a line written for another journal than the head's are left out. With
    ``archived`` False, the lines of archived clients' rows are checked but not read
    (``Kept.whole`` then says so); with ``full`` False, the active clients' rows are read
    from their list rows (``Kept.full`` then says so). Both: what the client list needs
    to start."""
    try:
        fd = _open(db, os.O_RDONLY)
    except OSError:
        fd = None
    if fd is None:
        return Kept(None, {})
    data = _mapped(fd)  # at once: the lines are checked and parsed where they lie
    end = data.find(b"\n")
    first = _parse_at(data, 0, end) if end >= 0 else None
    head = _head(first)
    if head is None:
        return Kept(None, {})
    outdated = not (type(first) is dict and first.get("list") == LIST_LAYOUT)
    skip = (b"" if archived else ARCHIVED_ONLY) + (LIST_ROWS if full else FULL_ROWS)
    rows: dict[str, dict[str, Any]] = {}
    whole = listed = True
    start = end + 1
    while start < len(data):
        end = data.find(b"\n", start)
        parsed = None if end < 0 else _parse_at(data, start, end, skip)
        if parsed is _SKIPPED:
            mark = data[start + 8 : start + 9]
            whole = whole and mark != ARCHIVED_ONLY
            listed = listed and mark != FULL_ROWS
        start = end + 1
        if parsed is _SKIPPED:
            continue
        if type(parsed) is not dict or type(parsed.get("rows")) is not dict:
            return Kept(head, rows, True, whole, listed, outdated)  # nothing after it believed
        if parsed.get("journal") != head.journal:
            continue
        for code, entry in parsed["rows"].items():
            if type(entry) is dict and type(entry.get("at")) is int:
                held = rows.get(code)
                if held is None or held["at"] <= entry["at"]:
                    rows[code] = entry
    return Kept(head, rows, False, whole, listed, outdated)


def write_all(
    db: Path, head: Head, rows: Mapping[str, dict[str, Any]], archived: Collection[str] = ()
) -> None:
    """Write the file whole, atomically: the head, the active clients' list rows
    (``LIST_ROWS``), then every row given, the active clients' (``FULL_ROWS``) before
    those of the ``archived`` clients (``ARCHIVED_ONLY``), each kind in lines of its own."""

    def lines() -> Iterable[bytes]:
        yield _line(
            {
                "summaries": VERSION,
                "snapshot": head.snapshot,
                "journal": head.journal,
                "rules": head.rules,
                "list": LIST_LAYOUT,
            }
        )
        put_away = frozenset(archived)
        active = [item for item in rows.items() if item[0] not in put_away]
        for mark, items in (
            (LIST_ROWS, [(code, {**e, "row": list_row(e.get("row"))}) for code, e in active]),
            (FULL_ROWS, active),
            (ARCHIVED_ONLY, [item for item in rows.items() if item[0] in put_away]),
        ):
            for start in range(0, len(items), ROWS_PER_LINE):
                part = dict(items[start : start + ROWS_PER_LINE])
                yield _line({"journal": head.journal, "rows": part}, mark)

    write_copy(summaries_path(db), lines())


def append(db: Path, journal: str | None, rows: Mapping[str, dict[str, Any]]) -> None:
    """Add a line of rows to the file, when there is one (a missing file is written whole
    by the next reader that needs it). Not fsynced: the rows can always be computed again."""
    if not rows:
        return
    fd = _open(db, os.O_WRONLY | os.O_APPEND)
    if fd is None:
        return
    try:
        data = _line({"journal": journal, "rows": dict(rows)})
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
