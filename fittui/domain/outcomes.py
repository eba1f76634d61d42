"""The practice's outcome summary for a period, the way the field reports it, per episode.

Pure functions over clients, administrations and episode events, shared by ``fittui report
--summary`` and the outcomes screen. The unit is the episode of care (``episodes.py``): a
client back after two years is a new course with a new intake. Every clinical judgement
(intake, latest, status) comes from ``scoring.summarize`` on one episode's ratings, so the
summary counts the client's own ratings only, as the rest of fittui does.

The period: an episode is in the period when it has a rating of the client's own dated
within it (``start`` and ``end`` both inclusive, either may be open). It is measured from
its own intake, even one before the period, to its latest ORS on or before the period's
end; ratings and the therapist's episode events after the period are left out, and an
episode counts as closed only when it had ended by then, so the summary of a finished
period never changes.

The effect sizes divide by a fixed reference spread of intake scores (``outcomes_reference
.toml``), never by the sample's own, and are given only from a minimum number of episodes
whose intake is in the clinical range; each comes with n and a 95% confidence interval.
Means are exact (fractions of tenths) and rounded half up only for display and JSON.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cache
from math import sqrt
from pathlib import Path
from statistics import NormalDist

from fittui.domain import display
from fittui.domain.episodes import DEFAULT_GAP_DAYS, Episode, EpisodeEvent, split_episodes
from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.language import N_, _, n_
from fittui.domain.model import Administration, Client, InputError
from fittui.domain.scoring import Progress, own_instrument_ratings, summarize

REFERENCE_FILE = Path(__file__).with_name("outcomes_reference.toml")
# Means and the effect size are taken over episodes rated on the 40-point scales only: the
# young child's one-face scales (0-10) would pull every mean down for no clinical reason.
FULL_SCALE_MAX = 400
STATUS_ORDER = ("recovered", "improved", "unchanged", "deteriorated")
SYMPTOM_KEYS = {"PHQ-9": "phq9", "GAD-7": "gad7"}
CENTRE_BELOW_CUTOFF = 50  # tenths: an age group's centre is 5 points below its cut-off
# Two-sided 95% critical values of Student's t for 1 to 30 degrees of freedom.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """What a practice's change is read against (points), from ``outcomes_reference.toml``."""

    reference_sd: float
    change_at_centre: float
    change_per_point: float
    minimum_n: int

    @property
    def effect_size(self) -> float:
        """The reference sample's own effect size: its expected change over its spread."""
        return self.change_at_centre / self.reference_sd

    def expected_change(self, intake: int, cutoff: int) -> float:
        """The change (points) expected over an episode from this intake (tenths)."""
        centre = cutoff - CENTRE_BELOW_CUTOFF
        return self.change_at_centre + self.change_per_point * (intake - centre) / 10


@cache
def default_reference() -> Reference:
    """fittui's reference figures, read once from the data file beside this module."""
    data = tomllib.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return Reference(
        reference_sd=float(data["reference_sd"]),
        change_at_centre=float(data["change_at_centre"]),
        change_per_point=float(data["change_per_point"]),
        minimum_n=int(data["minimum_n"]),
    )


def reference_with(reference_sd: float | None) -> Reference:
    """The default reference, with the practice's own spread of intakes when it set one."""
    base = default_reference()
    if reference_sd is None:
        return base
    if not reference_sd > 0:
        raise InputError(f"the reference SD must be above 0, not {reference_sd}")
    return Reference(reference_sd, base.change_at_centre, base.change_per_point, base.minimum_n)


@dataclass(frozen=True)
class Period:
    """An inclusive range of days; None on either side leaves it open."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: str) -> bool:
        """Whether an administration's day (ISO, 'YYYY-MM-DD') falls within the period."""
        return (self.start is None or day >= self.start.isoformat()) and (
            self.end is None or day <= self.end.isoformat()
        )

    def describe(self) -> str:
        if self.start is None:
            if self.end is None:
                return _("all time")
            return _("up to {end}").format(end=self.end.isoformat())
        if self.end is None:
            return _("from {start}").format(start=self.start.isoformat())
        return _("{start} to {end}").format(start=self.start.isoformat(), end=self.end.isoformat())


