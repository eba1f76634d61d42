"""The client page's charts as inline SVG: the ORS and SRS totals on one chart, and each
symptom measure (PHQ-9, GAD-7) on its own scale with its severity bands.

Both are drawn by one :class:`SvgPlot`: sessions across, a total up, grid lines, dashed
reference lines, dates under the sessions and each series as a line with markers. Each
series has its own colour and its own marker, so a chart printed in black and white still
reads. Every piece of user text is escaped; the words come from :data:`PAGE_WORDS`, in the
client's language, and numbers and dates are written that language's way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from fittui.domain.instruments import Instrument
from fittui.domain.language import ENGLISH, Translator, rater_name, translator
from fittui.domain.model import Administration
from fittui.formats.chart import CHILD_SCALE, chart_scale, series, series_words
from fittui.formats.page_words import page_words

CHART_WIDTH, CHART_HEIGHT = 720, 300
SYMPTOM_HEIGHT = 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 16, 16, 40
_SYMPTOM_BOTTOM = 24  # a symptom chart has no legend under its dates
MAX_DATE_LABELS = 10
# The ORS and SRS have fixed looks; other series on the shared chart take the next one.
_STYLES = {
    "ORS": ("#1b5e9e", "circle", ""),
    "SRS": ("#a3501a", "square", ""),
}
_OTHER_STYLES = [("#4d7d3a", "diamond", "6 4"), ("#6b4c9a", "triangle", "2 3")]
_GRID, _CUTOFF, _SRS_LINE = "#ddd", "#c62828", "#8d6e00"
_SYMPTOM_COLOUR, _BAND_COLOUR = "#4d7d3a", "#777"


def _number(value: float) -> str:
    """A coordinate as SVG gets it: a computed place to a tenth, a fixed margin as it is."""
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _text(x: float, y: float, words: str, size: int, anchor: str = "", fill: str = "") -> str:
    """A ``<text>`` element; ``words`` must already be escaped."""
    anchored = f' text-anchor="{anchor}"' if anchor else ""
    filled = f' fill="{fill}"' if fill else ""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}"{anchored} font-size="{size}"{filled}>'
        f"{words}</text>"
    )


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    """A series' marker: circle, square, diamond or triangle."""
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    return f'<polygon points="{points}" fill="{colour}"/>'


