"""The rating flow in client mode, driven with Pilot as a client and a therapist would."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from filelock import FileLock
from textual import events
from textual.keys import _character_to_key

from conftest import THERAPIST_PIN, quick_pin, screen_text
from fittui.storage.journal import SaveFailed
from fittui.storage.settings import Settings
from fittui.storage.store import Store, UnknownClient
from fittui.ui.app import make_app
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.pin import PinScreen
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.start import StartRatingScreen
from fittui.ui.screens.thanks import ThankYouScreen
from fittui.ui.widgets.answer import Answer
from fittui.ui.widgets.choice import Choice
from fittui.ui.widgets.slider import Slider

ACCEPTANCE_KEYS = ["right", "right", "down", "7", "down", "end", "down", "home", "enter"]


@pytest.fixture
def store(db: Path) -> Store:
    store = Store(db)
    store.add_client("C1", label="Secret label")
    store.add_client("K1", "child", label="Another secret")
    return store


THERAPIST = Settings(pin=quick_pin())


def app_for(db: Path, rate=("C1", "ORS", ["client"]), **kw):
    return make_app(db, settings=THERAPIST, rate=rate, **kw)


async def therapist(pilot, pin: str = THERAPIST_PIN) -> None:
    """The therapist key, then the PIN."""
    await pilot.press("f2", *pin, "enter")
    await pilot.pause()


async def test_acceptance_keys_save_the_ors(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS)
        await pilot.pause()
        assert isinstance(app.screen, ThankYouScreen) and app.client_mode
    [saved] = Store(db).administrations("C1")
    assert saved.items == {"individually": 55, "interpersonally": 70, "socially": 100, "overall": 0}
    assert saved.rater == "client"


async def test_moving_between_items(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        sliders = app.screen.item_widgets
        assert app.focused is sliders[0]
        await pilot.press("down")
        assert app.focused is sliders[1]
        await pilot.press("up")
        assert app.focused is sliders[0]
        await pilot.press("tab", "tab")
        assert app.focused is sliders[2]
        await pilot.press("shift+tab")
        assert app.focused is sliders[1]
        await pilot.press("5", "enter")  # Enter moves to the next item
        assert app.focused is sliders[2]


async def test_unmarked_item_is_named_and_nothing_saved(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "down", "5", "down", "down", "5", "enter")
        assert isinstance(app.screen, RatingScreen)
        assert "Socially" in str(app.screen.query_one("#message").render())
        assert app.focused is app.screen.item_widgets[2]
    assert Store(db).administrations() == []


async def test_done_button_submits(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        for slider in app.screen.item_widgets:
            slider.value = 80
        await pilot.click("#done")
        await pilot.pause()
        assert isinstance(app.screen, ThankYouScreen)
    assert Store(db).administrations()[0].total == 320


def fail_saves(app, monkeypatch, error: Exception) -> None:
    """Every rating the app saves from now on fails with ``error`` (monkeypatch.undo()
    lets them through again)."""

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(app.store, "record", failing)


@pytest.mark.parametrize(
    "failure",
    [
        lambda db: SaveFailed(f"could not save to {db}: No space left on device"),
        lambda db: UnknownClient("C1"),  # another process restored a database without C1
    ],
    ids=["disk-full", "client-gone"],
)
async def test_failed_save_keeps_the_marks_calmly_and_tells_the_therapist_later(
    db, store, monkeypatch, failure
):
    app = app_for(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        error = failure(db)
        fail_saves(app, monkeypatch, error)
        await pilot.press(*ACCEPTANCE_KEYS)
        assert isinstance(app.screen, RatingScreen)
        message = str(app.screen.query_one("#message").render())
        assert "could not be saved" in message and "Done to try again" in message
        screen = screen_text(app)
        assert str(db.parent) not in screen and "C1" not in screen  # no detail, no toast
        assert [s.value for s in app.screen.item_widgets] == [55, 70, 100, 0]
        assert app.focused is app.screen.query_one("#done")
        monkeypatch.undo()
        await pilot.press("enter")  # Done has the focus: try again
        await pilot.pause()
        assert isinstance(app.screen, ThankYouScreen)
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        await pilot.pause()
        # Saved at the second try: not "not saved" beside the result's "saved ✓", but
        # what the first try met (a disk nearly full is worth knowing).
        assert [n.message for n in app._notifications] == [
            f"A rating was saved when tried again; the first try failed: {error}"
        ]
    assert len(Store(db).administrations()) == 1


async def test_answers_a_failed_save_left_are_kept_when_the_therapist_comes(db, store, monkeypatch):
    """The client is told "your answers could not be saved just now... tell your
    therapist"; the therapist came, gave the PIN, and the answers were gone ("nothing was
    saved"). Now they are kept, and offered to save at once."""
    from fittui.storage.trouble import kept_work
    from fittui.ui.screens.trouble import KeptWorkScreen

    app = app_for(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        fail_saves(app, monkeypatch, SaveFailed(f"could not save to {db}: No space left on device"))
        await pilot.press(*ACCEPTANCE_KEYS)
        assert "could not be saved" in str(app.screen.query_one("#message").render())
        await therapist(pilot)
        await pilot.pause()
        assert isinstance(app.screen, KeptWorkScreen) and not app.client_mode
        [kept] = kept_work(db)
        assert kept["items"] == {
            "individually": 55,
            "interpersonally": 70,
            "socially": 100,
            "overall": 0,
        }
        monkeypatch.undo()  # the disk has room again
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, KeptWorkScreen)
    [saved] = Store(db).administrations("C1")
    assert saved.total == 225 and kept_work(db) == []