@dataclass(frozen=True)
class Estimate:
    """An effect size with its 95% confidence interval over ``n`` episodes, or the reason
    there is none (``value`` None)."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    reason: str | None = None


@dataclass(frozen=True)
class SymptomChange:
    """One episode's PHQ-9 or GAD-7, first rating to last, by the NHS Talking Therapies
    rules: a reliable improvement is a fall of at least the instrument's reliable change,
    recovery a move from caseness to below it, reliable recovery both."""

    first: int  # tenths
    last: int
    reliable_improvement: bool
    case_at_start: bool
    recovery: bool  # False when the episode did not start at caseness
    reliable_recovery: bool


def symptom_change(
    ratings: Sequence[Administration], instrument: Instrument
) -> SymptomChange | None:
    """The change from the first to the last of these ratings (the client's own, in clinical
    order); None with fewer than two, or for an instrument without the rules in its data."""
    if len(ratings) < 2 or instrument.reliable_change is None or instrument.caseness is None:
        return None
    first, last = ratings[0].total, ratings[-1].total
    improved = first - last >= instrument.reliable_change
    case_at_start = first >= instrument.caseness
    recovered = case_at_start and last < instrument.caseness
    return SymptomChange(first, last, improved, case_at_start, recovered, recovered and improved)


@dataclass(frozen=True)
class SymptomOutcomes:
    """The PHQ-9 or GAD-7 figures of a summary: counts over the episodes rated twice."""

    episodes: int = 0  # episodes with two or more of the client's own ratings
    reliable_improvement: int = 0
    at_caseness: int = 0  # of those, the ones that started at caseness
    recovery: int = 0
    reliable_recovery: int = 0

    def add(self, change: SymptomChange) -> SymptomOutcomes:
        return SymptomOutcomes(
            self.episodes + 1,
            self.reliable_improvement + change.reliable_improvement,
            self.at_caseness + change.case_at_start,
            self.recovery + change.recovery,
            self.reliable_recovery + change.reliable_recovery,
        )

    def to_json(self, name: str) -> dict:
        """Counts, and shares to three decimals: improvement of all the episodes rated
        twice, recovery of those that started at caseness (null and a reason otherwise)."""
        improvement = _share(self.reliable_improvement, self.episodes)
        recovery = _share(self.recovery, self.at_caseness)
        reliable_recovery = _share(self.reliable_recovery, self.at_caseness)
        reasons = {}
        if not self.episodes:
            reasons["reliable_improvement_share"] = f"no episode with two {name} ratings"
        if not self.at_caseness:
            why = f"no episode started at {name} caseness"
            reasons["recovery_share"] = reasons["reliable_recovery_share"] = why
        return {
            "episodes": self.episodes,
            "reliable_improvement": self.reliable_improvement,
            "at_caseness": self.at_caseness,
            "recovery": self.recovery,
            "reliable_recovery": self.reliable_recovery,
            "reliable_improvement_share": rounded(improvement, 3),
            "recovery_share": rounded(recovery, 3),
            "reliable_recovery_share": rounded(reliable_recovery, 3),
            "reasons": reasons,
        }


class _Share:
    """A figure of the summary that is one of its counts over another, read when asked:
    declared in one line beside the counts it divides."""

    def __init__(self, count: str, of: str) -> None:
        self.count, self.of = count, of

    def __get__(self, summary: object, owner: type | None = None) -> Fraction | None:
        return _share(getattr(summary, self.count), getattr(summary, self.of))


@dataclass(frozen=True)
class OutcomeSummary:
    """The figures of the outcome summary; means in tenths as exact fractions.

    ``clinical`` is the number of episodes in the effect-size sample: two ORS on a
    40-point scale and an intake below the age group's cut-off.
    """

    period: Period
    reference: Reference
    clients: int
    episodes: int
    episodes_with_two_ors: int
    recovered: int
    improved: int
    unchanged: int
    deteriorated: int
    change_episodes: int
    mean_intake: Fraction | None
    mean_change: Fraction | None
    clinical: int
    effect_size: Estimate
    effect_size_adjusted: Estimate
    reliably_improved: int
    reached_cutoff: int
    closed_episodes: int
    dropouts: int
    closed_sessions: int
    srs_count: int
    mean_srs: Fraction | None
    srs_below_cutoff: int
    seen_once: int
    symptoms: dict[str, SymptomOutcomes] = field(default_factory=dict)

    # Figures that are one count over another, None where there is nothing to divide by.
    srs_below_cutoff_share = _Share("srs_below_cutoff", "srs_count")
    reliable_improvement_share = _Share("reliably_improved", "clinical")
    cutoff_reached_share = _Share("reached_cutoff", "clinical")
    dropout_rate = _Share("dropouts", "closed_episodes")
    mean_sessions = _Share("closed_sessions", "closed_episodes")

    def share_of_two_ors(self, count: int) -> Fraction | None:
        """A status count as a share of the episodes with two ORS."""
        return _share(count, self.episodes_with_two_ors)

    def reasons(self) -> dict[str, str]:
        """Why each figure that is null cannot be computed, in words for the therapist."""
        found = {}
        if self.change_episodes == 0:
            why = "no episode with two ORS on a 40-point scale"
            found["mean_intake"] = found["mean_change"] = why
        for key, estimate in (
            ("effect_size", self.effect_size),
            ("effect_size_adjusted", self.effect_size_adjusted),
        ):
            if estimate.reason:
                found[key] = estimate.reason
        if not self.clinical:
            why = "no episode with an intake below the cut-off and two ORS"
            found["reliable_improvement_share"] = found["cutoff_reached_share"] = why
        if not self.closed_episodes:
            found["dropout_rate"] = found["mean_sessions"] = "no episode had ended"
        if not self.srs_count:
            found["mean_srs"] = found["srs_below_cutoff_share"] = "no SRS in the period"
        return found

    def to_json(self) -> dict:
        """``fittui report --summary --json``: counts, means and effect sizes to 2 decimals,
        shares to 3; every null figure's reason under ``reasons``. It says its period
        (``from`` and ``to``, null where open), so a file kept or sent says what it covers."""
        start, end = self.period.start, self.period.end
        return {
            "from": None if start is None else start.isoformat(),
            "to": None if end is None else end.isoformat(),
            "clients": self.clients,
            "episodes": self.episodes,
            "episodes_with_two_ors": self.episodes_with_two_ors,
            "recovered": self.recovered,
            "improved": self.improved,
            "unchanged": self.unchanged,
            "deteriorated": self.deteriorated,
            "mean_intake": rounded(_points(self.mean_intake), 2),
            "mean_change": rounded(_points(self.mean_change), 2),
            "clinical_episodes": self.clinical,
            "effect_size": rounded(self.effect_size.value, 2),
            "effect_size_ci": _interval(self.effect_size),
            "effect_size_n": self.effect_size.n,
            "effect_size_adjusted": rounded(self.effect_size_adjusted.value, 2),
            "effect_size_adjusted_ci": _interval(self.effect_size_adjusted),
            "effect_size_adjusted_n": self.effect_size_adjusted.n,
            "reference_sd": self.reference.reference_sd,
            "reference_effect_size": rounded(self.reference.effect_size, 2),
            "minimum_n": self.reference.minimum_n,
            "reliably_improved": self.reliably_improved,
            "reliable_improvement_share": rounded(self.reliable_improvement_share, 3),
            "reached_cutoff": self.reached_cutoff,
            "cutoff_reached_share": rounded(self.cutoff_reached_share, 3),
            "closed_episodes": self.closed_episodes,
            "dropouts": self.dropouts,
            "dropout_rate": rounded(self.dropout_rate, 3),
            "mean_sessions": rounded(self.mean_sessions, 2),
            "mean_srs": rounded(_points(self.mean_srs), 2),
            "srs_below_cutoff_share": rounded(self.srs_below_cutoff_share, 3),
            "seen_once": self.seen_once,
            **{
                SYMPTOM_KEYS[key]: self.symptoms.get(key, SymptomOutcomes()).to_json(key)
                for key in SYMPTOM_KEYS
            },
            "reasons": self.reasons(),
        }


def _points(tenths: Fraction | None) -> Fraction | None:
    return None if tenths is None else tenths / 10


def _share(count: int, of: int) -> Fraction | None:
    return Fraction(count, of) if of else None


def _interval(estimate: Estimate) -> list[float | None] | None:
    if estimate.low is None or estimate.high is None:
        return None
    return [rounded(estimate.low, 2), rounded(estimate.high, 2)]


def rounded(value: Fraction | float | None, places: int) -> float | None:
    """Round half up (as a person would by hand), never through a binary float sum. A
    value that rounds to zero is 0, never -0 (a CI of "-0.00 to 0.93")."""
    if value is None:
        return None
    if isinstance(value, float):
        value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)) + 0.0


def _mean(values: list[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def t_quantile(df: int) -> float:
    """The two-sided 95% critical value of Student's t: the table to 30 degrees of freedom,
    then the Cornish-Fisher expansion about the normal (off by less than 0.001 there)."""
    if df < 1:
        raise ValueError("a t quantile needs one degree of freedom or more")
    if df <= len(T_975):
        return T_975[df - 1]
    z = NormalDist().inv_cdf(0.975)
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def estimate(values: Sequence[float], reference: Reference, offset: float = 0.0) -> Estimate:
    """mean(values) / reference SD + offset, with its 95% confidence interval.

    ``values`` in points. The reference SD is a fixed constant, so the interval is the
    t interval of the mean, divided by it; below the minimum n there is no figure.
    """
    n = len(values)
    if n == 0:
        return Estimate(
            None, None, None, 0, "no episode with an intake below the cut-off and two ORS"
        )
    if n < reference.minimum_n:
        return Estimate(
            None, None, None, n, f"n = {n} is below the minimum of {reference.minimum_n}"
        )
    mean = sum(values) / n
    sd = sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(n - 1) * sd / sqrt(n)
    scale = reference.reference_sd
    return Estimate(
        mean / scale + offset, (mean - half) / scale + offset, (mean + half) / scale + offset, n
    )


def _in_period(
    administrations: list[Administration], events: list[EpisodeEvent], period: Period
) -> tuple[list[Administration], list[EpisodeEvent]]:
    if period.end is None:
        return administrations, events
    end = period.end.isoformat()
    return [a for a in administrations if a.day <= end], [e for e in events if e.date <= end]


def _seen_in(period: Period, ratings: Iterable[Administration]) -> bool:
    """Whether the client rated anything themself in the period: another rater's rating
    alone (a teacher's, a partner's) does not put a client or an episode in it."""
    return any(a.by_client and period.holds(a.day) for a in ratings)


@dataclass
class _Tally:
    """The running counts of an outcome summary, added to client by client and episode by
    episode; ``result`` turns them into the summary's figures."""

    period: Period
    instruments: dict[str, Instrument]
    reference: Reference
    symptoms: dict[str, SymptomOutcomes]
    clients: int = 0
    seen_once: int = 0
    episodes: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))
    intakes: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)
    clinical_changes: list[float] = field(default_factory=list)  # points
    residuals: list[float] = field(default_factory=list)  # points
    reliably_improved: int = 0
    reached_cutoff: int = 0
    closed: int = 0
    dropouts: int = 0
    closed_sessions: int = 0
    srs_totals: list[int] = field(default_factory=list)
    srs_below: int = 0

    def add_client(
        self, client: Client, ratings: list[Administration], episodes: Iterable[Episode]
    ) -> None:
        """A client seen in the period: their ratings up to its end, and their episodes.
        The days a client was seen are the days of their own ratings: a parent's or a
        teacher's rating on another day is not a visit."""
        self.clients += 1
        self.seen_once += len({a.day for a in ratings if a.by_client}) == 1
        for episode in episodes:
            if _seen_in(self.period, episode.administrations):
                self._add_episode(client, episode)

    def _add_episode(self, client: Client, episode: Episode) -> None:
        self.episodes += 1
        if episode.closed:
            self.closed += 1
            self.dropouts += episode.unplanned
            self.closed_sessions += episode.sessions
        ratings = list(episode.administrations)
        for key in self.symptoms:
            change = symptom_change(own_instrument_ratings(ratings, key), self.instruments[key])
            if change is not None:
                self.symptoms[key] = self.symptoms[key].add(change)
        summary = summarize(client, ratings, self.instruments)
        self._add_alliance(summary.srs)
        if summary.progress is not None and summary.progress.change is not None:
            self.statuses[summary.status] += 1
            self._add_change(summary.progress, summary.cutoff, summary.reliable)

    def _add_alliance(self, srs: Iterable[Administration]) -> None:
        """The SRS of the period on the 40-point scale: their totals, and those below 36."""
        for a in srs:
            instrument = self.instruments[a.instrument]
            if not self.period.holds(a.day) or instrument.max_total != FULL_SCALE_MAX:
                continue
            self.srs_totals.append(a.total)
            if instrument.cutoff is not None and a.total < instrument.cutoff:
                self.srs_below += 1

    def _add_change(self, progress: Progress, cutoff: int | None, reliable: int) -> None:
        """An episode with two ORS on a 40-point scale: its intake and change, and, from an
        intake below the cut-off, the clinical sample's figures."""
        intake, latest, change = progress.intake, progress.latest, progress.change
        if change is None or not all(
            self.instruments[a.instrument].max_total == FULL_SCALE_MAX for a in (intake, latest)
        ):
            return
        self.intakes.append(intake.total)
        self.changes.append(change)
        if cutoff is None or intake.total >= cutoff:
            return
        self.clinical_changes.append(change / 10)
        self.residuals.append(change / 10 - self.reference.expected_change(intake.total, cutoff))
        self.reliably_improved += change >= reliable
        self.reached_cutoff += latest.total >= cutoff

    def result(self) -> OutcomeSummary:
        reference = self.reference
        return OutcomeSummary(
            period=self.period,
            reference=reference,
            clients=self.clients,
            episodes=self.episodes,
            episodes_with_two_ors=sum(self.statuses.values()),
            **self.statuses,
            change_episodes=len(self.changes),
            mean_intake=_mean(self.intakes),
            mean_change=_mean(self.changes),
            clinical=len(self.clinical_changes),
            effect_size=estimate(self.clinical_changes, reference),
            effect_size_adjusted=estimate(self.residuals, reference, reference.effect_size),
            reliably_improved=self.reliably_improved,
            reached_cutoff=self.reached_cutoff,
            closed_episodes=self.closed,
            dropouts=self.dropouts,
            closed_sessions=self.closed_sessions,
            srs_count=len(self.srs_totals),
            mean_srs=_mean(self.srs_totals),
            srs_below_cutoff=self.srs_below,
            seen_once=self.seen_once,
            symptoms=self.symptoms,
        )


