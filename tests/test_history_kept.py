"""A client's ``history --json`` kept beside the database (``storage/histories.py``): printed
as kept only while everything it was worked out from is unchanged, and always what working
it out afresh prints."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import fittui.cli.common as common
import fittui.cli.history as history_command
import fittui.cli.history_text as history_text
from fittui.storage import histories


def kept_file(db: Path, code: str) -> Path:
    return histories.folder(db) / code.encode().hex()


@pytest.fixture
def filled(cli, db):
    cli("add-client", "C1")
    cli("add-client", "C2")
    for day, scores in (("2024-01-08", "4 4 4 4"), ("2024-01-15", "5 5 5 5")):
        cli("record", "C1", "ORS", *scores.split(), "--date", day)
        cli("record", "C1", "SRS", "9", "9", "9", "9", "--date", day)
        cli("record", "C2", "ORS", "6", "6", "6", "6", "--date", day)
    return db


def afresh(cli, db: Path, code: str) -> str:
    """The history worked out from the ratings, with nothing kept to read."""
    for path in histories.folder(db).glob("*"):
        path.unlink()
    return cli("history", code, "--json", "--read-only").out


def refused(monkeypatch, owner: object, name: str, why: str) -> None:
    """Fail the test if ``owner.name`` is called."""

    def refuse(*args: object) -> None:
        raise AssertionError(why)

    monkeypatch.setattr(owner, name, refuse)


def not_worked_out(monkeypatch) -> None:
    """Fail the test if the history is worked out rather than read as kept."""
    refused(monkeypatch, history_text, "work_out", "worked out, not read as kept")


def test_a_history_asked_again_is_printed_as_kept(cli, filled, monkeypatch):
    first = cli("history", "C1", "--json").out
    assert kept_file(filled, "C1").exists()
    not_worked_out(monkeypatch)
    assert cli("history", "C1", "--json").out == first
    assert cli("history", "C1", "--json", "--read-only").out == first


def test_kept_histories_are_private(cli, filled):
    cli("history", "C1", "--json")
    assert stat.S_IMODE(os.stat(histories.folder(filled)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(kept_file(filled, "C1")).st_mode) == 0o600


def test_read_only_keeps_nothing(cli, filled):
    cli("history", "C1", "--json", "--read-only")
    assert not histories.folder(filled).exists()


def test_an_unknown_client_is_refused_as_before_and_nothing_is_kept(cli, filled):
    result = cli("history", "NOPE", "--json")
    assert result.code == 1 and "NOPE" in result.err
    assert not histories.folder(filled).exists()


@pytest.mark.parametrize(
    "change",
    [
        ("record", "C1", "ORS", "8", "8", "8", "8", "--date", "2024-01-22"),
        ("episode", "end", "--reason", "planned", "--date", "2024-01-15", "C1"),
        ("edit-client", "C1", "--age-group", "adolescent"),
        ("link", "C1", "C2"),
    ],
    ids=["a rating", "an episode ended", "the client's record", "a link"],
)
def test_a_change_to_the_client_s_data_is_seen(cli, filled, change):
    cli("history", "C1", "--json")
    stamped = kept_file(filled, "C1").read_bytes()
    changed = cli(*change)
    assert changed.code == 0, changed.err
    now = cli("history", "C1", "--json").out
    assert kept_file(filled, "C1").read_bytes() != stamped  # worked out again, kept anew
    assert now == afresh(cli, filled, "C1")


def test_a_voided_rating_and_a_linked_client_s_rating_are_seen(cli, filled):
    cli("link", "C1", "C2")
    cli("history", "C1", "--json")
    [first_id, *_] = [a["id"] for a in cli("history", "C1", "--json").json()["administrations"]]
    cli("void", first_id, "--reason", "test entry")
    assert cli("history", "C1", "--json").json()["administrations"][0]["voided"]
    cli("record", "C2", "SRS", "1", "1", "1", "1", "--date", "2024-01-15")
    now = cli("history", "C1", "--json").out
    assert now == afresh(cli, filled, "C1")


def test_the_settings_and_the_day_are_part_of_what_a_history_is_worked_out_from(
    cli, filled, tmp_path, monkeypatch
):
    kept = cli("history", "C1", "--json").out
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text("[episodes]\ngap_days = 3\n", encoding="utf-8")
    assert cli("history", "C1", "--json").out == afresh(cli, filled, "C1")
    (config / "settings.toml").unlink()
    assert cli("history", "C1", "--json").out == kept

    made_from = kept_file(filled, "C1").read_bytes()
    monkeypatch.setattr(history_command, "today", lambda: "2031-05-06")
    cli("history", "C1", "--json")
    assert b"2031-05-06" in kept_file(filled, "C1").read_bytes()
    assert kept_file(filled, "C1").read_bytes() != made_from


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],  # one bit of the answer
        lambda data: data.replace(b'"C1"', b'"C9"', 1),  # a stamp of another client
        lambda data: b"",
        lambda data: b"fittui-history 1 x y z\n" + data,
    ],
    ids=["cut short", "a flipped bit", "another stamp", "empty", "a bad head"],
)
def test_a_damaged_kept_history_is_never_believed(cli, filled, damage, monkeypatch):
    right = cli("history", "C1", "--json").out
    path = kept_file(filled, "C1")
    path.write_bytes(damage(path.read_bytes()))
    assert cli("history", "C1", "--json").out == right
    not_worked_out(monkeypatch)  # kept anew, whole
    assert cli("history", "C1", "--json").out == right


def test_a_kept_history_reads_back_as_it_was_kept(tmp_path):
    db = tmp_path / "f.json"
    histories.keep(db, "C1", histories.Kept(b"files", b"[1]", b"[2, 3]", b"answer\n"))
    kept = histories.read(db, "C1")
    assert kept is not None
    assert (kept.files, kept.rules, kept.data, kept.answer) == (
        b"files",
        b"[1]",
        b"[2, 3]",
        b"answer\n",
    )
    assert histories.read(db, "c1") is None  # a code in another case is another client


def not_opened(monkeypatch) -> None:
    """Fail the test if the database is opened."""
    refused(monkeypatch, common, "store_at", "the database was opened")


def test_while_the_database_s_files_are_unchanged_it_is_not_even_opened(cli, filled, monkeypatch):
    first = cli("history", "C1", "--json").out
    with monkeypatch.context() as patched:
        not_opened(patched)
        assert cli("history", "C1", "--json").out == first
    cli("record", "C2", "ORS", "7", "7", "7", "7", "--date", "2024-01-22")  # another client
    with monkeypatch.context() as patched:
        not_worked_out(patched)  # C1's data is unchanged: the kept history holds
        assert cli("history", "C1", "--json").out == first
    with monkeypatch.context() as patched:
        not_opened(patched)  # and it now names the files as they are
        assert cli("history", "C1", "--json").out == first


def test_read_only_prints_a_kept_history_but_never_keeps_one(cli, filled, monkeypatch):
    first = cli("history", "C1", "--json").out
    before = kept_file(filled, "C1").read_bytes()
    cli("record", "C2", "ORS", "7", "7", "7", "7", "--date", "2024-01-22")
    not_worked_out(monkeypatch)
    assert cli("history", "C1", "--json", "--read-only").out == first
    assert kept_file(filled, "C1").read_bytes() == before


def test_a_folder_that_cannot_be_written_leaves_the_history_as_it_is(cli, filled):
    right = cli("history", "C1", "--json", "--read-only").out
    histories.folder(filled).write_text("not a folder", encoding="utf-8")
    result = cli("history", "C1", "--json")
    assert result.code == 0 and result.out == right
    assert histories.folder(filled).read_text(encoding="utf-8") == "not a folder"


def test_a_link_in_place_of_the_folder_is_never_followed(cli, filled, tmp_path):
    """A link where the kept histories' folder should be led every history, a client's
    whole record, into the folder it named (one others could read): fittui never follows
    a link where it keeps data. The history is printed as always, and nothing is kept."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    right = cli("history", "C1", "--json", "--read-only").out
    histories.folder(filled).symlink_to(elsewhere, target_is_directory=True)
    result = cli("history", "C1", "--json")
    assert result.code == 0 and result.out == right
    assert list(elsewhere.iterdir()) == []
    assert histories.folder(filled).is_symlink()
    # Nor is a history read through it.
    os.unlink(histories.folder(filled))
    cli("history", "C1", "--json")
    os.rename(histories.folder(filled), elsewhere.with_name("kept"))
    histories.folder(filled).symlink_to(elsewhere.with_name("kept"), target_is_directory=True)
    assert histories.read(filled, "C1") is None


