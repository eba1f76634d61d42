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

Both formats report through one :class:`Problems` and share the checks of a rating's
common fields and of an episode event. Nothing is saved here: the result is a plan that
the store saves in one transaction, so one bad value means nothing is imported.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, overload

from fittui.domain.episodes import KINDS, REASONS, EpisodeEvent
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
from fittui.formats.csv_json import EPISODE_HEADER, EXPORT_FORMAT, unguard_formula
from fittui.storage.journal import SCHEMA_VERSION, new_id

if TYPE_CHECKING:
    from fittui.domain.model import Mode

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
Instruments = dict[str, Instrument]
Clients = dict[str, Client]
Where = Callable[[str], str]  # a field's name -> where it is in the file


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
    """What a file would add: clients not yet known, administrations in file order, and
    the therapist's episode starts and ends in file order."""

    new_clients: list[Client] = field(default_factory=list)
    administrations: list[Administration] = field(default_factory=list)
    episode_events: list[EpisodeEvent] = field(default_factory=list)


class Problems:
    """Every problem found in one file, each said with where it is.

    ``where`` is a line of a CSV file (``"12"``, ``"12: column date"``), written straight
    after the file's name as compilers do (``ratings.csv:12: column date: ...``), or a
    path in a JSON file (``"administrations[3].date"``), written after a space
    (``export.json: administrations[3].date: ...``).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[str] = []

    def add(self, where: str, message: str) -> None:
        joiner = ":" if where[:1].isdigit() else ": "
        self.errors.append(f"{self.name}{joiner}{where}: {message}")

    def refuse(self, message: str, where: str = "") -> NoReturn:
        """Stop at a problem that leaves nothing more to read (an empty file, not JSON)."""
        if where:
            self.add(where, message)
        else:
            self.errors.append(f"{self.name}: {message}")
        raise ImportFailed(self.errors)

    def stop_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)

    def check(self, where: str, fn: Callable[[Any], T], value: Any) -> T | None:
        """``fn(value)``, or None with the problem noted when it raises an input error."""
        try:
            return fn(value)
        except (InputError, InstrumentError) as exc:
            self.add(where, str(exc))
            return None

    @overload
    def text(self, where: str, value: object) -> str | None: ...
    @overload
    def text(self, where: str, value: object, fn: Callable[[str], T]) -> T | None: ...
    def text(
        self, where: str, value: object, fn: Callable[[str], T] | None = None
    ) -> str | T | None:
        """Text, passed through ``fn`` (a ``check_*``) when given; None with the problem."""
        if not isinstance(value, str):
            self.add(where, "must be text")
            return None
        return value if fn is None else self.check(where, fn, value)

    def fields(
        self, where: str, record: object, required: set[str], optional: set[str]
    ) -> dict[str, Any] | None:
        """A JSON record as a dict with exactly the allowed keys, or None with the problem."""
        if not isinstance(record, dict):
            self.add(where, "must be an object")
            return None
        missing = sorted(required - set(record))
        unknown = sorted(set(record) - required - optional)
        if missing:
            self.add(where, f"missing {', '.join(missing)}")
        if unknown:
            self.add(where, f"unknown field {', '.join(unknown)}")
        return None if missing or unknown else record


# -- checks both formats share -------------------------------------------------------------
def check_moment(text: str) -> str:
    """When a rating was voided or corrected: an ISO date and time, kept to the second."""
    try:
        return datetime.fromisoformat(text.strip()).isoformat(timespec="seconds")
    except ValueError:
        raise InputError(f"{text!r} is not an ISO date and time (YYYY-MM-DDTHH:MM:SS)") from None


def check_episode_day(text: str, today: date | None = None) -> str:
    """The day of an episode's start or end: an ISO date (no time), never after today."""
    day = parse_when(text)
    if len(day) != 10:
        raise InputError(f"date {text.strip()!r} is not a day (YYYY-MM-DD)")
    today = today or date.today()
    if date.fromisoformat(day) > today:
        raise InputError(
            f"date {day} is after today ({today.isoformat()}): an episode cannot start or "
            "end in the future"
        )
    return day


@dataclass(frozen=True)
class _Common:
    """The fields every rating has, whatever the format, once checked."""

    when: str
    rater: str
    note: str
    mode: Mode
    instrument: Instrument

    def rating(
        self,
        doc_id: str,
        code: str,
        items: dict[str, int],
        voided: Voided | None,
        corrections: tuple[Correction, ...] = (),
    ) -> Administration:
        """The administration these fields, with the format's own ones, describe."""
        return Administration(
            doc_id,
            code,
            self.instrument.key,
            self.when,
            items,
            self.rater,
            self.note,
            voided,
            corrections,
            self.mode,
        )


