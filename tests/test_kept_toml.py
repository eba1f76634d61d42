"""fittui's own TOML files read at the app's start (the expected path's default model, the
screens' keys) are kept as parsed beside them: the kept forms are current, read instead of
parsing the TOML while it is unchanged, and never believed over it."""

from __future__ import annotations

import shutil
import tomllib
import zlib
from pathlib import Path

import orjson
import pytest

from fittui.domain import etr, instruments, kept_toml
from fittui.domain.kept_toml import keep, kept_files, kept_path, read_toml
from fittui.ui.screens import keys


def test_every_kept_form_is_its_toml_as_parsed_now() -> None:
    files = kept_files()
    assert etr.DEFAULT_FILE in files and keys.KEY_FILE in files
    builtin = instruments._BUILTIN_DIR
    assert {builtin / f"{name}.toml" for name in instruments.BUILTIN_FILES} <= set(files)
    for path in files:
        head, _, body = kept_path(path).read_bytes().partition(b"\n")
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
        assert head == b"%08x %08x" % (zlib.crc32(path.read_bytes()), zlib.crc32(body))
        assert repr(orjson.loads(body)) == repr(parsed), "run python -m fittui.domain.kept_toml"
        assert read_toml(path) == parsed


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the keys file and its kept form."""
    path = tmp_path / keys.KEY_FILE.name
    shutil.copy(keys.KEY_FILE, path)
    shutil.copy(kept_path(keys.KEY_FILE), kept_path(path))
    return path


def test_the_kept_form_is_read_while_the_toml_is_unchanged(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = tomllib.loads(shipped.read_text(encoding="utf-8"))

    def refused(raw: bytes) -> dict:
        raise AssertionError("parsed again")

    monkeypatch.setattr(kept_toml, "parse", refused)
    assert read_toml(shipped) == expected


def test_a_changed_toml_is_parsed_afresh(shipped: Path) -> None:
    text = shipped.read_text(encoding="utf-8")
    assert 'word = "Search"' in text
    shipped.write_text(text.replace('word = "Search"', 'word = "Find"'), encoding="utf-8")
    rows = [row for s in read_toml(shipped)["clients"] for row in s["keys"]]
    assert "Find" in [row.get("word") for row in rows]
    assert "Search" not in [row.get("word") for row in rows]


@pytest.mark.parametrize(
    "damage",
    [None, b"", b"{not json", b"[]", b"00000000 00000000\n{}", b'[0, {"clients": []}]'],
)
def test_a_missing_or_damaged_kept_form_is_never_believed(shipped: Path, damage) -> None:
    expected = tomllib.loads(shipped.read_text(encoding="utf-8"))
    if damage is None:
        kept_path(shipped).unlink()
    else:
        kept_path(shipped).write_bytes(damage)
    assert read_toml(shipped) == expected
    crc = zlib.crc32(shipped.read_bytes())  # the right CRCs over something else than a table
    kept_path(shipped).write_bytes(b"%08x %08x\n[1]" % (crc, zlib.crc32(b"[1]")))
    assert read_toml(shipped) == expected


def test_a_kept_form_with_one_value_changed_is_not_believed(shipped: Path) -> None:
    """Still JSON, still a table, its first line as written: only its own CRC tells."""
    expected = tomllib.loads(shipped.read_text(encoding="utf-8"))
    kept = kept_path(shipped).read_bytes()
    assert b'"Search"' in kept
    kept_path(shipped).write_bytes(kept.replace(b'"Search"', b'"Seerch"'))
    assert read_toml(shipped) == expected


def test_a_kept_form_written_anew_reads_back_as_the_file(shipped: Path) -> None:
    kept_path(shipped).unlink()
    assert keep(shipped) == kept_path(shipped)
    assert read_toml(shipped) == tomllib.loads(shipped.read_text(encoding="utf-8"))


def test_a_file_json_cannot_hold_is_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "dated.toml"
    path.write_text("when = 2026-11-23\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not kept"):
        keep(path)
    assert not kept_path(path).exists()
    assert repr(read_toml(path)) == "{'when': datetime.date(2026, 11, 23)}"


def test_a_file_that_is_not_toml_fails_as_parsing_it_would(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_bytes(b"gain = = 1\n")
    with pytest.raises(tomllib.TOMLDecodeError):
        read_toml(path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(UnicodeDecodeError):
        read_toml(path)
    with pytest.raises(FileNotFoundError):
        read_toml(tmp_path / "missing.toml")


def test_the_default_model_from_its_kept_form_is_the_toml_s(monkeypatch) -> None:
    """The same parameters, down to their ``repr``: the kept caseload rows' fingerprint
    is made from it."""
    kept = etr._read(etr.DEFAULT_FILE, "default", shipped=True)
    monkeypatch.setattr(kept_toml, "kept_path", lambda path: path.with_name("none.json"))
    parsed = etr._read(etr.DEFAULT_FILE, "default", shipped=True)
    assert repr(kept) == repr(parsed)
