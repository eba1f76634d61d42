"""Issue 18, the storage engine attacked on purpose: each finding as a test that failed first.

Records read from disk are checked as strictly as records saved; odd paths, symlinks and
FIFOs get an error in words; modes are private whatever the umask; backups survive a wrong
clock; emptiness is reported; a journal changed under a running store stops the saves.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import orjson
import pytest

import fittui.storage.journal
from conftest import db_bytes
from fittui.domain.instruments import load_instruments
from fittui.storage.backup import backup_database, restore_database
from fittui.storage.journal import (
    BACKUPS_KEPT,
    SaveFailed,
    StorageError,
    UnreadableDatabase,
)
from fittui.storage.store import Store

NOW = datetime(2026, 11, 20, 14, 30, 5)
GOOD_ITEMS = {"individually": 5.5, "interpersonally": 7.0, "socially": 1.0, "overall": 0.0}


@pytest.fixture
def ors():
    return load_instruments()["ORS"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "fittui.json"


@pytest.fixture
def client_db(db: Path, ors) -> Path:
    store = Store(db)
    store.add_client("C1")
    store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]), "2026-01-05")
    store.close()
    return db


def journal(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def append(db: Path, data: bytes) -> None:
    with open(journal(db), "ab") as f:
        f.write(data)


def put_administration(**changes) -> bytes:
    doc = {
        "client": "C1",
        "instrument": "ORS",
        "date": "2026-01-06",
        "rater": "client",
        "items": dict(GOOD_ITEMS),
        "note": "",
    }
    doc.update(changes)
    return orjson.dumps({"ops": [["put", "administrations", "a1b2c3d4e5f60718", doc]]}) + b"\n"


# -- (4) records read from disk are checked as strictly as records saved ---------------------
DAMAGED_LINES = {
    "score 99": (put_administration(items={**GOOD_ITEMS, "overall": 99}), "99"),
    "score -50": (put_administration(items={**GOOD_ITEMS, "overall": -50}), "-50"),
    "score finer than a tenth": (
        put_administration(items={**GOOD_ITEMS, "overall": 5.55}),
        "5.55",
    ),
    "30-digit score": (
        put_administration(items={**GOOD_ITEMS, "overall": 9.0}).replace(
            b'"overall":9.0', b'"overall":' + b"9" * 30
        ),
        "overall",
    ),
    "huge float": (put_administration(items={**GOOD_ITEMS, "overall": 1e308}), "overall"),
    "score true": (put_administration(items={**GOOD_ITEMS, "overall": True}), "overall"),
    "missing item": (
        put_administration(items={k: v for k, v in GOOD_ITEMS.items() if k != "overall"}),
        "overall",
    ),
    "unknown item": (put_administration(items={**GOOD_ITEMS, "extra": 1.0}), "extra"),
    "bad date": (put_administration(date="not-a-date"), "not-a-date"),
    "impossible date": (put_administration(date="2026-02-30"), "2026-02-30"),
    "missing client": (put_administration(client="NOBODY"), "NOBODY"),
    "bad rater": (put_administration(rater="Partner!"), "rater"),
    "note not text": (put_administration(note=7), "note"),
    "PHQ-9 answer not on the scale": (
        put_administration(instrument="PHQ-9", items={f"item{n}": 1.5 for n in range(1, 10)}),
        "1.5",
    ),
    "ops null": (b'{"ops": null}\n', "ops"),
    "ops a number": (b'{"ops": 3}\n', "ops"),
    "op too short": (b'{"ops": [["put", "clients"]]}\n', "operation"),
    "op too long": (b'{"ops": [["del", "clients", "C1", 4]]}\n', "operation"),
    "put a non-record": (b'{"ops": [["put", "clients", "C2", 7]]}\n', "clients"),
    "line a list": (b"[1, 2]\n", "line"),
    "client code not its key": (
        b'{"ops": [["put", "clients", "C2", {"code": "C3", "age_group": "adult"}]]}\n',
        "C3",
    ),
    "unknown age group": (
        b'{"ops": [["put", "clients", "C2", {"code": "C2", "age_group": "elder"}]]}\n',
        "elder",
    ),
    "archived not a flag": (
        b'{"ops": [["put", "clients", "C2", {"code": "C2", "age_group": "adult", '
        b'"archived": "no"}]]}\n',
        "archived",
    ),
    "delete a client who has ratings": (b'{"ops": [["del", "clients", "C1"]]}\n', "C1"),
    "episode event neither start nor end": (
        b'{"ops": [["put", "episode_events", "e1", {"client": "C1", "kind": "pause", '
        b'"date": "2026-01-06", "reason": null}]]}\n',
        "pause",
    ),
    "episode end without a reason": (
        b'{"ops": [["put", "episode_events", "e1", {"client": "C1", "kind": "end", '
        b'"date": "2026-01-06", "reason": null}]]}\n',
        "needs a reason",
    ),
    "episode end on no day": (
        b'{"ops": [["put", "episode_events", "e1", {"client": "C1", "kind": "end", '
        b'"date": "2026-01-06T10:00", "reason": "planned"}]]}\n',
        "2026-01-06T10:00",
    ),
}


@pytest.mark.parametrize(("line", "words"), DAMAGED_LINES.values(), ids=list(DAMAGED_LINES.keys()))
def test_damaged_journal_record_is_refused_with_file_line_and_reason(client_db, line, words):
    append(client_db, line)
    before = journal(client_db).read_bytes()
    for read_only in (True, False):
        with pytest.raises(UnreadableDatabase) as raised:
            Store(client_db, read_only=read_only).administrations()
        message = str(raised.value)
        assert str(journal(client_db)) in message
        assert "line 4" in message, message  # header, the client, the rating, then this
        assert words in message, message
        assert "newest backup" in message
    assert journal(client_db).read_bytes() == before


def test_damaged_snapshot_record_names_its_line(client_db, monkeypatch):
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    store = Store(client_db)
    store.add_client("C2")  # compacts: everything is in the snapshot now
    text = client_db.read_bytes().replace(b'"overall":4.0', b'"overall":120.0')
    assert b"120.0" in text
    client_db.write_bytes(text)
    with pytest.raises(UnreadableDatabase) as raised:
        Store(client_db).clients()
    assert raised.value.path == client_db
    assert "line " in str(raised.value) and "120" in str(raised.value)


def test_an_episode_end_without_a_reason_in_the_snapshot_is_refused(client_db, monkeypatch):
    """The snapshot's records are checked many at a time (``RecordChecks.many``): each
    table's own checks too, where they have no form for many records (an episode's end
    needs a reason, as a journal line's does)."""
    Store(client_db).add_episode_event("C1", "end", "2026-01-06", "planned")
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    Store(client_db).add_client("C2")  # compacts: everything is in the snapshot now
    text = client_db.read_bytes().replace(b'"reason":"planned"', b'"reason":null')
    assert b'"reason":null' in text
    client_db.write_bytes(text)
    with pytest.raises(UnreadableDatabase) as raised:
        Store(client_db).episode_events("C1")
    assert raised.value.path == client_db
    assert "line " in str(raised.value) and "needs a reason" in str(raised.value)


