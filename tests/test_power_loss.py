"""Power loss at every moment of a run of saves, in the style of SQLite's crash tests and ALICE.

A SIGKILL cannot show a missing fsync: the kernel keeps what the process wrote. So a shim
stands in for ``os`` inside ``fittui.storage.journal`` and records every write, fsync, ftruncate,
rename (``os.replace``), unlink and folder fsync the storage does while a Store saves
ratings, compacting often. Then, for each prefix of that trace, a model of the disk is
rebuilt from a copy of the starting folder as a power cut could leave it:

* file data written but not fsynced is kept, dropped, torn (half of it) or left as zeros;
* renames, creations and unlinks not yet made durable by an fsync of their folder are
  undone, all of them or the later ones only (they stay in order);

and each such disk is opened. Every save acknowledged before the cut must be there, the
database must open, and nothing that was never saved may appear.

How it was checked that this test can fail: ``test_the_simulation_catches_a_broken_storage``
runs the same simulation on four broken storages and requires it to find a lost save or
an unreadable database in each: without the fsync of a new file before its rename,
without the fsync of the journal after an append, without the folder fsync after a
rename, and with files written in place instead of renamed over. Each of those was also
removed by hand from storage.py once, and this test failed each time.
"""

from __future__ import annotations

import os
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import fittui.storage.atomic
import fittui.storage.journal
from fittui.domain.instruments import load_instruments
from fittui.storage.errors import StorageError
from fittui.storage.store import Store

SAVES = 12
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC


class Recorder:
    """``os`` for fittui.storage.journal: the same functions, each write-side call noted."""

    def __init__(self, root: Path, drop: str = "") -> None:
        self.root, self.drop = root, drop
        self.trace: list[tuple] = []
        self.fds: dict[int, tuple[str, int]] = {}  # fd -> (path in the folder, flags)

    def __getattr__(self, name: str):
        return getattr(os, name)

    def _rel(self, path) -> str:
        return str(Path(path).resolve().relative_to(self.root))

    def open(self, path, flags, mode=0o777, *, dir_fd=None):
        fd = os.open(path, flags, mode)
        if flags & (_WRITING | getattr(os, "O_DIRECTORY", 0)):
            rel = self._rel(path)
            self.fds[fd] = (rel, flags)
            self.trace.append(("open", fd, rel, flags))
        return fd

    def write(self, fd, data):
        written = os.write(fd, data)
        if fd in self.fds:
            append = self.fds[fd][1] & os.O_APPEND
            at = (
                os.fstat(fd).st_size - written if append else os.lseek(fd, 0, os.SEEK_CUR) - written
            )
            self.trace.append(("write", fd, at, bytes(data[:written])))
        return written

    def fsync(self, fd):
        rel, flags = self.fds.get(fd, ("", 0))
        is_dir = bool(flags & getattr(os, "O_DIRECTORY", 0))
        dropped = (
            (self.drop == "fsync of a new file" and rel.endswith(".tmp"))
            or (self.drop == "fsync of the journal" and rel.endswith(".journal"))
            or (self.drop == "fsync of the folder" and is_dir)
        )
        if not dropped:
            os.fsync(fd)
            if fd in self.fds:
                self.trace.append(("fsync", fd))

    def ftruncate(self, fd, length):
        os.ftruncate(fd, length)
        if fd in self.fds:
            self.trace.append(("truncate", fd, length))

    def close(self, fd):
        os.close(fd)
        if self.fds.pop(fd, None):
            self.trace.append(("close", fd))

    def replace(self, src, dst):
        os.replace(src, dst)
        self.trace.append(("replace", self._rel(src), self._rel(dst)))

    def unlink(self, path):
        os.unlink(path)
        self.trace.append(("unlink", self._rel(path)))


