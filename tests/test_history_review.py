"""The history as a therapist uses it between sessions: the rating chosen in the table stays
chosen while saves come in from elsewhere, and the corrections and episodes its keys make
say what they did and refuse what they cannot do."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, Static

from conftest import history_filled, screen_text, until
from fittui.domain.display import date_text
from fittui.domain.instruments import load_instruments
from fittui.domain.model import one_per_session
from fittui.storage.journal import StorageError
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.storage.trouble import kept_work
from fittui.ui.app import make_app
from fittui.ui.screens.correct import CorrectScreen, RestoreScreen, SameDayScreen, VoidScreen
from fittui.ui.screens.history import HistoryScreen
from fittui.ui.screens.note import NoteArea, NoteScreen
from fittui.ui.widgets.row_table import RowTable

TODAY = date(2026, 11, 23)
INSTRUMENTS = load_instruments()


def ors(store: Store, code: str, each: int, when: str) -> str:
    instrument = INSTRUMENTS["ORS"]
    return store.record(code, instrument, {i.key: each for i in instrument.items}, when).id


@pytest.fixture
def weekly(tmp_path: Path) -> Path:
    """C1 with an ORS each week of October and November 2026; C2 with none."""
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1")
    store.add_client("C2")
    for n, day in enumerate(("2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26")):
        ors(store, "C1", 40 + 5 * n, day)
    store.close()
    return path


def app_for(path: Path):
    return make_app(path, settings=Settings(), today=TODAY)


def chosen(screen: HistoryScreen) -> str | None:
    return screen.query_one("#sessions", RowTable).cursor_key


async def test_a_rating_saved_elsewhere_leaves_the_cursor_on_the_chosen_rating(weekly):
    """A rating saved by another process comes in above the chosen one: v or e then must
    still act on the rating the therapist chose, not on the one that moved into its row."""
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        screen = await history_filled(pilot)
        assert isinstance(screen, HistoryScreen)
        await pilot.press("tab", "down", "down")
        picked = chosen(screen)
        assert picked == screen.record[-3].id  # newest first: the third row
        ors(Store(weekly), "C1", 70, "2026-11-02")  # fittui record in another shell
        app.look_for_saves()
        await until(pilot, lambda: len(screen.record) == 5 and screen.body_shown)
        await history_filled(pilot)
        await until(pilot, lambda: screen.query_one("#sessions", RowTable).row_count == 5)
        assert chosen(screen) == picked


async def open_note_box(pilot) -> None:
    """C1's history, and the note box of its latest rating."""
    pilot.app.open_history("C1")
    await history_filled(pilot)
    await pilot.press("tab", "n")
    await until(pilot, lambda: isinstance(pilot.app.screen, NoteScreen))


