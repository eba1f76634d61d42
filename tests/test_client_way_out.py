"""Client mode and `fittui rate` never leave anyone on a screen with no way out: a save that
ends under the too-small notice, a save that fails at the client's own keyboard, an
unexpected error, and instrument wording that looks like markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock

from conftest import THERAPIST_PIN, quick_pin, screen_text, settle, until
from fittui.domain.model import InputError
from fittui.storage.journal import SaveFailed
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.storage.trouble import kept_work
from fittui.ui.app import make_app
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.thanks import ThankYouScreen
from fittui.ui.screens.too_small import TooSmallScreen

THERAPIST = Settings(pin=quick_pin())
MARKS = ["5", "down", "6", "down", "7", "down", "8"]  # every line marked, on the last one


pytestmark = pytest.mark.usefixtures("private_log")  # conftest: the log in tmp_path


@pytest.fixture
def store(db: Path) -> Store:
    store = Store(db)
    store.add_client("C1", label="Secret label")
    return store


@pytest.mark.parametrize("one_person", [False, True], ids=["client-mode", "fittui-rate"])
async def test_a_save_that_ends_under_the_too_small_notice_thanks_once_it_is_big_again(
    db, store, one_person
):
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]), one_person=one_person)
    busy = FileLock(str(db) + ".lock")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*MARKS)
        busy.acquire()  # another fittui is saving
        try:
            await pilot.press("enter")
            assert "Saving your answers…" in screen_text(app)
            await pilot.resize_terminal(40, 12)
            await settle(pilot)
            assert isinstance(app.screen, TooSmallScreen)
        finally:
            busy.release()
        await until(pilot, lambda: len(Store(db).administrations()) == 1)
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)  # nothing drawn under the notice
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: isinstance(app.screen, ThankYouScreen))
        assert isinstance(app.screen, ThankYouScreen)
        if one_person:
            await pilot.press("enter")
            await settle(pilot)
            assert not app.is_running and app.return_code == 0
        else:
            await pilot.press("f2", *THERAPIST_PIN, "enter")
            await settle(pilot)
            assert isinstance(app.screen, ResultScreen) and not app.client_mode
    assert len(Store(db).administrations()) == 1


def rate_alone(db: Path):
    """`fittui rate C1 ORS`: one person at their own keyboard, no PIN."""
    return make_app(db, settings=Settings(), rate=("C1", "ORS", ["client"]), one_person=True)


def failing_saves(app, monkeypatch, db: Path) -> None:
    def failing(*args, **kwargs):
        raise SaveFailed(f"could not save to {db}: Operation not permitted")

    monkeypatch.setattr(app.store, "record", failing)


@pytest.mark.parametrize("key", ["escape", "ctrl+q"])
async def test_a_failed_save_in_fittui_rate_keeps_the_marks_logs_it_and_escape_closes(
    db, store, monkeypatch, private_log, key
):
    app = rate_alone(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape", "ctrl+q")  # nothing failed yet: the scale stays
        assert isinstance(app.screen, RatingScreen) and app.is_running
        failing_saves(app, monkeypatch, db)
        await pilot.press(*MARKS, "enter")
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen)
        words = screen_text(app)
        assert "could not be saved" in words and "Escape to close" in words
        assert "saved." not in words.replace("could not be saved.", "")
        assert str(db.parent) not in words and "C1" not in words
        [kept] = kept_work(db)
        assert kept["kind"] == "rating" and kept["client"] == "C1"
        assert kept["items"] == {
            "individually": 50,
            "interpersonally": 60,
            "socially": 70,
            "overall": 80,
        }
        assert "Operation not permitted" in private_log.read_text()
        await pilot.press("enter")  # Done again: fails again, kept once
        await settle(pilot)
        assert len(kept_work(db)) == 1
        await pilot.press(key)
        await settle(pilot)
        assert not app.is_running
    assert app.return_code == 1
    assert len(kept_work(db)) == 1 and Store(db).administrations() == []


async def test_a_failed_save_in_fittui_rate_tried_again_is_saved_once_and_not_kept(
    db, store, monkeypatch
):
    app = rate_alone(db)
    async with app.run_test(size=(80, 24)) as pilot:
        failing_saves(app, monkeypatch, db)
        await pilot.press(*MARKS, "enter")
        await settle(pilot)
        assert len(kept_work(db)) == 1
        monkeypatch.undo()
        await pilot.press("enter")  # Done has the focus
        await settle(pilot)
        assert isinstance(app.screen, ThankYouScreen)
        assert kept_work(db) == []  # saved: nothing left for the therapist to save twice
        await pilot.press("enter")
        await settle(pilot)
    assert app.return_code == 0
    assert len(Store(db).administrations()) == 1


def restore_without_c1(db: Path, tmp_path: Path) -> None:
    """Another shell restores a backup that lacks the client (and ratings) on screen."""
    from datetime import datetime

    from fittui.storage.backup import backup_database, restore_database

    other = tmp_path / "other" / "fittui.json"
    Store(other).add_client("C2")
    copy = backup_database(other, datetime(2026, 1, 1, 12), tmp_path / "copies")
    restore_database(db, copy, datetime(2026, 1, 1, 12))


async def test_after_an_error_on_the_result_screen_the_trouble_screen_leads_back(
    db, store, tmp_path, private_log
):
    from fittui.ui.screens.clients import ClientsScreen
    from fittui.ui.screens.trouble import KeptWorkScreen, TroubleScreen

    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]))
    seen: list[str] = []  # checked after the run: Pilot re-raises the app's error over any
    with pytest.raises(InputError):  # Pilot re-raises what the app caught; no one sees it
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*MARKS, "enter")
            await pilot.press("f2", *THERAPIST_PIN, "enter")
            await until(pilot, lambda: isinstance(app.screen, ResultScreen))
            restore_without_c1(db, tmp_path)
            await pilot.press("n", *"stuck", "enter")
            await until(pilot, lambda: isinstance(app.screen, TroubleScreen))
            seen.append(str(app.screen.query_one("Static").render()))
            # (Keys by hand from here: Pilot's press would wait on the screen that stopped.)
            app.screen.action_back()
            await until_by_clock(lambda: isinstance(app.screen, KeptWorkScreen))
            seen.append(type(app.screen).__name__)  # the kept note, offered straight back
            app.screen.action_later()
            await until_by_clock(lambda: isinstance(app.screen, ClientsScreen))
            seen.append(type(app.screen).__name__)
            seen.append(str(app.is_running))
    words, *screens = seen
    assert screens == ["KeptWorkScreen", "ClientsScreen", "True"]
    assert "no administration" in words  # a known trouble, said in words
    [kept] = kept_work(db)
    assert kept["note"] == "stuck"


async def until_by_clock(condition, seconds: float = 10.0) -> None:
    """``until`` for after a screen has stopped: Pilot's pause would wait on that screen."""
    import asyncio
    import time

    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def calm_words(app) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("Static"))


