"""Which files are a database's daily backups (``folders.is_daily``), read without a
regular expression: the date exactly, never another database's backups, and the warning
about backups dated after today built on the same reading; every command's quick look
(``locations.warn_about_privacy``) says what the full check says, loading it only when
there may be something to say."""

from __future__ import annotations

import os
import re
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fittui.storage.locations import daily_backups, is_daily, privacy_warnings, today

EXACT = re.compile(r"fittui-[0-9]{4}-[0-9]{2}-[0-9]{2}\.json")


@pytest.mark.parametrize(
    ("name", "daily"),
    [
        ("fittui-2026-11-20.json", True),
        ("fittui-test-2026-11-20.json", False),
        ("fittui-2026-11-20.json.tmp", False),
        ("fittui-2026-11-2.json", False),
        ("fittui-2026-11-200.json", False),
        ("fittui-2026_11_20.json", False),
        ("fittui-2026-1a-20.json", False),
        ("fittui-٢٠٢٦-11-20.json", False),
        ("fittui-before-restore-2026-11-20.json", False),
        ("fittui-.json", False),
        ("fittui.json", False),
    ],
)
def test_a_daily_backup_s_name_is_the_date_exactly(name, daily):
    assert is_daily(name, "fittui-") is daily


@given(st.text(alphabet="fitu-0123456789.jsonx٣", max_size=24))
def test_the_reading_is_the_pattern_s(name):
    assert is_daily(name, "fittui-") is bool(EXACT.fullmatch(name))


def test_backups_dated_after_today_are_named_and_another_database_s_are_not(tmp_path):
    db = tmp_path / "fittui.json"
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o700)
    names = ["fittui-2999-01-02.json", "fittui-2999-01-01.json", f"fittui-{today()}.json"]
    for name in [*names, "fittui-test-2999-01-01.json", "fittui-2999-01-01.json.age"]:
        (folder / name).write_bytes(b"{}")
        os.chmod(folder / name, 0o600)
    assert [p.name for p in daily_backups(db)] == sorted(names)
    [warning] = privacy_warnings(db)
    assert warning.startswith("2 daily backups are dated after today (fittui-2999-01-01.json")
    # One is one: "1 daily backups are dated after today (fittui-2999-01-01.json ...)" it said.
    os.remove(folder / "fittui-2999-01-02.json")
    [warning] = privacy_warnings(db)
    assert warning.startswith("1 daily backup is dated after today (fittui-2999-01-01.json):")


def _open_data_folder(db):
    os.chmod(db.parent, 0o755)


def _open_journal(db):
    os.chmod(db.with_name(db.name + ".journal"), 0o644)


def _open_backup(db):
    os.chmod(db.parent / "backups" / f"fittui-{today()}.json", 0o640)


def _open_backups_folder(db):
    os.chmod(db.parent / "backups", 0o750)


def _future_backup(db):
    (db.parent / "backups" / "fittui-2999-01-01.json").write_bytes(b"{}")


def _nothing(db):
    pass


def _encrypted_backups(db):
    """Backups made by hand, encrypted or not: nothing to say, and no full check (the
    quick look once took '233739.jso' of an encrypted one's name for a later date)."""
    for name in ("fittui-2026-12-01-233739.json.age", "fittui-2026-12-01-233739.json"):
        (db.parent / "backups" / name).write_bytes(b"{}")
        os.chmod(db.parent / "backups" / name, 0o600)


QUIET = (_nothing, _encrypted_backups)


@pytest.mark.parametrize(
    "change",
    [
        _nothing,
        _encrypted_backups,
        _open_data_folder,
        _open_journal,
        _open_backup,
        _open_backups_folder,
        _future_backup,
    ],
)
def test_every_command_s_quick_look_says_what_the_full_check_says(tmp_path, capsys, change):
    import subprocess
    import sys

    db = tmp_path / "data" / "fittui.json"
    db.parent.mkdir(mode=0o700)
    (db.parent / "backups").mkdir(mode=0o700)
    for path in (
        db,
        db.with_name(db.name + ".journal"),
        db.parent / "backups" / f"fittui-{today()}.json",
    ):
        path.write_bytes(b"{}")
        os.chmod(path, 0o600)
    change(db)
    code = (
        "import sys; from fittui.storage.locations import warn_about_privacy;"
        "warn_about_privacy(sys.argv[1]); print('fittui.storage.folders' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True)
    change(db)  # again: the check makes fittui's own folders private (backups/)
    expected = [f"fittui: warning: {w}" for w in privacy_warnings(db)]
    assert bool(expected) is (change not in (*QUIET, _open_backups_folder))
    assert run.stderr.splitlines() == expected
    assert stat.S_IMODE(os.stat(db.parent / "backups").st_mode) == 0o700
    assert run.stdout.strip() == str(change not in QUIET)
