"""Reading ratings from CSV or fittui's JSON export: every value checked, every error named.

The CSV header is ``client,age_group,date,instrument,rater,item1,...,itemN`` (``age_group``,
``rater``, ``note``, ``label``, ``archived``, ``instruments``, and ``voided`` with
``voided_at`` for a rating entered in error, are optional); errors name the line and
column. A rating dated after today refuses the whole file. A client's label, archived
state and start-of-session instruments (``"PHQ-9,GAD-7,ORS"`` in one cell) are used only
when the import creates the client. The JSON is what ``fittui export --format json``
writes; errors name the path in the file, e.g. ``administrations[3].items.socially``.
Nothing is saved here: the result is a plan that the store saves in one transaction, so
one bad value means nothing is imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, overload

from fittui.domain.instruments import (
    Instrument,
    InstrumentError,
    find_instrument,
    parse_instrument_list,
)
from fittui.domain.model import (
    CORRECTED_FIELDS,
    DEFAULT_MODE,
    DEFAULT_RATER,
    Administration,
    Client,
    Correction,
    InputError,
    Voided,
    check_age_group,
    check_code,
    check_mode,
    check_not_future,
    check_rater,
    check_reason,
    moment_now,
    parse_when,
)
from fittui.domain.outside import check_note, check_plain
from fittui.formats.csv_json import EXPORT_FORMAT, unguard_formula
from fittui.storage.journal import SCHEMA_VERSION, new_id

MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_ERRORS_SHOWN = 50
REQUIRED = ("client", "date", "instrument")
OPTIONAL = (
    "age_group",
    "rater",
    "note",
    "label",
    "archived",
    "instruments",
    "voided",
    "voided_at",
    "mode",
)
ARCHIVED_WORDS = {"": None, "no": False, "false": False, "yes": True, "true": True}
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
T = TypeVar("T")


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


def _decode(raw: bytes, name: str, kind: str = "CSV") -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFailed([f"{name}: the file is larger than {MAX_IMPORT_BYTES // 2**20} MB"])
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportFailed([f"{name}:1: UTF-16 text; save the file as UTF-8 {kind}"])
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise ImportFailed([f"{name}:{line}: not a {kind} text file (binary data)"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFailed(
            [f"{name}:{line}: not UTF-8 text; save the file as UTF-8 {kind}"]
        ) from None


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


def check_moment(text: str) -> str:
    """When a rating was voided or corrected: an ISO date and time, kept to the second."""
    try:
        return datetime.fromisoformat(text.strip()).isoformat(timespec="seconds")
    except ValueError:
        raise InputError(f"{text!r} is not an ISO date and time (YYYY-MM-DDTHH:MM:SS)") from None


def plan_import(
    raw: bytes,
    name: str,
    instruments: dict[str, Instrument],
    known_clients: dict[str, Client],
    today: date | None = None,
) -> ImportPlan:
    """Check a whole CSV file and say what it would add, or raise ImportFailed with every error.

    A rating dated after ``today`` (default: the real today) is an error of its row.
    """
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
    labels: dict[str, str] = {}
    archived: dict[str, bool] = {}
    session_sets: dict[str, tuple[str, ...]] = {}
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

        def problem(
            column: str, message: str, line: int = line, found: list[str] = row_errors
        ) -> None:
            found.append(f"{name}:{line}: column {column}: {message}")

        # Any: the row's values are used only once the row has no problem (row_errors).
        def check(
            column: str,
            fn: Callable[[str], Any],
            value: str,
            problem: Callable[[str, str], None] = problem,
        ) -> Any:
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
        when = check("date", lambda text: check_not_future(parse_when(text), today), cells["date"])
        rater = check("rater", check_rater, cells["rater"]) if cells.get("rater") else DEFAULT_RATER
        voided = None
        if cells.get("voided"):
            reason = check("voided", check_reason, unguard_formula(cells["voided"]))
            at = (
                check("voided_at", check_moment, cells["voided_at"])
                if cells.get("voided_at")
                else moment_now()
            )
            voided = None if reason is None or at is None else Voided(reason, at)
        elif cells.get("voided_at"):
            problem("voided_at", "a time without a reason in column voided")
        mode = check("mode", check_mode, cells["mode"]) if cells.get("mode") else DEFAULT_MODE
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
        label = check(
            "label", lambda t: check_plain(t, "label"), unguard_formula(cells.get("label", ""))
        )
        if code is not None and label:
            known = labels.setdefault(code, label)
            if known != label:
                problem("label", f"client {code} is labelled {known!r} elsewhere, here {label!r}")
        word = cells.get("archived", "").lower()
        state = ARCHIVED_WORDS.get(word)
        if word not in ARCHIVED_WORDS:
            problem("archived", "must be yes, no or blank")
        elif code is not None and state is not None:
            was_archived = archived.setdefault(code, state)
            if was_archived != state:
                problem(
                    "archived",
                    f"client {code} is {'' if was_archived else 'not '}archived elsewhere",
                )
        keys = check(
            "instruments",
            lambda text: parse_instrument_list(instruments, text),
            cells.get("instruments", ""),
        )
        if code is not None and keys:
            known_keys = session_sets.setdefault(code, keys)
            if known_keys != keys:
                problem(
                    "instruments",
                    f"client {code} starts sessions with {','.join(known_keys)} elsewhere, "
                    f"here {','.join(keys)}",
                )
        note = check("note", check_note, unguard_formula(cells.get("note", "")))
        if row_errors:
            errors.extend(row_errors)
            continue
        if code not in known_clients:
            new_codes[code] = None
        plan.administrations.append(
            Administration(
                new_id(),
                code,
                instrument.key,
                when,
                items,
                rater,
                note,
                voided,
                mode=mode,
            )
        )
    if errors:
        raise ImportFailed(errors)
    plan.new_clients = [
        Client(
            code,
            groups.get(code, "adult"),
            labels.get(code, ""),
            archived.get(code, False),
            session_sets.get(code, ()),
        )
        for code in new_codes
    ]
    return plan


def _is_json(raw: bytes, name: str) -> bool:
    """A file is read as fittui's JSON export when named .json or when it starts with '{'."""
    return name.lower().endswith(".json") or raw.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{"


def plan_import_file(
    raw: bytes,
    name: str,
    instruments: dict[str, Instrument],
    known_clients: dict[str, Client],
    today: date | None = None,
) -> ImportPlan:
    """CSV or fittui's JSON export, told apart by the name and the first character."""
    if _is_json(raw, name):
        return plan_import_json(raw, name, instruments, known_clients, today)
    return plan_import(raw, name, instruments, known_clients, today)


def _refuse_constant(text: str) -> None:
    raise ValueError(f"{text} is not a number fittui can store")


def _load_json(raw: bytes, name: str) -> object:
    text = _decode(raw, name, "JSON")
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        head = json.loads(first_line)
    except (ValueError, RecursionError):
        head = None
    if isinstance(head, dict) and "fittui" in head and "records" in head:
        raise ImportFailed(
            [
                f"{name}: this is a fittui database or backup, not an export; "
                "bring a backup back with 'fittui restore FILE'"
            ]
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [f"{name}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})"]
        ) from None
    except ValueError as exc:
        raise ImportFailed([f"{name}: not valid JSON ({exc})"]) from None
    except RecursionError:
        raise ImportFailed([f"{name}: not valid JSON (nested too deeply)"]) from None


class _Checker:
    """Collects every problem of a JSON export, each with its path in the file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.errors.append(f"{self.name}: {where}: {message}")

    def check(self, where: str, fn: Callable[[Any], T], value: Any) -> T | None:
        """``fn(value)``, or None with the problem noted when it raises an input error."""
        try:
            return fn(value)
        except (InputError, InstrumentError) as exc:
            self.problem(where, str(exc))
            return None

    def fields(
        self, where: str, record: object, required: set[str], optional: set[str]
    ) -> dict[str, Any] | None:
        """The record as a dict with exactly the allowed keys, or None with the problem."""
        if not isinstance(record, dict):
            self.problem(where, "must be an object")
            return None
        missing = sorted(required - set(record))
        unknown = sorted(set(record) - required - optional)
        if missing:
            self.problem(where, f"missing {', '.join(missing)}")
        if unknown:
            self.problem(where, f"unknown field {', '.join(unknown)}")
        return None if missing or unknown else record

    @overload
    def text(self, where: str, value: object) -> str | None: ...
    @overload
    def text(self, where: str, value: object, fn: Callable[[str], T]) -> T | None: ...
    def text(
        self, where: str, value: object, fn: Callable[[str], T] | None = None
    ) -> str | T | None:
        """Text, passed through ``fn`` (a ``check_*``) when given; None with the problem."""
        if not isinstance(value, str):
            self.problem(where, "must be text")
            return None
        return value if fn is None else self.check(where, fn, value)


def plan_import_json(
    raw: bytes,
    name: str,
    instruments: dict[str, Instrument],
    known_clients: dict[str, Client],
    today: date | None = None,
) -> ImportPlan:
    """Check a whole ``fittui export --format json`` file and say what it would add.

    Administrations keep their ids (the store gives a new one only where the id is taken),
    their voided flag and their corrections, so exporting again gives the same file. A
    rating dated after ``today`` is an error. Raises ImportFailed with every problem.
    """
    data = _load_json(raw, name)
    c = _Checker(name)
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ImportFailed([f'{name}: not a fittui export (no "format": "{EXPORT_FORMAT}")'])
    schema = data.get("schema")
    if type(schema) is not int or not 1 <= schema <= SCHEMA_VERSION:
        raise ImportFailed(
            [f"{name}: schema {schema!r} is not one this fittui reads (1 to {SCHEMA_VERSION})"]
        )
    if c.fields("the file", data, {"format", "schema", "clients", "administrations"}, {"fittui"}):
        for part in ("clients", "administrations"):
            if not isinstance(data[part], list):
                c.problem(part, "must be a list")
    if c.errors:
        raise ImportFailed(c.errors)

    in_file: dict[str, Client] = {}
    for n, record in enumerate(data["clients"]):
        where = f"clients[{n}]"
        doc = c.fields(where, record, {"code", "age_group"}, {"label", "archived", "instruments"})
        if doc is None:
            continue
        code = c.text(f"{where}.code", doc["code"], check_code)
        group = c.text(f"{where}.age_group", doc["age_group"], check_age_group)
        label = c.text(f"{where}.label", doc.get("label", ""), lambda t: check_plain(t, "label"))
        archived = doc.get("archived", False)
        if not isinstance(archived, bool):
            c.problem(f"{where}.archived", "must be true or false")
        keys = _json_session_set(c, f"{where}.instruments", doc.get("instruments", []), instruments)
        if code is None or group is None or label is None or keys is None:
            continue
        if code in in_file:
            c.problem(f"{where}.code", f"client {code} is listed twice")
            continue
        known = known_clients.get(code)
        if known is not None and known.age_group != group:
            c.problem(
                f"{where}.age_group",
                f"client {code} is {known.age_group} in the database, {group} in the file",
            )
        in_file[code] = Client(code, group, label.strip(), archived is True, keys)

    plan = ImportPlan(new_clients=[cl for code, cl in in_file.items() if code not in known_clients])
    ids: set[str] = set()
    for n, record in enumerate(data["administrations"]):
        where = f"administrations[{n}]"
        doc = c.fields(
            where,
            record,
            {"id", "client", "instrument", "date", "items"},
            {"rater", "note", "voided", "corrections", "mode"},
        )
        if doc is None:
            continue
        before = len(c.errors)
        doc_id = c.text(f"{where}.id", doc["id"])
        if doc_id is not None:
            if not ID_PATTERN.match(doc_id):
                c.problem(f"{where}.id", "must be 1-64 letters, digits, '-' or '_'")
            elif doc_id in ids:
                c.problem(f"{where}.id", f"id {doc_id} is used twice")
            ids.add(doc_id)
        code = c.text(f"{where}.client", doc["client"])
        if code is not None and code not in in_file and code not in known_clients:
            c.problem(f"{where}.client", f"unknown client {code!r} (not in clients)")
        when = c.text(
            f"{where}.date", doc["date"], lambda text: check_not_future(parse_when(text), today)
        )
        rater = c.text(f"{where}.rater", doc.get("rater", DEFAULT_RATER), check_rater)
        note = c.text(f"{where}.note", doc.get("note", ""), check_note)
        mode = c.text(f"{where}.mode", doc.get("mode", DEFAULT_MODE), check_mode)
        instrument = c.text(
            f"{where}.instrument", doc["instrument"], lambda k: find_instrument(instruments, k)
        )
        items = _json_items(c, f"{where}.items", doc["items"], instrument)
        voided = _json_voided(c, f"{where}.voided", doc.get("voided"))
        corrections = _json_corrections(c, f"{where}.corrections", doc.get("corrections", []))
        if (
            len(c.errors) > before
            or doc_id is None
            or code is None
            or when is None
            or rater is None
            or note is None
            or mode is None
            or instrument is None
        ):
            continue  # each None has its problem noted
        plan.administrations.append(
            Administration(
                doc_id, code, instrument.key, when, items, rater, note, voided, corrections, mode
            )
        )
    if c.errors:
        raise ImportFailed(c.errors)
    return plan


def _json_voided(c: _Checker, where: str, record: object) -> Voided | None:
    """``{"reason": ..., "at": ...}`` of a voided rating; None when absent or wrong."""
    if record is None:
        return None
    doc = c.fields(where, record, {"reason", "at"}, set())
    if doc is None:
        return None
    reason = c.text(f"{where}.reason", doc["reason"], check_reason)
    at = c.text(f"{where}.at", doc["at"], check_moment)
    return None if reason is None or at is None else Voided(reason, at)


def _json_corrections(c: _Checker, where: str, records: object) -> tuple[Correction, ...]:
    """A rating's corrections, each ``{"what", "old", "new", "at"}`` as the export writes it."""
    if not isinstance(records, list):
        c.problem(where, "must be a list")
        return ()
    found = []
    for n, record in enumerate(records):
        doc = c.fields(f"{where}[{n}]", record, {"what", "old", "new", "at"}, set())
        if doc is None:
            continue
        what = c.text(f"{where}[{n}].what", doc["what"])
        at = c.text(f"{where}[{n}].at", doc["at"], check_moment)
        if what not in CORRECTED_FIELDS:
            if what is not None:
                c.problem(f"{where}[{n}].what", f"must be one of {', '.join(CORRECTED_FIELDS)}")
            continue
        # The old and new values are a client code or a date, checked as such.
        value = check_code if what == "client" else parse_when
        old = c.text(f"{where}[{n}].old", doc["old"], value)
        new = c.text(f"{where}[{n}].new", doc["new"], value)
        if old is not None and new is not None and at is not None:
            found.append(Correction(what, old, new, at))
    return tuple(found)


def _json_session_set(
    c: _Checker, where: str, keys: object, instruments: dict[str, Instrument]
) -> tuple[str, ...] | None:
    """A client's start-of-session instruments: a list of known keys, none twice; None with
    the problem noted otherwise."""
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        c.problem(where, 'must be a list of instrument keys, e.g. ["PHQ-9", "ORS"]')
        return None
    checked = [
        c.check(f"{where}[{n}]", lambda k: find_instrument(instruments, k).key, key)
        for n, key in enumerate(keys)
    ]
    found = tuple(key for key in checked if key is not None)
    if len(found) != len(checked):
        return None
    twice = [key for n, key in enumerate(found) if key in found[:n]]
    if twice:
        c.problem(where, f"instrument {twice[0]} is named twice")
        return None
    return found


def _json_items(
    c: _Checker, where: str, scores: object, instrument: Instrument | None
) -> dict[str, int]:
    """Item scores keyed by the instrument's item keys, every key present, in item order."""
    if not isinstance(scores, dict):
        c.problem(where, "must be an object of item scores")
        return {}
    if instrument is None:
        return {}
    keys = [i.key for i in instrument.items]
    missing = [k for k in keys if k not in scores]
    unknown = sorted(set(scores) - set(keys))
    if missing:
        c.problem(where, f"{instrument.key} needs {', '.join(missing)}")
    if unknown:
        c.problem(where, f"{instrument.key} has no item {', '.join(unknown)}")
    items = {}
    for key in keys:
        value = scores.get(key)
        if key not in scores:
            continue
        if type(value) not in (int, float):
            c.problem(f"{where}.{key}", "must be a number")
            continue
        score = c.check(f"{where}.{key}", instrument.parse_score, repr(value))
        if score is not None:
            items[key] = score
    return items


def read_import_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ImportFailed([f"{path}: is a folder, not a file to import"]) from None
    except OSError as exc:
        raise ImportFailed([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
