"""One measurement of the app in a fresh process, for ``goals.py``; prints one JSON line.

    python bench/tui_probe.py paint minimal
    python bench/tui_probe.py paint fittui DB
    python bench/tui_probe.py memory minimal|fittui [DB]
    python bench/tui_probe.py history DB CODE RUNS
    python bench/tui_probe.py foreign-save DB RUNS
    python bench/tui_probe.py grow DB CODE N

``minimal`` is the least a Textual app showing a list costs: a header, a table of one
screenful of rows and a footer. It imports nothing of fittui, so that its start-up and
memory are Textual's alone. ``paint`` prints the wall-clock moment (``time.time()``) the
first full frame with the list's rows was drawn, for the parent to subtract its own
start: the moment a frame drawn then shows the list's first row (an app that adds its rows
as it mounts has them in its table before its screen is laid out, when a frame would
still be blank). ``memory`` is the resident memory of the idle app a second after that
frame.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from textual._compositor import LayoutUpdate
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

SIZE = (100, 40)
COLUMNS = ("Client", "Status", "ORS", "SRS", "Flags", "Seen", "Label")
SCREENFUL = 60


class MinimalApp(App):
    """A header, a table of one screenful of rows and a footer."""

    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for n in range(SCREENFUL):
            table.add_row(f"C{n:05d}", "improved", "25.0", "38.0", "", "3 d", "a label")


class BareScreen(Screen):
    """The least a screen can be: what pushing one costs before fittui does anything."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("nothing to see")
        yield Footer()


def make(kind: str, db: str | None) -> App:
    if kind == "minimal":
        return MinimalApp()
    from fittui.storage.settings import Settings
    from fittui.ui.app import make_app

    assert db is not None
    return make_app(Path(db), settings=Settings())


def list_ready(app: App) -> bool:
    """The screen on top shows its table's rows (or the app's list is empty)."""
    tables = app.screen.query(DataTable)
    return bool(tables) and tables.first().row_count > 0


def full_paint(app: App) -> str:
    """Draw the whole screen now, as the first frame would be; the text drawn (none while
    the screen is not laid out yet)."""
    screen = app.screen
    screen._refresh_layout(app.size)
    update = screen._compositor.render_update(full=True)
    if not isinstance(update, LayoutUpdate):
        return ""
    return "".join(strip.text for line in update.strips for strip in line if strip is not None)


def shows_first_row(app: App) -> bool:
    """The whole screen drawn now shows the first row of the list."""
    table = app.screen.query(DataTable).first()
    return str(table.get_row_at(0)[0]) in full_paint(app)


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def paint_or_memory(what: str, kind: str, db: str | None) -> dict[str, Any]:
    app = make(kind, db)
    found: dict[str, Any] = {}

    async def pilot_run(pilot: Any) -> None:
        # The rows are in the table, and the screen is laid out so that a frame shows them
        # (an app that adds its rows as it mounts has them before anything can be drawn).
        while not (list_ready(app) and shows_first_row(app)):
            await asyncio.sleep(0.001)
        found["painted_at"] = time.time()
        if what == "memory":
            await asyncio.sleep(1.0)  # the rest of a long list goes in, then idle
            found["resident_mb"] = resident_mb()
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=pilot_run)
    return found


async def history(db: str, code: str, runs: int) -> dict[str, Any]:
    """Opening a client's history against pushing a bare screen, alternately, in an app
    holding the whole database: milliseconds from the push to the first full paint."""
    from fittui.ui.screens.history import HistoryScreen

    app = make("fittui", db)
    bare: list[float] = []
    opened: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(runs + 1):
            for times, screen in ((bare, BareScreen), (opened, lambda: HistoryScreen(code))):
                start = time.perf_counter()
                await app.push_screen(screen())
                full_paint(app)
                times.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
                await app.pop_screen()
                await pilot.pause()
    # The first of each is left out: modules imported, caches warmed.
    return {"history_ms": statistics.median(opened[1:]), "bare_ms": statistics.median(bare[1:])}


async def foreign_save(db: str, runs: int) -> dict[str, Any]:
    """`fittui record` in another process, then: how long until the list shows it, and how
    long the app's main loop worked for it (the poll that found it and the list's update;
    Textual then repaints the one row that changed)."""
    from fittui.ui.screens.clients import ClientsScreen

    app = make("fittui", db)
    busy: list[float] = []
    poll = app.look_for_saves

    def timed_poll() -> None:
        start = time.perf_counter()
        poll()
        busy.append((time.perf_counter() - start) * 1000)

    app.look_for_saves = timed_poll  # type: ignore[method-assign]
    shown: list[float] = []
    worked: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while not list_ready(app):
            await pilot.pause()
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        reload = screen.reload

        def timed_reload(*args: Any, **kwargs: Any) -> None:
            start = time.perf_counter()
            reload(*args, **kwargs)
            busy.append((time.perf_counter() - start) * 1000)

        screen.reload = timed_reload  # type: ignore[method-assign]
        table = screen.query_one(DataTable)
        codes = [row.client.code for row in screen.rows]
        for run in range(runs):
            code = codes[(run * 37 + 5) % len(codes)]
            value = str(run % 10)
            record = ["-m", "fittui", "--db", db, "record", code, "ORS", value, "0", "0", "0"]
            subprocess.run([sys.executable, *record], check=True, capture_output=True)
            start = time.perf_counter()
            busy.clear()
            while str(table.get_row(code)[2]) != f"{run % 10}.0":
                await asyncio.sleep(0.005)
            shown.append((time.perf_counter() - start) * 1000)
            worked.append(sum(busy))
            await pilot.pause(0.3)
    return {"shown_ms": shown, "busy_ms": worked}


def grow(db: str, code: str, count: int) -> None:
    """Give ``code`` ``count`` more weekly ORS and SRS ratings (a long history)."""
    from datetime import date, timedelta

    from fittui.domain.instruments import load_instruments
    from fittui.domain.model import Administration
    from fittui.storage.journal import new_id
    from fittui.storage.store import Store

    instruments = load_instruments()
    first = date(2020, 1, 6)
    batch = []
    for n in range(count):
        instrument = instruments["ORS" if n % 2 == 0 else "SRS"]
        day = first + timedelta(days=7 * (n // 2))
        items = {item.key: 50 + (n * 7) % 50 for item in instrument.items}
        batch.append(Administration(new_id(), code, instrument.key, day.isoformat(), items))
    Store(Path(db)).record_many(batch)


def main(argv: list[str]) -> None:
    what = argv[0]
    if what in ("paint", "memory"):
        result = paint_or_memory(what, argv[1], argv[2] if len(argv) > 2 else None)
    elif what == "history":
        result = asyncio.run(history(argv[1], argv[2], int(argv[3])))
    elif what == "foreign-save":
        result = asyncio.run(foreign_save(argv[1], int(argv[2])))
    elif what == "grow":
        grow(argv[1], argv[2], int(argv[3]))
        result = {}
    else:
        raise SystemExit(f"unknown measurement {what!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
