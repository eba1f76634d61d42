"""Shared fixtures: a database in tmp_path, the instruments, and the CLI run in-process;
waits on what a screen shows rather than on the clock; the slow tests started first."""

from __future__ import annotations

import html
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fittui.cli.main import main
from fittui.domain.instruments import load_instruments
from fittui.storage.settings import PinHash

if TYPE_CHECKING:
    from fittui.storage.store import Store


def rescored_rows(db: Path, rules, today, include_archived: bool = True) -> dict:
    """Every client's row computed from all their ratings, read whole by a fresh read-only
    store: what the rows kept beside the data must always equal."""
    from fittui.storage.derived import derive_row
    from fittui.storage.store import Store

    store = Store(db, read_only=True)
    by_client = store.administrations_by_client()
    events = store.episode_events_by_client()
    rows = {}
    for client in store.clients(include_archived=include_archived):
        linked = [a for code in client.linked for a in by_client.get(code, [])]
        mine, theirs = by_client.get(client.code, []), events.get(client.code, [])
        rows[client.code] = derive_row(client, mine, theirs, linked, rules, today)
    return rows


def rate_ors(store: Store, code: str, score: int, days: int) -> None:
    """An ORS of ``score`` on every item, ``days`` after 1 January 2026."""
    from datetime import date, timedelta

    ors = load_instruments()["ORS"]
    when = (date(2026, 1, 1) + timedelta(days=days)).isoformat()
    store.record(code, ors, ors.parse_scores([str(score)] * 4), when)


def caseload_with_archived(
    path: Path, archived: tuple[str, ...], rate: Callable | None = None
) -> Path:
    """A database of clients C1 to C4, each rated once by ``rate(store, n, code)`` (the n-th
    an ORS of 3 + n, n days into 2026, by default), C1 and C2 linked, the ``archived`` ones
    archived; its day's backup written."""
    from fittui.storage.store import Store

    if rate is None:

        def rate(store: Store, n: int, code: str) -> None:
            rate_ors(store, code, 3 + n, n)

    store = Store(path)
    for n, code in enumerate(("C1", "C2", "C3", "C4")):
        store.add_client(code)
        rate(store, n, code)
    store.link("C1", "C2")
    for code in archived:
        store.update_client(code, archived=True)
    store.close()
    return path


THERAPIST_PIN = "2468"


def quick_pin(pin: str = THERAPIST_PIN) -> PinHash:
    """The therapist's PIN hashed at a cost cheap enough for tests: the app takes the cost
    from the stored hash, so checking it stays the real code path."""
    return PinHash.make(pin, n=2**4)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers per core for ``-n auto``: a Textual test spends much of its time waiting
    (the pilot's pauses, timers, real processes, fsync), and with one worker per core the
    cores stood idle a quarter of the run."""
    return 2 * len(os.sched_getaffinity(0))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` first: with ``-n auto`` the workers take them on while the
    many short tests are still queued behind them, so that no worker is left running a long
    one alone at the end. Every worker sorts the same way, as xdist requires."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


async def until(pilot, condition: Callable[[], object], seconds: float = 10.0) -> None:
    """Pause until ``condition()`` holds, then return at once; after ``seconds`` the test
    goes on to its own assertions, which fail. What a screen does just after its first paint
    comes later on a busy machine: a fixed pause fails there and waits too long elsewhere."""
    deadline = time.monotonic() + seconds
    await pilot.pause()
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)


def one_write(app, *keys: str) -> None:
    """Several keys arriving together, as from one read of the terminal (a paste, key
    repeat, a fast hand, a laggy SSH link): all queued before any is handled."""
    from textual import events

    named = {"enter": "\r", "tab": "\t", "slash": "/"}
    for key in keys:
        event = events.Key(key, named.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot) -> None:
    """Let a burst of keys and what they set off be handled."""
    import asyncio

    for _ in range(4):
        await asyncio.sleep(0)
        await pilot.pause()


async def history_filled(pilot):
    """Wait until the open history has its chart, patterns and snippet mounted and a row
    for each of its ratings (the table fills just after the first paint, and again after a
    save); returns the history screen."""
    from fittui.ui.screens.history import HistoryScreen
    from fittui.ui.widgets.row_table import RowTable

    def filled() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, HistoryScreen) or not screen.body_shown:
            return False
        table = screen.query_one("#sessions", RowTable)
        return table.complete and table.row_count >= len(screen.record) > 0

    await until(pilot, filled)
    return pilot.app.screen


def screen_text(app) -> str:
    """What the terminal shows now (toasts included), from the screenshot, with its spaces
    as plain spaces; the markup around the text stays, which no check here looks for."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def instruments():
    return load_instruments()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "fittui.json"


@pytest.fixture
def cli(db: Path, capsys, monkeypatch, tmp_path):
    """Run ``fittui --db <tmp db> ARGS...`` in-process; returns exit code, stdout, stderr."""
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    monkeypatch.delenv("FITTUI_DB", raising=False)

    def run(*args: str, db_path: Path | None = db) -> Result:
        capsys.readouterr()
        argv = (["--db", str(db_path)] if db_path else []) + [str(a) for a in args]
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def db_bytes(db: Path) -> dict[str, bytes]:
    """Every file of a database folder, to check that a failed command changed nothing."""
    folder = db.parent
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture(autouse=True)
def english_screens(monkeypatch):
    """The therapist's screens in English whatever the machine's LANG says; a test that
    wants another language sets it (tests/test_therapist_language.py)."""
    monkeypatch.setenv("LANGUAGE", "en")


@pytest.fixture(autouse=True)
def no_hand_on_pause(monkeypatch):
    """The hand-on screen takes keys as soon as it is up: tests press Enter on it at once;
    tests/test_rating.py checks the pause itself."""
    from fittui.ui.screens.thanks import ThankYouScreen

    monkeypatch.setattr(ThankYouScreen, "HAND_ON_PAUSE", 0.0)


@pytest.fixture
def private_log(tmp_path, monkeypatch) -> Path:
    """The app's log and settings in the test's own folders: where a trouble is written."""
    from fittui.storage.trouble import log_file

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    return log_file()
