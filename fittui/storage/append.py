"""One rating appended to the journal under the write lock, when a save needs nothing more.

Why: ``fittui record`` runs in a fresh process, and the store's way of saving (TinyDB, the
journal's reader, the record checks, orjson) costs it three times the save itself. A
rating of a client the snapshot's index knows needs the lock, the files' first and last
lines, the client's own lines (for the same-session note), and one line appended and
fsynced. :func:`append_rating` does that only when the store's save would write the very
same line; otherwise it returns None having written nothing, and the caller takes the full
way, which says what is wrong. It must be sure that:

* the snapshot is of this layout, and is the file ``summaries.py``'s stamp says was read
  and checked whole (so its index is true: a client with ratings in it exists);
* the journal extends it, ends with a whole line, and is byte for byte the journal a store
  read and checked whole: ``fittui.json.checked`` (:func:`keep_checked`) names its id and
  the stamp its last writer marked (:func:`_mark`), and its stamp is that one still, so
  nothing wrote to it since; it deletes nothing, holds no escaped character, and neither
  puts the client's record nor moves a rating to or from them;
* today's daily backup is there, no temporary file awaits the store's tidying, and the
  line leaves the journal short of a compaction.

The lock is the store's (``lock.py``): an exclusive ``flock`` on ``fittui.json.lock``,
taken at once or left to the full way, which waits for it. JSON is read and written with
``_json``, the C half of the standard library's ``json``, whose Python half compiles six
regular expressions at import: plain JSON, as orjson reads and writes it.
"""

from __future__ import annotations

import _json
import os
import stat
from types import SimpleNamespace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

COMPACT_MIN_BYTES = 256 * 1024
# Compact when the journal outgrows 1/COMPACT_FRACTION of the snapshot: it bounds the
# journal replayed at open (bench/bench_storage.py measures the worst case).
COMPACT_FRACTION = 8
_SCHEMA, _GROUPED = 2, "administrations"  # layout.FILE_SCHEMA, layout.GROUPED
_OPEN = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


# What ``_json``'s scanner asks a decoder: no hooks; NaN and Infinity refused, as orjson
# refuses them (``int`` raises ValueError on their names). typeshed calls the context a
# scanner; the scanner reads these attributes from it.
_scan = _json.make_scanner(
    SimpleNamespace(  # type: ignore[arg-type]
        strict=True,
        object_hook=None,
        object_pairs_hook=None,
        parse_float=float,
        parse_int=int,
        parse_constant=int,
    )
)


def loads(data: bytes) -> Any:
    """One JSON value (a line, say); ValueError when it is not one."""
    text = data.decode()
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        raise ValueError("not JSON") from None
    if text[end:].strip(" \t\r\n"):
        raise ValueError("not JSON")
    return value


def dumps(value: Any) -> str:
    """Compact JSON of text, numbers, lists and records, non-ASCII letters as they are (as
    orjson writes them), by ``_json``'s encoder: the C half of ``json.dumps``."""
    return "".join(_encode(value, 0))


def _refuse(value: Any) -> Any:
    raise ValueError(f"not JSON: {type(value).__name__}")


# No check for cycles (a record holds none); NaN and infinities refused, as orjson does.
_encode = _json.make_encoder(
    None, _refuse, _json.encode_basestring, None, ":", ",", False, False, False
)


def new_id() -> str:
    """A record id no other process can pick: 64 random bits from the system's generator
    (what ``secrets.token_hex`` returns, without loading ``secrets``'s hmac and hashlib)."""
    return os.urandom(8).hex()


def administration_doc(
    client: str, instrument: str, when: str, rater: str, items: dict[str, int], note: str, mode: str
) -> dict[str, Any]:
    """An administration as stored, its scores (``items`` in tenths) as one-decimal numbers;
    ``ratings.administration_to_doc`` adds a void mark and corrections where there are any."""
    scores = {k: v / 10 for k, v in items.items()}
    return {"client": client, "instrument": instrument, "date": when, "rater": rater,
            "items": scores, "note": note, "mode": mode}  # fmt: skip


