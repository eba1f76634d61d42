"""Snapshots of every state of the rating flow, and the client list, at 80x24 and 60x20."""

from __future__ import annotations

from pathlib import Path

import pytest

from fittui.app import make_app
from fittui.instruments import load_instruments
from fittui.screens.result import ResultScreen
from fittui.settings import Settings
from fittui.store import Store

SIZES = [(80, 24), (60, 20)]
RATE = ("C1", "ORS", ["client"])


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
    return make_app(db, settings=Settings(show_numbers=show_numbers, theme=theme), rate=rate)


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
def test_client_list(snap_compare, db, size):
    assert snap_compare(app(db, rate=None), terminal_size=size)


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
    keys = [*PHQ9_PARTLY, *["down"] * 5, "enter"]
    assert snap_compare(app(db, rate=PHQ9), press=keys, terminal_size=size)


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
