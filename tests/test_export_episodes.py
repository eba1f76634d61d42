"""Episode starts and ends travel with the ratings: out in CSV and JSON, back in with the
same checks as every other value, the same episodes on the other side."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import db_bytes
from fittui.domain.episodes import split_episodes
from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration, Client
from fittui.formats.csv_json import export_csv, export_json
from fittui.formats.importing import ImportFailed, plan_import, plan_import_file
from fittui.storage.store import Store

TODAY = date(2026, 11, 20)
ORS = {"individually": 50, "interpersonally": 50, "socially": 60, "overall": 60}


def rating(n: int, code: str, day: str) -> Administration:
    return Administration(f"a{n}", code, "ORS", day, dict(ORS))


@pytest.fixture
def practice(tmp_path: Path) -> Store:
    """Two clients: C1 with a planned ending and a new episode, C2 started by hand."""
    store = Store(tmp_path / "practice" / "fittui.json")
    clients = [Client("C1", "adult"), Client("C2", "adolescent", "Thursdays")]
    days = ["2026-01-05", "2026-01-12", "2026-02-02", "2026-06-01", "2026-06-08"]
    ratings = [rating(n, "C1", day) for n, day in enumerate(days)]
    ratings.append(rating(9, "C2", "2026-03-03"))
    store.import_batch(clients, ratings)
    store.add_episode_events("C1", [("end", "2026-02-02", "planned")])
    store.add_episode_events("C1", [("start", "2026-05-30", None)])
    store.add_episode_events("C2", [("start", "2026-03-01", None)])
    store.add_episode_events("C2", [("end", "2026-03-10", "dropout")])
    return store


def episodes(store: Store) -> dict[str, list[tuple]]:
    """Each client's episodes as the history shows them: number, days, reason, ratings."""
    return {
        c.code: [
            (e.number, e.start, e.end, e.reason, [a.date for a in e.administrations])
            for e in split_episodes(store.administrations(c.code), store.episode_events(c.code))
        ]
        for c in store.clients()
    }


def everything(store: Store) -> tuple[list[Client], list[Administration], list]:
    events = [e for events in store.episode_events_by_client().values() for e in events]
    return store.clients(), store.administrations(), events


def import_into(path: Path, text: str, name: str) -> Store:
    store = Store(path)
    plan = plan_import_file(text.encode(), name, load_instruments(), {}, TODAY)
    store.import_batch(plan.new_clients, plan.administrations, plan.episode_events)
    return store


def test_json_round_trip_keeps_every_episode_and_event(practice, tmp_path):
    text = export_json(*everything(practice))
    events = json.loads(text)["episode_events"]
    assert [(e["client"], e["kind"], e["reason"]) for e in events] == [
        ("C1", "end", "planned"),
        ("C1", "start", None),
        ("C2", "start", None),
        ("C2", "end", "dropout"),
    ]
    copy = import_into(tmp_path / "copy" / "fittui.json", text, "x.json")
    assert episodes(copy) == episodes(practice)
    assert copy.episode_events_by_client() == practice.episode_events_by_client()  # ids too
    assert [n for n, *_ in episodes(copy)["C1"]] == [1, 2]
    assert export_json(*everything(copy)) == text


def test_csv_round_trip_keeps_every_episode_in_its_own_section(practice, tmp_path):
    text = export_csv(*everything(practice)[:2], load_instruments(), everything(practice)[2])
    section = text.split("\r\n\r\n")[1]
    assert section.splitlines() == [
        "client,episode,date,reason",
        "C1,end,2026-02-02,planned",
        "C1,start,2026-05-30,",
        "C2,start,2026-03-01,",
        "C2,end,2026-03-10,dropout",
    ]
    copy = import_into(tmp_path / "copy" / "fittui.json", text, "x.csv")
    assert episodes(copy) == episodes(practice)
    again = export_csv(*everything(copy)[:2], load_instruments(), everything(copy)[2])
    assert again == text


def test_importing_the_same_events_twice_adds_nothing(practice, tmp_path):
    text = export_json(*everything(practice))
    copy = import_into(tmp_path / "copy" / "fittui.json", text, "x.json")
    import_into(copy.path, text, "x.json")
    assert len(everything(Store(copy.path))[2]) == 4
    assert episodes(Store(copy.path)) == episodes(practice)


