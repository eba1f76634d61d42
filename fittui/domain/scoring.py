"""Scoring, exactly as the README says: totals, intake and latest, status, flags, patterns.

Pure functions over administrations in integer tenths. The order of administrations is
by date, then by entry order (the order they were saved), which is why every function
here takes administrations in entry order and sorts them stably.

Each instrument family and each rater is a series of its own: the client's individual
SRS, a group's GSRS, a partner's or a parent's SRS. A flag or a pattern compares a rating
only with earlier ratings of its own series, so a group session never reads as a drop in
the individual alliance. Flags and patterns are tables of small functions, each with its
clinical words beside its condition.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Literal, NamedTuple

from fittui.domain import etr, language
from fittui.domain.flags import flag_base
from fittui.domain.frozen import Frozen
from fittui.domain.instruments import (
    DEFAULTS_BY_AGE_GROUP,
    Band,
    Instrument,
    Item,
    RiskRule,
    format_tenths,
)
from fittui.domain.language import N_
from fittui.domain.model import Administration, Client

Status = Literal["recovered", "improved", "unchanged", "deteriorated", "insufficient"]
STATUSES: tuple[Status, ...] = (
    "recovered",
    "improved",
    "unchanged",
    "deteriorated",
    "insufficient",
)
DEFAULT_RELIABLE_CHANGE = 50
GROUP_SERIES = "gsrs"


class Thresholds(Frozen):
    """Pattern thresholds in tenths: fittui's defaults, which a user may change."""

    __slots__ = (
        "good_fit",
        "flat_min_ors",
        "srs_drop",
        "ceiling",
        "ceiling_count",
        "split_alliance",
        "high_srs",
        "item_drop",
        "same_item_window",
        "same_item_count",
    )
    good_fit: int
    flat_min_ors: int
    srs_drop: int
    ceiling: int
    ceiling_count: int
    split_alliance: int
    high_srs: int
    item_drop: int
    same_item_window: int
    same_item_count: int

    def __init__(
        self,
        good_fit: int = 360,
        flat_min_ors: int = 4,
        srs_drop: int = 10,
        ceiling: int = 390,
        ceiling_count: int = 3,
        split_alliance: int = 50,
        high_srs: int = 380,
        item_drop: int = 20,
        same_item_window: int = 3,
        same_item_count: int = 2,
    ) -> None:
        self._fill(
            good_fit,
            flat_min_ors,
            srs_drop,
            ceiling,
            ceiling_count,
            split_alliance,
            high_srs,
            item_drop,
            same_item_window,
            same_item_count,
        )


DEFAULT_THRESHOLDS = Thresholds()


class Pattern(Frozen):
    """A pattern worth a conversation: what it is, why it applies, what to ask."""

    __slots__ = ("key", "title", "detail", "questions")
    key: str
    title: str
    detail: str
    questions: tuple[str, ...]

    def __init__(self, key: str, title: str, detail: str, questions: tuple[str, ...]) -> None:
        self._fill(key, title, detail, questions)


class RiskAlert(Frozen):
    """An answer that meets an instrument's risk rule, such as PHQ-9 item 9 at 1 or more."""

    __slots__ = ("administration", "instrument", "rule", "item", "number")
    administration: Administration
    instrument: Instrument
    rule: RiskRule
    item: Item
    number: int
    """The item's number in the questionnaire, counting from 1."""

    def __init__(
        self,
        administration: Administration,
        instrument: Instrument,
        rule: RiskRule,
        item: Item,
        number: int,
    ) -> None:
        self._fill(administration, instrument, rule, item, number)

    @property
    def answer(self) -> str:
        """The answer as the client chose it: "Several days"."""
        return self.instrument.option_for(self.administration.items[self.item.key])

    @property
    def headline(self) -> str:
        """One line for the therapist: which question, which answer, by whom and when."""
        _ = language._  # in the therapist's language (English on the command line)
        rater = self.administration.rater
        who = "" if self.administration.by_client else _(" by the {rater}").format(rater=_(rater))
        return _("{key} item {number} ({label}) was answered “{answer}”{who} on {day}.").format(
            key=self.instrument.key,
            number=self.number,
            label=language.in_sentence(language.instrument_words(self.item.label)),
            answer=language.instrument_words(self.answer),
            who=who,
            day=self.administration.day,
        )


class SymptomSummary(Frozen):
    """A Likert instrument (PHQ-9, GAD-7) as the client rated it: band of the latest total."""

    __slots__ = ("ratings", "band")
    ratings: tuple[Administration, ...]
    """The client's own ratings, in clinical order (never empty)."""
    band: Band | None

    def __init__(self, ratings: tuple[Administration, ...], band: Band | None) -> None:
        self._fill(ratings, band)

    @property
    def latest(self) -> Administration:
        return self.ratings[-1]

    @property
    def change(self) -> int | None:
        """The latest total minus the first, in tenths; None with a single rating."""
        return self.ratings[-1].total - self.ratings[0].total if len(self.ratings) > 1 else None


