"""Correcting the record: void and restore, move and redate, future dates refused, and two
ratings of one instrument by one rater on the same day; in the store, the CLI, the
exports and imports, and the history screen."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer, Input

from conftest import db_bytes, quick_pin
from fittui.domain.instruments import load_instruments
from fittui.domain.model import REPLACED_SAME_DAY, Administration, now_when, one_per_session
from fittui.storage.journal import UnreadableDatabase
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.client_form import ClientFormScreen
from fittui.ui.screens.correct import CorrectScreen, RestoreScreen, SameDayScreen, VoidScreen
from fittui.ui.screens.episode import EpisodeEndScreen
from fittui.ui.screens.history import HistoryScreen
from fittui.ui.screens.keys import KeysScreen, help_sections
from fittui.ui.screens.result import ResultScreen
from fittui.ui.widgets.row_table import REST_AFTER

TODAY = date(2026, 11, 23)
# Far enough ahead to stay after today while the run passes midnight.
FUTURE = (date.today() + timedelta(days=30)).isoformat()
RATINGS = [  # (instrument, scores, date): C1's record; the third is the one voided
    ("ORS", ["4", "4", "4", "4"], "2026-10-05"),
    ("SRS", ["9", "9", "9", "9"], "2026-10-05"),
    ("ORS", ["9.5", "9.5", "9", "9"], "2026-10-12"),
    ("SRS", ["6", "6", "6", "6"], "2026-10-12"),
    ("ORS", ["6", "6", "6", "6"], "2026-10-19"),
]


def ids(cli, code: str = "C1") -> list[str]:
    return [a["id"] for a in cli("history", code, "--json").json()["administrations"]]


def fill(cli, db_path: Path, ratings=RATINGS) -> None:
    assert cli("add-client", "C1", db_path=db_path).code == 0
    assert cli("add-client", "C2", db_path=db_path).code == 0
    for instrument, scores, when in ratings:
        assert cli("record", "C1", instrument, *scores, "--date", when, db_path=db_path).code == 0


# -- CLI ---------------------------------------------------------------------------------
def test_a_voided_rating_leaves_the_report_as_if_absent_and_stays_in_the_history(cli, db, tmp_path):
    fill(cli, db)
    without = tmp_path / "without" / "fittui.json"
    fill(cli, without, RATINGS[:2] + RATINGS[3:])
    before = cli("report", "--json").out
    voided_id = ids(cli)[2]

    done = cli("void", voided_id, "--reason", "wrong client")
    assert done.code == 0 and "Voided ORS of C1 on 2026-10-12" in done.out
    assert cli("report", "--json").out == cli("report", "--json", db_path=without).out
    assert cli("report", "--json").out != before
    summary = cli("report", "--summary", "--json").out
    assert summary == cli("report", "--summary", "--json", db_path=without).out
    assert cli("clients", "--json").json()[0]["administrations"] == 4

    history = cli("history", "C1", "--json").json()["administrations"]
    assert [a["id"] for a in history] == ids(cli) and len(history) == 5
    voided = history[2]
    assert voided["id"] == voided_id and voided["voided"]["reason"] == "wrong client"
    assert date.fromisoformat(voided["voided"]["at"][:10]) == date.today()
    assert all("voided" not in a for a in history if a["id"] != voided_id)
    assert "VOIDED (wrong client)" in cli("history", "C1").out

    assert cli("unvoid", voided_id).code == 0
    assert cli("report", "--json").out == before
    assert "voided" not in cli("history", "C1", "--json").json()["administrations"][2]


@pytest.mark.parametrize(
    "args, message",
    [
        (["void", "nope", "--reason", "x"], "no rating with id 'nope'"),
        (["void", "{id}", "--reason", "  "], "say why the rating is voided"),
        (["void", "{id}", "--reason", "bad\x1b[2J"], "control character"),
        (["unvoid", "{id}"], "is not voided"),
        (["move", "{id}", "NOPE"], "unknown client 'NOPE'"),
        (["move", "{id}", "C1"], "already has client C1"),
        (["redate", "{id}", FUTURE], "after today"),
        (["redate", "{id}", "12/10/2026"], "not an ISO date"),
        (["redate", "nope", "2026-10-01"], "no rating with id"),
    ],
)
def test_a_correction_that_cannot_be_made_exits_1_and_changes_nothing(cli, db, args, message):
    fill(cli, db, RATINGS[:1])
    first = ids(cli)[0]
    before = db_bytes(db)
    result = cli(*[a.format(id=first) for a in args])
    assert result.code == 1 and message in result.err and result.out == ""
    assert db_bytes(db) == before


def test_corrections_are_listed_in_help_and_refused_read_only(cli, db, capsys):
    with pytest.raises(SystemExit):
        cli("--help")
    out = capsys.readouterr().out
    assert all(f"    {command} " in out for command in ("void", "unvoid", "move", "redate"))
    fill(cli, db, RATINGS[:1])
    [first] = ids(cli)
    before = db_bytes(db)
    for args in (["void", first, "--reason", "x"], ["move", first, "C2"]):
        result = cli("--read-only", *args)
        assert result.code == 1 and "read-only" in result.err
    assert db_bytes(db) == before


def test_void_twice_says_how_to_restore(cli, db):
    fill(cli, db, RATINGS[:1])
    [first] = ids(cli)
    assert cli("void", first, "--reason", "test entry").code == 0
    again = cli("void", first, "--reason", "test entry")
    assert again.code == 1 and f"fittui unvoid {first}" in again.err


def test_move_and_redate_keep_the_old_values_in_the_record(cli, db):
    fill(cli, db, RATINGS[:2])
    ors_id = ids(cli)[0]
    redated = cli("redate", ors_id, "2026-10-04T09:30")
    assert redated.code == 0 and "from 2026-10-05 to 2026-10-04T09:30" in redated.out
    moved = cli("move", ors_id, "C2")
    assert moved.code == 0 and "from C1 to C2" in moved.out
    assert ids(cli) == [ids(cli)[0]] and ors_id not in ids(cli)
    [entry] = cli("history", "C2", "--json").json()["administrations"]
    assert entry["id"] == ors_id and entry["date"] == "2026-10-04T09:30"
    assert [(c["what"], c["old"], c["new"]) for c in entry["corrections"]] == [
        ("date", "2026-10-05", "2026-10-04T09:30"),
        ("client", "C1", "C2"),
    ]
    assert "(date was 2026-10-05; client was C1)" in cli("history", "C2").out
    [row] = [r for r in cli("report", "--json").json() if r["client"] == "C2"]
    assert row["ors_count"] == 1 and row["ors_first"] == 16.0


def test_record_in_the_future_exits_1_with_the_database_byte_identical(cli, db):
    fill(cli, db, RATINGS[:1])
    before = db_bytes(db)
    for when in (FUTURE, f"{FUTURE}T09:00", "2027-05-01"):
        result = cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", when)
        assert result.code == 1 and "after today" in result.err and "future" in result.err
        assert db_bytes(db) == before
    today = cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", date.today().isoformat())
    assert today.code == 0


def test_a_second_rating_the_same_day_is_named_in_the_output(cli, db):
    fill(cli, db, RATINGS[:2])
    first_ors = ids(cli)[0]
    before = ids(cli)
    again = cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-10-05")
    assert again.code == 0
    [note] = [line for line in again.out.splitlines() if line.startswith("Note:")]
    assert f"id {first_ors}" in note and "the later rating counts" in note
    [second_ors] = set(ids(cli)) - {first_ors, *before}
    third = cli("record", "C1", "ORS", "6", "6", "6", "6", "--date", "2026-10-05")
    [note] = [line for line in third.out.splitlines() if line.startswith("Note:")]
    assert f"id {second_ors}" in note  # the first was replaced by the second already

    # Redated into that day, a rating entered before them is replaced by the one after it.
    srs_day = cli("redate", first_ors, "2026-10-06").out
    assert "Note:" not in srs_day
    back = cli("redate", first_ors, "2026-10-05").out.splitlines()
    [note] = [line for line in back if line.startswith("Note:")]
    assert f"id {second_ors}" in note and "entered after this one" in note
    other_rater = cli(
        "record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-10-05", "--rater", "partner"
    )
    assert "Note:" not in other_rater.out
    assert "Note:" not in cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-10-06").out


def test_keep_session_counts_a_second_rating_of_the_day_as_a_session_of_its_own(cli, db):
    """What the app's k does, from the command line: the note on a second rating of the
    day names the command, and after it both count (two sessions that day)."""
    cli("add-client", "X1")
    cli("record", "X1", "ORS", *["5"] * 4, "--date", "2026-11-01T10:00")
    first = ids(cli, "X1")[0]
    alone = cli("keep-session", first)  # the day's only rating: nothing to keep apart
    assert alone.code == 1 and "replaces no earlier rating of its day" in alone.err
    second = cli("record", "X1", "ORS", *["6"] * 4, "--date", "2026-11-01T16:00")
    later = ids(cli, "X1")[-1]
    assert cli("keep-session", first).code == 1  # replaced by the later, replaces none
    assert f"'fittui keep-session {later}' counts both" in second.out
    assert cli("report", "--json").json()[0]["ors_count"] == 1
    kept = cli("keep-session", later)
    assert kept.code == 0 and kept.out.startswith("Kept ORS of X1 on 2026-11-01T16:00 by client")
    history = cli("history", "X1", "--json").json()["administrations"]
    assert [a.get("replaced", False) for a in history] == [False, False]
    assert cli("report", "--json").json()[0]["ors_count"] == 2
    again = cli("keep-session", later)
    assert again.code == 1 and "already kept as a session of its own" in again.err
    cli("void", later, "--reason", "test entry")
    voided = cli("keep-session", later)
    assert voided.code == 1 and "is voided" in voided.err
    assert cli("keep-session", "nope").code == 1


def test_a_rating_replaced_the_same_day_is_no_session_of_its_own(cli, db):
    """Two ORS on one day are one session, the later counting: the next week's ORS is
    session 2, judged by session 2's rule (behind, not off track, without a reliable
    fall), and every place says so: the report, the history and its JSON, the episodes."""
    cli("add-client", "X1")
    for day, scores in [("2026-11-01", "5"), ("2026-11-01", "5")]:
        cli("record", "X1", "ORS", *[scores] * 4, "--date", day)
    cli("record", "X1", "ORS", "4.3", "4.3", "4.2", "4.2", "--date", "2026-11-08")
    [row] = cli("report", "--json").json()
    assert (row["etr_zone"], row["ors_count"], row["episode"]["sessions"]) == ("at_risk", 2, 2)
    assert "off_track" not in row["flags"]
    history = cli("history", "X1", "--json").json()["administrations"]
    assert [a.get("replaced", False) for a in history] == [True, False, False]
    text = cli("history", "X1").out
    assert "at session 2: behind" in text and "REPLACED (by a later ORS that day)" in text


def test_import_names_a_same_day_rating_and_refuses_a_future_one(cli, db, tmp_path):
    fill(cli, db, RATINGS[:1])
    header = "client,date,instrument,item1,item2,item3,item4\n"
    same_day = tmp_path / "same.csv"
    same_day.write_text(header + "C1,2026-10-05,ORS,5,5,5,5\n")
    result = cli("import", same_day)
    assert result.code == 0 and f"id {ids(cli)[0]}" in result.out

    before = db_bytes(db)
    future = tmp_path / "future.csv"
    future.write_text(header + "C1,2026-10-06,ORS,5,5,5,5\n" + f"C1,{FUTURE},ORS,5,5,5,5\n")
    refused = cli("import", future)
    assert refused.code == 1 and f"future.csv:3: column date: date {FUTURE} is after today" in (
        refused.err
    )
    assert db_bytes(db) == before

    data = json.loads(cli("export", "--format", "json").out)
    data["administrations"][0]["date"] = FUTURE
    data["administrations"][0]["id"] = "fresh"
    future_json = tmp_path / "future.json"
    future_json.write_text(json.dumps(data))
    refused = cli("import", future_json)
    assert refused.code == 1 and "administrations[0].date: date" in refused.err
    assert db_bytes(db) == before


# -- exports and imports ------------------------------------------------------------------
def corrected(cli, db) -> list[str]:
    """C1's record with one rating voided and one moved and redated; returns the ids."""
    fill(cli, db)
    found = ids(cli)
    assert cli("void", found[2], "--reason", "entered twice").code == 0
    assert cli("redate", found[4], "2026-10-20").code == 0
    assert cli("move", found[4], "C2").code == 0
    return found


