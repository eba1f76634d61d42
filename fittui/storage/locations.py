"""Per-user paths, in one place: the database, the config folder, the backups, and their modes.

The database path comes from ``--db``, else the ``FITTUI_DB`` environment variable, else
the platformdirs user data directory. Folders fittui creates are private (mode 0700, the
parents it creates too, whatever the umask); ``privacy_warnings`` says which existing
ones are not. Kept light (no TinyDB, no platformdirs or datetime where they are not
needed, no regular expression): the CLI imports it on every start. Making folders,
listing the daily backups and the privacy warnings' words are in ``folders.py``, loaded
when a command needs them (still found here: ``locations.make_private_dir``).
"""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fittui.storage.folders import (  # noqa: F401
        daily_backups,
        is_daily,
        make_private_dir,
        privacy_warnings,
    )

APP_NAME = "fittui"
DB_FILENAME = "fittui.json"


def default_db_path() -> Path:
    """The database in the per-user data folder (platformdirs' user data path)."""
    folder = _linux_user_folder("XDG_DATA_HOME", ".local/share")
    if folder is None:
        from platformdirs import user_data_path

        folder = user_data_path(APP_NAME, appauthor=False)
    return folder / DB_FILENAME


def _linux_user_folder(variable: str, under_home: str) -> Path | None:
    """fittui's per-user folder as platformdirs names it on Linux, worked out without
    importing platformdirs (it costs every command's start ~4 ms); None wherever that rule
    is not certainly platformdirs' own, and platformdirs is asked.

    Its rule on Linux: the XDG variable when it is an absolute path, else ``under_home``
    in the home folder, expanded as ``os.path.expanduser`` does when HOME is absolute;
    then ``fittui``. A relative or missing HOME (platformdirs then asks the password
    database), Android (a rule of its own) and every other platform are left to it.
    """
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel"):
        return None
    if "ANDROID_DATA" in os.environ or "ANDROID_ROOT" in os.environ:
        return None
    base = os.environ.get(variable, "")
    if not base.startswith("/"):
        if not os.environ.get("HOME", "").startswith("/"):
            return None
        base = os.path.expanduser(f"~/{under_home}")
    return Path(base, APP_NAME)


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database to use: an explicit path, then FITTUI_DB, then the per-user default.

    An empty one (``--db ""``, ``FITTUI_DB=``: a script's unset variable) is refused rather
    than taken for the default, so that it never writes into the practice."""
    chosen = os.environ.get("FITTUI_DB") if explicit is None else os.fspath(explicit)
    if chosen == "":
        from fittui.storage.errors import StorageError

        named = "FITTUI_DB" if explicit is None else "--db"
        raise StorageError(f"{named} is empty: name the database file, or leave {named} out")
    return Path(chosen or default_db_path()).expanduser()


def config_dir() -> Path:
    """Where the user's instrument wording and settings live: ``FITTUI_CONFIG``, else the
    per-user config folder (platformdirs', imported only where its rule is not known)."""
    override = os.environ.get("FITTUI_CONFIG")
    if override:
        return Path(override).expanduser()
    folder = _linux_user_folder("XDG_CONFIG_HOME", ".config")
    if folder is not None:
        return folder
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def instruments_dir() -> Path:
    return config_dir() / "instruments"


def backups_dir(db: Path) -> Path:
    return db.parent / "backups"


def open_to_others(path: str | Path) -> bool:
    """Others than its owner may read or write it (a link is not followed)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return not stat.S_ISLNK(st.st_mode) and bool(st.st_mode & 0o077)


def warn_about_privacy(db: str | None, read_only: bool = False) -> None:
    """Say on stderr what ``folders.privacy_warnings`` finds (every command does, first;
    ``db`` is --db's value; with ``read_only``, --read-only's, no folder is changed). Most
    days there is nothing to say: the words, and the folders made private again, are
    loaded only when a folder or file is open to others or a backup's name is dated after
    today."""
    path = db_path(db)
    backups = str(backups_dir(path))
    try:
        names = os.listdir(backups)
    except OSError:
        names = []
    own: list[str | Path] = [path.parent, backups, path, f"{path}.journal", f"{path}.lock"]
    day = today()
    if any(map(open_to_others, own + [os.path.join(backups, n) for n in names])) or any(
        n[-15:-5] > day and n.endswith(".json")
        for n in names  # a daily's name, and date
    ):
        from fittui.storage.folders import privacy_warnings

        for warning in privacy_warnings(path, read_only):
            print(f"fittui: warning: {warning}", file=sys.stderr)


def __getattr__(name: str) -> object:
    """The functions of ``folders.py``, still found here by the modules that import them
    from here, loaded only when asked for (a command that creates no folder never is)."""
    if name in ("make_private_dir", "daily_backups", "privacy_warnings", "is_daily"):
        from fittui.storage import folders

        return getattr(folders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def today() -> str:
    """Today's date in local time as ``date.today().isoformat()`` gives it (YYYY-MM-DD),
    without importing datetime: the quick commands would pay a millisecond for it."""
    now = time.localtime()
    return f"{now.tm_year:04d}-{now.tm_mon:02d}-{now.tm_mday:02d}"
