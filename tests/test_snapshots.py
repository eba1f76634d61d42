"""Snapshots of every screen and every state of the rating flow, at 80x24 and 60x20.

The therapist's screens are shown on the demo database, built for a fixed day, so the
"last seen" and "weeks" columns never change with the calendar.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Select

from conftest import quick_pin
from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.result import ResultScreen
from fittui.ui.widgets.row_table import REST_AFTER

SIZES = [(80, 24), (60, 20)]
RATE = ("C1", "ORS", ["client"])
TODAY = date(2026, 11, 23)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1", label="Tuesday 10am")
    store.add_client("C2", "child")
    ors, srs = load_instruments()["ORS"], load_instruments()["SRS"]
    store.record(
        "C1",
        ors,
        {"individually": 50, "interpersonally": 50, "socially": 50, "overall": 51},
        "2026-11-09T10:00",
    )
    store.record(
        "C1",
        srs,
        {"relationship": 95, "goals_topics": 94, "approach": 96, "overall": 95},
        "2026-11-09T10:50",
    )
    return path


def app(db: Path, rate=RATE, show_numbers: bool = False, theme: str | None = None):
    settings = Settings(show_numbers=show_numbers, theme=theme, pin=quick_pin())
    return make_app(db, settings=settings, rate=rate, today=TODAY)


@pytest.mark.parametrize("size", SIZES)
def test_rating_unmarked(snap_compare, db, size):
    assert snap_compare(app(db), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_rating_partly_marked(snap_compare, db, size):
    assert snap_compare(app(db), press=["right", "right", "down", "7", "down"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_rating_unmarked_item_named(snap_compare, db, size):
    assert snap_compare(
        app(db), press=["5", "down", "5", "down", "down", "5", "enter"], terminal_size=size
    )


@pytest.mark.parametrize("size", SIZES)
def test_rating_with_numbers_shown(snap_compare, db, size):
    assert snap_compare(
        app(db, show_numbers=True),
        press=["right", "shift+right", "down", "end"],
        terminal_size=size,
    )


@pytest.mark.parametrize("size", SIZES)
def test_thank_you(snap_compare, db, size):
    keys = ["5", "down", "5", "down", "5", "down", "5", "enter"]
    assert snap_compare(app(db), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_thank_you_next_rater(snap_compare, db, size):
    keys = ["9", "down", "9", "down", "9", "down", "9", "enter"]
    assert snap_compare(
        app(db, rate=("C1", "SRS", ["client", "partner"])), press=keys, terminal_size=size
    )


@pytest.mark.parametrize("size", SIZES)
def test_pin_prompt(snap_compare, db, size):
    """The therapist key on the scale: the PIN and nothing about anyone."""
    assert snap_compare(app(db), press=["5", "f2", "1", "2"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_pin_prompt_after_a_wrong_pin(snap_compare, db, size):
    assert snap_compare(app(db), press=["f2", *"1111", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_setting_the_pin_on_first_use(snap_compare, db, size):
    no_pin = make_app(db, settings=Settings(), today=TODAY)
    assert snap_compare(no_pin, press=["o", *"12", "enter", *"12", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_result(snap_compare, db, size):
    store = Store(db)
    ors, srs = load_instruments()["ORS"], load_instruments()["SRS"]
    saved = [
        store.record(
            "C1",
            ors,
            {"individually": 55, "interpersonally": 70, "socially": 100, "overall": 0},
            "2026-11-16T10:00",
        ),
        store.record(
            "C1",
            srs,
            {"relationship": 90, "goals_topics": 85, "approach": 60, "overall": 88},
            "2026-11-16T10:50",
        ),
    ]

    async def show_result(pilot):
        pilot.app.push_screen(ResultScreen("C1", saved))
        await pilot.pause()

    assert snap_compare(app(db, rate=None), run_before=show_result, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_start_rating_dialog(snap_compare, db, size):
    assert snap_compare(app(db, rate=None), press=["m"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_start_rating_dialog_list_open(snap_compare, db, size):
    """The open list of instruments stays inside the dialog."""
    assert snap_compare(app(db, rate=None), press=["m", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_keys_of_the_client_list(snap_compare, db, size):
    assert snap_compare(app(db, rate=None), press=["question_mark"], terminal_size=size)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


@pytest.mark.parametrize("size", SIZES)
def test_client_list(snap_compare, demo, size):
    assert snap_compare(app(demo, rate=None), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_client_list_searched_with_archived_shown(snap_compare, demo, size):
    assert snap_compare(
        app(demo, rate=None), press=["h", "slash", "f", "i", "n"], terminal_size=size
    )


@pytest.mark.parametrize("size", SIZES)
def test_add_client_form(snap_compare, demo, size):
    assert snap_compare(app(demo, rate=None), press=["a"], terminal_size=size)


def keys_then_table(*keys: str):
    """Press the keys, then wait for the history's table, which fills after the paint."""

    async def run_before(pilot) -> None:
        await pilot.press(*keys)
        await pilot.pause(REST_AFTER * 4)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, demo, size):
    assert snap_compare(
        app(demo, rate=None), run_before=keys_then_table("enter"), terminal_size=size
    )


