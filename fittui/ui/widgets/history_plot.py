"""The inline history chart: totals, or one family's items, drawn with plotext.

A thin PlotextPlot subclass: ``chart.py`` does the drawing (the same code prints the chart
for ``fittui history``), this widget only holds what to draw and redraws itself. The
drawing depends on the widget's height: ``chart.py`` keeps each point off the wrong side
of a line for the number of rows there are, so a new height means a new drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from fittui.domain.instruments import Instrument
from fittui.domain.language import N_, _
from fittui.domain.model import Administration
from fittui.domain.scoring import Summary
from fittui.formats.chart import (
    CHILD_SCALE,
    Legend,
    canvas_rows,
    chart_scale,
    draw_history,
    draw_items,
    draw_symptoms,
)

# The views every chart has, with their titles; a symptom measure the client has rated
# (PHQ-9, GAD-7) adds a view named by its key.
VIEWS = {
    "totals": N_("ORS and SRS totals"),
    "ors": N_("ORS items"),
    "srs": N_("SRS items"),
}

CHILD_TITLE = N_("Young child's faces, 0 to 10")


def view_title(view: str) -> str:
    """A view's title, in the therapist's language."""
    if view in VIEWS:
        return _(VIEWS[view])
    return _("{key} totals and severity bands").format(key=view)


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
    _draw: Callable[[int | None], list[Legend]] | None = None
    _rows: int | None = None  # the canvas rows the current drawing was made for

    def on_unmount(self) -> None:
        # PlotextPlot follows the theme through the app's signal, whose callback holds the
        # widget: without this, every chart ever shown (its plot, the ratings it drew)
        # would stay in memory until the theme next changes.
        self.app.theme_changed_signal.unsubscribe(self)

    def render(self) -> RenderResult:
        key = (self._version, self.size, self.app.theme)
        if self._drawn is None or self._drawn[0] != key:
            if self._draw is not None and self._rows != self._canvas_rows():
                self._redraw()
            self._drawn = (key, super().render())
        return self._drawn[1]

    def _canvas_rows(self) -> int | None:
        return canvas_rows(self.size.height) if self.size.height else None

    def _redraw(self) -> list[Legend]:
        assert self._draw is not None
        self._rows = self._canvas_rows()
        # plotext settles the colours as it draws: in the theme the chart is shown in, or
        # the first drawing would keep plotext's own (its value labels on white).
        self.plt.theme(self._get_plotext_theme_name(self.app.theme))
        return self._draw(self._rows)

    def show(
        self,
        administrations: list[Administration],
        instruments: dict[str, Instrument],
        summary: Summary,
        view: str = "totals",
        etr: Sequence[tuple[int, int, int]] = (),
        earlier: Sequence[Sequence[Administration]] = (),
    ) -> list[Legend]:
        """Draw ``view`` ("totals", "ors", "srs" or a symptom measure's key) and return the
        legend for it; the totals carry the expected path ``etr`` (``etr.client_path``)
        when there is one, and the ratings of the ``earlier`` episodes, greyed, each
        after a line where it starts."""
        plt = self.plt
        young = view == "totals" and chart_scale(administrations, instruments) == CHILD_SCALE
        plt.title(_(CHILD_TITLE) if young else view_title(view))

        def draw(rows: int | None) -> list[Legend]:
            if view not in VIEWS:
                return draw_symptoms(plt, administrations, instruments[view], rows=rows)
            if view == "totals":
                return draw_history(
                    plt,
                    administrations,
                    instruments,
                    summary.cutoff,
                    intake=summary.progress.intake.total if summary.progress else None,
                    reliable=summary.reliable,
                    etr=etr,
                    rows=rows,
                    earlier=earlier,
                )
            return draw_items(plt, administrations, instruments, view, rows=rows)

        self._draw = draw
        legend = self._redraw()
        self._version += 1
        self.refresh()
        return legend
