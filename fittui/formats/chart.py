"""The history chart, drawn with any plotext-like object: the app's widget or plain stdout.

ORS-family and SRS-family totals of the client's own ratings on one 0-40 axis, one point
per session date, with the client's ORS cut-off, the band of no reliable change around
the intake and the SRS 36 line; a group's GSRS and each collateral rater (a partner, a
parent) as series of their own, each with its own letter. The young child's face scales
(YCORS, YCSRS: 0-10) get a 0-10 chart of their own, never the 40-point lines. Optionally
the expected treatment response (``etr.py``): the expected ORS path from the client's
intake and the lower edge of its band. The per-item view draws each item of one family
on its 0-10 line instead. A symptom measure (PHQ-9, GAD-7) gets a chart of its own, on
its own scale, with a line where each severity band starts.

A chart never says what the numbers do not. A terminal row holds a range of values, so a
point and a reference line can share a row: a PHQ-9 of 8 would sit on the "10 moderate"
line. Given the number of rows the canvas has (``rows``), each point is drawn on the row
nearest its value unless that row is a line's row and the point is on the other side of
the line (below a cut-off, a band start or the SRS 36; above the lower edge of the
intake band): then it goes one row further, to its own side. Where no row is right (two
lines one row apart and the point between them) the value is printed beside the point.
Points that would hide each other (two items at the same score) are drawn as one label
naming them all, "3·4".

Nothing here relies on colour alone: each series marks its points with its own letter and
each reference line has its own character, and the drawing functions return the legend
(marker, words, colour) for the caller to print beside the chart, where it cannot hide a
point the way plotext's own legend box would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from fittui.domain import language
from fittui.domain.instruments import Instrument
from fittui.domain.model import Administration
from fittui.domain.scoring import GROUP_SERIES, chronological, own_instrument_ratings, series_of

MAX_TICKS = 8
DENSE = 30  # sessions in a series beyond which it is drawn as dots (see _line)
COLORS = ("cyan", "magenta", "green", "orange", "blue", "red")
CUTOFF_MARK, BAND_MARK, SRS_MARK = "╌", "·", "┄"
EXPECTED_MARK, LOWER_EDGE_MARK = "-", "_"
EPISODE_MARK = "┆"  # the line before the first session of a later episode
CHROME = 4  # lines of a titled plotext chart that are not canvas: title, frame, dates
FULL_SCALE, CHILD_SCALE = 400, 100  # highest totals in tenths: the 40-point and 0-10 charts
JOIN = "·"


def canvas_rows(height: int, titled: bool = True) -> int:
    """The rows plotext gives a chart's canvas in a plot ``height`` lines high."""
    return max(height - CHROME + (0 if titled else 1), 2)


class Legend(NamedTuple):
    """One entry of a chart's legend: the marker drawn, what it means, its colour."""

    marker: str
    words: str
    color: str | None


class Line(NamedTuple):
    """A reference line: its value, and the side that counts as reaching it ("up": at or
    above, as a cut-off or a band start; "down": at or below, as the lower band edge)."""

    value: float
    up: bool = True


class Grid(NamedTuple):
    """The canvas rows as plotext lays them out: row 0 holds ``low``, the top row ``high``,
    and a value goes to the row whose centre is nearest (plotext's own rounding)."""

    low: float
    high: float
    rows: int

    def row(self, y: float) -> int:
        return math.floor(round(0.5 + (self.rows - 1) * (y - self.low) / (self.high - self.low), 8))

    def centre(self, row: int) -> float:
        return self.low + row * (self.high - self.low) / (self.rows - 1)


def place(y: float, grid: Grid | None, lines: Sequence[Line]) -> tuple[float, bool]:
    """Where to draw a point of value ``y`` so it never sits on a line's row from the wrong
    side, and whether that worked; when it cannot (two lines a row apart, the point
    between them), the point stays at its value and the caller prints the value."""
    if grid is None:
        return y, True
    row = grid.row(y)
    for _ in range(len(lines) + 1):
        wrong = [
            line
            for line in lines
            if grid.row(line.value) == row and (y < line.value if line.up else y > line.value)
        ]
        if not wrong:
            return (y if row == grid.row(y) else grid.centre(row)), True
        row += -1 if wrong[0].up else 1
        if not 0 <= row < grid.rows or abs(row - grid.row(y)) > 1:
            break
    return y, False


