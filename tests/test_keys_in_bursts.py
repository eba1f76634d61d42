"""Keys arriving in one read of the terminal (a fast typist, key repeat, a laggy SSH link)
act in the order typed, each where the keys before it left the focus (``ui/focus.py``)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input

from conftest import one_write, quick_pin, settle
from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings, load_settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.focus import FILL_SECONDS, HOLD_SECONDS, KeysInOrder, keys_may_go
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.history import HistoryScreen
from fittui.ui.screens.note import NoteArea, NoteScreen
from fittui.ui.screens.pin import SetPinScreen
from fittui.ui.screens.rating import ItemList, RatingScreen
from fittui.ui.screens.remote import WAYS, RemoteScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.score_entry import ScoreEntryScreen

TODAY = date(2026, 11, 23)
ORS = load_instruments()["ORS"]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


async def test_a_code_typed_after_slash_in_one_read_opens_that_clients_history(demo):
    """``/d07⏎``: the letters reach the search, and Enter opens D07, not the client the
    cursor was on (the list's first, D04, whose risk alert would be on screen)."""
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.screen.query_one("#clients").ordered_rows[0].key.value
        one_write(app, "slash", "d", "0", "7", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.code == "D07" != first


async def test_marks_and_moves_in_one_read_mark_each_line_in_turn(demo):
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"d01", "escape")  # an adult: the ORS
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen)
        one_write(app, "5", "down", "6", "down", "7", "down", "3", "up", "up", "9")
        await settle(pilot)
        assert [w.value for w in app.screen.item_widgets] == [50, 90, 70, 30]


@pytest.mark.parametrize("between", ["tab", "enter"])
async def test_a_new_pin_typed_twice_in_one_read_is_set(tmp_path, between):
    """The digits after Tab or Enter go to the second field, not on into the first."""
    db = tmp_path / "fittui.json"
    Store(db).add_client("C1")
    app = make_app(db, settings=Settings())
    app.settings_path = tmp_path / "settings.toml"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, SetPinScreen)
        one_write(app, *"2468", between, *"2468", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen)
    assert load_settings(tmp_path / "settings.toml").pin is not None


async def test_scores_typed_in_one_read_fill_each_field_in_turn(tmp_path):
    db = tmp_path / "fittui.json"
    Store(db).add_client("T1")
    app = make_app(db, settings=Settings(), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RemoteScreen)
        for _ in range(list(WAYS).index("spoken")):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ScoreEntryScreen)
        one_write(app, "9", "tab", "8", "tab", "7", ".", "5", "tab", "6", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen)
    [saved] = Store(db).administrations("T1")
    assert list(saved.items.values()) == [90, 80, 75, 60]


async def test_a_note_saved_with_enter_keeps_the_key_typed_after_it_out(tmp_path):
    """Enter in the last note box saves it and leaves the box: a letter after it is not
    typed into the note (it would be an unsaved change)."""
    db = tmp_path / "fittui.json"
    store = Store(db)
    store.add_client("C1")
    store.record("C1", ORS, ORS.parse_scores(["5"] * 4), "2026-01-05")
    app = make_app(db, settings=Settings(pin=quick_pin()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ResultScreen("C1", store.administrations("C1")))
        await settle(pilot)
        one_write(app, "n", *"calmer", "enter", "x")
        await settle(pilot)
        assert app.screen.query_one(NoteArea).text == "calmer"
    [saved] = Store(db).administrations("C1")
    assert saved.note == "calmer"


@pytest.mark.parametrize("leave", ["down", "escape"])
async def test_a_key_after_leaving_the_search_acts_on_the_list(demo, leave):
    """``/d`` Down ``o``: the search keeps its letter, and o rates the client it found."""
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        one_write(app, "slash", "d", "0", "7", leave, "o")
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen) and app.screen.client_code == (
            "D07" if leave == "down" else app.screen_stack[1].selected_code()
        )


async def test_enter_on_a_line_then_a_digit_marks_the_next_line(demo):
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"d01", "escape", "o")
        await settle(pilot)
        one_write(app, "4", "enter", "8", "enter", "2", "up", "right")
        await settle(pilot)
        assert [w.value for w in app.screen.item_widgets] == [40, 85, 20, None]


