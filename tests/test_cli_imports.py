"""What each quick command loads: `--version` and `--help` nothing of fittui's storage or
domain, and the commands that print text or JSON nothing of Textual, plotext or rich.

Each runs in a fresh interpreter, because what an import costs is paid once per process: a
module loaded by an earlier test would hide a new import at the top of the command line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

DRAWING = ("textual", "textual_plotext", "plotext", "rich")
# What `--version` and `--help` need is argparse; these are the costly rest.
NOT_FOR_PARSING = (*DRAWING, "fittui.storage", "fittui.domain", "fittui.formats", "fittui.ui")
NOT_FOR_PARSING += ("filelock", "tinydb", "tomllib", "orjson", "platformdirs", "pyrage")


def loaded_after(commands: list[list[str]], watched: tuple[str, ...]) -> list[str]:
    """The watched modules (or their submodules) in sys.modules after running the commands
    in order in one fresh interpreter; a command's own exit is not a failure."""
    code = (
        "import sys, json\n"
        "from fittui.cli.main import main\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "watched = json.loads(sys.argv[2])\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if any(m == w or m.startswith(w + '.') for w in watched))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(commands), json.dumps(watched)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_only_what_parsing_needs(flag):
    assert loaded_after([[flag]], NOT_FOR_PARSING) == []


def test_the_console_script_module_alone_stays_light():
    code = "import sys, fittui.cli.main; print(sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = result.stdout
    assert not [m for m in NOT_FOR_PARSING if f"'{m}'" in loaded or f"'{m}." in loaded]


def test_text_and_json_commands_do_not_import_textual(tmp_path):
    db = str(tmp_path / "f.json")
    commands = [
        ["--db", db, "add-client", "C1"],
        ["--db", db, "record", "C1", "ORS", "1", "1", "1", "1"],
        ["--db", db, "history", "C1", "--json"],
        ["--db", db, "clients", "--json"],
        ["--db", db, "report", "--json"],
    ]
    assert loaded_after(commands, DRAWING) == []


def test_a_failing_command_still_says_what_went_wrong(tmp_path, capsys):
    from fittui.cli.main import main

    missing = str(tmp_path / "nothing-here.json")
    assert main(["--db", missing, "clients"]) == 1
    assert "no database at" in capsys.readouterr().err


# The parser and what the commands share; every other module of fittui.cli is one command's.
SHARED = ("fittui.cli", "fittui.cli.main", "fittui.cli.commands", "fittui.cli.common")
SHARED += ("fittui.cli.arguments", "fittui.cli.output", "fittui.cli.json_out")


def command_modules_after(commands: list[list[str]]) -> list[str]:
    """The command modules of fittui.cli loaded after running the commands."""
    return [m for m in loaded_after(commands, ("fittui.cli",)) if m not in SHARED]


def test_help_imports_no_command_module():
    assert command_modules_after([["--help"]]) == []


def test_a_command_s_help_imports_that_command_s_module_only():
    record = ["fittui.cli.light", "fittui.cli.record", "fittui.cli.record_light"]  # its light way
    assert command_modules_after([["record", "--help"]]) == record
    assert command_modules_after([["episode", "start", "--help"]]) == ["fittui.cli.episode"]


def test_every_command_in_the_table_has_its_module_and_handler(capsys):
    from fittui.cli.commands import FAMILIES, HELP, build_parser

    assert sorted(name for names in FAMILIES.values() for name in names) == sorted(HELP)
    for name, help in HELP.items():
        with pytest.raises(SystemExit) as exit_info:
            build_parser().parse_args([name, "--help"])
        assert exit_info.value.code == 0
        assert help in " ".join(capsys.readouterr().out.split())
    for argv in (["clients"], ["void", "ID", "--reason", "r"], ["etr"], ["pin", "set"]):
        args = build_parser().parse_args(argv)
        assert args.func.__module__ != "fittui.cli.commands", argv


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["record", "C1", "ORS", "1", "2", "3", "4"], "record"),
        (["--db", "clients", "report", "--json"], "report"),  # a database named like a command
        (["--d", "clients", "history", "C1"], "history"),  # --db shortened, as argparse allows
        (["--db=x", "--read-only", "clients"], "clients"),
        (["-h", "record"], None),  # the whole help: every command listed
        (["recrd"], None),  # the error lists every command
        ([], None),
    ],
)
def test_a_command_line_builds_only_the_parser_of_the_command_it_names(argv, named):
    from fittui.cli.commands import build_parser, named_command

    def parsed(parser: argparse.ArgumentParser) -> dict:
        return {k: v for k, v in vars(parser.parse_args(argv)).items() if k != "usage_error"}

    assert named_command(argv) == named
    if named is not None:
        assert parsed(build_parser(argv)) == parsed(build_parser())


