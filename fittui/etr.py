"""Expected treatment response (ETR): is this client on track? An open model, in data.

The paid FIT systems draw each client's expected ORS path from the intake score and raise
a signal when the client falls behind it, without saying how. Here the formula is this
module and the parameters are ``etr_default.toml`` beside it (each with its source), or
the user's own ``<config dir>/etr.toml`` once ``fittui etr fit`` has re-fitted them from
the practice's clients:

    L(n)        = ln(n) / ln(reference_session)            n = 1 at intake
    expected(n) = intake + max(0, gain + gain_per_point * (intake - centre)) * L(n)
    lower(n)    = expected(n) - z * sqrt(occasion_spread² + (gain_spread * L(n))²)

capped to the scale (0 to 40). ``centre`` is per age group, 5 points below its cut-off, so
CORS intakes are read against the child cut-off; the YCORS has no path. The model is
linear in ``gain`` and ``gain_per_point`` and its squared spread is linear in the two
variances, so fitting is two closed-form least-squares problems: no numpy.

Zones compare integer tenths: the expected path and its lower edge are rounded to tenths
first, so what the therapist reads (expected 27.2) is exactly what decides (27.2 is on
track). This is decision support, not a validated prediction.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from statistics import NormalDist

from fittui.instruments import AGE_GROUPS, Instrument, format_tenths
from fittui.model import Administration, InputError

DEFAULT_FILE = Path(__file__).with_name("etr_default.toml")
USER_FILENAME = "etr.toml"
SCALE_MAX = 400  # tenths: the model is for the four-line 0-40 ORS and CORS
ZONES = ("on_track", "at_risk", "off_track")  # from least to most concern
# zone -> (a short label for tables and lists, words for the therapist). "At risk" is
# kept out of the words (it reads as a risk of harm); the key is the name for it.
ZONE_WORDS = {
    "on_track": ("on track", "on track: at or above the expected path"),
    "at_risk": ("behind", "behind: below the expected path, within the band"),
    "off_track": ("off track", "off track: below the band around the expected path"),
}
MIN_CLIENTS = 30  # clients needed before `etr fit` will re-fit
MIN_ORS = 3  # ORS-family ratings of their own a client needs to count
FITTED = ("gain", "gain_per_point", "occasion_spread", "gain_spread")
DISCLAIMER = "Decision support, not a validated prediction."


@dataclass(frozen=True)
class Parameters:
    """The model's parameters (points, as in the TOML file) and where they came from."""

    reference_session: int
    gain: float
    gain_per_point: float
    occasion_spread: float
    gain_spread: float
    band_percentile: float
    centres: dict[str, int] = field(hash=False)  # age group -> intake in tenths
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
    zone: str


@dataclass(frozen=True)
class Case:
    """One client's data for fitting: the age group and ORS totals (tenths) from intake on."""

    age_group: str
    totals: tuple[int, ...]


@dataclass(frozen=True)
class FitResult:
    """Parameters fitted to a practice's clients, with how much data they rest on."""

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


