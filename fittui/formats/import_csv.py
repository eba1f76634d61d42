"""Reading a CSV file of ratings, row by row, into an import plan.

The header is ``client,age_group,date,instrument,rater,item1,...,itemN``; all but
``client``, ``date``, ``instrument`` and the item columns are optional, and ``note``,
``label``, ``archived``, ``instruments``, ``voided``, ``voided_at``, ``mode``, ``language``
and ``own_session`` may follow.
A client's label, archived state and start-of-session instruments are used only when the
import creates the client, and must agree from row to row. After the ratings, a section
headed ``client,episode,date,reason`` may hold the therapist's episode starts and ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fittui.domain.instruments import Instrument, parse_instrument_list
from fittui.domain.model import (
    DEFAULT_MODE,
    DEFAULT_RATER,
    Client,
    Voided,
    check_age_group,
    check_code,
    moment_now,
)
from fittui.domain.outside import check_plain
from fittui.formats.csv_json import CSV_LAST, EPISODE_HEADER, unguard_formula
from fittui.formats.import_checks import (
    Clients,
    ImportPlan,
    Instruments,
    Problems,
    Where,
    check_moment,
    check_void_reason,
    client_language,
    common_fields,
    episode_event,
)
from fittui.storage.journal import new_id

REQUIRED = ("client", "date", "instrument")
OPTIONAL = ("age_group", "rater", *CSV_LAST)  # every column the export writes, and no more
ARCHIVED_WORDS = {"": None, "no": False, "false": False, "yes": True, "true": True}


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
    "language": lambda code, was, now: f"client {code} rates in {was} elsewhere, here {now}",
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
                language=self.said[code].get("language", ""),
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
        instrument, common = common_fields(p, where, values, self.instruments, self.today)
        voided = self.voided(cells, where)
        own = cells.get("own_session")
        own_session = p.check(where("own_session"), check_moment, own) if own else None
        items = self.items(cells, where, instrument)
        self.client_fields(cells, where, code)
        if len(p.errors) > before or code is None or common is None:
            return
        if code not in self.book.known:
            self.book.new_codes[code] = None
        self.plan.administrations.append(
            common.rating(new_id(), code, items, voided, own_session=own_session)
        )

    def voided(self, cells: dict[str, str], where: Where) -> Voided | None:
        """Why and when a rating was voided; the time defaults to now."""
        p = self.problems
        if not cells.get("voided"):
            if cells.get("voided_at"):
                p.add(where("voided_at"), "a time without a reason in column voided")
            return None
        reason = p.check(where("voided"), check_void_reason, unguard_formula(cells["voided"]))
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
        language = p.check(where("language"), client_language, cells.get("language", ""))
        book.agree(p, where("language"), code, "language", language)

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

        event = episode_event(self.problems, where, values, self.book.has, self.today)
        if event is not None:
            self.plan.episode_events.append(event)
            self.plan.episode_places.append(where("date"))


def _csv_common(cells: dict[str, str]) -> dict[str, object]:
    """A CSV row's common fields, a blank rater or mode meaning the usual one."""
    return {
        "date": cells["date"],
        "rater": cells.get("rater") or DEFAULT_RATER,
        "note": unguard_formula(cells.get("note", "")),
        "mode": cells.get("mode") or DEFAULT_MODE,
        "instrument": cells["instrument"],
    }


def read_csv(
    text: str, p: Problems, instruments: Instruments, known: Clients, today: date | None
) -> ImportPlan:
    """Check a whole CSV file and say what it would add, or raise ImportFailed with every error.

    A rating or an episode event dated after ``today`` (default: the real today) is an
    error of its row. The episode section starts at its header row and runs to the end.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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