async def test_a_rating_left_unfinished_by_the_therapist_is_not_kept(db, store):
    from fittui.storage.trouble import kept_work

    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS[:-1])  # every line marked, not yet done
        await therapist(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
    assert kept_work(db) == [] and Store(db).administrations() == []


async def test_a_rating_never_saved_is_told_as_not_saved(db, store, monkeypatch):
    app = app_for(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        error = SaveFailed(f"could not save to {db}: No space left on device")
        fail_saves(app, monkeypatch, error)
        await pilot.press(*ACCEPTANCE_KEYS)
        await pilot.press("enter")  # tried twice, failed twice
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen)
        await therapist(pilot)
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert said.count(f"A rating was not saved: {error}") == 2, said
        assert not any("saved when tried again" in m for m in said)
    assert Store(db).administrations() == []


async def test_a_save_that_waits_for_the_lock_says_saving(db, store):
    app = app_for(db)
    busy = FileLock(str(db) + ".lock")
    async with app.run_test(size=(80, 24)) as pilot:
        busy.acquire()  # another fittui is saving
        try:
            await pilot.press(*ACCEPTANCE_KEYS)
            assert isinstance(app.screen, RatingScreen)
            assert str(app.screen.query_one("#message").render()) == "Saving your answers…"
            await pilot.press("enter", "enter", "f2")  # nothing acts while it saves
            assert isinstance(app.screen, RatingScreen)
        finally:
            busy.release()
        for _ in range(100):
            if isinstance(app.screen, ThankYouScreen):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, ThankYouScreen)
    assert len(Store(db).administrations()) == 1


async def test_quit_keys_stay_in_client_mode_and_therapist_key_leaves(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "ctrl+q", "ctrl+c", "escape", "ctrl+p", "ctrl+z", "q")
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen) and app.client_mode and app.is_running
        await therapist(pilot, "1111")
        assert isinstance(app.screen, PinScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, RatingScreen)
        await therapist(pilot)
        assert isinstance(app.screen, ClientsScreen) and not app.client_mode
    assert Store(db).administrations() == []


