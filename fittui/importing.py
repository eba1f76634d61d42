"""Reading ratings from CSV: every row checked, every error named by line and column.

The header is ``client,age_group,date,instrument,rater,item1,...,itemN`` (``age_group``,
``rater`` and ``note`` are optional). Nothing is saved here: the result is a plan that the
store saves in one transaction, so one bad row means nothing is imported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from fittui.instruments import Instrument, InstrumentError, find_instrument
from fittui.model import (
    DEFAULT_RATER,
    Administration,
    Client,
    InputError,
    check_age_group,
    check_code,
    check_rater,
    parse_when,
)
from fittui.storage import new_id

MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_ERRORS_SHOWN = 50
REQUIRED = ("client", "date", "instrument")
OPTIONAL = ("age_group", "rater", "note")


class ImportFailed(InputError):
    """The file cannot be imported; ``errors`` lists every problem, one line each."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        lines = shown + ([f"... and {more} more errors"] if more else [])
        super().__init__("\n".join(lines))


@dataclass
class ImportPlan:
    """What a file would add: clients not yet known, and administrations in file order."""

    new_clients: list[Client] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)


def _decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFailed([f"{name}: the file is larger than {MAX_IMPORT_BYTES // 2**20} MB"])
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportFailed([f"{name}:1: UTF-16 text; save the file as UTF-8 CSV"])
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise ImportFailed([f"{name}:{line}: not a CSV text file (binary data)"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFailed([f"{name}:{line}: not UTF-8 text; save the file as UTF-8 CSV"]) from None


def _item_columns(header: list[str], name: str) -> tuple[list[str], list[str]]:
    errors = []
    items = [h for h in header if h.startswith("item")]
    expected = [f"item{n}" for n in range(1, len(items) + 1)]
    if items != expected:
        errors.append(f"{name}:1: item columns must be item1, item2, ... in order")
    for h in header:
        if h not in REQUIRED + OPTIONAL and not h.startswith("item"):
            errors.append(f"{name}:1: unknown column {h!r}")
    for h in REQUIRED:
        if h not in header:
            errors.append(f"{name}:1: missing column {h!r}")
    if not items:
        errors.append(f"{name}:1: missing column 'item1'")
    if len(set(header)) != len(header):
        errors.append(f"{name}:1: a column is named twice")
    return items, errors


def plan_import(
    raw: bytes,
    name: str,
    instruments: dict[str, Instrument],
    known_clients: dict[str, Client],
) -> ImportPlan:
    """Check a whole CSV file and say what it would add, or raise ImportFailed with every error."""
    text = _decode(raw, name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([f"{name}: the file is empty (expected a header line)"]) from None
    except csv.Error as exc:
        raise ImportFailed([f"{name}:1: not a valid CSV header ({exc})"]) from None
    item_columns, errors = _item_columns(header, name)
    if errors:
        raise ImportFailed(errors)

    plan = ImportPlan()
    groups: dict[str, str] = {code: c.age_group for code, c in known_clients.items()}
    new_codes: dict[str, None] = {}
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"{name}:{start}: not valid CSV ({exc})")
            break
        line = start
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(f"{name}:{line}: expected {len(header)} columns, found {len(row)}")
            continue
        cells = {h: cell.strip() for h, cell in zip(header, row)}
        row_errors: list[str] = []

        def problem(column: str, message: str, line: int = line, found: list = row_errors) -> None:
            found.append(f"{name}:{line}: column {column}: {message}")

        def check(column, fn, value, problem=problem):
            try:
                return fn(value)
            except (InputError, InstrumentError) as exc:
                problem(column, str(exc))
                return None

        code = check("client", check_code, cells["client"])
        group = (
            check("age_group", check_age_group, cells["age_group"])
            if cells.get("age_group")
            else None
        )
        when = check("date", parse_when, cells["date"])
        rater = check("rater", check_rater, cells["rater"]) if cells.get("rater") else DEFAULT_RATER
        instrument = check(
            "instrument", lambda k: find_instrument(instruments, k), cells["instrument"]
        )
        items: dict[str, int] = {}
        if instrument is not None:
            for n, column in enumerate(item_columns):
                value = cells[column]
                if n < len(instrument.items):
                    if not value:
                        problem(
                            column,
                            f"{instrument.key} needs {len(instrument.items)} scores; "
                            "this one is blank",
                        )
                    else:
                        score = check(column, instrument.parse_score, value)
                        items[instrument.items[n].key] = score
                elif value:
                    problem(
                        column,
                        f"{instrument.key} has {len(instrument.items)} items; leave {column} blank",
                    )
            if len(item_columns) < len(instrument.items):
                problem("item1", f"{instrument.key} needs {len(instrument.items)} item columns")
        if code is not None and group is not None:
            known = groups.setdefault(code, group)
            if known != group:
                problem("age_group", f"client {code} is {known} elsewhere, here {group}")
        if row_errors:
            errors.extend(row_errors)
            continue
        if code not in known_clients:
            new_codes[code] = None
        plan.administrations.append(
            Administration(
                new_id(), code, instrument.key, when, items, rater, cells.get("note", "")
            )
        )
    if errors:
        raise ImportFailed(errors)
    plan.new_clients = [Client(code, groups.get(code, "adult")) for code in new_codes]
    return plan


def read_import_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ImportFailed([f"{path}: is a folder, not a CSV file"]) from None
    except OSError as exc:
        raise ImportFailed([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