class Progress(Frozen):
    """An ORS-family series from its intake to its latest rating, there from the first
    rating on or not at all: the three are never missing one by one.

    ``change`` is the latest total minus the intake's, in tenths; None until a second
    rating, when the intake is also the latest.
    """

    __slots__ = ("intake", "latest", "change")
    intake: Administration
    latest: Administration
    change: int | None

    def __init__(self, intake: Administration, latest: Administration, change: int | None) -> None:
        self._fill(intake, latest, change)


def progress_of(ors: tuple[Administration, ...]) -> Progress | None:
    """The progress of one series in clinical order; None before its first rating."""
    if not ors:
        return None
    return Progress(ors[0], ors[-1], ors[-1].total - ors[0].total if len(ors) >= 2 else None)


def progress_totals(progress: Progress | None) -> tuple[int | None, int | None, int | None]:
    """The intake total, the latest total and the change, in tenths, for a table or a file
    that shows each on its own: all None before the first rating."""
    if progress is None:
        return None, None, None
    return progress.intake.total, progress.latest.total, progress.change


class RaterSummary(Frozen):
    """A collateral rater (a partner, a parent, a teacher) as a series of their own.

    Shown beside the client's own figures, never counted in them: the rater's own intake,
    latest and status on the ORS family, their SRS ratings, and their flags, each named
    with the rater ("srs_below_cutoff:partner").
    """

    __slots__ = ("rater", "ors", "srs", "progress", "status", "flags")
    rater: str
    ors: tuple[Administration, ...]
    srs: tuple[Administration, ...]
    progress: Progress | None
    status: Status
    flags: tuple[str, ...]

    def __init__(
        self,
        rater: str,
        ors: tuple[Administration, ...],
        srs: tuple[Administration, ...],
        progress: Progress | None,
        status: Status,
        flags: tuple[str, ...],
    ) -> None:
        self._fill(rater, ors, srs, progress, status, flags)


@dataclass(frozen=True)
class Figures:
    """Everything the scoring rules find in one client's ratings; the patterns are read
    from these figures, and a ``Summary`` is these figures with their patterns.

    ``srs`` is the client's own individual alliance (the SRS family without the group
    scale); ``gsrs`` the client's own group ratings. ``progress`` is the client's own ORS
    from intake to latest. ``alerts`` are the risk rules met by the latest rating of each
    instrument by each rater; their flags lead ``flags``. ``symptoms`` holds each Likert
    instrument the client rated, by key. ``raters`` are the collateral raters,
    ``alliances`` the sessions where two people's SRS split (this client's raters, or a
    client linked as one case), ``missing_srs`` the days with an ORS and no SRS,
    ``warnings`` what the therapist should know about the figures themselves (a child
    rated on the adult ORS).
    """

    ors: tuple[Administration, ...]
    srs: tuple[Administration, ...]
    progress: Progress | None
    status: Status
    cutoff: int | None
    flags: tuple[str, ...]
    lowest_srs_item: str | None
    lowest_ors_item: str | None
    reliable: int  # the reliable-change threshold that applied
    # The expected treatment response: the expected path from intake, (session, expected,
    # lower) in tenths for each session so far; the zone of every rating after intake; and
    # the latest zone (None before the second ORS, or where the model does not apply).
    expected_path: tuple[tuple[int, int, int], ...]
    etr_zones: tuple[etr.SessionZone, ...]
    etr_zone: etr.Zone | None
    alerts: tuple[RiskAlert, ...]
    symptoms: dict[str, SymptomSummary]
    gsrs: tuple[Administration, ...]
    raters: tuple[RaterSummary, ...]
    alliances: tuple[tuple[str, tuple[Administration, ...]], ...]
    missing_srs: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Summary(Figures):
    """Everything the scoring rules say about one client: the figures, and the patterns
    worth a conversation that they show."""

    patterns: tuple[Pattern, ...]


def chronological(administrations: Iterable[Administration]) -> list[Administration]:
    """By date (and time where given); same-date ties keep entry order (sort is stable)."""
    return sorted(administrations, key=lambda a: a.date)


def family_of(instruments: dict[str, Instrument], administration: Administration) -> str:
    instrument = instruments.get(administration.instrument)
    return instrument.family if instrument else "other"


def series_of(instruments: dict[str, Instrument], administration: Administration) -> str:
    """The series an administration belongs to, rater aside: "ors", "srs", "gsrs" (a
    group's alliance, never mixed with the individual one), or the instrument's own key
    for any other measure (PHQ-9, GAD-7)."""
    instrument = instruments.get(administration.instrument)
    if instrument is None or instrument.family == "other":
        return administration.instrument
    if instrument.group:
        return GROUP_SERIES
    return instrument.family


def series_ratings(
    administrations: Iterable[Administration],
    series: str,
    instruments: dict[str, Instrument],
    rater: str = "client",
) -> tuple[Administration, ...]:
    """One rater's ratings of one series, in clinical order."""
    return tuple(
        a
        for a in chronological(administrations)
        if a.rater == rater and series_of(instruments, a) == series
    )


