"""Episodes of care: a client's ratings split into courses of therapy, each measured alone.

A client who comes back after two years is not "unchanged since intake": they start again,
with a new intake. So every clinical figure (intake, change, status, the expected path,
session numbers) is taken within one episode, and earlier episodes stay visible but do not
count.

The rules, applied to the ratings and the therapist's own events in date order:

- an episode starts at the client's first rating, when the therapist starts one, or at the
  first rating after more than ``gap_days`` days without any rating (or event);
- it ends when the therapist ends it with a reason (``planned``, ``dropout``, ``referred``,
  ``other``); once ``gap_days`` have passed without contact it is shown as ended with
  ``no_contact`` (on its last day of contact); a therapist's end given when no episode is
  open says how the latest one ended instead (the reason for a lapsed one, or a correction);
- a therapist's start while an episode is still open ends that one with ``other``;
- ratings on the day of an end belong to the ending episode, unless a start follows on the
  same day (end the old course, then start the new one: that day's ratings are the new
  intake); an end on the day a client's first rating (or their first after the gap) opens
  an episode ends that episode, seen once.

Pure functions, no I/O: the store keeps the events, the caller passes them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from fittui.domain.frozen import Frozen
from fittui.domain.language import N_, _
from fittui.domain.model import Administration, InputError, one_per_session

REASONS = ("planned", "dropout", "referred", "other")
NO_CONTACT = "no_contact"
SUPERSEDED = "other"  # the reason given to an episode the therapist replaced without ending
UNPLANNED = ("dropout", NO_CONTACT)  # endings the dropout rate counts
EventKind = Literal["start", "end"]
KINDS: tuple[EventKind, ...] = ("start", "end")
DEFAULT_GAP_DAYS = 90
REASON_WORDS = {
    "planned": N_("planned ending"),
    "dropout": N_("unplanned ending (dropout)"),
    "referred": N_("referred on"),
    "other": N_("ended (other reason)"),
    NO_CONTACT: N_("no contact"),
}


class EpisodeEvent(Frozen):
    """The therapist's word on an episode: started or ended on a day, an ending's reason."""

    __slots__ = ("kind", "date", "reason", "id", "client")
    kind: EventKind
    date: str  # ISO date
    reason: str | None  # for an end: one of REASONS
    id: str
    client: str

    def __init__(
        self,
        kind: EventKind,
        date: str,
        reason: str | None = None,
        id: str = "",
        client: str = "",
    ) -> None:
        self._fill(kind, date, reason, id, client)


class Episode(Frozen):
    """One course of care: its days, how it ended, and its ratings in entry order."""

    __slots__ = ("number", "start", "end", "reason", "administrations")
    number: int  # 1-based, in date order
    start: str  # ISO date
    end: str | None
    reason: str | None  # one of REASONS or NO_CONTACT; None while open
    administrations: tuple[Administration, ...]

    def __init__(
        self,
        number: int,
        start: str,
        end: str | None,
        reason: str | None,
        administrations: tuple[Administration, ...],
    ) -> None:
        self._fill(number, start, end, reason, administrations)

    @property
    def closed(self) -> bool:
        return self.reason is not None

    @property
    def sessions(self) -> int:
        """The sessions held: a day with ratings is one, and more when the therapist kept
        a second rating of the day as a session of its own (``one_per_session`` left the
        ratings that count: a day counts as many sessions as its most-rated instrument by
        one rater, so an ORS and an SRS at each of two sessions make two, not four)."""
        per_series: dict[tuple[str, str, str], int] = {}
        for a in self.administrations:
            key = (a.day, a.instrument, a.rater)
            per_series[key] = per_series.get(key, 0) + 1
        per_day: dict[str, int] = {}
        for (day, _instrument, _rater), count in per_series.items():
            per_day[day] = max(per_day.get(day, 0), count)
        return sum(per_day.values())

    @property
    def last_contact(self) -> str:
        """The last day of a rating in the episode, or its start when it has none yet."""
        return max((a.day for a in self.administrations), default=self.start)

    @property
    def unplanned(self) -> bool:
        """Whether it ended without a planned goodbye (dropout, or no contact past the gap)."""
        return self.reason in UNPLANNED

    def describe(self, gap_days: int = DEFAULT_GAP_DAYS) -> str:
        """One line for the therapist: "Episode 2: 2026-03-01 to 2026-05-02, planned ending"."""
        if not self.closed:
            return _("Episode {number}: since {start}, open").format(
                number=self.number, start=self.start
            )
        why = (
            _("no contact for over {days} days").format(days=gap_days)
            if self.reason == NO_CONTACT
            else _(REASON_WORDS.get(self.reason or "", self.reason or ""))
        )
        return _("Episode {number}: {start} to {end}, {why}").format(
            number=self.number, start=self.start, end=self.end, why=why
        )


class _Open:
    """An episode while it is being built."""

    __slots__ = ("start", "ratings", "last_rated", "end", "reason")

    def __init__(self, start: str) -> None:
        self.start = start
        self.ratings: list[Administration] = []
        self.last_rated: str | None = None  # the latest day of ``ratings``
        self.end: str | None = None
        self.reason: str | None = None

    @property
    def last_contact(self) -> str:
        return self.start if self.last_rated is None else self.last_rated

    def add(self, day: str, ratings: list[Administration]) -> None:
        """The ratings of ``day``; the latest day is kept as they come, so that a long
        history is not searched again for it on each of its days."""
        self.ratings.extend(ratings)
        if self.last_rated is None or day > self.last_rated:
            self.last_rated = day

    def close(self, end: str, reason: str) -> None:
        self.end, self.reason = end, reason


def _days_between(earlier: str, later: str) -> int:
    return (date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days


class _Builder:
    """The episodes built so far, day by day, and the one still open."""

    __slots__ = ("gap_days", "built", "current")

    def __init__(self, gap_days: int) -> None:
        self.gap_days = gap_days
        self.built: list[_Open] = []
        self.current: _Open | None = None

    def open(self, day: str) -> _Open:
        """A new episode from ``day``; the open one, if any, ends as superseded."""
        if self.current is not None:
            self.current.close(self.current.last_contact, SUPERSEDED)
        self.current = _Open(day)
        self.built.append(self.current)
        return self.current

    def lapse(self, day: str) -> None:
        """Close the open episode as ``no_contact`` when ``day`` is past the gap."""
        current = self.current
        if current is not None and _days_between(current.last_contact, day) > self.gap_days:
            current.close(current.last_contact, NO_CONTACT)
            self.current = None

    def event(self, day: str, event: EpisodeEvent) -> _Open | None:
        """The therapist's start or end on ``day``; the episode it started or ended."""
        if event.kind == "start":
            return self.open(day)
        if self.current is not None:
            ended, self.current = self.current, None
            ended.close(day, event.reason or SUPERSEDED)
            return ended
        if self.built:
            # An end with none open says how the latest episode ended: a lapsed one
            # gets the therapist's reason, an ended one a corrected reason.
            self.built[-1].close(day, event.reason or SUPERSEDED)
        return None

    def add_day(self, day: str, events: list[EpisodeEvent], ratings: list[Administration]) -> None:
        """One day: a lapse since the last contact, the day's events, then its ratings, which
        go to the open episode or the one an event of the day ended."""
        self.lapse(day)
        touched: _Open | None = None
        for n, event in enumerate(events):
            if (
                event.kind == "end"
                and ratings
                and self.current is None
                and touched is None
                and not any(later.kind == "start" for later in events[n + 1 :])
            ):
                # The day's ratings open the episode this end closes: a client seen once
                # (or back after the gap) and ended that same day. The end was checked
                # against that episode (``check_end``), never against the one before.
                self.open(day)
            touched = self.event(day, event) or touched
        if ratings:
            (self.current or touched or self.open(day)).add(day, ratings)


