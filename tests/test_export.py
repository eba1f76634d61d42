"""Export: CSV and JSON round trips of the demo database, formula-safe cells, FHIR R4 that
validates, and a self-contained client page."""

from __future__ import annotations

import csv
import io
import json
import re
import stat
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration, Client, one_per_session
from fittui.domain.scoring import summarize
from fittui.formats.export import (
    client_page,
    export_csv,
    export_fhir,
    guard_formula,
    unguard_formula,
)
from fittui.formats.importing import plan_import
from fittui.storage.demo import make_demo_database
from fittui.storage.store import Store, administration_to_doc

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
    assert Store(empty).client("D04").instruments == ("PHQ-9", "GAD-7", "ORS")


def test_csv_of_the_symptom_measures_has_whole_numbers_in_item_columns(cli, demo):
    rows = list(csv.DictReader(io.StringIO(cli("export", "--format", "csv", db_path=demo).out)))
    assert [k for k in rows[0] if k.startswith("item")] == [f"item{n}" for n in range(1, 10)]
    phq9 = [r for r in rows if r["instrument"] == "PHQ-9"]
    gad7 = [r for r in rows if r["instrument"] == "GAD-7"]
    assert len(phq9) == len(gad7) == 3 and {r["client"] for r in phq9 + gad7} == {"D04"}
    assert [phq9[-1][f"item{n}"] for n in range(1, 10)] == list("222212111")
    assert [gad7[-1][f"item{n}"] for n in range(1, 10)] == [*"2221121", "", ""]
    assert {r["instruments"] for r in rows if r["client"] == "D04"} == {"PHQ-9,GAD-7,ORS"}
    assert {r["instruments"] for r in rows if r["client"] != "D04"} == {""}
    ors = [r for r in rows if r["instrument"] == "ORS"]
    assert all(re.fullmatch(r"\d+\.\d", r["item1"]) for r in ors)


def test_json_round_trip_of_the_demo_loses_nothing(cli, demo, tmp_path):
    assert cli("link", "D01", "D02", db_path=demo).code == 0  # a couple and a family
    assert cli("link", "D03", "D01", db_path=demo).code == 0
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
    assert Store(empty).client("D04").instruments == ("PHQ-9", "GAD-7", "ORS")
    assert Store(empty).client("D01").linked == ("D02", "D03")
    assert Store(empty).client("D02").linked == Store(empty).client("D03").linked == ("D01",)
    assert {"PHQ-9", "GAD-7"} <= {a["instrument"] for a in data["administrations"]}
    assert "Imported 0 " in cli("import", path, db_path=empty).out