def test_a_save_while_the_history_is_worked_out_keeps_nothing(
    cli, filled, instruments, monkeypatch
):
    from fittui.storage.store import Store

    real = history_text.work_out
    ors = instruments["ORS"]

    def with_a_save_meanwhile(store, code, today):
        worked_out = real(store, code, today)
        other = Store(filled)  # another process's save, between the stamp and the answer
        other.record(code, ors, {item.key: 10 for item in ors.items}, when="2024-01-16")
        other.close()
        return worked_out

    monkeypatch.setattr(history_text, "work_out", with_a_save_meanwhile)
    cli("history", "C1", "--json")
    assert not kept_file(filled, "C1").exists()


SCORING = ("fittui.domain.scoring", "fittui.domain.etr", "fittui.domain.overview")


def loaded_by_history(db: Path, config: Path) -> list[str]:
    """The modules of the domain and the store a fresh interpreter loads for
    ``history C1 --json``."""
    code = (
        "import sys; from fittui.cli.main import main;"
        "main(['--db', sys.argv[1], 'history', 'C1', '--json']);"
        "print(sorted(m for m in sys.modules"
        " if m.startswith('fittui.domain.') or m == 'fittui.storage.store'))"
    )
    env = {**os.environ, "FITTUI_CONFIG": str(config)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_a_history_printed_as_kept_loads_neither_the_scoring_nor_the_store(filled, tmp_path):
    worked_out = loaded_by_history(filled, tmp_path / "config")
    assert {*SCORING, "fittui.storage.store"} <= set(worked_out)
    assert "fittui.domain.etr_practice" not in worked_out  # only the etr commands need it
    assert loaded_by_history(filled, tmp_path / "config") == []
