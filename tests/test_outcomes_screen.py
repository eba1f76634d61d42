"""The outcomes screen, pushed directly onto the app: periods by key, Escape back, snapshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Static

from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.ui.app import make_app
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.outcomes import OutcomesScreen, preset_period

TODAY = date(2026, 11, 20)
SIZES = [(80, 24), (60, 20)]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


def text_of(screen: OutcomesScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_keys_change_the_period_and_escape_goes_back(demo):
    app = make_app(demo, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(OutcomesScreen(TODAY))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OutcomesScreen)
        assert "All time" in text_of(screen, "#period")
        assert "Clients seen" in text_of(screen, "#figures")
        assert "11" in text_of(screen, "#figures").splitlines()[0]
        await pilot.press("p")
        assert "Last year (2025-01-01 to 2025-12-31)" in text_of(screen, "#period")
        assert text_of(screen, "#figures").splitlines()[0].split()[-1] == "0"
        assert "No client has a rating in this period." in text_of(screen, "#remarks")
        await pilot.press("y")
        assert "This year (2026-01-01 to 2026-11-20)" in text_of(screen, "#period")
        await pilot.press("l")
        assert "(2025-11-21 to 2026-11-20)" in text_of(screen, "#period")
        await pilot.press("a")
        assert "All time" in text_of(screen, "#period")
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_a_save_elsewhere_shows_up(demo):
    app = make_app(demo, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(OutcomesScreen(TODAY))
        await pilot.pause()
        app.store.add_client("N1")
        app.store.record(
            "N1",
            app.instruments["ORS"],
            {"individually": 50, "interpersonally": 50, "socially": 50, "overall": 50},
        )
        app.look_for_saves()
        await pilot.pause()
        assert text_of(app.screen, "#figures").splitlines()[0].split()[-1] == "12"


def words(text: str) -> list[list[str]]:
    """The ORS and SRS figures word by word (the label column widens with the PHQ-9's)."""
    return [line.split() for line in text.splitlines() if not line.startswith(("PHQ", "GAD"))]


async def test_phq9_and_gad7_leave_the_figures_as_they_were(demo):
    app = make_app(demo, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(OutcomesScreen(TODAY))
        await pilot.pause()
        screen = app.screen
        before = words(text_of(screen, "#figures")), text_of(screen, "#remarks")
        # A severe PHQ-9 (item 9 answered) and a GAD-7 beside every ORS of every client.
        for a in app.store.administrations():
            if a.instrument == "ORS":
                for key in ("PHQ-9", "GAD-7"):
                    instrument = app.instruments[key]
                    items = {i.key: instrument.scale_max for i in instrument.items}
                    app.store.record(a.client, instrument, items, a.date)
        app.look_for_saves()
        await pilot.pause()
        figures = text_of(screen, "#figures").splitlines()
        assert (words("\n".join(figures)), text_of(screen, "#remarks")) == before
        assert ["Clients", "seen", "11"] in before[0]
        assert "PHQ-9 reliably improved       0  0% of 8 rated twice" in figures


async def test_read_only_database(demo):
    app = make_app(demo, read_only=True, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(OutcomesScreen(TODAY))
        await pilot.pause()
        assert "Clients seen" in text_of(app.screen, "#figures")


def test_presets_on_a_leap_day():
    assert preset_period("last12", date(2028, 2, 29)).start == date(2027, 3, 1)
    assert preset_period("year", date(2028, 2, 29)).start == date(2028, 1, 1)
    assert preset_period("all", date(2028, 2, 29)).start is None


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_all_time(snap_compare, demo, size):
    async def show(pilot):
        await pilot.app.push_screen(OutcomesScreen(TODAY))
        await pilot.pause()

    assert snap_compare(make_app(demo, settings=Settings()), run_before=show, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_last_year_is_empty(snap_compare, demo, size):
    async def show(pilot):
        await pilot.app.push_screen(OutcomesScreen(TODAY))
        await pilot.press("p")

    assert snap_compare(make_app(demo, settings=Settings()), run_before=show, terminal_size=size)
