"""Reading ratings from CSV or fittui's JSON export: every value checked, every error named.

The CSV header is ``client,age_group,date,instrument,rater,item1,...,itemN`` (``age_group``,
``rater``, ``note``, ``label``, ``archived``, ``instruments``, and ``voided`` with
``voided_at`` for a rating entered in error, are optional); errors name the line and
column. A rating dated after today refuses the whole file. A client's label, archived
state and start-of-session instruments (``"PHQ-9,GAD-7,ORS"`` in one cell) are used only
when the import creates the client. After the ratings, a second section headed
``client,episode,date,reason`` may hold the therapist's episode starts and ends. The JSON
is what ``fittui export --format json`` writes; errors name the path in the file, e.g.
``administrations[3].items.socially``.

This module turns bytes into text and hands it to :mod:`fittui.formats.import_csv` or
:mod:`fittui.formats.import_json`; both report through one
:class:`~fittui.formats.import_checks.Problems`. Nothing is saved here: the result is a
plan that the store saves in one transaction, so one bad value means nothing is imported.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fittui.formats.import_checks import Clients, ImportFailed, ImportPlan, Instruments, Problems
from fittui.formats.import_csv import read_csv
from fittui.formats.import_json import read_json

# Room for the JSON export of the largest practice fittui is measured with (300,000
# ratings, about 110 MB as exported), twice over; an export must come back in.
MAX_IMPORT_BYTES = 256 * 1024 * 1024
__all__ = [
    "ImportFailed",
    "ImportPlan",
    "plan_import",
    "plan_import_file",
    "plan_import_json",
    "read_import_file",
]


def _too_large() -> str:
    return f"the file is larger than {MAX_IMPORT_BYTES // 2**20} MB"


def _decode(raw: bytes, p: Problems, kind: str = "CSV") -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        p.refuse(_too_large())
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        p.refuse(f"UTF-16 text; save the file as UTF-8 {kind}", "1")
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        p.refuse(f"not a {kind} text file (binary data)", str(line))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        p.refuse(f"not UTF-8 text; save the file as UTF-8 {kind}", str(line))


def read_import_file(path: Path) -> bytes:
    """The file's bytes, or ImportFailed saying why it cannot be read.

    No more than the largest file fittui imports is ever read: ``fittui import /dev/zero``,
    or a huge file given by mistake, is refused without filling the memory.
    """
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_IMPORT_BYTES + 1)
    except IsADirectoryError:
        raise ImportFailed([f"{path}: is a folder, not a file to import"]) from None
    except OSError as exc:
        raise ImportFailed([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFailed([f"{path}: {_too_large()}"])
    return raw


def _is_json(raw: bytes, name: str) -> bool:
    """A file is read as fittui's JSON export when named .json or when it starts with '{'."""
    return name.lower().endswith(".json") or raw.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{"


def plan_import_file(
    raw: bytes, name: str, instruments: Instruments, known: Clients, today: date | None = None
) -> ImportPlan:
    """CSV or fittui's JSON export, told apart by the name and the first character."""
    if _is_json(raw, name):
        return plan_import_json(raw, name, instruments, known, today)
    return plan_import(raw, name, instruments, known, today)


def plan_import(
    raw: bytes, name: str, instruments: Instruments, known: Clients, today: date | None = None
) -> ImportPlan:
    """Check a whole CSV file and say what it would add, or raise ImportFailed with every error.

    A rating or an episode event dated after ``today`` (default: the real today) is an
    error of its row.
    """
    p = Problems(name)
    return read_csv(_decode(raw, p), p, instruments, known, today)


def plan_import_json(
    raw: bytes, name: str, instruments: Instruments, known: Clients, today: date | None = None
) -> ImportPlan:
    """Check a whole ``fittui export --format json`` file and say what it would add, or
    raise ImportFailed with every problem. A rating or an episode event dated after
    ``today`` is an error."""
    p = Problems(name)
    return read_json(_decode(raw, p, "JSON"), p, instruments, known, today)
