"""The history chart, drawn with any plotext-like object: the app's widget or plain stdout.

ORS-family and SRS-family totals of the client's own ratings on one 0-40 axis, one point
per session date, with the client's ORS cut-off, the band of no reliable change around
the intake and the SRS 36 line; collateral raters (a partner, a parent) as series of
their own. Optionally the expected treatment response (``etr.py``): the expected ORS
path from the client's intake and the lower edge of its band. The per-item view draws
each item of one family on its 0-10 line instead. A symptom measure (PHQ-9, GAD-7) gets a
chart of its own, on its own scale, with a line where each severity band starts.

Nothing here relies on colour alone: each series marks its points with its own letter and
each reference line has its own character, and the drawing functions return the legend
(marker, words, colour) for the caller to print beside the chart, where it cannot hide a
point the way plotext's own legend box would.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from fittui.instruments import Instrument
from fittui.model import Administration
from fittui.scoring import chronological, family_of, own_instrument_ratings

MAX_TICKS = 8
DENSE = 30  # sessions in a series beyond which it is drawn as dots (see _line)
COLORS = ("cyan", "magenta", "green", "orange", "blue", "red")
CUTOFF_MARK, BAND_MARK, SRS_MARK = "╌", "·", "┄"
EXPECTED_MARK, LOWER_EDGE_MARK = "-", "_"


class Legend(NamedTuple):
    """One entry of a chart's legend: the marker drawn, what it means, its colour."""

    marker: str
    words: str
    color: str | None


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
    # The client's own series first, then collateral raters by name.
    order = sorted(found, key=lambda name: ("(" in name, name))
    return days, {name: found[name] for name in order}


def _marker(name: str, used: set[str]) -> str:
    """O for the ORS, S for the SRS, a collateral rater's initial (lower case) otherwise."""
    if name in ("ORS", "SRS"):
        return name[0]
    for letter in name.split("(")[-1].rstrip(")") + "abcdefghijklmnopqrstuvwxyz":
        if letter.isalpha() and letter.lower() not in used:
            return letter.lower()
    return "?"


def _line(plt: Any, points: list[tuple[int, float]], marker: str, color: str | None) -> None:
    """A series: its points marked with its letter and joined by a line. A long series (a
    year of weekly sessions) is drawn as fine dots, one per session, which already read
    as a line, with the letter at its first and last point: plotext joins points slowly,
    and at that density there would be no room to see the letters anyway."""
    xs, ys = (list(v) for v in zip(*points))
    if len(points) > DENSE:
        plt.scatter(xs, ys, marker="braille", color=color)
        plt.scatter([xs[0], xs[-1]], [ys[0], ys[-1]], marker=marker, color=color)
    else:
        plt.plot(xs, ys, marker="braille", color=color)
        plt.scatter(xs, ys, marker=marker, color=color)


def _reference(plt: Any, days: list[str], y: float, marker: str, color: str | None) -> None:
    plt.plot([0.5, len(days) + 0.5], [y, y], marker=marker, color=color)


