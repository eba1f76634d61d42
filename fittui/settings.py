"""The user's settings file, ``<config dir>/settings.toml``: small, optional, read at start.

theme = "ansi-dark"   # any Textual theme; the ansi ones use the terminal's own colours
[rating]
show_numbers = true   # show the numbers on the lines in client mode (default: hidden)
[notes]
snippet = "{risk} {ors} {srs} {lowest} {patterns} {note}"   # the snippet (snippet.py)
[backups]
encrypt_to = "age1..."   # encrypt the daily backups to this age public key (sealed.py)
[episodes]
gap_days = 90         # a rating after more days than this without any starts a new episode
[outcomes]
reference_sd = 8.7    # the intake ORS spread the effect sizes divide by (outcomes.py)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from fittui.episodes import DEFAULT_GAP_DAYS
from fittui.model import InputError
from fittui.snippet import DEFAULT_TEMPLATE, check_template


@dataclass(frozen=True)
class Settings:
    show_numbers: bool = False
    theme: str | None = None
    snippet: str = DEFAULT_TEMPLATE
    backup_recipient: str | None = None
    gap_days: int = DEFAULT_GAP_DAYS
    reference_sd: float | None = None  # None: the reference in outcomes_reference.toml


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
    snippet = data.get("notes", {}).get("snippet", DEFAULT_TEMPLATE)
    if not isinstance(snippet, str):
        raise InputError(f"{path}: notes.snippet must be text")
    try:
        check_template(snippet)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    recipient = data.get("backups", {}).get("encrypt_to")
    if recipient is not None and not isinstance(recipient, str):
        raise InputError(f'{path}: backups.encrypt_to must be an age public key, "age1..."')
    gap_days = data.get("episodes", {}).get("gap_days", DEFAULT_GAP_DAYS)
    if type(gap_days) is not int or not 1 <= gap_days <= 3650:
        raise InputError(f"{path}: episodes.gap_days must be a whole number of days, 1 to 3650")
    reference_sd = data.get("outcomes", {}).get("reference_sd")
    if reference_sd is not None and (
        type(reference_sd) not in (int, float) or not 1 <= reference_sd <= 20
    ):
        raise InputError(f"{path}: outcomes.reference_sd must be a number of points, 1 to 20")
    return Settings(
        show_numbers=show,
        theme=theme,
        snippet=snippet,
        backup_recipient=recipient,
        gap_days=gap_days,
        reference_sd=None if reference_sd is None else float(reference_sd),
    )
