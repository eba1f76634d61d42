"""The practice's ratings by how they were taken: in person, shared screen, aloud, home, paper.

A rating read aloud is not the same measurement as one the client marks: spoken SRS scores
are known to run higher, since saying a low number to the therapist's face is harder than
marking a line. This breakdown lets a practice see whether its modes differ before it
compares or pools them. Only the 40-point ORS- and SRS-family scales are counted, as in the
outcome summary, and only the client's own ratings in the period that count there too: a
rating a later one of its day replaced is left out, and a group's GSRS is not the
individual alliance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.model import MODES, Administration, one_per_session
from fittui.domain.outcomes import FULL_SCALE_MAX, Period, rounded
from fittui.domain.scoring import series_of

SRS_CUTOFF = 360
CAUTION = (
    "A spoken SRS is known to run higher than one the client marks: compare modes "
    "with care before pooling them."
)


@dataclass(frozen=True)
class ModeFigures:
    """One mode's ratings in the period: counts, mean totals in tenths, SRS below 36."""

    mode: str
    ors_count: int
    ors_mean: Fraction | None
    srs_count: int
    srs_mean: Fraction | None
    srs_below: int

    def to_json(self) -> dict:
        """Means to two decimals, as the summary's own ``mean_srs`` beside them."""

        def points(mean: Fraction | None) -> float | None:
            return None if mean is None else rounded(mean / 10, 2)

        return {
            "mode": self.mode,
            "ors_count": self.ors_count,
            "ors_mean": points(self.ors_mean),
            "srs_count": self.srs_count,
            "srs_mean": points(self.srs_mean),
            "srs_below_36": self.srs_below,
        }


def by_mode(
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    period: Period,
) -> list[ModeFigures]:
    """Figures for each mode that has ratings in the period, in the order of ``MODES``.

    ``administrations``: the ratings that count (none voided), in entry order.
    """
    totals: dict[tuple[str, str], list[int]] = {}
    for a in one_per_session(administrations):
        instrument = instruments.get(a.instrument)
        series = series_of(instruments, a)
        if (
            instrument is None
            or series not in ("ors", "srs")
            or instrument.max_total != FULL_SCALE_MAX
            or not a.by_client
            or not period.holds(a.day)
        ):
            continue
        totals.setdefault((a.mode, series), []).append(a.total)
    found = []
    for mode in MODES:
        ors, srs = totals.get((mode, "ors"), []), totals.get((mode, "srs"), [])
        if ors or srs:
            found.append(
                ModeFigures(
                    mode,
                    len(ors),
                    Fraction(sum(ors), len(ors)) if ors else None,
                    len(srs),
                    Fraction(sum(srs), len(srs)) if srs else None,
                    sum(t < SRS_CUTOFF for t in srs),
                )
            )
    return found


def mode_rows(figures: list[ModeFigures]) -> list[tuple[str, str, str, str, str, str]]:
    """(mode, ORS n, ORS mean, SRS n, SRS mean, SRS below 36) rows for a table."""

    def mean(value: Fraction | None) -> str:
        shown = None if value is None else rounded(value / 10, 1)
        return "-" if shown is None else format_tenths(round(shown * 10))

    return [
        (
            f.mode,
            str(f.ors_count),
            mean(f.ors_mean),
            str(f.srs_count),
            mean(f.srs_mean),
            str(f.srs_below),
        )
        for f in figures
    ]