@pytest.mark.parametrize("size", SIZES)
def test_history_scrolled_to_the_sessions(snap_compare, demo, size):
    async def run_before(pilot) -> None:
        await keys_then_table("enter")(pilot)
        await pilot.press("end")

    assert snap_compare(app(demo, rate=None), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_history_items_of_a_couple(snap_compare, demo, size):
    keys = keys_then_table("slash", "d", "0", "9", "enter", "i")
    assert snap_compare(app(demo, rate=None), run_before=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_history_collateral_rater(snap_compare, demo, size):
    keys = keys_then_table("slash", "d", "0", "7", "enter")
    assert snap_compare(app(demo, rate=None), run_before=keys, terminal_size=size)


def test_history_wide(snap_compare, demo):
    keys = keys_then_table("enter")
    assert snap_compare(app(demo, rate=None), run_before=keys, terminal_size=(130, 36))


@pytest.mark.parametrize("size", SIZES)
def test_caseload(snap_compare, demo, size):
    assert snap_compare(app(demo, rate=None), press=["c"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_caseload_filtered(snap_compare, demo, size):
    async def filter_status(pilot):
        await pilot.press("c")
        pilot.app.screen.query_one("#status", Select).value = "unchanged"
        await pilot.pause()

    assert snap_compare(app(demo, rate=None), run_before=filter_status, terminal_size=size)


def test_too_small(snap_compare, demo):
    assert snap_compare(app(demo, rate=None), terminal_size=(50, 15))


@pytest.mark.parametrize("size", SIZES)
def test_client_list_ansi_theme(snap_compare, demo, size):
    """The terminal's own 16 colours (and SSH without COLORTERM): flags still read."""
    assert snap_compare(app(demo, rate=None, theme="ansi-dark"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_rating_with_the_ansi_theme(snap_compare, db, size):
    """The terminal's own 16 colours: focus and mark must still read without colour."""
    assert snap_compare(
        app(db, theme="ansi-dark"), press=["right", "down", "end"], terminal_size=size
    )


PHQ9 = ("C1", "PHQ-9", ["client"])
# Items 1 to 3 answered, item 4 left out, item 5 answered; then Done is asked for.
PHQ9_PARTLY = ["1", "down", "right", "right", "right", "down", "0", "down", "down", "2"]


@pytest.mark.parametrize("size", SIZES)
def test_phq9_unanswered(snap_compare, db, size):
    assert snap_compare(app(db, rate=PHQ9), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_phq9_partly_answered(snap_compare, db, size):
    assert snap_compare(app(db, rate=PHQ9), press=PHQ9_PARTLY, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_phq9_unanswered_question_named(snap_compare, db, size):
    async def answer_partly(pilot) -> None:
        await pilot.press(*PHQ9_PARTLY, *["down"] * 5, "enter")
        await pilot.wait_for_scheduled_animations()  # the scrolls of the Downs, under load
        await pilot.pause()

    assert snap_compare(app(db, rate=PHQ9), run_before=answer_partly, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_result_with_the_item9_alert(snap_compare, db, size):
    store = Store(db)
    phq9, gad7 = load_instruments()["PHQ-9"], load_instruments()["GAD-7"]
    items = dict(zip((f"item{n}" for n in range(1, 10)), (20, 20, 10, 20, 10, 10, 0, 0, 10)))
    store.record("C1", phq9, {key: 20 for key in items}, "2026-11-09T10:00")
    saved = [
        store.record("C1", phq9, items, "2026-11-16T10:00"),
        store.record("C1", gad7, {f"item{n}": 10 for n in range(1, 8)}, "2026-11-16T10:05"),
    ]

    async def show_result(pilot):
        pilot.app.push_screen(ResultScreen("C1", saved))
        await pilot.pause()

    assert snap_compare(app(db, rate=None), run_before=show_result, terminal_size=size)
