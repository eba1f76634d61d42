"""The practice's outcome summary for a period: how many clients, how they changed, the alliance.

Pure functions over clients and administrations, shared by ``fittui report --summary`` and
the outcomes screen. Every clinical judgement (intake, latest, status) comes from
``scoring.summarize``, so the summary counts the client's own ratings only, as the rest of
fittui does.

The period: a client is in the period when they have any administration dated within it
(``start`` and ``end`` both inclusive, either may be open). Each such client is measured
from their real intake, even when it came before the period, to their latest ORS on or
before the period's end; ratings after the period are left out, so the summary of a
finished period never changes. SRS figures are about the sessions of the period: the SRS
given within it.

Means are exact (fractions of tenths) and rounded half up only for display and JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import sqrt

from fittui.instruments import Instrument, format_tenths
from fittui.model import Administration, Client
from fittui.scoring import summarize

# Means and the effect size are taken over clients rated on the 40-point scales only: the
# young child's one-face scales (0-10) would pull every mean down for no clinical reason.
FULL_SCALE_MAX = 400
STATUS_ORDER = ("recovered", "improved", "unchanged", "deteriorated")


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
        if self.start is None and self.end is None:
            return "all time"
        if self.end is None:
            return f"from {self.start.isoformat()}"
        if self.start is None:
            return f"up to {self.end.isoformat()}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class OutcomeSummary:
    """The figures of the outcome summary; means in tenths as exact fractions.

    ``mean_intake``, ``mean_change`` and ``effect_size`` are None when no client with two
    ORS on a 40-point scale is in the period; ``effect_size`` also when fewer than two such
    clients are (a standard deviation needs two) or when every intake is the same (it
    would divide by zero). ``mean_srs`` and ``srs_below_cutoff_share`` are None without SRS.
    """

    period: Period
    clients: int
    clients_with_two_ors: int
    recovered: int
    improved: int
    unchanged: int
    deteriorated: int
    change_clients: int
    mean_intake: Fraction | None
    mean_change: Fraction | None
    effect_size: float | None
    srs_count: int
    mean_srs: Fraction | None
    srs_below_cutoff: int
    seen_once: int

    @property
    def srs_below_cutoff_share(self) -> Fraction | None:
        return Fraction(self.srs_below_cutoff, self.srs_count) if self.srs_count else None

    def share_of_two_ors(self, count: int) -> Fraction | None:
        """A status count as a share of the clients with two ORS."""
        return Fraction(count, self.clients_with_two_ors) if self.clients_with_two_ors else None

    @property
    def effect_size_missing_because(self) -> str | None:
        """Why there is no effect size, in words for the therapist; None when there is one."""
        if self.effect_size is not None:
            return None
        if self.change_clients < 2:
            return "needs two or more clients with two ORS on a 40-point scale"
        return "every intake score is the same, so their spread is zero"

    def to_json(self) -> dict:
        """``fittui report --summary --json``: counts, means to 2 decimals, the share to 3."""
        return {
            "clients": self.clients,
            "clients_with_two_ors": self.clients_with_two_ors,
            "recovered": self.recovered,
            "improved": self.improved,
            "unchanged": self.unchanged,
            "deteriorated": self.deteriorated,
            "mean_intake": rounded(_points(self.mean_intake), 2),
            "mean_change": rounded(_points(self.mean_change), 2),
            "effect_size": rounded(self.effect_size, 2),
            "mean_srs": rounded(_points(self.mean_srs), 2),
            "srs_below_cutoff_share": rounded(self.srs_below_cutoff_share, 3),
            "seen_once": self.seen_once,
        }


def _points(tenths: Fraction | None) -> Fraction | None:
    return None if tenths is None else tenths / 10


def rounded(value: Fraction | float | None, places: int) -> float | None:
    """Round half up (as a person would by hand), never through a binary float sum."""
    if value is None:
        return None
    if isinstance(value, float):
        value = Fraction(value)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _mean(values: list[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def _sample_sd(values: list[int]) -> float | None:
    """Standard deviation with n - 1 (the intakes are a sample of the practice's clients)."""
    if len(values) < 2:
        return None
    mean = Fraction(sum(values), len(values))
    variance = sum((Fraction(v) - mean) ** 2 for v in values) / (len(values) - 1)
    return sqrt(variance)


def outcome_summary(
    clients: Iterable[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    period: Period = Period(),
) -> OutcomeSummary:
    """The outcome summary of the clients seen in ``period`` (see the module docstring).

    Archived clients count: a finished case is exactly the one whose outcome matters.
    """
    counted = 0
    statuses = dict.fromkeys(STATUS_ORDER, 0)
    intakes: list[int] = []
    changes: list[int] = []
    srs_totals: list[int] = []
    srs_below = 0
    seen_once = 0
    for client in clients:
        mine = by_client.get(client.code, [])
        if not any(period.holds(a.day) for a in mine):
            continue
        counted += 1
        upto = [a for a in mine if period.end is None or a.day <= period.end.isoformat()]
        if len({a.day for a in upto}) == 1:
            seen_once += 1
        summary = summarize(client, upto, instruments)
        if summary.change is not None:
            statuses[summary.status] += 1
            on_full_scale = all(
                instruments[a.instrument].max_total == FULL_SCALE_MAX
                for a in (summary.intake, summary.latest)
            )
            if on_full_scale:
                intakes.append(summary.intake.total)
                changes.append(summary.change)
        for a in summary.srs:
            instrument = instruments[a.instrument]
            if not period.holds(a.day) or instrument.max_total != FULL_SCALE_MAX:
                continue
            srs_totals.append(a.total)
            if instrument.cutoff is not None and a.total < instrument.cutoff:
                srs_below += 1
    intake_sd = _sample_sd(intakes)
    mean_change = _mean(changes)
    effect_size = float(mean_change) / intake_sd if intake_sd and mean_change is not None else None
    return OutcomeSummary(
        period=period,
        clients=counted,
        clients_with_two_ors=sum(statuses.values()),
        **statuses,
        change_clients=len(changes),
        mean_intake=_mean(intakes),
        mean_change=mean_change,
        effect_size=effect_size,
        srs_count=len(srs_totals),
        mean_srs=_mean(srs_totals),
        srs_below_cutoff=srs_below,
        seen_once=seen_once,
    )


def _percent(share: Fraction | None) -> str:
    return "" if share is None else f"{rounded(share * 100, 0):.0f}%"


def _mean_text(tenths: Fraction | None, signed: bool = False) -> str:
    value = rounded(_points(tenths), 1)
    if value is None:
        return "-"
    text = format_tenths(round(value * 10))
    return f"+{text}" if signed and value > 0 else text


def summary_rows(summary: OutcomeSummary) -> list[tuple[str, str, str]]:
    """The summary as (figure, value, share or remark) rows, for the terminal and the app."""
    s = summary
    rows = [
        ("Clients seen", str(s.clients), ""),
        (
            "With two or more ORS",
            str(s.clients_with_two_ors),
            _percent(_share(s, s.clients_with_two_ors)),
        ),
    ]
    for status in STATUS_ORDER:
        count = getattr(s, status)
        rows.append((f"  {status.capitalize()}", str(count), _percent(s.share_of_two_ors(count))))
    effect = "-" if s.effect_size is None else f"{rounded(s.effect_size, 2):.2f}"
    rows += [
        ("Mean intake ORS", _mean_text(s.mean_intake), _clients(s.change_clients)),
        ("Mean change", _mean_text(s.mean_change, signed=True), _clients(s.change_clients)),
        ("Effect size", effect, _no_effect_size(s)),
        ("Mean SRS", _mean_text(s.mean_srs), f"{s.srs_count} SRS" if s.srs_count else ""),
        (
            "SRS below 36",
            str(s.srs_below_cutoff) if s.srs_count else "-",
            _percent(s.srs_below_cutoff_share),
        ),
        ("Seen once only", str(s.seen_once), _percent(_share(s, s.seen_once))),
    ]
    return rows


def _no_effect_size(summary: OutcomeSummary) -> str:
    if summary.effect_size is not None:
        return ""
    return "too few clients" if summary.change_clients < 2 else "intakes all equal"


def _share(summary: OutcomeSummary, count: int) -> Fraction | None:
    return Fraction(count, summary.clients) if summary.clients else None


def _clients(count: int) -> str:
    return f"of {count} client{'s' if count != 1 else ''}" if count else ""
