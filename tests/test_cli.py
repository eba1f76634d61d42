"""The command-line contract of issue 2: outputs, JSON shapes, exit codes, and bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import db_bytes
from fittui import __version__

DATA = Path(__file__).parent / "data"


def test_version_and_help(cli, capsys):
    with pytest.raises(SystemExit) as exit:
        cli("--version")
    assert exit.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli("--help")
    out = capsys.readouterr().out
    for command in (
        "clients",
        "add-client",
        "edit-client",
        "record",
        "history",
        "report",
        "import",
        "demo",
    ):
        assert command in out


def test_add_record_history_report(cli):
    assert cli("add-client", "C1", "--label", "Tuesday 10am").code == 0
    assert cli("record", "C1", "ORS", "5.1", "5", "5", "5", "--date", "2026-01-01").code == 0
    assert cli("record", "C1", "ors", "6.3", "6.3", "6.3", "6.2", "--date", "2026-01-08").code == 0
    assert cli("record", "C1", "SRS", "9", "9", "8.5", "9", "--date", "2026-01-08").code == 0
    history = cli("history", "C1", "--json").json()
    assert history["client"] == "C1"
    first = history["administrations"][0]
    assert set(first) == {"id", "date", "instrument", "rater", "mode", "items", "total", "note"}
    assert first["items"] == {
        "individually": 5.1,
        "interpersonally": 5.0,
        "socially": 5.0,
        "overall": 5.0,
    }
    assert first["total"] == 20.1 and first["rater"] == "client" and first["date"] == "2026-01-01"
    [row] = cli("report", "--json").json()
    assert row == {
        "client": "C1",
        "age_group": "adult",
        "ors_count": 2,
        "ors_first": 20.1,
        "ors_last": 25.1,
        "ors_change": 5.0,
        "status": "recovered",
        "srs_count": 1,
        "srs_last": 35.5,
        "lowest_srs_item": "approach",
        "flags": ["srs_below_cutoff", "srs_item_low"],
        "etr_zone": "on_track",
        "phq9_last": None,
        "phq9_band": None,
        "gad7_last": None,
        "gad7_band": None,
        "ors_instrument": "ORS",
        "srs_instrument": "SRS",
        "gsrs_last": None,
        "split_alliance": False,
        "missing_srs": 1,
        "raters": [],
        "linked": [],
        "phq9_reliable_improvement": None,
        "phq9_recovery": None,
        "phq9_reliable_recovery": None,
        "gad7_reliable_improvement": None,
        "gad7_recovery": None,
        "gad7_reliable_recovery": None,
        # Rated in January 2026 and not since: lapsed once 90 days had passed.
        "episode": {
            "number": 1,
            "start": "2026-01-01",
            "end": "2026-01-08",
            "reason": "no_contact",
            "sessions": 2,
        },
    }
    table = cli("report")
    assert "recovered" in table.out and "+5.0" in table.out
    assert "C1" in cli("clients").out
    [client] = cli("clients", "--json").json()
    assert (
        client["code"] == "C1"
        and client["label"] == "Tuesday 10am"
        and client["administrations"] == 3
    )
    assert "20.1" in cli("history", "C1").out


def test_fittui_db_environment_variable(cli, db, monkeypatch):
    monkeypatch.setenv("FITTUI_DB", str(db))
    assert cli("add-client", "E1", db_path=None).code == 0
    assert db.exists() or db.with_name(db.name + ".journal").exists()
    assert cli("clients", "--json").json()[0]["code"] == "E1"


@pytest.mark.parametrize(
    ("before", "environment"),
    [(["--db", ""], None), (["--db="], None), ([], "")],
    ids=["--db ''", "--db=", "FITTUI_DB=''"],
)
@pytest.mark.parametrize(
    "command",
    [
        ["add-client", "NEWC"],
        ["record", "C1", "ORS", "5", "5", "5", "5"],  # read without argparse
        ["record", "C1", "ORS", "5", "5", "5", "5", "--note", "n"],
        ["clients", "--json"],
        ["history", "C1", "--json"],
        ["clients"],
    ],
)
def test_an_empty_database_path_is_refused_and_the_default_left_alone(
    cli, tmp_path, monkeypatch, before, environment, command
):
    """A script whose variable is unset must not write into (or read) the practice in the
    per-user data folder: an empty path is an error, not the default."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    default = tmp_path / "share" / "fittui" / "fittui.json"
    assert cli("add-client", "C1", db_path=default).code == 0
    files = db_bytes(default)
    if environment is not None:
        monkeypatch.setenv("FITTUI_DB", environment)
    result = cli(*before, *command, db_path=None)
    assert result.code == 1
    assert "is empty" in result.err and ("--db" if before else "FITTUI_DB") in result.err
    assert result.out == ""
    assert db_bytes(default) == files