def test_cli_on_ops_null_says_what_and_where(client_db, capsys):
    from fittui.cli.main import main

    append(client_db, b'{"ops": null}\n')
    for args in (["clients"], ["history", "C1"], ["report"]):
        assert main(["--db", str(client_db), *args]) == 1
        err = capsys.readouterr().err
        assert "unexpected error" not in err and "cannot read database" in err, err


def test_a_user_instrument_counts_as_known(client_db, tmp_path, monkeypatch):
    folder = tmp_path / "config" / "instruments"
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text(
        'key = "MINE"\nname = "Mine"\nfamily = "other"\nkind = "likert"\n'
        'options = ["a", "b", "c", "d"]\n[scale]\nmin = 0\nmax = 3\nstep = 1\n'
        '[[items]]\nkey = "q1"\nlabel = "Q1"\n'
    )
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    append(client_db, put_administration(instrument="MINE", items={"q1": 2.0}))
    assert len(Store(client_db).administrations()) == 2
    append(client_db, put_administration(instrument="MINE", items={"q1": 4.0}))
    with pytest.raises(UnreadableDatabase, match="4.0"):
        Store(client_db).administrations()


# -- (6) the error names the newest backup of any kind ---------------------------------------
def test_damaged_journal_names_a_manual_backup(client_db):
    made = backup_database(client_db, NOW)
    append(client_db, b"not json\n")
    with pytest.raises(UnreadableDatabase) as raised:
        Store(client_db).clients()
    assert raised.value.backup is not None and "no backup found" not in str(raised.value)
    daily = raised.value.backup
    assert daily.name.startswith("fittui-")
    os.utime(made, (time.time() + 60, time.time() + 60))  # the manual one is newer
    with pytest.raises(UnreadableDatabase) as raised:
        Store(client_db).clients()
    assert raised.value.backup == made and str(made) in str(raised.value)