def split_episodes(
    administrations: Iterable[Administration],
    events: Iterable[EpisodeEvent],
    gap_days: int = DEFAULT_GAP_DAYS,
    today: date | str | None = None,
) -> list[Episode]:
    """The client's episodes of care, in date order (see the module docstring for the rules).

    ``administrations`` in entry order (any instruments and raters; each episode keeps them
    in that order, without those a later rating of the day replaced: ``one_per_session``);
    ``events`` in entry order too, which breaks ties between events of one day. ``today``
    closes an open episode as ``no_contact`` once more than ``gap_days`` have passed since
    its last contact; without it, an episode stays open until a later rating.
    """
    ratings = one_per_session(administrations)
    by_day: dict[str, list[Administration]] = {}
    for a in ratings:
        by_day.setdefault(a.day, []).append(a)
    events_by_day: dict[str, list[EpisodeEvent]] = {}
    for event in events:
        events_by_day.setdefault(event.date[:10], []).append(event)
    builder = _Builder(gap_days)
    for day in sorted(by_day.keys() | events_by_day.keys()):
        builder.add_day(day, events_by_day.get(day, []), by_day.get(day, []))
    if today is not None:
        builder.lapse(today.isoformat() if isinstance(today, date) else today[:10])
    order = {id(a): n for n, a in enumerate(ratings)}
    return [
        Episode(
            number=n,
            start=episode.start,
            end=episode.end,
            reason=episode.reason,
            administrations=tuple(sorted(episode.ratings, key=lambda a: order[id(a)])),
        )
        for n, episode in enumerate(builder.built, start=1)
    ]