def test_rater_and_age_groups(cli):
    assert cli("add-client", "K1", "--age-group", "child").code == 0
    assert cli("record", "K1", "CORS", "2", "2", "2", "2", "--rater", "parent").code == 0
    history = cli("history", "K1", "--json").json()
    assert history["administrations"][0]["rater"] == "parent"
    assert cli("report", "--json").json()[0]["ors_count"] == 0


def test_import_of_unseen_cases_agrees_with_clinical_rules(cli):
    result = cli("import", DATA / "cases.csv")
    assert result.code == 0, result.err
    expected = json.loads((DATA / "cases_expected.json").read_text())
    rows = cli("report", "--json").json()
    assert [{key: row[key] for key in want} for row, want in zip(rows, expected)] == expected
    again = cli("import", DATA / "cases.csv")
    assert again.code == 0 and "Imported 0 administrations" in again.out
    assert len(cli("history", "B01", "--json").json()["administrations"]) == 4


def test_history_is_in_date_order_with_entry_order_for_ties(cli):
    cli("import", DATA / "cases.csv")
    dates = [a["date"] for a in cli("history", "B03", "--json").json()["administrations"]]
    totals = [a["total"] for a in cli("history", "B03", "--json").json()["administrations"]]
    assert dates == ["2026-02-01", "2026-02-01", "2026-02-02"] and totals[:2] == [28.0, 22.8]


BAD_INPUTS = [
    (["record", "NOPE", "ORS", "5", "5", "5", "5"], "unknown client"),
    (["record", "C1", "XYZ", "5", "5", "5", "5"], "unknown instrument"),
    (["record", "C1", "ORS", "5", "5", "5"], "takes 4 scores"),
    (["record", "C1", "ORS", "5", "5", "5", "5", "5"], "takes 4 scores"),
    (["record", "C1", "ORS", "10.1", "5", "5", "5"], "out of range"),
    (["record", "C1", "ORS", "-0.1", "5", "5", "5"], "out of range"),
    (["record", "C1", "ORS", "abc", "5", "5", "5"], "not a number"),
    (["record", "C1", "ORS", "5.55", "5", "5", "5"], "one decimal"),
    (["record", "C1", "ORS", "nan", "5", "5", "5"], "not a number"),
    (["record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-13-01"], "not an ISO date"),
    (["record", "C1", "ORS", "5", "5", "5", "5", "--rater", "Mr X"], "rater"),
    (["record", "C1", "PHQ-9", *"111111111", "0"], "takes 9 scores"),
    (["record", "C1", "PHQ-9", *"11111111", "1.5"], "whole numbers"),
    (["record", "C1", "GAD-7", *"111111", "4"], "out of range 0 to 3 for GAD-7"),
    (["add-client", "C1"], "already exists"),
    (["add-client", "C2", "--instruments", "PHQ-9,BDI"], "unknown instrument 'BDI'"),
    (["add-client", "C2", "--instruments", "ors,PHQ-9,ORS"], "instrument ORS is named twice"),
    (["edit-client", "C1"], "nothing to change"),
    (["edit-client", "NOPE", "--label", "x"], "unknown client"),
    (["edit-client", "C1", "--instruments", "GAD7"], "unknown instrument"),
    (["add-client", "has space"], "client code"),
    (["history", "NOPE"], "unknown client"),
]


