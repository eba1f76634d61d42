"""Opening a client's history: the first frame is the heading alone, and the page that
follows puts the same heading at the same place, so that nothing on screen moves."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest

from conftest import history_filled, quick_pin
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.ui.app import make_app
from fittui.ui.screens.history import HistoryScreen, breakpoint_classes
from fittui.ui.widgets.history_plot import HistoryPlot

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (130, 40)])
@pytest.mark.parametrize("code", ["D04", "D06"])  # with a risk alert above it, without
async def test_the_heading_drawn_first_is_where_the_page_then_puts_it(demo, size, code):
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=size) as pilot:
        await app.push_screen(HistoryScreen(code))
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and not screen.body_shown
        alone = screen.query_one("#heading")
        first = (alone.content_region, str(alone.render()))
        assert code in first[1] and "session" in first[1]  # complete in the first frame
        assert screen.query_one("#alert").display == (code == "D04")
        await history_filled(pilot)
        who = screen.query_one("#who")
        assert (who.content_region, str(who.render())) == first
        assert not screen.query("#heading")
        assert app.focused is screen.query_one("#history")  # arrow keys scroll the page


def test_breakpoint_classes_are_the_ones_textual_gives_at_that_size():
    horizontal, vertical = HistoryScreen.HORIZONTAL_BREAKPOINTS, HistoryScreen.VERTICAL_BREAKPOINTS
    assert breakpoint_classes((60, 20), horizontal, vertical) == ["-narrow", "-short"]
    assert breakpoint_classes((119, 24), horizontal, vertical) == ["-narrow", "-tall"]
    assert breakpoint_classes((120, 23), horizontal, vertical) == ["-wide", "-short"]
    assert breakpoint_classes((80, 24), [(100, "-wide")], []) == []


async def test_a_resize_after_opening_still_sets_the_breakpoint_classes(demo):
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D04")
        screen = await history_filled(pilot)
        assert screen.has_class("-narrow", "-tall")
        await pilot.resize_terminal(130, 20)
        await pilot.pause()
        assert screen.has_class("-wide", "-short") and not screen.has_class("-narrow")


async def test_a_closed_history_leaves_no_chart_in_memory(demo):
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(4):
            app.open_history("D04")
            await history_filled(pilot)
            await pilot.press("escape")
            await pilot.pause()
        gc.collect()
        # The last one may still be held for a moment by what Textual keeps of the screen
        # it left; none before it.
        assert sum(isinstance(o, HistoryPlot) for o in gc.get_objects()) <= 1


def keys_in_one_read(app, *keys: tuple[str, str | None]) -> None:
    """Keys as the terminal driver hands over the keys of one read: each posted at once,
    none waiting for the one before it to be handled (``tmux send-keys Down Enter``)."""
    from textual import events

    for key, character in keys:
        app.post_message(events.Key(key, character))


@pytest.mark.parametrize("where", ["list", "search"])
async def test_keys_in_one_read_open_the_client_the_cursor_came_to(demo, where):
    """Down then Enter in one read opens the second client, never the first: Enter waits
    its turn behind the keys before it (from the search field too, after a typed code)."""
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#clients")
        first, second = (row.key.value for row in table.ordered_rows[:2])
        if where == "list":
            keys_in_one_read(app, ("down", None), ("enter", "\r"))
        else:
            await pilot.press("slash")
            keys_in_one_read(app, *((c, c) for c in second.lower()), ("enter", "\r"))
        screen = await history_filled(pilot)
        assert screen.code == second != first
