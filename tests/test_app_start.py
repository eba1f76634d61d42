"""Issue 16, the app's start: the first screen makes only what it shows, and still refuses a
database it cannot read before anything is drawn.

The client list at start reads the rows kept beside the data for the active clients only
(an archived client's record and row become objects when the therapist asks for them with
h), and the app checks the database without making an object of every client first. A
long list draws its first screenful before the rows below it go in, however busy the
machine: the rest waits for the first frame, not for a timer.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import RenderableType
from textual.screen import Screen
from textual.widgets.data_table import RowKey

from conftest import caseload_with_archived, rescored_rows
from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.storage.derived import Rules
from fittui.storage.journal import UnreadableDatabase
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui import app as fit_app
from fittui.ui.app import make_app
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.widgets import row_table
from fittui.ui.widgets.row_table import FIRST_ROWS, RowTable

INSTRUMENTS = load_instruments()
ORS = INSTRUMENTS["ORS"]
RULES = Rules(INSTRUMENTS, default_parameters(), 90)
TODAY = date(2026, 3, 1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    def rate(store: Store, n: int, code: str) -> None:
        store.record(code, ORS, ORS.parse_scores([str(n + 2)] * 4), "2026-02-02")

    return caseload_with_archived(tmp_path / "data" / "fittui.json", ("C2", "C4"), rate)


def rescored(db: Path) -> dict:
    return rescored_rows(db, RULES, TODAY)


def test_the_rows_of_the_active_clients_are_those_of_a_full_rescore(db: Path) -> None:
    every = rescored(db)
    store = Store(db)
    active = store.client_rows(RULES, TODAY, include_archived=False)
    assert active == {code: every[code] for code in ("C1", "C3")}
    # C1's row still counts the ratings of C2, linked with C1 and archived.
    assert store.client_rows(RULES, TODAY) == every
    assert Store(db, read_only=True).client_rows(RULES, TODAY, include_archived=False) == active


def test_an_unreadable_database_is_refused_before_any_screen(db: Path) -> None:
    journal = db.with_name(db.name + ".journal")
    with open(journal, "ab") as file:
        file.write(b'{"ops": [["put", "clients", "C9", {"code": "C9"}]]}\n')
    before = journal.read_bytes()
    with pytest.raises(UnreadableDatabase):
        make_app(db, settings=Settings())
    assert journal.read_bytes() == before


async def test_a_long_list_is_answered_for_a_moment_after_its_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many" / "fittui.json"
    store = Store(path)
    for n in range(FIRST_ROWS * 3):
        store.add_client(f"C{n:03}")
    store.close()
    # A machine so busy that the first frame is drawn only well after the rows went in:
    # a timer started with the rows would go off with the frame, and the rest of the list
    # would go in right behind it. The rest waits REST_AFTER from the frame all the same.
    monkeypatch.setattr(row_table, "REST_AFTER", 0.2)
    show_rows = ClientsScreen.show_rows

    def busy(screen: ClientsScreen) -> None:
        show_rows(screen)
        time.sleep(row_table.REST_AFTER * 2)

    monkeypatch.setattr(ClientsScreen, "show_rows", busy)
    first_frame: list[float] = []  # when a frame first showed rows of the list
    display = fit_app.FitApp._display

    def drawn(app: fit_app.FitApp, screen: Screen, renderable: RenderableType | None) -> None:
        tables = screen.query(RowTable)
        if renderable is not None and tables and tables.first().row_count and not first_frame:
            assert tables.first().row_count == FIRST_ROWS
            first_frame.append(time.monotonic())
        display(app, screen, renderable)

    monkeypatch.setattr(fit_app.FitApp, "_display", drawn)
    rest: list[float] = []  # when the first row below the first screenful went in
    add_row = RowTable.add_row

    def adding(table: RowTable, *cells: Any, **options: Any) -> RowKey:
        if table.row_count == FIRST_ROWS and not rest:
            rest.append(time.monotonic())
        return add_row(table, *cells, **options)

    monkeypatch.setattr(RowTable, "add_row", adding)
    app = make_app(path, settings=Settings(), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(row_table.REST_AFTER * 4)
        table = app.screen.query_one(RowTable)
        assert table.complete and table.row_count == FIRST_ROWS * 3
        assert [row.key.value for row in table.ordered_rows] == sorted(
            f"C{n:03}" for n in range(FIRST_ROWS * 3)
        )
    assert rest[0] - first_frame[0] >= row_table.REST_AFTER * 0.9  # a timer's leeway


PREPARED = """
import asyncio, sys, time
from pathlib import Path
from fittui.ui import app as app_module
from fittui.ui.app import make_app, SCORING_MODULES

def imported():
    return all(name in sys.modules for name in SCORING_MODULES)

# Whether the scoring was loaded before the app's own step that loads it, however late that
# step comes on a loaded machine: the list and its first paint must not have needed it.
before = []
prepare = app_module.FitApp._prepare_scoring
def noted(self):
    before.append(imported())
    return prepare(self)
app_module.FitApp._prepare_scoring = noted

async def main():
    app = make_app(Path(sys.argv[1]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not imported():
            await pilot.pause(0.05)
        print(before, imported())

asyncio.run(main())
"""


def test_the_scoring_is_imported_after_the_first_paint_not_at_the_first_save(db: Path) -> None:
    """The list starts from the kept rows without the scoring; the first save found by the
    poll needs it, so the app imports it in a thread just after start: the first save
    shown costs the main loop no more than any later one."""
    import subprocess
    import sys

    store = Store(db)
    store.client_rows(RULES)  # kept beside the data, as after any earlier start
    store.close()
    done = subprocess.run(
        [sys.executable, "-c", PREPARED, str(db)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["[False]", "True"]