# -- (10) emptiness is never silent; a complete line without its newline is kept -------------
def test_empty_journal_without_snapshot_is_reported(db):
    db.parent.mkdir(mode=0o700)
    journal(db).write_bytes(b"")
    with pytest.raises(UnreadableDatabase, match="empty"):
        Store(db).clients()


def test_journal_whose_snapshot_is_gone_is_reported(client_db, monkeypatch, ors):
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    store = Store(client_db)
    store.add_client("C2")  # compaction: the journal now extends the snapshot
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 10**9)
    store.add_client("C3")
    client_db.unlink()
    with pytest.raises(UnreadableDatabase, match="snapshot"):
        Store(client_db).clients()


@pytest.fixture
def journaled(client_db, monkeypatch, ors, cli) -> Path:
    """A database whose snapshot a journal extends, the journal holding three saves."""
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    store = Store(client_db)
    store.add_client("K1")  # compaction: a snapshot, and a journal extending it
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 10**9)
    for note in ("j1", "j2", "j3"):
        store.record("K1", ors, ors.parse_scores(["1", "1", "1", "1"]), note=note)
    assert cli("backup", db_path=client_db).code == 0
    assert client_db.exists()
    return client_db


def test_a_missing_journal_is_reported_and_never_started_anew(journaled, cli):
    """The snapshot says a journal extends it: without the file, its saves are gone, and
    that is said (with the newest backup) rather than shown as a database without them;
    a save starting a fresh journal would bury the loss."""
    assert "j3" in cli("--read-only", "history", "K1", "--json", db_path=journaled).out
    journal(journaled).unlink()
    before = db_bytes(journaled)
    for args in (
        ["--read-only", "history", "K1", "--json"],
        ["history", "K1", "--json"],
        ["clients", "--json"],
        ["clients"],
        ["add-client", "NEWC"],
        ["record", "K1", "ORS", "2", "2", "2", "2"],
        ["backup"],
    ):
        result = cli(*args, db_path=journaled)
        assert result.code == 1, args
        assert "fittui.json.journal is missing" in result.err, args
        assert "newest backup: " in result.err and "backups" in result.err, args
        assert db_bytes(journaled) == before, args
    assert not journal(journaled).exists()


def test_a_snapshot_copied_without_its_journal_is_not_restored(journaled, cli, tmp_path):
    lone = tmp_path / "copy" / "fittui.json"
    lone.parent.mkdir()
    lone.write_bytes(journaled.read_bytes())
    other = tmp_path / "other" / "fittui.json"
    assert cli("add-client", "O1", db_path=other).code == 0
    before = db_bytes(other)
    result = cli("restore", lone, db_path=other)
    assert result.code == 1 and "fittui.json.journal is missing" in result.err
    assert db_bytes(other) == before
    # Copied with its journal, it is the whole database, and a backup is one file.
    journal(lone).write_bytes(journal(journaled).read_bytes())
    assert cli("restore", lone, db_path=other).code == 0
    assert "j3" in cli("history", "K1", "--json", db_path=other).out
    [copy] = [p for p in (journaled.parent / "backups").iterdir() if p.name.count("-") == 4]
    assert cli("restore", copy, db_path=other).code == 0
    assert "j3" in cli("history", "K1", "--json", db_path=other).out