def _common_fields(
    p: Problems,
    where: Where,
    values: Mapping[str, object],
    instruments: dict[str, Instrument],
    today: date | None,
) -> tuple[Instrument | None, _Common | None]:
    """Date, rater, note, mode and instrument of one rating: the instrument (its items are
    checked against it whatever else is wrong), and all of them, None with every problem
    noted when any is wrong."""
    when = p.text(where("date"), values["date"], lambda t: check_not_future(parse_when(t), today))
    rater = p.text(where("rater"), values["rater"], check_rater)
    note = p.text(where("note"), values["note"], check_note)
    mode = p.text(where("mode"), values["mode"], check_mode)
    instrument = p.text(
        where("instrument"), values["instrument"], lambda k: find_instrument(instruments, k)
    )
    if when is None or rater is None or note is None or mode is None or instrument is None:
        return instrument, None
    return instrument, _Common(when, rater, note, mode, instrument)


def _episode_event(
    p: Problems,
    where: Where,
    values: Mapping[str, object],
    clients: Callable[[str], bool],
    today: date | None,
) -> EpisodeEvent | None:
    """One episode start or end (``client``, ``kind``, ``date``, ``reason``); ``clients``
    says whether a code is a client of the file or the database. None with the problems."""
    code = p.text(where("client"), values["client"], check_code)
    if code is not None and not clients(code):
        p.add(where("client"), f"unknown client {code!r} (not in the file, not in the database)")
    kind = p.text(where("kind"), values["kind"])
    if kind is not None and kind not in KINDS:
        p.add(where("kind"), "must be start or end")
    day = p.text(where("date"), values["date"], lambda t: check_episode_day(t, today))
    reason = values["reason"] if isinstance(values["reason"], str) and values["reason"] else None
    if kind == "end" and reason not in REASONS:
        p.add(where("reason"), f"an episode's end needs one of {', '.join(REASONS)}")
    if kind == "start" and reason is not None:
        p.add(where("reason"), "an episode's start has no reason; leave it out")
    if code is None or kind not in KINDS or day is None or (kind == "end") != (reason in REASONS):
        return None
    return EpisodeEvent("start" if kind == "start" else "end", day, reason, new_id(), code)


# -- bytes to text -------------------------------------------------------------------------
def _decode(raw: bytes, p: Problems, kind: str = "CSV") -> str:
    if len(raw) > MAX_IMPORT_BYTES:
        p.refuse(f"the file is larger than {MAX_IMPORT_BYTES // 2**20} MB")
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
    """The file's bytes, or ImportFailed saying why it cannot be read."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ImportFailed([f"{path}: is a folder, not a file to import"]) from None
    except OSError as exc:
        raise ImportFailed([f"{path}: cannot be read ({exc.strerror or exc})"]) from None


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


# -- CSV -----------------------------------------------------------------------------------
def _read_header(reader: Iterator[list[str]], p: Problems) -> tuple[list[str], list[str]]:
    """The header's column names, lower case, and its item columns; every problem at once."""
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        p.refuse("the file is empty (expected a header line)")
    except csv.Error as exc:
        p.refuse(f"not a valid CSV header ({exc})", "1")
    items = [h for h in header if h.startswith("item")]
    if items != [f"item{n}" for n in range(1, len(items) + 1)]:
        p.add("1", "item columns must be item1, item2, ... in order")
    for h in header:
        if h not in REQUIRED + OPTIONAL and not h.startswith("item"):
            p.add("1", f"unknown column {h!r}")
    for h in REQUIRED:
        if h not in header:
            p.add("1", f"missing column {h!r}")
    if not items:
        p.add("1", "missing column 'item1'")
    if len(set(header)) != len(header):
        p.add("1", "a column is named twice")
    p.stop_if_any()
    return header, items


