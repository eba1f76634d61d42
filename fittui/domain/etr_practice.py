"""The expected-path model (``etr.py``) held against a practice's own closed episodes:
replayed session by session (``fittui etr check``), fitted to them (``fittui etr fit``),
and described in words and tables (``fittui etr show``).

Apart from ``etr.py`` because only the ``etr`` commands need it: everything that scores a
client imports the model, and a fresh interpreter compiles every module it imports.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from fittui.domain.etr import (
    DISCLAIMER,
    FITTED,
    MIN_CLIENTS,
    MIN_ORS,
    NUMBERS,
    Course,
    Parameters,
    _log_share,
    _point,
    _regressors,
    expected_path,
    reliable_shares,
    session_zone,
)
from fittui.domain.instruments import format_tenths
from fittui.domain.model import InputError
from fittui.domain.outcomes import rounded


@dataclass(frozen=True)
class FitResult:
    """Parameters fitted to a practice's closed episodes, with how much data they rest on."""

    parameters: Parameters
    clients: int
    ratings: int


# -- back-testing on closed episodes ------------------------------------------------------
@dataclass(frozen=True)
class BackTest:
    """What the model in use would have said, session by session, on closed episodes."""

    episodes: int  # closed episodes with an intake and at least one more session
    worse: int  # ended unchanged or deteriorated (change below the reliable change)
    worse_flagged: int  # of those, flagged off track before their last session
    better: int  # ended improved or recovered (change of at least the reliable change)
    better_flagged: int  # of those, ever flagged off track
    first_flags: tuple[int, ...]  # the session of each flagged episode's first flag
    weeks: int  # calendar weeks (Monday to Sunday) from the first session to the last
    flagged_in_weeks: int  # (episode, week) pairs with at least one off-track session

    @property
    def sensitivity(self) -> float | None:
        return self.worse_flagged / self.worse if self.worse else None

    @property
    def false_alarms(self) -> float | None:
        return self.better_flagged / self.better if self.better else None

    @property
    def median_first_flag(self) -> float | None:
        return statistics.median(self.first_flags) if self.first_flags else None

    @property
    def flagged_per_week(self) -> float | None:
        return self.flagged_in_weeks / self.weeks if self.weeks else None


def flagged_sessions(course: Course, params: Parameters) -> list[int]:
    """The sessions (2 on) at which this course was off track, replayed one at a time."""
    if not params.covers(course.age_group) or not course.totals:
        return []
    intake = course.totals[0]
    return [
        n
        for n, total in enumerate(course.totals[1:], start=2)
        if session_zone(
            n, intake, total, _point(intake, course.age_group, n, params), params, course.reliable
        )
        == "off_track"
    ]


def _monday(day: str) -> date:
    d = date.fromisoformat(day[:10])
    return d - timedelta(days=d.weekday())


def back_test(courses: Iterable[Course], params: Parameters) -> BackTest:
    """Replay closed episodes session by session with ``params``: the share of those that
    ended unchanged or worse that were flagged before their last session (sensitivity),
    the share of those that ended improved that were ever flagged (false alarms), when
    the first flag came, and how many flagged clients a week the practice would have had.
    """
    judged = [c for c in courses if len(c.totals) >= MIN_ORS and params.covers(c.age_group)]
    worse = worse_flagged = better = better_flagged = 0
    first_flags = []
    flagged_weeks: set[tuple[int, date]] = set()
    for i, course in enumerate(judged):
        flags = flagged_sessions(course, params)
        if course.totals[-1] - course.totals[0] >= course.reliable:
            better += 1
            better_flagged += bool(flags)
        else:
            worse += 1
            worse_flagged += any(n < len(course.totals) for n in flags)
        if flags:
            first_flags.append(flags[0])
        if course.dates:
            flagged_weeks.update((i, _monday(course.dates[n - 1])) for n in flags)
    days = [d for c in judged for d in c.dates]
    weeks = (_monday(max(days)) - _monday(min(days))).days // 7 + 1 if days else 0
    return BackTest(
        len(judged),
        worse,
        worse_flagged,
        better,
        better_flagged,
        tuple(first_flags),
        weeks,
        len(flagged_weeks),
    )


def back_test_json(test: BackTest) -> dict:
    """The back-test as JSON-ready data (``etr check --json``); null where no figure.
    Shares to three decimals, rounded half up from the exact counts, as the table is."""
    return {
        "episodes": test.episodes,
        "ended_unchanged_or_worse": test.worse,
        "flagged_before_end": test.worse_flagged,
        "sensitivity": rounded(_ratio(test.worse_flagged, test.worse), 3),
        "ended_improved": test.better,
        "ever_flagged": test.better_flagged,
        "false_alarms": rounded(_ratio(test.better_flagged, test.better), 3),
        "median_first_flag_session": test.median_first_flag,
        "weeks": test.weeks,
        "flagged_clients_per_week": rounded(_ratio(test.flagged_in_weeks, test.weeks), 3),
    }