async def test_a_pasted_control_character_in_a_note_is_refused_not_a_crash(weekly):
    """A terminal's bracketed paste hands the note box text as it was copied, escape
    sequences included: saving it says why not and keeps the box open."""
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_note_box(pilot)
        box = app.screen.query_one("#note", NoteArea)
        box.post_message(events.Paste("felt \x1b[31mheard\x1b[0m"))
        await until(pilot, lambda: "heard" in box.text)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        assert "control character" in str(app.screen.query_one("#note-help", Static).render())
        assert all(a.note == "" for a in Store(weekly, read_only=True).administrations("C1"))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_note_changed_in_another_session_is_not_written_over_unseen(weekly, size):
    """Two SSH sessions on one database: the note box was open in both, and the second to
    press Enter wrote over the first one's words without a word. Now it is told what the
    note says now and saves over it only with a second Enter; Escape keeps the other's."""
    app = app_for(weekly)
    async with app.run_test(size=size) as pilot:
        await open_note_box(pilot)
        note_screen = app.screen
        newest = note_screen.administration.id
        Store(weekly).set_note(newest, "Written in the other session")
        note_screen.query_one("#note", NoteArea).text = "Written here"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is note_screen
        said = str(note_screen.query_one("#note-help", Static).render())
        assert "changed elsewhere" in said and "Written in the other session" in said
        assert Store(weekly, read_only=True).administration(newest).note == (
            "Written in the other session"
        )
        await pilot.press("enter")  # knowingly, over it
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert Store(weekly, read_only=True).administration(newest).note == "Written here"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_note_with_line_breaks_is_shown_and_kept_in_the_note_box(weekly, size):
    """A note may span lines (``fittui record --note``, an import): the one-line note box
    drew its second line over the box, out of sight, and a pasted paragraph kept only its
    first line. The box now wraps and shows every line, and Enter keeps them all."""
    newest = Store(weekly).administrations("C1")[-1].id
    Store(weekly).set_note(newest, "Sleeping better\nWork still hard")
    app = app_for(weekly)
    async with app.run_test(size=size) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        table = app.screen.query_one("#sessions", RowTable)
        assert "Sleeping better / Work still hard" in table.get_row_at(0)[5].plain
        await pilot.press("tab", "n")
        await until(pilot, lambda: isinstance(app.screen, NoteScreen))
        box = app.screen.query_one("#note", NoteArea)
        await until(pilot, lambda: "Work still hard" in screen_text(app))
        assert "Work still hard" in screen_text(app)
        assert box.region.bottom <= app.screen.query_one("#note-help").region.y
        app.post_message(
            events.Paste("\nSaid: both matter\nPlan: one small step")
        )  # as a terminal pastes
        await until(pilot, lambda: "small step" in box.text)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
    assert Store(weekly, read_only=True).administration(newest).note == (
        "Sleeping better\nWork still hard\nSaid: both matter\nPlan: one small step"
    )


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_quitting_while_a_note_is_written_keeps_it(weekly, size):
    """Ctrl+Q works in the note box too, and quit with the words typed and not saved: now
    they are kept beside the database (fittui says where on the way out), and the next
    start offers them."""
    app = app_for(weekly)
    async with app.run_test(size=size) as pilot:
        await open_note_box(pilot)
        newest = app.screen.administration.id
        app.screen.query_one("#note", NoteArea).text = "Wants to talk about work"
        await pilot.press("ctrl+q")
        await until(pilot, lambda: app._exit)
    [kept] = kept_work(weekly)
    assert (kept["administration"], kept["note"]) == (newest, "Wants to talk about work")
    assert Store(weekly, read_only=True).administration(newest).note == ""


async def redate_in_the_app(pilot, row: int, when: str) -> None:
    """Tab into the table, go down ``row`` rows, and give that rating the date ``when``."""
    app = pilot.app
    await pilot.press("tab", *["down"] * row, "e")
    await until(pilot, lambda: isinstance(app.screen, CorrectScreen))
    app.screen.query_one("#date", Input).value = when
    app.screen.query_one("#date", Input).focus()
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(app.screen, CorrectScreen))


@pytest.mark.parametrize(
    "row, when, earlier_day, now_day",
    [
        # The newest, redated onto the week before: it replaces the rating of that day.
        (0, "2026-10-19 12:00", "2026-10-19", "2026-10-19 12:00"),
        # The oldest, redated onto the week after: the rating of that day, entered after
        # it, replaces it.
        (3, "2026-10-12 09:00", "2026-10-12 09:00", "2026-10-12"),
    ],
)
async def test_a_rating_redated_onto_a_day_with_another_asks_which_counts(
    weekly, row, when, earlier_day, now_day
):
    """Redating (or moving) a rating onto a day that has one of its instrument by its rater
    changes which one counts, the intake perhaps: the app asks, as after a second rating."""
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        await redate_in_the_app(pilot, row, when)
        await until(pilot, lambda: isinstance(app.screen, SameDayScreen))
        asked = app.screen
        assert isinstance(asked, SameDayScreen)
        assert date_text(asked.earlier.date) == earlier_day
        assert date_text(asked.saved.date) == now_day
        help_text = " ".join(str(w.render()) for w in asked.query(".help"))
        assert "two sessions that day" in help_text  # not "today": the day was another
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        counted = Store(weekly, read_only=True).administrations("C1")
        assert len(one_per_session(counted)) == 4  # both count: two sessions that day


async def test_a_redate_onto_a_day_of_its_own_asks_nothing(weekly):
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        await redate_in_the_app(pilot, 0, "2026-10-27 12:00")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HistoryScreen)