async def test_thank_you_then_result_with_note(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS)
        await pilot.press("enter", "escape", "ctrl+q")
        assert isinstance(app.screen, ThankYouScreen)
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen) and not app.client_mode
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "22.5" in text and "ORS below the clinical cut-off" in text
        assert "Lowest ORS item" in text and "Overall" in text
        await pilot.press("n", *"felt stuck", "enter")
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)
    assert Store(db).administrations()[0].note == "felt stuck"


async def test_a_pasted_note_with_a_control_character_is_refused_in_words(db, store):
    """A note pasted into the result screen with an escape character in it (text copied
    from a terminal) took the therapist to "Something went wrong in fittui", and the note
    was kept to be offered at every start, where it failed again. Now the box says why
    it is not saved, and the note can be typed again."""
    app = app_for(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS)
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        await pilot.press("n")
        app.post_message(events.Paste("felt \x1b[31m[red]stuck"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen) and not app._trouble_shown
        said = [n.message for n in app._notifications]
        assert any("Note not saved" in m and "control character" in m for m in said), said
        app.focused.clear()
        await pilot.press(*"felt stuck", "enter")
        await pilot.pause()
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)
    assert Store(db).administrations()[0].note == "felt stuck"
    assert not (db.parent / (db.name + ".unsaved")).exists()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_pasted_control_character_in_a_result_note_is_refused_not_an_error(db, store, size):
    """Text pasted into a note box after the session may hold an escape sequence (copied
    from a coloured terminal): Enter there showed the "unexpected error" screen and left
    the result. Now the note is refused in words, the box keeps the text to fix."""
    app = app_for(db)
    async with app.run_test(size=size) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS)
        await pilot.press("enter")
        await therapist(pilot)
        result = app.screen
        assert isinstance(result, ResultScreen)
        await pilot.press("n")
        app.post_message(events.Paste("felt \x1b[31mheard\x1b[0m"))  # as a terminal pastes
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is result
        assert any("control character" in n.message for n in app._notifications)
    assert Store(db).administrations()[0].note == ""


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_pasted_paragraph_in_a_result_note_keeps_every_line(db, store, size):
    """The note box after the session kept only the first line of a paste (the client's
    words copied from elsewhere, two paragraphs): the rest was gone without a word. Every
    line is kept now, and the box grows to show them."""
    app = app_for(db)
    async with app.run_test(size=size) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS)
        await pilot.press("enter")
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        await pilot.press("n")
        app.post_message(events.Paste("Felt rushed.\nWants more time for work."))
        await pilot.pause()
        assert "more time for work" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert Store(db).administrations()[0].note == "Felt rushed.\nWants more time for work."


async def test_client_list_o_and_s_pick_the_age_groups_instruments(db, store):
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        assert app.screen.instrument.key == "ORS"
        await therapist(pilot)
        await pilot.press("down", "s")  # K1 is a child
        assert app.screen.instrument.key == "CSRS"
        await therapist(pilot)


async def test_couple_rates_in_turn_and_split_alliance_shows(db, store):
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        assert isinstance(app.screen, StartRatingScreen)
        app.screen.query_one("#instrument").value = "SRS"
        app.screen.query_one("#raters").value = "client, partner"
        await pilot.press("tab", "enter")
        await pilot.press("9", "down", "9", "down", "9", "down", "9", "enter")
        assert isinstance(app.screen, ThankYouScreen) and "partner" in str(
            app.screen.query_one("#thanks").render()
        )
        await pilot.press("enter")
        assert isinstance(app.screen, RatingScreen) and app.screen.rater == "partner"
        await pilot.press("7", "down", "7", "down", "8", "down", "8", "enter")
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        look = str(app.screen.query_one("#look").render())
        assert "Split alliance" in look
    raters = [a.rater for a in Store(db).administrations("C1")]
    assert raters == ["client", "partner"]


async def test_gsrs_can_be_chosen(db, store):
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        app.screen.query_one("#instrument").value = "GSRS"
        await pilot.press("tab", "enter")
        assert app.screen.instrument.key == "GSRS"


