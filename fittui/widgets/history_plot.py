"""The inline history chart: totals, or one family's items, drawn with plotext.

A thin PlotextPlot subclass: ``chart.py`` does the drawing (the same code prints the chart
for ``fittui history``), this widget only holds what to draw and redraws itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from fittui.chart import Legend, draw_history, draw_items, draw_symptoms
from fittui.instruments import Instrument
from fittui.model import Administration
from fittui.scoring import Summary

# The views every chart has, with their titles; a symptom measure the client has rated
# (PHQ-9, GAD-7) adds a view named by its key.
VIEWS = {
    "totals": "ORS and SRS totals",
    "ors": "ORS items",
    "srs": "SRS items",
}


def view_title(view: str) -> str:
    return VIEWS.get(view, f"{view} totals and severity bands")


class HistoryPlot(PlotextPlot):
    """One client's history; ``show`` sets what to draw and returns the legend.

    A drawing is kept until the data, the size or the theme changes: building a plot of a
    long history is the slowest part of opening the screen, and layout asks for it more
    than once.
    """

    DEFAULT_CSS = """
    HistoryPlot {
        height: 14;
    }
    """

    _drawn: tuple[tuple, RenderResult] | None = None
    _version = 0

    def render(self) -> RenderResult:
        key = (self._version, self.size, self.app.theme)
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, super().render())
        return self._drawn[1]

    def show(
        self,
        administrations: list[Administration],
        instruments: dict[str, Instrument],
        summary: Summary,
        view: str = "totals",
        etr: Sequence[tuple[int, int, int]] = (),
    ) -> list[Legend]:
        """Draw ``view`` ("totals", "ors", "srs" or a symptom measure's key) and return the
        legend for it; the totals carry the expected path ``etr`` (``etr.client_path``)
        when there is one."""
        plt = self.plt
        plt.title(view_title(view))
        if view not in VIEWS:
            legend = draw_symptoms(plt, administrations, instruments[view])
        elif view == "totals":
            legend = draw_history(
                plt,
                administrations,
                instruments,
                summary.cutoff,
                intake=summary.intake.total if summary.intake else None,
                reliable=summary.reliable,
                etr=etr,
            )
        else:
            legend = draw_items(plt, administrations, instruments, view)
        self._version += 1
        self.refresh()
        return legend