def test_json_export_carries_voided_and_corrections_and_comes_back(cli, db, tmp_path):
    found = corrected(cli, db)
    first = cli("export", "--format", "json").out
    records = {a["id"]: a for a in json.loads(first)["administrations"]}
    assert records[found[2]]["voided"]["reason"] == "entered twice"
    assert [c["what"] for c in records[found[4]]["corrections"]] == ["date", "client"]
    path = tmp_path / "out.json"
    path.write_text(first)
    empty = tmp_path / "empty" / "fittui.json"
    assert cli("import", path, db_path=empty).code == 0
    assert cli("export", "--format", "json", db_path=empty).out == first
    assert Store(empty).all_administrations() == Store(db).all_administrations()
    assert cli("report", "--json", db_path=empty).out == cli("report", "--json").out


def test_csv_export_has_a_voided_column_and_comes_back(cli, db, tmp_path):
    found = corrected(cli, db)
    first = cli("export", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(first)))
    assert [r["voided"] for r in rows if r["client"] == "C1"] == ["", "", "entered twice", ""]
    assert all(r["voided_at"] == "" for r in rows if not r["voided"])
    path = tmp_path / "out.csv"
    path.write_text(first, newline="")
    empty = tmp_path / "empty" / "fittui.json"
    assert cli("import", path, db_path=empty).code == 0
    assert cli("export", "--format", "csv", db_path=empty).out == first
    [voided] = [a for a in Store(empty).all_administrations() if a.voided]
    assert voided.voided == Store(db).administration(found[2]).voided
    assert cli("report", "--json", db_path=empty).out == cli("report", "--json").out


