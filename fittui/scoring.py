"""Scoring, exactly as CLINICAL.md says: totals, intake and latest, status, flags, patterns.

Pure functions over administrations in integer tenths. The order of administrations is
by date, then by entry order (the order they were saved), which is why every function
here takes administrations in entry order and sorts them stably.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from fittui import etr
from fittui.instruments import Band, Instrument, Item, RiskRule, format_tenths
from fittui.model import Administration, Client

STATUSES = ("recovered", "improved", "unchanged", "deteriorated", "insufficient")
# flag -> (a short symbol for lists, words for the therapist); symbols never rely on colour.
FLAGS = {
    "phq9_item9": ("⚠item9", "PHQ-9 item 9 (thoughts of death or self-harm) above “Not at all”"),
    "ors_below_cutoff": ("▼ORS", "ORS below the clinical cut-off"),
    "srs_below_cutoff": ("▼SRS", "SRS below 36"),
    "srs_item_low": ("!item", "an SRS item below 9"),
    "srs_drop": ("↓SRS", "SRS fell 1 point or more since last time"),
    "off_track": ("✗ETR", "ORS below the band around the expected path"),
}
DEFAULT_RELIABLE_CHANGE = 50


def describe_flag(flag: str) -> tuple[str, str]:
    """The symbol and words of a flag; a risk rule from a user's own instrument file gets
    a warning sign and its flag name, so no flag is ever dropped for want of words."""
    return FLAGS.get(flag, (f"⚠{flag}", flag.replace("_", " ")))


@dataclass(frozen=True)
class Thresholds:
    """Pattern thresholds in tenths: the defaults of CLINICAL.md, which a user may change."""

    good_fit: int = 360
    flat_min_ors: int = 4
    srs_drop: int = 10
    ceiling: int = 390
    ceiling_count: int = 3
    split_alliance: int = 50


@dataclass(frozen=True)
class Pattern:
    """A pattern worth a conversation: what it is, why it applies, what to ask."""

    key: str
    title: str
    detail: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class RiskAlert:
    """An answer that meets an instrument's risk rule, such as PHQ-9 item 9 at 1 or more."""

    administration: Administration
    instrument: Instrument
    rule: RiskRule
    item: Item
    number: int
    """The item's number in the questionnaire, counting from 1."""

    @property
    def answer(self) -> str:
        """The answer as the client chose it: "Several days"."""
        return self.instrument.option_for(self.administration.items[self.item.key])

    @property
    def headline(self) -> str:
        """One line for the therapist: which question, which answer, by whom and when."""
        who = "" if self.administration.by_client else f" by the {self.administration.rater}"
        return (
            f"{self.instrument.key} item {self.number} ({self.item.label.lower()}) was "
            f"answered “{self.answer}”{who} on {self.administration.day}."
        )


@dataclass(frozen=True)
class SymptomSummary:
    """A Likert instrument (PHQ-9, GAD-7) as the client rated it: band of the latest total."""

    ratings: tuple[Administration, ...]
    """The client's own ratings, in clinical order (never empty)."""
    band: Band | None

    @property
    def latest(self) -> Administration:
        return self.ratings[-1]

    @property
    def change(self) -> int | None:
        """The latest total minus the first, in tenths; None with a single rating."""
        return self.ratings[-1].total - self.ratings[0].total if len(self.ratings) > 1 else None


@dataclass(frozen=True)
class Summary:
    """Everything the scoring rules say about one client.

    ``alerts`` are the risk rules met by the latest rating of each instrument by each
    rater; their flags lead ``flags``. ``symptoms`` holds each Likert instrument the
    client rated, by key.
    """

    ors: tuple[Administration, ...]
    srs: tuple[Administration, ...]
    intake: Administration | None
    latest: Administration | None
    change: int | None
    status: str
    cutoff: int | None
    flags: tuple[str, ...]
    lowest_srs_item: str | None
    lowest_ors_item: str | None
    patterns: tuple[Pattern, ...] = field(default=())
    reliable: int = DEFAULT_RELIABLE_CHANGE  # the reliable-change threshold that applied
    # The expected treatment response: the zone of every rating after intake, and the
    # latest one (None before the second ORS, or where the model does not apply).
    etr_zones: tuple[etr.SessionZone, ...] = ()
    etr_zone: str | None = None
    alerts: tuple[RiskAlert, ...] = field(default=())
    symptoms: dict[str, SymptomSummary] = field(default_factory=dict)


def chronological(administrations: Iterable[Administration]) -> list[Administration]:
    """By date (and time where given); same-date ties keep entry order (sort is stable)."""
    return sorted(administrations, key=lambda a: a.date)


def family_of(instruments: dict[str, Instrument], administration: Administration) -> str:
    instrument = instruments.get(administration.instrument)
    return instrument.family if instrument else "other"


def own_ratings(
    administrations: Iterable[Administration], family: str, instruments: dict[str, Instrument]
) -> tuple[Administration, ...]:
    """The client's own ratings of one family, in clinical order (collateral never counted)."""
    return tuple(
        a
        for a in chronological(administrations)
        if a.by_client and family_of(instruments, a) == family
    )


