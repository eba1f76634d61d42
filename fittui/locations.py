"""Per-user paths, in one place: the database, the config folder, the backups.

The database path comes from ``--db``, else the ``FITTUI_DB`` environment variable, else
the platformdirs user data directory. Folders fittui creates are private (mode 0700).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "fittui"
DB_FILENAME = "fittui.json"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DB_FILENAME


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database to use: an explicit path, then FITTUI_DB, then the per-user default."""
    chosen = explicit or os.environ.get("FITTUI_DB") or default_db_path()
    return Path(chosen).expanduser()


def config_dir() -> Path:
    """Where the user's instrument wording and settings live."""
    from platformdirs import user_config_path

    override = os.environ.get("FITTUI_CONFIG")
    return Path(override).expanduser() if override else user_config_path(APP_NAME, appauthor=False)


def instruments_dir() -> Path:
    return config_dir() / "instruments"


def backups_dir(db: Path) -> Path:
    return db.parent / "backups"


def make_private_dir(path: Path) -> None:
    """Create a folder (and its parents) readable by its owner only."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
