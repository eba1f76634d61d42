"""Issue 16, the app's start: the first screen makes only what it shows, and still refuses a
database it cannot read before anything is drawn.

The client list at start reads the rows kept beside the data for the active clients only
(an archived client's record and row become objects when the therapist asks for them with
h), and the app checks the database without making an object of every client first.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.storage.derived import Rules, derive_row
from fittui.storage.journal import UnreadableDatabase
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app

INSTRUMENTS = load_instruments()
ORS = INSTRUMENTS["ORS"]
RULES = Rules(INSTRUMENTS, default_parameters(), 90)
TODAY = date(2026, 3, 1)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "fittui.json"
    store = Store(path)
    for n, code in enumerate(("C1", "C2", "C3", "C4")):
        store.add_client(code)
        store.record(code, ORS, ORS.parse_scores([str(n + 2)] * 4), "2026-02-02")
    store.link("C1", "C2")
    store.update_client("C2", archived=True)
    store.update_client("C4", archived=True)
    store.close()
    return path


def rescored(db: Path) -> dict:
    """Every client's row computed from all their ratings by a fresh store."""
    store = Store(db, read_only=True)
    by_client = store.administrations_by_client()
    events = store.episode_events_by_client()
    rows = {}
    for client in store.clients():
        linked = [a for code in client.linked for a in by_client.get(code, [])]
        mine, theirs = by_client.get(client.code, []), events.get(client.code, [])
        rows[client.code] = derive_row(client, mine, theirs, linked, RULES, TODAY)
    return rows


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