def on_latest_scale(
    ors: tuple[Administration, ...], instruments: dict[str, Instrument]
) -> tuple[Administration, ...]:
    """The ORS-family ratings on the scale of the latest (its highest total): a young child
    who moves from the YCORS's face (0 to 10) to the CORS (0 to 40) starts a series anew,
    as totals on two scales cannot be compared (a YCORS 4.0 then a CORS 24.0 is no change
    of 20). The ORS and the CORS share theirs."""
    if not ors:
        return ors
    scale = instruments[ors[-1].instrument].max_total
    return tuple(a for a in ors if instruments[a.instrument].max_total == scale)


def own_ratings(
    administrations: Iterable[Administration], family: str, instruments: dict[str, Instrument]
) -> tuple[Administration, ...]:
    """The client's own ratings of one family, in clinical order (collateral never counted).

    The SRS family here is the individual alliance: a group's GSRS is a series apart."""
    return series_ratings(administrations, family, instruments)


def risk_alerts(
    administrations: Iterable[Administration], instruments: dict[str, Instrument]
) -> tuple[RiskAlert, ...]:
    """Every risk rule each of these administrations meets, in the order given."""
    found = []
    for a in administrations:
        instrument = instruments.get(a.instrument)
        if instrument is None:
            continue
        for rule in instrument.risk_rules:
            score = a.items.get(rule.item)
            if score is not None and score >= rule.at_least:
                item = instrument.item(rule.item)
                found.append(RiskAlert(a, instrument, rule, item, instrument.items.index(item) + 1))
    return tuple(found)


def latest_risk_alerts(
    administrations: Iterable[Administration], instruments: dict[str, Instrument]
) -> tuple[RiskAlert, ...]:
    """The risk rules met by the latest rating of each instrument by each rater.

    Latest only: once a later PHQ-9 answers item 9 with "Not at all", the flag goes (the
    earlier answer stays in the history). Every rater counts, since a partner's or a
    parent's answer is as urgent as the client's own.
    """
    latest: dict[tuple[str, str], Administration] = {}
    for a in chronological(administrations):
        instrument = instruments.get(a.instrument)
        if instrument is not None and instrument.risk_rules:
            latest[(a.instrument, a.rater)] = a
    return risk_alerts(latest.values(), instruments)


def symptom_summaries(
    administrations: Iterable[Administration], instruments: dict[str, Instrument]
) -> dict[str, SymptomSummary]:
    """Each Likert instrument the client rated themself, with the band of the latest total."""
    administrations = list(administrations)
    found = {}
    for key in dict.fromkeys(a.instrument for a in chronological(administrations)):
        instrument = instruments.get(key)
        ratings = own_instrument_ratings(administrations, key)
        if instrument is not None and instrument.kind == "likert" and ratings:
            found[key] = SymptomSummary(ratings, instrument.band_for(ratings[-1].total))
    return found


def own_instrument_ratings(
    administrations: Iterable[Administration], key: str
) -> tuple[Administration, ...]:
    """The client's own ratings of one instrument, in clinical order."""
    return tuple(a for a in chronological(administrations) if a.by_client and a.instrument == key)


def lowest_item(administration: Administration, instrument: Instrument) -> str:
    """The lowest item's key; on a tie, the first in the instrument's item order."""
    order = [i.key for i in instrument.items if i.key in administration.items]
    return min(order, key=lambda key: administration.items[key])


def has_lowest(administration: Administration) -> bool:
    """Whether one of a rating's items is lower than another: when all are equal (four
    items at 5.0, a face scale's one item) there is no lowest item to ask about."""
    scores = administration.items.values()
    return min(scores) < max(scores)


def status_of(
    change: int | None, intake: int, latest: int, cutoff: int | None, reliable: int
) -> Status:
    """Recovered, improved, unchanged or deteriorated (README, How fittui scores)."""
    if change is None:
        return "insufficient"
    if change >= reliable:
        if cutoff is not None and intake < cutoff <= latest:
            return "recovered"
        return "improved"
    if change <= -reliable:
        return "deteriorated"
    return "unchanged"


def cutoff_for(
    client: Client, instrument: Instrument, instruments: dict[str, Instrument]
) -> int | None:
    """The ORS-family cut-off for this client on this instrument.

    Where the instrument has no cut-off for the client's age group (a child rated on the
    adult ORS), the age group's own instrument's cut-off applies (the CORS's 32 for a
    child), so the cut-off is never silently dropped; ``scale_warning`` says so.
    """
    own = instrument.cutoff_for(client.age_group)
    if own is not None or client.age_group in instrument.age_groups:
        return own
    default = instruments.get(DEFAULTS_BY_AGE_GROUP[client.age_group][0])
    if default is None or default.max_total != instrument.max_total:
        return None
    return default.cutoff_for(client.age_group)


def scale_warning(client: Client, instrument: Instrument, cutoff: int | None) -> str | None:
    """A warning when a client was rated on a scale made for another age group."""
    if not instrument.age_groups or client.age_group in instrument.age_groups:
        return None
    group = client.age_group.replace("_", " ")
    meant = DEFAULTS_BY_AGE_GROUP[client.age_group][0]
    applied = (
        f"the {group} cut-off of {format_tenths(cutoff)} is applied"
        if cutoff is not None
        else "no cut-off applies"
    )
    return (
        f"This {group} was rated on the {instrument.key}, made for ages {instrument.ages}; "
        f"the {meant} is made for this age group. Read the scores with care: {applied}."
    )