def test_json_links_to_a_client_in_the_database_and_refuses_an_unknown_one(cli, db, tmp_path):
    cli("add-client", "P1")
    cli("add-client", "P2")
    assert cli("link", "P1", "P2").code == 0
    path = tmp_path / "p1.json"
    assert cli("export", "--format", "json", "--client", "P1", "-o", path).code == 0
    assert "linked" not in json.loads(path.read_text())["clients"][0]  # P2 is not in it
    data = json.loads(path.read_text())
    data["clients"][0]["linked"] = ["P2"]  # as a hand-edited file would link them
    path.write_text(json.dumps(data))
    empty = tmp_path / "empty" / "fittui.json"
    result = cli("import", path, db_path=empty)
    assert result.code == 1
    assert "p1.json: clients[0].linked[0]: unknown client 'P2'" in result.err
    assert not empty.exists() or Store(empty).clients() == []
    cli("add-client", "P2", db_path=empty)
    assert cli("import", path, db_path=empty).code == 0
    assert Store(empty).client("P2").linked == ("P1",)


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_round_trip_keeps_which_ratings_of_a_day_count(cli, db, tmp_path, form):
    """Two sessions kept on one day, and a rating replaced by a later one the same day,
    come back as they were: the same ratings count after export and import."""
    cli("add-client", "C1")
    for day, scores in [("2026-03-02", "3"), ("2026-03-02", "4"), ("2026-03-09", "5")] * 2:
        cli("record", "C1", "ORS", *[scores] * 4, "--date", day)
    store = Store(db)
    kept = [a for a in store.administrations("C1") if a.day == "2026-03-02"][-1]
    store.keep_as_own_session(kept.id)
    store.close()
    path = tmp_path / f"out.{form}"
    path.write_text(cli("export", "--format", form, db_path=db).out, newline="")
    empty = tmp_path / "empty" / "fittui.json"
    assert cli("import", path, db_path=empty).code == 0

    def counted(where: Path) -> list[tuple[str, int, bool]]:
        return [
            (a.day, a.total, a.own_session is not None)
            for a in one_per_session(Store(where).administrations("C1"))
        ]

    expected = [("2026-03-02", 120, False), ("2026-03-02", 160, True), ("2026-03-09", 200, False)]
    assert counted(db) == expected and counted(empty) == expected
    assert cli("report", "--json", db_path=empty).json()[0]["ors_count"] == 3


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
    # Control characters (Cc) are refused at import: text from outside is data, not drawing.
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
    max_size=20,
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
    assert {"PHQ-9", "GAD-7"} <= used
    assert {q["url"] for q in questionnaires} == {f"urn:fittui:questionnaire:{k}" for k in used}
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9_]*", q["name"]) for q in questionnaires)
    assert len(responses) == len(Store(demo).administrations())
    urls = {q["url"] for q in questionnaires}
    fhir_datetime = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z))?$")
    for r in responses:
        assert r["status"] == "completed" and r["questionnaire"] in urls
        assert fhir_datetime.match(r["authored"])
        assert r["author"] == r["source"]
        answers = [i["answer"][0] for i in r["item"] if i["linkId"] not in ("note", "total")]
        [total] = [i["answer"][0] for i in r["item"] if i["linkId"] == "total"]
        if r["questionnaire"].endswith(("PHQ-9", "GAD-7")):
            assert all(a["valueCoding"]["system"] == "http://loinc.org" for a in answers)
            assert type(total["valueInteger"]) is int
        else:
            assert all(isinstance(a["valueDecimal"], float) for a in [*answers, total])
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])


def test_fhir_carries_the_loinc_codes_of_the_demos_phq9_and_gad7(cli, demo, instruments):
    bundle = cli("export", "--format", "fhir", db_path=demo).json()
    resources = [entry["resource"] for entry in bundle["entry"]]
    by_url = {r["url"]: r for r in resources if r["resourceType"] == "Questionnaire"}
    answers = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    cases = {
        "PHQ-9": ("44249-1", "44261-6", ["44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
                                         "44258-2", "44252-5", "44253-3", "44260-8"]),
        "GAD-7": ("69737-5", "70274-6", ["69725-0", "68509-9", "69733-4", "69734-2", "69735-9",
                                         "69689-8", "69736-7"]),
    }  # fmt: skip
    for key, (panel, total, item_codes) in cases.items():
        q = by_url[f"urn:fittui:questionnaire:{key}"]
        assert q["code"] == [
            {"system": "http://loinc.org", "code": panel, "display": instruments[key].name}
        ]
        items = {i["linkId"]: i for i in q["item"]}
        questions = [i for i in q["item"] if i["linkId"].startswith("item")]
        assert [i["code"][0]["code"] for i in questions] == item_codes
        published = [i.description for i in instruments[key].items]
        assert [i["text"] for i in questions] == published
        assert items["total"]["code"][0]["code"] == total and items["total"]["type"] == "integer"
        for question in questions:
            assert question["type"] == "choice"
            options = [o["valueCoding"] for o in question["answerOption"]]
            assert [o["code"] for o in options] == answers
            assert [o["display"] for o in options] == list(instruments[key].options)
            assert [o["extension"][0]["valueDecimal"] for o in options] == [0, 1, 2, 3]
    # The last PHQ-9 of D04: item 9 "Several days", total 14.
    last = [
        r
        for r in resources
        if r["resourceType"] == "QuestionnaireResponse" and r["questionnaire"].endswith("PHQ-9")
    ][-1]
    items = {i["linkId"]: i["answer"][0] for i in last["item"]}
    assert items["item9"]["valueCoding"]["code"] == "LA6569-3"
    assert items["item9"]["valueCoding"]["display"] == "Several days"
    assert items["item9"]["valueCoding"]["extension"][0]["valueDecimal"] == 1
    assert items["total"] == {"valueInteger": 14}
    ordinals = [
        a["valueCoding"]["extension"][0]["valueDecimal"]
        for link, a in items.items()
        if link.startswith("item")
    ]
    assert sum(ordinals) == 14