def test_a_database_started_whole_always_has_its_journal(tmp_path, monkeypatch):
    """A restore into a new place (or the demo) writes a snapshot where there was no
    journal: a journal is written before it, so that no moment, a crash included, leaves
    a snapshot without the journal it names, which the next open would refuse."""
    source = tmp_path / "a" / "fittui.json"
    Store(source).add_client("A1")
    copy = backup_database(source, NOW, tmp_path / "copies")
    db = tmp_path / "b" / "fittui.json"
    written: list[str] = []
    real = fittui.storage.journal.write_whole

    def noting(path, data, system, **kwargs):
        written.append(Path(path).name)
        if Path(path) == db:  # the snapshot: the journal is already there
            assert journal(db).exists()
        return real(path, data, system, **kwargs)

    monkeypatch.setattr(fittui.storage.journal, "write_whole", noting)
    restore_database(db, copy, NOW)
    monkeypatch.undo()
    assert written[:3] == ["fittui.json.journal", "fittui.json", "fittui.json.journal"]
    assert [c.code for c in Store(db).clients()] == ["A1"]


def test_complete_last_line_without_newline_is_kept(client_db, ors):
    line = put_administration()
    append(client_db, line[:-1])
    assert "a1b2c3d4e5f60718" in [a.id for a in Store(client_db).administrations()]
    Store(client_db).record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))
    ids = [a.id for a in Store(client_db).administrations()]
    assert "a1b2c3d4e5f60718" in ids and len(ids) == 3


# -- (11) a journal changed under a running store stops the saves ----------------------------
@pytest.mark.parametrize("how", ["shrunk", "rewritten before the offset", "another file"])
def test_journal_changed_under_a_running_store_stops_saving(client_db, ors, how):
    store = Store(client_db)
    store.record("C1", ors, ors.parse_scores(["2", "2", "2", "2"]))
    path = journal(client_db)
    whole = path.read_bytes()
    if how == "shrunk":
        with open(path, "r+b") as f:
            f.truncate(len(whole) - 40)
    elif how == "rewritten before the offset":
        with open(path, "r+b") as f:
            f.seek(len(whole) - 20)
            f.write(b"X")
    else:  # as an editor saves: a new file renamed over the old
        copy = path.with_name("copy")
        copy.write_bytes(whole)
        os.replace(copy, path)
    damaged = path.read_bytes()
    with pytest.raises(StorageError, match="changed"):
        store.record("C1", ors, ors.parse_scores(["3", "3", "3", "3"]))
    assert path.read_bytes() == damaged


def test_a_store_that_found_its_journal_changed_saves_nothing_more(client_db, ors):
    """The message says "nothing more is saved to it: close fittui": the first save after
    the change was refused, but the store then read the damaged journal afresh and the
    next save (or the first after the app's poll had seen the change) was added to it, the
    app saying nothing more once its notice had gone. A store stays stopped; reading goes
    on, and a fittui started afresh (having been told) saves again."""
    store = Store(client_db)
    for score in ("2", "3"):
        store.record("C1", ors, ors.parse_scores([score] * 4))
    path = journal(client_db)
    whole = path.read_bytes()
    with open(path, "r+b") as f:  # the last save cut off, as by a sync tool's older copy
        f.truncate(whole.rindex(b"\n", 0, len(whole) - 1) + 1)
    damaged = path.read_bytes()
    with pytest.raises(StorageError, match="changed"):
        store.refresh()  # the app's poll sees it first
    store.administrations()  # reading goes on
    for score in ("4", "5"):
        with pytest.raises(StorageError, match="changed by another program"):
            store.record("C1", ors, ors.parse_scores([score] * 4))
        with pytest.raises(StorageError, match="changed by another program"):
            store.add_client(f"C{score}")
    assert path.read_bytes() == damaged
    again = Store(client_db)
    again.record("C1", ors, ors.parse_scores(["6"] * 4))
    assert len(again.administrations()) == 3  # the fixture's, the first here, this one


