"""The daily backup, written beside a save rather than inside it.

Why apart from the journal: the first save of each day used to copy the whole database
into ``backups/`` before it returned, which made that save as slow as reading and writing
everything. Now the save returns as soon as its journal line is on disk, and the copy is
written by a thread of its own that reads the database as any reader does (no lock: it
sees the database whole, as of some moment after that save) and writes the copy the
atomic way (a temporary file, fsynced, renamed, the folder fsynced), so a copy is never
half-written and a later save never waits for it. A process that ends waits for its copy
to be finished (the thread is not a daemon); a process killed mid-copy leaves at most a
temporary file, removed by a later save.

The files here are written through this module's ``os``, not the journal's, so the
power-loss test's model of the database folder sees the saves alone.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path


def write_copy(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``path`` whole or not at all: a temporary file, fsynced, renamed over."""
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        try:
            for piece in [data] if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    folder = getattr(os, "O_DIRECTORY", None)
    if folder is not None:
        fd = os.open(path.parent, folder | os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


START_AFTER = 0.05  # seconds
_started: list[DailyBackup] = []


def wait_for_all() -> list[str]:
    """Wait for every daily backup this process started (a command does before it ends);
    why those that failed could not be written."""
    failed = []
    while _started:
        backup = _started.pop()
        backup.wait()
        if backup.failed:
            failed.append(backup.failed)
    return failed


class DailyBackup:
    """The copy of one day, written by a thread; ``failed`` says why it could not be."""

    def __init__(
        self,
        target: Path,
        read: Callable[[], Iterable[bytes]],
        seal: Callable[[bytes], bytes] | None,
        prune: Callable[[Path], None],
    ) -> None:
        self.target = target
        self.failed: str | None = None
        self._read, self._seal, self._prune = read, seal, prune
        self._thread = threading.Thread(target=self._run, name="fittui-daily-backup")
        self._thread.start()
        _started.append(self)

    def _run(self) -> None:
        # Let the save that started this copy return before the copy competes with it for
        # the interpreter (one thread runs Python at a time).
        time.sleep(START_AFTER)
        try:
            lines = self._read()
            write_copy(self.target, self._seal(b"".join(lines)) if self._seal else lines)
            self._prune(self.target)
        except Exception as exc:  # a backup that fails never stops the work
            self.failed = f"could not write the daily backup {self.target}: {exc}"

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the copy to be written; whether it is done."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
