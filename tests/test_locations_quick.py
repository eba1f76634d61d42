"""The per-user folders worked out without platformdirs (``storage/locations.py``) are the
very ones platformdirs names, in every environment: a platformdirs that changes its rule
fails here, and so does a quick answer given where the rule is not certainly its own."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from fittui.storage import locations

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the quick rule is Linux's")

UNSET = None
XDG_VALUES = [UNSET, "", "relative/place", "~/tilde", "/abs/xdg", "/abs/xdg/", "//double", "/"]
HOME_VALUES = [UNSET, "", "relative-home", "/home/someone", "/home/someone/", "/", "//"]
VARIABLES = {"XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data"}


def platformdirs_answers() -> tuple[Path, Path]:
    return (
        platformdirs.user_config_path("fittui", appauthor=False),
        platformdirs.user_data_path("fittui", appauthor=False) / "fittui.json",
    )


def quick_answers(monkeypatch) -> tuple[Path, Path] | None:
    """locations' answers with platformdirs unimportable; None when it needed platformdirs."""
    with monkeypatch.context() as blocked:
        blocked.setitem(sys.modules, "platformdirs", None)
        try:
            return locations.config_dir(), locations.default_db_path()
        except ImportError:
            return None


def set_env(monkeypatch, name: str, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("home", HOME_VALUES)
@pytest.mark.parametrize("xdg", XDG_VALUES)
@pytest.mark.parametrize("variable", sorted(VARIABLES))
def test_the_quick_folders_are_platformdirs_own(monkeypatch, variable, xdg, home):
    monkeypatch.delenv("FITTUI_CONFIG", raising=False)
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in ("ANDROID_DATA", "ANDROID_ROOT"):
        monkeypatch.delenv(name, raising=False)
    set_env(monkeypatch, variable, xdg)
    set_env(monkeypatch, "HOME", home)
    expected = platformdirs_answers()
    quick = quick_answers(monkeypatch)
    assert (locations.config_dir(), locations.default_db_path()) == expected
    absolute_xdg = xdg is not None and xdg.startswith("/")
    absolute_home = home is not None and home.startswith("/")
    if absolute_home:
        assert quick == expected  # answered without platformdirs
    elif absolute_xdg:
        # The variable set answers its own folder quickly; the other asks platformdirs.
        assert quick is None
        config = variable == "XDG_CONFIG_HOME"
        with monkeypatch.context() as blocked:
            blocked.setitem(sys.modules, "platformdirs", None)
            folder = locations.config_dir() if config else locations.default_db_path()
        assert folder == expected[0 if config else 1]
    else:
        assert quick is None  # no absolute HOME: platformdirs asks the password database


def test_both_variables_set_need_no_platformdirs(monkeypatch, tmp_path):
    monkeypatch.delenv("FITTUI_CONFIG", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d") + "/")
    assert quick_answers(monkeypatch) == platformdirs_answers()
    assert locations.config_dir() == tmp_path / "c" / "fittui"
    assert locations.default_db_path() == tmp_path / "d" / "fittui" / "fittui.json"


@pytest.mark.parametrize(
    "android", [{"ANDROID_DATA": "/data"}, {"ANDROID_ROOT": "/system"}], ids=["data", "root"]
)
def test_android_s_rule_is_left_to_platformdirs(monkeypatch, tmp_path, android):
    monkeypatch.delenv("FITTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name, value in android.items():
        monkeypatch.setenv(name, value)
    assert quick_answers(monkeypatch) is None


def test_another_platform_is_left_to_platformdirs(monkeypatch, tmp_path):
    monkeypatch.delenv("FITTUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "darwin")
    assert quick_answers(monkeypatch) is None


def test_fittui_config_still_comes_first(monkeypatch, tmp_path):
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert locations.config_dir() == tmp_path / "mine"


def test_today_is_the_date_s_own():
    from datetime import date

    before = date.today().isoformat()
    today = locations.today()
    assert today in {before, date.today().isoformat()}  # the same, unless midnight passed