def write_in_place(path: Path, data) -> None:
    """A broken ``write_file_atomically``: truncate and write the file itself."""
    fd = fittui.storage.journal.os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for piece in [data] if isinstance(data, bytes) else data:
            fittui.storage.journal._write_all(fd, piece)
        fittui.storage.journal.os.fsync(fd)
    finally:
        fittui.storage.journal.os.close(fd)


@dataclass
class Inode:
    durable: bytes
    current: bytes


@dataclass
class Disk:
    """The model: inodes with their fsynced and current data, the folder's entries as
    fsynced and as they are now, and the entry changes made since the last folder fsync."""

    inodes: list[Inode] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)
    durable: dict[str, int] = field(default_factory=dict)
    pending: list[tuple] = field(default_factory=list)
    fds: dict[int, object] = field(default_factory=dict)

    @classmethod
    def of(cls, files: dict[str, bytes]) -> Disk:
        disk = cls()
        for name, data in files.items():
            disk.inodes.append(Inode(data, data))
            disk.entries[name] = disk.durable[name] = len(disk.inodes) - 1
        return disk

    def apply(self, event: tuple) -> None:
        kind = event[0]
        if kind == "open":
            _, fd, rel, flags = event
            if flags & getattr(os, "O_DIRECTORY", 0):
                self.fds[fd] = ("folder", rel)
                return
            if rel not in self.entries:
                self.inodes.append(Inode(b"", b""))
                self.entries[rel] = len(self.inodes) - 1
                self.pending.append(("link", rel, self.entries[rel]))
            self.fds[fd] = self.entries[rel]
            if flags & os.O_TRUNC:
                self.inodes[self.entries[rel]].current = b""
        elif kind == "write":
            _, fd, at, data = event
            node = self.inodes[self.fds[fd]]
            old = node.current.ljust(at, b"\0")
            node.current = old[:at] + data + old[at + len(data) :]
        elif kind == "truncate":
            node = self.inodes[self.fds[event[1]]]
            node.current = node.current[: event[2]].ljust(event[2], b"\0")
        elif kind == "fsync":
            target = self.fds[event[1]]
            if isinstance(target, tuple):  # a folder: its entries are durable now
                for change in self.pending:
                    _enter(self.durable, change)
                self.pending.clear()
            else:
                self.inodes[target].durable = self.inodes[target].current
        elif kind == "close":
            self.fds.pop(event[1], None)
        elif kind == "replace":
            _, src, dst = event
            self.entries[dst] = self.entries.pop(src)
            self.pending.append(("rename", src, dst))
        elif kind == "unlink":
            self.entries.pop(event[1])
            self.pending.append(("unlink", event[1]))

    def after_power_loss(self) -> list[dict[str, bytes]]:
        """Every folder a power cut now could leave (see the module docstring)."""
        folders = []
        for undone in range(len(self.pending) + 1):
            entries = dict(self.durable)
            for change in self.pending[: len(self.pending) - undone]:
                _enter(entries, change)
            for data in ("current", "durable", "torn", "zeros"):
                folders.append({name: _data(self.inodes[i], data) for name, i in entries.items()})
        return folders


def _enter(entries: dict[str, int], change: tuple) -> None:
    if change[0] == "link":
        entries[change[1]] = change[2]
    elif change[0] == "rename":
        if change[1] in entries:
            entries[change[2]] = entries.pop(change[1])
    else:
        entries.pop(change[1], None)


def _data(node: Inode, how: str) -> bytes:
    if how == "current":
        return node.current
    if how == "durable" or not node.current.startswith(node.durable):
        return node.durable
    extra = len(node.current) - len(node.durable)
    if how == "torn":
        return node.current[: len(node.durable) + extra // 2]
    return node.durable + b"\0" * extra


def run_saves(db: Path, recorder: Recorder, monkeypatch, in_place: bool) -> list[tuple]:
    """Saves (with compactions) through the recorder; the trace, with begin/ack marks."""
    monkeypatch.setattr(fittui.storage.journal, "os", recorder)
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 900)
    if in_place:
        monkeypatch.setattr(fittui.storage.journal, "write_file_atomically", write_in_place)
    ors = load_instruments()["ORS"]
    store = Store(db)
    for n in range(SAVES):
        recorder.trace.append(("begin", f"s{n}"))
        store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]), "2026-01-05", note=f"s{n}")
        recorder.trace.append(("ack", f"s{n}"))
    monkeypatch.undo()
    return recorder.trace


