"""Instruments as data: the built-ins, the user's wording file, and Likert scales."""

from __future__ import annotations

import pytest

from fittui.domain.instruments import (
    InstrumentError,
    find_instrument,
    load_instruments,
    parse_instrument_list,
)

LIKERT = """
key = "MOOD"
name = "A user's own Likert scale"
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
flag = "mood_item9"
message = "Ask about it today."
""" + "".join(f'[[items]]\nkey = "item{n}"\nlabel = "Item {n}"\n' for n in range(1, 10))


def test_builtins_match_clinical_md(instruments):
    assert set(instruments) == {
        "ORS",
        "CORS",
        "YCORS",
        "SRS",
        "CSRS",
        "YCSRS",
        "GSRS",
        "PHQ-9",
        "GAD-7",
    }
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
        assert all(i.label and i.description for i in instrument.items)
        if instrument.kind == "vas":
            assert all(i.low and i.high for i in instrument.items)


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
    (tmp_path / "mood.toml").write_text(LIKERT)
    mood = load_instruments(tmp_path)["MOOD"]
    assert mood.max_total == 270 and mood.step == 10
    assert mood.parse_scores(["0", "1", "2", "3", "0", "0", "0", "0", "1"])["item9"] == 10
    with pytest.raises(InstrumentError, match="whole numbers"):
        mood.parse_score("1.5")
    with pytest.raises(InstrumentError, match="out of range"):
        mood.parse_score("4")
    assert mood.band_for(40).key == "none" and mood.band_for(50).key == "mild"
    assert mood.risk_rules[0].flag == "mood_item9"


def test_user_wording_reaches_the_cli(cli, tmp_path):
    folder = tmp_path / "config" / "instruments"
    folder.mkdir(parents=True)
    (folder / "mood.toml").write_text(LIKERT)
    cli("add-client", "C1")
    assert cli("record", "C1", "MOOD", *"012300001").code == 0
    assert cli("history", "C1", "--json").json()["administrations"][0]["total"] == 7.0
    (folder / "bad.toml").write_text('name = "no key"\n')
    result = cli("clients")
    assert cli("record", "C1", "ORS", "1", "1", "1", "1").code == 1
    assert result.code == 0


ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")


def test_phq9_and_gad7_as_published(instruments):
    """PHQ-9 and GAD-7: items 0-3, totals 0-27 and 0-21, the bands, LOINC panel and total."""
    phq, gad = instruments["PHQ-9"], instruments["GAD-7"]
    assert phq.frame == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert (
        gad.frame
        == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )
    for instrument, count in ((phq, 9), (gad, 7)):
        assert instrument.kind == "likert" and instrument.family == "other"
        assert [i.key for i in instrument.items] == [f"item{n}" for n in range(1, count + 1)]
        assert (instrument.scale_min, instrument.scale_max, instrument.step) == (0, 30, 10)
        assert instrument.max_total == count * 30 and instrument.options == ANSWERS
        assert instrument.loinc_answers == ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")
        assert all(item.loinc for item in instrument.items)
        assert "No permission required" in instrument.copyright
    assert (phq.loinc_panel, phq.loinc_total) == ("44249-1", "44261-6")
    assert (gad.loinc_panel, gad.loinc_total) == ("69737-5", "70274-6")
    assert phq.item("item1").description == "Little interest or pleasure in doing things"
    assert phq.item("item9").description == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert phq.item("item9").loinc == "44260-8"
    assert gad.item("item1").description == "Feeling nervous, anxious, or on edge"
    assert [(b.key, b.low) for b in phq.bands] == [
        ("none", 0),
        ("mild", 50),
        ("moderate", 100),
        ("moderately_severe", 150),
        ("severe", 200),
    ]
    assert [(b.key, b.low) for b in gad.bands] == [
        ("minimal", 0),
        ("mild", 50),
        ("moderate", 100),
        ("severe", 150),
    ]
    [rule] = phq.risk_rules
    assert (rule.item, rule.at_least, rule.flag) == ("item9", 10, "phq9_item9")
    assert gad.risk_rules == ()


def test_likert_scores_are_whole_answers(instruments):
    phq = instruments["PHQ-9"]
    assert phq.parse_score("3") == 30 and phq.parse_score("0") == 0
    assert phq.format_score(120) == "12" and instruments["ORS"].format_score(255) == "25.5"
    assert [phq.option_for(t) for t in (0, 10, 20, 30)] == list(ANSWERS)
    for bad in (5, 40, -10):
        with pytest.raises(InstrumentError, match="no answer worth"):
            phq.option_for(bad)
    with pytest.raises(InstrumentError, match="out of range 0 to 3 for PHQ-9"):
        phq.parse_score("-1")


def test_user_wording_of_phq9_translates_but_keeps_codes_and_bands(tmp_path):
    (tmp_path / "phq9.toml").write_text(
        'key = "PHQ-9"\nframe = "Au cours des 2 dernières semaines..."\n'
        'options = ["Jamais", "Plusieurs jours", "Plus de la moitié du temps", "Presque tous"]\n'
        '[[items]]\nkey = "item9"\ndescription = "Pensées..."\n'
    )
    phq = load_instruments(tmp_path)["PHQ-9"]
    assert phq.options[0] == "Jamais" and phq.item("item9").description == "Pensées..."
    assert phq.item("item9").loinc == "44260-8" and phq.risk_rules[0].flag == "phq9_item9"
    (tmp_path / "phq9.toml").write_text(
        'key = "PHQ-9"\n[[bands]]\nkey = "x"\nlabel = "x"\nlow = 0\n'
    )
    with pytest.raises(InstrumentError, match="only its wording"):
        load_instruments(tmp_path)
    (tmp_path / "phq9.toml").write_text('key = "PHQ-9"\noptions = ["Jamais"]\n')
    with pytest.raises(InstrumentError, match="needs 4 options"):
        load_instruments(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (LIKERT + '[loinc]\nanswers = ["LA1"]\n', "one code per option"),
        (LIKERT + '[[bands]]\nkey = "high"\nlabel = "High"\nlow = 3\n', "bands must start"),
        (LIKERT.replace("low = 0\n", "low = 1\n"), "bands must start"),
        ('loinc = "44249-1"\n' + LIKERT, "malformed field"),
    ],
)
def test_a_malformed_likert_file_is_refused(tmp_path, text, message):
    (tmp_path / "mood.toml").write_text(text)
    with pytest.raises(InstrumentError, match=message):
        load_instruments(tmp_path)


def test_instrument_lists_keep_the_therapists_order(instruments):
    assert parse_instrument_list(instruments, " gad-7, PHQ-9 ,ors,") == ("GAD-7", "PHQ-9", "ORS")
    assert parse_instrument_list(instruments, "") == ()
    with pytest.raises(InstrumentError, match="named twice"):
        parse_instrument_list(instruments, "PHQ-9,phq-9")
