"""``fittui history`` lines read without argparse (``main.PLAIN``) end exactly as argparse's
way ends them: the same output, the same errors, the same exit status; and the lines that
are not plain still go to argparse and say what they always said."""

from __future__ import annotations

from pathlib import Path

import pytest

from fittui.cli import commands
from fittui.cli.main import main


@pytest.fixture
def filled(cli, db):
    cli("add-client", "C1")
    cli("record", "C1", "ORS", "4", "4", "4", "4", "--date", "2024-01-08")
    cli("record", "C1", "ORS", "6", "6", "6", "6", "--date", "2024-01-15")
    return db


def ended(run, argv: list[str], capsys) -> tuple[int | str | None, str, str]:
    """Exit status (or SystemExit's code), stdout and stderr of one run."""
    capsys.readouterr()
    try:
        code: int | str | None = run(argv)
    except SystemExit as exit_info:
        code = exit_info.code
    out, err = capsys.readouterr()
    return code, out, err


def ends_alike(db: Path, line: list[str], capsys, monkeypatch) -> None:
    """The line ends through ``main`` (light when plain) as through argparse's way, run
    twice: the second time from what the first kept, if it kept anything."""
    monkeypatch.setattr("sys.argv", ["fittui"])  # argparse's program name, as the script's
    argv = ["--db", str(db), *line]
    by_argparse = ended(commands.run, argv, capsys)
    assert ended(main, argv, capsys) == by_argparse
    assert ended(main, argv, capsys) == by_argparse


LINES = [
    ["history", "C1", "--json"],  # plain
    ["history", "--json", "C1", "--read-only"],
    ["--read-only", "history", "C1", "--json"],
    ["history", "NOPE", "--json"],  # no such client: exit 1, one line
    ["history", "C1"],  # plain, but text: argparse's way
    ["history", "--json"],  # no client: usage, exit 2
    ["history", "C1", "C2", "--json"],
    ["history", "C1", "--json", "--json"],
    ["history", "C1", "--jso"],  # shortened: argparse reads it
    ["history", "C1", "--json", "--read"],
    ["history", "-h"],
    ["history", "C1", "--json", "--", "x"],
    ["history", "C1", "--json", "--colour"],
]


@pytest.mark.parametrize("line", LINES, ids=[" ".join(line) for line in LINES])
def test_a_history_line_ends_as_argparse_s_way_ends_it(filled, capsys, monkeypatch, line):
    ends_alike(filled, line, capsys, monkeypatch)


@pytest.mark.parametrize("place", ["--db={}", "--db {}", "--d {}"])
def test_no_database_at_the_path_given_is_said_as_ever(tmp_path, capsys, place):
    missing = str(tmp_path / "nothing-here.json")
    argv = [*place.format(missing).split(" "), "history", "C1", "--json"]
    code, out, err = ended(main, argv, capsys)
    assert (code, out, err) == ended(commands.run, argv, capsys)
    assert code == 1 and out == "" and f"no database at {missing}" in err
    assert not (tmp_path / "nothing-here.json.histories").exists()


def test_a_plain_line_never_reaches_argparse(filled, capsys, monkeypatch):
    expected = ended(commands.run, ["--db", str(filled), "history", "C1", "--json"], capsys)

    def refuse(arguments: list[str]) -> int:
        raise AssertionError("argparse's way taken")

    monkeypatch.setattr(commands, "run", refuse)
    assert ended(main, ["--db", str(filled), "history", "C1", "--json"], capsys) == expected
    assert ended(main, [f"--db={filled}", "history", "C1", "--json"], capsys) == expected


def test_the_privacy_warnings_come_first_as_ever(filled, capsys):
    filled.with_name(filled.name + ".journal").chmod(0o644)  # readable by others: a warning
    argv = ["--db", str(filled), "history", "C1", "--json"]
    code, out, err = ended(main, argv, capsys)
    assert (code, out, err) == ended(commands.run, argv, capsys)
    assert code == 0 and out.startswith("{")
    assert err.startswith("fittui: warning: the file") and "chmod 600" in err


def test_every_plain_command_is_read_in_a_form_checked_against_argparse():
    from importlib import import_module

    from test_cli_light import FORMS  # the forms its property test checks

    from fittui.cli.main import PLAIN

    checked = {(*form, None)[:5] for form in FORMS}
    for command, where, *form in PLAIN:
        assert (command, *form) in checked, command
        module, _, function = where.partition(":")
        assert callable(getattr(import_module(module), function or "plain")), where
