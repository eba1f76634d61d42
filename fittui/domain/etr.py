"""Expected treatment response (ETR): is this client on track? An open model, in data.

The paid FIT systems draw each client's expected ORS path from the intake score and raise
a signal when the client falls behind it, without saying how. Here the formula is this
module and the parameters are ``etr_default.toml`` beside it (each with its source), or
the user's own ``<config dir>/etr.toml`` once ``fittui etr fit`` has re-fitted them from
the practice's closed episodes:

    L(n)        = ln(min(n, plateau_session)) / ln(reference_session)     n = 1 at intake
    rate(I)     = gain + gain_per_point * (I - centre), at least 0       up to the centre
                = gain * (cutoff - I) / (cutoff - centre)                 up to the cut-off
                = 0                                                       from the cut-off
    expected(n) = I + rate(I) * L(n)

``expected`` is the average course of all clients from that intake, those who get worse
included; it is not the course of the clients who did well. Around it clients follow one
of two courses: a share ``deterioration_share`` one whose change by the reference session
is ``deterioration_gain``, the rest one whose gain makes the average come out at
``rate(I)``; clients' own gains spread around their course's by ``gain_spread`` and each
rating around the client's own path by ``occasion_spread``. The lower edge of the band is
the ``band_percentile``-th percentile of that mixture at session n. Two courses, because a
single bell curve wide enough to give the published share of clients who deteriorate
would put the band so low that a client who does not change at all is never flagged.

Up to ``early_sessions`` off track also needs a reliable deterioration. ``fittui etr
fit`` fits this model by maximum likelihood over whole closed episodes, which stays
unbiased when clients end because they got better.
``back_test`` replays closed episodes session by session (``fittui etr check``).

Zones compare integer tenths: the expected path and its lower edge are rounded to tenths
first, so what the therapist reads (expected 27.2) is exactly what decides (27.2 is on
track). This is decision support, not a validated prediction.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist
from typing import Literal, Protocol

from fittui.domain.instruments import AGE_GROUPS, Instrument, format_tenths
from fittui.domain.language import N_
from fittui.domain.model import Administration, InputError

DEFAULT_FILE = Path(__file__).with_name("etr_default.toml")
USER_FILENAME = "etr.toml"
SCALE_MAX = 400  # tenths: the model is for the four-line 0-40 ORS and CORS
Zone = Literal["on_track", "at_risk", "off_track"]
ZONES: tuple[Zone, ...] = ("on_track", "at_risk", "off_track")  # least to most concern
# zone -> (a short label for tables and lists, words for the therapist). "At risk" is
# kept out of the words (it reads as a risk of harm); the key is the name for it.
ZONE_WORDS = {
    "on_track": (N_("on track"), N_("on track: at or above the expected path")),
    "at_risk": (N_("behind"), N_("behind: below the expected path, within the band")),
    "off_track": (N_("off track"), N_("off track: below the band around the expected path")),
}
MIN_CLIENTS = 30  # closed episodes needed before `etr fit` will re-fit
MIN_ORS = 2  # ORS-family sessions an episode needs to count: an intake and one more
RELIABLE_CHANGE = 50  # tenths: the ORS and CORS reliable-change threshold
FITTED = ("gain", "gain_per_point", "occasion_spread", "gain_spread")
# The model's numbers, in the order of the parameter file.
NUMBERS = (
    "reference_session",
    "plateau_session",
    *FITTED,
    "deterioration_share",
    "deterioration_gain",
    "band_percentile",
    "early_sessions",
)
DISCLAIMER = N_("Decision support, not a validated prediction.")


@dataclass(frozen=True)
class Parameters:
    """The model's parameters (points, as in the TOML file) and where they came from."""

    reference_session: int
    plateau_session: int
    gain: float
    gain_per_point: float
    occasion_spread: float
    gain_spread: float
    deterioration_share: float
    deterioration_gain: float
    band_percentile: float
    early_sessions: int
    centres: dict[str, int] = field(hash=False)  # age group -> intake in tenths
    cutoffs: dict[str, int] = field(hash=False)  # age group -> ORS cut-off in tenths
    source: str = "default"
    fitted_clients: int | None = None
    fitted_on: str | None = None

    def covers(self, age_group: str) -> bool:
        """Whether an expected path exists for this age group (not for young children)."""
        return age_group in self.centres