def test_a_file_without_episode_events_imports_as_before(practice):
    doc = json.loads(export_json(*everything(practice)))
    del doc["episode_events"]
    plan = plan_import_file(json.dumps(doc).encode(), "old.json", load_instruments(), {}, TODAY)
    assert plan.episode_events == [] and len(plan.administrations) == 6


def test_an_event_of_a_client_without_ratings_is_left_out_of_the_csv(practice):
    practice.add_client("C3")
    practice.add_episode_events("C3", [("start", "2026-04-01", None)])
    text = export_csv(*everything(practice)[:2], load_instruments(), everything(practice)[2])
    assert "C3" not in text
    assert '"C3"' in export_json(*everything(practice))


CSV_HEAD = "client,date,instrument,item1,item2,item3,item4\r\nC1,2026-01-05,ORS,5,5,6,6\r\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("ZZ,start,2026-01-05,", "x.csv:5: column client: unknown client 'ZZ'"),
        ("C1,end,2026-01-05,cured", "x.csv:5: column reason: unknown reason 'cured' (one of"),
        ("C1,end,2026-01-05,", "x.csv:5: column reason: an episode's end needs its reason"),
        ("C1,start,2026-01-05,planned", "x.csv:5: column reason: an episode's start has no"),
        ("C1,begin,2026-01-05,", "x.csv:5: column episode: must be start or end"),
        ("C1,start,yesterday,", "x.csv:5: column date: date 'yesterday' is not an ISO date"),
        ("C1,start,2026-01-05T10:00,", "x.csv:5: column date: date '2026-01-05T10:00' is not"),
        ("C1,start,2027-01-05,", "x.csv:5: column date: date 2027-01-05 is after today"),
        ("C1,start,2026-01-05", "x.csv:5: episode section: expected 4 columns, found 3"),
    ],
)
def test_a_bad_csv_event_names_line_and_column(row, message):
    text = CSV_HEAD + "\r\nclient,episode,date,reason\r\n" + row + "\r\n"
    with pytest.raises(ImportFailed) as failed:
        plan_import(text.encode(), "x.csv", load_instruments(), {}, TODAY)
    assert any(line.startswith(message) for line in failed.value.errors), failed.value.errors


def test_a_csv_event_may_name_a_client_already_in_the_database():
    text = (
        "client,date,instrument,item1\r\n\r\nclient,episode,date,reason\r\nK1,start,2026-01-05,\r\n"
    )
    known = {"K1": Client("K1", "adult")}
    plan = plan_import(text.encode(), "x.csv", load_instruments(), known, TODAY)
    assert [(e.client, e.kind, e.date) for e in plan.episode_events] == [
        ("K1", "start", "2026-01-05")
    ]


def test_bad_json_events_are_named_by_path_and_nothing_is_saved(cli, db, practice, tmp_path):
    cli("add-client", "K1")
    before = db_bytes(db)
    doc = json.loads(export_json(*everything(practice)))
    good = doc["episode_events"][0]
    doc["episode_events"] += [
        {**good, "id": "e1", "client": "ZZ"},
        {**good, "id": "e2", "reason": "cured"},
        {**good, "id": "e3", "date": "2026-13-01"},
        {**good, "id": "e4", "kind": "start", "reason": 3},
        {**good, "id": good["id"]},
        {"client": "C1", "kind": "start", "date": "2026-01-05", "extra": 1},
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = cli("import", path)
    assert result.code == 1
    for expected in [
        "bad.json: episode_events[4].client: unknown client 'ZZ'",
        "bad.json: episode_events[5].reason: unknown reason 'cured' (one of planned, dropout",
        "bad.json: episode_events[6].date: date '2026-13-01' is not an ISO date",
        "bad.json: episode_events[7].reason: must be text or null",
        f"bad.json: episode_events[8].id: id {good['id']} is used twice",
        "bad.json: episode_events[9]: unknown field extra",
    ]:
        assert expected in result.err, (expected, result.err)
    assert db_bytes(db) == before


event_cells = st.sampled_from(
    ["C1", "ZZ", "start", "end", "planned", "dropout", "", "2026-01-05", "2031-01-01", "=1", "é\0"]
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(event_cells, min_size=0, max_size=5), max_size=5))
def test_hostile_episode_rows_either_import_or_fail_cleanly(rows):
    text = CSV_HEAD + "client,episode,date,reason\r\n" + "\r\n".join(",".join(r) for r in rows)
    try:
        plan = plan_import(text.encode(), "h.csv", load_instruments(), {}, TODAY)
    except ImportFailed as exc:
        assert exc.errors and all(line.startswith("h.csv") for line in exc.errors)
    else:
        for event in plan.episode_events:
            assert event.client == "C1" and event.date <= TODAY.isoformat()
            assert (event.kind, event.reason in ("planned", "dropout")) in (
                ("start", False),
                ("end", True),
            )