# A history printed as kept needs none of these: the parser and the commands' table (a plain
# line is read without them), typing (fittui's modules on the way import it for mypy only),
# platformdirs (the config folder is worked out as it would: FITTUI_CONFIG, an absolute
# XDG_CONFIG_HOME or HOME), datetime, and what only working it out, writing or a warning uses.
NOT_FOR_A_KEPT_HISTORY = ("argparse", "fittui.cli.commands", "fittui.cli.common", "typing")
NOT_FOR_A_KEPT_HISTORY += ("fittui.cli.output", "platformdirs", "datetime", "shutil", "tempfile")
NOT_FOR_A_KEPT_HISTORY += ("shlex", "mmap", "fittui.storage.atomic", "fittui.storage.printed")


@pytest.mark.parametrize("config", ["FITTUI_CONFIG", "XDG_CONFIG_HOME", "HOME"])
def test_a_kept_history_loads_only_what_printing_it_needs(tmp_path, monkeypatch, config):
    for name in ("FITTUI_CONFIG", "XDG_CONFIG_HOME", "FITTUI_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(config, str(tmp_path / "config"))
    db = str(tmp_path / "f.json")
    history = ["--db", db, "history", "C1", "--json"]
    first = [
        ["--db", db, "add-client", "C1"],
        ["--db", db, "record", "C1", "ORS", "1", "1", "1", "1"],
    ]
    loaded_after([*first, history], ())  # works the history out and keeps it
    assert loaded_after([history], NOT_FOR_A_KEPT_HISTORY) == []
    read_only = ["history", "--read-only", "C1", f"--db={db}", "--json"]
    assert loaded_after([read_only], NOT_FOR_A_KEPT_HISTORY) == []


# A kept caseload (clients --json, report --json) printed needs none of these either: not
# the commands' own modules (caseload.py prints it), nor what deriving or writing it uses.
NOT_FOR_A_KEPT_CASELOAD = ("argparse", "fittui.cli.commands", "fittui.cli.common", "typing")
NOT_FOR_A_KEPT_CASELOAD += ("fittui.cli.clients", "fittui.cli.report", "fittui.cli.output")
NOT_FOR_A_KEPT_CASELOAD += ("platformdirs", "datetime", "shutil", "tempfile", "shlex", "orjson")
NOT_FOR_A_KEPT_CASELOAD += ("fittui.storage.atomic", "fittui.storage.histories", "tinydb")
NOT_FOR_A_KEPT_CASELOAD += ("fittui.domain", "fittui.storage.store", "fittui.storage.journal")


@pytest.mark.parametrize("kind", ["clients", "report"])
@pytest.mark.parametrize("config", ["FITTUI_CONFIG", "XDG_CONFIG_HOME", "HOME"])
def test_a_kept_caseload_loads_only_what_printing_it_needs(tmp_path, monkeypatch, config, kind):
    for name in ("FITTUI_CONFIG", "XDG_CONFIG_HOME", "FITTUI_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(config, str(tmp_path / "config"))
    db = str(tmp_path / "f.json")
    caseload = ["--db", db, kind, "--json"]
    first = [
        ["--db", db, "add-client", "C1"],
        ["--db", db, "record", "C1", "ORS", "1", "1", "1", "1"],
    ]
    loaded_after([*first, caseload], ())  # derives the output and keeps it
    assert loaded_after([caseload], NOT_FOR_A_KEPT_CASELOAD) == []
    read_only = [kind, "--read-only", f"--db={db}", "--json"]
    assert loaded_after([read_only], NOT_FOR_A_KEPT_CASELOAD) == []
    assert "fittui.storage.printed" in loaded_after([caseload], ("fittui.storage",))


# A plain `fittui record` is saved the light way (cli/record_light.py): none of the full
# way's machinery, whether FITTUI_CONFIG or XDG names the config folder (json is the
# harness's own).
NOT_FOR_A_LIGHT_RECORD = ("orjson", "argparse", "tinydb", "typing", "dataclasses", "platformdirs")
NOT_FOR_A_LIGHT_RECORD += ("decimal", "fittui.storage.journal")
NOT_FOR_A_LIGHT_RECORD += ("fittui.domain.model", "fittui.storage.records", "fittui.cli.commands")
NOT_FOR_A_LIGHT_RECORD += ("zlib",)  # the checked note is a marked stamp, not a CRC


@pytest.mark.parametrize("config_from", ["FITTUI_CONFIG", "XDG_CONFIG_HOME"])
def test_a_light_record_loads_none_of_the_full_way(tmp_path, monkeypatch, config_from):
    from test_record_light import ready

    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    db = ready(tmp_path / "data" / "fittui.json")
    if config_from == "XDG_CONFIG_HOME":  # as bench/goals.py runs the commands
        monkeypatch.delenv("FITTUI_CONFIG")
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg" / "config"))
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg" / "data"))
    record = ["--db", str(db), "record", "C1", "ORS", "1", "2", "3", "4", "--note", "ok"]
    assert loaded_after([record], NOT_FOR_A_LIGHT_RECORD) == []
    assert json.loads(db.with_name(db.name + ".checked").read_text())["stamp"][1] == (
        db.with_name(db.name + ".journal").stat().st_size
    )  # it saved, the light way