def test_ors_questionnaire_has_no_loinc_and_no_choices(instruments):
    from fittui.formats.export import fhir_questionnaire

    q = fhir_questionnaire(instruments["ORS"])
    assert "code" not in q
    assert all("code" not in i and "answerOption" not in i for i in q["item"])
    assert [i["type"] for i in q["item"]] == ["decimal"] * 5 + ["text"]


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


class _Balance(HTMLParser):
    """Checks that every element the page opens is closed, in order (void elements aside)."""

    VOID = {"meta", "br", "line", "circle", "rect", "polygon", "polyline"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> at {self.getpos()}")


def test_client_page_of_d04_shows_phq9_and_gad7_with_bands(cli, demo, tmp_path):
    target = tmp_path / "d04.html"
    assert (
        cli("export", "--format", "html", "--client", "D04", "-o", target, db_path=demo).code == 0
    )
    page = target.read_text()
    checker = _Balance()
    checker.feed(page)
    checker.close()
    assert not checker.problems and checker.open == [], (checker.problems, checker.open)
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    for svg in svgs:
        ElementTree.fromstring(svg)  # each chart is well-formed XML
    assert len(svgs) == 3  # ORS and SRS, then the PHQ-9, then the GAD-7
    assert "<title>PHQ-9 totals by session</title>" in svgs[1]
    assert ">moderately severe</text>" in svgs[1] and ">severe</text>" in svgs[2]
    assert "Latest PHQ-9, on " in page and ": 14 of 27, moderate (+9 since the first)." in page
    assert ": 11 of 21, moderate (+6 since the first)." in page
    rows = re.findall(r"<tr>.*?</tr>", page)
    phq9 = [r for r in rows if ">PHQ-9</td>" in r]
    assert len(phq9) == 3 and '<td class="num">14 (moderate)</td>' in phq9[-1]
    assert "Thoughts of death or self-harm 1</td>" in phq9[-1]
    assert not re.search(r"\d\.\d", "".join(phq9).split("</td>", 1)[1])  # whole numbers only
    ors = [r for r in rows if ">ORS</td>" in r]
    assert re.search(r'<td class="num">\d+\.\d</td>', ors[0])  # the lines keep their decimal
    assert "ORS cut-off 25.0" in svgs[0] and "PHQ-9" not in svgs[0]


def test_client_page_with_symptom_measures_only_escapes_and_has_no_ors_chart(instruments):
    client = Client("C1", "adult")
    keys = [i.key for i in instruments["GAD-7"].items]
    ratings = [
        Administration("a1", "C1", "GAD-7", "2026-01-01", dict.fromkeys(keys, 30)),
        Administration(
            "a2", "C1", "GAD-7", "2026-01-08", dict.fromkeys(keys, 0), note="<b>calmer</b> & well"
        ),
    ]
    page = client_page(client, ratings, instruments, summarize(client, ratings, instruments), TODAY)
    assert "&lt;b&gt;calmer&lt;/b&gt; &amp; well" in page and "<b>" not in page
    assert page.count("<svg") == 1 and "GAD-7 totals by session" in page
    assert "ORS:" not in page and "0 to 21; lower is better." in page
    assert '<td class="num">21 (severe)</td>' in page and '<td class="num">0 (minimal)</td>' in page
    assert ": 0 of 21, minimal (-21 since the first)." in page
