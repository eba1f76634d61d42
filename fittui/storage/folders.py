"""Making fittui's private folders, listing the daily backups, and what about the
database's folders and files needs saying: apart from ``locations.py``, which every
command imports, because most commands create no folder and most days there is nothing
to say (``locations.warn_about_privacy`` looks first). ``locations`` still gives these
(``locations.make_private_dir``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from fittui.storage.locations import backups_dir, default_db_path, open_to_others, today


def make_private_dir(path: Path) -> None:
    """Create a folder and every missing parent, each mode 0700 whatever the umask.

    An existing folder is left as it is (``privacy_warnings`` reports a wide one). A file
    or a broken link where a folder should be raises OSError saying so in words.
    """
    missing = []
    folder = path
    while True:
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            if os.path.lexists(folder):
                raise OSError(errno.ENOENT, f"{folder} is a link to nothing", str(folder)) from None
            missing.append(folder)
            if folder.parent == folder:
                break
            folder = folder.parent
            continue
        except OSError as exc:
            raise OSError(exc.errno, f"{folder}: {exc.strerror}", str(folder)) from None
        if not stat.S_ISDIR(st.st_mode):
            raise OSError(errno.ENOTDIR, f"{folder} is a file, not a folder", str(folder))
        break
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise OSError(
                    errno.ENOTDIR, f"{folder} is a file, not a folder", str(folder)
                ) from None
            continue
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot create {folder}: {exc.strerror}", str(folder)
            ) from None
        os.chmod(folder, 0o700)


def daily_backups(db: Path) -> list[Path]:
    """The daily backups of ``db`` (``<name>-YYYY-MM-DD.json`` in backups/, ``is_daily``),
    oldest first."""
    folder = backups_dir(db)
    prefix = f"{db.stem}-"
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(folder / n for n in names if is_daily(n, prefix))


def privacy_warnings(db: Path, read_only: bool = False) -> list[str]:
    """What about the database's folder and files could expose or lose a practice, in words
    with the command that fixes it; for the CLI and the app to show at every start.

    fittui's own folders (``backups/``, and the data folder at the default location) are
    made private here instead, unless ``read_only`` (``--read-only`` never writes, not
    even a folder's mode): then they are named like the others. Daily backups dated after
    today are named: the clock is wrong now or was when they were written, and retention
    leaves them alone.
    """
    warnings = []
    own = [backups_dir(db)]
    # Only an open folder needs to know whether it is ours (platformdirs costs every start).
    if open_to_others(db.parent) and db == default_db_path():
        own.append(db.parent)
    for folder in own:
        if open_to_others(folder) and folder.is_dir() and (read_only or not _private(folder)):
            warnings.append(_fix(folder, "700"))
    if db.parent not in own and open_to_others(db.parent) and db.parent.is_dir():
        warnings.append(_fix(db.parent, "700"))
    files = [db, *(db.with_name(db.name + end) for end in (".journal", ".lock"))]
    try:
        files += sorted(backups_dir(db).iterdir())
    except OSError:
        pass
    for path in files:
        if open_to_others(path) and path.is_file():
            warnings.append(_fix(path, "600"))
    day, prefix = today(), f"{db.stem}-"
    future = [p.name for p in files if is_daily(p.name, prefix) and p.name[-15:-5] > day]
    if future:
        which = (
            f"1 daily backup is dated after today ({future[0]})"
            if len(future) == 1
            else f"{len(future)} daily backups are dated after today ({future[0]} ...)"
        )
        warnings.append(
            f"{which}: is the computer's clock right? fittui keeps them and never deletes "
            "them itself"
        )
    return warnings


def _private(folder: Path) -> bool:
    """Make one of fittui's own folders private; whether that could be done."""
    try:
        os.chmod(folder, 0o700)
    except OSError:
        return False
    return True


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


def _fix(path: Path, mode: str) -> str:
    import shlex  # only when there is something to fix

    kind = "folder" if mode == "700" else "file"
    return (
        f"the {kind} {path} can be read by other users of this computer; "
        f"to make it private, run: chmod {mode} {shlex.quote(str(path))}"
    )
