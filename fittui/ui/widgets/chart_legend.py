"""The history chart's legend, under the chart: each entry whole on its line.

Left to the terminal's word wrapping, a narrow screen split an entry between its marker and
its words ("O ORS  S" then "SRS"), and the "S" read as belonging to the line above. The
entries are packed into lines of the widget's own width instead, again on every resize.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from fittui.formats.chart import Legend, legend_rows

# plotext colour names that Rich spells differently.
RICH_COLORS = {"gray": "bright_black", "orange": "dark_orange"}
GAP = 2  # spaces between two entries on a line


def legend_cell(legend: list[Legend], width: int) -> Text:
    """The legend in lines of at most ``width`` columns, each marker bold in its series'
    colour."""
    text = Text()
    for row in legend_rows(legend, width, GAP):
        if text:
            text.append("\n")
        for n, entry in enumerate(row):
            if n:
                text.append(" " * GAP)
            color = RICH_COLORS.get(entry.color, entry.color) if entry.color else None
            text.append(entry.marker, Style(color=color, bold=True))
            text.append(f" {entry.words}")
    return text


class ChartLegend(Static):
    """The legend of the chart above it, or a line saying there is nothing to draw."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._legend: list[Legend] = []
        self._empty = ""

    def show(self, legend: list[Legend], empty: str) -> None:
        """The entries to show; ``empty`` is said when there are none."""
        self._legend, self._empty = legend, empty
        self._pack()

    def on_resize(self) -> None:
        self._pack()

    def _pack(self) -> None:
        if not self._legend:
            self.update(Text(self._empty))
            return
        # Before its first layout the widget has no width yet: one line, packed on resize.
        width = self.content_size.width or sum(len(e.words) + 4 for e in self._legend)
        self.update(legend_cell(self._legend, width))
