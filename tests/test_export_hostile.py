"""Export and import as a careless hand or an attacker would use them: an export aimed at
the database's own files, a one-client export that must not name the other clients."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class

from conftest import db_bytes
from fittui.formats import importing
from fittui.formats.importing import ImportFailed, read_import_file
from fittui.storage.demo import make_demo_database

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


@pytest.mark.parametrize(
    "name",
    [
        "fittui.json",
        "fittui.json.journal",
        "fittui.json.summaries",
        "FITTUI.JSON",
        ".fittui.json.1a2b.tmp",
        "backups/fittui-2026-11-20.json",
        "sub/../fittui.json",
    ],
)
def test_an_export_never_writes_over_the_database_or_its_backups(cli, demo, name):
    (demo.parent / "sub").mkdir()
    before = db_bytes(demo)
    result = cli("export", "--format", "csv", "-o", demo.parent / name, db_path=demo)
    assert result.code == 1
    assert "one of the database's own files" in result.err
    assert db_bytes(demo) == before
    assert cli("clients", db_path=demo).code == 0


def test_an_export_to_a_hard_link_of_the_database_is_refused(cli, demo, tmp_path):
    other = tmp_path / "elsewhere.json"
    os.link(demo, other)
    before = db_bytes(demo)
    assert cli("export", "--format", "json", "-o", other, db_path=demo).code == 1
    assert db_bytes(demo) == before


def test_a_home_form_never_writes_over_the_database(cli, demo):
    before = db_bytes(demo)
    result = cli("form", "D01", "-o", demo, db_path=demo)
    assert result.code == 1 and "one of the database's own files" in result.err
    assert db_bytes(demo) == before  # no form saved either


@pytest.mark.parametrize(
    ("command", "name", "words"),
    [
        (("export", "--format", "csv"), "settings.toml", "settings file, which holds the PIN"),
        (("export", "--format", "json"), "Settings.TOML", "settings file, which holds the PIN"),
        (("form", "D01"), "settings.toml", "settings file, which holds the PIN"),
        (("export", "--format", "csv"), "instruments/mine.toml", "your instrument files"),
        (("form", "D01"), "instruments/new.toml", "your instrument files"),
        (("export", "--format", "csv"), "sub/../settings.toml", "settings file"),
    ],
)
def test_an_export_or_form_never_writes_over_the_settings_or_instrument_files(
    cli, demo, tmp_path, command, name, words
):
    config = tmp_path / "config"  # FITTUI_CONFIG, as the cli fixture sets it
    (config / "instruments").mkdir(parents=True)
    (config / "sub").mkdir()
    (config / "settings.toml").write_text("[forms]\ndays = 10\n")
    (config / "instruments" / "mine.toml").write_text('key = "ORS"\n')
    before = {p: p.read_bytes() for p in config.rglob("*") if p.is_file()}
    database = db_bytes(demo)
    result = cli(*command, "-o", config / name, db_path=demo)
    assert result.code == 1 and words in result.err
    assert {p: p.read_bytes() for p in config.rglob("*") if p.is_file()} == before
    assert db_bytes(demo) == database  # no form saved either


def test_an_export_to_a_hard_link_of_the_settings_is_refused(cli, demo, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text("[forms]\ndays = 10\n")
    link = tmp_path / "elsewhere.toml"
    os.link(config / "settings.toml", link)
    assert cli("export", "--format", "csv", "-o", link, db_path=demo).code == 1
    assert (config / "settings.toml").read_text() == "[forms]\ndays = 10\n"


def test_an_export_beside_the_settings_under_another_name_is_written(cli, demo, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    result = cli("export", "--format", "csv", "-o", config / "export.csv", db_path=demo)
    assert result.code == 0 and (config / "export.csv").read_text().startswith("client,")


def test_an_export_beside_the_database_under_another_name_is_written(cli, demo):
    target = demo.parent / "fittui-export.csv"
    assert cli("export", "--format", "csv", "-o", target, db_path=demo).code == 0
    assert target.read_text().startswith("client,")


def test_a_one_client_json_export_names_no_other_client_and_imports_anywhere(cli, demo, tmp_path):
    assert cli("link", "D09", "D03", db_path=demo).code == 0
    target = tmp_path / "d09.json"
    assert (
        cli("export", "--format", "json", "--client", "D09", "-o", target, db_path=demo).code == 0
    )
    assert "D03" not in target.read_text()
    empty = tmp_path / "empty" / "fittui.json"
    result = cli("import", target, db_path=empty)
    assert result.code == 0, result.err
    assert cli("clients", "--json", db_path=empty).json()[0]["code"] == "D09"


def test_a_whole_json_export_keeps_the_links_both_ways(cli, demo, tmp_path):
    assert cli("link", "D09", "D03", db_path=demo).code == 0
    data = json.loads(cli("export", "--format", "json", db_path=demo).out)
    linked = {c["code"]: c.get("linked") for c in data["clients"]}
    assert linked["D09"] == ["D03"] and linked["D03"] == ["D09"]


def test_an_endless_file_is_read_no_further_than_the_largest_import(tmp_path, monkeypatch):
    # /dev/zero, or a file of gigabytes: read whole, it filled the memory before its size
    # was checked. A FIFO fed far more than the limit stands in for it here.
    monkeypatch.setattr("fittui.formats.importing.MAX_IMPORT_BYTES", 1024)
    fifo = tmp_path / "endless.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("wb") as out:
            for _ in range(256):
                out.write(b"x" * 4096)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    with pytest.raises(ImportFailed, match="is larger than"):
        read_import_file(fifo)
    feeder.join(timeout=5)
    assert not feeder.is_alive()


def test_many_ratings_of_one_session_are_told_apart_without_comparing_each_pair(
    cli, tmp_path, monkeypatch
):
    # 3,000 rows of one session: each rating was compared with every other to find the
    # one it replaces (9 million comparisons; a 64 MB file would have taken days).
    from fittui.domain import model

    seen = []

    def counting(a, administrations):
        seen.append(len(administrations))
        return neighbours(a, administrations)

    neighbours = model.session_neighbours
    monkeypatch.setattr(model, "session_neighbours", counting)
    rows = "C1,2026-01-01,ORS,5,5,5,5\n" * 3000
    path = tmp_path / "one-day.csv"
    path.write_text("client,date,instrument,item1,item2,item3,item4\n" + rows)
    result = cli("import", path)
    assert result.code == 0, result.err
    notes = [line for line in result.out.splitlines() if line.startswith("Note: C1 also has")]
    assert len(notes) == 2999
    assert sum(seen) <= 2 * 3000
    ids = [a["id"] for a in cli("history", "C1", "--json").json()["administrations"]]
    assert all(f"(id {earlier}," in note for earlier, note in zip(ids, notes, strict=False))


@pytest.fixture
def east_of_utc(monkeypatch):
    """Local time nine hours ahead of UTC, as on a laptop in Tokyo."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_time_in_the_year_1_is_imported_and_exported_without_a_crash(cli, tmp_path, east_of_utc):
    # strftime wrote the year 1 as '1', which the check that follows could not read
    # (an unexpected error), and FHIR's UTC offset took it before the year 1.
    path = tmp_path / "old.csv"
    path.write_text(
        "client,date,instrument,item1,item2,item3,item4\nC1,0001-01-01T00:00,ORS,5,5,5,5\n"
    )
    result = cli("import", path)
    assert result.code == 0, result.err
    assert cli("history", "C1", "--json").json()["administrations"][0]["date"] == "0001-01-01T00:00"
    bundle = cli("export", "--format", "fhir").json()
    response = bundle["entry"][-1]["resource"]
    assert response["authored"] == "0001-01-01"
    get_fhir_model_class("QuestionnaireResponse").model_validate(response)


