"""Client mode and `fittui rate` never leave anyone on a screen with no way out: a save that
ends under the too-small notice, a save that fails at the client's own keyboard, an
unexpected error, and instrument wording that looks like markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock

from conftest import THERAPIST_PIN, quick_pin, screen_text, settle, until
from fittui.storage.journal import SaveFailed
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.storage.trouble import kept_work, log_file
from fittui.ui.app import make_app
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.thanks import ThankYouScreen
from fittui.ui.screens.too_small import TooSmallScreen

THERAPIST = Settings(pin=quick_pin())
MARKS = ["5", "down", "6", "down", "7", "down", "8"]  # every line marked, on the last one


@pytest.fixture(autouse=True)
def private_log(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    return log_file()


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
