"""Make the SVG screenshots the README shows, from the demo database on a fixed day.

Run after any change to what a screen shows:  .venv/bin/python screenshots/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import PinHash, Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app

HERE = Path(__file__).parent
DAY = date(2026, 11, 23)
SIZE = (80, 24)


PIN = "2468"
THERAPIST = ["f2", *PIN, "enter"]  # the therapist key, then the PIN


async def shoot(db: Path, name: str, keys: list[str], rate=None, size=SIZE) -> None:
    settings = Settings(pin=PinHash.make(PIN, n=2**4))  # a cheap hash: only for pictures
    app = make_app(db, settings=settings, rate=rate, today=DAY)
    async with app.run_test(size=size) as pilot:
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
        await shoot(db, "history-episodes", ["slash", "d", "1", "2", "enter"], size=(80, 40))
        await shoot(db, "outcomes", ["r"])

        await shoot(db, "screen-share", ["v", "enter", "right", "right"], size=(100, 30))
        shoot_form_page(db)
        await shoot_in_spanish(db)


async def shoot_in_spanish(db: Path) -> None:
    """The SRS as a client whose language is Spanish reads it (the therapist's screens
    stay in English)."""
    Store(db).update_client("D06", language="es")
    await shoot(db, "rating-srs-es", ["8", "down", "7", "down"], rate=("D06", "SRS", ["client"]))


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


def shoot_form_page(db: Path) -> None:
    """PNGs of a home rating form in Chromium: a phone, part marked; a desktop, done."""
    import shutil

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        print("skipped the home form's pictures: Debian's chromium and chromium-driver needed")
        return
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from fittui.domain.instruments import load_instruments
    from fittui.formats.home_form import write_form
    from fittui.storage.store import Store

    written = write_form(Store(db), "D06", load_instruments()["ORS"], DAY, 14)
    page = db.parent / "form.html"
    page.write_text(written.html, encoding="utf-8")
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument("--disable-background-networking")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        for name, size, keys in (
            ("form-phone", (375, 667), ["6", "7"]),  # the viewport of a small phone
            ("form-desktop", (1000, 1100), ["6", "7", "4", "8"]),
        ):
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": size[0],
                    "height": size[1],
                    "deviceScaleFactor": 1,
                    "mobile": size[0] < 500,
                },
            )
            driver.get(page.as_uri())
            lines = driver.find_elements(By.CSS_SELECTOR, ".line")
            for line, key in zip(lines, keys):
                line.send_keys(key, Keys.ARROW_RIGHT)
            if len(keys) == len(lines):
                driver.find_element(By.ID, "done").click()
            else:
                driver.execute_script("window.scrollTo(0, 0)")
            driver.save_screenshot(str(HERE / f"{name}.png"))
            print(HERE / f"{name}.png")
    finally:
        driver.quit()


if __name__ == "__main__":
    asyncio.run(main())
