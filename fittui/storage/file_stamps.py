"""The state of a database's files now, read without opening the database: the snapshot's
and the journal's inode, size and times, and the CRC-32 of the journal's first line. A kept
output (``printed.py``) or a kept history (``histories.py``) is believed only while these
are what it was derived from. Apart from ``printed.py`` because a kept history needs only
this, and a fresh interpreter pays for every line it compiles.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path

# How readers open the files: never through a link, never blocking on a FIFO.
OPEN_FLAGS = (
    getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
)
_HEAD_MAX = 4096  # the journal's first line is read up to this long

Sig = tuple[int, int, int, int]  # inode, size, modification and change times (ns)


def file_sig(st: os.stat_result) -> Sig:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Files:
    """The state of a database's snapshot and journal now: what a kept output or history
    must have been derived from to be printed again."""

    def __init__(self, snapshot: Sig | None, journal: Sig | None, journal_head: int) -> None:
        self.snapshot = snapshot
        self.journal = journal
        self.journal_head = journal_head  # CRC-32 of the journal's first line

    def words(self) -> str:
        snapshot = ":".join(map(str, self.snapshot)) if self.snapshot else "-"
        journal = (
            ":".join(map(str, self.journal)) + f":{self.journal_head:08x}" if self.journal else "-"
        )
        return f"{snapshot} {journal}"

    def missing(self) -> bool:
        """Neither file is there: no database (nothing to keep output beside)."""
        return self.snapshot is None and self.journal is None

    def were_read(self, derived_from: tuple[list | None, str | None, int]) -> bool:
        """A store's ``storage.derived_from()`` (the snapshot it read and checked, the
        journal and the length of it that it read) is of these very files: the snapshot
        read is this one, and the journal was read to exactly its length now (nothing
        appended, nothing torn waiting to be cut off). A compaction or a restore between
        the two looks writes a new snapshot, which the first check sees."""
        verified, _, length = derived_from
        read = None if verified is None else tuple(verified[1:])
        size = 0 if self.journal is None else self.journal[1]
        return read == self.snapshot and length == size


def files_now(db: Path) -> Files | None:
    """The snapshot's and the journal's state now, the journal first as readers open it;
    None when either is not a regular file fittui would read (a link, a folder...)."""
    journal = db.with_name(db.name + ".journal")
    try:
        fd = os.open(journal, os.O_RDONLY | OPEN_FLAGS)
    except FileNotFoundError:
        journal_sig, head = None, 0
    except OSError:
        return None
    else:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            first = os.pread(fd, _HEAD_MAX, 0)
            journal_sig, head = file_sig(st), zlib.crc32(first[: first.find(b"\n") + 1 or None])
        finally:
            os.close(fd)
    try:
        st = os.lstat(db)
    except FileNotFoundError:
        return Files(None, journal_sig, head)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Files(file_sig(st), journal_sig, head)