@pytest.mark.parametrize("form", ["json", "csv"])
def test_export_then_import_from_the_command_line_gives_the_same_episodes(cli, db, tmp_path, form):
    cli("add-client", "C1")

    def ago(days: int) -> str:  # the command line checks dates against the real today
        return (date.today() - timedelta(days=days)).isoformat()

    for day in (ago(60), ago(50)):
        assert cli("record", "C1", "ORS", "5", "5", "6", "6", "--date", day).code == 0
    assert cli("episode", "end", "C1", "--reason", "planned", "--date", ago(50)).code == 0
    assert cli("episode", "start", "C1", "--date", ago(20)).code == 0
    assert cli("record", "C1", "ORS", "6", "6", "7", "7", "--date", ago(10)).code == 0
    listed = cli("episode", "list", "C1", "--json").json()
    assert [e["reason"] for e in listed["episodes"]] == ["planned", None]
    path = tmp_path / f"out.{form}"
    assert cli("export", "--format", form, "-o", path).code == 0
    empty = tmp_path / "empty" / "fittui.json"
    result = cli("import", path, db_path=empty)
    assert result.code == 0, result.err
    assert "Imported 2 episode starts and ends." in result.out
    assert cli("episode", "list", "C1", "--json", db_path=empty).json() == listed
    again = cli("import", path, db_path=empty).out
    assert "Imported 0 episode starts and ends; 2 already in the database were skipped." in again
    assert cli("episode", "list", "C1", "--json", db_path=empty).json() == listed


def test_an_imported_end_before_its_episode_started_is_refused_like_the_cli(cli, db, tmp_path):
    path = tmp_path / "late.csv"
    path.write_text(
        "client,date,instrument,item1,item2,item3,item4\r\n"
        "E2,2026-01-01,ORS,5,5,6,6\r\n"
        "\r\n"
        "client,episode,date,reason\r\n"
        "E2,end,2025-01-01,planned\r\n"
    )
    result = cli("import", path)
    assert result.code == 1
    assert "late.csv:5: column date: E2: there is no episode to end yet" in result.err
    assert Store(db).clients() == []  # all or nothing: the rating is not imported either


def test_an_imported_start_while_an_episode_is_open_is_refused(cli, db, tmp_path):
    cli("add-client", "E3")
    assert cli("record", "E3", "ORS", "5", "5", "6", "6", "--date", "2026-01-05").code == 0
    before = db_bytes(db)
    path = tmp_path / "open.csv"
    path.write_text(
        "client,date,instrument,item1,item2,item3,item4\r\n"
        "E3,2026-02-01,ORS,5,5,6,6\r\n"
        "\r\n"
        "client,episode,date,reason\r\n"
        "E3,start,2026-01-20,\r\n"
        "E3,end,2026-02-01,planned\r\n"
        "E3,start,2026-02-01,\r\n"
    )
    result = cli("import", path)
    assert result.code == 1
    assert "open.csv:5: column date: E3: episode 1 is still open (since 2026-01-05)" in result.err
    assert "open.csv:6" not in result.err and "open.csv:7" not in result.err
    assert db_bytes(db) == before
    path.write_bytes(path.read_bytes().replace(b"E3,start,2026-01-20,\r\n", b""))
    assert cli("import", path).code == 0
    listed = cli("episode", "list", "E3", "--json").json()["episodes"]
    assert [(e["start"], e["end"]) for e in listed][0] == ("2026-01-05", "2026-02-01")
    assert [e["start"] for e in listed] == ["2026-01-05", "2026-02-01"]
