"""``fittui clients`` and ``fittui report`` lines read without argparse (``main.PLAIN``) end
exactly as argparse's way ends them: the same output, the same errors, the same exit
status, whether the output is kept or derived; ``--read-only`` writes nothing either way;
and the lines that are not plain still go to argparse and say what they always said."""

from __future__ import annotations

import pytest
from test_history_plain import ended, ends_alike

from conftest import db_bytes
from fittui.cli import commands
from fittui.cli.main import main


@pytest.fixture
def filled(cli, db):
    cli("add-client", "C1", "--label", "Zoë")
    cli("add-client", "C2", "--age-group", "adolescent")
    cli("link", "C1", "C2")
    cli("record", "C1", "ORS", "4", "4", "4", "4", "--date", "2024-01-08")
    cli("record", "C1", "SRS", "9", "9", "8", "9", "--date", "2024-01-08")
    cli("record", "C2", "ORS", "6", "6", "6", "6", "--date", "2024-01-15")
    return db


LINES = [
    ["clients", "--json"],  # plain
    ["--read-only", "clients", "--json"],
    ["clients", "--json", "--read-only"],
    ["report", "--json"],
    ["report", "--wide", "--json"],  # --wide changes only the text
    ["report", "--json", "--read-only", "--wide"],
    ["clients"],  # plain, but a table: argparse's way
    ["report"],
    ["report", "--wide"],
    ["clients", "--json", "C1"],  # a word where none goes: usage, exit 2
    ["report", "--json", "x"],
    ["clients", "--json", "--json"],
    ["clients", "--jso"],  # shortened: argparse reads it
    ["report", "--json", "--wid"],
    ["clients", "--json", "--wide"],  # not clients' option
    ["report", "--json", "--summary"],  # the summary: argparse's way
    ["report", "--json", "--summary", "--by-mode"],
    ["report", "--json", "--from", "2024-01-01"],  # without --summary: usage, exit 2
    ["report", "--json=1"],
    ["clients", "-h"],
    ["report", "--json", "--", "x"],
]


@pytest.mark.parametrize("line", LINES, ids=[" ".join(line) for line in LINES])
def test_a_caseload_line_ends_as_argparse_s_way_ends_it(filled, capsys, monkeypatch, line):
    ends_alike(filled, line, capsys, monkeypatch)


@pytest.mark.parametrize("kind", ["clients", "report"])
def test_derived_and_kept_alike_through_main(filled, capsys, kind):
    argv = ["--db", str(filled), kind, "--json"]
    derived = ended(main, argv, capsys)  # nothing kept yet: derived, then kept
    assert filled.with_name(f"{filled.name}.summaries.{kind}").exists()
    assert ended(main, argv, capsys) == derived
    assert ended(commands.run, argv, capsys) == derived
    assert derived[0] == 0 and derived[1].startswith("[") and derived[2] == ""


@pytest.mark.parametrize("kind", ["clients", "report"])
def test_read_only_writes_nothing_on_the_light_way(filled, capsys, kind):
    before = db_bytes(filled)
    for argv in (["--read-only", kind, "--json"], [kind, "--json", "--read-only"]):
        code, out, _ = ended(main, ["--db", str(filled), *argv], capsys)
        assert code == 0 and out.startswith("[")
    assert db_bytes(filled) == before


@pytest.mark.parametrize("kind", ["clients", "report"])
@pytest.mark.parametrize("place", ["--db={}", "--db {}", "--d {}"])
def test_no_database_at_the_path_given_is_said_as_ever(tmp_path, capsys, place, kind):
    missing = str(tmp_path / "nothing-here.json")
    argv = [*place.format(missing).split(" "), kind, "--json"]
    code, out, err = ended(main, argv, capsys)
    assert (code, out, err) == ended(commands.run, argv, capsys)
    assert code == 1 and out == "" and f"no database at {missing}" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["clients", "report"])
def test_a_plain_line_never_reaches_argparse(filled, capsys, monkeypatch, kind):
    derived = ended(commands.run, ["--db", str(filled), kind, "--json"], capsys)

    def refuse(arguments: list[str]) -> int:
        raise AssertionError("argparse's way taken")

    monkeypatch.setattr(commands, "run", refuse)
    filled.with_name(f"{filled.name}.summaries.{kind}").unlink()  # derived on the light way
    assert ended(main, ["--db", str(filled), kind, "--json"], capsys) == derived
    assert ended(main, [f"--db={filled}", kind, "--json"], capsys) == derived  # as kept


@pytest.mark.parametrize("kind", ["clients", "report"])
def test_the_privacy_warnings_come_first_as_ever(filled, capsys, kind):
    filled.with_name(filled.name + ".journal").chmod(0o644)  # readable by others: a warning
    argv = ["--db", str(filled), kind, "--json"]
    code, out, err = ended(main, argv, capsys)
    assert (code, out, err) == ended(commands.run, argv, capsys)
    assert code == 0 and out.startswith("[")
    assert err.startswith("fittui: warning: the file") and "chmod 600" in err


def test_a_rules_file_that_cannot_be_read_ends_as_ever(filled, capsys, tmp_path):
    mine = tmp_path / "config" / "instruments"  # the cli fixture's FITTUI_CONFIG
    mine.mkdir(parents=True)
    (mine / "mine.toml").write_text("not toml [")
    for kind, code in (("report", 1), ("clients", 0)):  # clients falls back to fittui's own
        argv = ["--db", str(filled), kind, "--json"]
        by_argparse = ended(commands.run, argv, capsys)
        assert by_argparse[0] == code
        assert ended(main, argv, capsys) == by_argparse
        assert ended(main, argv, capsys) == by_argparse
