"""Export: CSV and JSON round trips of the demo database, formula-safe cells, FHIR R4 that
validates, and a self-contained client page."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from datetime import date
from pathlib import Path

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fittui.demo import make_demo_database
from fittui.export import (
    client_page,
    export_csv,
    export_fhir,
    guard_formula,
    unguard_formula,
)
from fittui.importing import plan_import
from fittui.instruments import load_instruments
from fittui.model import Administration, Client
from fittui.scoring import summarize
from fittui.store import Store, administration_to_doc

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


def everything(store: Store) -> tuple[list, list]:
    """Clients and administrations with ids left out, in entry order: what must survive."""
    clients = store.clients()
    ratings = [administration_to_doc(a) for a in store.administrations()]
    return clients, ratings


def test_csv_round_trip_of_the_demo_loses_nothing(cli, demo, tmp_path):
    first = cli("export", "--format", "csv", db_path=demo).out
    path = tmp_path / "demo.csv"
    path.write_text(first, newline="")
    empty = tmp_path / "empty" / "fittui.json"
    assert cli("import", path, db_path=empty).code == 0
    assert cli("export", "--format", "csv", db_path=empty).out == first
    before_clients, before = everything(Store(demo))
    after_clients, after = everything(Store(empty))
    assert after_clients == before_clients  # labels and archived state included

    def in_order(ratings):  # CSV is in clinical order; entry order within a date is kept
        return sorted(ratings, key=lambda r: (r["client"], r["date"]))

    assert in_order(after) == in_order(before)


def test_json_round_trip_of_the_demo_loses_nothing(cli, demo, tmp_path):
    first = cli("export", "--format", "json", db_path=demo).out
    data = json.loads(first)
    assert data["format"] == "fittui-export" and data["schema"] == 1
    path = tmp_path / "demo.json"
    path.write_text(first)
    empty = tmp_path / "empty" / "fittui.json"
    assert cli("import", path, db_path=empty).code == 0
    assert cli("export", "--format", "json", db_path=empty).out == first
    assert Store(empty).administrations() == Store(demo).administrations()  # ids and order
    assert Store(empty).clients() == Store(demo).clients()
    assert "Imported 0 " in cli("import", path, db_path=empty).out


def test_json_export_holds_notes_and_one_client(cli, demo):
    data = cli("export", "--format", "json", "--client", "D06", db_path=demo).json()
    assert [c["code"] for c in data["clients"]] == ["D06"]
    assert {a["client"] for a in data["administrations"]} == {"D06"}
    assert "Felt too structured; wants more open time." in [
        a["note"] for a in data["administrations"]
    ]
    assert cli("export", "--format", "json", "--client", "NOPE", db_path=demo).code == 1


def test_formula_cells_are_guarded_on_export_and_come_back_intact(cli, tmp_path):
    cli("add-client", "C1", "--label", '=HYPERLINK("x")')
    for note in ["=1+1", "+31 6 123", "-5 felt bad", "@SUM(A1)", "'=already quoted", "fine"]:
        cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-01-01", "--note", note)
    text = cli("export", "--format", "csv").out
    cells = [cell for row in list(csv.reader(io.StringIO(text)))[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], cells
    assert "'=1+1" in cells and "''=already quoted" in cells and "fine" in cells
    assert '\'=HYPERLINK("x")' in cells
    path = tmp_path / "guarded.csv"
    path.write_text(text, newline="")
    other = tmp_path / "other" / "fittui.json"
    assert cli("import", path, db_path=other).code == 0
    notes = [a.note for a in Store(other).administrations()]
    assert notes == ["=1+1", "+31 6 123", "-5 felt bad", "@SUM(A1)", "'=already quoted", "fine"]
    assert Store(other).client("C1").label == '=HYPERLINK("x")'


@given(st.text())
def test_guard_then_unguard_is_the_same_text(text):
    guarded = guard_formula(text)
    assert guarded[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert unguard_formula(guarded) == text


free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=20
).map(str.strip)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(free_text, st.integers(0, 100)), min_size=1, max_size=5), free_text)
def test_any_notes_and_labels_survive_export_import_export(rows, label):
    instruments = load_instruments()
    keys = [i.key for i in instruments["ORS"].items]
    client = Client("C1", "adult", label)
    ratings = [
        Administration(f"a{n}", "C1", "ORS", "2026-01-01", dict.fromkeys(keys, score), note=note)
        for n, (note, score) in enumerate(rows)
    ]
    first = export_csv([client], ratings, instruments)
    plan = plan_import(first.encode(), "x.csv", instruments, {})
    assert [a.note for a in plan.administrations] == [note for note, _ in rows]
    assert plan.new_clients == [client]
    assert export_csv(plan.new_clients, plan.administrations, instruments) == first


def test_every_fhir_resource_of_the_demo_validates(cli, demo):
    bundle = cli("export", "--format", "fhir", db_path=demo).json()
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    questionnaires = [r for r in resources if r["resourceType"] == "Questionnaire"]
    responses = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    used = {a.instrument for a in Store(demo).administrations()}
    assert {q["name"] for q in questionnaires} == used
    assert len(responses) == len(Store(demo).administrations())
    urls = {q["url"] for q in questionnaires}
    fhir_datetime = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z))?$")
    for r in responses:
        assert r["status"] == "completed" and r["questionnaire"] in urls
        assert fhir_datetime.match(r["authored"])
        assert r["author"] == r["source"]
        answers = [i["answer"][0] for i in r["item"] if i["linkId"] != "note"]
        assert all(isinstance(a["valueDecimal"], float) for a in answers)
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])


def test_fhir_of_nothing_is_a_valid_empty_bundle(instruments):
    bundle = export_fhir([], instruments)
    assert "entry" not in bundle
    Bundle.model_validate(bundle)


def test_fhir_names_the_rater(instruments):
    ors = instruments["ORS"]
    items = {i.key: 50 for i in ors.items}
    mine = Administration("a1", "C1", "ORS", "2026-01-01T10:50", items)
    theirs = Administration("a2", "C1", "ORS", "2026-01-01", items, rater="partner")
    bundle = export_fhir([mine, theirs], instruments)
    by_id = {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}
    first, second = by_id["a1"], by_id["a2"]
    assert first["author"]["type"] == "Patient"
    assert first["author"]["identifier"]["value"] == "C1"
    assert first["authored"].startswith("2026-01-01T10:50:00")
    assert second["source"] == {"type": "RelatedPerson", "display": "partner of C1"}
    assert second["authored"] == "2026-01-01"
    assert [i["answer"][0]["valueDecimal"] for i in first["item"]] == [5.0] * 4 + [20.0]


def test_client_page_is_self_contained_and_escapes_user_text(instruments):
    client = Client("C1", "adult", label="Private label")
    keys = [i.key for i in instruments["ORS"].items]
    ratings = [
        Administration("a1", "C1", "ORS", "2026-01-01", dict.fromkeys(keys, 50)),
        Administration(
            "a2",
            "C1",
            "ORS",
            "2026-01-08T10:00",
            dict.fromkeys(keys, 70),
            note='<script>alert(1)</script> & "quotes"',
        ),
    ]
    page = client_page(client, ratings, instruments, summarize(client, ratings, instruments), TODAY)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert "Private label" not in page
    assert not re.search(r"""(src|href)=|url\(|@import""", page)
    assert "<svg" in page and "@media print" in page
    assert "+8.0 since the first" in page and "ORS cut-off 25.0" in page


def test_html_export_writes_a_private_file(cli, demo, tmp_path):
    target = tmp_path / "out" / "d01.html"
    target.parent.mkdir()
    result = cli("export", "--format", "html", "--client", "D01", "-o", target, db_path=demo)
    assert result.code == 0, result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and "D01" in page and "Came in low" in page
    with pytest.raises(SystemExit):
        cli("export", "--format", "html", db_path=demo)
    assert cli("export", "--format", "csv", "-o", tmp_path, db_path=demo).code == 1