@dataclass(frozen=True)
class SessionZone:
    """One ORS-family rating against the expected path; totals in tenths."""

    session: int
    administration: Administration
    expected: int
    lower: int
    zone: Zone


@dataclass(frozen=True)
class Course:
    """One episode of care as the model sees it: the client's own ORS-family totals
    (tenths), one per session from intake on, the sessions' dates, and how it ended."""

    age_group: str
    totals: tuple[int, ...]
    dates: tuple[str, ...] = ()
    client: str = ""
    ending: str | None = None
    reliable: int = RELIABLE_CHANGE


@dataclass(frozen=True)
class FitResult:
    """Parameters fitted to a practice's closed episodes, with how much data they rest on."""

    parameters: Parameters
    clients: int
    ratings: int


# -- parameters -----------------------------------------------------------------------------
def _number(data: dict, key: str, where: str, low: float, high: float) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}: {key} must be a number")
    if not low <= value <= high:
        raise InputError(f"{where}: {key} must be between {low:g} and {high:g}, not {value}")
    return float(value)


def _tenths(value: object, where: str) -> int:
    try:
        tenths = Decimal(str(value)) * 10
    except InvalidOperation:
        raise InputError(f"{where} must be a number") from None
    if isinstance(value, bool) or not tenths.is_finite() or tenths != tenths.to_integral_value():
        raise InputError(f"{where} must be a number with at most one decimal")
    if not 0 <= tenths <= SCALE_MAX:
        raise InputError(f"{where} must be between 0 and 40")
    return int(tenths)