def _short(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


class Series(NamedTuple):
    """One series to draw: its (session, value) points, its marker and its colour."""

    points: list[tuple[int, float]]
    marker: str
    color: str | None


def _draw_series(plt: Any, drawn: list[Series], grid: Grid | None, lines: Sequence[Line]) -> None:
    """Each series as a line of fine braille dots through its points, each point marked
    with its series' letter on its right row (``place``). A point with no right row carries
    its value ("S34.3"). Points on the same spot (the same session and row) are drawn as
    one label naming them all ("O·S", "3·4", "O·a28"), so none hides another, whether it
    found its right row or carries its value. A long series (a year of weekly sessions) is
    drawn as dots alone, with its letter at the first and last point: plotext joins points
    slowly, and at that density there would be no room to see the letters anyway."""
    # (session, row) -> the points there: each one's label ("O", or "a28" where it carries
    # its value), colour and value, and whether it found its right row.
    at: dict[tuple[int, float], list[tuple[str, str | None, float, bool]]] = {}
    for one in drawn:
        placed = [(x, *place(y, grid, lines)) for x, y in one.points]
        xs, ys = [x for x, _, _ in placed], [y for _, y, _ in placed]
        if len(placed) > DENSE:
            plt.scatter(xs, ys, marker="braille", color=one.color)
            placed = [placed[0], placed[-1]]
        else:
            plt.plot(xs, ys, marker="braille", color=one.color)
        for x, y, right in placed:
            row: float = grid.row(y) if grid is not None else y
            label = one.marker if right else f"{one.marker}{_short(y)}"
            at.setdefault((x, row), []).append((label, one.color, y, right))
    for (x, _), group in at.items():
        label, color, y, right = group[0]
        if len(group) == 1 and right:
            plt.scatter([x], [y], marker=label, color=color)
        elif len(group) == 1:
            plt.text(label, x, y, color=color)
        else:
            label = JOIN.join(dict.fromkeys(one for one, _, _, _ in group))
            plt.text(label, x, y, color=color, alignment="center")


def series(
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    scale: int = FULL_SCALE,
    days: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, list[tuple[int, float]]]]:
    """Session dates and, for each series, (session index, total) points: "ORS", "SRS" and
    "GSRS" for the client's own, "ORS (partner)" and the like for a collateral rater.
    Only instruments whose highest total is ``scale`` (tenths): the 0-40 scales by
    default, the young child's 0-10 ones with ``CHILD_SCALE``. With ``days`` (which must
    hold every day rated here), points are numbered on those days instead: a chart that
    shows earlier episodes too numbers every episode's sessions on one axis."""
    ordered = [a for a in chronological(administrations) if _on_scale(a, instruments, scale)]
    days = list(days) if days is not None else sorted({a.day for a in ordered})
    index = {day: n for n, day in enumerate(days, start=1)}
    found: dict[str, list[tuple[int, float]]] = {}
    for a in ordered:
        family = series_of(instruments, a).upper()
        name = family if a.by_client else f"{family} ({a.rater})"
        found.setdefault(name, []).append((index[a.day], a.total / 10))
    # The client's own series first, then collateral raters by name.
    order = sorted(found, key=lambda name: ("(" in name, name))
    return days, {name: found[name] for name in order}


def _on_scale(a: Administration, instruments: dict[str, Instrument], scale: int) -> bool:
    """Whether a rating belongs on the totals chart of this scale."""
    return (
        series_of(instruments, a) in ("ors", "srs", GROUP_SERIES)
        and instruments[a.instrument].max_total == scale
    )


def chart_scale(administrations: list[Administration], instruments: dict[str, Instrument]) -> int:
    """The young child's 0-10 chart when every ORS- and SRS-family rating is on a 0-10
    scale (YCORS, YCSRS); the 0-40 chart otherwise."""
    scales = {
        instruments[a.instrument].max_total
        for a in administrations
        if series_of(instruments, a) in ("ors", "srs", GROUP_SERIES)
    }
    return CHILD_SCALE if scales == {CHILD_SCALE} else FULL_SCALE


