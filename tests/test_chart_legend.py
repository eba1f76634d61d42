"""The chart's legend keeps each entry whole: in the app at any width (an "S" on one line
and "SRS" on the next read as two entries), and printed by ``fittui history`` within 80
columns."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import history_filled
from fittui.formats.chart import Legend, legend_rows, legend_text
from fittui.storage.settings import Settings
from fittui.ui.app import make_app
from fittui.ui.widgets.chart_legend import ChartLegend

ENTRIES = {
    "·· intake ±5",
    "╌╌ cut-off 32",
    "┄┄ SRS 36",
    "-- expected",
    "__ lower edge",
    "O CORS",
    "S CSRS",
    "p CORS (parent)",
    "a SRS (parent)",
}


def build(cli) -> None:
    """K1, a child whose parent rates too: nine entries in the legend."""
    cli("add-client", "K1", "--age-group", "child")
    for day, cors, parent in (("2026-10-01", "7", "5"), ("2026-10-15", "8.2", "4")):
        cli("record", "K1", "CORS", *[cors] * 4, "--date", day)
        cli("record", "K1", "CSRS", *["9"] * 4, "--date", day)
        cli("record", "K1", "CORS", *[parent] * 4, "--rater", "parent", "--date", day)
        cli("record", "K1", "SRS", *["9"] * 4, "--rater", "parent", "--date", day)


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)])
async def test_the_legend_in_the_app_keeps_each_entry_whole(cli, db, size):
    build(cli)
    app = make_app(db, settings=Settings(), today=date(2026, 12, 1))
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        screen = await history_filled(pilot)
        await pilot.pause()
        legend = screen.query_one(ChartLegend)
        lines = str(legend.render()).splitlines()
        assert len(lines) > 1 or size[0] == 120
        for line in lines:
            assert len(line) <= legend.content_size.width
            assert set(line.split("  ")) <= ENTRIES, lines
        assert {entry for line in lines for entry in line.split("  ")} == ENTRIES


def test_the_printed_legend_is_within_80_columns(cli, db):
    build(cli)
    out = cli("history", "K1").out.splitlines()
    legend = out[out.index(next(line for line in out if line.startswith("·· intake"))) :]
    assert len(legend) > 1 and all(len(line) <= 80 for line in legend)
    entries = [entry for line in legend for entry in line.split("   ")]
    assert sorted(entries) == sorted(ENTRIES)


def test_an_entry_wider_than_the_line_has_a_line_of_its_own():
    long = Legend("x", "w" * 90, None)
    short = Legend("O", "ORS", None)
    assert legend_rows([short, long, short], 80, 3) == [[short], [long], [short]]
    assert legend_text([short, short], 80) == "O ORS   O ORS"