def _ratio(count: int, of: int) -> Fraction | None:
    """A share exactly, so that 1 of 8 rounds to 13% and 0.125 alike: a binary float
    rounds 12.5 to 12 and 0.3125 to 0.312, the other way from the outcome summary."""
    return Fraction(count, of) if of else None


def _percent(value: Fraction | None) -> str:
    return "-" if value is None else f"{rounded(value * 100, 0):.0f}%"


def _per_week(test: BackTest) -> str:
    shown = rounded(_ratio(test.flagged_in_weeks, test.weeks), 1)
    return "-" if shown is None else f"{shown:.1f}"


def back_test_rows(tests: Sequence[tuple[str, BackTest]]) -> list[str]:
    """The back-test figures as a table, one column per model (``etr check``, ``etr fit``)."""
    rows = [["", *(name for name, _ in tests)]]
    rows.append(["closed episodes", *(str(t.episodes) for _, t in tests)])
    rows.append(
        [
            "sensitivity",
            *(f"{_percent(_ratio(t.worse_flagged, t.worse))} of {t.worse}" for _, t in tests),
        ]
    )
    rows.append(
        [
            "false alarms",
            *(f"{_percent(_ratio(t.better_flagged, t.better))} of {t.better}" for _, t in tests),
        ]
    )
    rows.append(
        [
            "first flag (median)",
            *(
                "-" if t.median_first_flag is None else f"session {t.median_first_flag:g}"
                for _, t in tests
            ),
        ]
    )
    rows.append(
        [
            "flagged clients a week",
            *(_per_week(t) for _, t in tests),
        ]
    )
    return _table(rows)


BACK_TEST_WORDS = (
    "sensitivity: of the episodes that ended unchanged or worse, the share flagged off track",
    "before their last session. false alarms: of those that ended improved (a gain of 5",
    "points or more), the share ever flagged. Flagged clients a week: over the weeks from",
    "the first session to the last, how many clients a week had an off-track session.",
)


# -- fitting a practice's own path --------------------------------------------------------
@dataclass(frozen=True)
class _Episode:
    """One course's sufficient statistics for the likelihood: the regressors (w, x), the
    number of changes n, and sums over sessions of L², L*change and change² (points)."""

    w: float
    x: float
    n: int
    ll: float
    ly: float
    yy: float


def _statistics(course: Course, params: Parameters) -> _Episode:
    intake = course.totals[0]
    w, x = _regressors(intake, course.age_group, params)
    ll = ly = yy = 0.0
    for n, total in enumerate(course.totals[1:], start=2):
        share, change = _log_share(n, params), (total - intake) / 10
        ll += share * share
        ly += share * change
        yy += change * change
    return _Episode(w, x, len(course.totals) - 1, ll, ly, yy)


def _has_range(episodes: Sequence[_Episode]) -> bool:
    """Whether the intakes can tell gain from gain_per_point: the regressors (w, x) are not
    all proportional (not every intake the same, some at or below the centre)."""
    ww = sum(e.w * e.w for e in episodes)
    xx = sum(e.x * e.x for e in episodes)
    wx = sum(e.w * e.x for e in episodes)
    return ww * xx - wx * wx > 1e-9 * max(1.0, ww * xx)


def _log_likelihood(
    episodes: Sequence[_Episode], theta: Sequence[float], share: float, falling: float
) -> float:
    """The log-likelihood (up to a constant) of the two-course random-slope model at
    theta = (gain, gain_per_point, ln occasion variance, gain spread).

    Within a course an episode's changes are normal with mean (course gain) * L(n) and
    covariance occasion * I + spread² * L Lᵀ; its determinant and inverse have closed
    forms in the sums ll, ly and yy (Sherman-Morrison), so no matrix is ever built.
    """
    gain, per_point, log_occasion, spread_sd = theta
    occasion, spread = math.exp(log_occasion), spread_sd * spread_sd
    total = 0.0
    for e in episodes:
        across = occasion + spread * e.ll
        common = e.n * log_occasion + math.log(across / occasion)
        rising = (gain * e.w + per_point * e.x - share * falling) / (1 - share)
        terms = []
        for weight, mu in ((1 - share, rising), (share, falling)):
            if weight > 0:
                rr = e.yy - 2 * mu * e.ly + mu * mu * e.ll
                lr = e.ly - mu * e.ll
                quadratic = (rr - spread * lr * lr / across) / occasion
                terms.append(math.log(weight) - (common + quadratic) / 2)
        top = max(terms)
        total += top + math.log(sum(math.exp(t - top) for t in terms))
    return total