def judged_on(period: Period, today: date | None) -> date | None:
    """The day whether an episode had ended is read on: the period's end once it is over,
    else today (None: only the therapist's endings and later ratings close an episode)."""
    if period.end is None or (today is not None and today < period.end):
        return today
    return period.end


def outcome_summary(
    clients: Iterable[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    period: Period = Period(),
    events_by_client: dict[str, list[EpisodeEvent]] | None = None,
    gap_days: int = DEFAULT_GAP_DAYS,
    today: date | None = None,
    reference: Reference | None = None,
) -> OutcomeSummary:
    """The outcome summary of the episodes seen in ``period`` (see the module docstring).

    ``today`` is the day a period still running is judged on (whether an episode has lapsed
    without contact); a period that is over is judged on its end. A period ending in the
    future (``--to`` 31 December in December) is still running: judged on its end, a client
    last seen in September would count as a dropout before the gap has passed. Archived
    clients count: a finished case is exactly the one whose outcome matters.
    """
    symptoms = {key: SymptomOutcomes() for key in SYMPTOM_KEYS if key in instruments}
    tally = _Tally(period, instruments, reference or default_reference(), symptoms)
    as_of = judged_on(period, today)
    for client in clients:
        mine = by_client.get(client.code, [])
        if not _seen_in(period, mine):
            continue
        upto, events = _in_period(mine, (events_by_client or {}).get(client.code, []), period)
        tally.add_client(client, upto, split_episodes(upto, events, gap_days, as_of))
    return tally.result()


def _percent(share: Fraction | None) -> str:
    return "" if share is None else f"{rounded(share * 100, 0):.0f}%"


def _mean_text(tenths: Fraction | None, signed: bool = False) -> str:
    value = rounded(_points(tenths), 1)
    if value is None:
        return "-"
    return (display.signed if signed else format_tenths)(round(value * 10))


def _effect(estimate: Estimate, minimum_n: int) -> tuple[str, str]:
    """The value and a short remark: n and the 95% interval, or why there is no figure."""
    if estimate.value is None:
        if estimate.n:
            return "-", _("n {n}, below minimum {minimum}").format(n=estimate.n, minimum=minimum_n)
        return "-", _("none to measure yet")
    return (
        f"{rounded(estimate.value, 2):.2f}",
        _("n {n}, CI {low} to {high}").format(
            n=estimate.n,
            low=f"{rounded(estimate.low, 2):.2f}",
            high=f"{rounded(estimate.high, 2):.2f}",
        ),
    )


def _of(count: int, total: int, what: str = "") -> str:
    share = _percent(_share(count, total))
    return _("{share} of {total}").format(share=share, total=total) + what if total else ""


Row = tuple[str, str, str]  # figure, value, share or remark (short enough for 60 columns)


def summary_rows(summary: OutcomeSummary) -> list[Row]:
    """The summary as (figure, value, share or remark) rows, for the terminal and the app."""
    return [
        *_episode_rows(summary),
        *_change_rows(summary),
        *_attendance_rows(summary),
        *_symptom_rows(summary),
    ]


def _episode_rows(s: OutcomeSummary) -> list[Row]:
    """Clients and episodes, and how the episodes with two ORS ended."""
    rows = [
        (N_("Clients seen"), str(s.clients), ""),
        (N_("Episodes"), str(s.episodes), ""),
        (
            N_("With two or more ORS"),
            str(s.episodes_with_two_ors),
            _of(s.episodes_with_two_ors, s.episodes),
        ),
    ]
    for status in STATUS_ORDER:
        count = getattr(s, status)
        rows.append((f"  {status.capitalize()}", str(count), _percent(s.share_of_two_ors(count))))
    return rows


def _change_rows(s: OutcomeSummary) -> list[Row]:
    """The ORS change, and the effect sizes of the sample with an intake below the cut-off."""
    return [
        (N_("Mean intake ORS"), _mean_text(s.mean_intake), _episodes(s.change_episodes)),
        (N_("Mean change"), _mean_text(s.mean_change, signed=True), _episodes(s.change_episodes)),
        (N_("Intake below cut-off"), str(s.clinical), _("the sample below")),
        (N_("Effect size"), *_effect(s.effect_size, s.reference.minimum_n)),
        (N_("Severity-adjusted"), *_effect(s.effect_size_adjusted, s.reference.minimum_n)),
        (N_("Reliably improved"), str(s.reliably_improved), _of(s.reliably_improved, s.clinical)),
        (N_("Reached the cut-off"), str(s.reached_cutoff), _of(s.reached_cutoff, s.clinical)),
    ]


def _attendance_rows(s: OutcomeSummary) -> list[Row]:
    """How episodes ended and how long they were, the alliance, and who came only once."""
    return [
        (N_("Closed episodes"), str(s.closed_episodes), ""),
        (
            N_("Dropout rate"),
            _percent(s.dropout_rate) or "-",
            _("{n} of {total}").format(n=s.dropouts, total=s.closed_episodes)
            if s.closed_episodes
            else _("no episode ended"),
        ),
        (
            N_("Sessions per closed ep."),
            "-" if s.mean_sessions is None else f"{rounded(s.mean_sessions, 1):.1f}",
            "",
        ),
        (
            N_("Mean SRS"),
            _mean_text(s.mean_srs),
            _("{n} SRS").format(n=s.srs_count) if s.srs_count else "",
        ),
        (
            N_("SRS below 36"),
            str(s.srs_below_cutoff) if s.srs_count else "-",
            _percent(s.srs_below_cutoff_share),
        ),
        (N_("Seen once only"), str(s.seen_once), _percent(_share(s.seen_once, s.clients))),
    ]


def _symptom_rows(s: OutcomeSummary) -> list[Row]:
    """Each symptom measure rated twice in an episode: improvement and recovery."""
    rows: list[Row] = []
    for key, found in s.symptoms.items():
        if not found.episodes:
            continue
        rows += [
            (
                _("{key} reliably improved").format(key=key),
                str(found.reliable_improvement),
                _of(found.reliable_improvement, found.episodes, _(" rated twice")),
            ),
            (
                _("{key} recovered").format(key=key),
                str(found.recovery),
                _of(found.recovery, found.at_caseness, _(" at caseness")) or _("none at caseness"),
            ),
            (
                _("{key} reliably recovered").format(key=key),
                str(found.reliable_recovery),
                _of(found.reliable_recovery, found.at_caseness, _(" at caseness"))
                or _("none at caseness"),
            ),
        ]
    return rows


def _episodes(count: int) -> str:
    return n_("of {n} episode", "of {n} episodes", count).format(n=count) if count else ""
