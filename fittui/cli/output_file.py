"""Where a command may write the file you name with ``-o``: never over the database, the
settings or the user's instrument files.

``fittui export -o fittui.json`` or ``fittui form C1 -o fittui.json`` once put a CSV or a
web page where every rating was, and every command after it found a database it could not
read. The file you name is refused when it is the database, a file fittui keeps beside it
(the journal, the lock, the summaries, a temporary file of a save), inside its backups
folder, or the database under another name (a hard link, another case of the name).

The config folder is guarded the same way: ``settings.toml`` holds the PIN's hash, and an
export written over it left the app and every command that reads the settings refusing to
start, the PIN lost; a page written into the instruments folder as ``*.toml`` is read as an
instrument file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from fittui.cli.common import CliError

SETTINGS = "settings.toml"  # in the config folder, as the CLI and the app read it


def refuse_database_file(target: Path, db: Path, what: str) -> None:
    """CliError when ``what`` (``"an export"``) written to ``target`` would replace a file
    of the database at ``db`` or one of its backups, the settings or an instrument file."""
    if database_file(target, db):
        raise CliError(
            f"{target} is one of the database's own files (or a backup of it): {what} there"
            " would replace the ratings; give another file name"
        )
    kept = config_file(target)
    if kept == "settings":
        raise CliError(
            f"{target} is fittui's settings file, which holds the PIN: {what} there would"
            " replace your settings; give another file name"
        )
    if kept == "instruments":
        raise CliError(
            f"{target} is in the folder of your instrument files: {what} there would replace"
            " or add to your instruments' wording; give another file name"
        )


def database_file(target: Path, db: Path) -> bool:
    """``target`` is the database, a file fittui keeps beside it (its journal, lock, the
    summaries, a temporary file) or a backup of it, by name or as the same file on disk."""
    place, home = _placed(target), _placed(db)
    name, own = place.name.casefold(), home.name.casefold()
    if place.parent == home.parent and (
        name == own or name.startswith((own + ".", "." + own + "."))
    ):
        return True
    kept = (home.with_name("backups"), home.with_name(home.name + ".histories"))
    if any(place.is_relative_to(folder) for folder in kept):
        return True
    return any(_same_file(target, db.with_name(db.name + end)) for end in ("", ".journal"))


def config_file(target: Path) -> Literal["settings", "instruments"] | None:
    """Which of fittui's own config files ``target`` is, by name or as the same file on
    disk: the settings file (or a temporary file of its save), or one in the folder of
    the user's instrument files; None for any other."""
    from fittui.storage.locations import config_dir

    folder = config_dir().absolute().resolve()
    place = _placed(target)
    name = place.name.casefold()
    if place.parent == folder and (
        name == SETTINGS or name.startswith((SETTINGS + ".", "." + SETTINGS + "."))
    ):
        return "settings"
    if _same_file(target, folder / SETTINGS):
        return "settings"
    instruments = (folder / "instruments").resolve()
    if place.is_relative_to(instruments):
        return "instruments"
    try:
        kept = [instruments / n for n in os.listdir(instruments) if n.endswith(".toml")]
    except OSError:
        kept = []
    return "instruments" if any(_same_file(target, path) for path in kept) else None


def _placed(path: Path) -> Path:
    """The path through its folder's real place (links and '..' in the folders resolved)."""
    path = path.absolute()
    return path.parent.resolve() / path.name


def _same_file(one: Path, other: Path) -> bool:
    """Both names lead to one file (a hard link, a link, another case of the name)."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False