@pytest.mark.parametrize("times", ["new times", "its times put back"])
def test_journal_rewritten_far_before_its_end_stops_saving(client_db, ors, times):
    """A byte changed in the middle of the journal, beyond the last bytes a look checks,
    the size unchanged: the save that follows refuses, whether or not the journal's
    modification time was put back as it was (a copy keeping times)."""
    store = Store(client_db)
    for score in ("2", "3", "4", "5"):
        store.record("C1", ors, ors.parse_scores([score] * 4))
    path = journal(client_db)
    before = os.stat(path)
    whole = path.read_bytes()
    at = whole.index(b'"note"', len(whole) // 3)
    with open(path, "r+b") as f:
        f.seek(at + 1)
        f.write(b"N")
    if times == "its times put back":
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    damaged = path.read_bytes()
    assert len(damaged) == len(whole) and damaged != whole
    with pytest.raises(StorageError, match="changed"):
        store.record("C1", ors, ors.parse_scores(["6", "6", "6", "6"]))
    assert path.read_bytes() == damaged


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_lock_file_changed_under_a_running_store_is_locked_anew(client_db, ors, how, monkeypatch):
    """A store keeps its lock file open between saves: when the path names another file
    since (deleted and made again, or replaced), the store locks that file, so a process
    holding it still keeps the store out."""
    from fittui.storage.lock import WriteLock

    monkeypatch.setattr(fittui.storage.journal, "LOCK_TIMEOUT", 0.2)
    store = Store(client_db)
    store.record("C1", ors, ors.parse_scores(["2", "2", "2", "2"]))
    lock = client_db.with_name(client_db.name + ".lock")
    if how == "deleted":
        lock.unlink()
    else:
        lock.with_name("other").write_bytes(b"")
        os.replace(lock.with_name("other"), lock)
    other = WriteLock(lock, 0.2)
    other.acquire()
    try:
        with pytest.raises(SaveFailed, match="busy"):
            store.record("C1", ors, ors.parse_scores(["3", "3", "3", "3"]))
    finally:
        other.release()
        other.close()
    store.record("C1", ors, ors.parse_scores(["4", "4", "4", "4"]))
    assert len(Store(client_db).administrations("C1")) == 3


def test_a_link_put_at_backups_after_the_apps_look_still_stops_the_first_save(
    client_db, ors, tmp_path
):
    """A running app looks at where the day's backup goes before its first save (so the
    save need not); a link put at backups/ just after that look still stops the save, and
    nothing is written through it."""
    store = Store(client_db)
    store.storage._backup_day = ""  # a new day for this store
    for old in client_db.parent.glob("backups/*"):
        old.unlink()
    store.storage.look()
    backups = client_db.parent / "backups"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    backups.rmdir()
    backups.symlink_to(elsewhere)
    with pytest.raises(SaveFailed, match="symbolic link"):
        store.record("C1", ors, ors.parse_scores(["2", "2", "2", "2"]))
    assert list(elsewhere.iterdir()) == []


class _CountedReads:
    """``os`` for the journal, counting the bytes read with ``pread``."""

    def __init__(self) -> None:
        self.read = 0

    def __getattr__(self, name: str):
        return getattr(os, name)

    def pread(self, fd: int, length: int, offset: int) -> bytes:
        data = os.pread(fd, length, offset)
        self.read += len(data)
        return data


def test_a_running_store_saves_without_reading_its_journal_again(client_db, ors, monkeypatch):
    """Nobody wrote to the journal since this store's last save (its stamp as that save
    left it): the next save reads none of it again, however long it is."""
    store = Store(client_db)
    for n in range(60):
        store.record("C1", ors, ors.parse_scores([str(n % 10)] * 4), note="x" * 100)
    counted = _CountedReads()
    monkeypatch.setattr(fittui.storage.journal, "os", counted)
    store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))
    assert journal(client_db).stat().st_size > 10_000
    assert counted.read < 1_000


