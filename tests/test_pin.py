"""The therapist's PIN: hashed with scrypt into settings.toml, the rest of the file kept,
and `fittui pin set` reading it twice."""

from __future__ import annotations

import os
import stat
import tomllib

import pytest

from fittui.domain.model import InputError
from fittui.storage.settings import PinHash, load_settings, save_pin


def test_a_pin_is_kept_only_as_a_salted_hash(tmp_path):
    path = tmp_path / "config" / "settings.toml"
    # Eight digits: a four-digit PIN could turn up by chance in the hex of salt and hash.
    save_pin(path, PinHash.make("97531864"))
    text = path.read_text()
    assert "97531864" not in text and 'kdf = "scrypt"' in text and "n = 16384" in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    pin = load_settings(path).pin
    assert pin is not None and pin.matches("97531864")
    assert not pin.matches("97531865") and not pin.matches("") and not pin.matches("97531864a")
    other = PinHash.make("97531864")
    assert other.salt != pin.salt and other.digest != pin.digest


def test_saving_a_pin_keeps_the_rest_of_the_settings(tmp_path):
    path = tmp_path / "settings.toml"
    mine = (
        '# my settings\ntheme = "ansi-dark"\n\n[therapist]\n# the PIN below\n'
        "[rating]\nshow_numbers = true  # for me\n"
    )
    path.write_text(mine)
    save_pin(path, PinHash.make("1357"))
    first = path.read_text()
    assert (
        first.replace(
            PinHash.from_toml(tomllib.loads(first)["therapist"]["pin"], "").toml_line() + "\n", ""
        )
        == mine
    )
    save_pin(path, PinHash.make("97531"))
    second = load_settings(path)
    assert second.pin.matches("97531") and not second.pin.matches("1357")
    assert second.show_numbers and second.theme == "ansi-dark"
    assert path.read_text().count("pin = ") == 1


def test_a_broken_settings_file_is_not_written_over(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[rating\n")
    with pytest.raises(InputError, match="cannot be read"):
        save_pin(path, PinHash.make("2468"))
    assert path.read_text() == "[rating\n"


@pytest.mark.parametrize(
    "pin",
    ['"2468"', '{ kdf = "md5", n = 2, r = 1, p = 1, salt = "00", hash = "00" }', "{ }"],
)
def test_a_pin_fittui_did_not_write_is_refused(tmp_path, pin):
    path = tmp_path / "settings.toml"
    path.write_text(f"[therapist]\npin = {pin}\n")
    with pytest.raises(InputError, match="fittui pin set"):
        load_settings(path)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 1234"])
def test_a_pin_is_4_to_8_digits(pin):
    with pytest.raises(InputError, match="4 to 8 digits"):
        PinHash.make(pin)


def test_fittui_pin_set_reads_it_twice_from_standard_input(cli, tmp_path, monkeypatch):
    settings = tmp_path / "config" / "settings.toml"
    monkeypatch.setattr("sys.stdin", _Lines("24681357\n24681357\n"))
    result = cli("pin", "set")
    assert result.code == 0 and "24681357" not in result.out
    assert load_settings(settings).pin.matches("24681357")
    before = settings.read_bytes()
    monkeypatch.setattr("sys.stdin", _Lines("1234\n1243\n"))
    result = cli("pin", "set")
    assert result.code == 1 and "differ" in result.err
    monkeypatch.setattr("sys.stdin", _Lines("12\n12\n"))
    assert cli("pin", "set").code == 1
    monkeypatch.setattr("sys.stdin", _Lines("1234\n"))
    assert "twice" in cli("pin", "set").err
    assert settings.read_bytes() == before


class _Lines:
    """Standard input that is not a terminal."""

    def __init__(self, text: str) -> None:
        self.text = text

    def isatty(self) -> bool:
        return False

    def read(self) -> str:
        return self.text


@pytest.mark.parametrize(
    ("n", "r", "p", "salt"),
    [
        (2**30, 8, 1, "00" * 16),  # a power of 2, but scrypt would need 128 GiB
        (2**17, 8, 1, "00" * 16),  # just over fittui's memory limit
        (2**14, 8, 4096, "00" * 16),  # within memory, but minutes of work per try
        (2**14, 8, 1, "00"),  # a salt shorter than fittui writes
        (2**14, 8, 1, "00" * 65),
    ],
)
def test_a_pin_fittui_cannot_check_is_refused_as_the_settings_are_read(tmp_path, n, r, p, salt):
    path = tmp_path / "settings.toml"
    path.write_text(
        f'[therapist]\npin = {{ kdf = "scrypt", n = {n}, r = {r}, p = {p}, '
        f'salt = "{salt}", hash = "{"00" * 32}" }}\n'
    )
    with pytest.raises(InputError, match="fittui pin set"):
        load_settings(path)


def test_the_strongest_pin_fittui_accepts_can_be_checked(tmp_path):
    path = tmp_path / "settings.toml"
    save_pin(path, PinHash.make("2468", n=2**16))
    pin = load_settings(path).pin
    assert pin.matches("2468") and pin.verdict("1357") is False


async def test_a_pin_that_cannot_be_checked_keeps_client_mode_and_says_so(db):
    from conftest import screen_text
    from fittui.storage.settings import Settings
    from fittui.storage.store import Store
    from fittui.ui.app import make_app
    from fittui.ui.screens.pin import PinScreen
    from fittui.ui.screens.rating import RatingScreen

    Store(db).add_client("C1")
    unusable = PinHash(bytes(16), bytes(32), n=2**30)  # as a hand-edited file could hold
    assert unusable.verdict("2468") is None and not unusable.matches("2468")
    app = make_app(db, settings=Settings(pin=unusable), rate=("C1", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", *"2468", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PinScreen) and app.client_mode
        assert "run fittui pin set" in screen_text(app)
        await pilot.press(*"2468", "enter", *"2468", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen) and app.client_mode
