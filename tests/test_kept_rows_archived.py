"""Issue 16, the list's start: the client list starts without the archived clients, so the
kept rows' file holds theirs in lines of their own, checked but not read at start.

Leaving them unread must never change a row: the active clients' rows equal a full rescore
whatever is archived or restored, by this process or another (with the list's rows, over
random saves and archivings: ``test_list_rows.py``); a file of the earlier version is
written anew, not misread; a damaged archived line is still noticed.
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import orjson
import pytest

from conftest import caseload_with_archived, rate_ors, rescored_rows
from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.storage import summaries
from fittui.storage.derived import Rules
from fittui.storage.store import Store

INSTRUMENTS = load_instruments()
RULES = Rules(INSTRUMENTS, default_parameters(), 90)
TODAY = date(2026, 3, 1)
CODES = ("C1", "C2", "C3", "C4")


def rescored(db: Path, include_archived: bool = True) -> dict:
    return rescored_rows(db, RULES, TODAY, include_archived)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return caseload_with_archived(tmp_path / "data" / "fittui.json", ("C3", "C4"))


def test_the_archived_clients_lines_are_checked_but_not_read_at_start(db: Path) -> None:
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)  # the file written whole
    at_start = summaries.read(db, archived=False)
    assert not at_start.whole and not at_start.damaged
    assert set(at_start.rows) == {"C1", "C2"}
    assert set(summaries.read(db).rows) == set(CODES)
    assert Store(db).client_rows(RULES, TODAY, include_archived=False) == rescored(db, False)
    # The list then shows the archived clients too (h): their rows are read then.
    store = Store(db)
    assert store.client_rows(RULES, TODAY, include_archived=False) == rescored(db, False)
    assert store.client_rows(RULES, TODAY) == rescored(db)
    assert store.client_row_docs(RULES, TODAY).keys() == set(CODES)


def test_a_client_restored_elsewhere_is_listed_with_their_row(db: Path) -> None:
    Store(db).client_rows(RULES, TODAY)
    app = Store(db)
    assert app.client_rows(RULES, TODAY, include_archived=False).keys() == {"C1", "C2"}
    Store(db).update_client("C3", archived=False)  # another process, no rows kept by it
    assert app.client_rows(RULES, TODAY, include_archived=False) == rescored(db, False)
    assert Store(db).client_rows(RULES, TODAY, include_archived=False) == rescored(db, False)
    assert "C3" in summaries.read(db, archived=False).rows  # kept where the start reads


def test_damage_after_the_unread_lines_is_noticed_and_every_row_kept(db: Path) -> None:
    store = Store(db)
    store.client_rows(RULES, TODAY)
    rate_ors(store, "C1", 9, 30)
    store.client_rows(RULES, TODAY)  # C1's and C2's new rows appended, after C3's and C4's
    kept = summaries.summaries_path(db)
    lines = kept.read_bytes().splitlines(keepends=True)
    assert lines[-2][8:9] == summaries.ARCHIVED_ONLY and lines[-1][8:9] == b" "
    kept.write_bytes(b"".join(lines[:-1]) + lines[-1].replace(b'"C1"', b'"C9"'))
    assert summaries.read(db, archived=False).damaged
    assert Store(db).client_rows(RULES, TODAY, include_archived=False) == rescored(db, False)
    # Written anew, whole: the archived clients' rows too, in their own lines.
    assert not summaries.read(db).damaged
    assert set(summaries.read(db).rows) == set(CODES)
    assert set(summaries.read(db, archived=False).rows) == {"C1", "C2"}


def test_a_file_of_the_earlier_version_is_written_anew(db: Path) -> None:
    Store(db).client_rows(RULES, TODAY)
    kept = summaries.summaries_path(db)
    first, rest = kept.read_bytes().split(b"\n", 1)
    head = orjson.loads(first[9:])
    assert head["summaries"] == summaries.VERSION
    payload = orjson.dumps({**head, "summaries": 1})
    kept.write_bytes(b"%08x " % zlib.crc32(payload) + payload + b"\n" + rest)
    assert summaries.read(db).head is None  # never read as this version's
    assert Store(db).client_rows(RULES, TODAY, include_archived=False) == rescored(db, False)
    assert summaries.read(db).head is not None