def _whole(data: dict, key: str, where: str, low: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InputError(f"{where}: {key} must be a whole number of {low} or more")
    return value


def _by_age_group(data: dict, key: str, where: str) -> dict[str, int]:
    table = data.get(key)
    if not isinstance(table, dict) or not table:
        raise InputError(f"{where}: [{key}] must give a value for each age group with a path")
    unknown = sorted(set(table) - set(AGE_GROUPS))
    if unknown:
        raise InputError(
            f"{where}: [{key}] has unknown age group {unknown[0]!r} "
            f"(one of {', '.join(AGE_GROUPS)})"
        )
    return {group: _tenths(value, f"{where}: {key}.{group}") for group, value in table.items()}


def parse_parameters(data: dict, where: str, source: str) -> Parameters:
    """Check a parsed parameter file; every problem names the file and the key.

    A file written by fittui before the model had a plateau and two courses lacks their
    keys: it is refused with what to do, never read with values it did not choose.
    """
    missing = [key for key in ("plateau_session", "deterioration_share") if key not in data]
    if "reference_session" in data and missing:
        raise InputError(
            f"{where}: written for an earlier model of the expected path (no {missing[0]}); "
            "run 'fittui etr fit' again, or 'fittui etr reset' to use the default model"
        )
    reference = _whole(data, "reference_session", where, 2)
    centres = _by_age_group(data, "centres", where)
    cutoffs = _by_age_group(data, "cutoffs", where)
    for group, centre in centres.items():
        if group not in cutoffs or not centre < cutoffs[group]:
            raise InputError(f"{where}: centres.{group} must be below cutoffs.{group}")
    fitted = data.get("fitted", {})
    if not isinstance(fitted, dict):
        raise InputError(f"{where}: [fitted] must be a table")
    clients = fitted.get("clients")
    if clients is not None and (isinstance(clients, bool) or not isinstance(clients, int)):
        raise InputError(f"{where}: fitted.clients must be a whole number")
    return Parameters(
        reference_session=reference,
        plateau_session=_whole(data, "plateau_session", where, 2),
        gain=_number(data, "gain", where, -40, 40),
        gain_per_point=_number(data, "gain_per_point", where, -10, 10),
        occasion_spread=_number(data, "occasion_spread", where, 0.1, 40),
        gain_spread=_number(data, "gain_spread", where, 0, 40),
        deterioration_share=_number(data, "deterioration_share", where, 0, 0.5),
        deterioration_gain=_number(data, "deterioration_gain", where, -40, 0),
        band_percentile=_number(data, "band_percentile", where, 1, 50),
        early_sessions=_whole(data, "early_sessions", where, 1),
        centres=centres,
        cutoffs=cutoffs,
        source=source,
        fitted_clients=clients,
        fitted_on=str(fitted["date"]) if "date" in fitted else None,
    )


def _read(path: Path, source: str) -> Parameters:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    return parse_parameters(data, str(path), source)


@lru_cache(maxsize=1)
def default_parameters() -> Parameters:
    """fittui's default model, from ``etr_default.toml``: read on first use, not at import
    (a command that scores no one need not parse it)."""
    return _read(DEFAULT_FILE, f"default ({DEFAULT_FILE.name})")


def user_file(config_dir: Path) -> Path:
    """Where ``fittui etr fit`` keeps the practice's own parameters."""
    return config_dir / USER_FILENAME


def load_parameters(config_dir: Path | None) -> Parameters:
    """The active parameters: the practice's fitted file if there is one, else the default.

    A fitted file that cannot be used is an error naming it, never silently ignored: the
    therapist chose it.
    """
    if config_dir is not None:
        path = user_file(config_dir)
        if path.exists():
            return _read(path, f"your practice ({path})")
    return default_parameters()


def parameters_toml(params: Parameters) -> str:
    """A parameter file for ``params``, in the format of ``etr_default.toml``."""
    lines = [
        "# fittui expected treatment response: parameters fitted from this practice's closed",
        "# episodes by `fittui etr fit`. `fittui etr reset` removes this file and goes back to",
        "# the default model (see the README for what each value means).",
        *(f"{key} = {getattr(params, key)!r}" for key in NUMBERS),
        "",
        "[centres]",
        *(f"{group} = {format_tenths(t)}" for group, t in params.centres.items()),
        "",
        "[cutoffs]",
        *(f"{group} = {format_tenths(t)}" for group, t in params.cutoffs.items()),
    ]
    if params.fitted_clients is not None:
        lines += ["", "[fitted]", f"clients = {params.fitted_clients}"]
        if params.fitted_on:
            lines.append(f'date = "{params.fitted_on}"')
    return "\n".join(lines) + "\n"


# -- the expected path --------------------------------------------------------------------
def _log_share(session: int, params: Parameters) -> float:
    """L(n): the share of the reference session's gain expected by session n, level from
    the plateau session on."""
    return math.log(min(session, params.plateau_session)) / math.log(params.reference_session)


def _round(points: float) -> int:
    """Points to tenths, halves up, so the rounded value is what the therapist reads."""
    return math.floor(points * 10 + 0.5)


def _regressors(intake: int, age_group: str, params: Parameters) -> tuple[float, float]:
    """(w, x) such that rate(I) = gain * w + gain_per_point * x (before the floor at zero):
    the two quantities the fit estimates ``gain`` and ``gain_per_point`` on."""
    centre, cutoff = params.centres[age_group], params.cutoffs[age_group]
    if intake >= cutoff:
        return 0.0, 0.0
    if intake > centre:
        return (cutoff - intake) / (cutoff - centre), 0.0
    return 1.0, (intake - centre) / 10


def expected_gain(intake: int, age_group: str, params: Parameters) -> float:
    """rate(I): the average gain in points by the reference session from this intake
    (tenths); zero at and above the age group's cut-off."""
    w, x = _regressors(intake, age_group, params)
    return max(0.0, params.gain * w + params.gain_per_point * x)


def _percentile(q: float, share: float, falling: float, rising: float, spread: float) -> float:
    """The q-quantile of the two-course mixture of changes, by bisection (no numpy)."""
    normal = NormalDist()
    low = min(falling, rising) - 10 * spread
    high = max(falling, rising) + 10 * spread
    for _ in range(60):
        middle = (low + high) / 2
        below = share * normal.cdf((middle - falling) / spread) + (1 - share) * normal.cdf(
            (middle - rising) / spread
        )
        if below < q:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _point(intake: int, age_group: str, session: int, params: Parameters) -> tuple[int, int]:
    """(expected, lower) in tenths at one session: the same from the plateau on."""
    return _point_until_plateau(intake, age_group, min(session, params.plateau_session), params)


@lru_cache(maxsize=16384)  # every intake of three age groups up to the plateau, and more
def _point_until_plateau(
    intake: int, age_group: str, session: int, params: Parameters
) -> tuple[int, int]:
    """(expected, lower) in tenths at one session; cached, since every list redraws it."""
    start = intake / 10
    rate = expected_gain(intake, age_group, params)
    share = _log_share(session, params)
    expected = min(SCALE_MAX, _round(start + rate * share))
    if session == 1:
        return expected, expected
    p = params.deterioration_share
    falling = params.deterioration_gain * share
    rising = (rate - p * params.deterioration_gain) / (1 - p) * share
    spread = math.hypot(params.occasion_spread, params.gain_spread * share)
    change = _percentile(params.band_percentile / 100, p, falling, rising, spread)
    return expected, max(0, min(expected, _round(start + change)))


def reliable_shares(intake: int, age_group: str, params: Parameters) -> tuple[float, float]:
    """The shares of clients from this intake the model expects to have improved and to
    have deteriorated reliably (by 5.0 points or more) at the reference session: how the
    model's two courses and spreads read in the terms outcome studies report."""
    normal = NormalDist()
    p = params.deterioration_share
    falling = params.deterioration_gain
    rising = (expected_gain(intake, age_group, params) - p * falling) / (1 - p)
    spread = math.hypot(params.occasion_spread, params.gain_spread)
    edge = (RELIABLE_CHANGE - 0.5) / 10  # a change in tenths of 49.5 or more rounds to 5.0

    def above(mean: float) -> float:
        return 1 - normal.cdf((edge - mean) / spread)

    def below(mean: float) -> float:
        return normal.cdf((-edge - mean) / spread)

    return (
        p * above(falling) + (1 - p) * above(rising),
        p * below(falling) + (1 - p) * below(rising),
    )


def expected_path(
    intake: int, age_group: str, sessions: Iterable[int], params: Parameters
) -> list[tuple[int, int, int]]:
    """(session, expected, lower) in tenths for each session number (intake = session 1).

    Empty for an age group the model does not cover (young children).
    """
    if not params.covers(age_group):
        return []
    path = []
    for n in sessions:
        if n < 1:
            raise ValueError(f"session numbers start at 1, not {n}")
        path.append((n, *_point(intake, age_group, n, params)))
    return path


def zone(total: int, expected: int, lower: int) -> Zone:
    """on_track at or above the expected path, at_risk within the band, off_track below it."""
    if total >= expected:
        return "on_track"
    if total >= lower:
        return "at_risk"
    return "off_track"


def session_zone(
    session: int,
    intake: int,
    total: int,
    point: tuple[int, int],
    params: Parameters,
    reliable: int = RELIABLE_CHANGE,
) -> Zone:
    """The zone of ``total`` at ``session`` against the (expected, lower) ``point``, all in
    tenths. Up to ``early_sessions`` below the band is off track only when the change
    from intake is also a reliable deterioration: one early low rating is within chance."""
    found = zone(total, *point)
    if found == "off_track" and session <= params.early_sessions and total - intake > -reliable:
        return "at_risk"
    return found


def applies(
    ors: Sequence[Administration],
    age_group: str,
    instruments: dict[str, Instrument],
    params: Parameters,
) -> bool:
    """Whether the model can judge these ratings: a covered age group, 0-40 scales only."""
    return (
        bool(ors)
        and params.covers(age_group)
        and all(
            a.instrument in instruments and instruments[a.instrument].max_total == SCALE_MAX
            for a in ors
        )
    )


def client_path(
    ors: Sequence[Administration],
    age_group: str,
    instruments: dict[str, Instrument],
    params: Parameters,
    sessions: int | None = None,
) -> list[tuple[int, int, int]]:
    """The expected path from this client's intake for sessions 1..N (default: so far).

    ``ors`` is the client's own ORS-family ratings in clinical order (``Summary.ors``).
    Empty when the model does not apply (no intake, a young child, another scale).
    """
    if not applies(ors, age_group, instruments, params):
        return []
    return expected_path(ors[0].total, age_group, range(1, (sessions or len(ors)) + 1), params)


def _reliable(instrument: Instrument | None) -> int:
    return (instrument.reliable_change if instrument else None) or RELIABLE_CHANGE


def zones_of(
    ors: Sequence[Administration],
    age_group: str,
    instruments: dict[str, Instrument],
    params: Parameters,
) -> list[SessionZone]:
    """The zone of every rating after intake (session 2 on), in clinical order."""
    path = client_path(ors, age_group, instruments, params)
    if not path:
        return []
    intake = ors[0].total
    reliable = _reliable(instruments.get(ors[0].instrument))
    return [
        SessionZone(
            n,
            a,
            expected,
            lower,
            session_zone(n, intake, a.total, (expected, lower), params, reliable),
        )
        for a, (n, expected, lower) in zip(ors[1:], path[1:])
    ]


# -- episodes as the model sees them ------------------------------------------------------
class EpisodeLike(Protocol):
    """What the back-test needs of an episode of care (``fittui.domain.episodes.Episode``)."""

    @property
    def administrations(self) -> tuple[Administration, ...]: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def closed(self) -> bool: ...


def session_ratings(
    administrations: Iterable[Administration], instruments: dict[str, Instrument]
) -> list[Administration]:
    """The client's own ORS-family ratings that count (none voided), one per session:
    sessions are distinct dates, and of two ratings on one date the later one counts."""
    own = sorted(
        (
            a
            for a in administrations
            if a.by_client
            and a.voided is None
            and a.instrument in instruments
            and instruments[a.instrument].family == "ors"
        ),
        key=lambda a: a.date,
    )
    by_day: dict[str, Administration] = {}
    for a in own:
        by_day[a.day] = a
    return list(by_day.values())


def course_of(
    client: str,
    age_group: str,
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    params: Parameters,
    ending: str | None = None,
) -> Course | None:
    """One episode's administrations as a Course; None when the model cannot judge them
    (no ORS-family rating, a young child, another scale)."""
    ors = session_ratings(administrations, instruments)
    if not applies(ors, age_group, instruments, params):
        return None
    return Course(
        age_group,
        tuple(a.total for a in ors),
        tuple(a.day for a in ors),
        client,
        ending,
        _reliable(instruments.get(ors[0].instrument)),
    )


def closed_courses(
    episodes: Iterable[tuple[str, str, EpisodeLike]],
    instruments: dict[str, Instrument],
    params: Parameters,
) -> list[Course]:
    """The closed episodes the model can judge, from (client code, age group, episode).

    Only closed episodes: an open one has not ended, so it cannot say whether a flag came
    before an ending that went well or badly, and it would teach the fit about survivors.
    """
    courses = []
    for client, age_group, episode in episodes:
        if episode.closed:
            course = course_of(
                client, age_group, episode.administrations, instruments, params, episode.reason
            )
            if course is not None:
                courses.append(course)
    return courses


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
    """The back-test as JSON-ready data (``etr check --json``); null where no figure."""

    def share(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "episodes": test.episodes,
        "ended_unchanged_or_worse": test.worse,
        "flagged_before_end": test.worse_flagged,
        "sensitivity": share(test.sensitivity),
        "ended_improved": test.better,
        "ever_flagged": test.better_flagged,
        "false_alarms": share(test.false_alarms),
        "median_first_flag_session": test.median_first_flag,
        "weeks": test.weeks,
        "flagged_clients_per_week": share(test.flagged_per_week),
    }


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def back_test_rows(tests: Sequence[tuple[str, BackTest]]) -> list[str]:
    """The back-test figures as a table, one column per model (``etr check``, ``etr fit``)."""
    rows = [["", *(name for name, _ in tests)]]
    rows.append(["closed episodes", *(str(t.episodes) for _, t in tests)])
    rows.append(
        [
            "sensitivity",
            *(f"{_percent(t.sensitivity)} of {t.worse}" for _, t in tests),
        ]
    )
    rows.append(
        [
            "false alarms",
            *(f"{_percent(t.false_alarms)} of {t.better}" for _, t in tests),
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
            *("-" if t.flagged_per_week is None else f"{t.flagged_per_week:.1f}" for _, t in tests),
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
    fitted = replace(
        base,
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