async def test_numbers_hidden_by_default_and_shown_by_setting(db, store):
    app = make_app(db, settings=Settings(show_numbers=True), rate=("C1", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)):
        assert all(s.show_numbers for s in app.screen.query(Slider))
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not any(s.show_numbers for s in app.screen.query(Slider))
        await therapist(pilot)
        await pilot.press("n", "o")
        assert all(s.show_numbers for s in app.screen.query(Slider))


async def test_read_only_refuses_to_start_a_rating(db, store):
    app = make_app(db, read_only=True, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, ClientsScreen)


# PHQ-9 items 1 to 8 (they add up to 7), leaving the focus on item 9.
PHQ9_KEYS = ["1", "down", "2", "down", "1", "down", "right", "right", "down"] + [
    "1",
    "down",
    "0",
    "down",
    "1",
    "down",
    "0",
    "down",
]


async def test_phq9_is_answered_with_the_choice_widget(db, store):
    app = app_for(db, rate=("C1", "PHQ-9", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        widgets = app.screen.item_widgets
        assert len(widgets) == 9 and all(isinstance(w, Choice) for w in widgets)
        assert "Over the last 2 weeks" in str(app.screen.query_one("#frame").render())
        assert "0–3" in str(app.screen.query_one("#help").render())
        await pilot.press(*PHQ9_KEYS, "3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ThankYouScreen)
    [saved] = Store(db).administrations("C1")
    assert saved.instrument == "PHQ-9" and saved.total == 100
    assert [saved.items[f"item{n}"] for n in range(1, 10)] == [10, 20, 10, 10, 10, 0, 10, 0, 30]


async def test_an_unanswered_question_is_named_and_nothing_saved(db, store):
    app = app_for(db, rate=("C1", "GAD-7", ["client"]))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("1", "enter", "1", "enter", "enter", "1", *["enter"] * 3, "tab")
        assert app.focused is app.screen.query_one("#done")
        await pilot.press("enter")
        assert isinstance(app.screen, RatingScreen)
        assert "question 3" in str(app.screen.query_one("#message").render())
        assert app.focused is app.screen.item_widgets[2]
        await pilot.press("2")
        assert str(app.screen.query_one("#message").render()) == ""
    assert Store(db).administrations() == []


async def test_answers_in_a_column_take_up_and_down_and_enter_moves_on(db, store):
    app = app_for(db, rate=("C1", "GAD-7", ["client"]))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        first, second = app.screen.item_widgets[:2]
        assert first.in_column
        assert "↑ ↓ 0–3 Home End choose   Enter next question" in str(
            app.screen.query_one("#help").render()
        )
        await pilot.press("down")  # the first answer, as in any list going down
        assert first.value == 0 and app.focused is first
        await pilot.press("down", "down", "up")
        assert first.value == 10
        await pilot.press("enter")
        assert app.focused is second and first.value == 10
    app = app_for(db, rate=("C1", "GAD-7", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        first, second = app.screen.item_widgets[:2]
        assert not first.in_column
        await pilot.press("down")  # in a row, Down is the next question
        assert app.focused is second and first.value is None


async def test_an_answer_changed_out_of_view_is_brought_into_view(db, store):
    """The client scrolls the questions with the mouse wheel or the touchpad (the focus
    stays on the first question, now out of view) and presses a digit for a question they
    see: the first question's answer changed unseen, and nothing on screen moved. Now the
    question whose answer changed comes into view, so the client sees what the key did
    and can put it right."""
    from fittui.ui.screens.rating import ItemList

    app = app_for(db, rate=("C1", "PHQ-9", ["client"]))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        first = screen.item_widgets[0]
        await pilot.press("2")
        assert first.value == 20 and app.focused is first
        items = screen.query_one(ItemList)
        items.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert not items.scrollable_content_region.overlaps(first.region)  # out of view
        await pilot.press("0")
        await pilot.pause()
        assert first.value == 0
        assert items.scrollable_content_region.contains_region(first.region), "not in view"


async def test_a_second_enter_at_a_human_pace_does_not_skip_the_hand_on(db, store, monkeypatch):
    """The first of a couple pressed Enter twice to finish, the second Enter a moment
    after the first (not in the same read of the terminal): it reached the hand-on screen
    and began the partner's rating, and the first rater, still at the keyboard, saw the
    scale again. The hand-on screen now takes no key for a moment after it appears."""
    monkeypatch.setattr(ThankYouScreen, "HAND_ON_PAUSE", 1.0)
    app = app_for(db, rate=("C1", "SRS", ["client", "partner"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("9", "down", "9", "down", "9", "down", "9", "enter")
        await pilot.pause()
        hand_on = app.screen
        assert isinstance(hand_on, ThankYouScreen) and hand_on.next_rater == "partner"
        await pilot.press("enter")  # typed after it appeared, within the pause
        await pilot.pause()
        assert app.screen is hand_on
        hand_on.shown_at -= 1.0  # a second later: the partner has the laptop
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen) and app.screen.rater == "partner"
    assert [a.rater for a in Store(db).administrations()] == ["client"]


@pytest.mark.parametrize("before", [(100, 40), (80, 24)], ids=["100x40", "80x24"])
async def test_the_question_in_focus_stays_in_view_when_the_terminal_shrinks(db, store, before):
    """On the seventh PHQ-9 question the terminal shrank to 60x20 (a window made smaller,
    a phone turned over SSH): the answers went into columns, the list kept its scroll,
    and the question in focus, the one the keys answer, was left out of view."""
    from fittui.ui.screens.rating import ItemList

    app = app_for(db, rate=("C1", "PHQ-9", ["client"]))
    async with app.run_test(size=before) as pilot:
        await pilot.press(*(["1", "enter"] * 6))
        await pilot.pause()
        seventh = app.screen.item_widgets[6]
        items = app.screen.query_one(ItemList)
        assert app.focused is seventh
        assert items.scrollable_content_region.contains_region(seventh.region)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        assert app.focused is seventh
        assert items.scrollable_content_region.contains_region(seventh.region), "out of view"


async def test_no_invisible_focus_stop(db, store):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        items, done = app.screen.item_widgets, app.screen.query_one("#done")
        await pilot.press("up")  # the first line stays the first line
        assert app.focused is items[0]
        await pilot.press(*["down"] * 6)  # Done is the last stop
        assert app.focused is done
        await pilot.press("tab")  # and Tab after Done comes back to the first line
        assert app.focused is items[0]
        await pilot.press("shift+tab")
        assert app.focused is done
        assert "0–9" in str(app.screen.query_one("#help").render())
        assert "Home End" in str(app.screen.query_one("#help").render())


async def test_item9_alert_comes_first_on_the_hand_back_screen(db, store):
    app = app_for(db, rate=("C1", "PHQ-9", ["client"]))
    async with app.run_test(size=(60, 20)) as pilot:  # answers in a column: Enter moves on
        await pilot.press(*["enter" if k == "down" else k for k in PHQ9_KEYS], "1", "enter")
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        alert = app.screen.query_one("#alert")
        text = str(alert.render())
        assert "⚠ PHQ-9 item 9 (thoughts of death or self-harm) was answered “Several days”" in text
        assert "Ask about these thoughts today, before the client leaves" in text
        assert alert.region.y == 1 and alert.region.height >= 4  # right under the header
        assert app.screen.query_one("#result").region.y > alert.region.bottom - 1
        rating = str(app.screen.query_one(".administration").render())
        assert "Total" in rating and "8 / 27" in rating and "Severity: Mild (5–9)" in rating
        assert "item9" not in str(app.screen.query_one("#look").render())  # no repeat


async def test_no_alert_when_item9_is_not_at_all(db, store):
    app = app_for(db, rate=("C1", "PHQ-9", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*PHQ9_KEYS, "0", "enter")
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen) and not app.screen.query("#alert")


async def test_result_shows_the_band_and_change_since_last_time(db, store, instruments):
    Store(db).record(
        "C1", instruments["PHQ-9"], {f"item{n}": 20 for n in range(1, 10)}, "2026-01-01"
    )
    app = app_for(db, rate=("C1", "PHQ-9", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*PHQ9_KEYS, "0", "enter")
        await therapist(pilot)
        rating = str(app.screen.query_one(".administration").render())
        assert "Severity: Mild (5–9)\n  Last time 18 (moderately severe), -11" in rating


async def test_a_session_runs_the_clients_instruments_in_order(db, store):
    Store(db).update_client("C1", instruments=("GAD-7", "PHQ-9", "ORS"))
    app = make_app(db, settings=THERAPIST, session="C1")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.screen.instrument.key == "GAD-7" and app.client_mode
        await pilot.press(*["1", "down"] * 6, "1", "enter")
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == "PHQ-9"
        await pilot.press(*PHQ9_KEYS, "0", "enter")
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == "ORS"
        await pilot.press(*ACCEPTANCE_KEYS)
        await pilot.pause()
        assert isinstance(app.screen, ThankYouScreen)
        assert "hand the laptop back" in str(app.screen.query_one("#thanks").render())
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        shown = [str(w.render()).split()[0] for w in app.screen.query(".administration")]
        assert shown == ["GAD-7", "PHQ-9", "ORS"]
    saved = Store(db).administrations("C1")
    assert [a.instrument for a in saved] == ["GAD-7", "PHQ-9", "ORS"]


async def test_a_session_left_midway_keeps_what_was_saved(db, store):
    Store(db).update_client("C1", instruments=("PHQ-9", "ORS"))
    app = make_app(db, settings=THERAPIST, session="C1")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*PHQ9_KEYS, "0", "enter", "5")
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen) and not app.client_mode
        assert len(app.screen.query(".administration")) == 1
    assert [a.instrument for a in Store(db).administrations()] == ["PHQ-9"]


@pytest.mark.parametrize(("code", "expected"), [("C1", "ORS"), ("K1", "CORS")])
async def test_a_session_without_instruments_is_the_age_groups_ors(db, store, code, expected):
    app = make_app(db, settings=THERAPIST, session=code)
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == expected


async def test_a_session_naming_an_unknown_instrument_says_so(db, store):
    Store(db).update_client("C1", instruments=("BDI",))
    app = make_app(db, settings=THERAPIST, session="C1")
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, ClientsScreen) and not app.client_mode


CLIENT_KEYS = [
    "up",
    "down",
    "left",
    "right",
    "shift+left",
    "shift+right",
    "home",
    "end",
    "enter",
    "tab",
    "shift+tab",
    "escape",
    "ctrl+q",
    "ctrl+c",
    "ctrl+p",
    "ctrl+z",
    "ctrl+d",
    "ctrl+w",
    "ctrl+s",
    "ctrl+l",
    "ctrl+backslash",
    "f1",
    "f10",
    "space",
    "backspace",
    "delete",
    "pageup",
    "pagedown",
    "q",
    "o",
    "s",
    "m",
    "n",
    "x",
    "?",
    "/",
    ":",
] + [str(d) for d in range(10)]


def send_key(app, key: str) -> None:
    """Deliver a key the way Pilot does, without waiting for the app to go idle."""
    char = key if len(key) == 1 else None
    name = _character_to_key(key) if char and not key.isalnum() else key
    event = events.Key(name, char)
    event.set_sender(app)
    app._driver.send_message(event)


FUZZ_PIN = "73915062"  # eight digits: random keys cannot hit it by chance
FUZZ_KEYS = CLIENT_KEYS + ["f2", "ctrl+t"] + [str(d) for d in range(10)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "start",
    [
        {"rate": ("C1", "SRS", ["client", "partner"])},
        {"session": "C1"},  # PHQ-9 then GAD-7: the choice widget
    ],
    ids=["srs-couple", "phq9-gad7-session"],
)
async def test_fuzz_client_mode_never_escapes_or_shows_a_client(db, store, start):
    """20,000 random keys over the two flows (the therapist key and digits among them) and
    clicks: client mode is never left without the PIN, and no code, label or other client
    is ever drawn."""
    rng = random.Random(20261123)
    store.update_client("C1", instruments=("PHQ-9", "GAD-7"))
    app = make_app(db, settings=Settings(pin=quick_pin(FUZZ_PIN)), **start)
    changes: list[bool] = []
    pin_prompts = 0
    async with app.run_test(size=(80, 24)) as pilot:
        app.watch(app, "client_mode", lambda on: changes.append(on), init=False)
        assert app.client_mode
        for _ in range(10_000 // 250):
            for _ in range(250):
                send_key(app, rng.choice(FUZZ_KEYS))
                await asyncio.sleep(0)
            await pilot.pause()
            await pilot.click(offset=(rng.randrange(80), rng.randrange(24)))
            pin_prompts += isinstance(app.screen, PinScreen)
            assert app.client_mode and app.is_running and changes == []
            assert isinstance(app.screen, RatingScreen | ThankYouScreen | PinScreen)
            screen = screen_text(app)
            assert "C1" not in screen and "K1" not in screen and "secret" not in screen.lower()
        assert pin_prompts  # the therapist key was met, and the PIN held
        answered = [w for w in app.screen.query(Answer) if w.value is not None]
        assert answered or Store(db).administrations()


def test_settings_file(tmp_path):
    from fittui.domain.model import InputError
    from fittui.storage.settings import load_settings

    path = tmp_path / "settings.toml"
    assert load_settings(path) == Settings()
    path.write_text('theme = "ansi-dark"\n[rating]\nshow_numbers = true\n')
    assert load_settings(path) == Settings(show_numbers=True, theme="ansi-dark")
    path.write_text('[rating]\nshow_numbers = "yes"\n')
    with pytest.raises(InputError, match="true or false"):
        load_settings(path)
    path.write_text("[rating\n")
    with pytest.raises(InputError, match="cannot be read"):
        load_settings(path)


async def test_a_saved_rating_is_no_unsaved_work(db, store, monkeypatch):
    """A rating saved, its screen not yet gone (the thanks coming up), counted as unsaved
    work: a hang-up at that moment kept it, and the next start offered to save it again."""
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        rating = app.screen
        assert isinstance(rating, RatingScreen)
        await pilot.press(*ACCEPTANCE_KEYS[:-1])
        assert rating.unsaved_work() is not None  # every line marked, not saved
        at_dismiss = []
        dismiss = rating.dismiss

        def dismissing(result=None):
            done = dismiss(result)
            at_dismiss.append(rating.unsaved_work())  # saved, the screen still up
            return done

        monkeypatch.setattr(rating, "dismiss", dismissing)
        await pilot.press(ACCEPTANCE_KEYS[-1])
        await pilot.pause()
        assert isinstance(app.screen, ThankYouScreen) and at_dismiss == [None]
    assert len(Store(db).administrations("C1")) == 1


async def test_a_result_note_changed_elsewhere_is_not_written_over_unseen(db, store):
    """The note boxes after the session wrote over a note another window had saved since
    (a second SSH session); as the history's box, they now say what it reads, and Enter
    again saves over it."""
    app = app_for(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press(*ACCEPTANCE_KEYS)
        await therapist(pilot)
        assert isinstance(app.screen, ResultScreen)
        [saved] = Store(db).administrations("C1")
        Store(db).set_note(saved.id, "Written in the other session")
        await pilot.press("n", *"Written here", "enter")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("changed elsewhere" in m and "other session" in m for m in said), said
        assert Store(db).administrations("C1")[0].note == "Written in the other session"
        await pilot.press("enter")
        await pilot.pause()
    assert Store(db).administrations("C1")[0].note == "Written here"