async def test_a_move_that_fails_leaves_the_new_date_unsaved_too(weekly, monkeypatch):
    """The dialog saves the new date and the new client together or not at all: a date
    saved without its move would make Enter, pressed again, refuse ('already has date')."""
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        await pilot.press("tab", "e")
        await until(pilot, lambda: isinstance(app.screen, CorrectScreen))
        dialog = app.screen

        def disk_full(*_args: object) -> None:
            raise StorageError("the disk is full")

        monkeypatch.setattr(app.store, "move", disk_full)
        dialog.query_one("#client", Input).value = "C2"
        dialog.query_one("#date", Input).value = "2026-10-27 12:00"
        dialog.query_one("#date", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "the disk is full" in str(dialog.query_one("#error", Static).render())
        dates = [a.date for a in Store(weekly, read_only=True).administrations("C1")]
        assert dates == ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]


async def test_a_typed_reason_the_store_refuses_is_refused_in_the_dialog(weekly):
    """A reason with a hidden direction mark (pasted from a web page) is refused by the
    store: the void dialog says so and keeps what was typed, rather than closing and
    leaving the rating as it was with the reason lost."""
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        await pilot.press("tab", "v")
        await until(pilot, lambda: isinstance(app.screen, VoidScreen))
        dialog = app.screen
        await pilot.press("tab")
        dialog.query_one("#reason", Input).value = "client said \u202econfused"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert "control character" in str(dialog.query_one("#error", Static).render())
        assert dialog.query_one("#reason", Input).value == "client said \u202econfused"
        dialog.query_one("#reason", Input).value = "client said confused"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        [voided] = [a for a in Store(weekly, read_only=True).all_administrations("C1") if a.voided]
        assert voided.voided is not None and voided.voided.reason == "client said confused"


@pytest.mark.parametrize("typed", [" 2026-10-27 12:00", "2026-10-27  12:00 ", "2026-10-27T12:00"])
async def test_a_date_typed_with_stray_spaces_is_read_as_typed(weekly, typed):
    """A space before the date, or two between the day and the time, is no reason to say
    the date is not a date (the T the dialog puts in its place showed in the error)."""
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        await redate_in_the_app(pilot, 0, typed)
        assert isinstance(app.screen, HistoryScreen)
        dates = [a.date for a in Store(weekly, read_only=True).administrations("C1")]
        assert dates[-1] == "2026-10-27T12:00"


async def test_restoring_a_rating_onto_a_day_rated_again_asks_which_counts(weekly):
    """An ORS voided, then rated again that day: restoring the first makes the two one
    session again, and the app asks, as after a second rating of the day."""
    store = Store(weekly)
    first = store.administrations("C1")[-1]
    store.void(first.id, "test entry")
    again = ors(store, "C1", 60, "2026-10-26T15:00")
    store.close()
    app = app_for(weekly)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        await history_filled(pilot)
        await pilot.press("tab", "down", "v")  # newest first: the voided one is second
        await until(pilot, lambda: isinstance(app.screen, RestoreScreen))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SameDayScreen))
        asked = app.screen
        assert isinstance(asked, SameDayScreen)
        assert (asked.earlier.id, asked.saved.id) == (first.id, again)


async def test_the_chosen_rating_keeps_its_place_on_screen_when_a_save_comes_in(tmp_path):
    """Far down a long table, a rating saved elsewhere comes in at the top: the chosen
    rating stays where the therapist's eyes are, the table scrolled by the row that came
    in (refilled, it scrolled only as far as its rows were measured: out of sight)."""
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1")
    for n in range(100):
        ors(store, "C1", 50 + n % 30, (date(2026, 1, 5) + timedelta(days=3 * n)).isoformat())
    store.close()
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("C1")
        screen = await history_filled(pilot)
        await pilot.press("tab", "pagedown", "pagedown")
        await pilot.pause()
        table = screen.query_one("#sessions", RowTable)
        picked, row, scrolled = table.cursor_key, table.cursor_row, table.scroll_y
        assert scrolled > 0
        ors(Store(path), "C1", 40, "2026-11-22")
        app.look_for_saves()
        await until(pilot, lambda: len(screen.record) == 101 and table.cursor_row == row + 1)
        await until(pilot, lambda: table.scroll_y == scrolled + 1)
        assert (table.cursor_key, table.cursor_row, table.scroll_y) == (
            picked,
            row + 1,
            scrolled + 1,
        )
