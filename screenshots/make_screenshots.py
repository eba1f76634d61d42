"""Make the SVG screenshots the README shows, from the demo database on a fixed day.

Run after any change to what a screen shows:  .venv/bin/python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from fittui.app import make_app
from fittui.demo import make_demo_database
from fittui.instruments import load_instruments
from fittui.settings import PinHash, Settings
from fittui.store import Store

HERE = Path(__file__).parent
DAY = date(2026, 11, 23)
SIZE = (80, 24)


PIN = "2468"
THERAPIST = ["f2", *PIN, "enter"]  # the therapist key, then the PIN


async def shoot(db: Path, name: str, keys: list[str], rate=None) -> None:
    settings = Settings(pin=PinHash.make(PIN, n=2**4))  # a cheap hash: only for pictures
    app = make_app(db, settings=settings, rate=rate, today=DAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause(0.3)  # long tables fill just after the first paint
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(HERE / f"{name}.svg")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = make_demo_database(Path(folder), DAY)
        await shoot(db, "clients", [])
        await shoot(db, "history", ["enter"])
        await shoot(db, "caseload", ["c"])
        await shoot(
            db,
            "rating-ors",
            ["right", "right", "down", "7", "down"],
            rate=("D06", "ORS", ["client"]),
        )
        await shoot(
            db,
            "rating-result",
            ["8", "down", "8", "down", "7", "down", "6", "enter", *THERAPIST],
            rate=("D06", "SRS", ["client"]),
        )
        await shoot(
            db,
            "rating-phq9",
            ["1", "down", "right", "right", "down", "0", "down"],
            rate=("D04", "PHQ-9", ["client"]),
        )
        phq9 = ["2", "down", "2", "down", "1", "down", "2", "down", "1", "down", "1", "down"]
        await shoot(
            db,
            "rating-phq9-alert",
            [*phq9, "1", "down", "0", "down", "1", "enter", *THERAPIST],
            rate=("D04", "PHQ-9", ["client"]),
        )
        add_a_client_back_after_a_break(db)
        await shoot(db, "history-episodes", ["slash", "d", "1", "2", "enter", "end"])
        await shoot(db, "outcomes", ["r"])


def add_a_client_back_after_a_break(db: Path) -> None:
    """D12, only for the episode and outcome screenshots: a first course that ended as
    planned in 2025, and a second one ten months later."""
    instruments = load_instruments()
    store = Store(db)
    store.add_client("D12", label="Fictional: back after a break")
    ors_keys = [item.key for item in instruments["ORS"].items]
    srs_keys = [item.key for item in instruments["SRS"].items]
    for day, ors, srs in (
        ("2025-01-06", 45, 93),
        ("2025-01-20", 60, 95),
        ("2025-02-03", 75, 97),
        ("2025-02-17", 78, 97),
        ("2026-11-02", 40, 90),
        ("2026-11-09", 45, 92),
        ("2026-11-16", 55, 94),
    ):
        store.record("D12", instruments["ORS"], dict.fromkeys(ors_keys, ors), day)
        store.record("D12", instruments["SRS"], dict.fromkeys(srs_keys, srs), day)
    store.add_episode_event("D12", "end", "2025-02-17", "planned")
    store.close()


if __name__ == "__main__":
    asyncio.run(main())
