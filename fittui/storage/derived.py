"""Each client's row of the caseload, derived from their ratings: what a list or report prints.

Why a module of its own: ``fittui clients``, ``fittui report`` and the client list need, for
every client, a handful of figures (status, latest scores, flags, the expected-path zone,
sessions, last seen) that take the client's whole record to compute. The store keeps these
rows beside the data (``summaries.py``) so that a list of 6,000 clients does not read
300,000 ratings; this module is the one place that says how a row is computed, so a row
kept on disk and a row computed afresh are the same by construction.

A row depends on the client's record, their ratings that count, their episode events, the
ratings of the clients linked with them, the rules (:class:`Rules`) and the day. The day
matters only while the client is within the gap of their last contact (their episode may
lapse) or was rated today (a session may still be going): :func:`valid_until` says up to
which day a row stays true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from fittui.domain.episodes import DEFAULT_GAP_DAYS, EpisodeEvent, current_ratings
from fittui.domain.frozen import Frozen
from fittui.domain.model import Administration, Client

if TYPE_CHECKING:
    from fittui.domain.etr import Parameters
    from fittui.domain.instruments import Instrument

# Bumped whenever what a row holds or how it is computed changes: rows kept with another
# version are rebuilt, never believed.
RULES_VERSION = 4
FOREVER = "9999-12-31"

try:  # hashlib's own BLAKE2, without the OpenSSL library hashlib loads first (~1 ms at start)
    from _blake2 import blake2b as _blake2b
except ImportError:  # a Python built without it: hashlib's, from OpenSSL
    from hashlib import blake2b as _blake2b


class Rules(Frozen):
    """What a client's row is derived from besides their data: the instruments (built-in
    and the user's files), the expected-treatment-response model and the episode gap."""

    __slots__ = ("instruments", "etr_params", "gap_days")
    instruments: Mapping[str, Instrument]
    etr_params: Parameters | None
    gap_days: int

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        etr_params: Parameters | None = None,
        gap_days: int = DEFAULT_GAP_DAYS,
    ) -> None:
        self._fill(instruments, etr_params, gap_days)

    def fingerprint(self) -> str:
        """A digest of everything in the rules that changes a row, with ``RULES_VERSION``:
        rows kept under another fingerprint are stale."""
        text = repr(
            (
                RULES_VERSION,
                sorted((key, repr(i)) for key, i in self.instruments.items()),
                repr(self.etr_params),
                self.gap_days,
            )
        )
        return _blake2b(text.encode(), digest_size=12).hexdigest()


class ClientRow(NamedTuple):
    """One client as the caseload shows them, derived from their ratings (see the module).

    ``report`` is the client's line of ``fittui report --json`` (``overview.report_row``:
    status, latest scores, flags, ETR zone, the current episode...); ``administrations``
    counts the ratings that count over every episode, ``last_seen`` is the latest day of
    one, ``sessions`` the current episode's sessions so far and ``attention`` the rank the
    client list sorts by (``scoring.attention``).

    A named tuple, immutable like a frozen dataclass and made in a third of the time: the
    client list makes one for each of thousands of clients before its first paint.
    """

    client: Client
    administrations: int
    last_seen: str | None
    sessions: int
    attention: int
    report: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The row as kept on disk (the client's own record is kept in the database)."""
        return {
            "administrations": self.administrations,
            "last_seen": self.last_seen,
            "sessions": self.sessions,
            "attention": self.attention,
            "report": self.report,
        }


def row_json_fits(code: str, data: Any) -> bool:
    """A row read back from disk is the shape ``to_json`` writes, for this client.

    It runs for every client at each look at the caseload (6,000 times in a large
    practice): it subscripts and lets a missing field or another type fail, about three
    times quicker than asking field by field."""
    try:
        report = data["report"]
        last_seen = data["last_seen"]
        return (
            type(data) is dict
            and type(data["administrations"]) is int
            and (type(last_seen) is str or last_seen is None)
            and type(data["sessions"]) is int
            and type(data["attention"]) is int
            and type(report) is dict
            and report.get("client") == code
        )
    except (KeyError, TypeError, IndexError):
        return False


def row_from_json(client: Client, data: Any) -> ClientRow | None:
    """A row read back from disk, or None when it is not the shape ``to_json`` writes."""
    if not row_json_fits(client.code, data):
        return None
    return row_from_fitting(client, data)


def row_from_fitting(client: Client, data: dict[str, Any]) -> ClientRow:
    """A row read back from disk that ``row_json_fits`` has already passed: the store
    checks each kept row once, as it reads it, not again as it makes the object."""
    return ClientRow(
        client,
        data["administrations"],
        data["last_seen"],
        data["sessions"],
        data["attention"],
        data["report"],
    )


def derive_row(
    client: Client,
    ratings: Sequence[Administration],
    events: Sequence[EpisodeEvent],
    linked: Sequence[Administration],
    rules: Rules,
    today: date,
) -> ClientRow:
    """A client's row computed from their ratings that count (entry order), their episode
    events, the ratings of the clients linked with them, the rules and the day."""
    from fittui.domain.overview import report_row
    from fittui.domain.scoring import attention, summarize

    instruments = dict(rules.instruments)
    episodes, current = current_ratings(ratings, events, rules.gap_days, today)
    summary = summarize(
        client,
        current,
        instruments,
        etr_params=rules.etr_params,
        linked=linked,
        today=today,
        every_episode=ratings,
    )
    episode = episodes[-1] if episodes else None
    return ClientRow(
        client,
        len(ratings),
        max((a.day for a in ratings), default=None),
        episode.sessions if episode else 0,
        attention(summary),
        report_row(client, summary, episode, instruments),
    )


def valid_until(
    ratings: Sequence[Administration], events: Sequence[EpisodeEvent], gap_days: int, today: date
) -> str:
    """The last day a row computed ``today`` stays true if the data does not change.

    A rating today: today only (tomorrow an ORS without an SRS is missed). Otherwise the
    current episode, if open, lapses the day after its last contact plus the gap, and its
    last contact is the latest day with a rating or an event; after that nothing in the
    row depends on the day.
    """
    last = max((*(a.day for a in ratings), *(e.date[:10] for e in events)), default=None)
    iso = today.isoformat()
    if last is None:
        return FOREVER
    if last >= iso:
        return iso
    lapse = (date.fromisoformat(last) + timedelta(days=gap_days)).isoformat()
    return lapse if lapse >= iso else FOREVER