@pytest.mark.parametrize("marked", [True, False], ids=["all-marked", "half-marked"])
async def test_an_unexpected_error_in_fittui_rate_says_only_what_is_true_and_escape_closes(
    db, store, monkeypatch, private_log, marked
):
    from fittui.ui.screens.trouble import CalmScreen

    def unexpected(*args, **kwargs):
        raise RuntimeError("an error no one foresaw")

    app = rate_alone(db)
    seen: list[str] = []  # checked after the run: Pilot re-raises the app's error over any
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            if marked:
                monkeypatch.setattr(app.store, "record", unexpected)
                await pilot.press(*MARKS, "enter")
            else:
                await pilot.press("5", "down", "6")
                monkeypatch.setattr(RatingScreen, "action_step", unexpected)
                await pilot.press("down")
            await until(pilot, lambda: isinstance(app.screen, CalmScreen))
            seen.append(type(app.screen).__name__)
            seen.append(calm_words(app))
            app.screen.action_nothing()  # Escape (by hand: the rating screen has stopped)
            await until_by_clock(lambda: not app.is_running)
            seen.append(str(app.is_running))
    name, words, running = seen
    assert name == "CalmScreen" and running == "False"
    assert app.return_code == 1
    assert "therapist" not in words.replace("kept for your therapist", "")  # no hand-back
    assert "Press Escape to close" in words and "C1" not in words
    if marked:
        assert "not saved, but they are kept for your therapist" in words
        assert len(kept_work(db)) == 1
    else:
        assert "not saved" in words and "kept" not in words
        assert kept_work(db) == []
    assert "RuntimeError" in private_log.read_text()