def _toward(centre: list[float], point: list[float], t: float) -> list[float]:
    """The point at t along the line from ``centre`` (0) to ``point`` (1)."""
    return [c + t * (p - c) for c, p in zip(centre, point)]


def _nelder_mead(
    f: Callable[[list[float]], float], start: list[float], steps: list[float], rounds: int = 600
) -> list[float]:
    """The minimum of f near ``start`` by the Nelder-Mead simplex (a few dimensions)."""
    simplex = [start] + [
        [v + (steps[i] if i == j else 0.0) for j, v in enumerate(start)] for i in range(len(start))
    ]
    values = [f(point) for point in simplex]
    for _ in range(rounds):
        order = sorted(range(len(simplex)), key=values.__getitem__)
        simplex, values = [simplex[i] for i in order], [values[i] for i in order]
        if values[-1] - values[0] < 1e-7 * (1 + abs(values[0])):
            break
        centre = [sum(p[j] for p in simplex[:-1]) / (len(simplex) - 1) for j in range(len(start))]
        worst = simplex[-1]
        reflected = _toward(centre, worst, -1.0)
        fr = f(reflected)
        if fr < values[0]:
            expanded = _toward(centre, worst, -2.0)
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = _toward(centre, worst, 0.5)
            fc = f(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                best = simplex[0]
                simplex = [best] + [[(b + v) / 2 for b, v in zip(best, p)] for p in simplex[1:]]
                values = [values[0]] + [f(p) for p in simplex[1:]]
    return simplex[min(range(len(simplex)), key=values.__getitem__)]


def fit(courses: Sequence[Course], base: Parameters, today: str | None = None) -> FitResult:
    """Re-fit gain, gain_per_point and the two spreads to a practice's closed episodes.

    The model fitted is the model drawn: each episode follows the deteriorating course
    (with the share and change of ``base``) or the other one; its own gain spreads around
    its course's by ``gain_spread``, and each change from intake at session n is the own
    gain times L(n) plus a rating's chance error of ``occasion_spread``. All four are
    estimated together by maximum likelihood (the Nelder-Mead simplex, started from
    ``base``), which stays unbiased when an episode ends because of what was rated (a
    client who reached their goal and finished). Least squares over the ratings that are
    left is not: those who stay longer are those who gained less.

    The courses, the plateau, the band and the centres stay as in ``base``. Raises
    InputError when there are too few episodes, or when they show no average gain (a flat
    expected path would call every client on track).
    """
    usable = [c for c in courses if len(c.totals) >= MIN_ORS and base.covers(c.age_group)]
    if len(usable) < MIN_CLIENTS:
        raise InputError(
            f"etr fit needs at least {MIN_CLIENTS} closed episodes with an ORS or CORS intake "
            f"and at least one later session; this database has {len(usable)}. fittui keeps "
            "the model it is using."
        )
    episodes = [_statistics(c, base) for c in usable]
    if not _has_range(episodes):
        raise InputError(
            "etr fit: the episodes' intakes give no range to fit the path on (every intake "
            "the same, or none at or below the centre)"
        )
    share, falling = base.deterioration_share, base.deterioration_gain
    start = [
        base.gain,
        base.gain_per_point,
        2 * math.log(base.occasion_spread),
        max(base.gain_spread, 0.5),
    ]
    gain, per_point, log_occasion, spread_sd = _nelder_mead(
        lambda theta: -_log_likelihood(episodes, theta, share, falling),
        start,
        [1.0, 0.1, 0.3, 0.5],
    )
    if gain <= 0:
        raise InputError(
            f"etr fit: your clients' expected gain from an intake at the centre comes out at "
            f"{gain:.1f} points; fittui keeps the model it is using, since a flat expected path "
            "would call every client on track."
        )
    fitted = base.replace(
        gain=round(gain, 2),
        gain_per_point=round(per_point, 3),
        occasion_spread=round(max(0.1, math.exp(log_occasion / 2)), 2),
        gain_spread=round(abs(spread_sd), 2),
        source="your practice (fitted)",
        fitted_clients=len(usable),
        fitted_on=today,
    )
    return FitResult(fitted, len(usable), sum(len(c.totals) for c in usable))


# -- describing the model -----------------------------------------------------------------
PARAMETER_WORDS = {
    "gain": "average gain from the centre intake",
    "gain_per_point": "change in gain per point of intake below the centre",
    "occasion_spread": "spread of one rating by chance",
    "gain_spread": "spread of gains between clients on one course",
}
TABLE_INTAKES = (100, 150, 200, 250)
TABLE_SESSIONS = (2, 4, 6, 8, 10)


def parameters_json(params: Parameters) -> dict:
    """The parameters as JSON-ready data, for ``etr show --json`` and ``etr fit --json``."""
    return {
        **{key: getattr(params, key) for key in ("source", *NUMBERS)},
        "centres": {group: t / 10 for group, t in params.centres.items()},
        "cutoffs": {group: t / 10 for group, t in params.cutoffs.items()},
        "fitted_clients": params.fitted_clients,
        "fitted_on": params.fitted_on,
    }


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]


