"""The daily backup, written beside a save rather than inside it.

Why apart from the journal: the first save of each day used to copy the whole database
into ``backups/`` before it returned, which made that save as slow as reading and writing
everything. Now the save returns as soon as its journal line is on disk, and the copy is
written by a thread of its own that reads the database as any reader does (no lock: it
sees the database whole, as of some moment after that save) and writes the copy the
atomic way (a temporary file, fsynced, renamed, the folder fsynced), so a copy is never
half-written and a later save never waits for it. A process killed mid-copy leaves at
most a temporary file, removed by a later save.

The thread is started when a store that may save is opened (``be_ready``), not by the
day's first save, which only leaves it the copy to make: starting a thread waits for the
system to run it, which on a busy machine can take longer than the save, and so does
waking one (it then competes with the save for the interpreter). The thread looks for a
copy to make every ``LOOK_EVERY`` seconds, or at once when someone waits for one. It is
a daemon, so an idle one never keeps a process from ending; a process that ends waits
for the copies it started first (``wait_for_all``, run at exit too).

A large database (``APART_BYTES`` and more) is read and written out by a process of its
own (``daily_apart.py``), which the thread waits for: reading and
checking hundreds of thousands of records takes seconds of the interpreter, which a
thread shares with the app's saves and its screen (one thread runs Python at a time, and
a save that waited on the disk waits again for its turn), while a process runs beside
them, at a lower priority. A small one is copied in the thread, where a process would
cost more to start than the copy.

The files here are written through this module's ``os``, not the journal's, so the
power-loss test's model of the database folder sees the saves alone.
"""

from __future__ import annotations

import atexit
import errno
import os
import stat
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from fittui.storage.atomic import write_whole


def write_copy(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``path`` whole or not at all, through this module's ``os``."""
    write_whole(path, data, os)


LOOK_EVERY = 1.0  # seconds between the thread's looks for a copy to make
APART_BYTES = 4 * 1024 * 1024  # a snapshot this large is copied by a process of its own
_started: list[DailyBackup] = []
_to_copy: list[DailyBackup] = []  # handed to the thread, not yet taken
_handed = threading.Condition()
_worker: list[threading.Thread] = []  # the one thread that writes the copies, once started


def check_folder(folder: Path) -> None:
    """Refuse to write a copy into ``folder`` unless it is a folder itself, not a link to
    one: the save checked it, but a moment may have passed."""
    mode = os.lstat(folder).st_mode
    if not stat.S_ISDIR(mode):
        raise OSError(errno.ENOTDIR, f"{folder} is not a folder (a link or a file)", str(folder))


def _words(exc: Exception) -> str:
    """Why the copy failed, in words: an OSError's own words, without its errno and the
    hidden temporary file it names (``[Errno 13] Permission denied: '.../.fittui-....tmp'``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def be_ready() -> None:
    """Start the thread that writes the copies, if it is not running yet: before the day's
    first save, which then only hands it its copy."""
    if not _worker:
        worker = threading.Thread(target=_copy_forever, name="fittui-daily-backup", daemon=True)
        _worker.append(worker)
        worker.start()
        atexit.register(wait_for_all)


def _copy_forever() -> None:
    while True:
        with _handed:
            while not _to_copy:
                _handed.wait(LOOK_EVERY)
            backup = _to_copy.pop(0)
        backup._run()


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
        read: Callable[[], Iterable[bytes]] | Path,
        seal: Callable[[bytes], bytes] | None,
        prune: Callable[[Path], None],
    ) -> None:
        """``read`` gives the copy's lines in this process, or is the database's path, for
        a database copied by a process of its own (``copy_apart``)."""
        self.target = target
        self.failed: str | None = None
        self._read, self._seal, self._prune = read, seal, prune
        self._writing = threading.Lock()  # held until the copy is done
        self._writing.acquire()
        be_ready()
        _started.append(self)
        with _handed:
            _to_copy.append(self)  # the thread's next look finds it: it is not woken

    def _run(self) -> None:
        try:
            check_folder(self.target.parent)
            if isinstance(self._read, Path):
                from fittui.storage.daily_apart import copy_apart, read_apart

                if not self._seal:  # asked here: the CLI reads the settings only now
                    copy_apart(self._read, self.target)
                else:
                    write_copy(self.target, self._seal(b"".join(read_apart(self._read))))
            else:
                lines = self._read()
                write_copy(self.target, self._seal(b"".join(lines)) if self._seal else lines)
            self._prune(self.target)
        except Exception as exc:  # a backup that fails never stops the work
            self.failed = f"could not write the daily backup {self.target}: {_words(exc)}"
        finally:
            self._writing.release()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the copy to be written (the thread is woken to make it now); whether
        it is done."""
        if not self._writing.locked():
            return True
        with _handed:
            _handed.notify()
        if not self._writing.acquire(timeout=-1 if timeout is None else timeout):
            return False
        self._writing.release()
        return True