# -- (7) and (3) odd paths, symlinks and FIFOs -----------------------------------------------
def test_symlink_at_the_journal_is_not_followed(client_db, tmp_path, ors):
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"somebody's file\n")
    path = journal(client_db)
    path.unlink()
    path.symlink_to(target)
    with pytest.raises(StorageError, match="symbolic link"):
        Store(client_db).record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))
    assert target.read_bytes() == b"somebody's file\n"


@pytest.mark.parametrize("name", ["fittui.json", "fittui.json.lock", "backups"])
def test_symlink_at_other_paths_is_refused(client_db, tmp_path, ors, name):
    target = tmp_path / "elsewhere"
    path = client_db.parent / name
    if path.is_dir():
        os.rename(path, target)
    elif path.exists():
        os.rename(path, target)
    else:
        target.write_bytes(b"")
    path.symlink_to(target)
    with pytest.raises(StorageError, match="symbolic link"):
        store = Store(client_db)
        store.clients()
        store.add_client("C7")


def test_fifo_as_the_database_is_refused_at_once(db):
    db.parent.mkdir(mode=0o700)
    os.mkfifo(db)
    code = "import sys; from fittui.storage.store import Store; Store(sys.argv[1]).clients()"
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=20
    )
    assert done.returncode != 0 and "not a regular file" in done.stderr, done.stderr


def test_odd_paths_get_an_error_in_words(tmp_path, capsys, monkeypatch):
    from fittui.cli.main import main

    blocker = tmp_path / "afile"
    blocker.write_bytes(b"")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    if os.geteuid() == 0:  # root may write anywhere: refuse as a locked folder would

        def mkdir(path, mode=0o777):
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(os, "mkdir", mkdir)
    try:
        for path in (blocker / "fittui.json", loop / "fittui.json", locked / "x" / "fittui.json"):
            for args in (["clients"], ["add-client", "C1"]):
                code = main(["--db", str(path), *args])
                err = capsys.readouterr().err
                assert "unexpected error" not in err and "File exists" not in err, err
                if args[0] == "add-client" or os.geteuid() != 0:
                    assert code == 1 and str(path.parent) in err, err
                    assert "Permission denied" in err or "folder" in err or "link" in err, err
    finally:
        locked.chmod(0o700)


# -- (8) modes whatever the umask ------------------------------------------------------------
def test_every_folder_made_is_private_under_umask_000(tmp_path, ors):
    home = tmp_path / "home"
    home.mkdir()
    db = home / ".local" / "share" / "fittui" / "fittui.json"
    old = os.umask(0)
    try:
        store = Store(db)
        store.add_client("C1")
        store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))
        backup_database(db, NOW)
    finally:
        os.umask(old)
    for folder in (home / ".local", home / ".local" / "share", db.parent, db.parent / "backups"):
        assert mode(folder) == 0o700, folder
    for path in db.parent.rglob("*"):
        if path.is_file():
            assert mode(path) == 0o600, path


def test_open_folder_and_file_get_a_warning_with_the_fix(client_db, tmp_path):
    from fittui.storage.journal import privacy_warnings

    assert privacy_warnings(client_db) == []
    client_db.parent.chmod(0o755)
    journal(client_db).chmod(0o644)
    (client_db.parent / "backups").chmod(0o755)
    warnings = privacy_warnings(client_db)
    text = "\n".join(warnings)
    assert f"chmod 700 {client_db.parent}" in text
    assert f"chmod 600 {journal(client_db)}" in text
    assert mode(client_db.parent / "backups") == 0o700  # fittui's own folder: fixed


def test_cli_prints_the_privacy_warning(client_db, capsys):
    from fittui.cli.main import main

    client_db.parent.chmod(0o755)
    assert main(["--db", str(client_db), "clients"]) == 0
    assert f"chmod 700 {client_db.parent}" in capsys.readouterr().err


