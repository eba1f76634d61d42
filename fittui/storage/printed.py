"""The caseload as ``fittui clients --json`` and ``fittui report --json`` last printed it, kept
beside the data (``fittui.json.summaries.clients`` and ``fittui.json.summaries.report``) and
printed again as it is while nothing it was derived from has changed.

Why: both commands print a row for every client, thousands in a group practice. Even with
each row kept (``summaries.py``), a run opens the database, reads and checks megabytes of
rows, loads the rules (the instruments, the expected-path model) to see the rows are still
theirs, and encodes megabytes of JSON again; the result is the same bytes as last time
whenever the ratings, the rules and the day still say the same. So the bytes are kept, with
a first line (the stamp) naming all that they were derived from:

* the snapshot and the journal as they were read, each by its inode, size, modification
  and change times, and the journal by the CRC-32 of its first line too (its id, new at
  every compaction and restore): any save, compaction, restore or edit changes them;
* the rules' sources: a CRC-32 of the TOML files the rules are read from (the built-in and
  your instrument files, the expected-path model, the settings with the episode gap) and of
  ``derived.py`` (its ``RULES_VERSION`` says how a row is computed), with fittui's version;
* the day it was derived and the last day all of its rows stay true (``derived.valid_until``);
* the length and CRC-32 of the output that follows.

The kept output is printed only when every one of these matches now (reading nothing of
the database but its files' status and the journal's first line); otherwise the command
takes its full way (the database, the kept rows, whatever must be derived again) and keeps
its new output. A file that does not check out is never believed: it is written anew.
It is never written by ``--read-only``, is readable by you only (0600), and is not
fsynced: a file a crash tore or lost does not check out, and the output is derived again.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from fittui import __version__
from fittui.storage.file_stamps import OPEN_FLAGS as _FLAGS
from fittui.storage.file_stamps import Files as Files
from fittui.storage.file_stamps import files_now as files_now

# Bumped whenever what the stamp holds changes: a file with another version is not believed.
VERSION = 1
MAGIC = b"fittui-printed"
KINDS = ("clients", "report")
_HEAD_MAX = 4096  # the stamp line is about 200 bytes


def printed_path(db: Path, kind: str) -> Path:
    """Where the output of ``fittui <kind> --json`` is kept."""
    assert kind in KINDS, kind
    return db.with_name(f"{db.name}.summaries.{kind}")


def rule_sources() -> tuple[list[Path], list[Path]]:
    """Where the caseload's rules come from (what a kept output is stamped with, through
    :func:`rules_sources`): the folders of their TOML files (your config folder with the
    settings and a fitted expected-path model, your instruments, fittui's own instruments
    and model) and the module that says how a row is computed (its ``RULES_VERSION``)."""
    import fittui
    from fittui.storage.locations import config_dir, instruments_dir

    package = Path(fittui.__file__).parent
    own = package / "domain"
    folders = [config_dir(), instruments_dir(), own, own / "instruments"]
    return folders, [package / "storage" / "derived.py"]


def rules_sources(folders: Iterable[Path], files: Iterable[Path] = ()) -> str:
    """A CRC-32 of every TOML file in these folders and of these files (names and bytes),
    of the paths and of fittui's version: it changes whenever anything the rules are read
    from may have. A file that cannot be read counts as its name and the error."""
    crc = zlib.crc32(f"{VERSION} {__version__}".encode())
    for folder in folders:
        crc = zlib.crc32(b"\0%s\0" % os.fsencode(folder), crc)
        try:
            with os.scandir(folder) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(".toml"))
        except OSError as exc:
            crc = zlib.crc32(b"?%d" % (exc.errno or 0), crc)
            continue
        for name in names:
            crc = zlib.crc32(b"\0%s\0" % os.fsencode(name), crc)
            crc = zlib.crc32(_bytes_of(folder / name), crc)
    for path in files:
        crc = zlib.crc32(b"\0%s\0" % os.fsencode(path), crc)
        crc = zlib.crc32(_bytes_of(path), crc)
    return f"{crc:08x}"


def _bytes_of(path: Path) -> bytes:
    """A small file's bytes; what stands for them when it is not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return b"?%d" % (exc.errno or 0)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b"?special"
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        return b"?%d" % (exc.errno or 0)
    finally:
        os.close(fd)


def stamp(sources: str, files: Files) -> bytes:
    """What a kept output is derived from besides the day, as its stamp names it."""
    return f"{sources} {files.words()}".encode()


def print_kept(
    db: Path, kind: str, derived_from: bytes, day: str, write: Callable[[memoryview], None]
) -> bool:
    """Write the kept output of ``kind`` with ``write`` (given a buffer) and say True, when
    its file checks out (shape, length, CRC), names ``derived_from`` and holds on ``day``
    (ISO); else write nothing and say False. What ``write`` raises is the caller's: the
    output may be partly written, and is not to be written again."""
    try:
        fd = os.open(printed_path(db, kind), os.O_RDONLY | _FLAGS)
    except OSError:
        return False
    try:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
                return False
            body = _body_at(os.pread(fd, _HEAD_MAX, 0), derived_from, day, st.st_size)
            if body is None:
                return False
            import mmap  # only when a kept output is there to print

            kept = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return False
        start, length, crc = body
        with kept, memoryview(kept) as whole, whole[start : start + length] as output:
            if len(output) != length or zlib.crc32(output) != crc:
                return False
            write(output)
        return True
    finally:
        os.close(fd)


def _body_at(head: bytes, derived_from: bytes, day: str, size: int) -> tuple[int, int, int] | None:
    """(where the output starts, its length, its CRC-32) when the stamp line fits; else None.

    The line: ``fittui-printed VERSION DAY UNTIL LENGTH CRC SOURCES SNAPSHOT JOURNAL``."""
    end = head.find(b"\n")
    if end < 0:
        return None
    words = head[:end].split(b" ", 6)
    if len(words) != 7 or words[0] != MAGIC or words[1] != b"%d" % VERSION:
        return None
    try:
        first, last = words[2].decode(), words[3].decode()
        length, crc = int(words[4]), int(words[5], 16)
    except ValueError:
        return None
    if words[6] != derived_from or not first <= day <= last or end + 1 + length != size:
        return None
    return end + 1, length, crc


def keep(db: Path, kind: str, derived_from: bytes, day: str, until: str, output: bytes) -> None:
    """Keep ``output`` of ``kind`` with its stamp: written to a temporary file beside it
    (named as the summaries' are, so a save removes one a crash left) and renamed over it.
    Raises OSError when it cannot be written (the output is derived again next time)."""
    head = b"%s %d %s %s %d %08x %s\n" % (
        MAGIC,
        VERSION,
        day.encode(),
        until.encode(),
        len(output),
        zlib.crc32(output),
        derived_from,
    )
    from fittui.storage.atomic import write_whole  # only when writing: not on the quick way

    tmp = db.with_name(f".{db.name}.summaries.{os.urandom(4).hex()}.tmp")
    write_whole(printed_path(db, kind), (head, output), os, tmp=tmp, durable=False)
