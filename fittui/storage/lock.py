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
"""

from __future__ import annotations

import errno
import os
import stat
import time
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

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._fd: int | None = None
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
        fd = os.open(self.path, _FLAGS, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EINVAL, "the lock is not a regular file", str(self.path))
            deadline = time.monotonic() + wait
            while not self._try(fd):
                if time.monotonic() >= deadline:
                    raise LockTimeout(str(self.path))
                time.sleep(POLL_SECONDS)
        except _NoFlock:
            os.close(fd)
            self._acquire_fallback(wait)
            return
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

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
        """Let the next writer in; the lock file stays."""
        if self._fallback is not None:
            self._fallback.release()
            return
        fd, self._fd = self._fd, None
        if fd is not None and fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class _NoFlock(Exception):
    """The file system has no flock: filelock's fallback is used."""
