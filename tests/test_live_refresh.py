"""Saves made elsewhere reach the open screens through the app's one poll, and the client
list redraws only the rows of the clients a save changed."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable

from conftest import history_filled, quick_pin, until
from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.history import HistoryScreen

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


def app_for(path: Path):
    return make_app(path, settings=Settings(pin=quick_pin()), today=TODAY)


def ors(store: Store, code: str, value: int, when: str = "2026-11-20T10:00") -> None:
    instrument = load_instruments()["ORS"]
    store.record(code, instrument, {i.key: value for i in instrument.items}, when)


def latest_ors(screen: ClientsScreen, code: str) -> str:
    return str(screen.query_one(DataTable).get_row(code)[2])


async def test_a_save_by_another_store_redraws_only_that_clients_row(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        built = screen.rows_built
        app.look_for_saves()  # nothing saved: nothing drawn
        await pilot.pause()
        assert screen.rows_built == built
        ors(Store(demo), "D05", 33)  # another copy of fittui on the same file
        app.look_for_saves()
        await pilot.pause()
        assert latest_ors(screen, "D05") == "13.2"
        assert screen.rows_built == built + 1
        assert screen.query_one(DataTable).row_count == len(screen.rows)
        # A cell wider than its column ("today" under "Seen") takes room from the label:
        # then every row is drawn again, to keep the list within the screen's width.
        ors(Store(demo), "D05", 34, "2026-11-23T10:00")
        app.look_for_saves()
        await pilot.pause()
        assert screen.rows_built >= built + 1 + len(screen.rows)


async def test_a_client_added_or_archived_elsewhere_joins_or_leaves_the_list(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        other = Store(demo)
        other.add_client("N1", label="new")
        other.update_client("D03", archived=True)
        app.look_for_saves()
        await pilot.pause()
        table = screen.query_one(DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert "N1" in keys and "D03" not in keys
        assert keys == [o.client.code for o in screen.rows]


async def test_a_save_by_another_process_reaches_an_open_history(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_history("D06")
        screen = await history_filled(pilot)
        assert isinstance(screen, HistoryScreen)
        before = screen.query_one("#sessions", DataTable).row_count
        record = ["-m", "fittui", "--db", str(demo), "record", "D06", "ORS", "1", "2", "3", "4"]
        subprocess.run([sys.executable, *record], check=True, capture_output=True)
        app.look_for_saves()
        await until(pilot, lambda: screen.query_one("#sessions", DataTable).row_count > before)
        assert screen.query_one("#sessions", DataTable).row_count == before + 1
        assert [a.total for a in screen.administrations][-1] == 100
        # A save for another client leaves this history as it was: nothing read again.
        shown = screen.administrations
        ors(Store(demo), "D01", 40)
        app.look_for_saves()
        await pilot.pause()
        assert screen.administrations is shown
        await pilot.press("escape")
        await pilot.pause()
        list_screen = app.screen
        assert isinstance(list_screen, ClientsScreen)
        assert latest_ors(list_screen, "D06") == "10.0"


async def test_the_outcome_summary_redraws_from_the_same_poll(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        figures = str(app.screen.query_one("#figures").render())
        other = Store(demo)
        other.add_client("N1")
        ors(other, "N1", 50)
        assert str(app.screen.query_one("#figures").render()) == figures  # not polled yet
        app.look_for_saves()
        await pilot.pause()
        assert str(app.screen.query_one("#figures").render()) != figures


def test_the_rows_of_the_changed_clients_are_those_of_the_whole_list(demo):
    app = app_for(demo)
    ors(Store(demo), "D05", 20)
    Store(demo).link("D02", "D09")
    whole = Store(demo).client_rows(app.rules, TODAY)
    assert app.store.rows_of({"D05", "D02", "D09", "nobody"}, app.rules, TODAY) == {
        code: whole[code] for code in ("D02", "D05", "D09")
    }


async def test_a_poll_after_the_last_screen_is_gone_does_nothing(demo):
    """The poll's timer can tick while the app closes, after its screens are gone: a save
    found then has no screen to tell, and must not raise."""
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ClientsScreen))
    other = Store(demo)
    ors(other, "D01", 9)
    other.close()
    assert not app.screen_stack
    app.look_for_saves()


async def test_upkeep_that_failed_beside_the_app_is_said_once_and_never_to_a_client(
    demo, monkeypatch
):
    """A failed daily backup or fold has no standard error to be printed on in the app: the
    app's poll says it, its text shown as text, and keeps it while a client holds it (the
    poll still waits for a finished fold then, so none is left a zombie)."""
    app = app_for(demo)
    troubles: list[str] = []  # filled once in client mode: the app's own poll may run first
    monkeypatch.setattr(app.store, "take_troubles", lambda: [troubles.pop()] if troubles else [])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.client_mode = True
        troubles.append("could not write the daily backup /b/[x].json: \x1b]0;hi\x07 disk full")
        app.look_for_saves()
        await pilot.pause()
        assert not troubles and not list(app._notifications)  # taken, kept from the client
        app.client_mode = False
        app.look_for_saves()
        await pilot.pause()
        [said] = list(app._notifications)
        shown = "could not write the daily backup /b/[x].json: \\x1b]0;hi\\x07 disk full"
        assert said.message == shown
        assert said.title == "Database upkeep failed; every saved rating is safe"
        assert said.severity == "error" and not said.markup