def paths_table(models: Sequence[tuple[str, Parameters]], age_group: str = "adult") -> list[str]:
    """Expected ORS (lower edge) at sessions 2-10 from intakes 10-25, one row per model."""
    rows = [["intake", "model", *(f"session {n}" for n in TABLE_SESSIONS)]]
    for intake in TABLE_INTAKES:
        for i, (name, params) in enumerate(models):
            path = expected_path(intake, age_group, TABLE_SESSIONS, params)
            rows.append(
                [
                    format_tenths(intake) if i == 0 else "",
                    name,
                    *(f"{format_tenths(e)} ({format_tenths(lo)})" for _, e, lo in path),
                ]
            )
    return _table(rows)


def describe(params: Parameters) -> str:
    """The active model in plain words: its source, its parameters, its paths."""
    lines = [f"Expected treatment response: {params.source}."]
    if params.fitted_clients is not None:
        lines.append(
            f"Fitted from {params.fitted_clients} closed episodes"
            + (f" on {params.fitted_on}." if params.fitted_on else ".")
        )
    lines.append("")
    rows = [["parameter", "value", "meaning"]]
    for key in FITTED:
        rows.append([key, f"{getattr(params, key):g}", PARAMETER_WORDS[key]])
    rows += [
        [
            "deterioration_share",
            f"{params.deterioration_share:g}",
            "share of clients on a deteriorating course",
        ],
        [
            "deterioration_gain",
            f"{params.deterioration_gain:g}",
            "that course's change",
        ],
        ["reference_session", str(params.reference_session), "where gains are read"],
        ["plateau_session", str(params.plateau_session), "the path is level after it"],
        ["band_percentile", f"{params.band_percentile:g}", "lower edge of the band"],
        [
            "early_sessions",
            str(params.early_sessions),
            "until then off track needs a reliable fall",
        ],
    ]
    for group, t in params.centres.items():
        rows.append([f"centre ({group})", format_tenths(t), "intake at which the gain applies"])
    for group, t in params.cutoffs.items():
        rows.append([f"cut-off ({group})", format_tenths(t), "no gain expected from here"])
    lines += _table(rows)
    lines.append(f"Gains and spreads are in points by session {params.reference_session}.")
    improved, deteriorated = reliable_shares(params.centres.get("adult", 200), "adult", params)
    lines += [
        f"From an adult intake at the centre, by session {params.reference_session}, "
        f"{improved:.0%} of clients improve",
        f"reliably and {deteriorated:.0%} deteriorate reliably.",
        "",
        "Expected ORS for an adult (lower edge of the band in brackets). Expected is the",
        "average course of all clients from that intake, not the course of those who did well:",
    ]
    lines += paths_table([("active", params)])
    lines += ["", DISCLAIMER]
    return "\n".join(lines)


def compare(
    result: FitResult, current: Parameters, checks: tuple[BackTest, BackTest] | None = None
) -> str:
    """What ``etr fit`` found against the model in use: parameters, paths and, when given,
    the back-test of both models on the same closed episodes."""
    fitted = result.parameters
    lines = [
        f"Fitted from {result.clients} closed episodes ({result.ratings} sessions in all).",
        "",
    ]
    rows = [["parameter", "in use", "your practice", "meaning"]]
    for key in FITTED:
        rows.append(
            [key, f"{getattr(current, key):g}", f"{getattr(fitted, key):g}", PARAMETER_WORDS[key]]
        )
    lines += _table(rows)
    lines.append(f"Gains and spreads are in points by session {current.reference_session}.")
    lines += ["", "Expected ORS for an adult (lower edge of the band in brackets):"]
    lines += paths_table([("in use", current), ("yours", fitted)])
    if checks is not None:
        lines += ["", "Replayed on your closed episodes:"]
        lines += back_test_rows([("in use", checks[0]), ("yours", checks[1])])
        lines += ["", *BACK_TEST_WORDS]
    lines += ["", DISCLAIMER]
    return "\n".join(lines)