def violations(db: Path, start: dict[str, bytes], trace: list[tuple], scratch: Path) -> list[str]:
    """Replay each prefix of the trace and open every disk a power cut could leave."""
    found: list[str] = []
    seen: dict[tuple, object] = {}
    disk = Disk.of(start)
    begun: set[str] = set()
    acked: set[str] = set()
    for number, event in enumerate([("start",), *trace]):
        if event[0] == "begin":
            begun.add(event[1])
            continue
        if event[0] == "ack":
            acked.add(event[1])
        elif event[0] != "start":
            disk.apply(event)
            if event[0] == "close":
                continue
        for folder in disk.after_power_loss():
            key = tuple(sorted(folder.items()))
            if key not in seen:
                seen[key] = _open(folder, scratch / str(len(seen)), db.name)
            notes = seen[key]
            if isinstance(notes, str):
                found.append(f"after event {number} {event[:1]}: {notes}")
            elif not acked <= notes or not notes <= begun | {"before"}:
                lost = sorted(acked - notes)
                found.append(f"after event {number} {event[:1]}: lost {lost}")
    return found


def _open(folder: dict[str, bytes], where: Path, name: str) -> set[str] | str:
    where.mkdir(parents=True)
    for rel, data in folder.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(data)
    try:
        return {a.note for a in Store(where / name, read_only=True).administrations()}
    except StorageError as exc:
        return f"refused: {str(exc)[:160]}"


def simulate(tmp_path: Path, monkeypatch, drop: str = "", in_place: bool = False) -> list[str]:
    db = tmp_path / "data" / "fittui.json"
    store = Store(db)
    store.add_client("C1")
    ors = load_instruments()["ORS"]
    store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]), "2026-01-04", note="before")
    start = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    start.pop(db.name + ".lock", None)
    trace = run_saves(db, Recorder(db.parent.resolve(), drop), monkeypatch, in_place)
    assert db.exists() and db.name not in start, "the run did not compact"
    return violations(db, start, trace, tmp_path / "disks")


def test_no_acknowledged_save_is_lost_at_any_power_cut(tmp_path, monkeypatch):
    assert simulate(tmp_path, monkeypatch) == []


@pytest.mark.parametrize(
    ("drop", "in_place"),
    [
        ("fsync of a new file", False),
        ("fsync of the journal", False),
        ("fsync of the folder", False),
        ("", True),
    ],
    ids=["no fsync before rename", "no journal fsync", "no folder fsync", "written in place"],
)
def test_the_simulation_catches_a_broken_storage(tmp_path, monkeypatch, drop, in_place):
    assert simulate(tmp_path, monkeypatch, drop, in_place) != []


def test_the_recorder_is_the_os_the_storage_uses():
    """The shim works only while storage.py calls its file functions through ``os``."""
    assert isinstance(fittui.storage.journal.os, types.ModuleType)
    source = Path(fittui.storage.journal.__file__).read_text()
    # Whole-file writes are made in atomic.py through the os module the journal passes it.
    assert "write_whole(path, data, os)" in source and "fsync_folder(folder, os)" in source
    source += Path(fittui.storage.atomic.__file__).read_text().replace("system.", "os.")
    for call in ("os.fsync(", "os.replace(", "os.write(", "os.ftruncate(", "os.unlink("):
        assert call in source
    assert source.count(".unlink(") == source.count("os.unlink(")
    for bypass in (".write_bytes(", ".rename(", "shutil"):
        assert bypass not in source