def test_an_offset_that_takes_a_time_out_of_the_calendar_is_a_named_error(
    cli, db, tmp_path, east_of_utc
):
    path = tmp_path / "edge.csv"
    path.write_text(
        "client,date,instrument,item1,item2,item3,item4\n"
        "C1,2026-01-01,ORS,5,5,5,5\nC1,0001-01-01T00:30+05:00,ORS,5,5,5,5\n"
    )
    result = cli("import", path)
    assert result.code == 1
    assert f"{path}:3: column date: date '0001-01-01T00:30+05:00' is not an ISO date" in result.err
    assert db_bytes(db) == {}


@pytest.mark.parametrize("form", ["csv", "json"])
def test_an_imported_void_reason_is_refused_with_a_bidirectional_override(cli, db, tmp_path, form):
    # 'fittui void ID --reason' refuses U+202E; import took it in the reason, named nowhere.
    reason = "wrong\u202e client"
    if form == "csv":
        text = (
            "client,date,instrument,item1,item2,item3,item4,voided\n"
            f"C1,2026-01-01,ORS,5,5,5,5,{reason}\n"
        )
        where = ":2: column voided"
    else:
        text = json.dumps(
            {
                "format": "fittui-export",
                "schema": 1,
                "clients": [{"code": "C1", "age_group": "adult"}],
                "administrations": [
                    {
                        "id": "a1",
                        "client": "C1",
                        "instrument": "ORS",
                        "date": "2026-01-01",
                        "rater": "client",
                        "items": dict.fromkeys(
                            ("individually", "interpersonally", "socially", "overall"), 5
                        ),
                        "note": "",
                        "voided": {"reason": reason, "at": "2026-01-02T09:00:00"},
                    }
                ],
            }
        )
        where = ": administrations[0].voided.reason"
    path = tmp_path / f"in.{form}"
    path.write_text(text)
    result = cli("import", path)
    assert result.code == 1
    assert f"{path}{where}: reason 'wrong\\u202e client' holds a control character" in result.err
    assert db_bytes(db) == {}


def test_the_json_export_of_a_large_practice_is_within_what_import_reads(cli, demo):
    # 300,000 ratings, the size fittui is measured with: at about 350 bytes a rating as
    # exported, its JSON export (100 MB) was refused by its own import (64 MB at most).
    data = json.loads(cli("export", "--format", "json", db_path=demo).out)
    text = json.dumps(data["administrations"], indent=2, ensure_ascii=False)
    per_rating = len(text.encode()) / len(data["administrations"])
    assert 300_000 * per_rating < importing.MAX_IMPORT_BYTES