async def test_an_unexpected_error_in_client_mode_says_kept_only_when_kept(db, store, monkeypatch):
    from fittui.ui.screens.trouble import CalmScreen

    def unexpected(*args, **kwargs):
        raise RuntimeError("an error no one foresaw")

    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]))
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("5")
            monkeypatch.setattr(RatingScreen, "action_step", unexpected)
            await pilot.press("down")
            await until(pilot, lambda: isinstance(app.screen, CalmScreen))
            seen.append(calm_words(app))
            app.screen.action_nothing()  # Escape stays in client mode
            await until_by_clock(lambda: False, 0.2)
            seen.append(f"{type(app.screen).__name__} {app.is_running}")
    words, after = seen
    assert "hand it back to your therapist" in words and "kept" not in words
    assert after == "CalmScreen True"
    assert kept_work(db) == []


def bracketed(instruments: dict) -> dict:
    """The ORS and PHQ-9 as a user's instrument file could word them: square brackets,
    which Textual would read as markup, in every place the wording is shown."""
    ors = instruments["ORS"]
    items = list(ors.items)
    items[2] = items[2].replace(label="Socially [/paid]", description="At [b]work[/b] [/]")
    ors = ors.replace(
        name="Outcome Rating Scale [/]", frame="How [bold]have[/bold] you been [/]?", items=items
    )
    phq = instruments["PHQ-9"]
    questions = list(phq.items)
    questions[0] = questions[0].replace(description="Little [i]interest[/i] [/]")
    options = ("Not [i]at[/i] all [/]", *phq.options[1:])
    phq = phq.replace(items=questions, options=options)
    return {**instruments, "ORS": ors, "PHQ-9": phq, "PHQ-9 [/]": phq.replace(key="PHQ-9 [/]")}


BRACKETS_SHOWN = ["Outcome Rating Scale [/]", "How [bold]have[/bold] you been [/]?"]


async def test_brackets_on_the_rating_screen_are_shown_as_written(db, store, instruments):
    app = make_app(
        db,
        settings=Settings(),
        instruments=bracketed(instruments),
        rate=("C1", "ORS", ["client"]),
        one_person=True,
    )
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen)
        words = screen_text(app)
        for text in [*BRACKETS_SHOWN, "Socially [/paid]", "At [b]work[/b] [/]"]:
            assert text in words
        await pilot.press("5", "down", "6", "down", "down", "8", "enter")
        await settle(pilot)
        assert "the line for “Socially [/paid]”." in screen_text(app)
        assert isinstance(app.screen, RatingScreen) and app.is_running


async def test_brackets_in_a_questionnaires_questions_and_answers_are_shown(db, store, instruments):
    app = make_app(
        db,
        settings=Settings(),
        instruments=bracketed(instruments),
        rate=("C1", "PHQ-9", ["client"]),
        one_person=True,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen) and app.screen.available
        words = screen_text(app)
        assert "Little [i]interest[/i] [/]" in words and "Not [i]at[/i] all [/]" in words


async def test_brackets_in_a_questionnaire_not_in_the_clients_language_are_shown(db, instruments):
    Store(db).add_client("C1", language="de")
    app = make_app(
        db,
        settings=THERAPIST,
        instruments=bracketed(instruments),
        rate=("C1", "PHQ-9 [/]", ["client"]),
    )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen) and not app.screen.available
        assert "PHQ-9 [/]" in screen_text(app)
        await pilot.press("enter")  # Continue
        await settle(pilot)
        await pilot.press("f2", *THERAPIST_PIN, "enter")  # the toast waits for the therapist
        await settle(pilot)
        assert not app.client_mode and app.is_running
        assert "C1: PHQ-9 [/] not rated" in screen_text(app)


