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
Replaying closed episodes session by session (``fittui etr check``), the fit and the
model in words live in ``etr_practice.py``.

Zones compare integer tenths: the expected path and its lower edge are rounded to tenths
first, so what the therapist reads (expected 27.2) is exactly what decides (27.2 is on
track). This is decision support, not a validated prediction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from fittui.domain.frozen import Frozen
from fittui.domain.instruments import AGE_GROUPS, Instrument, format_tenths
from fittui.domain.kept_toml import parse, read_toml
from fittui.domain.language import N_
from fittui.domain.model import Administration, InputError, one_per_session

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


class Parameters(Frozen):
    """The model's parameters (points, as in the TOML file) and where they came from.

    Its ``repr`` is part of the fingerprint the kept caseload rows are checked against
    (``derived.Rules``): it lists every field, in this order, as a dataclass's would.
    """

    __slots__ = (
        "reference_session",
        "plateau_session",
        "gain",
        "gain_per_point",
        "occasion_spread",
        "gain_spread",
        "deterioration_share",
        "deterioration_gain",
        "band_percentile",
        "early_sessions",
        "centres",
        "cutoffs",
        "source",
        "fitted_clients",
        "fitted_on",
    )
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
    centres: dict[str, int]  # age group -> intake in tenths; compared, not hashed
    cutoffs: dict[str, int]  # age group -> ORS cut-off in tenths; compared, not hashed
    source: str
    fitted_clients: int | None
    fitted_on: str | None

    def __init__(
        self,
        reference_session: int,
        plateau_session: int,
        gain: float,
        gain_per_point: float,
        occasion_spread: float,
        gain_spread: float,
        deterioration_share: float,
        deterioration_gain: float,
        band_percentile: float,
        early_sessions: int,
        centres: dict[str, int],
        cutoffs: dict[str, int],
        source: str = "default",
        fitted_clients: int | None = None,
        fitted_on: str | None = None,
    ) -> None:
        self._fill(
            reference_session,
            plateau_session,
            gain,
            gain_per_point,
            occasion_spread,
            gain_spread,
            deterioration_share,
            deterioration_gain,
            band_percentile,
            early_sessions,
            centres,
            cutoffs,
            source,
            fitted_clients,
            fitted_on,
        )

    def __hash__(self) -> int:
        # The path's points are cached by their parameters (``_point_until_plateau``).
        return hash(
            (
                self.reference_session,
                self.plateau_session,
                self.gain,
                self.gain_per_point,
                self.occasion_spread,
                self.gain_spread,
                self.deterioration_share,
                self.deterioration_gain,
                self.band_percentile,
                self.early_sessions,
                self.source,
                self.fitted_clients,
                self.fitted_on,
            )
        )

    def covers(self, age_group: str) -> bool:
        """Whether an expected path exists for this age group (not for young children)."""
        return age_group in self.centres


class SessionZone(Frozen):
    """One ORS-family rating against the expected path; totals in tenths."""

    __slots__ = ("session", "administration", "expected", "lower", "zone")
    session: int
    administration: Administration
    expected: int
    lower: int
    zone: Zone

    def __init__(
        self, session: int, administration: Administration, expected: int, lower: int, zone: Zone
    ) -> None:
        self._fill(session, administration, expected, lower, zone)


class Course(Frozen):
    """One episode of care as the model sees it: the client's own ORS-family totals
    (tenths), one per session from intake on, the sessions' dates, and how it ended."""

    __slots__ = ("age_group", "totals", "dates", "client", "ending", "reliable")
    age_group: str
    totals: tuple[int, ...]
    dates: tuple[str, ...]
    client: str
    ending: str | None
    reliable: int

    def __init__(
        self,
        age_group: str,
        totals: tuple[int, ...],
        dates: tuple[str, ...] = (),
        client: str = "",
        ending: str | None = None,
        reliable: int = RELIABLE_CHANGE,
    ) -> None:
        self._fill(age_group, totals, dates, client, ending, reliable)


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


def _read(path: Path, source: str, shipped: bool = False) -> Parameters:
    """``shipped``: fittui's own file, read from its kept form while that fits."""
    try:
        data = read_toml(path) if shipped else parse(path.read_bytes())
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or not TOML
        raise InputError(f"{path}: cannot be read ({exc})") from None
    return parse_parameters(data, str(path), source)


@lru_cache(maxsize=1)
def default_parameters() -> Parameters:
    """fittui's default model, from ``etr_default.toml`` (its kept form, ``kept_toml.py``):
    read on first use, not at import (a command that scores no one need not read it)."""
    return _read(DEFAULT_FILE, f"default ({DEFAULT_FILE.name})", shipped=True)


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
    from statistics import NormalDist  # here: the app starts without the path's figures

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
    from statistics import NormalDist

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
    """The client's own ORS-family ratings that count (none voided, none a later rating of
    the day replaced: ``one_per_session``), in clinical order: the ratings the client's
    figures judge against the expected path."""
    own = (
        a
        for a in administrations
        if a.by_client
        and a.voided is None
        and a.instrument in instruments
        and instruments[a.instrument].family == "ors"
    )
    return sorted(one_per_session(own), key=lambda a: a.date)


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