def current_episode(episodes: Sequence[Episode]) -> Episode | None:
    """The episode the clinical figures describe: the latest one, open or closed."""
    return episodes[-1] if episodes else None


def check_start(episodes: Sequence[Episode], day: str) -> None:
    """Refuse a new episode that would cut into another: the latest must have ended first.

    Starting on the day the latest ended is allowed (end the old course, start the new one
    in the same session: that day's ratings are the new intake).
    """
    latest = current_episode(episodes)
    if latest is None:
        return
    if not latest.closed:
        raise InputError(
            f"episode {latest.number} is still open (since {latest.start}); "
            "end it first with a reason (planned, dropout, referred, other)"
        )
    if latest.end is not None and day < latest.end:
        raise InputError(
            f"{day} falls before the end of episode {latest.number} ({latest.start} to "
            f"{latest.end}); a new episode starts on or after {latest.end}"
        )


def check_end(episodes: Sequence[Episode], day: str, reason: str) -> Episode:
    """The episode an end on ``day`` would close, or an error saying why it cannot.

    The latest episode is the one ended: an open one on or after its start and its last
    rating; one already ended (or lapsed without contact) gets its ending changed, on or
    after the day it ended.
    """
    if reason not in REASONS:
        raise InputError(f"unknown reason {reason!r} (one of {', '.join(REASONS)})")
    latest = current_episode(episodes)
    if latest is None:
        raise InputError("there is no episode to end yet: no rating and no episode started")
    if day < latest.start:
        raise InputError(f"{day} is before episode {latest.number} started ({latest.start})")
    if not latest.closed and day < latest.last_contact:
        raise InputError(
            f"episode {latest.number} has ratings after {day} (the last on "
            f"{latest.last_contact}); end it on or after that day"
        )
    if latest.closed and latest.end is not None and day < latest.end:
        raise InputError(
            f"episode {latest.number} ended on {latest.end}; a change to how it ended "
            f"is dated on or after that day"
        )
    return latest


def current_ratings(
    administrations: Iterable[Administration],
    events: Iterable[EpisodeEvent] = (),
    gap_days: int = DEFAULT_GAP_DAYS,
    today: date | str | None = None,
) -> tuple[list[Episode], list[Administration]]:
    """The client's episodes, and the ratings every clinical figure is computed from: the
    current episode's, in entry order.

    This is the one place that decides what scoring sees, so the client list, the history,
    the report and the result after a rating all measure the same course of care. Voided
    ratings are left out before this (``Store.administrations``); of two ratings of one
    measure by one rater on one day, the later one replaces the earlier unless the
    therapist kept both (``model.one_per_session``; the result screen asks).
    """
    episodes = split_episodes(administrations, events, gap_days, today)
    current = current_episode(episodes)
    return episodes, list(current.administrations) if current else []
