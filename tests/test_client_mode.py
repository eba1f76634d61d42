"""Client mode end to end with Pilot: exactly one save per rating screen whatever keys come
after Done, the therapist key and PIN, toasts kept from the client, `fittui rate` exiting."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from textual.widgets import DataTable

from conftest import THERAPIST_PIN, one_write, quick_pin, screen_text, settle
from fittui.storage.settings import Settings, load_settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.pin import PinScreen, SetPinScreen
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.thanks import ThankYouScreen

THERAPIST = Settings(pin=quick_pin())
MARKS = ["5", "down", "5", "down", "5", "down", "5"]  # every line marked, on the last one


@pytest.fixture
def store(db: Path) -> Store:
    store = Store(db)
    store.add_client("C1", label="Secret label")
    store.add_client("K1", label="Another secret")
    return store


async def therapist(pilot, pin: str = THERAPIST_PIN) -> None:
    await pilot.press("f2", *pin, "enter")
    await pilot.pause()


@pytest.mark.parametrize("enters", [2, 10])
async def test_enters_in_one_write_save_once_from_the_client_list(db, store, enters):
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o", *MARKS)
        one_write(app, *["enter"] * enters)
        await settle(pilot)
        assert isinstance(app.screen, ThankYouScreen) and app.client_mode
        assert len(Store(db).administrations()) == 1
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen) and len(app.screen_stack) == 2
        assert app.screen.query_one(DataTable).row_count == 2  # not blank, not dead
        await pilot.press("s")
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == "SRS"
    assert len(Store(db).administrations()) == 1


@pytest.mark.parametrize("enters", [2, 10])
async def test_enters_in_one_write_for_a_couple_save_each_rater_once(db, store, enters):
    app = make_app(db, settings=THERAPIST, rate=("C1", "SRS", ["client", "partner"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*MARKS)
        one_write(app, *["enter"] * enters)
        await settle(pilot)
        # The extra Enters do not hand the laptop on: the partner presses Enter to begin.
        assert isinstance(app.screen, ThankYouScreen) and app.screen.next_rater == "partner"
        await pilot.press("enter")
        assert isinstance(app.screen, RatingScreen) and app.screen.rater == "partner"
        await pilot.press(*MARKS)
        one_write(app, *["enter"] * enters)
        await settle(pilot)
        assert isinstance(app.screen, ThankYouScreen) and app.screen.next_rater is None
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
    assert [a.rater for a in Store(db).administrations()] == ["client", "partner"]


@pytest.mark.parametrize("enters", [2, 10])
async def test_enters_in_one_write_in_fittui_rate_save_once_then_it_exits(db, store, enters):
    app = make_app(db, settings=Settings(), rate=("C1", "ORS", ["client"]), one_person=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert [type(s) for s in app.screen_stack][1:] == [
            type(app.screen_stack[1]),
            RatingScreen,
        ]
        await pilot.press(*MARKS)
        one_write(app, *["enter"] * enters)
        await settle(pilot)
        assert isinstance(app.screen, ThankYouScreen) and app.is_running
        assert "Press Enter to close" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.is_running
    assert app.return_code == 0
    assert len(Store(db).administrations()) == 1


async def test_fittui_rate_never_shows_the_client_list_and_unlocks_nothing(db, store):
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]), one_person=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", *THERAPIST_PIN, "enter", "ctrl+t", "escape", "ctrl+q")
        assert isinstance(app.screen, RatingScreen)
        assert not app.query(ClientsScreen) and not any(
            isinstance(s, ClientsScreen) for s in app.screen_stack
        )
        await pilot.press(*MARKS, "enter", "f2", *THERAPIST_PIN, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ThankYouScreen) or not app.is_running
        assert not any(isinstance(s, ClientsScreen | ResultScreen) for s in app.screen_stack)
        assert "C1" not in screen_text(app) and "secret" not in screen_text(app).lower()


async def test_the_pin_prompt_shows_no_client_and_three_wrong_pins_go_back(db, store):
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "down", "3")
        await pilot.press("f2")
        assert isinstance(app.screen, PinScreen)
        screen = screen_text(app)
        assert "C1" not in screen and "secret" not in screen.lower() and "ORS" not in screen
        for wrong in ("1111", "0000"):
            await pilot.press(*wrong, "enter")
            assert isinstance(app.screen, PinScreen)
        await pilot.press(*"12345678", "enter")
        assert isinstance(app.screen, RatingScreen) and app.client_mode
        assert [w.value for w in app.screen.item_widgets][:2] == [70, 30]  # marks kept
        await pilot.press("f2", "escape")
        assert isinstance(app.screen, RatingScreen)
        await pilot.press("ctrl+t", "ctrl+t", "escape")  # the old key does nothing
        assert isinstance(app.screen, RatingScreen) and app.client_mode
        await therapist(pilot)
        assert isinstance(app.screen, ClientsScreen) and not app.client_mode
    assert Store(db).administrations() == []


async def test_wrong_pins_beyond_three_make_the_next_try_wait_longer_each_time(db, store):
    """A client could try every four-digit PIN in minutes: beyond three wrong PINs (in any
    number of prompts) each one closes the field for longer, F2 again does not reopen it,
    a PIN typed meanwhile is not tried, and the right PIN starts the count again."""

    def said(app) -> str:
        return str(app.screen.query_one("#pin-message").render())

    clock = [1000.0]
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]))
    app.pin_tries.clock = lambda: clock[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", *"1111", "enter", *"2222", "enter")
        await pilot.press("escape", "f2", *"3333", "enter")
        assert isinstance(app.screen, PinScreen) and "Not the PIN" in said(app)
        await pilot.press(*"4444", "enter")  # the fourth: the next try waits 30 s
        field = app.screen.query_one("#pin")
        assert field.disabled and "the next try in 30 s" in said(app)
        await pilot.press(*THERAPIST_PIN, "enter")  # not tried: the field is closed
        await pilot.press("escape", "f2")
        assert isinstance(app.screen, PinScreen) and app.client_mode
        field = app.screen.query_one("#pin")
        assert field.disabled and "the next try in 30 s" in said(app)
        clock[0] += 25
        app.screen.show_wait()
        assert "the next try in 5 s" in said(app)
        clock[0] += 5
        app.screen.show_wait()
        await pilot.pause()
        assert not field.disabled and "next try" not in said(app)
        await pilot.press(*"5555", "enter")  # the fifth: twice as long
        assert "the next try in 60 s" in said(app)
        clock[0] += 60
        app.screen.show_wait()
        await pilot.press(*THERAPIST_PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen) and not app.client_mode
        assert app.pin_tries.wait_left() == 0 and app.pin_tries.wrong == 0


async def test_enter_on_an_empty_pin_field_is_no_wrong_pin(db, store):
    """A client who hits F2 by chance (a laptop's brightness key with Fn lock on) and
    presses Enter to get rid of the prompt spent the therapist's free tries: an empty field
    counted as a wrong PIN, and the therapist's first typo then locked the prompt for 30
    s. An empty Enter tries nothing, and what cannot be a PIN (fewer than 4 digits) is
    not counted toward the wait, since no guess of that kind can ever be right."""
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "enter", "enter", "enter", "enter")
        assert isinstance(app.screen, PinScreen) and app.pin_tries.wrong == 0
        await pilot.press("escape", "f2", *"12", "enter", "escape")
        assert isinstance(app.screen, RatingScreen) and app.pin_tries.wrong == 0
        await pilot.press("f2", *"1111", "enter")  # the therapist's typo: free
        await pilot.press(*THERAPIST_PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen) and not app.client_mode


async def test_the_list_resized_during_client_mode_is_drawn_whole_after_it(tmp_path):
    """The terminal resized while the PIN prompt was up: the list, drawn at once as it came
    back and before its table measured the new rows, showed 17.5 as "17." and "deteri"
    under a header out of line with its rows, until the next resize."""
    from datetime import date

    from fittui.storage.demo import make_demo_database

    db = make_demo_database(tmp_path / "demo", date(2026, 11, 20))
    app = make_app(db, settings=THERAPIST, today=date(2026, 11, 20))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o", "f2")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await therapist(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        table = app.screen.query_one(DataTable)
        header, first = ("".join(s.text for s in table.render_line(y)) for y in range(2))
        status, ors = (str(cell) for cell in table.get_row_at(0)[1:3])
        assert f" {status} " in first and f" {ors} " in first
        assert first.index(ors) == header.index("ORS")


async def test_toasts_are_cleared_and_held_back_during_client_mode(db, store):
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.notify("Saved K1.")
        await pilot.pause()
        assert "K1." in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert "K1." not in screen_text(app)
        app.notify("K1 busy")
        await pilot.pause()
        assert "K1" not in screen_text(app)
        await therapist(pilot)
        await pilot.pause()
        assert "K1 busy" in screen_text(app)


async def test_client_mode_is_followed_through_a_reactive(db, store):
    app = make_app(db, settings=THERAPIST)
    seen: list[bool] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "client_mode", lambda on: seen.append(on), init=False)
        await pilot.press("o")
        await therapist(pilot)
    assert seen == [True, False]


async def test_first_use_of_client_mode_sets_the_pin(db, store, tmp_path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FITTUI_CONFIG", str(config))
    config.mkdir()
    settings_file = config / "settings.toml"
    settings_file.write_text('theme = "textual-dark"  # mine\n[rating]\nshow_numbers = false\n')
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, SetPinScreen) and not app.client_mode
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen) and not app.client_mode
        await pilot.press("o", *"12", "enter", *"12", "enter")
        assert isinstance(app.screen, SetPinScreen)
        assert "4 to 8 digits" in str(app.screen.query_one("#pin-message").render())
        for field in app.screen.query("Input"):
            field.value = ""
        app.screen.query_one("#new-pin").focus()
        await pilot.press(*"4321", "enter", *"4312", "enter")
        assert "differ" in str(app.screen.query_one("#pin-message").render())
        await pilot.press(*"4321", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen) and app.client_mode
        await therapist(pilot, "4321")
        assert isinstance(app.screen, ClientsScreen)
    text = settings_file.read_text()
    assert text.startswith('theme = "textual-dark"  # mine\n[rating]\nshow_numbers = false\n')
    # Not the PIN itself (its salt and hash are hex, where any four digits may turn up).
    assert "4321" not in re.sub(r'"[0-9a-f]{32,}"', "", text) and 'kdf = "scrypt"' in text
    assert stat.S_IMODE(os.stat(settings_file).st_mode) == 0o600
    assert load_settings(settings_file).pin.matches("4321")
