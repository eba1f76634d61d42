"""Instruments as data: the built-ins, the user's wording file, and Likert scales."""

from __future__ import annotations

import pytest

from fittui.instruments import InstrumentError, find_instrument, load_instruments

LIKERT = """
key = "PHQ-9"
name = "Patient Health Questionnaire"
family = "other"
kind = "likert"
options = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
[scale]
min = 0
max = 3
step = 1
[[bands]]
key = "none"
label = "None"
low = 0
[[bands]]
key = "mild"
label = "Mild"
low = 5
[[risk_rules]]
item = "item9"
at_least = 1
flag = "phq9_item9"
message = "Ask about safety today."
""" + "".join(f'[[items]]\nkey = "item{n}"\nlabel = "Item {n}"\n' for n in range(1, 10))


def test_builtins_match_clinical_md(instruments):
    assert set(instruments) == {"ORS", "CORS", "YCORS", "SRS", "CSRS", "YCSRS", "GSRS"}
    ors = instruments["ORS"]
    assert [i.key for i in ors.items] == ["individually", "interpersonally", "socially", "overall"]
    assert ors.cutoffs == {"adult": 250, "adolescent": 280} and ors.reliable_change == 50
    assert instruments["CORS"].cutoffs == {"child": 320}
    assert instruments["YCORS"].cutoffs == {} and len(instruments["YCORS"].items) == 1
    assert [i.key for i in instruments["CSRS"].items] == [
        "listening",
        "how_important",
        "what_we_did",
        "overall",
    ]
    for key in ("SRS", "CSRS", "GSRS"):
        assert instruments[key].cutoff == 360 and instruments[key].item_cutoff == 90
    for instrument in instruments.values():
        assert instrument.sources and instrument.copyright
        assert all(i.label and i.description and i.low and i.high for i in instrument.items)


def test_find_instrument_ignores_case(instruments):
    assert find_instrument(instruments, "srs").key == "SRS"
    with pytest.raises(InstrumentError, match="unknown instrument"):
        find_instrument(instruments, "OQ-45")


def test_user_file_replaces_wording_only(tmp_path):
    (tmp_path / "ors.toml").write_text(
        'key = "ORS"\nname = "Échelle"\n[[items]]\nkey = "overall"\nlabel = "Global"\n'
        'description = "Dans l\'ensemble"\n'
    )
    instruments = load_instruments(tmp_path)
    assert instruments["ORS"].name == "Échelle"
    assert instruments["ORS"].item("overall").label == "Global"
    assert instruments["ORS"].item("individually").label == "Individually"
    assert instruments["ORS"].cutoffs == {"adult": 250, "adolescent": 280}
    (tmp_path / "ors.toml").write_text('key = "ORS"\nreliable_change = 1.0\n')
    with pytest.raises(InstrumentError, match="only its wording"):
        load_instruments(tmp_path)
    (tmp_path / "ors.toml").write_text('key = "ORS"\n[[items]]\nkey = "nope"\nlabel = "x"\n')
    with pytest.raises(InstrumentError, match="each item needs a key of ORS"):
        load_instruments(tmp_path)
    (tmp_path / "ors.toml").write_text('key = "ORS"\nname = \n')
    with pytest.raises(InstrumentError, match="not valid TOML"):
        load_instruments(tmp_path)


def test_a_likert_instrument_needs_no_special_case(tmp_path):
    (tmp_path / "phq9.toml").write_text(LIKERT)
    phq = load_instruments(tmp_path)["PHQ-9"]
    assert phq.max_total == 270 and phq.step == 10
    assert phq.parse_scores(["0", "1", "2", "3", "0", "0", "0", "0", "1"])["item9"] == 10
    with pytest.raises(InstrumentError, match="whole numbers"):
        phq.parse_score("1.5")
    with pytest.raises(InstrumentError, match="out of range"):
        phq.parse_score("4")
    assert phq.band_for(40).key == "none" and phq.band_for(50).key == "mild"
    assert phq.risk_rules[0].flag == "phq9_item9"


def test_user_wording_reaches_the_cli(cli, tmp_path):
    folder = tmp_path / "config" / "instruments"
    folder.mkdir(parents=True)
    (folder / "phq9.toml").write_text(LIKERT)
    cli("add-client", "C1")
    assert cli("record", "C1", "PHQ-9", *"012300001").code == 0
    assert cli("history", "C1", "--json").json()["administrations"][0]["total"] == 7.0
    (folder / "bad.toml").write_text('name = "no key"\n')
    result = cli("clients")
    assert cli("record", "C1", "ORS", "1", "1", "1", "1").code == 1
    assert result.code == 0
