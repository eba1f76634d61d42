"""``fittui demo`` never erases a practice: it rebuilds only its own, unchanged database."""

from __future__ import annotations

import random
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import db_bytes
from fittui.cli.main import main


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return db_bytes(folder / "fittui.json")


def test_demo_refuses_a_database_living_only_in_its_journal(cli, tmp_path):
    real = tmp_path / "real"
    assert cli("add-client", "R1", db_path=real / "fittui.json").code == 0
    assert not (real / "fittui.json").exists()  # a young database: all in the journal
    assert cli("backup", db_path=real / "fittui.json").code == 0
    before = folder_bytes(real)
    result = cli("demo", "--path", real, "--no-open", db_path=None)
    assert result.code == 1 and "did not make" in result.err
    assert folder_bytes(real) == before


def test_demo_refuses_a_snapshot(cli, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    assert cli("add-client", "R1", db_path=real / "fittui.json").code == 0
    journal = real / "fittui.json.journal"
    (real / "fittui.json").write_bytes(b'{"fittui": {"schema": 1}, "records": 0}\n')
    journal.unlink()
    before = folder_bytes(real)
    result = cli("demo", "--path", real, "--no-open", db_path=None)
    assert result.code == 1 and "did not make" in result.err
    assert folder_bytes(real) == before


def test_demo_refuses_a_folder_holding_only_backups(cli, tmp_path):
    real = tmp_path / "real"
    (real / "backups").mkdir(parents=True)
    (real / "backups" / "fittui-2026-01-01.json").write_text("a backup")
    result = cli("demo", "--path", real, "--no-open", db_path=None)
    assert result.code == 1 and "backups" in result.err
    assert (real / "backups" / "fittui-2026-01-01.json").read_text() == "a backup"
    assert not (real / "fittui.json.journal").exists()


def test_demo_refuses_a_lock_file_with_data(cli, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "fittui.json.lock").write_text("12345")
    assert cli("demo", "--path", real, "--no-open", db_path=None).code == 1


def test_following_the_demos_advice_keeps_what_was_added(cli, tmp_path):
    folder = tmp_path / "demo"
    made = cli("demo", "--path", folder, "--no-open", db_path=None)
    assert made.code == 0
    # The advice names the command that opens the demo as it is: it must be true.
    [command] = [line for line in made.out.splitlines() if "fittui --db" in line]
    db = Path(shlex.split(command.split(": ", 1)[1])[2])
    assert db == folder / "fittui.json"
    assert cli("add-client", "MINE", db_path=db).code == 0
    before = folder_bytes(folder)
    again = cli("demo", "--path", folder, "--no-open", db_path=None)
    assert again.code == 1 and "changed since" in again.err
    assert folder_bytes(folder) == before
    assert "MINE" in cli("clients", db_path=db).out


def test_demo_refuses_its_database_once_the_marker_is_removed(cli, tmp_path):
    folder = tmp_path / "demo"
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0
    (folder / ".fittui-demo").unlink()
    before = folder_bytes(folder)
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 1
    assert folder_bytes(folder) == before


def test_demo_rebuilds_its_own_unchanged_database_and_never_touches_backups(cli, tmp_path):
    folder = tmp_path / "demo"
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0
    assert cli("backup", db_path=folder / "fittui.json").code == 0
    [copy] = (folder / "backups").iterdir()
    kept = copy.read_bytes()
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0
    assert copy.read_bytes() == kept
    assert "D01" in cli("clients", db_path=folder / "fittui.json").out


def test_read_only_demo_refuses_and_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "demo"
    assert main(["--read-only", "demo", "--path", str(folder), "--no-open"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert not folder.exists()


# ``fittui demo`` in a process of its own, its check of the folder slowed down so that a save
# can come between the check and the rebuild: the file named by argv[2] says the check is done.
SLOW_DEMO = """
import sys, time
from pathlib import Path
import fittui.storage.demo as demo
checked = demo.check_demo_folder
def slow_check(folder):
    checked(folder)
    Path(sys.argv[2]).touch()
    time.sleep(float(sys.argv[3]))
demo.check_demo_folder = slow_check
from fittui.cli.main import main
sys.exit(main(["demo", "--path", sys.argv[1], "--no-open"]))
"""


@pytest.mark.slow
def test_a_rating_saved_while_the_demo_rebuilds_is_never_erased(cli, tmp_path):
    """A save reported "Saved" either lands before the demo checks its folder (the demo then
    refuses) or waits for the rebuild to end; a demo that checked, then rebuilt without the
    write lock, erased it. The check is slowed down so that the save comes right after it."""
    for n in range(3):
        folder = tmp_path / f"demo{n}"
        db = folder / "fittui.json"
        assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0
        checked = tmp_path / f"checked{n}"
        demo = subprocess.Popen(
            [sys.executable, "-c", SLOW_DEMO, str(folder), str(checked), "0.4"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not checked.exists() and demo.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(random.uniform(0, 0.2))
        record = subprocess.run(
            [sys.executable, "-m", "fittui", "--db", str(db), "record", "D01", "ORS"]
            + ["1", "2", "3", "4", "--note", f"RACE{n}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        _, demo_err = demo.communicate(timeout=60)
        assert record.returncode == 0 and "Saved ORS for D01" in record.stdout, record.stderr
        history = cli("history", "D01", "--json", db_path=db).out
        assert f"RACE{n}" in history, f"a rating reported saved was erased ({demo_err})"