# -- flags ---------------------------------------------------------------------------------
# Each alliance flag rule looks at one series (one rater's SRS, or the group's GSRS) and
# returns the flag's name when its condition holds.
class SeriesFacts(NamedTuple):
    ratings: tuple[Administration, ...]  # one series, in clinical order (never empty)
    instrument: Instrument  # the instrument of the latest rating
    thresholds: Thresholds


def _srs_below_cutoff(s: SeriesFacts) -> str | None:
    """SRS below 36: the session did not fully work for the client."""
    cutoff = s.instrument.cutoff
    return "srs_below_cutoff" if cutoff is not None and s.ratings[-1].total < cutoff else None


def _srs_item_low(s: SeriesFacts) -> str | None:
    """An SRS item below 9: one part of the session missed."""
    below = s.instrument.item_cutoff
    low = below is not None and any(v < below for v in s.ratings[-1].items.values())
    return "srs_item_low" if low else None


def _srs_drop(s: SeriesFacts) -> str | None:
    """The SRS fell 1 point or more from the same rater's previous one: SRS scores sit near
    the ceiling, so a fall from one's own level says more than any absolute number."""
    if len(s.ratings) < 2:
        return None
    return (
        "srs_drop" if s.ratings[-1].total <= s.ratings[-2].total - s.thresholds.srs_drop else None
    )


ALLIANCE_FLAGS: tuple[Callable[[SeriesFacts], str | None], ...] = (
    _srs_below_cutoff,
    _srs_item_low,
    _srs_drop,
)
# The group's alliance: below 36 and a drop, named as the group's (gsrs_*).
GROUP_FLAGS: tuple[Callable[[SeriesFacts], str | None], ...] = (_srs_below_cutoff, _srs_drop)


def alliance_flags(
    ratings: tuple[Administration, ...],
    instruments: dict[str, Instrument],
    thresholds: Thresholds,
    rules: tuple[Callable[[SeriesFacts], str | None], ...] = ALLIANCE_FLAGS,
    prefix: str = "",
    rater: str = "client",
) -> list[str]:
    """The alliance flags one series raises: "g" prefixes the group's, and a collateral
    rater's are named with the rater ("srs_drop:partner")."""
    if not ratings:
        return []
    facts = SeriesFacts(ratings, instruments[ratings[-1].instrument], thresholds)
    suffix = "" if rater == "client" else f":{rater}"
    return [f"{prefix}{flag}{suffix}" for rule in rules if (flag := rule(facts))]


