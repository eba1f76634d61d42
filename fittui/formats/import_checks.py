"""What CSV and JSON import share: one collector of problems, the plan, and the checks of
a rating's common fields and of an episode event.

Every problem is said with the file and where in it, a line and column of a CSV file or a
path in a JSON file, so the therapist can find and fix it; nothing is saved until a whole
file has none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, overload

from fittui.domain.episodes import KINDS, REASONS, EpisodeEvent
from fittui.domain.instruments import Instrument, InstrumentError, find_instrument
from fittui.domain.language import check_language
from fittui.domain.model import (
    Administration,
    Client,
    Correction,
    InputError,
    Voided,
    check_code,
    check_mode,
    check_not_future,
    check_rater,
    check_reason,
    parse_when,
)
from fittui.domain.outside import check_note, check_plain
from fittui.storage.journal import new_id

if TYPE_CHECKING:
    from fittui.domain.model import Mode

MAX_ERRORS_SHOWN = 50
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
    # Where each episode event's date is in the file, in the same order: for the check
    # against the client's episodes (``import_episodes.check_imported_events``).
    episode_places: list[str] = field(default_factory=list)
    # Pairs of client codes to link as one case (JSON's ``linked``), each pair once.
    links: list[tuple[str, str]] = field(default_factory=list)


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


def check_void_reason(text: str) -> str:
    """Why a rating was voided, checked as ``fittui void`` checks it: a bidirectional
    override in it (which would show the words in another order) is refused too."""
    return check_plain(check_reason(text), "reason")


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
class Rated:
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
        own_session: str | None = None,
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
            own_session,
        )


def common_fields(
    p: Problems,
    where: Where,
    values: Mapping[str, object],
    instruments: dict[str, Instrument],
    today: date | None,
) -> tuple[Instrument | None, Rated | None]:
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
    return instrument, Rated(when, rater, note, mode, instrument)


def episode_event(
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
    reasons = ", ".join(REASONS)
    if kind == "end" and reason is None:
        p.add(where("reason"), f"an episode's end needs its reason ({reasons})")
    elif kind == "end" and reason not in REASONS:
        p.add(where("reason"), f"unknown reason {reason!r} (one of {reasons})")
    if kind == "start" and reason is not None:
        p.add(where("reason"), "an episode's start has no reason; leave it out")
    if code is None or kind not in KINDS or day is None or (kind == "end") != (reason in REASONS):
        return None
    return EpisodeEvent("start" if kind == "start" else "end", day, reason, new_id(), code)


def client_language(code: str) -> str:
    """A client's language: a code fittui speaks, or blank for the therapist's."""
    return check_language(code) if code else ""
