"""Snapshots of charts that must never mislead: the young child's 0-10 chart, the items
view with two items at the same score, and a PHQ-9 of 8 and 14 beside the band lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.widgets.row_table import REST_AFTER

SIZES = [(80, 24), (60, 20)]
TODAY = date(2026, 11, 23)


def app(path: Path):
    return make_app(path, settings=Settings(), rate=None, today=TODAY)


def keys_then_table(*keys: str):
    """Press the keys, then wait for the history's table, which fills after the paint."""

    async def run_before(pilot) -> None:
        await pilot.press(*keys)
        await pilot.pause(REST_AFTER * 4)

    return run_before


@pytest.fixture
def charts(tmp_path: Path) -> Path:
    """One client whose SRS items meet (7.3 and 7.3; 9.5 and 9.5) and whose PHQ-9 totals
    are 8 and 14, just under the "10 moderate" and "15 moderately severe" lines."""
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1")
    instruments = load_instruments()
    srs, phq9 = instruments["SRS"], instruments["PHQ-9"]
    keys = [i.key for i in srs.items]
    for day, scores in (("2026-11-02", (95, 73, 73, 95)), ("2026-11-09", (90, 80, 73, 90))):
        store.record("C1", srs, dict(zip(keys, scores)), f"{day}T10:50")
    for day, total in (("2026-11-02", 8), ("2026-11-09", 14)):
        answers = [min(3, max(0, total - 3 * n)) * 10 for n in range(9)]
        store.record("C1", phq9, {f"item{n + 1}": a for n, a in enumerate(answers)}, day)
    return path


@pytest.mark.parametrize("size", SIZES)
def test_young_childs_own_chart(snap_compare, tmp_path, size):
    demo = make_demo_database(tmp_path / "demo", TODAY)
    keys = keys_then_table("slash", "d", "0", "8", "enter")
    assert snap_compare(app(demo), run_before=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_items_view_with_coincident_items(snap_compare, charts, size):
    keys = keys_then_table("enter", "i", "i")
    assert snap_compare(app(charts), run_before=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_phq9_at_8_and_14(snap_compare, charts, size):
    keys = keys_then_table("enter", "i", "i", "i")
    assert snap_compare(app(charts), run_before=keys, terminal_size=size)