def _csv_rows(reader: Any, p: Problems) -> Iterator[tuple[int, list[str]]]:
    """Each row that is not blank, with its line; a row that is not valid CSV ends the file."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            p.add(str(start), f"not valid CSV ({exc})")
            return
        if row and any(cell.strip() for cell in row):
            yield start, row


# What each client field says when two rows of one client disagree (was, now).
_DISAGREE: dict[str, Callable[[str, Any, Any], str]] = {
    "age_group": lambda code, was, now: f"client {code} is {was} elsewhere, here {now}",
    "label": lambda code, was, now: f"client {code} is labelled {was!r} elsewhere, here {now!r}",
    "archived": lambda code, was, now: (
        f"client {code} is {'' if was else 'not '}archived elsewhere"
    ),
    "instruments": lambda code, was, now: (
        f"client {code} starts sessions with {','.join(was)} elsewhere, here {','.join(now)}"
    ),
}


class _ClientBook:
    """What the CSV's rows say about each client: every row of a client must agree, and
    with the database on the age group; the rest is used only for a new client."""

    def __init__(self, known: dict[str, Client]) -> None:
        self.known = known
        self.said: dict[str, dict[str, Any]] = {
            code: {"age_group": c.age_group} for code, c in known.items()
        }
        self.new_codes: dict[str, None] = {}

    def agree(self, p: Problems, where: str, code: str | None, column: str, value: Any) -> None:
        """Note ``value`` for the client, or a problem when another row said otherwise."""
        if code is None or value is None or value == "" or value == ():
            return
        was = self.said.setdefault(code, {}).setdefault(column, value)
        if was != value:
            p.add(where, _DISAGREE[column](code, was, value))

    def seen(self, code: str | None) -> None:
        """A row names the client: its episode events may follow."""
        if code is not None:
            self.said.setdefault(code, {})

    def has(self, code: str) -> bool:
        return code in self.said

    def new_clients(self) -> list[Client]:
        return [
            Client(
                code,
                self.said[code].get("age_group", "adult"),
                self.said[code].get("label", ""),
                self.said[code].get("archived", False),
                self.said[code].get("instruments", ()),
            )
            for code in self.new_codes
        ]


@dataclass
class _CsvReading:
    """One CSV file being read row by row into a plan, every problem in ``problems``."""

    problems: Problems
    header: list[str]
    item_columns: list[str]
    instruments: dict[str, Instrument]
    today: date | None
    book: _ClientBook
    plan: ImportPlan = field(default_factory=ImportPlan)

    def rating_row(self, line: int, row: list[str]) -> None:
        """One rating row: checked, and added to the plan when it has no problem."""
        p = self.problems
        if len(row) != len(self.header):
            p.add(str(line), f"expected {len(self.header)} columns, found {len(row)}")
            return
        cells = {h: cell.strip() for h, cell in zip(self.header, row)}

        def where(column: str) -> str:
            return f"{line}: column {column}"

        before = len(p.errors)
        code = p.check(where("client"), check_code, cells["client"])
        self.book.seen(code)
        values = _csv_common(cells)
        instrument, common = _common_fields(p, where, values, self.instruments, self.today)
        voided = self.voided(cells, where)
        items = self.items(cells, where, instrument)
        self.client_fields(cells, where, code)
        if len(p.errors) > before or code is None or common is None:
            return
        if code not in self.book.known:
            self.book.new_codes[code] = None
        self.plan.administrations.append(common.rating(new_id(), code, items, voided))

    def voided(self, cells: dict[str, str], where: Where) -> Voided | None:
        """Why and when a rating was voided; the time defaults to now."""
        p = self.problems
        if not cells.get("voided"):
            if cells.get("voided_at"):
                p.add(where("voided_at"), "a time without a reason in column voided")
            return None
        reason = p.check(where("voided"), check_reason, unguard_formula(cells["voided"]))
        at = (
            p.check(where("voided_at"), check_moment, cells["voided_at"])
            if cells.get("voided_at")
            else moment_now()
        )
        return None if reason is None or at is None else Voided(reason, at)

    def items(
        self, cells: dict[str, str], where: Where, instrument: Instrument | None
    ) -> dict[str, int]:
        """The item scores: one per item of the instrument, the columns after it blank."""
        if instrument is None:
            return {}
        p, needed, items = self.problems, len(instrument.items), {}
        for n, column in enumerate(self.item_columns):
            value = cells[column]
            if n >= needed:
                if value:
                    p.add(
                        where(column), f"{instrument.key} has {needed} items; leave {column} blank"
                    )
            elif not value:
                p.add(where(column), f"{instrument.key} needs {needed} scores; this one is blank")
            elif (score := p.check(where(column), instrument.parse_score, value)) is not None:
                items[instrument.items[n].key] = score
        if len(self.item_columns) < needed:
            p.add(where("item1"), f"{instrument.key} needs {needed} item columns")
        return items

    def client_fields(self, cells: dict[str, str], where: Where, code: str | None) -> None:
        """Age group, label, archived and session instruments, agreeing across the rows."""
        p, book = self.problems, self.book
        if cells.get("age_group"):
            group = p.check(where("age_group"), check_age_group, cells["age_group"])
            book.agree(p, where("age_group"), code, "age_group", group)
        label = p.check(
            where("label"),
            lambda t: check_plain(t, "label"),
            unguard_formula(cells.get("label", "")),
        )
        book.agree(p, where("label"), code, "label", label)
        word = cells.get("archived", "").lower()
        if word not in ARCHIVED_WORDS:
            p.add(where("archived"), "must be yes, no or blank")
        book.agree(p, where("archived"), code, "archived", ARCHIVED_WORDS.get(word))
        keys = p.check(
            where("instruments"),
            lambda text: parse_instrument_list(self.instruments, text),
            cells.get("instruments", ""),
        )
        book.agree(p, where("instruments"), code, "instruments", keys)

    def event_row(self, line: int, row: list[str]) -> None:
        """One row of the episode section: ``client,episode,date,reason``."""
        if len(row) != len(EPISODE_HEADER):
            found = f"expected {len(EPISODE_HEADER)} columns, found {len(row)}"
            self.problems.add(str(line), f"episode section: {found}")
            return
        cells = dict(zip(EPISODE_HEADER, (cell.strip() for cell in row)))
        values = {**cells, "kind": cells["episode"]}

        def where(name: str) -> str:
            return f"{line}: column {'episode' if name == 'kind' else name}"

        event = _episode_event(self.problems, where, values, self.book.has, self.today)
        if event is not None:
            self.plan.episode_events.append(event)


def _csv_common(cells: dict[str, str]) -> dict[str, object]:
    """A CSV row's common fields, a blank rater or mode meaning the usual one."""
    return {
        "date": cells["date"],
        "rater": cells.get("rater") or DEFAULT_RATER,
        "note": unguard_formula(cells.get("note", "")),
        "mode": cells.get("mode") or DEFAULT_MODE,
        "instrument": cells["instrument"],
    }


