"""Per-user paths, in one place: the database, the config folder, the backups, and their modes.

The database path comes from ``--db``, else the ``FITTUI_DB`` environment variable, else
the platformdirs user data directory. Folders fittui creates are private (mode 0700, the
parents it creates too, whatever the umask); :func:`privacy_warnings` says which existing
ones are not. Kept light (no TinyDB, no platformdirs or datetime where they are not
needed, no regular expression): the CLI imports it on every start. Making folders and
listing the daily backups are in ``folders.py``, loaded when a command needs them.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fittui.storage.folders import daily_backups, make_private_dir  # noqa: F401

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
    """The database to use: an explicit path, then FITTUI_DB, then the per-user default."""
    chosen = explicit or os.environ.get("FITTUI_DB") or default_db_path()
    return Path(chosen).expanduser()


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


def _open_to_others(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return not stat.S_ISLNK(st.st_mode) and bool(st.st_mode & 0o077)


def privacy_warnings(db: Path) -> list[str]:
    """What about the database's folder and files could expose or lose a practice, in words
    with the command that fixes it; for the CLI and the app to show at every start.

    fittui's own folders (``backups/``, and the data folder at the default location) are
    made private here instead. Daily backups dated after today are named: the clock is
    wrong now or was when they were written, and retention leaves them alone.
    """
    warnings = []
    own = [backups_dir(db)]
    # Only an open folder needs to know whether it is ours (platformdirs costs every start).
    if _open_to_others(db.parent) and db == default_db_path():
        own.append(db.parent)
    for folder in own:
        if _open_to_others(folder) and folder.is_dir():
            try:
                os.chmod(folder, 0o700)
            except OSError:
                warnings.append(_fix(folder, "700"))
    if db.parent not in own and _open_to_others(db.parent) and db.parent.is_dir():
        warnings.append(_fix(db.parent, "700"))
    files = [db, *(db.with_name(db.name + end) for end in (".journal", ".lock"))]
    try:
        files += sorted(backups_dir(db).iterdir())
    except OSError:
        pass
    for path in files:
        if _open_to_others(path) and path.is_file():
            warnings.append(_fix(path, "600"))
    day, prefix = today(), f"{db.stem}-"
    future = [p.name for p in files if is_daily(p.name, prefix) and p.name[-15:-5] > day]
    if future:
        warnings.append(
            f"{len(future)} daily backups are dated after today ({future[0]} ...): is the "
            "computer's clock right? fittui keeps them and never deletes them itself"
        )
    return warnings


def is_daily(name: str, prefix: str) -> bool:
    """``name`` is a daily backup's, ``<prefix>YYYY-MM-DD.json``: the date exactly, so the
    backups of ``fittui-test.json`` in the same folder are never taken for (and pruned as)
    those of ``fittui.json``. No regular expression: compiling one costs every command."""
    day = name[len(prefix) : -5]
    digits = day[:4] + day[5:7] + day[8:]
    return (
        name.startswith(prefix)
        and name.endswith(".json")
        and len(day) == 10
        and day[4] + day[7] == "--"
        and digits.isascii()
        and digits.isdigit()
    )


def warn_about_privacy(db: str | None) -> None:
    """Say on stderr which of the database's folders and files others can read (every
    command does, first; ``db`` is --db's value)."""
    for warning in privacy_warnings(db_path(db)):
        print(f"fittui: warning: {warning}", file=sys.stderr)


def __getattr__(name: str) -> object:
    """The functions of ``folders.py``, still found here by the modules that import them
    from here, loaded only when asked for (a command that creates no folder never is)."""
    if name in ("make_private_dir", "daily_backups"):
        from fittui.storage import folders

        return getattr(folders, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def today() -> str:
    """Today's date in local time as ``date.today().isoformat()`` gives it (YYYY-MM-DD),
    without importing datetime: the quick commands would pay a millisecond for it."""
    now = time.localtime()
    return f"{now.tm_year:04d}-{now.tm_mon:02d}-{now.tm_mday:02d}"


def _fix(path: Path, mode: str) -> str:
    import shlex  # only when there is something to fix

    kind = "folder" if mode == "700" else "file"
    return (
        f"the {kind} {path} can be read by other users of this computer; "
        f"to make it private, run: chmod {mode} {shlex.quote(str(path))}"
    )
