"""Clients and administrations: the records fittui keeps, with no I/O and no UI.

Item scores live in integer tenths (CLINICAL.md: exact one-decimal arithmetic); they are
written to disk as one-decimal numbers by the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from fittui.instruments import AGE_GROUPS

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
RATER_PATTERN = re.compile(r"^[a-z][a-z_-]{0,31}$")
DEFAULT_RATER = "client"
# How a rating was taken: in the room, on a shared screen over video, read aloud, on the
# client's own device from a home form, or on paper. A spoken SRS is known to run higher.
MODES = ("in_person", "screen_share", "spoken", "remote_form", "paper")
DEFAULT_MODE = "in_person"
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


@dataclass(frozen=True)
class Client:
    """A client, known by a code rather than a name unless the therapist adds a label.

    ``instruments`` are the keys the client rates at the start of a session, in the
    therapist's order; empty means the age group's ORS-family scale.
    """

    code: str
    age_group: str = "adult"
    label: str = ""
    archived: bool = False
    instruments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Administration:
    """One completed instrument: who rated what, when, and the item scores in tenths."""

    id: str
    client: str
    instrument: str
    date: str  # ISO date, or date and time to the minute
    items: dict[str, int] = field(hash=False)
    rater: str = DEFAULT_RATER
    note: str = ""
    mode: str = DEFAULT_MODE

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


def check_code(code: str) -> str:
    """A client code: short, no spaces, so it is safe in files, paths and shells."""
    code = code.strip()
    if not CODE_PATTERN.match(code):
        raise InputError(
            f"client code {code!r} must be 1-32 letters, digits, '-', '_' or '.', "
            "starting with a letter or digit"
        )
    return code


def check_age_group(age_group: str) -> str:
    group = age_group.strip().lower().replace("-", "_")
    if group not in AGE_GROUPS:
        raise InputError(f"unknown age group {age_group!r} (one of {', '.join(AGE_GROUPS)})")
    return group


def check_rater(rater: str) -> str:
    role = rater.strip().lower()
    if not RATER_PATTERN.match(role):
        raise InputError(f"rater {rater!r} must be a role in lower-case letters, e.g. partner")
    return role


def check_mode(mode: str) -> str:
    """How a rating was taken, as one of ``MODES`` (``screen-share`` is read too)."""
    key = mode.strip().lower().replace("-", "_")
    if key not in MODES:
        raise InputError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    return key


def parse_when(text: str) -> str:
    """An ISO date or date and time, normalised to 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM'."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw).isoformat()
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(
            f"date {raw!r} is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M")


def now_when() -> str:
    """The present moment as an administration's date and time."""
    return datetime.now().strftime("%Y-%m-%dT%H:%M")