async def test_brackets_over_a_shared_screen_are_shown_as_written(db, store, instruments):
    from fittui.ui.screens.share import ShareScreen

    settings = Settings(pin=quick_pin(), mode="screen_share")
    app = make_app(
        db, settings=settings, instruments=bracketed(instruments), rate=("C1", "ORS", ["client"])
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ShareScreen))
        words = screen_text(app)
        assert "Outcome Rating Scale [/] · 1 of 4" in words
        assert BRACKETS_SHOWN[1] in words
        for _ in range(4):
            await pilot.press("5", "enter")
        assert "Outcome Rating Scale [/]" in screen_text(app)  # the finished page's title


async def test_brackets_in_scores_said_aloud_are_shown_as_written(db, store, instruments):
    from fittui.ui.screens.score_entry import ScoreEntryScreen

    settings = Settings(pin=quick_pin(), mode="spoken")
    app = make_app(
        db, settings=settings, instruments=bracketed(instruments), rate=("C1", "ORS", ["client"])
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ScoreEntryScreen))
        assert "3. Socially [/paid]" in screen_text(app)
        await pilot.press("5", "tab", "6", "tab", "tab", "8", "enter")
        await settle(pilot)
        assert "Give a score for Socially [/paid]." in screen_text(app)
        await pilot.press("x", "enter")
        await settle(pilot)
        assert "Socially [/paid]:" in screen_text(app)


@pytest.mark.parametrize("key", ["m", "v"])
async def test_brackets_in_the_therapists_rating_dialogs_are_shown_as_written(
    db, store, instruments, key
):
    from fittui.ui.screens.remote import RemoteScreen
    from fittui.ui.screens.start import StartRatingScreen

    app = make_app(db, settings=THERAPIST, instruments=bracketed(instruments))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await until(pilot, lambda: isinstance(app.screen, StartRatingScreen | RemoteScreen))
        if key == "v":
            await pilot.press("shift+tab", "enter")  # open the list of instruments
        else:
            await pilot.press("enter")  # the dialog starts on it: Enter opens it
        await settle(pilot)
        assert isinstance(app.screen, StartRatingScreen | RemoteScreen)
        assert "Outcome Rating Scale [/]" in screen_text(app)


def test_fittui_rate_refuses_a_questionnaire_the_client_cannot_read(cli, db):
    assert cli("add-client", "X1", "--language", "de").code == 0
    refused = cli("rate", "X1", "PHQ-9")
    assert refused.code == 1 and refused.out == ""
    assert "PHQ-9" in refused.err and "Deutsch" in refused.err
    assert "--language" in refused.err  # what the therapist can do about it
    assert cli("edit-client", "X1", "--instruments", "ORS,PHQ-9").code == 0
    refused = cli("rate", "X1")  # the client's start-of-session set
    assert refused.code == 1 and "PHQ-9" in refused.err
    assert Store(db).administrations() == []


async def test_the_thank_you_in_fittui_rate_never_says_saved_when_nothing_was(db, instruments):
    Store(db).add_client("X1", language="de", instruments=("PHQ-9",))
    app = make_app(db, settings=Settings(), session="X1", one_person=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen) and not app.screen.available
        await pilot.press("enter")  # Continue: nothing to answer
        await settle(pilot)
        assert isinstance(app.screen, ThankYouScreen)
        words = screen_text(app)
        assert "gespeichert" not in words and "Enter" in words
        await pilot.press("enter")
        await settle(pilot)
        assert not app.is_running
    assert Store(db).administrations() == []


async def test_fittui_rate_started_in_a_small_terminal_says_so_first(db, store):
    app = rate_alone(db)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TooSmallScreen)
        assert any(isinstance(s, RatingScreen) for s in app.screen_stack)
        assert app.screen.query_one("#too-small").outer_size.width <= 40
        assert "40×12" in screen_text(app)
        await pilot.press(*MARKS, "enter")  # nothing reaches the hidden scale
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen)
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)
        assert all(w.value is None for w in app.screen.item_widgets)
    assert Store(db).administrations() == []
