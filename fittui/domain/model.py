"""Clients and administrations: the records fittui keeps, with no I/O and no UI.

Item scores live in integer tenths (exact one-decimal arithmetic, see the README's How
fittui scores); the store writes them to disk as one-decimal numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Literal, TypeVar, cast

from fittui.domain.frozen import Frozen, set_field
from fittui.domain.rating_rules import (  # noqa: F401 - REPLACED_SAME_DAY is re-exported
    DEFAULT_RATER,
    MODE_WORDS,
    REPLACED_SAME_DAY,
)
from fittui.domain.scales import AGE_GROUPS

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
RATER_PATTERN = re.compile(r"^[a-z][a-z_-]{0,31}$")
Choice = TypeVar("Choice", bound=str)  # one of a fixed set of words, such as a Mode
# How a rating was taken: in the room, on a shared screen over video, read aloud, on the
# client's own device from a home form, or on paper. A spoken SRS is known to run higher.
Mode = Literal["in_person", "screen_share", "spoken", "remote_form", "paper"]
MODES = cast("tuple[Mode, ...]", MODE_WORDS)
DEFAULT_MODE: Mode = "in_person"
# The modes a rating can be started in from the app; a home form comes back by its code.
STARTED_MODES: tuple[Mode, ...] = ("in_person", "screen_share", "spoken", "paper")
# How the history names a mode beside the rater; in person goes without saying.
MODE_SHORT = {
    "in_person": "",
    "screen_share": "screen share",
    "spoken": "aloud",
    "remote_form": "home form",
    "paper": "paper",
}


class InputError(ValueError):
    """Input a person typed or a file held that cannot be used; the message says why."""


class Client(Frozen):
    """A client, known by a code rather than a name unless the therapist adds a label.

    ``instruments`` are the keys the client rates at the start of a session, in the
    therapist's order; empty means the age group's ORS-family scale. ``linked`` are the
    codes of clients seen with this one as one case (a couple or a family registered
    under several codes), whose SRS are compared for a split alliance. ``language`` is the
    code of the language the client reads their screens in (``de``); empty means the
    therapist's.
    """

    __slots__ = ("code", "age_group", "label", "archived", "instruments", "linked", "language")
    code: str
    age_group: str
    label: str
    archived: bool
    instruments: tuple[str, ...]
    linked: tuple[str, ...]
    language: str

    def __init__(
        self,
        code: str,
        age_group: str = "adult",
        label: str = "",
        archived: bool = False,
        instruments: tuple[str, ...] = (),
        linked: tuple[str, ...] = (),
        language: str = "",
    ) -> None:
        set_field(self, "code", code)
        set_field(self, "age_group", age_group)
        set_field(self, "label", label)
        set_field(self, "archived", archived)
        set_field(self, "instruments", instruments)
        set_field(self, "linked", linked)
        set_field(self, "language", language)


class Voided(Frozen):
    """Why and when a rating was marked as entered in error; it then counts for nothing."""

    __slots__ = ("reason", "at")
    reason: str
    at: str  # date and time to the second

    def __init__(self, reason: str, at: str) -> None:
        self._fill(reason, at)


class Correction(Frozen):
    """One change to a rating after it was saved (``what`` is "client" or "date"), kept so
    the record shows what it said before."""

    __slots__ = ("what", "old", "new", "at")
    what: str
    old: str
    new: str
    at: str  # date and time to the second

    def __init__(self, what: str, old: str, new: str, at: str) -> None:
        self._fill(what, old, new, at)


CORRECTED_FIELDS = ("client", "date")
VOID_REASONS = (
    "wrong client",
    "wrong instrument",
    "entered twice",
    "test entry",
    "client did not mean it",
)


class Administration(Frozen):
    """One completed instrument: who rated what, when, and the item scores in tenths.

    ``voided`` is set when the therapist marked it as entered in error: it stays in the
    record and in the history's table, and counts nowhere else. ``corrections`` lists
    each later change of its client or date, oldest first. ``own_session`` is when the
    therapist kept it as a session of its own beside an earlier rating of the same day
    (:func:`one_per_session`).
    """

    __slots__ = (
        "id",
        "client",
        "instrument",
        "date",
        "items",
        "rater",
        "note",
        "voided",
        "corrections",
        "mode",
        "own_session",
    )
    id: str
    client: str
    instrument: str
    date: str  # ISO date, or date and time to the minute
    items: dict[str, int]  # compared, but left out of the hash (a dict has none)
    rater: str
    note: str
    voided: Voided | None
    corrections: tuple[Correction, ...]
    mode: Mode
    own_session: str | None  # date and time to the second

    def __init__(
        self,
        id: str,
        client: str,
        instrument: str,
        date: str,
        items: dict[str, int],
        rater: str = DEFAULT_RATER,
        note: str = "",
        voided: Voided | None = None,
        corrections: tuple[Correction, ...] = (),
        mode: Mode = DEFAULT_MODE,
        own_session: str | None = None,
    ) -> None:
        # Field by field rather than ``_fill``: a large practice reads 300,000 of these.
        set_field(self, "id", id)
        set_field(self, "client", client)
        set_field(self, "instrument", instrument)
        set_field(self, "date", date)
        set_field(self, "items", items)
        set_field(self, "rater", rater)
        set_field(self, "note", note)
        set_field(self, "voided", voided)
        set_field(self, "corrections", corrections)
        set_field(self, "mode", mode)
        set_field(self, "own_session", own_session)

    def __hash__(self) -> int:
        return hash(
            (
                self.id,
                self.client,
                self.instrument,
                self.date,
                self.rater,
                self.note,
                self.voided,
                self.corrections,
                self.mode,
                self.own_session,
            )
        )

    @property
    def total(self) -> int:
        return sum(self.items.values())

    @property
    def day(self) -> str:
        return self.date[:10]

    @property
    def taken_by(self) -> str:
        """The rater, and how the rating was taken when not in person: "client · aloud"."""
        how = MODE_SHORT[self.mode]
        return f"{self.rater} · {how}" if how else self.rater

    @property
    def by_client(self) -> bool:
        return self.rater == DEFAULT_RATER


def correction_words(a: Administration) -> str:
    """What each correction changed, oldest first: 'client was C1; date was 2026-11-08'."""
    return "; ".join(f"{c.what} was {c.old.replace('T', ' ')}" for c in a.corrections)


def check_code(code: str) -> str:
    """A client code: short, no spaces, so it is safe in files, paths and shells."""
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise InputError(
            f"client code {code!r} must be 1-32 letters, digits, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    return code


def _one_of(text: str, choices: tuple[Choice, ...], what: str) -> Choice:
    """The choice a user typed, in any case and with '-' for '_' ("Young-Child" is
    young_child); else an error that lists the choices."""
    key = text.strip().lower().replace("-", "_")
    for choice in choices:
        if choice == key:
            return choice
    raise InputError(f"unknown {what} {text!r} (one of {', '.join(choices)})")


def check_age_group(age_group: str) -> str:
    """The age group a user typed, as one of ``AGE_GROUPS``."""
    return _one_of(age_group, AGE_GROUPS, "age group")


def check_rater(rater: str) -> str:
    role = rater.strip().lower()
    if not RATER_PATTERN.match(role):
        raise InputError(f"rater {rater!r} must be a role in lower-case letters, e.g. partner")
    return role


def check_reason(reason: str) -> str:
    """Why a rating is voided: one line of text, said in a few words."""
    text = " ".join(reason.split())
    if not text:
        raise InputError("say why the rating is voided, e.g. 'wrong client'")
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text):
        raise InputError("the reason holds a control character; type it as plain text")
    if len(text) > 200:
        raise InputError("the reason is longer than 200 characters; say it in a few words")
    return text


def correction_fields(a: Administration) -> dict[str, Any]:
    """A rating's void mark, corrections and own-session mark as plain JSON fields, only
    where there is something to say: the same shape on disk, in ``history --json`` and in
    exports."""
    fields: dict[str, Any] = {}
    if a.voided is not None:
        fields["voided"] = {"reason": a.voided.reason, "at": a.voided.at}
    if a.corrections:
        fields["corrections"] = [
            {"what": c.what, "old": c.old, "new": c.new, "at": c.at} for c in a.corrections
        ]
    if a.own_session is not None:
        fields["own_session"] = a.own_session
    return fields


def check_mode(mode: str) -> Mode:
    """How a rating was taken, as one of ``MODES`` (``screen-share`` is read too)."""
    return _one_of(mode, MODES, "mode")


def parse_when(text: str) -> str:
    """An ISO date or date and time, normalised to 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM'."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is not None:
            moment = moment.astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError):  # overflow: an offset taking it past year 1 or 9999
        raise InputError(
            f"date {raw!r} is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    return moment.isoformat(timespec="minutes")  # strftime writes the year 1 as '1'


def now_when() -> str:
    """The present moment as an administration's date and time."""
    return datetime.now().strftime("%Y-%m-%dT%H:%M")


def moment_now() -> str:
    """The present moment to the second, for when a correction was made."""
    return datetime.now().isoformat(timespec="seconds")


def check_not_future(when: str, today: date | None = None) -> str:
    """Refuse a rating dated after today: a date typed wrong would otherwise make the client
    look seen today and change every count that runs by date."""
    today = today or date.today()
    if date.fromisoformat(when[:10]) > today:
        raise InputError(
            f"date {when} is after today ({today.isoformat()}): a rating cannot be dated "
            "in the future"
        )
    return when


def session_neighbours(
    a: Administration, administrations: list[Administration]
) -> tuple[Administration | None, Administration | None]:
    """The rating ``a`` replaces and the rating that replaces ``a`` (:func:`one_per_session`),
    None where there is none, among ``administrations`` in entry order: of the other counted
    ratings of its instrument by its rater for its client on its day, the one entered just
    before it (unless ``a`` was kept as a session of its own) and the one entered just after
    it (unless that one was). Those further off were replaced already, or kept."""
    key = (a.client, a.instrument, a.rater, a.day)
    chain = [
        other
        for other in administrations
        if other.voided is None and (other.client, other.instrument, other.rater, other.day) == key
    ]
    at = next((i for i, other in enumerate(chain) if other.id == a.id), None)
    if at is None:
        return None, None
    before = chain[at - 1] if at and a.own_session is None else None
    after = chain[at + 1] if at + 1 < len(chain) else None
    return before, after if after is not None and after.own_session is None else None


def one_per_session(administrations: Iterable[Administration]) -> list[Administration]:
    """The ratings that count once a day's repeats are settled, among ratings that count
    otherwise (none voided), in the order given (entry order): of the ratings of one
    instrument by one rater for one client on one day, each replaces the one before it,
    unless the therapist kept it as a session of its own (``own_session``: then both
    count, two sessions that day). So a rating counts when it is the day's last, or the
    next one was kept as its own session. A replaced rating stays in the record and in the
    history's table, and counts nowhere else, as a voided one."""
    given = list(administrations)
    replaced = replaced_ratings(given)
    return [a for a in given if a.id not in replaced] if replaced else given


def replaced_ratings(administrations: Iterable[Administration]) -> set[str]:
    """The ids of the ratings a later rating of their day replaced (:func:`one_per_session`),
    among ``administrations`` in entry order; voided ones neither replace nor are replaced."""
    replaced: set[str] = set()
    latest: dict[tuple[str, str, str, str], str] = {}  # the day's rating that counts so far
    for a in administrations:
        if a.voided is not None:
            continue
        key = (a.client, a.instrument, a.rater, a.day)
        if key in latest and a.own_session is None:
            replaced.add(latest[key])
        latest[key] = a.id
    return replaced