def test_fhir_marks_a_voided_rating_entered_in_error(cli, db):
    found = corrected(cli, db)
    bundle = cli("export", "--format", "fhir").json()
    status = {
        e["resource"]["id"]: e["resource"]["status"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    }
    assert status.pop(found[2]) == "entered-in-error"
    assert set(status.values()) == {"completed"} and len(status) == 4


def test_the_client_page_leaves_a_voided_rating_out(cli, db):
    fill(cli, db)
    voided = ids(cli)[2]
    page = cli("export", "--format", "html", "--client", "C1").out
    assert "2026-10-12" in page
    cli("void", voided, "--reason", "entered twice")
    page = cli("export", "--format", "html", "--client", "C1").out
    assert "9.5" not in page and "entered twice" not in page
    assert page.count("<tr><td") == 4


def test_import_checks_the_voided_flag_and_corrections(cli, db, tmp_path):
    fill(cli, db, RATINGS[:1])
    header = "client,date,instrument,item1,item2,item3,item4,voided,voided_at\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "C1,2026-10-06,ORS,5,5,5,5,,2026-10-07T10:00:00\n")
    result = cli("import", bad)
    assert result.code == 1 and "bad.csv:2: column voided_at: a time without a reason" in result.err
    data = json.loads(cli("export", "--format", "json").out)
    data["administrations"][0] |= {
        "id": "other",
        "voided": {"reason": "x"},
        "corrections": [
            {"what": "items", "old": "a", "new": "b", "at": "2026-10-07T10:00:00"},
            {"what": "client", "old": "C\x1b[2J", "new": "C1", "at": "2026-10-07T10:00:00"},
            {"what": "date", "old": "2026-10-01", "new": "2026-10-05", "at": "yesterday"},
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    result = cli("import", path)
    assert result.code == 1
    assert "administrations[0].voided: missing at" in result.err
    assert "administrations[0].corrections[0].what: must be one of client, date" in result.err
    assert "administrations[0].corrections[1].old: client code 'C\\x1b[2J'" in result.err
    assert "administrations[0].corrections[2].at: 'yesterday' is not an ISO date" in result.err


# -- the store ----------------------------------------------------------------------------
def test_an_old_database_without_the_new_fields_loads_unchanged(tmp_path, instruments):
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1")
    saved = store.record(
        "C1",
        instruments["ORS"],
        dict.fromkeys(("individually", "interpersonally", "socially", "overall"), 50),
        "2026-10-05",
    )
    doc = store._raw("administrations")[saved.id]
    assert "voided" not in doc and "corrections" not in doc
    store.close()
    again = Store(path)
    assert again.administrations() == again.all_administrations() == [saved]


@pytest.mark.parametrize(
    "field, message",
    [
        ({"voided": {"reason": 3, "at": "x"}}, "a voided rating needs a reason and a time"),
        ({"voided": {"reason": "x"}}, "a voided rating needs a reason and a time"),
        ({"corrections": [{"what": "date", "old": "a"}]}, "a correction needs what, old, new"),
        (
            {"corrections": [{"what": "items", "old": "a", "new": "b", "at": "c"}]},
            "only client and date are corrected",
        ),
        ({"own_session": True}, "own_session"),
        ({"own_session": ""}, "own_session"),
    ],
)
def test_a_damaged_correction_makes_the_database_unreadable(tmp_path, instruments, field, message):
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1")
    items = dict.fromkeys(("individually", "interpersonally", "socially", "overall"), 50)
    saved = store.record("C1", instruments["ORS"], items, "2026-10-05")
    store._administrations.update(field, doc_ids=[saved.id])
    store.close()
    with pytest.raises(UnreadableDatabase, match=message):
        Store(path).clients()


# -- the app -----------------------------------------------------------------------------
@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("C1")
    store.add_client("C2")
    ors, srs = load_instruments()["ORS"], load_instruments()["SRS"]
    for n, day in enumerate(("2026-11-02", "2026-11-09", "2026-11-16")):
        store.record(
            "C1",
            ors,
            dict.fromkeys(("individually", "interpersonally", "socially", "overall"), 40 + 10 * n),
            f"{day}T10:00",
        )
        store.record(
            "C1",
            srs,
            dict.fromkeys(("relationship", "goals_topics", "approach", "overall"), 90),
            f"{day}T10:50",
        )
    store.close()
    return path


def app_for(path: Path):
    return make_app(path, settings=Settings(pin=quick_pin()), today=TODAY)


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Pause until ``condition()`` holds (the history's table fills after the paint, later
    on a busy machine); fail if it never does."""
    for _ in range(int(seconds / REST_AFTER)):
        if condition():
            return
        await pilot.pause(REST_AFTER)
    assert condition()


async def open_history(pilot, code: str = "C1") -> HistoryScreen:
    """Open a history and wait for its table of every rating."""
    pilot.app.open_history(code)
    screen = pilot.app.screen

    def filled() -> bool:
        tables = screen.query("#sessions")
        return bool(tables) and tables.first(DataTable).row_count == len(screen.record) > 0

    await until(pilot, lambda: isinstance(screen, HistoryScreen) and filled())
    # The table's height settles a refresh or two after its rows are in (the sideways
    # scrollbar): wait until the page's scroll range holds still.
    page = screen.query_one("#history")
    seen: list[int] = []
    await until(pilot, lambda: seen.append(page.max_scroll_y) or seen[-3:] == [seen[-1]] * 3)
    return screen


def table_notes(screen) -> list[str]:
    table = screen.query_one("#sessions", DataTable)
    return [str(table.get_row_at(row)[5]) for row in range(table.row_count)]


async def test_v_voids_the_chosen_rating_after_showing_it_and_v_restores_it(record):
    app = app_for(record)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=1)  # the latest ORS
        await pilot.press("v")
        assert isinstance(app.screen, VoidScreen)
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "ORS · 2026-11-16 10:00 · rated by client · 6.0 6.0 6.0 6.0 · total 24.0" in shown
        await pilot.press("escape")
        assert app.screen is screen and Store(record).all_administrations()[4].voided is None
        await pilot.press("v", "down", "enter")  # the second reason on the list
        await until(pilot, lambda: table_notes(screen)[1] == "VOIDED wrong instrument. ")
        assert app.screen is screen
        latest = Store(record).all_administrations()[4]
        assert latest.voided is not None and latest.voided.reason == "wrong instrument"
        assert screen.summary.progress.latest.date == "2026-11-09T10:00"  # counts nowhere
        assert screen.query_one("#sessions", DataTable).cursor_row == 1

        await pilot.press("v")
        assert isinstance(app.screen, RestoreScreen)
        await pilot.press("enter")
        await until(pilot, lambda: table_notes(screen)[1] == "")
        assert Store(record).all_administrations()[4].voided is None
        assert screen.summary.progress.latest.date == "2026-11-16T10:00"


async def test_a_typed_reason_voids_and_a_blank_one_is_refused(record):
    app = app_for(record)
    async with app.run_test(size=(60, 20)) as pilot:
        await open_history(pilot)
        await pilot.press("tab", "v", "tab", "enter")
        assert isinstance(app.screen, VoidScreen)
        assert "say why" in str(app.screen.query_one("#error").render())
        await pilot.press(*"rated for C2", "enter")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert Store(record).all_administrations()[5].voided.reason == "rated for C2"


async def test_e_moves_or_redates_the_chosen_rating_and_refuses_a_future_date(record):
    app = app_for(record)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=1)
        await pilot.press("e")
        assert isinstance(app.screen, CorrectScreen)
        dialog = app.screen
        dialog.query_one("#date", Input).value = "2026-11-24 10:00"  # the day after TODAY
        await pilot.press("enter")
        assert app.screen is dialog and "after today" in str(dialog.query_one("#error").render())
        dialog.query_one("#date", Input).value = "2026-11-15 10:00"
        dialog.query_one("#client", Input).value = "C2"
        await pilot.press("enter")
        table = screen.query_one("#sessions", DataTable)
        await until(pilot, lambda: table.row_count == 5)
        assert app.screen is screen
        moved = Store(record).all_administrations()[4]
        assert (moved.client, moved.date) == ("C2", "2026-11-15T10:00")
        assert [(c.what, c.old) for c in moved.corrections] == [
            ("date", "2026-11-16T10:00"),
            ("client", "C1"),
        ]


async def test_the_history_shows_corrections_beside_the_rating(record):
    store = Store(record)
    first = store.all_administrations()[0]
    store.redate(first.id, "2026-11-01T10:00")
    store.close()
    app = app_for(record)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        assert table_notes(app.screen)[-1] == "(date was 2026-11-02 10:00)"


async def test_read_only_refuses_corrections(record):
    app = make_app(record, read_only=True, settings=Settings(), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        await pilot.press("v", "e")
        assert isinstance(app.screen, HistoryScreen)


async def test_a_second_rating_the_same_day_asks_whether_it_replaces_the_first(record):
    store = Store(record)
    ors = load_instruments()["ORS"]
    items = dict.fromkeys(("individually", "interpersonally", "socially", "overall"), 70)
    first = store.record("C1", ors, items, now_when())
    second = store.record("C1", ors, items, now_when())
    app = app_for(record)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ResultScreen("C1", [second]))
        await pilot.pause()
        assert isinstance(app.screen, SameDayScreen)
        shown = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Earlier: ORS" in shown and "Now: ORS" in shown
        assert footer_keys(app.screen) == [  # its own keys, not the result's
            ("r", "Void the earlier"),
            ("k", "Two sessions"),
            ("esc", "Leave it so"),
            ("?", "Keys"),
        ]
        await pilot.press("r")
        assert isinstance(app.screen, ResultScreen)
    assert Store(record).administration(first.id).voided.reason == REPLACED_SAME_DAY
    assert Store(record).administration(second.id).voided is None


@pytest.mark.parametrize("key", ["k", "escape"])
async def test_keeping_both_ratings_the_same_day_or_leaving_them_voids_nothing(record, key):
    """k keeps the new rating as a session of its own: both count. Escape writes nothing:
    the new one counts in place of the earlier, which the history shows as replaced."""
    store = Store(record)
    ors, srs = load_instruments()["ORS"], load_instruments()["SRS"]
    items = dict.fromkeys(("individually", "interpersonally", "socially", "overall"), 70)
    first = store.record("C1", ors, items, now_when())
    second = store.record("C1", ors, items, now_when())
    srs_items = dict.fromkeys(("relationship", "goals_topics", "approach", "overall"), 90)
    alone = store.record("C1", srs, srs_items, now_when())
    app = app_for(record)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ResultScreen("C1", [alone]))
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)  # nothing to ask about
        app.push_screen(ResultScreen("C1", [second]))
        await pilot.pause()
        await pilot.press(key)
        assert isinstance(app.screen, ResultScreen)
        app.pop_screen()
        app.pop_screen()
        await open_history(pilot)
        notes = table_notes(app.screen)
    after = Store(record)
    assert not [a for a in after.all_administrations() if a.voided]
    assert (after.administration(second.id).own_session is not None) == (key == "k")
    replaced = [n.strip() for n in notes if n.startswith("REPLACED")]
    assert replaced == ([] if key == "k" else ["REPLACED by a later ORS that day."])
    assert (first.id in {a.id for a in one_per_session(after.administrations("C1"))}) == (
        key == "k"
    )


async def test_the_dialog_names_only_the_rating_the_new_one_replaces(record):
    """A third ORS of the day, after one kept as a session of its own: it replaces the
    kept one alone, so r voids that one and the first still counts."""
    store = Store(record)
    ors = load_instruments()["ORS"]
    items = dict.fromkeys(("individually", "interpersonally", "socially", "overall"), 70)
    first, kept = (store.record("C1", ors, items, now_when()) for _ in range(2))
    store.keep_as_own_session(kept.id)
    third = store.record("C1", ors, items, now_when())
    app = app_for(record)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ResultScreen("C1", [third]))
        await pilot.pause()
        assert app.screen.earlier.id == kept.id
        await pilot.press("r")
    after = Store(record)
    assert after.administration(kept.id).voided is not None
    assert after.administration(first.id).voided is None


def test_a_rating_pairs_only_with_its_neighbours_of_one_instrument_rater_and_day():
    """A rating replaces the one of its session entered just before it, and is replaced by
    the one entered just after it; a rating kept as its own session neither replaces nor is
    replaced by the one before it, and those further off are someone else's pair."""
    from fittui.domain.model import Voided, one_per_session, session_neighbours

    def rating(id: str, instrument="ORS", when="2026-11-02T10:00", rater="client", **marks):
        return Administration(id, "C1", instrument, when, {"a": 1}, rater, "", **marks)

    first, srs, partner, next_day = (
        rating("1"),
        rating("2", "SRS"),
        rating("3", rater="partner"),
        rating("4", when="2026-11-03"),
    )
    gone = rating("5", voided=Voided("test entry", "2026-11-02T11:00:00"))
    later = rating("6", when="2026-11-02T11:30")
    everything = [first, srs, partner, next_day, gone, later]
    assert session_neighbours(later, everything) == (first, None)
    assert session_neighbours(first, everything) == (None, later)
    assert session_neighbours(gone, everything) == (None, None)
    assert session_neighbours(rating("7"), everything) == (None, None)  # not among them

    kept = rating("8", when="2026-11-02T12:00", own_session="2026-11-02T12:01:00")
    last = rating("9", when="2026-11-02T13:00")
    day = [first, later, kept, last]
    assert session_neighbours(later, day) == (first, None)  # kept does not replace it
    assert session_neighbours(kept, day) == (None, last)
    assert session_neighbours(last, day) == (kept, None)  # not first or later: done already
    assert [a.id for a in one_per_session(day)] == ["6", "9"]


# -- snapshots ---------------------------------------------------------------------------
SIZES = [(80, 24), (60, 20)]


@pytest.fixture
def corrected_record(record: Path) -> Path:
    store = Store(record)
    found = store.all_administrations()
    store.void(found[2].id, "entered twice")
    store.redate(found[4].id, "2026-11-17T10:00")
    store.close()
    return record


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_of_a_corrected_history(snap_compare, corrected_record, size):
    async def run_before(pilot) -> None:
        await open_history(pilot)
        await pilot.press("end")
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(REST_AFTER * 4)

    assert snap_compare(app_for(corrected_record), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_of_the_void_dialog(snap_compare, corrected_record, size):
    async def run_before(pilot) -> None:
        await open_history(pilot)
        await pilot.press("tab")
        await pilot.wait_for_scheduled_animations()  # Tab scrolls the table into view
        await pilot.press("v")
        await until(pilot, lambda: isinstance(pilot.app.screen, VoidScreen))
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(REST_AFTER * 4)

    assert snap_compare(app_for(corrected_record), run_before=run_before, terminal_size=size)


def footer_keys(screen) -> list[tuple[str, str]]:
    footer = screen.query_one(Footer)
    return [(key.key_display, key.description) for key in footer.query("FooterKey")]


@pytest.mark.parametrize("size", SIZES)
async def test_the_history_dialogs_show_their_own_keys_in_the_footer(record, size):
    """Each dialog over the history has a footer of its own keys: the history's, which do
    nothing while it is open, no longer show under it."""
    app = app_for(record)
    async with app.run_test(size=size) as pilot:
        screen = await open_history(pilot)
        screen.query_one("#sessions", DataTable).move_cursor(row=1)
        expected = {
            "v": (VoidScreen, [("esc", "Cancel"), ("?", "Keys")]),
            "e": (CorrectScreen, [("esc", "Cancel"), ("F1", "Keys")]),  # ? types in a field
            "x": (EpisodeEndScreen, [("esc", "Cancel"), ("?", "Keys")]),
        }
        for key, (dialog, keys) in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, dialog)
            assert footer_keys(app.screen) == keys
            await pilot.press("question_mark" if keys[-1][0] == "?" else "f1")
            assert isinstance(app.screen, KeysScreen)
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert app.screen is screen
        await pilot.press("v", "enter")  # void it, then v again offers to restore it
        await until(pilot, lambda: table_notes(screen)[1] != "")
        await pilot.press("v")
        assert isinstance(app.screen, RestoreScreen)
        assert footer_keys(app.screen) == [("⏎", "Restore"), ("esc", "Cancel"), ("?", "Keys")]
        await pilot.press("escape")
        help_rows = dict(help_sections(EpisodeEndScreen("?"))[1][1])  # "More keys"
        assert help_rows["1"] == "planned ending"


async def test_the_client_form_shows_its_own_keys(record):
    async with make_app(record, today=TODAY).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ClientFormScreen)
        assert footer_keys(pilot.app.screen) == [("esc", "Cancel"), ("F1", "Keys")]
