"""The user's settings file, ``<config dir>/settings.toml``: small, optional, read at start.

    [rating]
    show_numbers = true   # show the numbers on the lines in client mode (default: hidden)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from fittui.model import InputError


@dataclass(frozen=True)
class Settings:
    show_numbers: bool = False


def load_settings(path: Path) -> Settings:
    """Read the settings file; a missing file means the defaults."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    show = data.get("rating", {}).get("show_numbers", False)
    if not isinstance(show, bool):
        raise InputError(f"{path}: rating.show_numbers must be true or false")
    return Settings(show_numbers=show)
