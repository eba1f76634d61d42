"""Home rating forms: the response code, the checks before a code is saved, the commands."""

from __future__ import annotations

import os
import re
import stat
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fittui.domain.instruments import load_instruments
from fittui.domain.model import InputError
from fittui.domain.response_code import (
    ALPHABET,
    ResponseCodeError,
    check_text,
    check_value,
    make_code,
    parse_code,
)
from fittui.formats.home_form import read_code, save_entry, write_form
from fittui.storage.store import Store

INSTRUMENTS = load_instruments()
TODAY = date(2026, 12, 1)


def _scores(instrument):
    steps = (instrument.scale_max - instrument.scale_min) // instrument.step
    return st.lists(
        st.integers(0, steps).map(lambda n: instrument.scale_min + n * instrument.step),
        min_size=len(instrument.items),
        max_size=len(instrument.items),
    )


form_ids = st.text(alphabet=ALPHABET, min_size=4, max_size=4)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), key=st.sampled_from(sorted(INSTRUMENTS)), form_id=form_ids)
def test_every_instrument_round_trips(data, key, form_id):
    instrument = INSTRUMENTS[key]
    scores = data.draw(_scores(instrument))
    items = {item.key: s for item, s in zip(instrument.items, scores)}
    response = parse_code(make_code(instrument, items, form_id), INSTRUMENTS)
    assert (response.instrument, response.items, response.form_id) == (key, items, form_id)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), form_id=form_ids)
def test_any_one_changed_score_or_character_is_refused(data, form_id):
    ors = INSTRUMENTS["ORS"]
    scores = data.draw(_scores(ors))
    n = data.draw(st.integers(0, 3))
    other = data.draw(st.integers(0, 100).filter(lambda v: v != scores[n]))
    changed = [*scores]
    changed[n] = other
    check = check_text(check_value("ORS", scores, form_id))
    assert check_text(check_value("ORS", changed, form_id)) != check
    k = data.draw(st.integers(0, 3))
    wrong_id = (
        form_id[:k]
        + data.draw(st.sampled_from(ALPHABET.replace(form_id[k], "")))
        + (form_id[k + 1 :])
    )
    assert check_text(check_value("ORS", scores, wrong_id)) != check


@settings(max_examples=200, deadline=None)
@given(data=st.data(), form_id=form_ids)
def test_two_scores_read_in_the_wrong_order_are_refused(data, form_id):
    scores = data.draw(_scores(INSTRUMENTS["SRS"]))
    i, j = data.draw(st.lists(st.integers(0, 3), min_size=2, max_size=2, unique=True))
    if scores[i] == scores[j]:
        return
    swapped = [*scores]
    swapped[i], swapped[j] = swapped[j], swapped[i]
    assert check_value("SRS", swapped, form_id) != check_value("SRS", scores, form_id)


def test_the_code_reads_as_the_issue_shows_it():
    ors = INSTRUMENTS["ORS"]
    items = dict(zip((i.key for i in ors.items), (55, 70, 100, 0)))
    code = make_code(ors, items, "K7Q2")
    assert re.fullmatch(r"ORS 5\.5 7\.0 10\.0 0\.0 · K7Q2-[0-9A-Z]{2}", code)
    # Typed by a person: lower case, a decimal comma, no dot, O for 0 in the id.
    typed = code.lower().replace("5.5", "5,5").replace(" · ", " ")
    assert parse_code(typed, INSTRUMENTS).items == items


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "looks like"),
        ("XYZ 1 2 3 4 · K7Q2-00", "not an instrument"),
        ("ORS 5 5 5 · K7Q2-00", "has 4 items but the code has 3"),
        ("ORS 5 5 5 11 · K7Q2-00", "out of range"),
        ("ORS 5 5 5 5 · K7Q2", "form id and check"),
        ("ORS 5 5 5 5 · K7Q2-00", "check does not match"),
    ],
)
def test_malformed_codes_say_what_is_wrong(text, words):
    with pytest.raises(ResponseCodeError, match=words):
        parse_code(text, INSTRUMENTS)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "db" / "fittui.json")
    store.add_client("A1")
    store.add_client("B2")
    return store


def _code_for(store, code="A1", key="ORS", scores=(55, 70, 100, 0), day=TODAY):
    instrument = INSTRUMENTS[key]
    written = write_form(store, code, instrument, day, 14)
    items = dict(zip((i.key for i in instrument.items), scores))
    return written, make_code(instrument, items, written.form.form_id)


def test_the_page_holds_no_client_code_or_label(store):
    store.update_client("A1", label="Anna Smith")
    written, _ = _code_for(store)
    assert "A1" not in written.html.replace(written.form.form_id, "")
    assert "Anna" not in written.html
    assert "default-src 'none'" in written.html
    assert not re.search(r"""(src|href|action)\s*=\s*["']?(https?:|//)""", written.html)


