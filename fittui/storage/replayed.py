"""The journal as replayed, kept beside the data: ``fittui.json.replayed``.

Opening a store replays its journal over the snapshot, every line parsed, checked and
applied: about 9 µs a line, a third of a second for the 33,000 lines a large practice's
journal holds just before it is folded into the snapshot. That would all come before the
client list's first frame, which needs none of the ratings. So a store that has replayed a
long journal keeps what it found: the journal's records, and what it noted while replaying
(whose rows each line changed, the snapshot's ratings it deleted). The next open takes that
instead of replaying the lines it covers, and replays only the lines after them.

The file is derived data, never believed over the data:

* its head names the snapshot it was replayed over (the stamp of the file read and checked
  whole, ``summaries.py``), the journal (its id) and how many of its bytes it covers, with
  their CRC-32: the journal's bytes are read and their CRC compared at every open, so a
  journal cut, rewritten or replaced makes the file worthless. It names the checks its
  records passed too (``RecordChecks.fingerprint``: each instrument's items and range, and
  fittui's version): under other checks the journal is replayed, and a line they refuse is
  reported at open, with its place;
* each of its two lines carries the CRC-32 of its JSON (``summaries.py``'s lines), so
  a damaged or half-written file is never read;
* the records it holds are checked as the journal's are: the small tables' at open, the
  ratings when they are first asked for, by the checks of the instruments in use then.

Anything that does not check out is ignored: the journal is replayed as it always was, and
the file written anew. It is written whole (a temporary file renamed over it, without an
fsync: a file lost to a crash is written again), 0600, never through a link, never by a
read-only store; a compaction or a restore, which start a new journal, delete it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from fittui.domain.frozen import Frozen
from fittui.storage.atomic import write_whole
from fittui.storage.summaries import _SKIPPED, _line, _parse_at

VERSION = 1
# A store keeps the journal as replayed once it has replayed this many bytes more than the
# file covers (about a thousand saves): the lines after it cost a few milliseconds.
KEEP_AFTER = 256 * 1024
_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class Replayed(Frozen):
    """The journal's first ``offset`` bytes, as replayed over the snapshot (see the module
    docstring); ``ratings`` is the journal's administrations as JSON, parsed when first
    asked for."""

    __slots__ = (
        "offset",
        "crc",
        "lines",
        "unterminated",
        "touched",
        "unknown_touch",
        "deleted",
        "small",
        "ratings",
    )
    offset: int  # bytes of the journal covered
    crc: int  # their CRC-32
    lines: int  # lines among them
    unterminated: bool  # the last of them has no newline
    touched: dict[str, int]  # per client, the length after the last line changing them
    unknown_touch: int  # the length after the last line deleting a snapshot's rating
    deleted: list[str]  # the snapshot's administrations the journal deleted
    small: dict[str, dict[str, Any]]  # the journal's puts into the small tables, by table
    ratings: bytes | memoryview  # the journal's administrations, {id: record}, as JSON

    def __init__(
        self,
        offset: int,
        crc: int,
        lines: int,
        unterminated: bool,
        touched: dict[str, int],
        unknown_touch: int,
        deleted: list[str],
        small: dict[str, dict[str, Any]],
        ratings: bytes | memoryview,
    ) -> None:
        self._fill(
            offset, crc, lines, unterminated, touched, unknown_touch, deleted, small, ratings
        )


def replayed_path(db: Path) -> Path:
    return db.with_name(db.name + ".replayed")


def _is_int(value: Any) -> bool:
    return type(value) is int and value >= 0


def _fits(head: Any) -> bool:
    """Whether a head that checked out has the shape this module writes."""
    if type(head) is not dict or head.get("replayed") != VERSION:
        return False
    touched, small, deleted = head.get("touched"), head.get("small"), head.get("deleted")
    return (
        all(_is_int(head.get(name)) for name in ("offset", "crc", "lines", "unknown_touch"))
        and type(head.get("unterminated")) is bool
        and type(touched) is dict
        and all(_is_int(at) for at in touched.values())
        and type(deleted) is list
        and all(type(doc_id) is str for doc_id in deleted)
        and type(small) is dict
        and all(type(records) is dict for records in small.values())
    )


def read(db: Path, snapshot: list | None, journal: str | None, checks: str) -> Replayed | None:
    """The journal as replayed over ``snapshot`` (its stamp as checked whole), when the file
    holds that of the journal ``journal``, checked by checks of the fingerprint ``checks``
    (``RecordChecks.fingerprint``), and checks out; else None. The journal's own bytes are
    for the caller to check against ``offset`` and ``crc``."""
    if snapshot is None or journal is None:
        return None
    try:
        fd = os.open(replayed_path(db), os.O_RDONLY | _FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as kept:
            data = kept.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    # Lines as ``summaries.py`` writes them: ``CRC32 {json}``. The head is parsed; the
    # ratings' line is only checked (``_SKIPPED``), and parsed when first asked for.
    cut = data.find(b"\n")
    last = len(data) - 1
    head: Any = _parse_at(data, 0, cut) if cut > 0 else None
    if not (
        _fits(head)
        and head.get("snapshot") == snapshot
        and head.get("journal") == journal
        and head.get("checks") == checks
    ):
        return None
    if not (data.find(b"\n", cut + 1) == last and _parse_at(data, cut + 1, last, b" ") is _SKIPPED):
        return None
    return Replayed(
        head["offset"],
        head["crc"],
        head["lines"],
        head["unterminated"],
        head["touched"],
        head["unknown_touch"],
        head["deleted"],
        head["small"],
        memoryview(data)[cut + 10 : last],
    )


def write(
    db: Path, snapshot: list, journal: str, checks: str, kept: Replayed, ratings: dict
) -> None:
    """Keep the journal as replayed (``kept``, its ``ratings`` given as records) by checks of
    the fingerprint ``checks``, replacing the file whole; raises OSError when it cannot, and
    orjson's TypeError for records nested too deep to write (nothing is lost: the journal
    holds it all)."""
    head = {
        "replayed": VERSION,
        "snapshot": snapshot,
        "journal": journal,
        "checks": checks,
        "offset": kept.offset,
        "crc": kept.crc,
        "lines": kept.lines,
        "unterminated": kept.unterminated,
        "touched": kept.touched,
        "unknown_touch": kept.unknown_touch,
        "deleted": kept.deleted,
        "small": kept.small,
    }
    lines = (_line(head), _line(ratings))
    write_whole(replayed_path(db), lines, os, durable=False)


def forget(db: Path) -> None:
    """Delete the file (a new journal makes it worthless), when it is there."""
    try:
        os.unlink(replayed_path(db))
    except OSError:
        pass  # absent, or left to be ignored: it names a journal that is gone
