"""The write lock every saving fittui holds: an exclusive ``flock`` on ``fittui.json.lock``.

Why not filelock alone: importing it (with the logging it loads) costs a command more than
the save it guards. Where the system has ``flock`` (Linux, macOS, the BSDs), the lock is
taken here the way filelock takes it: ``flock(LOCK_EX | LOCK_NB)`` on the lock file, tried
again every 50 ms until the timeout, the file left in place on release so that everyone
waiting locks the same file. A fittui that uses filelock and one that uses this module
therefore exclude each other. Where ``flock`` is missing (Windows, or a file system that
answers ENOSYS), filelock is used, with its own fallback.

The lock is held by this object, not per thread: a store's saves are serialised by its
own guard, and a second ``acquire`` while held waits like any other process would.

The lock file stays open between a store's saves (its descriptor is closed by ``close``),
so that a running app's save takes the lock with one ``flock`` and one ``lstat`` rather
than opening and closing the file each time. The ``lstat`` after each ``flock`` checks
that the path still names the file locked: a lock file deleted or replaced meanwhile (by
hand) would otherwise let this store and another process each lock a different file. It
is then opened again, as on the first save.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.05
_BUSY = (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK)
_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class LockTimeout(Exception):
    """Another process held the lock for longer than the timeout."""


class WriteLock:
    """An exclusive lock on ``path``, waited for up to ``timeout`` seconds."""

    def __init__(
        self, path: Path, timeout: float, before_open: Callable[[], None] | None = None
    ) -> None:
        """``before_open`` is called before the file is opened (not while it is kept open):
        to make its folder and refuse a link in its place, in words."""
        self.path = path
        self.timeout = timeout
        self._before_open = before_open
        self._fd: int | None = None  # the lock file's descriptor while locked
        self._kept: tuple[int, int, int] | None = None  # (fd, device, inode) of the open file
        self._fallback: Any = None  # filelock's FileLock, where flock is missing

    @property
    def is_locked(self) -> bool:
        """This object holds the lock now."""
        if self._fallback is not None:
            return bool(self._fallback.is_locked)
        return self._fd is not None

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` (default: the lock's own) seconds;
        :class:`LockTimeout` when it stays busy. OSError when the file cannot be opened."""
        wait = self.timeout if timeout is None else timeout
        if self._fallback is not None or fcntl is None:
            self._acquire_fallback(wait)
            return
        deadline = time.monotonic() + wait
        while True:
            fd = self._open()
            try:
                while not self._try(fd):
                    if time.monotonic() >= deadline:
                        raise LockTimeout(str(self.path))
                    time.sleep(POLL_SECONDS)
            except _NoFlock:
                self.close()
                self._acquire_fallback(wait)
                return
            except BaseException:
                self.close()
                raise
            if self._still_named():
                self._fd = fd
                return
            self._unlock(fd)  # another file took its name: lock that one
            self.close()

    def _open(self) -> int:
        """The lock file's descriptor, kept open from an earlier save or opened now."""
        if self._kept is not None:
            return self._kept[0]
        if self._before_open is not None:
            self._before_open()
        fd = os.open(self.path, _FLAGS, 0o600)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(errno.EINVAL, "the lock is not a regular file", str(self.path))
        except BaseException:
            os.close(fd)
            raise
        self._kept = (fd, st.st_dev, st.st_ino)
        return fd

    def _still_named(self) -> bool:
        """Whether the path still names the file whose descriptor is kept (the ``lstat``
        also sees a link or a folder put in its place)."""
        assert self._kept is not None, "checked after the file was opened and locked"
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return False
        return (st.st_dev, st.st_ino) == self._kept[1:] and stat.S_ISREG(st.st_mode)

    def _try(self, fd: int) -> bool:
        assert fcntl is not None, "flock is there (checked by acquire)"
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in _BUSY:
                return False
            if exc.errno in (errno.ENOSYS, errno.EOPNOTSUPP):
                raise _NoFlock from None
            raise
        return True

    def _acquire_fallback(self, wait: float) -> None:
        from filelock import FileLock, Timeout

        if self._fallback is None:
            self._fallback = FileLock(self.path, timeout=self.timeout, mode=0o600)
        try:
            self._fallback.acquire(timeout=wait)
        except Timeout:
            raise LockTimeout(str(self.path)) from None

    def release(self) -> None:
        """Let the next writer in; the lock file stays, and stays open for the next save."""
        if self._fallback is not None:
            self._fallback.release()
            return
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                self._unlock(fd)
            except OSError:
                self.close()  # closing the file lets the lock go in any case
                raise

    def _unlock(self, fd: int) -> None:
        assert fcntl is not None, "flock is there (checked by acquire)"
        fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file kept open between saves (which lets the lock go, if held)."""
        kept, self._kept, self._fd = self._kept, None, None
        if kept is not None:
            os.close(kept[0])

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass


class _NoFlock(Exception):
    """The file system has no flock: filelock's fallback is used."""
