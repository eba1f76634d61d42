"""Client mode and `fittui rate` never leave anyone on a screen with no way out: a save that
ends under the too-small notice, a save that fails at the client's own keyboard, an
unexpected error, and instrument wording that looks like markup."""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock

from conftest import THERAPIST_PIN, quick_pin, screen_text, settle, until
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.thanks import ThankYouScreen
from fittui.ui.screens.too_small import TooSmallScreen

THERAPIST = Settings(pin=quick_pin())
MARKS = ["5", "down", "6", "down", "7", "down", "8"]  # every line marked, on the last one


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