@pytest.mark.parametrize("args,message", BAD_INPUTS)
def test_bad_input_is_one_clear_line_and_changes_nothing(cli, db, args, message):
    cli("add-client", "C1")
    before = db_bytes(db)
    result = cli(*args)
    assert result.code == 1
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert db_bytes(db) == before


def test_wrong_usage_exits_2(cli, capsys):
    for args in (["record"], ["add-client", "C1", "--age-group", "elder"], ["frobnicate"]):
        with pytest.raises(SystemExit) as exit:
            cli(*args)
        assert exit.value.code == 2


def test_unreadable_database_is_named_and_never_written(cli, db):
    db.parent.mkdir(parents=True)
    db.write_text('{"fittui": {"schema": 1}, "tables": {"clients": [')
    before = db_bytes(db)
    for args in (["clients"], ["add-client", "Z9"], ["report", "--json"]):
        result = cli(*args)
        assert result.code == 1 and str(db) in result.err and "no backup" in result.err
    assert db_bytes(db) == before


def test_demo_database(cli, tmp_path):
    folder = tmp_path / "demo"
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0
    rows = cli("report", "--json", db_path=folder / "fittui.json").json()
    statuses = {r["status"] for r in rows}
    flags = {f for r in rows for f in r["flags"]}
    assert statuses == {"recovered", "improved", "unchanged", "deteriorated", "insufficient"}
    assert flags == {
        "ors_below_cutoff",
        "srs_below_cutoff",
        "srs_item_low",
        "srs_drop",
        "off_track",
        "phq9_item9",
        "split_alliance",
        "srs_below_cutoff:partner",
        "srs_item_low:partner",
    }
    assert {r["etr_zone"] for r in rows} == {"on_track", "at_risk", "off_track", None}
    d04 = next(r for r in rows if r["client"] == "D04")
    assert (d04["phq9_last"], d04["phq9_band"], d04["gad7_band"]) == (14, "moderate", "moderate")
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0  # rebuilt
    real = tmp_path / "real"
    cli("add-client", "R1", db_path=real / "fittui.json")
    (real / "fittui.json").write_text("{}") if not (real / "fittui.json").exists() else None
    refused = cli("demo", "--path", real, "--no-open", db_path=None)
    assert refused.code == 1 and "did not make" in refused.err


def test_demo_shows_every_pattern(tmp_path, instruments):
    from datetime import date

    from fittui.domain.overview import caseload
    from fittui.domain.scoring import split_alliances
    from fittui.storage.demo import make_demo_database
    from fittui.storage.store import Store

    store = Store(make_demo_database(tmp_path / "d", date(2026, 11, 23)))
    by_client = store.administrations_by_client()
    rows = caseload(store.clients(), by_client, instruments)
    patterns = {p.key for _, s in rows for p in s.patterns}
    assert patterns == {
        "progress_good_fit",
        "flat_progress_good_fit",
        "decline_despite_good_fit",
        "sudden_alliance_drop",
        "always_at_ceiling",
        "low_item",
        "not_on_track",
        "same_item_lowest",
        "item_dropped",
        "high_and_steady",
        "no_srs",
    }
    assert any(split_alliances(a, instruments) for a in by_client.values())


def test_console_script_runs_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "fittui", "--db", str(tmp_path / "x.json"), "history", "NOPE"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and result.stderr.startswith("fittui: error:")


