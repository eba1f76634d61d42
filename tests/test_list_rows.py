"""Issue 16, the list's start: the client list reads each active client's kept row cut to
what it shows (``summaries.LIST_FIELDS``), from lines of their own, a third of the bytes.

Cutting must never change what the list shows nor what any other reader gets: the list's
rows are a full rescore's cut to those fields, every other reader gets whole rows, a damaged
list line is noticed, and a file written before there were list lines is read as it is and
written anew.
"""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import caseload_with_archived, rate_ors, rescored_rows
from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.storage import derived, summaries
from fittui.storage.demo import make_demo_database
from fittui.storage.derived import ClientRow, Rules
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.cells import since_same, since_words
from fittui.ui.widgets.row_table import RowTable

INSTRUMENTS = load_instruments()
RULES = Rules(INSTRUMENTS, default_parameters(), 90)
TODAY = date(2026, 3, 1)
CODES = ("C1", "C2", "C3", "C4")


def cut(rows: dict[str, ClientRow]) -> dict[str, ClientRow]:
    """Rows as the list may read them: each report cut to the list's fields."""
    return {
        code: row._replace(report={k: row.report[k] for k in summaries.LIST_FIELDS})
        for code, row in rows.items()
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return caseload_with_archived(tmp_path / "data" / "fittui.json", ("C3",))


def no_deriving(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: Any) -> None:
        raise AssertionError("a row was derived again")

    monkeypatch.setattr(derived, "derive_row", refused)


def test_the_list_reads_the_active_rows_cut_and_every_other_reader_whole(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = rescored_rows(db, RULES, TODAY)
    assert Store(db).client_rows(RULES, TODAY) == every  # the file written whole
    no_deriving(monkeypatch)
    listed = summaries.read(db, archived=False, full=False)
    assert not listed.full and not listed.whole and not listed.outdated
    assert set(listed.rows) == {"C1", "C2", "C4"}
    store = Store(db)
    active = store.client_rows(RULES, TODAY, include_archived=False, for_list=True)
    assert active == cut({code: every[code] for code in ("C1", "C2", "C4")})
    # The same store asked for whole rows (the caseload, a command) reads them whole.
    assert store.client_rows(RULES, TODAY, include_archived=False) == {
        code: every[code] for code in ("C1", "C2", "C4")
    }
    assert store.client_rows(RULES, TODAY) == every
    assert Store(db).client_row_docs(RULES, TODAY)["C1"][1] == every["C1"].to_json()
    assert summaries.read(db).full


def test_a_save_s_whole_row_is_read_by_the_list_over_its_older_list_row(db: Path) -> None:
    Store(db).client_rows(RULES, TODAY)
    store = Store(db)
    rate_ors(store, "C2", 9, 40)
    store.client_rows(RULES, TODAY)  # C1's and C2's rows appended, whole
    listed = Store(db).client_rows(RULES, TODAY, include_archived=False, for_list=True)
    assert cut(listed) == cut(rescored_rows(db, RULES, TODAY, include_archived=False))
    assert listed["C2"] == rescored_rows(db, RULES, TODAY)["C2"]  # from the appended line


def test_a_damaged_list_line_is_noticed_and_the_file_written_anew(db: Path) -> None:
    Store(db).client_rows(RULES, TODAY)
    kept = summaries.summaries_path(db)
    lines = kept.read_bytes().splitlines(keepends=True)
    assert lines[1][8:9] == summaries.LIST_ROWS
    lines[1] = lines[1].replace(b'"attention":', b'"attention":1', 1)  # its CRC fails
    kept.write_bytes(b"".join(lines))
    assert summaries.read(db, archived=False, full=False).damaged
    listed = Store(db).client_rows(RULES, TODAY, include_archived=False, for_list=True)
    assert cut(listed) == cut(rescored_rows(db, RULES, TODAY, include_archived=False))
    assert not summaries.read(db).damaged
    assert summaries.read(db, full=False).rows.keys() == set(CODES)


def test_a_file_written_without_list_rows_is_believed_then_written_anew(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = rescored_rows(db, RULES, TODAY)
    Store(db).client_rows(RULES, TODAY)
    kept = summaries.summaries_path(db)
    # As a fittui before the list rows wrote it: no "list" in the head, the active
    # clients' whole rows in lines every reader reads, no list lines.
    lines = kept.read_bytes().splitlines(keepends=True)
    head = orjson.loads(lines[0][9:])
    del head["list"]
    payload = orjson.dumps(head)
    older = [b"%08x " % zlib.crc32(payload) + payload + b"\n"]
    for line in lines[1:]:
        if line[8:9] == summaries.FULL_ROWS:
            older.append(line[:8] + b" " + line[9:])
        elif line[8:9] != summaries.LIST_ROWS:
            older.append(line)
    kept.write_bytes(b"".join(older))
    assert summaries.read(db).outdated
    no_deriving(monkeypatch)
    assert Store(db, read_only=True).client_rows(RULES, TODAY, False, for_list=True) == {
        code: every[code] for code in ("C1", "C2", "C4")
    }
    assert summaries.read(db).outdated  # never written by --read-only
    listed = Store(db).client_rows(RULES, TODAY, include_archived=False, for_list=True)
    assert listed == {code: every[code] for code in ("C1", "C2", "C4")}
    now = summaries.read(db)
    assert not now.outdated and now.rows.keys() == set(CODES)
    assert not summaries.read(db, archived=False, full=False).full


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(CODES), st.integers(0, 40)),
        st.tuples(st.just("archive"), st.sampled_from(CODES), st.booleans()),
        st.tuples(st.just("list"), st.booleans(), st.booleans()),
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(STEPS)
def test_the_rows_whole_or_cut_equal_a_full_rescore_whatever_is_saved_or_archived(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple]
) -> None:
    db = tmp_path_factory.mktemp("listed") / "fittui.json"
    store = Store(db)
    for code in CODES:
        store.add_client(code)
    store.link("C1", "C2")
    watcher = Store(db)  # the app: its list's rows, whole rows when something asks
    for step in steps:
        if step[0] == "record":
            rate_ors(store, step[1], 5, step[2])
        elif step[0] == "archive":
            store.update_client(step[1], archived=step[2])
        else:
            rows = watcher.client_rows(RULES, TODAY, step[1], for_list=step[2])
            expected = rescored_rows(db, RULES, TODAY, step[1])
            assert (cut(rows) == cut(expected)) if step[2] else rows == expected
        active = rescored_rows(db, RULES, TODAY, False)
        for reader in (watcher, Store(db)):  # the one that saw each step, and a fresh one
            assert cut(reader.client_rows(RULES, TODAY, False, for_list=True)) == cut(active)
            assert reader.client_rows(RULES, TODAY, False) == active
        assert Store(db, read_only=True).client_rows(RULES, TODAY) == rescored_rows(
            db, RULES, TODAY
        )


def table_cells(app: Any) -> list[list[tuple[str, str]]]:
    table = app.screen.query_one(RowTable)
    return [
        [(cell.plain, repr(cell.spans), str(cell.style)) for cell in table.get_row(row.key)]
        for row in table.ordered_rows
    ]


async def shown_list(db: Path, size: tuple[int, int]) -> list[list[tuple[str, str]]]:
    app = make_app(db, settings=Settings(), today=TODAY)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.3)
        assert app.screen.query_one(RowTable).complete
        return table_cells(app)


@pytest.mark.parametrize("size", [(100, 40), (60, 20)])
async def test_the_list_shows_the_same_from_list_rows_as_from_whole_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    db = make_demo_database(tmp_path / "demo", TODAY)
    client_rows = Store.client_rows

    def whole(store: Store, *args: Any, for_list: bool = False, **kwargs: Any) -> Any:
        return client_rows(store, *args[:3], **kwargs)  # never cut

    monkeypatch.setattr(Store, "client_rows", whole)
    from_whole = await shown_list(db, size)
    monkeypatch.setattr(Store, "client_rows", client_rows)
    assert not summaries.read(db, archived=False, full=False).full  # read from list rows
    assert await shown_list(db, size) == from_whole


def test_a_day_since_same_gives_is_said_in_the_same_words() -> None:
    for days in [None, *range(-3, 3000)]:
        assert since_words(since_same(days)) == since_words(days)
