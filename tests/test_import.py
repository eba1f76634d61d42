"""CSV import: all or nothing, every error named by line and column, hostile files refused."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import db_bytes
from fittui.formats.importing import ImportFailed, plan_import

HEADER = "client,age_group,date,instrument,rater,item1,item2,item3,item4\n"


def write(tmp_path: Path, text: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_one_bad_row_imports_nothing_and_names_line_and_column(cli, db, tmp_path):
    cli("add-client", "C0")
    before = db_bytes(db)
    path = write(
        tmp_path,
        HEADER + "C1,,2026-01-01,ORS,,5,5,5,5\nC1,,2026-01-08,ORS,,5,10.1,5,5\n"
        "C2,elder,2026-01-01,SRS,,9,9,9,9\n",
    )
    result = cli("import", path)
    assert result.code == 1
    assert f"{path}:3: column item2: score 10.1 is out of range" in result.err
    assert f"{path}:4: column age_group: unknown age group 'elder'" in result.err
    assert db_bytes(db) == before


def test_bom_quoted_newlines_crlf_and_optional_columns(cli, tmp_path):
    text = (
        "\ufeffclient,date,instrument,item1,item2,item3,item4,note\r\n"
        'C1,2026-01-01,ORS,5,5,5,5,"said: ""it was ok""\r\nsecond line"\r\n'
        "C1,2026-01-08T14:30,SRS,9,9,9,9,\r\n"
    )
    assert cli("import", write(tmp_path, text)).code == 0
    history = cli("history", "C1", "--json").json()["administrations"]
    assert history[0]["note"] == 'said: "it was ok"\r\nsecond line'
    assert history[1]["date"] == "2026-01-08T14:30" and history[1]["rater"] == "client"
    assert cli("clients", "--json").json()[0]["age_group"] == "adult"


def test_rows_beyond_the_instrument_must_be_blank(cli, tmp_path):
    text = HEADER + "Y1,young_child,2026-01-01,YCORS,,5,6,,\n"
    result = cli("import", write(tmp_path, text))
    assert result.code == 1 and ":2: column item2: YCORS has 1 items" in result.err


def test_blank_required_score_and_wrong_column_count(cli, tmp_path):
    text = HEADER + "C1,,2026-01-01,ORS,,5,5,,5\nC1,,2026-01-01,ORS,,5,5\n"
    result = cli("import", write(tmp_path, text))
    assert ":2: column item3: ORS needs 4 scores" in result.err
    assert ":3: expected 9 columns, found 7" in result.err


def test_age_group_conflicts(cli, tmp_path):
    cli("add-client", "C1", "--age-group", "child")
    result = cli("import", write(tmp_path, HEADER + "C1,adult,2026-01-01,ORS,,5,5,5,5\n"))
    assert result.code == 1 and "client C1 is child elsewhere, here adult" in result.err


def test_header_problems(cli, tmp_path):
    for text, message in [
        ("", "the file is empty"),
        ("client,date,instrument\n", "missing column 'item1'"),
        ("client,date,instrument,item1,item3\n", "item1, item2"),
        ("client,date,instrument,item1,colour\n", "unknown column 'colour'"),
        ("client,instrument,item1\n", "missing column 'date'"),
    ]:
        result = cli("import", write(tmp_path, text))
        assert result.code == 1 and message in result.err, (text, result.err)


def test_not_a_csv_file(cli, tmp_path):
    for raw, message in [
        (b"\x89PNG\r\n\x1a\n\0\0\0", "binary data"),
        ((HEADER + "C1,,2026-01-01,ORS,,5,5,5,5\n").encode("utf-16"), "save the file as UTF-8"),
        (HEADER.encode() + "C1,,2026-01-01,ORS,,5,5,5,5,é\n".encode("latin-1"), "not UTF-8"),
        (("client,date,instrument,item1\n" + 'C1,2026-01-01,ORS,"5\n').encode(), "not valid CSV"),
    ]:
        result = cli("import", write(tmp_path, raw))
        assert result.code == 1 and message in result.err, (raw, result.err)
    assert cli("import", tmp_path / "missing.csv").code == 1
    assert cli("import", tmp_path).code == 1


def test_same_file_twice_and_duplicate_rows(cli, tmp_path):
    row = "C1,,2026-01-01,ORS,,5,5,5,5\n"
    path = write(tmp_path, HEADER + row + row)
    assert "Imported 2 " in cli("import", path).out
    assert "Imported 0 " in cli("import", path).out
    assert "Imported 1 " in cli("import", write(tmp_path, HEADER + row * 3, "b.csv")).out


def test_the_import_line_counts_in_words_that_agree(cli, tmp_path):
    """One rating of one new client was "1 administrations and 1 new clients"."""
    one = write(tmp_path, HEADER + "C1,,2026-01-01,ORS,,5,5,5,5\n")
    assert f"Imported 1 administration and 1 new client from {one}." in cli("import", one).out
    rows = "C2,,2026-01-01,ORS,,5,5,5,5\nC3,,2026-01-01,ORS,,6,6,6,6\n"
    two = write(tmp_path, HEADER + rows, "b.csv")
    assert f"Imported 2 administrations and 2 new clients from {two}." in cli("import", two).out
    again = cli("import", one).out
    assert f"Imported 0 administrations and 0 new clients from {one}; 1 already in the " in again
    assert "database was skipped." in again
    assert "2 already in the database were skipped." in cli("import", two).out


def test_formula_cells_are_data_not_formulas(cli, tmp_path):
    path = write(
        tmp_path, HEADER.rstrip() + ",note\n" + "C1,,2026-01-01,ORS,,5,5,5,5,=HYPERLINK(1)\n"
    )
    assert cli("import", path).code == 0
    assert cli("history", "C1", "--json").json()["administrations"][0]["note"] == "=HYPERLINK(1)"
    bad = write(tmp_path, HEADER + "=cmd,,2026-01-01,ORS,,5,5,5,5\n", "f.csv")
    assert "client code" in cli("import", bad).err


HEADER9 = "client,date,instrument,rater,item1,item2,item3,item4,item5,item6,item7,item8,item9\n"


def test_phq9_gad7_and_ors_in_one_file_with_nine_item_columns(cli, tmp_path):
    text = HEADER9 + (
        "C1,2026-01-01,PHQ-9,,3,3,2,2,2,1,1,1,1\n"
        "C1,2026-01-01,gad-7,,2,2,2,1,1,1,0,,\n"
        "C1,2026-01-01,ORS,,5.5,5,5,5,,,,,\n"
        "C1,2026-01-08,PHQ-9,partner,0,0,0,0,0,0,0,0,0\n"
    )
    result = cli("import", write(tmp_path, text))
    assert result.code == 0, result.err
    history = cli("history", "C1", "--json").json()["administrations"]
    assert [(a["instrument"], a["total"]) for a in history] == [
        ("PHQ-9", 16.0),
        ("GAD-7", 9.0),
        ("ORS", 20.5),
        ("PHQ-9", 0.0),
    ]
    assert history[0]["items"]["item9"] == 1.0 and set(history[1]["items"]) == {
        f"item{n}" for n in range(1, 8)
    }
    [row] = cli("report", "--json").json()
    assert (row["phq9_last"], row["phq9_band"], row["gad7_band"]) == (
        16,
        "moderately_severe",
        "mild",
    )
    assert row["flags"][0] == "phq9_item9"  # the partner's later PHQ-9 is another person's


def test_likert_scores_must_be_whole_answers_of_the_scale(cli, db, tmp_path):
    cli("add-client", "C0")
    before = db_bytes(db)
    text = HEADER9 + (
        "C1,2026-01-01,PHQ-9,,1.5,0,0,0,0,0,0,0,0\n"
        "C1,2026-01-01,PHQ-9,,0,4,0,0,0,0,0,0,0\n"
        "C1,2026-01-01,PHQ-9,,0,0,0,0,0,0,0,0,\n"
        "C1,2026-01-01,GAD-7,,0,0,0,0,0,0,0,1,\n"
    )
    result = cli("import", write(tmp_path, text))
    assert result.code == 1 and db_bytes(db) == before
    assert ":2: column item1: score 1.5 is finer than PHQ-9 allows (whole numbers)" in result.err
    assert ":3: column item2: score 4 is out of range 0 to 3 for PHQ-9" in result.err
    assert ":4: column item9: PHQ-9 needs 9 scores; this one is blank" in result.err
    assert ":5: column item8: GAD-7 has 7 items; leave item8 blank" in result.err
    short = cli("import", write(tmp_path, HEADER + "C1,,2026-01-01,PHQ-9,,0,0,0,0\n", "s.csv"))
    assert "PHQ-9 needs 9 item columns" in short.err


cells = st.text(alphabet=string.printable + "é\u2028\ufeff\0", max_size=12)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cells, min_size=0, max_size=11), max_size=6), st.booleans())
def test_hostile_rows_either_import_or_fail_cleanly(rows, with_header):
    from fittui.domain.instruments import load_instruments

    text = (HEADER if with_header else "") + "\n".join(",".join(r) for r in rows)
    try:
        plan = plan_import(text.encode(), "h.csv", load_instruments(), {})
    except ImportFailed as exc:
        assert exc.errors and all(line.startswith("h.csv") for line in exc.errors)
    else:
        for a in plan.administrations:
            assert all(0 <= v <= 100 for v in a.items.values())


@settings(max_examples=100)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(raw):
    from fittui.domain.instruments import load_instruments

    try:
        plan_import(raw, "b.csv", load_instruments(), {})
    except ImportFailed as exc:
        assert all(line.startswith("b.csv") for line in exc.errors)


def test_label_and_archived_columns_make_new_clients(cli, tmp_path):
    cli("add-client", "OLD", "--label", "kept")
    text = (
        HEADER.rstrip() + ",note,label,archived\n"
        "C1,,2026-01-01,ORS,,5,5,5,5,,Tuesday 10am,yes\n"
        "C1,,2026-01-08,ORS,,6,6,6,6,,,\n"
        "OLD,,2026-01-01,ORS,,5,5,5,5,,new words,yes\n"
    )
    assert cli("import", write(tmp_path, text)).code == 0
    clients = {c["code"]: c for c in cli("clients", "--json").json()}
    assert clients["C1"]["label"] == "Tuesday 10am" and clients["C1"]["archived"]
    assert clients["OLD"]["label"] == "kept" and not clients["OLD"]["archived"]


def test_label_and_archived_conflicts(cli, tmp_path):
    text = (
        HEADER.rstrip() + ",label,archived\n"
        "C1,,2026-01-01,ORS,,5,5,5,5,one,yes\n"
        "C1,,2026-01-08,ORS,,6,6,6,6,two,no\n"
        "C2,,2026-01-08,ORS,,6,6,6,6,,maybe\n"
    )
    result = cli("import", write(tmp_path, text))
    assert result.code == 1
    assert ":3: column label: client C1 is labelled 'one' elsewhere, here 'two'" in result.err
    assert ":3: column archived: client C1 is archived elsewhere" in result.err
    assert ":4: column archived: must be yes, no or blank" in result.err


def test_instruments_column_sets_a_new_clients_session_in_order(cli, tmp_path):
    cli("add-client", "OLD", "--instruments", "GAD-7,ORS")
    text = (
        HEADER.rstrip() + ",instruments\n"
        'C1,,2026-01-01,ORS,,5,5,5,5,"phq-9, GAD-7,ORS"\n'
        "C1,,2026-01-08,ORS,,6,6,6,6,\n"
        "C2,,2026-01-08,ORS,,6,6,6,6,\n"
        "OLD,,2026-01-01,ORS,,5,5,5,5,PHQ-9\n"
    )
    assert cli("import", write(tmp_path, text)).code == 0
    clients = {c["code"]: c for c in cli("clients", "--json").json()}
    assert clients["C1"]["instruments"] == ["PHQ-9", "GAD-7", "ORS"]  # keys as fittui spells them
    assert clients["C2"]["instruments"] == []  # blank: the age group's default
    assert clients["OLD"]["instruments"] == ["GAD-7", "ORS"]  # a known client keeps its own


def test_instruments_column_problems_name_line_and_nothing_is_saved(cli, db, tmp_path):
    cli("add-client", "C0")
    before = db_bytes(db)
    text = (
        HEADER.rstrip() + ",instruments\n"
        'C1,,2026-01-01,ORS,,5,5,5,5,"PHQ-9,ORS"\n'
        'C1,,2026-01-08,ORS,,6,6,6,6,"ORS,PHQ-9"\n'
        "C2,,2026-01-08,ORS,,6,6,6,6,BDI\n"
        'C3,,2026-01-08,ORS,,6,6,6,6,"ORS,ors"\n'
    )
    result = cli("import", write(tmp_path, text))
    assert result.code == 1
    assert (
        ":3: column instruments: client C1 starts sessions with PHQ-9,ORS elsewhere, "
        "here ORS,PHQ-9" in result.err
    )
    assert ":4: column instruments: unknown instrument 'BDI'" in result.err
    assert ":5: column instruments: instrument ORS is named twice" in result.err
    assert db_bytes(db) == before


def test_a_huge_file_is_refused_before_reading_rows(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("fittui.formats.importing.MAX_IMPORT_BYTES", 1024)
    path = write(tmp_path, HEADER + "C1,,2026-01-01,ORS,,5,5,5,5\n" * 40)
    result = cli("import", path)
    assert result.code == 1 and "larger than" in result.err
    result = cli("import", write(tmp_path, b"{" + b" " * 2000 + b"}", "big.json"))
    assert result.code == 1 and "larger than" in result.err


# -- JSON: fittui's own export ------------------------------------------------------------
def export_doc(**changes) -> dict:
    doc = {
        "format": "fittui-export",
        "schema": 1,
        "clients": [{"code": "C1", "age_group": "adult", "label": "", "archived": False}],
        "administrations": [
            {
                "id": "0123456789abcdef",
                "client": "C1",
                "instrument": "ORS",
                "date": "2026-01-01T10:00",
                "rater": "client",
                "items": {"individually": 5.5, "interpersonally": 5, "socially": 6, "overall": 7},
                "note": "=not a formula",
            }
        ],
    }
    doc.update(changes)
    return doc


def test_json_export_imports_by_content_whatever_the_name(cli, tmp_path):
    import json

    path = write(tmp_path, json.dumps(export_doc()), "export.txt")
    assert cli("import", path).code == 0
    [saved] = cli("history", "C1", "--json").json()["administrations"]
    assert saved["id"] == "0123456789abcdef" and saved["total"] == 23.5
    assert saved["note"] == "=not a formula"


def test_json_problems_are_named_by_path_and_nothing_is_saved(cli, db, tmp_path):
    import json

    cli("add-client", "K1", "--age-group", "child")
    before = db_bytes(db)
    doc = export_doc()
    bad = dict(doc["administrations"][0])
    doc["administrations"] = [
        doc["administrations"][0],
        {**bad, "items": {**bad["items"], "socially": 10.5}},
        {**bad, "id": "0123456789abcdef", "client": "ZZ", "date": "yesterday"},
        {**bad, "id": "x" * 65, "items": {"individually": True}, "rater": "Mum!"},
        {**bad, "id": "ok-id", "instrument": "NOPE", "extra": 1},
    ]
    doc["clients"].append({"code": "K1", "age_group": "adult"})
    result = cli("import", write(tmp_path, json.dumps(doc), "bad.json"))
    assert result.code == 1
    for expected in [
        "bad.json: administrations[1].items.socially: score 10.5 is out of range",
        "bad.json: administrations[2].id: id 0123456789abcdef is used twice",
        "bad.json: administrations[2].client: unknown client 'ZZ'",
        "bad.json: administrations[2].date: date 'yesterday' is not an ISO date",
        "bad.json: administrations[3].id: must be 1-64 letters",
        "bad.json: administrations[3].rater: rater 'Mum!'",
        "bad.json: administrations[3].items: ORS needs interpersonally, socially, overall",
        "bad.json: administrations[3].items.individually: must be a number",
        "bad.json: administrations[4]: unknown field extra",
        "bad.json: clients[1].age_group: client K1 is child in the database, adult in the file",
    ]:
        assert expected in result.err, (expected, result.err)
    assert db_bytes(db) == before


def test_json_client_instruments_are_checked_and_kept(cli, db, tmp_path):
    import json

    cli("add-client", "C0")
    before = db_bytes(db)
    clients = [
        {"code": "C1", "age_group": "adult", "instruments": ["PHQ-9", "NOPE"]},
        {"code": "C2", "age_group": "adult", "instruments": "PHQ-9,ORS"},
        {"code": "C3", "age_group": "adult", "instruments": ["ORS", "ors"]},
    ]
    result = cli("import", write(tmp_path, json.dumps(export_doc(clients=clients)), "i.json"))
    assert result.code == 1
    for expected in [
        "i.json: clients[0].instruments[1]: unknown instrument 'NOPE'",
        'i.json: clients[1].instruments: must be a list of instrument keys, e.g. ["PHQ-9", "ORS"]',
        "i.json: clients[2].instruments: instrument ORS is named twice",
    ]:
        assert expected in result.err, (expected, result.err)
    assert db_bytes(db) == before
    good = [{"code": "C1", "age_group": "adult", "instruments": ["gad-7", "PHQ-9", "ORS"]}]
    assert cli("import", write(tmp_path, json.dumps(export_doc(clients=good)), "ok.json")).code == 0
    [saved] = [c for c in cli("clients", "--json").json() if c["code"] == "C1"]
    assert saved["instruments"] == ["GAD-7", "PHQ-9", "ORS"]


def test_json_that_is_not_an_export(cli, tmp_path, db):
    cases = [
        (b'{"format": "other"}', "not a fittui export"),
        (b'{"format": "fittui-export", "schema": 99}', "schema 99 is not one this fittui reads"),
        (
            b'{"format": "fittui-export", "schema": 1, "clients": {}, "administrations": []}',
            "clients: must be a list",
        ),
        (b'{"a": NaN}', "NaN is not a number fittui can store"),
        (b'{"a": [1, 2,\n ]}', "bad.json:2: not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        ('{"a": "é"}'.encode("latin-1"), "not UTF-8 text; save the file as UTF-8 JSON"),
        (b"\xef\xbb\xbf" + b'{"format": "fittui-export"}', "schema None"),
    ]
    for raw, message in cases:
        result = cli("import", write(tmp_path, raw, "bad.json"))
        assert result.code == 1 and message in result.err, (raw[:40], result.err)
    cli("add-client", "C1")
    assert cli("backup", "--to", tmp_path / "copies").code == 0
    [backup] = (tmp_path / "copies").iterdir()
    result = cli("import", backup)
    assert result.code == 1 and "a fittui database or backup, not an export" in result.err


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["id", "client", "instrument", "date", "rater", "items", "note", "x"]),
        json_values,
    ),
    st.dictionaries(
        st.sampled_from(["code", "age_group", "label", "archived", "instruments", "y"]),
        json_values | st.lists(st.sampled_from(["PHQ-9", "ors", "GAD-7", "NOPE", ""])),
    ),
)
def test_hostile_json_records_import_or_fail_cleanly(administration, client):
    import json

    from fittui.domain.instruments import load_instruments
    from fittui.formats.importing import plan_import_json

    doc = export_doc(clients=[client], administrations=[administration])
    try:
        plan = plan_import_json(json.dumps(doc).encode(), "h.json", load_instruments(), {})
    except ImportFailed as exc:
        assert exc.errors and all(line.startswith("h.json") for line in exc.errors)
    else:
        for a in plan.administrations:
            assert all(0 <= v <= 100 for v in a.items.values())


@settings(max_examples=100)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_json_never_crash(raw):
    from fittui.domain.instruments import load_instruments
    from fittui.formats.importing import plan_import_json

    try:
        plan_import_json(b"{" + raw, "b.json", load_instruments(), {})
    except ImportFailed as exc:
        assert all(line.startswith("b.json") for line in exc.errors)
