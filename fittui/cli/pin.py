"""``fittui pin set``: the therapist's PIN, which leaves client mode; only a salted hash of
it is kept."""

from __future__ import annotations

import argparse
import sys

from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, CliError


def register(commands: Commands) -> None:
    """``pin`` and the command under it."""
    p = commands.add("pin", cmd_pin_set)
    commands.nested(p, required=True).add(
        "set",
        cmd_pin_set,
        "set or change the PIN (read twice; from standard input when it is not a terminal)",
        writes=True,
    )


def _read_pin_twice() -> tuple[str, str]:
    """The new PIN and its repetition: typed unseen at a terminal, else two lines of
    standard input (for a script or a test)."""
    if sys.stdin.isatty():
        from getpass import getpass

        return getpass("New therapist PIN (4 to 8 digits): "), getpass("The same PIN again: ")
    lines = sys.stdin.read().splitlines()
    if len(lines) < 2:
        raise CliError("give the PIN twice, one per line, on standard input")
    return lines[0].strip(), lines[1].strip()


def cmd_pin_set(args: argparse.Namespace) -> int:
    from fittui.storage.locations import config_dir
    from fittui.storage.settings import PinHash, check_pin, save_pin

    pin, again = _read_pin_twice()
    check_pin(pin)
    if again != pin:
        raise CliError("the two PINs differ; nothing was changed")
    path = config_dir() / "settings.toml"
    save_pin(path, PinHash.make(pin))
    print(f"Therapist PIN set; only a salted hash of it is kept, in {path}.")
    return EXIT_OK