def test_entered_once_then_refused(store):
    written, code = _code_for(store)
    entry = read_code(store, code, INSTRUMENTS, TODAY, 14)
    assert "ORS for A1" in entry.describe() and "total 22.5" in entry.describe()
    saved = save_entry(store, entry)
    assert saved.mode == "remote_form" and saved.total == 225
    with pytest.raises(InputError, match="already entered"):
        read_code(store, code, INSTRUMENTS, TODAY, 14)
    assert len(store.administrations("A1")) == 1
    assert store.form(written.form.form_id).administration == saved.id


def test_a_typo_is_refused_and_nothing_saved(store):
    _, code = _code_for(store)
    with pytest.raises(InputError, match="check does not match"):
        read_code(store, code.replace("7.0", "7.1"), INSTRUMENTS, TODAY, 14)
    assert store.administrations() == []


def test_expired_forms_are_refused(store):
    _, code = _code_for(store, day=TODAY - timedelta(days=15))
    with pytest.raises(InputError, match="expired"):
        read_code(store, code, INSTRUMENTS, TODAY, 14)
    _, code = _code_for(store, day=TODAY - timedelta(days=14))
    assert read_code(store, code, INSTRUMENTS, TODAY, 14)  # the last day still counts


def test_a_code_for_another_instrument_is_refused(store):
    written, _ = _code_for(store)
    srs = INSTRUMENTS["SRS"]
    other = make_code(srs, {i.key: 90 for i in srs.items}, written.form.form_id)
    with pytest.raises(InputError, match="written for the ORS, but this code is for the SRS"):
        read_code(store, other, INSTRUMENTS, TODAY, 14)


def test_a_form_for_another_client_names_its_client(store):
    _, code = _code_for(store, code="A1")
    with pytest.raises(InputError, match="written for client A1, not B2"):
        read_code(store, code, INSTRUMENTS, TODAY, 14, expect_client="B2")


def test_an_unknown_form_is_refused(store):
    ors = INSTRUMENTS["ORS"]
    code = make_code(ors, {i.key: 50 for i in ors.items}, "ZZZZ")
    with pytest.raises(InputError, match="no form ZZZZ"):
        read_code(store, code, INSTRUMENTS, TODAY, 14)


def test_cli_form_then_enter(cli, db, tmp_path):
    assert cli("add-client", "C1").code == 0
    page = tmp_path / "form.html"
    result = cli("form", "C1", "SRS", "-o", str(page))
    assert result.code == 0 and "it can be entered until" in result.out
    assert stat.S_IMODE(os.stat(page).st_mode) == 0o600
    form_id = re.search(r"form (\w{4}) for C1", result.out).group(1)
    srs = INSTRUMENTS["SRS"]
    code = make_code(srs, {i.key: 90 for i in srs.items}, form_id)
    refused = cli("enter", code)  # not a terminal, no --yes: asks nobody, saves nothing
    assert refused.code == 1 and "--yes" in refused.err
    assert Store(db).administrations() == []
    saved = cli("enter", code, "--yes")
    assert saved.code == 0 and "To save: SRS for C1" in saved.out
    again = cli("enter", code, "--yes")
    assert again.code == 1 and "already entered" in again.err
    assert [a.mode for a in Store(db).administrations()] == ["remote_form"]


def test_record_takes_a_mode(cli, db):
    assert cli("add-client", "C1").code == 0
    assert cli("record", "C1", "SRS", "9", "9", "9", "9", "--mode", "spoken").code == 0
    bad = cli("record", "C1", "SRS", "9", "9", "9", "9", "--mode", "zoom")
    assert bad.code == 1 and "unknown mode 'zoom'" in bad.err
    assert [a.mode for a in Store(db).administrations()] == ["spoken"]


@pytest.fixture
def every_mode(tmp_path):
    from fittui.domain.model import MODES

    path = tmp_path / "modes" / "fittui.json"
    store = Store(path)
    store.add_client("M1")
    srs = INSTRUMENTS["SRS"]
    for n, mode in enumerate(MODES):
        items = {item.key: 80 + n for item in srs.items}
        store.record("M1", srs, items, f"2026-11-0{n + 1}", mode=mode)
    return path


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("json", ".json")])
def test_mode_round_trips_through_csv_and_json(cli, every_mode, tmp_path, fmt, suffix):
    from fittui.domain.model import MODES

    first = cli("export", "--format", fmt, db_path=every_mode).out
    path = tmp_path / f"modes{suffix}"
    path.write_text(first, newline="")
    empty = tmp_path / "empty" / "fittui.json"
    assert cli("import", path, db_path=empty).code == 0
    assert [a.mode for a in Store(empty).administrations()] == list(MODES)
    assert cli("export", "--format", fmt, db_path=empty).out == first


