"""The history charts, drawn with any plotext-like object: the app's widget or plain stdout.

ORS-family and SRS-family totals of the client's own ratings on one 0-40 axis, one point
per session date, with the client's ORS cut-off and the SRS 36 line; collateral raters
(a partner, a parent) as series of their own. A symptom measure (PHQ-9, GAD-7) gets a
chart of its own, on its own scale, with a line where each severity band starts.
"""

from __future__ import annotations

from typing import Any

from fittui.instruments import Instrument
from fittui.model import Administration
from fittui.scoring import chronological, family_of, own_instrument_ratings

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
) -> None:
    """Plot onto ``plt`` (plotext or a PlotextPlot's ``plt``); the caller shows or refreshes."""
    days, found = series(administrations, instruments)
    plt.clear_data()
    plt.ylim(0, 40)
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


def draw_symptoms(plt: Any, administrations: list[Administration], instrument: Instrument) -> None:
    """Plot the client's own totals of one symptom measure onto ``plt``, from 0 to its
    highest total, with a line and a tick at the start of each severity band above the
    lowest; the caller shows or refreshes."""
    ratings = own_instrument_ratings(administrations, instrument.key)
    top = instrument.max_total // 10
    plt.clear_data()
    plt.ylim(0, top)
    if ratings:
        xs = list(range(1, len(ratings) + 1))
        plt.plot(xs, [a.total / 10 for a in ratings], label=instrument.key, marker="braille")
        plt.xlim(0.5, len(ratings) + 0.5)
        step = max(1, -(-len(ratings) // MAX_TICKS))
        ticks = xs[::step]
        plt.xticks(ticks, [ratings[t - 1].day[5:] for t in ticks])
    bands = [band for band in instrument.bands if band.low > instrument.scale_min]
    for band in bands:
        plt.hline(band.low / 10)
    plt.yticks(
        [0, *(band.low / 10 for band in bands), top],
        [
            "0",
            *(f"{instrument.format_score(band.low)} {band.label.lower()}" for band in bands),
            str(top),
        ],
    )