def _date_ticks(plt: Any, days: list[str]) -> None:
    plt.xlim(0.5, len(days) + 0.5)
    step = max(1, -(-len(days) // MAX_TICKS))
    ticks = list(range(1, len(days) + 1, step))
    plt.xticks(ticks, [days[t - 1][5:] for t in ticks])


def draw_history(
    plt: Any,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    cutoff: int | None,
    colors: bool = True,
    intake: int | None = None,
    reliable: int | None = None,
    etr: Sequence[tuple[int, int, int]] | None = None,
) -> list[Legend]:
    """Plot totals onto ``plt`` (plotext or a PlotextPlot's ``plt``) and return the legend;
    the caller shows or refreshes. With ``intake`` and ``reliable`` (tenths), the band of
    no reliable change around the intake is drawn: an ORS outside it has reliably changed.
    ``etr`` is the client's expected path, (session, expected, lower) in tenths as
    ``etr.client_path`` gives it; session n is drawn at the date of the client's n-th ORS."""
    days, found = series(administrations, instruments)
    plt.clear_data()
    plt.ylim(0, 40)
    plt.yticks([0, 10, 20, 30, 40])
    legend: list[Legend] = []
    if not days:
        return legend

    def reference(y: float, marker: str, words: str, color: str) -> None:
        shown = color if colors else None
        _reference(plt, days, y, marker, shown)
        legend.append(Legend(marker * 2, words, shown))

    # Reference lines first, so the ratings are drawn over them.
    if intake is not None and reliable is not None and "ORS" in found:
        for y in (max(0, intake - reliable), min(400, intake + reliable)):
            _reference(plt, days, y / 10, BAND_MARK, "gray" if colors else None)
        legend.append(
            Legend(BAND_MARK * 2, f"intake ±{reliable / 10:g}", "gray" if colors else None)
        )
    if cutoff is not None and "ORS" in found:
        reference(cutoff / 10, CUTOFF_MARK, f"cut-off {cutoff / 10:g}", "red")
    if "SRS" in found:
        reference(36, SRS_MARK, "SRS 36", "yellow")
    ors_points = found.get("ORS", [])
    if etr and ors_points:
        at = [(ors_points[n - 1][0], e / 10, lo / 10) for n, e, lo in etr if n <= len(ors_points)]
        xs = [x for x, _, _ in at]
        dim = "gray" if colors else None
        for values, marker, words in (
            ([e for _, e, _ in at], EXPECTED_MARK, "expected"),
            ([lo for _, _, lo in at], LOWER_EDGE_MARK, "lower edge"),
        ):
            plt.plot(xs, values, marker=marker, color=dim)
            legend.append(Legend(marker * 2, words, dim))
    used: set[str] = set()
    palette = iter(COLORS)
    for name, points in found.items():
        marker = _marker(name, used)
        used.add(marker.lower())
        color = next(palette, None) if colors else None
        _line(plt, points, marker, color)
        legend.append(Legend(marker, name, color))
    _date_ticks(plt, days)
    return legend


def draw_items(
    plt: Any,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    family: str,
    colors: bool = True,
) -> list[Legend]:
    """Each item of the client's own ratings of one family (ORS or SRS) on its 0-10 line,
    with the SRS item line at 9; returns the legend, empty when there is nothing to draw."""
    own = [
        a
        for a in chronological(administrations)
        if a.by_client and family_of(instruments, a) == family
    ]
    plt.clear_data()
    plt.ylim(0, 10)
    plt.yticks([0, 2, 4, 6, 8, 10])
    legend: list[Legend] = []
    if not own:
        return legend
    days = sorted({a.day for a in own})
    index = {day: n for n, day in enumerate(days, start=1)}
    item_cutoff = instruments[own[-1].instrument].item_cutoff
    if item_cutoff is not None:
        color = "yellow" if colors else None
        _reference(plt, days, item_cutoff / 10, SRS_MARK, color)
        legend.append(Legend(SRS_MARK * 2, f"item {item_cutoff / 10:g}", color))
    points: dict[str, list[tuple[int, float]]] = {}
    labels: dict[str, str] = {}
    for a in own:
        for item in instruments[a.instrument].items:
            if item.key in a.items:
                labels.setdefault(item.key, item.label)
                points.setdefault(item.key, []).append((index[a.day], a.items[item.key] / 10))
    palette = iter(COLORS)
    for number, (key, found) in enumerate(points.items(), start=1):
        color = next(palette, None) if colors else None
        _line(plt, found, str(number), color)
        legend.append(Legend(str(number), labels[key], color))
    _date_ticks(plt, days)
    return legend


def draw_symptoms(
    plt: Any, administrations: list[Administration], instrument: Instrument, colors: bool = True
) -> list[Legend]:
    """The client's own totals of one symptom measure, from 0 to its highest total, with a
    line and a named tick at the start of each severity band above the lowest; returns the
    legend, empty when the client has no such rating."""
    ratings = own_instrument_ratings(administrations, instrument.key)
    top = instrument.max_total // 10
    plt.clear_data()
    plt.ylim(0, top)
    bands = [band for band in instrument.bands if band.low > instrument.scale_min]
    plt.yticks(
        [0, *(band.low / 10 for band in bands), top],
        [
            "0",
            *(f"{instrument.format_score(band.low)} {band.label.lower()}" for band in bands),
            str(top),
        ],
    )
    if not ratings:
        return []
    days = [a.day for a in ratings]
    color = "cyan" if colors else None
    for band in bands:
        _reference(plt, days, band.low / 10, SRS_MARK, "gray" if colors else None)
    marker = instrument.key[0]
    _line(plt, [(n, a.total / 10) for n, a in enumerate(ratings, start=1)], marker, color)
    _date_ticks(plt, days)
    return [
        Legend(marker, instrument.key, color),
        Legend(SRS_MARK * 2, "where a severity band starts", "gray" if colors else None),
    ]


def legend_text(legend: list[Legend]) -> str:
    """The legend as one line of plain text, for stdout."""
    return "   ".join(f"{entry.marker} {entry.words}" for entry in legend)