# -- split alliance ------------------------------------------------------------------------
def split_alliances(
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[tuple[str, tuple[Administration, ...]]]:
    """Sessions where two people's SRS totals differ by the split-alliance threshold or more.

    A person is a rater of one client, so a couple can rate under one client code (client
    and partner) or under two codes linked as one case (pass both clients' ratings). A
    group's GSRS is not a shared session and is left out. Returns (day, the SRS
    administrations of that day, the latest per person) for each such session.
    """
    by_day: dict[str, dict[tuple[str, str], Administration]] = {}
    for a in chronological(administrations):
        if series_of(instruments, a) == "srs":
            by_day.setdefault(a.day, {})[(a.client, a.rater)] = a
    found = []
    for day, people in by_day.items():
        totals = [a.total for a in people.values()]
        if len(totals) >= 2 and max(totals) - min(totals) >= thresholds.split_alliance:
            found.append((day, tuple(people.values())))
    return found


def _standing(
    client: Client, ors: tuple[Administration, ...], instruments: dict[str, Instrument]
) -> tuple[Progress | None, int | None, int, Status]:
    """Progress, cut-off, reliable-change threshold and status of an ORS series."""
    progress = progress_of(ors)
    if progress is None:
        return None, None, DEFAULT_RELIABLE_CHANGE, "insufficient"
    instrument = instruments[progress.latest.instrument]
    cutoff = cutoff_for(client, instrument, instruments)
    reliable = instrument.reliable_change or DEFAULT_RELIABLE_CHANGE
    intake, latest = progress.intake.total, progress.latest.total
    return progress, cutoff, reliable, status_of(progress.change, intake, latest, cutoff, reliable)


def _rater_summary(
    client: Client,
    rater: str,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    thresholds: Thresholds,
) -> RaterSummary:
    ors = on_latest_scale(series_ratings(administrations, "ors", instruments, rater), instruments)
    srs = series_ratings(administrations, "srs", instruments, rater)
    progress, _, _, status = _standing(client, ors, instruments)
    flags = alliance_flags(srs, instruments, thresholds, rater=rater)
    flags += alliance_flags(
        series_ratings(administrations, GROUP_SERIES, instruments, rater),
        instruments,
        thresholds,
        GROUP_FLAGS,
        "g",
        rater,
    )
    return RaterSummary(rater, ors, srs, progress, status, tuple(flags))


def _ors_flags(
    progress: Progress | None, cutoff: int | None, zones: Sequence[etr.SessionZone]
) -> list[str]:
    """The client's own ORS below the cut-off, or off track against the expected path."""
    flags = []
    if progress is not None and cutoff is not None and progress.latest.total < cutoff:
        flags.append("ors_below_cutoff")
    if zones and zones[-1].zone == "off_track":
        flags.append("off_track")
    return flags


def _split_flags(
    alliances: Sequence[tuple[str, tuple[Administration, ...]]],
    administrations: list[Administration],
    instruments: dict[str, Instrument],
) -> list[str]:
    """A split alliance in the latest session with an SRS, else nothing."""
    srs_days = [a.day for a in administrations if series_of(instruments, a) == "srs"]
    return ["split_alliance"] if alliances and alliances[-1][0] == max(srs_days) else []


def _lowest_of_latest(
    series: tuple[Administration, ...], instruments: dict[str, Instrument]
) -> str | None:
    """The lowest item of a series' latest rating; None before its first."""
    return lowest_item(series[-1], instruments[series[-1].instrument]) if series else None


def _missing_srs(
    ors: tuple[Administration, ...], alliance: Iterable[Administration], today: date | None
) -> tuple[str, ...]:
    """The days with an ORS and no alliance rating; today's session may still be going."""
    rated = {a.day for a in alliance}
    return tuple(
        dict.fromkeys(
            a.day
            for a in ors
            if a.day not in rated and (today is None or a.day != today.isoformat())
        )
    )


def _figures(
    client: Client,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    thresholds: Thresholds,
    etr_params: etr.Parameters,
    linked: Iterable[Administration],
    today: date | None,
    every_episode: Iterable[Administration] | None,
) -> Figures:
    """The scoring rules' figures for one client, patterns aside (see ``summarize``)."""
    ors = on_latest_scale(own_ratings(administrations, "ors", instruments), instruments)
    srs = own_ratings(administrations, "srs", instruments)
    gsrs = series_ratings(administrations, GROUP_SERIES, instruments)
    progress, cutoff, reliable, status = _standing(client, ors, instruments)
    zones = tuple(etr.zones_of(ors, client.age_group, instruments, etr_params))
    alliances = tuple(
        (day, ratings)
        for day, ratings in split_alliances([*administrations, *linked], instruments, thresholds)
        if any(a.client == client.code for a in ratings)
    )
    raters = tuple(
        _rater_summary(client, rater, administrations, instruments, thresholds)
        for rater in sorted({a.rater for a in administrations if not a.by_client})
    )
    alerts = latest_risk_alerts(
        administrations if every_episode is None else every_episode, instruments
    )
    own_flags = [
        *_ors_flags(progress, cutoff, zones),
        *alliance_flags(srs, instruments, thresholds),
        *alliance_flags(gsrs, instruments, thresholds, GROUP_FLAGS, "g"),
        *_split_flags(alliances, administrations, instruments),
    ]
    scale = instruments[progress.latest.instrument] if progress else None
    warning = scale_warning(client, scale, cutoff) if scale else None
    return Figures(
        ors=ors,
        srs=srs,
        progress=progress,
        status=status,
        cutoff=cutoff,
        flags=tuple(dict.fromkeys(sorted(alert.rule.flag for alert in alerts)))
        + tuple(sorted(own_flags))
        + tuple(flag for r in raters for flag in sorted(r.flags)),
        lowest_srs_item=_lowest_of_latest(srs, instruments),
        lowest_ors_item=_lowest_of_latest(ors, instruments),
        reliable=reliable,
        expected_path=tuple(etr.client_path(ors, client.age_group, instruments, etr_params)),
        etr_zones=zones,
        etr_zone=zones[-1].zone if zones else None,
        alerts=alerts,
        symptoms=symptom_summaries(administrations, instruments),
        gsrs=gsrs,
        raters=raters,
        alliances=alliances,
        missing_srs=_missing_srs(ors, (*srs, *gsrs), today),
        warnings=(warning,) if warning else (),
    )


def summarize(
    client: Client,
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    etr_params: etr.Parameters | None = None,
    linked: Iterable[Administration] = (),
    today: date | None = None,
    every_episode: Iterable[Administration] | None = None,
) -> Summary:
    """Status, flags, lowest items and patterns for one client's administrations.

    ``today``: a session on this day may still be going, its SRS still to come at the end,
    so an ORS of today is not yet a session without an SRS.

    ``etr_params`` is the expected-treatment-response model to judge the client against:
    the practice's own (``etr.load_parameters``) or, when left out, fittui's default.
    ``linked`` are the ratings of the clients linked with this one as a case (a couple
    under two codes): they count only for the split alliance.

    ``every_episode``: the client's counted ratings of every episode (``administrations``
    when left out), for the risk alerts alone: an answer to PHQ-9 item 9 stays raised
    until a later PHQ-9 clears it, even when a new episode of care has started since.
    """
    figures = _figures(
        client,
        list(administrations),
        instruments,
        thresholds,
        etr_params or etr.default_parameters(),
        linked,
        today,
        every_episode,
    )
    # A Summary is its figures, field for field, with the patterns they show.
    return Summary(**vars(figures), patterns=find_patterns(figures, instruments, thresholds))


# -- patterns ------------------------------------------------------------------------------
# Each pattern rule looks at a client's figures and returns the pattern, with what to ask,
# when its condition holds.
class Case(NamedTuple):
    figures: Figures
    instruments: dict[str, Instrument]
    thresholds: Thresholds


# What FIT guidance suggests when the same SRS item keeps coming out lowest, by item.
ITEM_MOVES = {
    "relationship": N_(
        "The relationship keeps coming out lowest. Ask what would help them feel "
        "more heard and understood: more room to talk, less advice, another pace?"
    ),
    "listening": N_(
        "Listening keeps coming out lowest. Ask what would help them feel more "
        "listened to: more time to say things, fewer questions?"
    ),
    "goals_topics": N_(
        "The goals and topics keep coming out lowest. Check together what they most "
        "want to work on, and whether today's topics were theirs."
    ),
    "how_important": N_(
        "How important the talk felt keeps coming out lowest. Ask what they would "
        "most like to talk about next time."
    ),
    "approach": N_(
        "The approach keeps coming out lowest. Ask how the way we work suits them: more "
        "structure or less, something practical, something else?"
    ),
    "what_we_did": N_(
        "What we did keeps coming out lowest. Ask what they would like to do together next time."
    ),
    "overall": N_(
        "Overall keeps coming out lowest. Ask what would make the sessions feel more "
        "right for them."
    ),
}


def _label(instruments: dict[str, Instrument], administration: Administration, key: str) -> str:
    return language.instrument_words(instruments[administration.instrument].item(key).label)


Finding = tuple[str, tuple[str, ...]]  # a pattern's detail, and the questions to ask
Rule = Callable[[Case], Pattern | None]


def _pattern(key: str, title: str) -> Callable[[Callable[[Case], Finding | None]], Rule]:
    """A pattern rule from the function below it, which finds the detail and the questions
    when its condition holds: the pattern's key and title stand above its condition."""

    def named(find: Callable[[Case], Finding | None]) -> Rule:
        @wraps(find)
        def rule(c: Case) -> Pattern | None:
            found = find(c)
            return None if found is None else Pattern(key, title, *found)

        return rule

    return named


def _change_with_good_fit(c: Case) -> tuple[int, str] | None:
    """The ORS change since intake and the words for the latest SRS, when there is a
    change and that SRS is a good fit (36 or more); else None."""
    f = c.figures
    if f.progress is None or f.progress.change is None or not f.srs:
        return None
    last = f.srs[-1].total
    if last < c.thresholds.good_fit:
        return None
    return f.progress.change, language._("latest SRS {score}").format(score=format_tenths(last))


@_pattern("progress_good_fit", N_("Progress, good fit"))
def _progress_good_fit(c: Case) -> Finding | None:
    """ORS reliably up, SRS at 36 or more: find out what helps, to keep it going."""
    found = _change_with_good_fit(c)
    if found is None or found[0] < c.figures.reliable:
        return None
    change, fit = found
    return (
        language._("ORS up {change} since intake; {fit}.").format(
            change=format_tenths(change), fit=fit
        ),
        (N_("What has been most helpful so far, and how can we keep it going?"),),
    )


@_pattern("flat_progress_good_fit", N_("Flat progress, good fit"))
def _flat_progress_good_fit(c: Case) -> Finding | None:
    """Four ORS or more without reliable change, SRS at 36 or more: revisit goals or approach."""
    found = _change_with_good_fit(c)
    count, reliable = len(c.figures.ors), c.figures.reliable
    if found is None or count < c.thresholds.flat_min_ors or not -reliable < found[0] < reliable:
        return None
    return (
        language._("{n} ORS without reliable change; {fit}.").format(n=count, fit=found[1]),
        (
            N_(
                "Our sessions seem to feel right, yet life outside has not shifted much. "
                "Are we working on what matters most?"
            ),
            N_("Would it help to try something different in how we work?"),
        ),
    )


@_pattern("decline_despite_good_fit", N_("Decline despite good fit"))
def _decline_despite_good_fit(c: Case) -> Finding | None:
    """ORS reliably down, SRS at 36 or more: something outside therapy may be going on."""
    found = _change_with_good_fit(c)
    if found is None or found[0] > -c.figures.reliable:
        return None
    change, fit = found
    return (
        language._("ORS down {change} since intake; {fit}.").format(
            change=format_tenths(-change), fit=fit
        ),
        (
            N_("What has become harder lately?"),
            N_("Is something happening outside our sessions that we should make room for?"),
        ),
    )


@_pattern("sudden_alliance_drop", N_("Sudden alliance drop"))
def _sudden_alliance_drop(c: Case) -> Finding | None:
    """The client's own SRS fell a point or more: ask what did not fit today."""
    if "srs_drop" not in c.figures.flags:
        return None
    previous, last = c.figures.srs[-2:]
    key = c.instruments[last.instrument].key
    return (
        language._("{key} fell from {before} to {now}.").format(
            key=key, before=format_tenths(previous.total), now=format_tenths(last.total)
        ),
        (N_("What did not fit for you today: the pace, the focus, how deep we went?"),),
    )


@_pattern("always_at_ceiling", N_("Always at the ceiling"))
def _always_at_ceiling(c: Case) -> Finding | None:
    """The last SRS all at 39 or more (all items at 10 included): invite honesty."""
    t = c.thresholds
    recent = c.figures.srs[-t.ceiling_count :]
    if len(recent) < t.ceiling_count or any(a.total < t.ceiling for a in recent):
        return None
    return (
        language._("The last {n} SRS were all {score} or more.").format(
            n=t.ceiling_count, score=format_tenths(t.ceiling)
        ),
        (
            N_(
                "Even a small thing that did not quite fit is useful for me to hear. "
                "What would have made one of these a 9 rather than a 10?"
            ),
        ),
    )


@_pattern("high_and_steady", N_("High and steady"))
def _high_and_steady(c: Case) -> Finding | None:
    """SRS at 38 or more and the ORS up since last time: learn what helped, to keep it.
    Left out when "Progress, good fit" already asks what helps."""
    s = c.figures
    if not s.srs or s.srs[-1].total < c.thresholds.high_srs or len(s.ors) < 2:
        return None
    if s.ors[-1].total <= s.ors[-2].total or _progress_good_fit(c) is not None:
        return None
    return (
        language._("SRS {score} and the ORS up {change} since last time.").format(
            score=format_tenths(s.srs[-1].total),
            change=format_tenths(s.ors[-1].total - s.ors[-2].total),
        ),
        (N_("What made today helpful, so we can keep doing it?"),),
    )


@_pattern("same_item_lowest", N_("Same item lowest again"))
def _same_item_lowest(c: Case) -> Finding | None:
    """The same SRS item lowest in 2 of the last 3 sessions: that part keeps missing.
    A session whose items are all equal has no lowest item and does not count."""
    t = c.thresholds
    recent = c.figures.srs[-t.same_item_window :]
    lowest = [lowest_item(a, c.instruments[a.instrument]) for a in recent if has_lowest(a)]
    if not lowest:
        return None
    key, count = Counter(lowest).most_common(1)[0]
    if count < t.same_item_count:
        return None
    label = _label(c.instruments, c.figures.srs[-1], key)
    return (
        language._("{label} was the lowest SRS item in {count} of the last {n} sessions.").format(
            label=label, count=count, n=len(recent)
        ),
        (
            ITEM_MOVES.get(key)
            or language._(
                "{label} keeps coming out lowest. Name it, and ask what would help."
            ).format(label=label),
        ),
    )


@_pattern("item_dropped", N_("Item dropped"))
def _item_dropped(c: Case) -> Finding | None:
    """An item 2 points or more below the same item last time, on the SRS or the ORS."""
    dropped = []
    for ratings in (c.figures.srs, c.figures.ors):
        if len(ratings) < 2:
            continue
        previous, last = ratings[-2:]
        instrument = c.instruments[last.instrument]
        for item in instrument.items:
            before, now = previous.items.get(item.key), last.items.get(item.key)
            if before is not None and now is not None and before - now >= c.thresholds.item_drop:
                dropped.append(
                    language._("{key} {item} {now}, was {before}").format(
                        key=instrument.key,
                        item=language.instrument_words(item.label),
                        now=format_tenths(now),
                        before=format_tenths(before),
                    )
                )
    if not dropped:
        return None
    return (
        language._("Since last time: {items}.").format(items="; ".join(dropped)),
        (N_("This one is lower than last time: what changed?"),),
    )


@_pattern("not_on_track", N_("Not on track"))
def _not_on_track(c: Case) -> Finding | None:
    """The ORS below the band around the expected path: consider a change, or supervision."""
    if "off_track" not in c.figures.flags:
        return None
    last = c.figures.etr_zones[-1]
    return (
        language._(
            "Session {session}: ORS {score}, below the band around the expected path "
            "(expected {expected}, band down to {lower})."
        ).format(
            session=last.session,
            score=format_tenths(last.administration.total),
            expected=format_tenths(last.expected),
            lower=format_tenths(last.lower),
        )
        + " "
        + language._(etr.DISCLAIMER),
        (
            N_(
                "Things have not moved the way we hoped by now. What do you make of that, "
                "and what should we do differently?"
            ),
            N_(
                "For you: is this a time to change the approach, or to talk it over in supervision?"
            ),
        ),
    )


def _low_item(c: Case) -> Pattern | None:
    """An SRS item below 9, else the lowest item of the latest ORS: one follow-up about it.
    A rating whose items are all equal has no lowest item, so none is named from it. The
    title and the question are templates for the instrument's {name} and the item's
    {label}."""
    s = c.figures
    if "srs_item_low" in s.flags and s.lowest_srs_item is not None and has_lowest(s.srs[-1]):
        last, key = s.srs[-1], s.lowest_srs_item
        title = language._("Low {key} item")
        question = language._("You marked {label} a bit lower. What would have made it better?")
        lowered = True
    elif s.progress and s.lowest_ors_item is not None and has_lowest(s.progress.latest):
        last, key = s.progress.latest, s.lowest_ors_item
        title = language._("Lowest {key} item")
        question = language._(
            "{label} is where you marked lowest. What is going on there at the moment?"
        )
        lowered = False
    else:
        return None
    name = c.instruments[last.instrument].key
    label = _label(c.instruments, last, key)
    return Pattern(
        "low_item",
        title.format(key=name),
        language._("{label} was {score} in the latest {key}.").format(
            label=label, score=format_tenths(last.items[key]), key=name
        ),
        (question.format(label=language.in_sentence(label) if lowered else label),),
    )


@_pattern("no_srs", N_("No SRS this session"))
def _no_srs(c: Case) -> Finding | None:
    """The latest ORS session has no SRS: ask for it, it is where misfits show."""
    s = c.figures
    if s.progress is None or s.progress.latest.day not in s.missing_srs:
        return None
    sessions = len({a.day for a in s.ors})
    return (
        language._("An ORS on {day} and no SRS; {n} of {sessions} ORS sessions have none.").format(
            day=s.progress.latest.day, n=len(s.missing_srs), sessions=sessions
        ),
        (N_("Ask for the SRS at the end of the session: it is where a misfit shows first."),),
    )


@_pattern("group_alliance", N_("The group's alliance"))
def _group_alliance(c: Case) -> Finding | None:
    """The group's alliance (GSRS) below 36 or fallen: what did not fit in the group."""
    s = c.figures
    if not {"gsrs_below_cutoff", "gsrs_drop"} & set(s.flags):
        return None
    last = s.gsrs[-1]
    before = (
        language._(", was {score}").format(score=format_tenths(s.gsrs[-2].total))
        if len(s.gsrs) > 1
        else ""
    )
    return (
        language._("GSRS {score} on {day}{before}.").format(
            score=format_tenths(last.total), day=last.day, before=before
        ),
        (N_("What in the group did not fit today, and what would make it work better for you?"),),
    )


@_pattern("rater_alliance", N_("Another rater's alliance"))
def _rater_alliance(c: Case) -> Finding | None:
    """A partner's, a parent's or a teacher's SRS raised a flag: their view counts too.
    Left out when the split alliance already names their SRS and asks each person."""
    if "split_alliance" in c.figures.flags:
        return None
    flagged = [
        r
        for r in c.figures.raters
        if r.srs and any(flag_base(f).startswith("srs_") for f in r.flags)
    ]
    if not flagged:
        return None
    return (
        language._("Flags from {raters}.").format(
            raters="; ".join(
                language._("the {rater}'s SRS {score} on {day}").format(
                    rater=language._(r.rater),
                    score=format_tenths(r.srs[-1].total),
                    day=r.srs[-1].day,
                )
                for r in flagged
            )
        ),
        tuple(
            language._(
                "Ask the {rater} what did not fit for them, and what would help next time."
            ).format(rater=language._(r.rater))
            for r in flagged
        ),
    )


PATTERNS: tuple[Rule, ...] = (
    _progress_good_fit,
    _flat_progress_good_fit,
    _decline_despite_good_fit,
    _sudden_alliance_drop,
    _always_at_ceiling,
    _high_and_steady,
    _not_on_track,
    _same_item_lowest,
    _item_dropped,
    _low_item,
    _no_srs,
    _group_alliance,
    _rater_alliance,
)


def find_patterns(
    figures: Figures,
    instruments: dict[str, Instrument],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[Pattern, ...]:
    """The patterns that apply, in the table's order, each with questions in our own words."""
    case = Case(figures, instruments, thresholds)
    return tuple(p for rule in PATTERNS if (p := rule(case)) is not None)


def previous_of(
    administration: Administration,
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
) -> Administration | None:
    """The same rater's rating of the same family just before this one, for "since last time".

    Instruments outside the ORS and SRS families (the PHQ-9, the GAD-7) are compared only
    with themselves, and a group's GSRS only with the group's.
    """

    wanted = series_of(instruments, administration)
    before = None
    for a in chronological(administrations):
        if a.id == administration.id:
            return before
        if a.rater == administration.rater and series_of(instruments, a) == wanted:
            before = a
    return before


# How much each flag asks for the therapist's attention; a risk flag outranks everything.
RISK_WEIGHT = 1000  # any risk rule's flag (PHQ-9 item 9, or a user instrument's own)
ATTENTION_WEIGHTS = {
    "off_track": 100,  # issue 7: off-track clients first
    "srs_drop": 20,
    "srs_below_cutoff": 20,
    "ors_below_cutoff": 8,
    "srs_item_low": 5,
    "split_alliance": 20,
    "gsrs_drop": 10,
    "gsrs_below_cutoff": 10,
}
COLLATERAL_SHARE = 2  # a collateral rater's flag weighs half the client's own
DETERIORATED_WEIGHT = 30


def attention(summary: Summary) -> int:
    """A rank for the client list: the higher, the sooner the therapist should look.

    A sum of weighted flags plus a weight for deterioration, so a client with a risk
    answer always comes first and one with several signals before one with a single one.
    """
    risks = {alert.rule.flag for alert in summary.alerts}

    def weight(flag: str) -> int:
        if flag in risks:
            return RISK_WEIGHT
        base, _, rater = flag.partition(":")
        share = ATTENTION_WEIGHTS.get(base, 1)
        return max(1, share // COLLATERAL_SHARE) if rater else share

    score = sum(weight(flag) for flag in summary.flags)
    if summary.status == "deteriorated":
        score += DETERIORATED_WEIGHT
    return score