# -- (9) backups under a wrong clock, stale temporary files, --read-only ---------------------
def test_future_daily_backups_never_delete_todays(client_db, ors):
    from fittui.storage.journal import privacy_warnings

    folder = client_db.parent / "backups"
    for path in folder.iterdir():
        path.unlink()
    future = date.today() + timedelta(days=400)
    for n in range(BACKUPS_KEPT):
        (folder / f"fittui-{future + timedelta(days=n)}.json").write_bytes(b"from the future")
    store = Store(client_db)
    store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))
    assert store.storage.wait_for_backup() is None  # written beside the save, not in it
    today = folder / f"fittui-{date.today().isoformat()}.json"
    assert today.exists()
    assert len(Store(today, read_only=True).administrations()) == 2
    assert any("future" in w for w in privacy_warnings(client_db))


def test_stale_temporary_files_are_removed_at_the_next_write(client_db, ors):
    stale = [
        client_db.parent / ".fittui.json.0badc0de.tmp",
        client_db.parent / ".fittui.json.journal.0badc0de.tmp",
        client_db.parent / "backups" / ".fittui-2020-01-01.json.0badc0de.tmp",
    ]
    for path in stale:
        path.write_bytes(b"half a snapshot")
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    other = client_db.parent / ".notes.tmp"
    other.write_bytes(b"not ours")
    Store(client_db).record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))
    assert not any(p.exists() for p in stale)
    assert other.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["backup"],
        ["demo", "--no-open"],
        ["add-client", "C2"],
        ["record", "C1", "ORS", "1", "1", "1", "1"],
        ["restore", "x.json"],
    ],
)
def test_read_only_refuses_every_command_that_writes(client_db, tmp_path, capsys, args):
    from fittui.cli.main import main

    def everything() -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    before = everything()
    assert main(["--db", str(client_db), "--read-only", *args]) == 1
    assert "read-only" in capsys.readouterr().err
    assert everything() == before


# -- (5) restore is atomic, also for readers and backups running meanwhile -------------------
KILL_AT = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
import fittui.storage.journal
from fittui.storage.backup import restore_database