def test_a_bad_mode_in_an_import_is_named(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "client,date,instrument,item1,item2,item3,item4,mode\nX1,2026-01-01,SRS,9,9,9,9,zoom\n"
    )
    result = cli("import", path)
    assert result.code == 1 and "mode" in result.err and "zoom" in result.err


def test_fhir_carries_the_mode_and_validates(cli, every_mode):
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    from fittui.domain.model import MODES
    from fittui.formats.export import MODE_EXTENSION

    bundle = cli("export", "--format", "fhir", db_path=every_mode).json()
    responses = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    modes = []
    for response in responses:
        QuestionnaireResponse.model_validate(response)
        [extension] = [x for x in response["extension"] if x["url"] == MODE_EXTENSION]
        modes.append(extension["valueCoding"]["code"])
    assert modes == list(MODES)


def test_summary_by_mode_names_each_mode_and_the_caution(cli, every_mode):
    from fittui.domain.mode_summary import CAUTION

    text = cli("report", "--summary", "--by-mode", db_path=every_mode)
    assert text.code == 0 and CAUTION in text.out
    data = cli("report", "--summary", "--by-mode", "--json", db_path=every_mode).json()
    by_mode = {row["mode"]: row for row in data["by_mode"]}
    assert by_mode["spoken"] == {
        "mode": "spoken",
        "ors_count": 0,
        "ors_mean": None,
        "srs_count": 1,
        "srs_mean": 32.8,  # 8.2 on each of four items
        "srs_below_36": 1,
    }
    assert by_mode["paper"]["srs_mean"] == 33.6
    with pytest.raises(SystemExit) as usage:
        cli("report", "--by-mode", db_path=every_mode)
    assert usage.value.code == 2


def test_history_names_how_each_rating_was_taken(cli, every_mode):
    out = cli("history", "M1", db_path=every_mode).out
    assert "client · aloud" in out and "client · home form" in out
    data = cli("history", "M1", "--json", db_path=every_mode).json()
    assert [a["mode"] for a in data["administrations"]][:2] == ["in_person", "screen_share"]


@pytest.mark.parametrize(
    "tail",
    ["{id} {check}", "{id} - {check}", "{id}–{check}", "{id} — {check}", "{id}{check}"],
)
def test_the_form_id_and_check_read_as_heard(tail):
    """Read out, 'K7Q2-9F' is typed as 'K7Q2 9F' (or a chat turns its hyphen into a dash):
    the same code, not 'not F8' or 'ORS has 4 items but the code has 5 scores'."""
    ors = INSTRUMENTS["ORS"]
    items = dict(zip((i.key for i in ors.items), (55, 70, 100, 0)))
    code = make_code(ors, items, "K7Q2")
    check = code[-2:]
    typed = "ORS 5.5 7.0 10.0 0.0 · " + tail.format(id="K7Q2", check=check)
    assert parse_code(typed, INSTRUMENTS).items == items
    with pytest.raises(ResponseCodeError, match="check does not match"):
        parse_code(typed.replace("K7Q2", "K7Q3"), INSTRUMENTS)


def test_a_code_entered_in_two_processes_at_once_is_saved_once(tmp_path):
    """Two copies of fittui (the app on one screen, ``fittui enter`` in a terminal) given
    the same code together: one saves it, the other says it was already entered."""
    import subprocess
    import sys

    db = tmp_path / "fittui.json"
    store = Store(db)
    store.add_client("A1")
    _, code = _code_for(store)
    env = {k: v for k, v in os.environ.items() if k != "FITTUI_DB"}
    env["FITTUI_CONFIG"] = str(tmp_path / "config")
    argv = [sys.executable, "-m", "fittui", "--db", str(db), "enter", code, "--yes"]
    runs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    done = sorted((run.wait(timeout=60), run.stderr.read()) for run in runs)
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert [status for status, _ in done] == [0, 1]
    assert "already entered" in done[1][1]
    assert len(Store(db).administrations("A1")) == 1


def test_enter_takes_the_code_without_quotes(cli, db, tmp_path):
    """Pasted after ``fittui enter`` without quotes, the code is many words: the same code,
    not 'unrecognized arguments: 5.5 7.0 10.0 0.0 · K7Q2-9F' (exit 2)."""
    assert cli("add-client", "C1").code == 0
    result = cli("form", "C1", "ORS", "-o", str(tmp_path / "form.html"))
    form_id = re.search(r"form (\w{4}) for C1", result.out).group(1)
    ors = INSTRUMENTS["ORS"]
    code = make_code(ors, dict(zip((i.key for i in ors.items), (55, 70, 100, 0))), form_id)
    saved = cli("enter", *code.split(), "--yes")
    assert saved.code == 0 and "Saved ORS for C1" in saved.out
    assert [a.total for a in Store(db).administrations("C1")] == [225]