def index_entry(
    index: bytes, code: str, start: int = 0, end: int | None = None
) -> list[list[int]] | None:
    """A client's entry in a snapshot's index (the bytes ``{...}``, or ``index[start:end]``),
    found by the code's key (``"C1":[`` after ``{`` or ``,``) and parsed alone: a list of
    [offset, length], or None when the client has none. ValueError when it is damaged."""
    try:
        key = dumps(code).encode() + b":["
    except ValueError:
        return None  # not text a file holds (a lone surrogate): no client has that code
    at = start
    while (at := index.find(key, at + 1, end)) > start:
        if index[at - 1] in b"{,":
            try:  # no "]]" after it: ValueError too
                entry = loads(index[at + len(key) - 1 : index.find(b"]]", at, end) + 2])
            except ValueError:
                entry = None
            if not _entry_shape(entry):
                raise ValueError(f"the index entry of {code!r} is damaged")
            found: list[list[int]] = entry
            return found
    return None


def _entry_shape(entry: Any) -> bool:
    """Whether an index entry is as written: a list of [offset, length]."""
    return type(entry) is list and all(
        type(r) is list and [*map(type, r)] == [int, int] for r in entry
    )


def _sig(st: os.stat_result) -> tuple[int, int, int, int]:
    """What tells one file from another, or from itself changed: any write changes its
    modification and change times (to be sure of it, :func:`_mark` the file written)."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _mark(fd: int) -> tuple[int, int, int, int] | None:
    """Set the modification time of the file just written one nanosecond before the time
    that write gave it, and return its stamp (``_sig``); None where the time cannot be set
    that finely.

    Why: the stamp then changes with any later write to the file, by any program. A write
    sets the modification time to the time now, never earlier than the time our own write
    was given, so never to the marked time; and an unmarked stamp would not do, as a
    clock that ticks every few milliseconds gives a write just after ours the same times.
    Putting the marked time back after a rewrite, as a copy keeping times does, changes
    the change time (which no program can set). So a save that finds the stamp it marked
    need not read the journal again to know nobody changed it (``journal._append``), nor
    ``fittui record`` its bytes' CRC (:func:`keep_checked`).
    """
    if os.utime not in os.supports_fd:
        return None
    try:
        st = os.fstat(fd)
        marked = st.st_mtime_ns - 1
        os.utime(fd, ns=(st.st_atime_ns, marked))
        st = os.fstat(fd)
    except OSError:
        return None  # the stamp is not used: the next save reads the journal again
    return _sig(st) if st.st_mtime_ns == marked else None


def keep_checked(
    db: Path, journal: str, mark: tuple[int, int, int, int], day: str | None = None, start: int = 0
) -> None:
    """Note that the journal ``journal`` was read and checked whole when its stamp was
    ``mark``, as :func:`_mark` gave it, and, with ``day``, that no line before byte
    ``start`` names that day, deletes a record or escapes a character (so the next light
    save of a rating of that day reads the journal from there: the lines that may make a
    session with it, see :func:`_session`). Not fsynced, and never believed beyond that
    very stamp (any write since changes it): a note lost or stale only sends the next
    ``fittui record`` the full way. Always as long, so it is written over in place
    (truncating a file costs more than the rest of the save). Raises nothing: it is
    called once a save is on disk."""
    try:
        fields = {"journal": journal, "stamp": [*mark], "day": day, "from": start}
        note = dumps(fields).encode().ljust(255) + b"\n"
        fd = os.open(f"{db}.checked", os.O_WRONLY | os.O_CREAT | _OPEN, 0o600)
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and os.pwrite(fd, note, 0) and st.st_size > len(note):
                os.ftruncate(fd, len(note))
        finally:
            os.close(fd)
    except (OSError, ValueError):  # ValueError: an id that is not text a file holds
        pass


def _head(path: str) -> bytes:
    """The first line of a regular file (never through a link): empty if it is not one,
    OSError if it is not there."""
    fd = os.open(path, os.O_RDONLY | _OPEN)
    try:
        return _line(os.read(fd, 4096) if stat.S_ISREG(os.fstat(fd).st_mode) else b"")
    finally:
        os.close(fd)


def _line(data: bytes) -> bytes:
    return data[: data.find(b"\n") + 1]


# What a file that is not as expected raises on the way (RecursionError: JSON nested
# thousands deep): the save is then the full way's, which says what is wrong.
_NOT_SURE = (
    ValueError,
    ImportError,
    OSError,
    LookupError,
    TypeError,
    AttributeError,
    RecursionError,
)


def append_rating(db: Path, doc_id: str, doc: dict[str, Any], today: str) -> list | None:
    """Append the administration ``doc``, fsynced, under the write lock, when the full save
    would write exactly this line (see the module docstring). Gives the client's ratings
    that may make one session with it (those of its day) in entry order, (id, record),
    voided ones too; None, having written nothing, when the full way is to save it: text
    that is not UTF-8, no flock, the lock busy, a file damaged or not of this layout."""
    opened: list[int] = []  # closed whatever happens, the lock last
    try:
        return _append(db, doc_id, doc, today, opened)
    except _NOT_SURE:
        return None
    finally:
        for fd in reversed(opened):  # the lock last: it lets the next writer in
            try:
                os.close(fd)
            except OSError:
                pass  # once the line is saved, nothing may send the caller the full way


def _append(
    db: Path, doc_id: str, doc: dict[str, Any], today: str, opened: list[int]
) -> list | None:
    """:func:`append_rating`'s checks and line, the files it opens added to ``opened``.
    (Apart because a ``return`` inside ``try``/``finally`` repeats the ``finally``'s code.)"""
    path = str(db)
    line = dumps({"ops": [["put", _GROUPED, doc_id, doc]]}).encode() + b"\n"
    import fcntl

    opened.append(lock := os.open(path + ".lock", os.O_RDWR | os.O_CREAT | _OPEN, 0o600))
    if not stat.S_ISREG(os.fstat(lock).st_mode):
        return None
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when it is closed
    # Today's backup, and no temporary file a killed process left in either folder (the
    # store's ``_sweep`` removes them).
    folder = os.path.dirname(path) or "."
    backups = folder + "/backups"
    names = os.listdir(backups) if stat.S_ISDIR(os.lstat(backups).st_mode) else []
    if f"{db.stem}-{today}.json" not in names or any(
        n[:1] == "." and n.endswith(".tmp") for n in names + os.listdir(folder)
    ):
        return None
    opened.append(snapshot := os.open(path, os.O_RDONLY | _OPEN))
    opened.append(journal := os.open(path + ".journal", os.O_RDWR | os.O_APPEND | _OPEN))
    st, jst = os.fstat(snapshot), os.fstat(journal)
    size, day = jst.st_size, doc["date"][:10]
    head = loads(_line(os.pread(snapshot, 4096, 0)))
    stamped = _head(path + ".summaries")  # ``CRC32 {json}``, as summaries.py writes it
    stamp = loads(stamped[9:])
    # The last line, {"index":{...},"small":[...],"records":n}, read from the end: only
    # the index's bounds are found (the stamp says a store read and checked it whole).
    chunk = 1 << 18
    while (
        cut := (tail := os.pread(snapshot, chunk, max(0, st.st_size - chunk))).rfind(b"\n", 0, -1)
    ) < 0 and chunk < st.st_size:
        chunk *= 4
    end = tail.rfind(b'},"small":', max(cut, len(tail) - 200)) + 1
    first = _line(os.pread(journal, 4096, 0))
    extends, note = loads(first), loads(_head(path + ".checked"))
    # The lines that may matter to a rating of this day: from where the note says they
    # start, else all of them. One byte before, a newline: the lines read are whole.
    start = note["from"] if note["day"] == day else len(first)
    if type(start) is not int or not len(first) <= start <= size:
        return None  # a damaged note
    data = os.pread(journal, size - start + 1, start - 1)
    jst = os.fstat(journal)  # after the read: as marked then, so the bytes read are too
    body = data[1:]
    entry = index_entry(tail, doc["client"], cut + 10, end)
    if not (
        stat.S_ISREG(st.st_mode)
        and head["fittui"]["schema"] == _SCHEMA
        and stamped[8:9] in (b" ", b"a")
        and stamp["summaries"] == 2
        and stamp["snapshot"] == [head["generation"], *_sig(st)]
        and 0 <= cut < end
        and tail.startswith(b'{"index":{', cut + 1)
        and tail.endswith(b"\n")
        and entry  # else a client without ratings in the snapshot: the full way looks
        and stat.S_ISREG(jst.st_mode)
        and size == jst.st_size
        and len(data) == size - start + 1
        and data[:1] == b"\n" == data[-1:]
        and extends["extends"] == head["generation"]
        and head["supersedes"] != extends["journal"]
        and note["journal"] == extends["journal"]
        and note["stamp"] == [*_sig(jst)]
        and b'"del"' not in body
        and b"\\u" not in body
        and size + len(line) <= max(COMPACT_MIN_BYTES, st.st_size // COMPACT_FRACTION)
    ):
        return None
    marker = b'"' + day.encode()
    session = _session(snapshot, entry, body, doc["client"], marker)
    if start == len(first):  # all read: the day's lines start at the first naming it
        found = body.find(marker)  # (none yet: at the line this save appends)
        start = size if found < 0 else start + body.rfind(b"\n", 0, found) + 1
    try:
        if os.write(journal, line) != len(line):
            raise OSError("the disk took only part of the line")
        mark = _mark(journal)  # before the fsync, which changes no time
        os.fsync(journal)
    except OSError:
        os.ftruncate(journal, size)
        return None
    # Saved: nothing from here may send the caller the full way.
    if mark is not None:  # else the note, stale, sends the next one the full way
        keep_checked(db, extends["journal"], mark, day, start)
    return session


def _session(snapshot: int, entry: list[list[int]], body: bytes, code: str, marker: bytes) -> list:
    """The client's ratings whose lines name the day (``marker``: ``"`` and the day, the
    start of a date), those that may make one session with a rating that day, in entry
    order as ``JournalStorage.client_records`` gives them: their snapshot lines' at their
    places, as the journal last put them, then those the journal added. Only lines naming
    the day are read (the journal escapes nothing), from ``body``: the journal's lines from
    the first that may name it. LookupError when the journal corrected one of them (a move
    or a new date: its place is the full way's to find), or a line is cut short."""
    placed: list[tuple[int, str, Any]] = []
    ours: set[str] = set()
    for offset, length in entry:
        data = os.pread(snapshot, length, offset)
        if not data.endswith(b"\n"):
            raise LookupError("a snapshot line cut short")
        if marker in data:
            row = loads(data)
            placed += zip(map(int, row[2]), row[1], row[1].values())
            ours.update(row[1])
    placed.sort()  # by place (ids differ: records are never compared)
    needle, journal = dumps(code).encode(), {}
    for line in body.split(b"\n"):
        for op in loads(line)["ops"] if needle in line and marker in line else ():
            if op[1] == _GROUPED:
                journal[op[2]] = op[3]
    if any("corrections" in d and (d["client"] == code or i in ours) for i, d in journal.items()):
        raise LookupError("a rating of the day corrected")
    ordered = [(i, journal.pop(i, d)) for _, i, d in placed] + list(journal.items())
    return [(i, d) for i, d in ordered if d["client"] == code]