@pytest.mark.parametrize(
    "args",
    [[], ["rate", "C1", "ORS"], ["demo", "--path", "{tmp}/demo"], ["--read-only"]],
    ids=["app", "rate", "demo", "read-only"],
)
@pytest.mark.parametrize("keys", ["no terminal", "a terminal"], ids=["stdin-null", "stdin-pty"])
def test_the_app_refuses_to_start_without_a_terminal(cli, db, tmp_path, args, keys):
    """``ssh HOST fittui`` (no -t), cron or a pipe: without a terminal to read keys from and
    draw on (standard error, as Textual draws), the app drew into the pipe, took no key and
    kept a processor busy until killed. It now says so, exits 1, and makes and saves
    nothing; ``demo`` does not make its database."""
    assert cli("add-client", "C1").code == 0
    before = db_bytes(db)
    keyboard, terminal = os.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "fittui", "--db", str(db)]
            + [a.format(tmp=tmp_path) for a in args],
            stdin=subprocess.DEVNULL if keys == "no terminal" else terminal,
            capture_output=True,  # standard error a pipe: nothing to draw on
            text=True,
            timeout=60,
        )
    finally:
        os.close(keyboard)
        os.close(terminal)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("fittui: error: the app needs a terminal")
    assert "ssh -t" in result.stderr and "\x1b" not in result.stderr
    assert db_bytes(db) == before and not (tmp_path / "demo").exists()


def test_rate_checks_its_input_before_opening_the_app(cli):
    cli("add-client", "C1")
    assert "unknown client" in cli("rate", "NOPE", "ORS").err
    assert "unknown instrument" in cli("rate", "C1", "XYZ").err
    assert "rater" in cli("rate", "C1", "ORS", "--rater", "Bad Rater").err
    assert "read-only" in cli("--read-only", "rate", "C1", "ORS").err


