"""The built-in instruments as parsed, kept beside their TOML (``PARSED_FILE``): read instead
of parsing the TOML at each start, and never believed over it. The kept form is current,
and a TOML that changed since, or a kept file that is damaged, is parsed afresh."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import orjson
import pytest

from fittui.domain import instruments
from fittui.domain.instruments import BUILTIN_FILES, PARSED_FILE, parsed_builtins


def test_the_kept_form_is_the_toml_as_parsed_now() -> None:
    kept = orjson.loads(PARSED_FILE.read_bytes())
    assert kept == parsed_builtins(), "run python -m fittui.domain.instruments"
    for name in BUILTIN_FILES:
        path = PARSED_FILE.with_name(f"{name}.toml")
        assert kept[name][1] == tomllib.loads(path.read_text())


@pytest.fixture
def builtins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built-in folder, kept form and all, in the module's place."""
    folder = tmp_path / "instruments"
    shutil.copytree(PARSED_FILE.parent, folder, ignore=shutil.ignore_patterns("*.py*"))
    monkeypatch.setattr(instruments, "_BUILTIN_DIR", folder)
    monkeypatch.setattr(instruments, "PARSED_FILE", folder / PARSED_FILE.name)
    return folder


def ors_name() -> str:
    data = dict((path.stem, data) for data, path in instruments._builtin_data())
    return data["ors"]["name"]


def test_the_kept_form_is_read_while_the_toml_is_unchanged(
    builtins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(raw: bytes, path: Path) -> dict:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(instruments, "_parse_toml", refused)
    assert ors_name() == tomllib.loads((builtins / "ors.toml").read_text())["name"]


def test_a_changed_toml_is_parsed_afresh(builtins: Path) -> None:
    path = builtins / "ors.toml"
    name = tomllib.loads(path.read_text())["name"]
    text = path.read_text()
    assert f'name = "{name}"' in text
    path.write_text(text.replace(f'name = "{name}"', f'name = "{name} (changed)"'))
    assert ors_name() == name + " (changed)"


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b"[]", b'{"ors": [1, 2, 3]}', b'{"ors": [0, {"name": "X"}]}'],
)
def test_a_damaged_kept_form_is_never_believed(builtins: Path, damage: bytes) -> None:
    expected = ors_name()
    (builtins / PARSED_FILE.name).write_bytes(damage)
    assert ors_name() == expected
    kinds = {path.stem: data for data, path in instruments._builtin_data()}
    assert kinds == {name: entry[1] for name, entry in parsed_builtins().items()}