@dataclass(frozen=True)
class SvgPlot:
    """One chart: ``slots`` sessions across, 0 to ``top`` up (in the unit of its values)."""

    height: int
    slots: int
    top: float
    bottom: int = _BOTTOM

    @property
    def width(self) -> int:
        return CHART_WIDTH - _LEFT - _RIGHT

    @property
    def plot_height(self) -> int:
        return self.height - _TOP - self.bottom

    def x_at(self, index: int) -> float:
        """The middle of session ``index`` (1-based)."""
        return _LEFT + self.width * (index - 0.5) / max(self.slots, 1)

    def y_at(self, value: float) -> float:
        return _TOP + self.plot_height * (1 - value / self.top)

    def start(self, title: str) -> list[str]:
        """The opening tag and the title a screen reader announces (``title`` escaped)."""
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {self.height}" '
            f'role="img" aria-label="{title}">',
            f"<title>{title}</title>",
        ]

    def line(self, value: float, colour: str, dash: str = "") -> str:
        """A line across the chart at ``value``: grey for the grid, dashed for a reference."""
        y = self.y_at(value)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + self.width}" y2="{y:.1f}" '
            f'stroke="{colour}"{dashed}/>'
        )

    def grid_line(self, value: float, label: str) -> str:
        """A grey line with its value written in the left margin."""
        return self.line(value, _GRID) + self.axis_label(value, label)

    def axis_label(self, value: float, label: str) -> str:
        return _text(_LEFT - 8, self.y_at(value) + 4, label, 12, "end")

    def right_label(self, value: float, words: str, size: int, colour: str, rise: int) -> str:
        """Words at the right end of a line, ``rise`` pixels above it."""
        return _text(_LEFT + self.width, self.y_at(value) - rise, words, size, "end", colour)

    def left_label(self, value: float, words: str, colour: str) -> str:
        return _text(_LEFT, self.y_at(value) - 4, words, 11, fill=colour)

    def date_labels(self, days: Sequence[str], tr: Translator) -> list[str]:
        """Month and day under the sessions, at most :data:`MAX_DATE_LABELS` of them."""
        step = max(1, -(-len(days) // MAX_DATE_LABELS))
        below = _TOP + self.plot_height + 18
        return [
            _text(self.x_at(n), below, escape(short_day(days[n - 1], tr)), 11, "middle")
            for n in range(1, len(days) + 1, step)
        ]

    def series(
        self, points: Iterable[tuple[int, float]], colour: str, shape: str, dash: str = ""
    ) -> list[str]:
        """A line through (session, value) points, with a marker on each."""
        at = [(self.x_at(i), self.y_at(value)) for i, value in points]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in at)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return [
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>',
            *(_marker(shape, x, y, colour) for x, y in at),
        ]


def short_day(day: str, tr: Translator) -> str:
    """A date under a session: '11-02' in English, the client's language's short form else."""
    return day[5:10] if tr.code == ENGLISH else tr.short_date(date.fromisoformat(day[:10]))


def chart_svg(
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    cutoff: int | None,
    tr: Translator | None = None,
) -> str:
    """The history chart: totals by session on 0-40, the ORS cut-off and the SRS's 36; a
    young child's face scales on 0-10 with no line made for the 40-point scales. Its words
    and numbers are in ``tr``'s language (the client's; English when not given)."""
    tr = tr or translator(ENGLISH)
    words = page_words(tr)
    scale = chart_scale(administrations, instruments)
    young = scale == CHILD_SCALE
    days, found = series(administrations, instruments, scale)
    plot = SvgPlot(CHART_HEIGHT, len(days), scale / 10)
    parts = plot.start(words["child_chart_title" if young else "chart_title"])
    ticks = (0, 2, 4, 6, 8, 10) if young else (0, 10, 20, 30, 40)
    parts += [plot.grid_line(tick, str(tick)) for tick in ticks]
    if cutoff is not None and "ORS" in found and not young:
        label = words["chart_cutoff"].format(cutoff=tr.score(cutoff))
        value = cutoff / 10
        parts.append(
            plot.line(value, _CUTOFF, "8 4") + plot.right_label(value, label, 11, _CUTOFF, 4)
        )
    if ("SRS" in found or "GSRS" in found) and not young:
        label = words["chart_srs_line"]
        parts.append(plot.line(36, _SRS_LINE, "2 3") + plot.left_label(36, label, _SRS_LINE))
    parts += plot.date_labels(days, tr)
    others = iter(_OTHER_STYLES * len(found))
    legend = []
    for name, points in found.items():
        colour, shape, dash = _STYLES.get(name) or next(others)
        parts += plot.series(points, colour, shape, dash)
        named = series_words(administrations, instruments, name)
        legend.append((_rater_said(named, tr), colour, shape))
    parts += _legend(legend)
    parts.append("</svg>")
    return "\n".join(parts)


def _rater_said(words: str, tr: Translator) -> str:
    """A legend's "ORS (partner)" with the rater's role in the client's language."""
    head, _, rest = words.partition(" (")
    return f"{head} ({rater_name(tr, rest.rstrip(')'))})" if rest else words


def _legend(entries: list[tuple[str, str, str]]) -> list[str]:
    """Each series' marker and name, left to right under the dates."""
    parts, x = [], _LEFT
    for name, colour, shape in entries:
        parts.append(_marker(shape, x + 5, CHART_HEIGHT - 8, colour))
        parts.append(_text(x + 14, CHART_HEIGHT - 4, escape(name), 12))
        x += 28 + 8 * len(name)
    return parts


def symptom_svg(
    ratings: tuple[Administration, ...], instrument: Instrument, tr: Translator | None = None
) -> str:
    """One symptom measure's totals (PHQ-9, GAD-7) on its own scale from 0 to its highest
    total, with a dotted line where each severity band starts."""
    tr = tr or translator(ENGLISH)
    decimals = not instrument.whole_numbers
    plot = SvgPlot(SYMPTOM_HEIGHT, len(ratings), instrument.max_total, _SYMPTOM_BOTTOM)
    title = page_words(tr)["symptom_chart_title"].format(instrument=escape(instrument.key))
    parts = plot.start(title)
    for tenths in (instrument.scale_min * len(instrument.items), instrument.max_total):
        parts.append(plot.grid_line(tenths, tr.score(tenths, decimals)))
    for band in instrument.bands[1:]:
        parts.append(
            plot.line(band.low, _BAND_COLOUR, "2 3")
            + plot.axis_label(band.low, tr.score(band.low, decimals))
            + plot.right_label(band.low, escape(tr.c_(band.label).lower()), 10, _BAND_COLOUR, 3)
        )
    parts += plot.date_labels([a.day for a in ratings], tr)
    totals = [(n, float(a.total)) for n, a in enumerate(ratings, start=1)]
    parts += plot.series(totals, _SYMPTOM_COLOUR, "diamond")
    parts.append("</svg>")
    return "\n".join(parts)