class SlowAtEnter(Input):
    """A field whose answer to Enter takes longer than the keys behind it wait."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await asyncio.sleep(HOLD_SECONDS * 3)


class Fields(KeysInOrder):
    def compose(self) -> ComposeResult:
        yield SlowAtEnter(id="first")
        yield Input(id="second")


async def test_keys_behind_an_answer_that_takes_too_long_go_all_the_same():
    """The keys wait for an answer at most ``HOLD_SECONDS`` each: the app never stalls."""
    app = Fields()
    async with app.run_test() as pilot:
        await pilot.pause()
        one_write(app, "a", "enter", "tab", "b")
        await asyncio.sleep(HOLD_SECONDS / 2)
        assert [key.key for key in app._waiting] == ["tab", "b"]  # behind the slow Enter
        await asyncio.sleep(HOLD_SECONDS)
        assert [key.key for key in app._waiting] == ["b"]  # Tab went, then waits its turn
        await asyncio.sleep(HOLD_SECONDS)
        assert app._waiting == []
        await pilot.pause()


class FillsLate(Screen):
    """A screen whose widgets come in after it opens, later than a key's answer may take."""

    takes_keys = False

    def compose(self) -> ComposeResult:
        yield Input(id="late")


class OpensLate(KeysInOrder):
    def key_enter(self) -> None:
        self.push_screen(FillsLate())


async def test_keys_behind_a_screen_still_filling_in_wait_for_it_past_the_usual_hold():
    """A screen that says it is still putting its widgets in (``takes_keys``) keeps the
    keys typed after the one that opened it until it is done, past ``HOLD_SECONDS`` (a
    long history on a busy computer), up to ``FILL_SECONDS``; then they go all the same."""
    app = OpensLate()
    async with app.run_test() as pilot:
        await pilot.pause()
        one_write(app, "enter", "x")
        await asyncio.sleep(HOLD_SECONDS * 3)
        assert [key.key for key in app._waiting] == ["x"]
        app.screen.takes_keys = True
        keys_may_go(app)
        await pilot.pause()
        assert app._waiting == [] and app.screen.query_one("#late", Input).value == "x"
        app.push_screen(FillsLate())  # one that never says it is done
        await pilot.pause()
        one_write(app, "a", "b", "c")
        await asyncio.sleep(FILL_SECONDS + HOLD_SECONDS * 2)
        assert app._waiting == []  # held once, then taken as ready: never for good
        await pilot.pause()
        assert app.screen.query_one("#late", Input).value == "abc"


@pytest.mark.parametrize("keys", [["enter", "escape"], ["down", "enter", "escape", "enter"]])
async def test_a_history_left_as_soon_as_it_opens_goes_without_trouble(demo, keys):
    """Enter and Escape typed together: the history opens and is left before its page is
    in; the page that was on its way is not put in (it raised, and the app showed its
    trouble screen)."""
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        one_write(app, *keys)
        await settle(pilot)
        await asyncio.sleep(0.3)
        await settle(pilot)
        expected = HistoryScreen if keys[-1] == "enter" else ClientsScreen
        assert type(app.screen) is expected


async def test_keys_typed_after_enter_on_the_list_wait_for_the_historys_page(demo):
    """``Enter n`` and a note at once: the keys wait until the history's page is in, so n
    opens the note, and the note's o is a letter, not the history's ORS key (which started
    client mode)."""
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        one_write(app, "enter", "n", *"hello")
        await settle(pilot)
        await asyncio.sleep(0.3)
        await settle(pilot)
        assert not app.client_mode
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(NoteArea).text.endswith(".hello")  # after the saved note


async def test_the_list_has_the_focus_from_its_first_frame(demo, monkeypatch):
    """A key typed as the app opens acts on the list: ``/`` searches, never is typed into
    the search field (which Textual focused first, until the list took the focus)."""
    focused: list[str | None] = []
    set_focus = Screen.set_focus

    def noting(screen: Screen, widget, *args, **kwargs) -> None:
        focused.append(None if widget is None else widget.id)
        set_focus(screen, widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "set_focus", noting)
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#clients")
    assert "search" not in focused


async def test_the_question_left_unanswered_is_in_view_after_keys_held_down_to_done(demo):
    """End, Down held to Done and Enter, in one go: the question still to answer has the
    focus and is on screen (a scroll still gliding towards Done carried it out of view,
    and a typed answer then changed it unseen)."""
    app = make_app(
        demo,
        settings=Settings(pin=quick_pin()),
        today=TODAY,
        rate=("D04", "PHQ-9", ["client"]),
        one_person=True,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        one_write(app, *["down"] * 9, "enter")
        await settle(pilot)
        await asyncio.sleep(0.5)  # longer than any scroll's glide
        await settle(pilot)
        question = app.focused
        assert question is not None and question.id == "item-item2"
        assert app.screen.query_one(ItemList).region.contains_region(question.region)