def series_words(
    administrations: list[Administration], instruments: dict[str, Instrument], name: str
) -> str:
    """A series as the legend names it: the instruments actually rated in it ("CORS",
    "YCSRS", "ORS (partner)"), so a child's chart never says "ORS" for a CORS."""
    family, _, rest = name.partition(" (")
    rater = rest.rstrip(")") or "client"
    keys = dict.fromkeys(
        a.instrument
        for a in chronological(administrations)
        if a.rater == rater and series_of(instruments, a).upper() == family
    )
    words = "/".join(keys) or family
    return f"{words} ({language._(rater)})" if rest else words


def _marker(name: str, used: set[str]) -> str:
    """O for the ORS, S for the SRS, G for the group's GSRS, a collateral rater's initial
    (lower case) otherwise."""
    if name in ("ORS", "SRS", "GSRS"):
        return name[0]
    for letter in name.split("(")[-1].rstrip(")") + "abcdefghijklmnopqrstuvwxyz":
        if letter.isalpha() and letter.lower() not in used:
            return letter.lower()
    return "?"


def _reference(
    plt: Any, days: list[str], y: float, marker: str, color: str | None, start: float = 0.5
) -> None:
    """A horizontal line at ``y`` from ``start`` (the left edge by default) to the right."""
    plt.plot([start, len(days) + 0.5], [y, y], marker=marker, color=color)