real, count, at = os.replace, [0], int(sys.argv[3])
def replace(a, b):
    count[0] += 1
    if count[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    real(a, b)
fittui.storage.journal.os.replace = replace
restore_database(Path(sys.argv[1]), Path(sys.argv[2]), datetime.now())
"""


@pytest.mark.parametrize("unreadable", [False, True], ids=["readable", "unreadable"])
def test_restore_killed_at_every_step_leaves_old_or_restored(client_db, tmp_path, unreadable):
    source = tmp_path / "source" / "fittui.json"
    other = Store(source)
    other.add_client("R1")
    other.add_client("R2")
    restored = backup_database(source, NOW, tmp_path / "copies")
    if unreadable:
        append(client_db, b"damaged\n")
    original = {p.name: p.read_bytes() for p in client_db.parent.iterdir() if p.is_file()}
    for at in range(1, 12):
        for path in client_db.parent.iterdir():
            if path.is_file():
                path.unlink()
        for name, data in original.items():
            (client_db.parent / name).write_bytes(data)
        subprocess.run([sys.executable, "-c", KILL_AT, str(client_db), str(restored), str(at)])
        try:
            codes = [c.code for c in Store(client_db, read_only=True).clients()]
        except UnreadableDatabase:
            assert unreadable, at
            for name, data in original.items():
                assert (client_db.parent / name).read_bytes() == data, at
            continue
        assert codes in (["C1"], ["R1", "R2"]) if not unreadable else codes == ["R1", "R2"], at


READER = """
import sys, time
from datetime import datetime
from pathlib import Path
from fittui.storage.backup import backup_database
from fittui.storage.store import Store
db, backups = Path(sys.argv[1]), sys.argv[3] == "backup"
store = Store(db, read_only=True)
seen, deadline, n = set(), time.monotonic() + float(sys.argv[2]), 0
while time.monotonic() < deadline:
    n += 1
    if backups:  # what `fittui backup` writes, read back and removed
        copy = backup_database(db, datetime.now(), db.parent.parent / "taken")
        tables = Store(copy, read_only=True).storage.read()
        copy.unlink()
    else:  # one look at the database, alternately by a long-lived and a new store
        tables = (Store(db, read_only=True) if n % 2 else store).storage.read()
    codes = sorted(tables["clients"])
    notes = sorted({a["note"][:1] for a in tables["administrations"].values()})
    seen.add((tuple(codes), tuple(notes)))
print(repr(sorted(seen)))
"""


@pytest.mark.slow
def test_readers_and_backups_during_restores_see_one_database_or_the_other(tmp_path, ors):
    db = tmp_path / "data" / "fittui.json"
    copies = {}
    for name in ("A", "B"):
        source = tmp_path / name / "fittui.json"
        store = Store(source)
        store.add_client(f"{name}1")
        for _ in range(3):
            store.record(f"{name}1", ors, ors.parse_scores(["1", "1", "1", "1"]), note=name)
        copies[name] = backup_database(source, NOW, tmp_path / "copies")
    restore_database(db, copies["A"], NOW)
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(db), "4", how],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for how in ("read", "backup")
    ]
    store = Store(db)
    deadline = time.monotonic() + 4
    n = 0
    while time.monotonic() < deadline:
        name = "AB"[n % 2]
        restore_database(db, copies[name], NOW)
        for _ in range(3):  # ratings in the journal, on top of the restored snapshot
            store.record(f"{name}1", ors, ors.parse_scores(["2", "2", "2", "2"]), note=name)
        n += 1
    for reader in readers:
        out, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
        seen = eval(out)  # noqa: S307 - our own repr
        assert seen and all(s in ((("A1",), ("A",)), (("B1",), ("B",))) for s in seen), seen


def test_save_failed_is_light_to_import():
    code = (
        "import sys; "
        "from fittui.storage.errors import StorageError, SaveFailed, UnreadableDatabase; "
        "from fittui.storage.journal import StorageError as S; "
        "print('tinydb' in sys.modules)"
    )
    light = subprocess.run(
        [
            sys.executable,
            "-c",
            code.split("; from fittui.storage.journal")[0] + "; print('tinydb' in "
            "sys.modules, 'filelock' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert light.stdout.split() == ["False", "False"]
    import fittui.storage.errors

    assert fittui.storage.journal.StorageError is fittui.storage.errors.StorageError
    assert fittui.storage.journal.SaveFailed is fittui.storage.errors.SaveFailed
    assert issubclass(fittui.storage.errors.UnreadableDatabase, fittui.storage.errors.StorageError)
    assert SaveFailed is fittui.storage.errors.SaveFailed


# Reads the databases argv[1]/0/fittui.json, .../1/..., each until it holds a client, and
# prints what went wrong (a restore into a new place may be under way at each look).
NEW_PLACES_READER = """
import sys, time
from pathlib import Path
from fittui.storage.journal import StorageError
from fittui.storage.store import Store
for i in range(int(sys.argv[2])):
    db, deadline = Path(sys.argv[1], str(i), "fittui.json"), time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if Store(db, read_only=True).storage.read().get("clients"):
                break
        except StorageError as exc:
            print(exc)
"""


@pytest.mark.slow
def test_readers_of_a_database_being_restored_into_a_new_place_never_see_it_damaged(tmp_path):
    """The journal written before the first snapshot: a reader never finds a snapshot of a
    generation without one (which it would report as a journal deleted)."""
    source = tmp_path / "a" / "fittui.json"
    Store(source).add_client("A1")
    copy = backup_database(source, NOW, tmp_path / "copies")
    places = tmp_path / "places"
    reader = subprocess.Popen(
        [sys.executable, "-c", NEW_PLACES_READER, str(places), "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.3)  # the reader started, looking at the first place
    for i in range(30):
        restore_database(places / str(i) / "fittui.json", copy, NOW)
        time.sleep(0.02)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0 and out == "", out + err
