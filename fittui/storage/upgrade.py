"""Bringing a database an older fittui wrote (a snapshot of schema 1) into this layout.

Apart from the journal because it runs once per database, on the first save after an
upgrade of fittui: no other save loads it. Its files are written through the journal's
``os`` and ``write_file_atomically`` (looked up there when it runs), like every write of
the database's own files, so the power-loss test's model sees them too.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from fittui.storage import journal
from fittui.storage.errors import SaveFailed
from fittui.storage.locations import backups_dir

if TYPE_CHECKING:
    from fittui.storage.journal import JournalStorage


def upgrade(storage: JournalStorage, now: datetime | None = None) -> None:
    """Rewrite the database of ``storage`` in this layout, before the first save to it
    (under the lock): its files are first copied as they are into backups/
    (``fittui-before-upgrade-<date and time>.json`` and, when it holds saves, its
    ``.journal``), each written and fsynced, so the old database can be restored by any
    fittui; then the data, unchanged, becomes a new snapshot (``install``)."""
    path = storage.path
    stamp = f"{(now or datetime.now()):%Y-%m-%d-%H%M%S}"
    folder = backups_dir(path)
    target = folder / f"{path.stem}-before-upgrade-{stamp}.json"
    n = 1
    while journal.os.path.lexists(target):
        n += 1
        target = folder / f"{path.stem}-before-upgrade-{stamp}-{n}.json"
    try:
        journal.private_folder(folder)
        for source, copy in (
            (path, target),
            (storage.journal_path, target.with_name(target.name + ".journal")),
        ):
            if source == storage.journal_path and storage._journal_lines <= 1:
                continue  # no saves in it: the snapshot is the whole database
            fd = journal.open_kept(source, journal.os.O_RDONLY)
            with journal.os.fdopen(fd, "rb") as old:
                journal.write_file_atomically(copy, iter(lambda: old.read(1 << 20), b""))
        storage._whole()
        storage.install(storage._loaded())
    except OSError as exc:
        raise SaveFailed(
            f"could not bring {path} up to this fittui's layout: {journal._words(exc)}; "
            "nothing was saved"
        ) from None