def risk_alerts(
    administrations: Iterable[Administration], instruments: dict[str, Instrument]
) -> tuple[RiskAlert, ...]:
    """Every risk rule each of these administrations meets, in the order given."""
    found = []
    for a in administrations:
        instrument = instruments.get(a.instrument)
        for rule in instrument.risk_rules if instrument else ():
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


def status_of(
    change: int | None, intake: int, latest: int, cutoff: int | None, reliable: int
) -> str:
    """Recovered, improved, unchanged or deteriorated (CLINICAL.md, Status)."""
    if change is None:
        return "insufficient"
    if change >= reliable:
        if cutoff is not None and intake < cutoff <= latest:
            return "recovered"
        return "improved"
    if change <= -reliable:
        return "deteriorated"
    return "unchanged"


def summarize(
    client: Client,
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    thresholds: Thresholds = Thresholds(),
    etr_params: etr.Parameters | None = None,
) -> Summary:
    """Status, flags, lowest items and patterns for one client's administrations.

    ``etr_params`` is the expected-treatment-response model to judge the client against:
    the practice's own (``etr.load_parameters``) or, when left out, fittui's default.
    """
    administrations = list(administrations)
    ors = own_ratings(administrations, "ors", instruments)
    srs = own_ratings(administrations, "srs", instruments)
    intake = ors[0] if ors else None
    latest = ors[-1] if ors else None
    latest_ors_instrument = instruments[latest.instrument] if latest else None
    cutoff = latest_ors_instrument.cutoff_for(client.age_group) if latest_ors_instrument else None
    change = latest.total - intake.total if len(ors) >= 2 else None
    reliable = (latest_ors_instrument.reliable_change if latest_ors_instrument else None) or (
        DEFAULT_RELIABLE_CHANGE
    )
    status = status_of(
        change, intake.total if intake else 0, latest.total if latest else 0, cutoff, reliable
    )

    flags = set()
    if latest is not None and cutoff is not None and latest.total < cutoff:
        flags.add("ors_below_cutoff")
    last_srs = srs[-1] if srs else None
    srs_instrument = instruments[last_srs.instrument] if last_srs else None
    if last_srs and srs_instrument.cutoff is not None and last_srs.total < srs_instrument.cutoff:
        flags.add("srs_below_cutoff")
    if (
        last_srs
        and srs_instrument.item_cutoff is not None
        and any(score < srs_instrument.item_cutoff for score in last_srs.items.values())
    ):
        flags.add("srs_item_low")
    if len(srs) >= 2 and srs[-1].total <= srs[-2].total - thresholds.srs_drop:
        flags.add("srs_drop")
    zones = etr.zones_of(ors, client.age_group, instruments, etr_params or etr.default_parameters())
    if zones and zones[-1].zone == "off_track":
        flags.add("off_track")
    alerts = latest_risk_alerts(administrations, instruments)
    risk_flags = tuple(dict.fromkeys(sorted(alert.rule.flag for alert in alerts)))

    summary = Summary(
        ors=ors,
        srs=srs,
        intake=intake,
        latest=latest,
        change=change,
        status=status,
        cutoff=cutoff,
        flags=risk_flags + tuple(sorted(flags)),
        lowest_srs_item=lowest_item(last_srs, srs_instrument) if last_srs else None,
        lowest_ors_item=lowest_item(latest, latest_ors_instrument) if latest else None,
        reliable=reliable,
        etr_zones=tuple(zones),
        etr_zone=zones[-1].zone if zones else None,
        alerts=alerts,
        symptoms=symptom_summaries(administrations, instruments),
    )
    patterns = find_patterns(summary, instruments, reliable, thresholds)
    return replace(summary, patterns=patterns)


def split_alliances(
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    thresholds: Thresholds = Thresholds(),
) -> list[tuple[str, tuple[Administration, ...]]]:
    """Sessions where two raters' SRS totals differ by the split-alliance threshold or more.

    Returns (day, the SRS administrations of that day) for each such session.
    """
    by_day: dict[str, list[Administration]] = {}
    for a in chronological(administrations):
        if family_of(instruments, a) == "srs":
            by_day.setdefault(a.day, []).append(a)
    found = []
    for day, ratings in by_day.items():
        latest_by_rater = {a.rater: a for a in ratings}
        totals = [a.total for a in latest_by_rater.values()]
        if len(totals) >= 2 and max(totals) - min(totals) >= thresholds.split_alliance:
            found.append((day, tuple(latest_by_rater.values())))
    return found


def _label(instruments: dict[str, Instrument], administration: Administration, key: str) -> str:
    return instruments[administration.instrument].item(key).label


