"""Encrypted backups and exports in the age format: read by the standard ``age`` tool and
by fittui itself; a wrong passphrase changes nothing."""

from __future__ import annotations

import os
import pty
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import db_bytes
from fittui.storage.sealed import AGE_HEADER
from fittui.storage.store import Store

PASSPHRASE = "correct horse battery staple"
needs_age = pytest.mark.skipif(
    shutil.which("age") is None, reason="the age tool is not installed (apt-get install age)"
)


@pytest.fixture
def filled(cli, db, monkeypatch):
    monkeypatch.setenv("FITTUI_PASSPHRASE", PASSPHRASE)
    assert cli("add-client", "C1", "--label", "Tue 10am").code == 0
    assert cli("add-client", "C2").code == 0
    assert cli("record", "C1", "ORS", "5", "5.5", "6", "4", "--date", "2026-01-05").code == 0
    assert cli("record", "C1", "SRS", "9", "9", "8", "9", "--note", "too fast").code == 0
    return db


def tables(db: Path) -> dict:
    return Store(db, read_only=True).storage.read()


def age_with_passphrase(source: Path, target: Path, passphrase: str) -> int:
    """Run ``age -d`` as a person would: age reads a passphrase only from a terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # the child, on its own terminal
        os.execvp("age", ["age", "-d", "-o", str(target), str(source)])
    seen, deadline = b"", time.monotonic() + 30
    while b"passphrase" not in seen.lower() and time.monotonic() < deadline:
        seen += os.read(fd, 1024)
    os.write(fd, passphrase.encode() + b"\n")
    while True:
        try:
            if not os.read(fd, 1024):
                break
        except OSError:
            break
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def the_backup(result) -> Path:
    [line] = [w for w in result.out.split() if w.endswith(".age,")]
    return Path(line.rstrip(","))


@needs_age
@pytest.mark.slow
def test_an_encrypted_backup_is_opened_by_the_age_tool(cli, filled, tmp_path):
    result = cli("backup", "--encrypt")
    assert result.code == 0
    backup = the_backup(result)
    assert backup.read_bytes().startswith(AGE_HEADER)
    assert b"Tue 10am" not in backup.read_bytes()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    opened = tmp_path / "opened" / "fittui.json"
    opened.parent.mkdir()
    assert age_with_passphrase(backup, opened, PASSPHRASE) == 0
    assert tables(opened) == tables(filled)  # a valid fittui database, the same records


@pytest.mark.slow
def test_restore_of_an_encrypted_backup_brings_it_back_exactly(cli, filled):
    before = tables(filled)
    backup = the_backup(cli("backup", "--encrypt"))
    assert cli("add-client", "C3").code == 0
    assert cli("record", "C2", "ORS", "1", "1", "1", "1").code == 0
    result = cli("restore", backup)
    assert result.code == 0, result.err
    assert tables(filled) == before
    assert not list(filled.parent.glob(".fittui-restore-*"))  # the opened copy is gone


@pytest.mark.slow
def test_a_wrong_passphrase_is_refused_and_changes_nothing(cli, filled, monkeypatch):
    backup = the_backup(cli("backup", "--encrypt"))
    assert cli("add-client", "C3").code == 0
    before = db_bytes(filled)
    monkeypatch.setenv("FITTUI_PASSPHRASE", "wrong")
    result = cli("restore", backup)
    assert result.code == 1 and "wrong passphrase" in result.err
    assert db_bytes(filled) == before
    assert not list(filled.parent.glob(".fittui-restore-*"))


def test_no_passphrase_and_no_terminal_is_a_clear_error(cli, filled, monkeypatch):
    monkeypatch.delenv("FITTUI_PASSPHRASE")
    before = db_bytes(filled)
    result = cli("backup", "--encrypt")
    assert result.code == 1 and "FITTUI_PASSPHRASE" in result.err
    assert db_bytes(filled) == before


@pytest.mark.slow
def test_an_encrypted_export_is_imported_with_its_passphrase(cli, filled, tmp_path):
    out = tmp_path / "practice.csv.age"
    result = cli("export", "--format", "csv", "-o", out, "--encrypt")
    assert result.code == 0 and "encrypted" in result.out
    assert out.read_bytes().startswith(AGE_HEADER)
    assert cli("export", "--format", "csv", "--encrypt").code == 1  # never to the screen
    other = tmp_path / "other" / "fittui.json"
    imported = cli("import", out, db_path=other)
    assert imported.code == 0, imported.err
    assert [c.code for c in Store(other).clients()] == ["C1"]
    assert len(Store(other).administrations()) == 2


@needs_age
def test_daily_backups_are_encrypted_to_the_key_in_the_settings(cli, db, tmp_path):
    key = tmp_path / "key.txt"
    made = cli("backup-key", key)
    assert made.code == 0 and stat.S_IMODE(key.stat().st_mode) == 0o600
    [recipient] = [w.strip('"') for w in made.out.split() if w.startswith('"age1')]
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text(f'[backups]\nencrypt_to = "{recipient}"\n')
    assert cli("add-client", "C1").code == 0  # a new database: no daily backup yet
    assert cli("record", "C1", "ORS", "5", "5", "5", "5").code == 0
    [daily] = (db.parent / "backups").iterdir()
    assert daily.read_bytes().startswith(AGE_HEADER)
    opened = tmp_path / "opened.json"
    run = subprocess.run(["age", "-d", "-i", key, "-o", opened, daily], capture_output=True)
    assert run.returncode == 0, run.stderr
    assert tables(opened)["clients"].keys() == {"C1"}
    assert cli("add-client", "C2").code == 0
    refused = cli("restore", daily)
    assert refused.code == 1 and "--identity" in refused.err
    assert cli("restore", daily, "--identity", key).code == 0
    assert [c.code for c in Store(db).clients()] == ["C1"]


def test_a_bad_key_in_the_settings_is_named_as_the_daily_backup_s_failure(cli, db, tmp_path):
    assert cli("add-client", "C1").code == 0
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text('[backups]\nencrypt_to = "age1nope"\n')
    result = cli("add-client", "C2")  # the day's first backup: the settings are read then
    assert result.code == 0 and result.err.startswith("fittui: warning: could not write the daily")
    assert "backups.encrypt_to" in result.err
    assert [c.code for c in Store(db).clients()] == ["C1", "C2"]  # the work is not refused
    assert not (db.parent / "backups").exists() or not list((db.parent / "backups").iterdir())


@pytest.mark.slow
def test_on_a_terminal_the_passphrase_is_asked_twice_when_encrypting(cli, filled, monkeypatch):
    import getpass
    import sys

    monkeypatch.delenv("FITTUI_PASSPHRASE")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["first try", "first tyr"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    before = db_bytes(filled)
    result = cli("backup", "--encrypt")
    assert result.code == 1 and "differ" in result.err
    assert db_bytes(filled) == before
    answers = iter(["same", "same"])
    backup = the_backup(cli("backup", "--encrypt"))
    answers = iter(["same"])  # opening asks once
    assert cli("restore", backup).code == 0


def test_an_encrypted_backup_into_a_file_is_an_error_in_words(cli, filled, tmp_path):
    (tmp_path / "stick").write_text("a file, not a folder")
    result = cli("backup", "--encrypt", "--to", tmp_path / "stick")
    assert result.code == 1 and "is a file, not a folder" in result.err
    assert "unexpected" not in result.err


def test_an_encrypted_backup_never_replaces_a_copy_written_meanwhile(filled, tmp_path, monkeypatch):
    """Another fittui's copy that takes the name while this one is being written keeps it:
    this one is named ``-2``, never renamed over it."""
    from datetime import datetime

    from fittui.storage.sealed import sealed_backup

    folder, now = tmp_path / "usb", datetime(2026, 11, 20, 14, 30, 5)
    theirs = folder / "fittui-2026-11-20-143005.json.age"
    real_fsync = os.fsync

    def another_copy_meanwhile(fd: int) -> None:
        if folder.is_dir() and not theirs.exists():
            theirs.write_bytes(b"another database's copy")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", another_copy_meanwhile)
    mine = sealed_backup(filled, now, folder, PASSPHRASE)
    assert theirs.read_bytes() == b"another database's copy"
    assert mine.name == "fittui-2026-11-20-143005-2.json.age"
    assert mine.read_bytes().startswith(AGE_HEADER)
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [mine.name, theirs.name]


def test_an_opened_backup_a_killed_restore_left_is_removed_by_the_next(cli, filled):
    """A restore killed while the encrypted backup lay opened beside the database left a
    plain copy no one would find: the next encrypted restore removes it, once it is an hour
    old (a younger one may be another restore's, at work now)."""
    backup = the_backup(cli("backup", "--encrypt"))
    left, at_work = filled.parent / ".fittui-restore-k1ll3d", filled.parent / ".fittui-restore-n0w"
    for folder in (left, at_work):
        folder.mkdir(mode=0o700)
        (folder / "fittui.json").write_bytes(b'{"fittui":{"schema":1},"records":0}\n')
    hours_ago = time.time() - 2 * 3600
    os.utime(left, (hours_ago, hours_ago))
    result = cli("restore", backup)
    assert result.code == 0, result.err
    assert not left.exists() and (at_work / "fittui.json").exists()


def test_a_backup_key_never_replaces_a_key_file_written_meanwhile(tmp_path, monkeypatch):
    """Another ``backup-key`` that makes the same file at that moment keeps its key (its
    public half may be in settings.toml already, with backups encrypted to it)."""
    from fittui.storage.sealed import SealError, make_backup_key

    target = tmp_path / "backup-key.txt"
    real_fsync = os.fsync

    def another_key_meanwhile(fd: int) -> None:
        if not target.exists():
            target.write_text("AGE-SECRET-KEY-1THEIRS\n")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", another_key_meanwhile)
    with pytest.raises(SealError, match="already exists"):
        make_backup_key(target)
    assert target.read_text() == "AGE-SECRET-KEY-1THEIRS\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left
    monkeypatch.setattr(os, "fsync", real_fsync)
    mine = tmp_path / "mine.txt"
    public = make_backup_key(mine)
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600 and f"# public key: {public}\n" in (
        mine.read_text()
    )


def test_a_refused_encrypted_restore_into_a_new_place_leaves_no_folder(cli, tmp_path, monkeypatch):
    """The backup is opened beside the database to be; when what it holds is refused, the
    folders made for it go again, as a refused plain restore makes none."""
    import pyrage

    monkeypatch.setenv("FITTUI_PASSPHRASE", PASSPHRASE)
    sealed = tmp_path / "not-a-database.json.age"
    sealed.write_bytes(pyrage.passphrase.encrypt(b"hello\n", PASSPHRASE))
    place = tmp_path / "new" / "practice" / "fittui.json"
    result = cli("restore", sealed, db_path=place)
    assert result.code == 1 and "not valid JSON" in result.err
    assert str(sealed) in result.err and not (tmp_path / "new").exists()


def test_an_unreadable_database_names_its_newest_backup_even_encrypted(cli, filled):
    """The error that a database cannot be read names the newest backup of any kind: one
    encrypted with a passphrase too, rather than 'no backup found'."""
    backup = the_backup(cli("backup", "--encrypt"))
    journal = filled.with_name(filled.name + ".journal")
    journal.write_bytes(journal.read_bytes() + b"damaged\n")
    result = cli("clients")
    assert result.code == 1 and f"newest backup: {backup}" in result.err, result.err


def test_an_encrypted_backup_never_follows_a_link_at_backups(cli, filled, tmp_path):
    """As a plain one: fittui never writes through a link where it keeps data."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    backups = filled.parent / "backups"
    for old in backups.iterdir():
        old.unlink()
    backups.rmdir()
    backups.symlink_to(elsewhere)
    result = cli("backup", "--encrypt")
    assert result.code == 1 and "symbolic link" in result.err, result.err
    assert not list(elsewhere.iterdir())
