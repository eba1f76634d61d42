"""Which files are a database's daily backups (``locations.is_daily``), read without a
regular expression: the date exactly, never another database's backups, and the warning
about backups dated after today built on the same reading."""

from __future__ import annotations

import os
import re

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
