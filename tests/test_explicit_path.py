"""A mistyped --db or FITTUI_DB never opens an empty practice: only commands that start a
database create one, and they say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from fittui.cli.main import main


@pytest.mark.parametrize(
    "args",
    [
        ["clients"],
        ["history", "C1"],
        ["report"],
        ["report", "--summary"],
        ["export", "--format", "csv"],
        ["record", "C1", "ORS", "5", "5", "5", "5"],
        ["edit-client", "C1", "--label", "x"],
        ["rate", "C1", "ORS"],
        ["backup"],
        [],  # the app itself: refused before it starts
    ],
)
def test_read_commands_and_the_app_refuse_a_missing_explicit_path(cli, tmp_path, args):
    missing = tmp_path / "typo" / "fittui.json"
    result = cli(*args, db_path=missing)
    assert result.code == 1 and "no database at" in result.err and str(missing) in result.err
    assert not missing.parent.exists()


def test_fittui_db_is_an_explicit_path_too(cli, tmp_path, monkeypatch):
    missing = tmp_path / "typo" / "fittui.json"
    monkeypatch.setenv("FITTUI_DB", str(missing))
    result = cli("clients", db_path=None)
    assert result.code == 1 and "no database at" in result.err
    assert not missing.parent.exists()


def test_commands_that_start_a_database_create_it_and_say_so(cli, tmp_path):
    new = tmp_path / "new" / "fittui.json"
    result = cli("add-client", "C1", db_path=new)
    assert result.code == 0 and f"Created a new database at {new}." in result.out
    again = cli("add-client", "C2", db_path=new)
    assert again.code == 0 and "Created a new" not in again.out
    assert "C1" in cli("clients", db_path=new).out
    csv = tmp_path / "in.csv"
    csv.write_text("client,instrument,date,item1,item2,item3,item4\nC9,ORS,2026-01-01,5,5,5,5\n")
    imported = cli("import", csv, db_path=tmp_path / "other" / "fittui.json")
    assert imported.code == 0 and "Created a new database at" in imported.out


def test_the_default_location_works_on_a_fresh_machine(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("FITTUI_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    assert main(["clients"]) == 0
    assert "No clients yet" in capsys.readouterr().out
    assert main(["add-client", "C1"]) == 0
    out = capsys.readouterr().out
    created = Path(tmp_path / "data" / "fittui" / "fittui.json")
    assert f"Created a new database at {created}." in out
    assert main(["clients"]) == 0 and "C1" in capsys.readouterr().out
