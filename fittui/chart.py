"""The history chart, drawn with any plotext-like object: the app's widget or plain stdout.

ORS-family and SRS-family totals of the client's own ratings on one 0-40 axis, one point
per session date, with the client's ORS cut-off and the SRS 36 line; collateral raters
(a partner, a parent) as series of their own. Optionally the expected treatment response:
the expected ORS path from the client's intake and the lower edge of its band, drawn in
thin dotted lines so the client's own scores stay in front.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fittui.instruments import Instrument
from fittui.model import Administration
from fittui.scoring import chronological, family_of

MAX_TICKS = 8


def series(
    administrations: list[Administration], instruments: dict[str, Instrument]
) -> tuple[list[str], dict[str, list[tuple[int, float]]]]:
    """Session dates and, for each (family, rater) series, (session index, total) points."""
    ordered = [
        a for a in chronological(administrations) if family_of(instruments, a) in ("ors", "srs")
    ]
    days = sorted({a.day for a in ordered})
    index = {day: n for n, day in enumerate(days, start=1)}
    found: dict[str, list[tuple[int, float]]] = {}
    for a in ordered:
        family = family_of(instruments, a).upper()
        name = family if a.by_client else f"{family} ({a.rater})"
        found.setdefault(name, []).append((index[a.day], a.total / 10))
    return days, found


def draw_history(
    plt: Any,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    cutoff: int | None,
    colors: bool = True,
    etr: Sequence[tuple[int, int, int]] | None = None,
) -> None:
    """Plot onto ``plt`` (plotext or a PlotextPlot's ``plt``); the caller shows or refreshes.

    ``etr`` is the client's expected path, (session, expected, lower) in tenths as
    ``etr.client_path`` gives it; session n is drawn at the date of the client's n-th ORS.
    """
    days, found = series(administrations, instruments)
    plt.clear_data()
    plt.ylim(0, 40)
    ors_points = found.get("ORS", [])
    if etr and ors_points:  # first, so the client's own scores are drawn over it
        at = [(ors_points[n - 1][0], e / 10, lo / 10) for n, e, lo in etr if n <= len(ors_points)]
        xs = [x for x, _, _ in at]
        dim = "gray" if colors else None
        plt.plot(xs, [e for _, e, _ in at], label="expected", marker="-", color=dim)
        plt.plot(xs, [lo for _, _, lo in at], label="lower edge", marker="·", color=dim)
    palette = iter(["cyan", "magenta", "green", "orange", "blue", "red"])
    for name, points in found.items():
        xs, ys = zip(*points)
        plt.plot(
            list(xs),
            list(ys),
            label=name,
            marker="braille" if name in ("ORS", "SRS") else "dot",
            color=next(palette, None) if colors else None,
        )
    if days:
        plt.xlim(0.5, len(days) + 0.5)
        if cutoff is not None and "ORS" in found:
            plt.hline(cutoff / 10, "red" if colors else None)
        if "SRS" in found:
            plt.hline(36, "yellow" if colors else None)
        step = max(1, -(-len(days) // MAX_TICKS))
        ticks = list(range(1, len(days) + 1, step))
        plt.xticks(ticks, [days[t - 1][5:] for t in ticks])
    plt.yticks([0, 10, 20, 30, 40])
