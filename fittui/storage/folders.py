"""Making fittui's private folders and listing the daily backups: apart from
``locations.py``, which every command imports, because a command that reads creates no
folder. ``locations`` still gives both (``locations.make_private_dir``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from fittui.storage.locations import backups_dir, is_daily


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
