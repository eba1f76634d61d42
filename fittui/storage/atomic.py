"""A file written whole or not at all, through an ``os`` module the caller names.

Why the module is a parameter: the database's files are written through the journal's
``os`` and the daily backup's through its own, so that the power-loss test, which swaps
the journal's ``os`` for a recorder, models the saves and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the quick commands write through here and need no typing at run time
    from typing import Any


def write_whole(
    path: Path,
    data: bytes | Iterable[bytes],
    system: Any,
    *,
    tmp: Path | None = None,
    durable: bool = True,
) -> None:
    """A temporary file beside ``path`` (``tmp``, else ``.NAME.XXXXXXXX.tmp``), fsynced,
    renamed over it, the folder fsynced: the old file or the new, never a mix. ``data`` may
    come in pieces, so a large snapshot is never held whole in memory.

    ``durable=False`` skips both fsyncs, for derived files that are checked whenever they
    are read and derived again when a crash tore or lost them (the kept outputs)."""
    tmp = tmp or path.with_name(f".{path.name}.{system.urandom(4).hex()}.tmp")
    flags = system.O_WRONLY | system.O_CREAT | system.O_EXCL
    flags |= getattr(system, "O_NOFOLLOW", 0) | getattr(system, "O_CLOEXEC", 0)
    fd = system.open(tmp, flags, 0o600)
    try:
        try:
            for piece in [data] if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[system.write(fd, view) :]
            if durable:
                system.fsync(fd)
        finally:
            system.close(fd)
        system.replace(tmp, path)
    except BaseException:
        try:
            system.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        fsync_folder(path.parent, system)


def fsync_folder(folder: Path, system: Any) -> None:
    """Make a rename in ``folder`` durable (Windows has no folder fsync: nothing to do)."""
    flags = getattr(system, "O_DIRECTORY", None)
    if flags is None:
        return
    fd = system.open(folder, flags | system.O_RDONLY)
    try:
        system.fsync(fd)
    finally:
        system.close(fd)