def find_patterns(
    summary: Summary,
    instruments: dict[str, Instrument],
    reliable: int,
    thresholds: Thresholds = Thresholds(),
) -> tuple[Pattern, ...]:
    """The patterns of CLINICAL.md that apply, each with questions in our own words."""
    found: list[Pattern] = []
    last_srs = summary.srs[-1] if summary.srs else None
    good_fit = last_srs is not None and last_srs.total >= thresholds.good_fit
    fit_text = f"latest SRS {format_tenths(last_srs.total)}" if last_srs else ""
    change = summary.change
    if change is not None and change >= reliable and good_fit:
        found.append(
            Pattern(
                "progress_good_fit",
                "Progress, good fit",
                f"ORS up {format_tenths(change)} since intake; {fit_text}.",
                ("What has been most helpful so far, and how can we keep it going?",),
            )
        )
    if (
        change is not None
        and len(summary.ors) >= thresholds.flat_min_ors
        and -reliable < change < reliable
        and good_fit
    ):
        found.append(
            Pattern(
                "flat_progress_good_fit",
                "Flat progress, good fit",
                f"{len(summary.ors)} ORS without reliable change; {fit_text}.",
                (
                    "Our sessions seem to feel right, yet life outside has not shifted much. "
                    "Are we working on what matters most?",
                    "Would it help to try something different in how we work?",
                ),
            )
        )
    if change is not None and change <= -reliable and good_fit:
        found.append(
            Pattern(
                "decline_despite_good_fit",
                "Decline despite good fit",
                f"ORS down {format_tenths(-change)} since intake; {fit_text}.",
                (
                    "What has become harder lately?",
                    "Is something happening outside our sessions that we should make room for?",
                ),
            )
        )
    if "srs_drop" in summary.flags:
        previous = summary.srs[-2]
        found.append(
            Pattern(
                "sudden_alliance_drop",
                "Sudden alliance drop",
                f"SRS fell from {format_tenths(previous.total)} "
                f"to {format_tenths(last_srs.total)}.",
                ("What did not fit for you today: the pace, the focus, how deep we went?",),
            )
        )
    recent = summary.srs[-thresholds.ceiling_count :]
    if len(recent) == thresholds.ceiling_count and all(
        a.total >= thresholds.ceiling for a in recent
    ):
        found.append(
            Pattern(
                "always_at_ceiling",
                "Always at the ceiling",
                f"The last {thresholds.ceiling_count} SRS were all "
                f"{format_tenths(thresholds.ceiling)} or more.",
                (
                    "Even a small thing that did not quite fit is useful for me to hear. "
                    "What could have been a little better?",
                ),
            )
        )
    if "off_track" in summary.flags:
        last = summary.etr_zones[-1]
        found.append(
            Pattern(
                "not_on_track",
                "Not on track",
                f"Session {last.session}: ORS {format_tenths(last.administration.total)}, "
                f"below the band around the expected path (expected "
                f"{format_tenths(last.expected)}, band down to {format_tenths(last.lower)}). "
                f"{etr.DISCLAIMER}",
                (
                    "Things have not moved the way we hoped by now. What do you make of that, "
                    "and what should we do differently?",
                    "For you: is this a time to change the approach, or to talk it over in "
                    "supervision?",
                ),
            )
        )
    if "srs_item_low" in summary.flags:
        key = summary.lowest_srs_item
        label = _label(instruments, last_srs, key)
        found.append(
            Pattern(
                "low_item",
                "Low SRS item",
                f"{label} was {format_tenths(last_srs.items[key])} in the latest SRS.",
                (f"You marked {label.lower()} a bit lower. What would have made it better?",),
            )
        )
    elif (
        summary.latest is not None
        and summary.lowest_ors_item is not None
        and len(summary.latest.items) > 1
    ):
        key = summary.lowest_ors_item
        label = _label(instruments, summary.latest, key)
        found.append(
            Pattern(
                "low_item",
                "Lowest ORS item",
                f"{label} was {format_tenths(summary.latest.items[key])} in the latest ORS.",
                (f"{label} is where you marked lowest. What is going on there at the moment?",),
            )
        )
    return tuple(found)


def previous_of(
    administration: Administration,
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
) -> Administration | None:
    """The same rater's rating of the same family just before this one, for "since last time".

    Instruments outside the ORS and SRS families (the PHQ-9, the GAD-7) are compared only
    with themselves.
    """

    def series(a: Administration) -> str:
        family = family_of(instruments, a)
        return a.instrument if family == "other" else family

    wanted = series(administration)
    before = None
    for a in chronological(administrations):
        if a.id == administration.id:
            return before
        if a.rater == administration.rater and series(a) == wanted:
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
}
DETERIORATED_WEIGHT = 30


def attention(summary: Summary) -> int:
    """A rank for the client list: the higher, the sooner the therapist should look.

    A sum of weighted flags plus a weight for deterioration, so a client with a risk
    answer always comes first and one with several signals before one with a single one.
    """
    risks = {alert.rule.flag for alert in summary.alerts}
    score = sum(
        RISK_WEIGHT if flag in risks else ATTENTION_WEIGHTS.get(flag, 1) for flag in summary.flags
    )
    if summary.status == "deteriorated":
        score += DETERIORATED_WEIGHT
    return score