def parse_parameters(data: dict, where: str, source: str) -> Parameters:
    """Check a parsed parameter file; every problem names the file and the key."""
    reference = data.get("reference_session")
    if isinstance(reference, bool) or not isinstance(reference, int) or reference < 2:
        raise InputError(f"{where}: reference_session must be a whole number of 2 or more")
    centres = data.get("centres")
    if not isinstance(centres, dict) or not centres:
        raise InputError(f"{where}: [centres] must give the centre intake of an age group")
    unknown = sorted(set(centres) - set(AGE_GROUPS))
    if unknown:
        raise InputError(
            f"{where}: [centres] has unknown age group {unknown[0]!r} "
            f"(one of {', '.join(AGE_GROUPS)})"
        )
    fitted = data.get("fitted", {})
    if not isinstance(fitted, dict):
        raise InputError(f"{where}: [fitted] must be a table")
    clients = fitted.get("clients")
    if clients is not None and (isinstance(clients, bool) or not isinstance(clients, int)):
        raise InputError(f"{where}: fitted.clients must be a whole number")
    return Parameters(
        reference_session=reference,
        gain=_number(data, "gain", where, -40, 40),
        gain_per_point=_number(data, "gain_per_point", where, -10, 10),
        occasion_spread=_number(data, "occasion_spread", where, 0, 40),
        gain_spread=_number(data, "gain_spread", where, 0, 40),
        band_percentile=_number(data, "band_percentile", where, 1, 50),
        centres={
            group: _tenths(value, f"{where}: centres.{group}") for group, value in centres.items()
        },
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


def default_parameters() -> Parameters:
    """fittui's default model, from ``etr_default.toml``."""
    return _DEFAULT


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
    return _DEFAULT


def parameters_toml(params: Parameters) -> str:
    """A parameter file for ``params``, in the format of ``etr_default.toml``."""
    lines = [
        "# fittui expected treatment response: parameters fitted from this practice's clients",
        "# by `fittui etr fit`. `fittui etr reset` removes this file and goes back to the",
        "# default model (see the README for what each value means).",
        f"reference_session = {params.reference_session}",
        *(f"{key} = {getattr(params, key)!r}" for key in FITTED),
        f"band_percentile = {params.band_percentile!r}",
        "",
        "[centres]",
        *(f"{group} = {format_tenths(t)}" for group, t in params.centres.items()),
    ]
    if params.fitted_clients is not None:
        lines += ["", "[fitted]", f"clients = {params.fitted_clients}"]
        if params.fitted_on:
            lines.append(f'date = "{params.fitted_on}"')
    return "\n".join(lines) + "\n"


def save_parameters(params: Parameters, config_dir: Path) -> Path:
    """Write the practice's parameters (0600, atomically) so every later run uses them."""
    from fittui.locations import make_private_dir
    from fittui.storage import write_file_atomically

    make_private_dir(config_dir)
    path = user_file(config_dir)
    write_file_atomically(path, parameters_toml(params).encode("utf-8"))
    return path


def reset_parameters(config_dir: Path) -> bool:
    """Go back to the default model; False when it was already in use."""
    path = user_file(config_dir)
    if not path.exists():
        return False
    path.unlink()
    return True


_DEFAULT = _read(DEFAULT_FILE, f"default ({DEFAULT_FILE.name})")


# -- the expected path --------------------------------------------------------------------
def _log_share(session: int, params: Parameters) -> float:
    """L(n): the share of the reference session's gain expected by session n."""
    return math.log(session) / math.log(params.reference_session)


def _round(points: float) -> int:
    """Points to tenths, halves up, so the rounded value is what the therapist reads."""
    return math.floor(points * 10 + 0.5)


def expected_path(
    intake: int, age_group: str, sessions: Iterable[int], params: Parameters
) -> list[tuple[int, int, int]]:
    """(session, expected, lower) in tenths for each session number (intake = session 1).

    Empty for an age group the model does not cover (young children).
    """
    if not params.covers(age_group):
        return []
    start = intake / 10
    rate = max(0.0, params.gain + params.gain_per_point * (start - params.centres[age_group] / 10))
    z = -NormalDist().inv_cdf(params.band_percentile / 100)
    path = []
    for n in sessions:
        if n < 1:
            raise ValueError(f"session numbers start at 1, not {n}")
        share = _log_share(n, params)
        expected = min(SCALE_MAX, _round(start + rate * share))
        band = z * math.hypot(params.occasion_spread, params.gain_spread * share)
        lower = max(0, min(expected, _round(expected / 10 - band)))
        path.append((n, expected, lower))
    return path


def zone(total: int, expected: int, lower: int) -> str:
    """on_track at or above the expected path, at_risk within the band, off_track below it."""
    if total >= expected:
        return "on_track"
    if total >= lower:
        return "at_risk"
    return "off_track"


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


def zones_of(
    ors: Sequence[Administration],
    age_group: str,
    instruments: dict[str, Instrument],
    params: Parameters,
) -> list[SessionZone]:
    """The zone of every rating after intake (session 2 on), in clinical order."""
    path = client_path(ors, age_group, instruments, params)
    return [
        SessionZone(n, a, expected, lower, zone(a.total, expected, lower))
        for a, (n, expected, lower) in zip(ors[1:], path[1:])
    ]


# -- fitting a practice's own path --------------------------------------------------------
def cases_from(
    clients: Iterable[tuple[str, Sequence[Administration]]],
    instruments: dict[str, Instrument],
    params: Parameters,
) -> list[Case]:
    """The clients the fit can use, from (age group, own ORS-family ratings) pairs.

    Pass every client, archived ones too: finished cases teach the most.
    """
    return [
        Case(age_group, tuple(a.total for a in ors))
        for age_group, ors in clients
        if len(ors) >= MIN_ORS and applies(ors, age_group, instruments, params)
    ]


def _solve(xx: list[list[float]], xy: list[float]) -> list[float] | None:
    """The 2x2 normal equations by Cramer's rule; None when they have no single answer."""
    det = xx[0][0] * xx[1][1] - xx[0][1] * xx[1][0]
    if abs(det) < 1e-12 * max(1.0, abs(xx[0][0] * xx[1][1])):
        return None
    return [
        (xy[0] * xx[1][1] - xx[0][1] * xy[1]) / det,
        (xx[0][0] * xy[1] - xy[0] * xx[1][0]) / det,
    ]


def _least_squares(rows: list[tuple[float, float, float]]) -> list[float] | None:
    """Coefficients b of y = b0*x0 + b1*x1 from (x0, x1, y) rows."""
    xx = [[0.0, 0.0], [0.0, 0.0]]
    xy = [0.0, 0.0]
    for x0, x1, y in rows:
        xx[0][0] += x0 * x0
        xx[0][1] += x0 * x1
        xx[1][1] += x1 * x1
        xy[0] += x0 * y
        xy[1] += x1 * y
    xx[1][0] = xx[0][1]
    return _solve(xx, xy)


def fit(cases: Sequence[Case], base: Parameters, today: str | None = None) -> FitResult:
    """Re-fit gain, gain_per_point and the two spreads to a practice's clients.

    1. The change from intake at session n is ``(gain + gain_per_point * x) * L(n)`` plus
       noise, with x the intake minus its age group's centre: ordinary least squares on
       the two regressors L(n) and x*L(n) over every rating after intake.
    2. Each residual's square estimates ``occasion_spread² + gain_spread² * L(n)²``:
       least squares on 1 and L(n)² (method of moments), a variance never below zero.

    The reference session, band percentile and centres stay as in ``base``. Raises
    InputError when there are too few clients, or when the practice's clients show no
    average gain (a flat expected path would call every client on track).
    """
    usable = [c for c in cases if len(c.totals) >= MIN_ORS and base.covers(c.age_group)]
    if len(usable) < MIN_CLIENTS:
        raise InputError(
            f"etr fit needs at least {MIN_CLIENTS} clients with {MIN_ORS} or more ORS or CORS "
            f"ratings of their own; this database has {len(usable)}. fittui keeps the model "
            "it is using."
        )
    points = []  # (L, x, change) in points
    for case in usable:
        intake = case.totals[0]
        x = (intake - base.centres[case.age_group]) / 10
        for n, total in enumerate(case.totals[1:], start=2):
            points.append((_log_share(n, base), x, (total - intake) / 10))
    means = _least_squares([(share, x * share, change) for share, x, change in points])
    if means is None:
        raise InputError("etr fit: every client has the same intake; the fit needs a range")
    gain, per_point = means
    squares = [
        (1.0, share * share, (change - (gain + per_point * x) * share) ** 2)
        for share, x, change in points
    ]
    occasion, spread = _least_squares(squares) or [0.0, 0.0]
    if spread < 0:  # a variance below zero: the spread does not grow, keep one constant
        occasion, spread = sum(r for _, _, r in squares) / len(squares), 0.0
    elif occasion < 0:
        occasion = 0.0
        spread = sum(s * r for _, s, r in squares) / sum(s * s for _, s, _ in squares)
    if gain <= 0:
        raise InputError(
            f"etr fit: your clients' expected gain from an intake at the centre comes out at "
            f"{gain:.1f} points; fittui keeps the default model, since a flat expected path "
            "would call every client on track."
        )
    fitted = replace(
        base,
        gain=round(gain, 2),
        gain_per_point=round(per_point, 3),
        occasion_spread=round(math.sqrt(occasion), 2),
        gain_spread=round(math.sqrt(spread), 2),
        source="your practice (fitted)",
        fitted_clients=len(usable),
        fitted_on=today,
    )
    return FitResult(fitted, len(usable), len(points) + len(usable))


# -- describing the model -----------------------------------------------------------------
PARAMETER_WORDS = {
    "gain": "expected gain from the centre intake",
    "gain_per_point": "change in gain per point of intake",
    "occasion_spread": "spread of one rating by chance",
    "gain_spread": "spread of gains between clients",
}
TABLE_INTAKES = (100, 150, 200, 250)
TABLE_SESSIONS = (2, 4, 6, 8, 10)


def parameters_json(params: Parameters) -> dict:
    """The parameters as JSON-ready data, for ``etr show --json`` and ``etr fit --json``."""
    return {
        "source": params.source,
        "reference_session": params.reference_session,
        **{key: getattr(params, key) for key in FITTED},
        "band_percentile": params.band_percentile,
        "centres": {group: t / 10 for group, t in params.centres.items()},
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
            f"Fitted from {params.fitted_clients} clients"
            + (f" on {params.fitted_on}." if params.fitted_on else ".")
        )
    lines.append("")
    rows = [["parameter", "value", "meaning"]]
    for key in FITTED:
        rows.append([key, f"{getattr(params, key):g}", PARAMETER_WORDS[key]])
    rows.append(["reference_session", str(params.reference_session), "where the gain is read"])
    rows.append(["band_percentile", f"{params.band_percentile:g}", "lower edge of the band"])
    for group, t in params.centres.items():
        rows.append([f"centre ({group})", format_tenths(t), "intake at which the gain applies"])
    lines += _table(rows)
    lines.append(f"Gains and spreads are in points by session {params.reference_session}.")
    lines += ["", "Expected ORS for an adult (lower edge of the band in brackets):"]
    lines += paths_table([("active", params)])
    lines += ["", DISCLAIMER]
    return "\n".join(lines)


def compare(result: FitResult, default: Parameters) -> str:
    """What ``etr fit`` found, against the default model, in plain words and two tables."""
    fitted = result.parameters
    lines = [
        f"Fitted from {result.clients} clients with {MIN_ORS} or more ORS ratings "
        f"({result.ratings} ratings in all).",
        "",
    ]
    rows = [["parameter", "default", "your practice", "meaning"]]
    for key in FITTED:
        rows.append(
            [key, f"{getattr(default, key):g}", f"{getattr(fitted, key):g}", PARAMETER_WORDS[key]]
        )
    lines += _table(rows)
    lines.append(f"Gains and spreads are in points by session {default.reference_session}.")
    lines += ["", "Expected ORS for an adult (lower edge of the band in brackets):"]
    lines += paths_table([("default", default), ("yours", fitted)])
    lines += ["", DISCLAIMER]
    return "\n".join(lines)
