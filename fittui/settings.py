"""The user's settings file, ``<config dir>/settings.toml``: small, optional, read at start.

theme = "ansi-dark"   # any Textual theme; the ansi ones use the terminal's own colours
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
    theme: str | None = None


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
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise InputError(f'{path}: theme must be the name of a theme, e.g. "ansi-dark"')
    return Settings(show_numbers=show, theme=theme)