def test_rate_tells_the_clients_terminal_nothing_of_the_files(cli, db, monkeypatch, instruments):
    """``fittui rate`` runs on a terminal the client holds: a folder others can read, or
    the day's backup failing on a full disk, is left for the therapist's own next command
    to say (the backup is tried again by the next save), and the rating is saved."""
    import errno

    import fittui.cli.app
    import fittui.storage.daily
    from fittui.storage.store import Store

    cli("add-client", "C1")
    for backup in (db.parent / "backups").glob("*.json"):
        backup.unlink()  # today's first save is yet to come: the rating's own
    db.parent.chmod(0o755)

    def full(path: Path, data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def rated(args: object, **options: object) -> int:
        store, ors = Store(db), instruments["ORS"]
        store.record("C1", ors, ors.parse_scores(["7"] * 4), date.today().isoformat())
        return 0

    monkeypatch.setattr(fittui.storage.daily, "write_copy", full)
    monkeypatch.setattr(fittui.cli.app, "run_app", rated)
    rated_here = cli("rate", "C1", "ORS")
    assert (rated_here.code, rated_here.out, rated_here.err) == (0, "", "")
    assert len(cli("history", "C1", "--json").json()["administrations"]) == 1
    said = cli("clients").err
    assert "can be read by other users" in said and str(db.parent) in said


def test_history_chart_draws_every_series(instruments):
    import plotext

    from fittui.formats.chart import draw_history
    from fittui.storage.demo import demo_records

    _, administrations = demo_records(date(2026, 11, 23))
    couple = [a for a in administrations if a.client == "D09"]
    plotext.clear_figure()
    plotext.plotsize(70, 16)
    legend = draw_history(
        plotext, couple, instruments, cutoff=250, colors=False, intake=220, reliable=50
    )
    drawn = plotext.uncolorize(plotext.build())
    assert [entry.words for entry in legend] == [
        "intake ±5",
        "cut-off 25",
        "SRS 36",
        "ORS",
        "SRS",
        "ORS (partner)",
        "SRS (partner)",
    ]
    markers = [entry.marker for entry in legend]
    assert len(set(markers)) == len(markers)  # every series tells itself apart without colour
    for marker in markers:
        assert marker[0] in drawn
    assert "11-05" in drawn and "11-12" in drawn  # one tick per session date


def test_history_prints_a_plain_text_chart_when_not_on_a_terminal(cli):
    cli("import", DATA / "cases.csv")
    out = cli("history", "B01").out
    assert "\x1b[" not in out  # no colour codes in a pipe or a file
    findings, table, chart = out.split("\n\n", 2)
    assert findings.startswith("Progress, good fit")  # what to look at comes first
    assert table.startswith("DATE") and "┌" in chart and "40┤" in chart
    lines = chart.rstrip().splitlines()
    legend = next(n for n, line in enumerate(lines) if line.startswith("··"))
    assert any("└" in line for line in lines[:legend])  # the legend, under the chart,
    assert all(len(line) <= 80 for line in lines[legend:])  # within 80 columns
    assert "O ORS" in chart and "cut-off 25" in chart


def test_items_view_draws_each_item_of_one_family(instruments):
    import plotext

    from fittui.formats.chart import draw_items
    from fittui.storage.demo import demo_records

    _, administrations = demo_records(date(2026, 11, 23))
    d06 = [a for a in administrations if a.client == "D06"]
    plotext.clear_figure()
    plotext.plotsize(70, 16)
    legend = draw_items(plotext, d06, instruments, "srs", colors=False)
    assert [e.words for e in legend] == [
        "item 9",
        "Relationship",
        "Goals and topics",
        "Approach or method",
        "Overall",
    ]
    assert draw_items(plotext, [a for a in d06 if a.instrument == "ORS"], instruments, "srs") == []


def test_session_instruments_are_set_changed_and_cleared(cli):
    assert (
        "starts with PHQ-9, GAD-7, ORS."
        in cli("add-client", "C1", "--instruments", " phq-9, gad-7 ,ors").out
    )
    assert cli("clients", "--json").json()[0]["instruments"] == ["PHQ-9", "GAD-7", "ORS"]
    assert "PHQ-9,GAD-7,ORS" in cli("clients").out
    changed = cli("edit-client", "C1", "--instruments", "GAD-7", "--label", "Mondays")
    assert changed.code == 0 and "starts with GAD-7." in changed.out
    [client] = cli("clients", "--json").json()
    assert client["instruments"] == ["GAD-7"] and client["label"] == "Mondays"
    cleared = cli("edit-client", "C1", "--instruments", "", "--age-group", "child")
    assert "starts with CORS (the age group's default)" in cleared.out
    assert cli("clients", "--json").json()[0]["instruments"] == []
    assert "default" in cli("clients").out


def test_phq9_and_gad7_in_record_history_and_report(cli):
    cli("add-client", "C1")
    cli("add-client", "C2")
    assert cli("record", "C1", "PHQ-9", *"333322110", "--date", "2026-01-01").out.endswith(
        "total 18.\n"
    )
    cli("record", "C1", "PHQ-9", *"111111110", "--date", "2026-01-08")
    cli("record", "C1", "GAD-7", *"3333333", "--date", "2026-01-08")
    cli("record", "C2", "PHQ-9", *"000000001", "--date", "2026-01-08")
    history = cli("history", "C1", "--json").json()["administrations"]
    assert history[0]["items"]["item9"] == 0 and history[0]["total"] == 18.0
    assert "3 3 3 3 2 2 1 1 0  18" in cli("history", "C1").out
    rows = {r["client"]: r for r in cli("report", "--json").json()}
    assert (rows["C1"]["phq9_last"], rows["C1"]["phq9_band"]) == (8, "mild")
    assert (rows["C1"]["gad7_last"], rows["C1"]["gad7_band"]) == (21, "severe")
    assert rows["C1"]["flags"] == []
    assert (rows["C2"]["phq9_last"], rows["C2"]["phq9_band"]) == (1, "none")
    assert rows["C2"]["flags"] == ["phq9_item9"] and rows["C2"]["gad7_last"] is None
    table = cli("report").out
    assert table.startswith("⚠ C2: PHQ-9 item 9 (thoughts of death or self-harm) was answered")
    assert "“Several days”\n  on 2026-01-08. Ask about these thoughts today" in table


def test_an_item9_answer_stays_raised_in_a_new_episode_until_a_later_phq9_clears_it(cli):
    """A new episode of care (the therapist's, or after a long gap) leaves earlier ratings
    out of the figures, but not an answer to PHQ-9 item 9 that no later PHQ-9 has cleared:
    the report's rows (the client list's), the report, the history and its JSON keep it."""
    cli("add-client", "G1")
    cli("record", "G1", "ORS", "3", "3", "3", "3", "--date", "2026-11-02")
    cli("record", "G1", "PHQ-9", *"222222222", "--date", "2026-11-16")
    cli("episode", "end", "G1", "--reason", "referred", "--date", "2026-11-16")
    cli("episode", "start", "G1", "--date", "2026-11-23")
    cli("record", "G1", "ORS", "4", "4", "4", "4", "--date", "2026-11-23")

    def raised() -> list[bool]:
        [row] = cli("report", "--json").json()
        history = cli("history", "G1", "--json").json()
        return [
            "phq9_item9" in row["flags"],
            cli("report").out.startswith("⚠ G1: PHQ-9 item 9"),
            "phq9_item9" in history["flags"],
            "item 9" in cli("history", "G1").out,
        ]

    assert raised() == [True] * 4
    cli("record", "G1", "PHQ-9", *"111111110", "--date", "2026-11-30")
    assert raised() == [False] * 4


def test_rate_without_an_instrument_is_the_clients_session(cli):
    cli("add-client", "C1")
    assert "needs an INSTRUMENT" in cli("rate", "C1", "--rater", "partner").err
    assert "unknown client" in cli("rate", "NOPE").err


def test_symptom_chart_has_the_band_lines(instruments):
    import plotext

    from fittui.domain.model import Administration
    from fittui.formats.chart import draw_symptoms

    def phq(day: str, *scores: int, rater: str = "client") -> Administration:
        items = {f"item{n}": s * 10 for n, s in enumerate(scores, start=1)}
        return Administration(day, "C1", "PHQ-9", day, items, rater)

    ratings = [
        phq("2026-01-01", 3, 3, 3, 3, 2, 2, 2, 2, 0),
        phq("2026-01-08", 2, 2, 2, 2, 1, 1, 1, 1, 0),
        phq("2026-01-15", 3, 3, 3, 3, 3, 3, 3, 3, 3, rater="partner"),
    ]
    plotext.clear_figure()
    plotext.plotsize(70, 16)
    draw_symptoms(plotext, ratings, instruments["PHQ-9"])
    drawn = plotext.build()
    for tick in ("5 mild", "10 moderate", "15 moderately severe", "20 severe", "27"):
        assert tick in drawn
    assert "01-01" in drawn and "01-08" in drawn and "01-15" not in drawn  # own ratings only


@pytest.mark.parametrize(
    "args",
    [
        ("link", "C1", "C2"),
        ("unlink", "C1", "C2"),
        ("void", "X", "--reason", "wrong client"),
        ("unvoid", "X"),
        ("move", "X", "C2"),
        ("redate", "X", "2026-11-01"),
        ("episode", "start", "C1"),
        ("episode", "end", "C1", "--reason", "planned"),
        ("pin", "set"),
        ("etr", "reset"),
        ("etr", "fit", "--yes"),
    ],
)
def test_read_only_refuses_every_command_that_writes(cli, db, tmp_path, args):
    """The refusal names the command as typed: it said 'episode-start', 'pin-set' and
    'etr-reset', commands that do not exist, for 'episode start' and the like."""
    cli("add-client", "C1")
    cli("add-client", "C2")
    before = db_bytes(db)
    settings = tmp_path / "config" / "settings.toml"
    result = cli("--read-only", *args)
    name = " ".join(args[:2]) if args[0] in ("episode", "pin", "etr") else args[0]
    assert result.code == 1
    assert f"fittui: error: '{name}' writes files; it cannot run with --read-only" in result.err
    assert db_bytes(db) == before and not settings.exists()


@pytest.mark.parametrize(
    "args",
    [("clients", "--json"), ("history", "C1"), ("report", "--summary"), ("app",)],
    ids=["light", "light-text", "argparse", "app"],
)
async def test_read_only_leaves_an_open_backups_folder_as_it_is_and_says_so(cli, db, args):
    """--read-only never writes: the privacy check made fittui's own backups/ private with
    chmod 700 (protective, but a change). It now names the folder and the command that
    fixes it, as it names every other; without --read-only it still fixes it itself."""
    from fittui.storage.settings import Settings
    from fittui.ui.app import make_app

    cli("add-client", "C1")
    backups = db.parent / "backups"
    backups.mkdir(exist_ok=True)
    backups.chmod(0o755)
    fix = f"run: chmod 700 {backups}"
    if args == ("app",):
        app = make_app(db, read_only=True, settings=Settings())
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            said = [n.message for n in app._notifications]
        assert any(fix in line for line in said), said
    else:
        result = cli("--read-only", *args)
        assert result.code == 0 and fix in result.err
    assert stat.S_IMODE(backups.stat().st_mode) == 0o755
    assert cli("clients").code == 0
    assert stat.S_IMODE(backups.stat().st_mode) == 0o700


def run_into_a_closed_pipe(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``fittui ARGS | head -0``: the command's standard output is a pipe nobody reads."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "fittui", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write)


@pytest.mark.slow
@pytest.mark.parametrize("way", ["light", "argparse"])
def test_a_save_whose_output_cannot_be_written_still_exits_0_and_warns(cli, db, tmp_path, way):
    """The rating is saved before "Saved" is printed: a closed pipe must not turn that into
    a failure (a script would save it again), nor lose the warning of a failed backup."""
    assert cli("add-client", "C1").code == 0
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text('[backups]\nencrypt_to = "not a key"\n')
    env = {**os.environ, "FITTUI_CONFIG": str(config)}
    note = ["--note", "piped"] if way == "light" else ["--not", "piped"]  # argparse's prefix
    done = run_into_a_closed_pipe(
        ["--db", str(db), "record", "C1", "ORS", "5", "5", "5", "5", *note], env
    )
    assert done.returncode == 0, done.stderr
    assert "fittui: warning:" in done.stderr and "backup" in done.stderr
    assert "lost sys.stderr" not in done.stderr and "Exception" not in done.stderr
    assert "piped" in cli("history", "C1", "--json").out


@pytest.mark.slow
def test_an_import_whose_output_cannot_be_written_exits_0_and_warns(cli, db, tmp_path):
    assert cli("add-client", "C1").code == 0
    assert cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-01-01").code == 0
    exported = tmp_path / "out.json"
    assert cli("export", "--format", "json", "-o", exported).code == 0
    other = tmp_path / "other" / "fittui.json"
    assert cli("add-client", "K1", db_path=other).code == 0
    config = tmp_path / "failing"
    config.mkdir()
    (config / "settings.toml").write_text('[backups]\nencrypt_to = "not a key"\n')
    env = {**os.environ, "FITTUI_CONFIG": str(config)}
    done = run_into_a_closed_pipe(["--db", str(other), "import", str(exported)], env)
    assert done.returncode == 0, done.stderr
    assert "fittui: warning:" in done.stderr and "backup" in done.stderr
    assert "lost sys.stderr" not in done.stderr and "Exception" not in done.stderr
    assert cli("history", "C1", "--json", db_path=other).json()["administrations"]