def _date_ticks(plt: Any, days: list[str]) -> None:
    plt.xlim(0.5, len(days) + 0.5)
    step = max(1, -(-len(days) // MAX_TICKS))
    ticks = list(range(1, len(days) + 1, step))
    plt.xticks(ticks, [days[t - 1][5:] for t in ticks])


@dataclass
class _Canvas:
    """What every step of the totals chart draws on: the plot, the dates along it, the rows
    (to keep points off the wrong side of a line) and the lines drawn so far."""

    plt: Any
    days: list[str]
    top: int
    grid: Grid | None
    colors: bool
    lines: list[Line] = field(default_factory=list)  # every line: current points avoid them
    across: list[Line] = field(default_factory=list)  # those across the whole chart

    @property
    def dim(self) -> str | None:
        """The colour of what is drawn in grey: none without colours."""
        return "gray" if self.colors else None

    def line(self, y: float, marker: str, color: str | None, start: float = 0.5) -> None:
        """A reference line from ``start`` to the right edge."""
        _reference(self.plt, self.days, y, marker, color, start)


def draw_history(
    plt: Any,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    cutoff: int | None,
    colors: bool = True,
    intake: int | None = None,
    reliable: int | None = None,
    etr: Sequence[tuple[int, int, int]] | None = None,
    rows: int | None = None,
    earlier: Sequence[Sequence[Administration]] = (),
) -> list[Legend]:
    """Plot totals onto ``plt`` (plotext or a PlotextPlot's ``plt``) and return the legend;
    the caller shows or refreshes. ``administrations`` are the current episode's. With
    ``intake`` and ``reliable`` (tenths), the band of no reliable change around the intake
    is drawn: an ORS outside it has reliably changed. ``etr`` is the client's expected
    path, (session, expected, lower) in tenths as ``etr.client_path`` gives it; session n
    is drawn at the date of the client's n-th ORS. ``rows`` is the canvas's height in rows
    (``canvas_rows``), which keeps every point off the wrong side of a line; without it
    points are drawn at their values. ``earlier`` holds the ratings of each earlier
    episode, oldest first: drawn in grey before the current episode, each episode after a
    "┆" line, counted in nothing (the band and the expected path are the current one's).

    A young child's face scales (0-10) are drawn on a 0-10 chart of their own, with no
    cut-off, band or SRS 36 line (none of them is made for those scales)."""
    scale = chart_scale(administrations, instruments)
    top = _axes(plt, scale)
    episodes = [*earlier, administrations]
    days = sorted({a.day for one in episodes for a in one if _on_scale(a, instruments, scale)})
    found = series(administrations, instruments, scale, days)[1]
    if not found:
        return []
    canvas = _Canvas(plt, days, top, Grid(0, top, rows) if rows else None, colors)
    firsts = [
        days.index(min(rated)) + 1
        for rated in ([a.day for a in one if _on_scale(a, instruments, scale)] for one in episodes)
        if rated
    ]
    legend = _reference_lines(canvas, found, scale, cutoff, intake, reliable, firsts[-1] - 0.5)
    episode_legend = _episode_lines(canvas, firsts)
    if scale == FULL_SCALE:
        legend += _expected_path(canvas, etr or (), found.get("ORS", []))
    legend += _ratings(canvas, found, earlier, administrations, instruments, scale)
    _date_ticks(plt, days)
    return legend + episode_legend


def _axes(plt: Any, scale: int) -> int:
    """Clear the plot and set the value axis for the scale; returns its top value."""
    top = scale // 10
    plt.clear_data()
    plt.ylim(0, top)
    plt.yticks([0, 10, 20, 30, 40] if scale == FULL_SCALE else [0, 2, 4, 6, 8, 10])
    return top


def _reference_lines(
    canvas: _Canvas,
    found: dict[str, list[tuple[int, float]]],
    scale: int,
    cutoff: int | None,
    intake: int | None,
    reliable: int | None,
    start: float,
) -> list[Legend]:
    """The intake band (from the current episode's first session), the ORS cut-off and the
    SRS 36 line, drawn first so the ratings are drawn over them; none on a 0-10 chart."""
    legend: list[Legend] = []
    if scale != FULL_SCALE:
        return legend
    if intake is not None and reliable is not None and "ORS" in found:
        low, high = max(0, intake - reliable) / 10, min(400, intake + reliable) / 10
        for y in (low, high):
            canvas.line(y, BAND_MARK, canvas.dim, start)
        canvas.lines += [Line(low, up=False), Line(high)]
        words = language._("intake ±{points}").format(points=f"{reliable / 10:g}")
        legend.append(Legend(BAND_MARK * 2, words, canvas.dim))
    for shown, y, marker, words, color in (
        (
            cutoff is not None and "ORS" in found,
            (cutoff or 0) / 10,
            CUTOFF_MARK,
            language._("cut-off"),
            "red",
        ),
        ("SRS" in found or "GSRS" in found, 36.0, SRS_MARK, "SRS", "yellow"),
    ):
        if shown:
            canvas.line(y, marker, color if canvas.colors else None)
            canvas.lines.append(Line(y))
            canvas.across.append(Line(y))
            legend.append(Legend(marker * 2, f"{words} {y:g}", color if canvas.colors else None))
    return legend


def _episode_lines(canvas: _Canvas, firsts: Sequence[int]) -> list[Legend]:
    """A "┆" line before the first session of each episode but the first one drawn;
    ``firsts`` are those sessions, oldest episode first."""
    for x in firsts[1:]:
        canvas.plt.plot([x - 0.5, x - 0.5], [0, canvas.top], marker=EPISODE_MARK, color=canvas.dim)
    if len(firsts) < 2:
        return []
    words = language._("episode start: earlier ones left of it, not counted")
    return [Legend(EPISODE_MARK, words, canvas.dim)]


def _expected_path(
    canvas: _Canvas, etr: Sequence[tuple[int, int, int]], ors_points: list[tuple[int, float]]
) -> list[Legend]:
    """The expected ORS path and the lower edge of its band, session n at the date of the
    n-th ORS of the current episode."""
    if not etr or not ors_points:
        return []
    at = [(ors_points[n - 1][0], e / 10, lo / 10) for n, e, lo in etr if n <= len(ors_points)]
    xs = [x for x, _, _ in at]
    legend = []
    for values, marker, words in (
        ([e for _, e, _ in at], EXPECTED_MARK, language._("expected")),
        ([lo for _, _, lo in at], LOWER_EDGE_MARK, language._("lower edge")),
    ):
        canvas.plt.plot(xs, values, marker=marker, color=canvas.dim)
        legend.append(Legend(marker * 2, words, canvas.dim))
    return legend


def _ratings(
    canvas: _Canvas,
    found: dict[str, list[tuple[int, float]]],
    earlier: Sequence[Sequence[Administration]],
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    scale: int,
) -> list[Legend]:
    """Each series with its letter, in its colour; the earlier episodes' series in grey
    with the same letters, kept off only the lines drawn across the whole chart."""
    scale_words = " (0-10)" if scale == CHILD_SCALE else ""
    before = [series(list(one), instruments, scale, canvas.days)[1] for one in earlier]
    markers: dict[str, str] = {}
    for name in [*found, *(name for one in before for name in one)]:
        if name not in markers:
            markers[name] = _marker(name, set(m.lower() for m in markers.values()))
    palette = iter(COLORS)
    legend: list[Legend] = []
    drawn: list[Series] = []
    for name, points in found.items():
        color = next(palette, None) if canvas.colors else None
        drawn.append(Series(points, markers[name], color))
        words = series_words(administrations, instruments, name) + scale_words
        legend.append(Legend(markers[name], words, color))
    grey = [
        Series(points, markers[name], canvas.dim) for one in before for name, points in one.items()
    ]
    _draw_series(canvas.plt, grey, canvas.grid, canvas.across)
    _draw_series(canvas.plt, drawn, canvas.grid, canvas.lines)
    everyone = [a for one in earlier for a in one]
    for name in [name for name in markers if name not in found]:
        words = f"{series_words(everyone, instruments, name)}{scale_words}, earlier"
        legend.append(Legend(markers[name], words, canvas.dim))
    return legend


def draw_items(
    plt: Any,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    family: str,
    colors: bool = True,
    rows: int | None = None,
) -> list[Legend]:
    """Each item of the client's own ratings of one family (ORS or SRS) on its 0-10 line,
    with the SRS item line at 9; returns the legend, empty when there is nothing to draw.
    Items at the same place are drawn as one label ("3·4"), so no item hides another."""
    own = [
        a
        for a in chronological(administrations)
        if a.by_client and series_of(instruments, a) == family
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
    lines = []
    if item_cutoff is not None:
        color = "yellow" if colors else None
        _reference(plt, days, item_cutoff / 10, SRS_MARK, color)
        legend.append(
            Legend(
                SRS_MARK * 2,
                language._("item {score}").format(score=f"{item_cutoff / 10:g}"),
                color,
            )
        )
        lines.append(Line(item_cutoff / 10))
    points: dict[str, list[tuple[int, float]]] = {}
    labels: dict[str, str] = {}
    for a in own:
        for item in instruments[a.instrument].items:
            if item.key in a.items:
                labels.setdefault(item.key, item.label)
                points.setdefault(item.key, []).append((index[a.day], a.items[item.key] / 10))
    palette = iter(COLORS)
    drawn: list[Series] = []
    for number, (key, found) in enumerate(points.items(), start=1):
        color = next(palette, None) if colors else None
        drawn.append(Series(found, str(number), color))
        legend.append(Legend(str(number), labels[key], color))
    _draw_series(plt, drawn, Grid(0, 10, rows) if rows else None, lines)
    _date_ticks(plt, days)
    return legend


def draw_symptoms(
    plt: Any,
    administrations: list[Administration],
    instrument: Instrument,
    colors: bool = True,
    rows: int | None = None,
) -> list[Legend]:
    """The client's own totals of one symptom measure, from 0 to its highest total, with a
    line and a named tick at the start of each severity band above the lowest; returns the
    legend, empty when the client has no such rating. With ``rows``, a total is never
    drawn on the line of a band it has not reached (a PHQ-9 of 8 on "10 moderate")."""
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
    points = [(n, a.total / 10) for n, a in enumerate(ratings, start=1)]
    lines = [Line(band.low / 10) for band in bands]
    _draw_series(plt, [Series(points, marker, color)], Grid(0, top, rows) if rows else None, lines)
    _date_ticks(plt, days)
    return [
        Legend(marker, instrument.key, color),
        Legend(
            SRS_MARK * 2,
            language._("where a severity band starts"),
            "gray" if colors else None,
        ),
    ]


def legend_rows(legend: list[Legend], width: int, gap: int) -> list[list[Legend]]:
    """The legend's entries in rows of at most ``width`` columns with ``gap`` spaces between
    them, each entry whole: a marker on one line and its words on the next would read as
    belonging to the entry beside them. An entry wider than ``width`` has a row of its own."""
    rows: list[list[Legend]] = []
    used = 0
    for entry in legend:
        size = len(entry.marker) + 1 + len(entry.words)
        if rows and used + gap + size <= width:
            rows[-1].append(entry)
            used += gap + size
        else:
            rows.append([entry])
            used = size
    return rows


def legend_text(legend: list[Legend], width: int = 80) -> str:
    """The legend as plain text for stdout, in lines of at most ``width`` columns."""
    return "\n".join(
        "   ".join(f"{entry.marker} {entry.words}" for entry in row)
        for row in legend_rows(legend, width, 3)
    )