def plan_import(
    raw: bytes, name: str, instruments: Instruments, known: Clients, today: date | None = None
) -> ImportPlan:
    """Check a whole CSV file and say what it would add, or raise ImportFailed with every error.

    A rating or an episode event dated after ``today`` (default: the real today) is an
    error of its row. The episode section starts at its header row and runs to the end.
    """
    p = Problems(name)
    reader = csv.reader(io.StringIO(_decode(raw, p), newline=""), strict=True)
    header, item_columns = _read_header(reader, p)
    reading = _CsvReading(p, header, item_columns, instruments, today, _ClientBook(known))
    in_episodes = False
    for line, row in _csv_rows(reader, p):
        if tuple(cell.strip().lower() for cell in row) == EPISODE_HEADER:
            in_episodes = True
        elif in_episodes:
            reading.event_row(line, row)
        else:
            reading.rating_row(line, row)
    p.stop_if_any()
    reading.plan.new_clients = reading.book.new_clients()
    return reading.plan


# -- JSON ----------------------------------------------------------------------------------
def _refuse_constant(text: str) -> None:
    raise ValueError(f"{text} is not a number fittui can store")


def _load_json(raw: bytes, p: Problems) -> object:
    text = _decode(raw, p, "JSON")
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        head = json.loads(first_line)
    except (ValueError, RecursionError):
        head = None
    if isinstance(head, dict) and "fittui" in head and "records" in head:
        p.refuse(
            "this is a fittui database or backup, not an export; "
            "bring a backup back with 'fittui restore FILE'"
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        p.refuse(f"not valid JSON ({exc.msg}, column {exc.colno})", str(exc.lineno))
    except ValueError as exc:
        p.refuse(f"not valid JSON ({exc})")
    except RecursionError:
        p.refuse("not valid JSON (nested too deeply)")


def _json_document(raw: bytes, p: Problems) -> dict[str, Any]:
    """The export's top level: its format, a schema this fittui reads, and lists of records."""
    data = _load_json(raw, p)
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        p.refuse(f'not a fittui export (no "format": "{EXPORT_FORMAT}")')
    schema = data.get("schema")
    if type(schema) is not int or not 1 <= schema <= SCHEMA_VERSION:
        p.refuse(f"schema {schema!r} is not one this fittui reads (1 to {SCHEMA_VERSION})")
    required = {"format", "schema", "clients", "administrations"}
    if p.fields("the file", data, required, {"fittui", "episode_events"}):
        for part in ("clients", "administrations", "episode_events"):
            if not isinstance(data.get(part, []), list):
                p.add(part, "must be a list")
    p.stop_if_any()
    return data


def plan_import_json(
    raw: bytes, name: str, instruments: Instruments, known: Clients, today: date | None = None
) -> ImportPlan:
    """Check a whole ``fittui export --format json`` file and say what it would add.

    Administrations and episode events keep their ids (the store gives a new one only
    where the id is taken); administrations keep their voided flag and their corrections,
    so exporting again gives the same file. A rating or an episode event dated after
    ``today`` is an error. Raises ImportFailed with every problem.
    """
    p = Problems(name)
    data = _json_document(raw, p)
    in_file = _json_clients(p, data["clients"], instruments, known)
    plan = ImportPlan(new_clients=[c for code, c in in_file.items() if code not in known])
    clients = in_file.keys() | known.keys()
    ids: set[str] = set()
    for n, record in enumerate(data["administrations"]):
        where = f"administrations[{n}]"
        rating = _json_administration(p, where, record, ids, instruments, clients, today)
        if rating is not None:
            plan.administrations.append(rating)
    ids = set()
    for n, record in enumerate(data.get("episode_events", [])):
        event = _json_event(p, f"episode_events[{n}]", record, ids, clients, today)
        if event is not None:
            plan.episode_events.append(event)
    p.stop_if_any()
    return plan


def _json_id(p: Problems, where: str, value: object, ids: set[str]) -> str | None:
    """A record's id: 1-64 letters, digits, '-' or '_', used once in its list."""
    doc_id = p.text(where, value)
    if doc_id is None:
        return None
    if not ID_PATTERN.match(doc_id):
        p.add(where, "must be 1-64 letters, digits, '-' or '_'")
    elif doc_id in ids:
        p.add(where, f"id {doc_id} is used twice")
    ids.add(doc_id)
    return doc_id


def _json_clients(
    p: Problems, records: list[object], instruments: dict[str, Instrument], known: dict[str, Client]
) -> dict[str, Client]:
    """The file's clients by code; a known client's age group must match the database's."""
    in_file: dict[str, Client] = {}
    for n, record in enumerate(records):
        where = f"clients[{n}]"
        doc = p.fields(where, record, {"code", "age_group"}, {"label", "archived", "instruments"})
        if doc is None:
            continue
        code = p.text(f"{where}.code", doc["code"], check_code)
        group = p.text(f"{where}.age_group", doc["age_group"], check_age_group)
        label = p.text(f"{where}.label", doc.get("label", ""), lambda t: check_plain(t, "label"))
        archived = doc.get("archived", False)
        if not isinstance(archived, bool):
            p.add(f"{where}.archived", "must be true or false")
        keys = _json_session_set(p, f"{where}.instruments", doc.get("instruments", []), instruments)
        if code is None or group is None or label is None or keys is None:
            continue
        if code in in_file:
            p.add(f"{where}.code", f"client {code} is listed twice")
            continue
        was = known.get(code)
        if was is not None and was.age_group != group:
            p.add(
                f"{where}.age_group",
                f"client {code} is {was.age_group} in the database, {group} in the file",
            )
        in_file[code] = Client(code, group, label.strip(), archived is True, keys)
    return in_file


def _json_administration(
    p: Problems,
    where: str,
    record: object,
    ids: set[str],
    instruments: dict[str, Instrument],
    clients: set[str],
    today: date | None,
) -> Administration | None:
    """One administration as the export writes it; None with its problems noted."""
    doc = p.fields(
        where,
        record,
        {"id", "client", "instrument", "date", "items"},
        {"rater", "note", "voided", "corrections", "mode"},
    )
    if doc is None:
        return None
    before = len(p.errors)
    doc_id = _json_id(p, f"{where}.id", doc["id"], ids)
    code = p.text(f"{where}.client", doc["client"])
    if code is not None and code not in clients:
        p.add(f"{where}.client", f"unknown client {code!r} (not in clients)")
    values = {"rater": DEFAULT_RATER, "note": "", "mode": DEFAULT_MODE, **doc}
    instrument, common = _common_fields(
        p, lambda name: f"{where}.{name}", values, instruments, today
    )
    items = _json_items(p, f"{where}.items", doc["items"], instrument)
    voided = _json_voided(p, f"{where}.voided", doc.get("voided"))
    corrections = _json_corrections(p, f"{where}.corrections", doc.get("corrections", []))
    if len(p.errors) > before or doc_id is None or code is None or common is None:
        return None  # each None has its problem noted
    return common.rating(doc_id, code, items, voided, corrections)


def _json_event(
    p: Problems, where: str, record: object, ids: set[str], clients: set[str], today: date | None
) -> EpisodeEvent | None:
    """One episode start or end, ``{"id", "client", "kind", "date", "reason"}``."""
    doc = p.fields(where, record, {"client", "kind", "date"}, {"id", "reason"})
    if doc is None:
        return None
    doc_id = _json_id(p, f"{where}.id", doc["id"], ids) if "id" in doc else None
    reason = doc.get("reason")
    if reason is not None and not isinstance(reason, str):
        p.add(f"{where}.reason", "must be text or null")
        reason = None
    values = {**doc, "reason": reason}
    event = _episode_event(p, lambda name: f"{where}.{name}", values, clients.__contains__, today)
    if event is None or doc_id is None:
        return event
    return EpisodeEvent(event.kind, event.date, event.reason, doc_id, event.client)


def _json_voided(p: Problems, where: str, record: object) -> Voided | None:
    """``{"reason": ..., "at": ...}`` of a voided rating; None when absent or wrong."""
    if record is None:
        return None
    doc = p.fields(where, record, {"reason", "at"}, set())
    if doc is None:
        return None
    reason = p.text(f"{where}.reason", doc["reason"], check_reason)
    at = p.text(f"{where}.at", doc["at"], check_moment)
    return None if reason is None or at is None else Voided(reason, at)


def _json_corrections(p: Problems, where: str, records: object) -> tuple[Correction, ...]:
    """A rating's corrections, each ``{"what", "old", "new", "at"}`` as the export writes it."""
    if not isinstance(records, list):
        p.add(where, "must be a list")
        return ()
    found = []
    for n, record in enumerate(records):
        doc = p.fields(f"{where}[{n}]", record, {"what", "old", "new", "at"}, set())
        if doc is None:
            continue
        what = p.text(f"{where}[{n}].what", doc["what"])
        at = p.text(f"{where}[{n}].at", doc["at"], check_moment)
        if what not in CORRECTED_FIELDS:
            if what is not None:
                p.add(f"{where}[{n}].what", f"must be one of {', '.join(CORRECTED_FIELDS)}")
            continue
        # The old and new values are a client code or a date, checked as such.
        value = check_code if what == "client" else parse_when
        old = p.text(f"{where}[{n}].old", doc["old"], value)
        new = p.text(f"{where}[{n}].new", doc["new"], value)
        if old is not None and new is not None and at is not None:
            found.append(Correction(what, old, new, at))
    return tuple(found)


def _json_session_set(
    p: Problems, where: str, keys: object, instruments: dict[str, Instrument]
) -> tuple[str, ...] | None:
    """A client's start-of-session instruments: a list of known keys, none twice; None with
    the problem noted otherwise."""
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        p.add(where, 'must be a list of instrument keys, e.g. ["PHQ-9", "ORS"]')
        return None
    checked = [
        p.check(f"{where}[{n}]", lambda k: find_instrument(instruments, k).key, key)
        for n, key in enumerate(keys)
    ]
    found = tuple(key for key in checked if key is not None)
    if len(found) != len(checked):
        return None
    twice = [key for n, key in enumerate(found) if key in found[:n]]
    if twice:
        p.add(where, f"instrument {twice[0]} is named twice")
        return None
    return found


def _json_items(
    p: Problems, where: str, scores: object, instrument: Instrument | None
) -> dict[str, int]:
    """Item scores keyed by the instrument's item keys, every key present, in item order."""
    if not isinstance(scores, dict):
        p.add(where, "must be an object of item scores")
        return {}
    if instrument is None:
        return {}
    keys = [i.key for i in instrument.items]
    missing = [k for k in keys if k not in scores]
    unknown = sorted(set(scores) - set(keys))
    if missing:
        p.add(where, f"{instrument.key} needs {', '.join(missing)}")
    if unknown:
        p.add(where, f"{instrument.key} has no item {', '.join(unknown)}")
    items = {}
    for key in keys:
        value = scores.get(key)
        if key not in scores:
            continue
        if type(value) not in (int, float):
            p.add(f"{where}.{key}", "must be a number")
            continue
        score = p.check(f"{where}.{key}", instrument.parse_score, repr(value))
        if score is not None:
            items[key] = score
    return items
