"""Issue 3, "never lose a rating": the storage under crashes, concurrency, full disks and damage.

Writers, readers and the killed processes are real processes (``storage_worker.py``); what
they report saved is checked against what a fresh Store finds on disk.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

import fittui.storage.journal
from fittui.domain.instruments import load_instruments
from fittui.storage.journal import (
    BACKUPS_KEPT,
    ReadOnly,
    SaveFailed,
    UnreadableDatabase,
    dump_snapshot,
    write_file_atomically,
)
from fittui.storage.store import Store

WORKER = Path(__file__).with_name("storage_worker.py")
KILLS = 50


# -- helpers ----------------------------------------------------------------------------------
@pytest.fixture
def ors():
    return load_instruments()["ORS"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database path whose folder does not exist yet."""
    return tmp_path / "data" / "fittui.json"


@pytest.fixture
def client_db(db: Path) -> Path:
    """A database holding client C1 and no administrations."""
    store = Store(db)
    store.add_client("C1")
    store.close()
    return db


def journal(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def worker(db: Path, *args: str, stdin: int | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(db), *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen) -> None:
    """Wait for the worker's "ready", reading it a byte at a time from the pipe itself: a
    buffered readline can take the first "saved" lines along, out of reach of the
    communicate() that collects the rest (under load, saves were then counted as never
    reported)."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(proc.stdout.fileno(), 1)
        if not byte:
            break
        line += byte
    assert line == b"ready\n", line.decode() + proc.stderr.read()


def saved_ids(output: str) -> list[str]:
    """Ids a writer reported saved; a line cut off by the kill has no newline and does not count."""
    complete = output[: output.rfind("\n") + 1]
    return [line.split()[1] for line in complete.splitlines() if line.startswith("saved ")]


def on_disk(db: Path) -> list[str]:
    """Administration ids as a fresh Store finds them."""
    store = Store(db)
    try:
        return [a.id for a in store.administrations()]
    finally:
        store.close()


def holds_no_saves(path: Path) -> bool:
    """A journal fresh from a compaction: only its first line, naming the snapshot."""
    lines = path.read_bytes().splitlines()
    return len(lines) == 1 and json.loads(lines[0])["ops"] == []


def folder_bytes(db: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(db.parent)): p.read_bytes()
        for p in sorted(db.parent.rglob("*"))
        if p.is_file()
    }


def write_database(db: Path, clients: int = 1, administrations: int = 0) -> None:
    """A database written in one go, as an older day's work would have left it."""
    db.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tables = {
        "clients": {
            f"C{n}": {"code": f"C{n}", "age_group": "adult", "label": "", "archived": False}
            for n in range(1, clients + 1)
        },
        "administrations": {
            f"{n:016x}": {
                "client": "C1",
                "instrument": "ORS",
                "date": "2024-01-01",
                "rater": "client",
                "items": {
                    "individually": 5.5,
                    "interpersonally": 7.0,
                    "socially": 1.0,
                    "overall": 0.0,
                },
                "note": "",
            }
            for n in range(administrations)
        },
    }
    write_file_atomically(db, dump_snapshot(tables))


# -- crashes and concurrency -------------------------------------------------------------------
@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_reported_save(client_db: Path) -> None:
    rng = random.Random(3)
    reported: list[str] = []
    for run in range(KILLS):
        # A small compaction threshold, so that kills also land in compactions.
        proc = worker(client_db, "write", "--note", f"run{run}-", "--compact-min", "4096")
        wait_ready(proc)
        time.sleep(rng.uniform(0, 0.08))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, err
        reported += saved_ids(out)

        stored = Store(client_db).administrations()
        ids = [a.id for a in stored]
        assert set(reported) <= set(ids), f"run {run}: a reported save is missing"
        notes = [a.note for a in stored]
        assert len(set(notes)) == len(notes), f"run {run}: an administration was saved twice"
        # Only the save under way at each kill may be on disk without having been reported.
        extra = sorted(a.note for a in stored if a.id not in reported)
        assert len(ids) - len(reported) <= run + 1, (run, extra)
    assert len(reported) > KILLS  # the kills did land among saves


def test_two_writers_at_once_keep_every_save(client_db: Path) -> None:
    writers = [
        worker(
            client_db,
            "write",
            "--count",
            "200",
            "--wait-go",
            "--note",
            f"w{n}-",
            "--compact-min",
            "8192",
            stdin=subprocess.PIPE,
        )
        for n in (1, 2)
    ]
    for proc in writers:
        wait_ready(proc)
    for proc in writers:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reported = []
    for proc in writers:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "failed" not in out
        reported += saved_ids(out)
    ids = on_disk(client_db)
    assert len(reported) == 400
    assert len(ids) == 400 and len(set(ids)) == 400
    assert set(ids) == set(reported)


def test_reader_polling_during_two_writers_sees_no_error_and_no_loss(client_db: Path) -> None:
    reader = worker(client_db, "read", "--until", "400", "--timeout", "60")
    wait_ready(reader)
    writers = [
        worker(client_db, "write", "--count", "200", "--note", f"w{n}-", "--compact-min", "8192")
        for n in (1, 2)
    ]
    for proc in writers:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    seen = json.loads(out.splitlines()[-1])
    assert seen["errors"] == []
    assert seen["shrank"] == []
    assert seen["count"] == 400
    assert seen["polls"] > 10  # it really read while the writers wrote


def test_another_process_save_and_compaction_are_seen_at_once(client_db: Path) -> None:
    mine = Store(client_db)
    assert mine.administrations() == []
    other = worker(client_db, "serve", stdin=subprocess.PIPE)
    wait_ready(other)

    def ask(command: str) -> str:
        other.stdin.write(command + "\n")
        other.stdin.flush()
        return other.stdout.readline().split()[-1]

    expected = []
    try:
        for _ in range(5):
            expected.append(ask("record"))
            assert [a.id for a in mine.administrations()] == expected
        assert not client_db.exists()  # so far everything is in the journal
        assert ask("compact") == "compacted"
        first_snapshot = client_db.stat().st_ino
        assert holds_no_saves(journal(client_db))
        assert [a.id for a in mine.administrations()] == expected
        for _ in range(3):
            expected.append(ask("record"))
            assert [a.id for a in mine.administrations()] == expected
        assert ask("compact") == "compacted"
        assert client_db.stat().st_ino != first_snapshot
        assert [a.id for a in mine.administrations()] == expected
        expected.append(ask("record"))
        assert [a.id for a in mine.administrations()] == expected
    finally:
        other.stdin.close()
        other.wait(timeout=30)


def test_own_compaction_when_the_journal_outgrows_the_snapshot(client_db, ors, monkeypatch):
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 1024)
    store = Store(client_db)
    ids = [store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id for _ in range(40)]
    snapshot = client_db.read_bytes()
    assert ids[0].encode() in snapshot  # the journal was folded into the snapshot
    assert journal(client_db).stat().st_size < len(snapshot)
    assert on_disk(client_db) == ids


# -- a full disk -----------------------------------------------------------------------------
def test_full_disk_save_raises_save_failed_and_keeps_what_was_saved(client_db: Path, ors) -> None:
    store = Store(client_db)
    before = [store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id for _ in range(3)]
    assert store.storage.wait_for_backup() is None  # written beside the saves
    assert any(client_db.parent.joinpath("backups").iterdir())  # today's backup is already made
    limit = journal(client_db).stat().st_size + 1500  # room for a few more saves

    proc = worker(client_db, "write", "--count", "20", "--fsize", str(limit))
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, err  # the process went on after the failed saves
    lines = out.splitlines()
    assert lines[0] == "ready"
    first_failure = next(n for n, line in enumerate(lines) if line.startswith("failed"))
    assert all(line.startswith("failed") for line in lines[first_failure:])
    assert "could not save" in lines[first_failure]
    reported = saved_ids(out)
    assert 0 < len(reported) < 20
    assert on_disk(client_db) == before + reported
    assert journal(client_db).read_bytes().endswith(b"\n")  # no half line left behind
    assert store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))  # space again: saves
    assert len(on_disk(client_db)) == len(before) + len(reported) + 1


def test_failed_compaction_loses_nothing(client_db: Path, ors, monkeypatch) -> None:
    store = Store(client_db)
    before = [store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id for _ in range(40)]
    store.storage.write(store.storage.read())  # start from a snapshot and an empty journal
    snapshot = client_db.read_bytes()
    # The journal may grow as large as the snapshot, but no new snapshot fits: once the
    # journal outgrows a quarter of the snapshot, every save tries to compact and fails to.
    limit = len(snapshot) + 100
    proc = worker(client_db, "write", "--count", "30", "--fsize", str(limit), "--compact-min", "0")
    out, err = proc.communicate(timeout=60)

    assert proc.returncode == 0, err
    reported = saved_ids(out)
    assert len(reported) == 30  # compaction failing does not fail the save
    assert journal(client_db).stat().st_size > len(snapshot) // 4  # compaction was due
    assert client_db.read_bytes() == snapshot  # the old snapshot stands, whole
    assert not list(client_db.parent.glob(".*.tmp"))  # the half-written one was removed
    assert on_disk(client_db) == before + reported
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))  # no limit here: compacts
    assert holds_no_saves(journal(client_db))
    assert on_disk(client_db)[:-1] == before + reported


def test_compaction_stopped_between_snapshot_and_journal_loses_nothing(client_db, ors, monkeypatch):
    store = Store(client_db)
    ids = [store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id for _ in range(5)]
    real = fittui.storage.journal.write_file_atomically

    def fail_on_journal(path: Path, data) -> None:
        if path.name.endswith(".journal"):
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(fittui.storage.journal, "write_file_atomically", fail_on_journal)
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    ids.append(store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id)
    # The new snapshot holds everything and names the old journal, still there, as obsolete.
    assert journal(client_db).stat().st_size > 0
    assert on_disk(client_db) == ids
    # The next save needs a new journal; while the disk stays full it fails, losing nothing.
    with pytest.raises(SaveFailed, match="No space left"):
        store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert on_disk(client_db) == ids
    monkeypatch.undo()
    ids.append(store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id)
    assert [a.id for a in store.administrations()] == ids
    assert on_disk(client_db) == ids


def test_a_running_store_sees_another_compaction_stopped_before_its_journal(
    client_db, ors, monkeypatch
):
    """Another store rewrites the database whole (as a compaction or a restore does) and
    stops between the new snapshot and the new journal: the journal is exactly as this
    store's last save left it (its stamp as marked), yet obsolete. This store's next save
    must see the new snapshot, not append to the old journal (where no reader would find
    it)."""
    mine = Store(client_db)
    ids = [mine.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id for _ in range(3)]
    other = Store(client_db)
    real = fittui.storage.journal.write_file_atomically

    def fail_on_journal(path: Path, data) -> None:
        if path.name.endswith(".journal"):
            raise OSError(28, "No space left on device")
        real(path, data)

    tables = other.storage.read()
    monkeypatch.setattr(fittui.storage.journal, "write_file_atomically", fail_on_journal)
    with pytest.raises(SaveFailed, match="No space left"):
        other.storage.write(tables)  # the whole database rewritten, as a compaction does
    monkeypatch.undo()
    ids.append(mine.record("C1", ors, ors.parse_scores(["5", "5", "5", "5"])).id)
    assert on_disk(client_db) == ids
    assert [a.id for a in Store(client_db).administrations()] == ids


# -- torn journal tail -----------------------------------------------------------------------
def test_torn_journal_tail_is_ignored_then_cut_off(client_db: Path, ors) -> None:
    writer = Store(client_db)
    ids = [writer.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])).id for _ in range(3)]
    whole = journal(client_db).read_bytes()
    torn = b'{"ops":[["put","administrations","ffffffffffffffff",{"client":"C1"'
    with open(journal(client_db), "ab") as f:
        f.write(torn)

    reader = Store(client_db)
    assert [a.id for a in reader.administrations()] == ids
    assert [a.id for a in Store(client_db, read_only=True).administrations()] == ids
    assert journal(client_db).read_bytes() == whole + torn  # readers leave it alone

    ids.append(Store(client_db).record("C1", ors, ors.parse_scores(["4", "3", "2", "1"])).id)
    after = journal(client_db).read_bytes()
    assert after.startswith(whole) and torn not in after and after.endswith(b"\n")
    assert after.count(b"\n") == whole.count(b"\n") + 1
    assert [a.id for a in reader.administrations()] == ids  # the long-lived reader catches up
    assert on_disk(client_db) == ids


# -- damaged files ---------------------------------------------------------------------------
def header(schema: int = 1, records: int = 0) -> bytes:
    return json.dumps({"fittui": {"schema": schema}, "records": records}).encode() + b"\n"


DAMAGED_SNAPSHOTS = {
    "empty": b"",
    "not JSON": b"<html>this is not a database</html>\n",
    "other JSON": b'{"name": "some other program"}\n',
    "no newline": header().rstrip(b"\n"),
    "newer schema": header(schema=99),
    "unknown schema": header(schema=0),
    "a table that is a list": header(records=1) + b'["clients", [{"code": "C1"}]]\n',
    "a record that is a number": header(records=1) + b'["clients", {"C1": 7}]\n',
    "a client without a code": header(records=1) + b'["clients", {"C1": {"age_group": "adult"}}]\n',
    "scores that are text": header(records=1)
    + b'["administrations", {"a": {"client": "C1", "instrument": "ORS", "date": "2024-01-01",'
    b' "items": {"overall": "five"}}}]\n',
    "the one-document layout": b'{"fittui": {"schema": 1}, "tables": {}}\n',
}


@pytest.mark.parametrize("content", DAMAGED_SNAPSHOTS.values(), ids=DAMAGED_SNAPSHOTS.keys())
def test_damaged_snapshot_is_unreadable_and_never_written_over(db: Path, ors, content) -> None:
    db.parent.mkdir(mode=0o700)
    db.write_bytes(content)
    assert_unreadable_and_untouched(db, db, ors)


def test_truncated_snapshot_is_unreadable_wherever_it_was_cut(db: Path, ors) -> None:
    write_database(db, clients=3, administrations=2500)  # three lines of records
    whole = db.read_bytes()
    line_ends = [n + 1 for n, byte in enumerate(whole) if byte == ord("\n")]
    for cut in {1, len(whole) // 2, len(whole) - 1, *line_ends[:-1]}:
        db.write_bytes(whole[:cut])
        assert_unreadable_and_untouched(db, db, ors)


@pytest.mark.parametrize(
    "line",
    [
        b"not json\n",
        b'{"opps": []}\n',
        b'{"ops": [["rename", "clients", "C1"]]}\n',
        b'{"ops": [["put", "clients", "C2", {"age_group": "adult"}]]}\n',
    ],
    ids=["not JSON", "no ops", "unknown operation", "unsound record"],
)
def test_damaged_complete_journal_line_is_unreadable(client_db: Path, ors, line: bytes) -> None:
    Store(client_db).record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    with open(journal(client_db), "ab") as f:
        f.write(line)
    assert_unreadable_and_untouched(client_db, journal(client_db), ors)


def assert_unreadable_and_untouched(db: Path, named: Path, ors) -> None:
    before = folder_bytes(db)
    with pytest.raises(UnreadableDatabase) as raised:
        Store(db).clients()
    assert raised.value.path == named and str(named) in str(raised.value)
    store = Store(db)
    for attempt in (
        lambda: store.add_client("C9"),
        lambda: store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])),
    ):
        with pytest.raises(UnreadableDatabase):
            attempt()
    lock = db.name + ".lock"  # taking the lock may create its (empty) file
    after = folder_bytes(db)
    assert after.pop(lock, b"") == before.pop(lock, b"") == b""
    assert after == before


# -- privacy and read-only -------------------------------------------------------------------
@pytest.fixture
def open_umask():
    """No help from the umask: the modes must come from fittui itself."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_files_are_private(db: Path, ors, open_umask, monkeypatch) -> None:
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    store = Store(db)
    store.add_client("C1")
    for _ in range(3):
        store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert store.storage.wait_for_backup() is None  # written beside the saves
    made = [db, journal(db), db.with_name(db.name + ".lock"), *db.parent.glob("backups/*")]
    assert len(made) == 4  # a snapshot, a journal, a lock and a backup
    made.append(db.with_name(db.name + ".summaries"))  # what is kept beside the data
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (db.parent, db.parent / "backups"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_read_only_on_a_missing_database_creates_nothing(db: Path, ors) -> None:
    store = Store(db, read_only=True)
    assert store.clients() == [] and store.administrations() == []
    with pytest.raises(ReadOnly):
        store.add_client("C1")
    assert not db.parent.exists()


def test_read_only_never_writes(db: Path, ors) -> None:
    write_database(db, clients=2, administrations=3)
    with open(journal(db), "ab") as f:
        f.write(b'{"ops": [["put", "clients"')  # a torn tail: a writer would cut it off
    before = folder_bytes(db)
    store = Store(db, read_only=True)
    assert [c.code for c in store.clients()] == ["C1", "C2"]
    assert len(store.administrations()) == 3
    some_id = store.administrations()[0].id
    for attempt in (
        lambda: store.add_client("C3"),
        lambda: store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"])),
        lambda: store.update_client("C1", label="x"),
        lambda: store.set_note(some_id, "x"),
        lambda: store.import_batch([], []),
        lambda: store.storage.write({}),
    ):
        with pytest.raises(ReadOnly):
            attempt()
    assert folder_bytes(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["fittui.json", "fittui.json.journal"]


# -- daily backups ---------------------------------------------------------------------------
def test_first_write_of_the_day_makes_a_backup_and_only_14_are_kept(db: Path, ors) -> None:
    write_database(db, clients=1, administrations=2)
    backups = db.parent / "backups"
    backups.mkdir(mode=0o700)
    for day in range(1, 21):
        (backups / f"fittui-2020-01-{day:02d}.json").write_bytes(b"old")
    (backups / "fittui-test-2020-01-01.json").write_bytes(b"another database's backup")
    (backups / "notes.txt").write_bytes(b"the user's")

    store = Store(db)
    store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert store.storage.wait_for_backup() is None  # written beside the save, not in it
    today = backups / f"fittui-{date.today().isoformat()}.json"
    made = today.read_bytes()
    kept = sorted(p.name for p in backups.glob("fittui-????-??-??.json"))
    assert len(kept) == BACKUPS_KEPT
    assert kept == [f"fittui-2020-01-{day:02d}.json" for day in range(8, 21)] + [today.name]
    assert (backups / "fittui-test-2020-01-01.json").exists()
    assert (backups / "notes.txt").exists()
    # The backup is the database with the day's first save in it, and it opens.
    assert len(Store(today, read_only=True).administrations()) == 3

    store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    Store(db).record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert today.read_bytes() == made  # once a day only
    assert len(list(backups.glob("fittui-????-??-??.json"))) == BACKUPS_KEPT


@pytest.mark.parametrize("sealed", [False, True])
def test_a_large_database_is_backed_up_by_a_process_of_its_own(
    db: Path, ors, monkeypatch, sealed: bool
) -> None:
    """Above ``APART_BYTES`` (here: any size) the day's copy is read and written by a
    process of its own: the same plain copy of the database with the day's first save in
    it, private, and sealed by this process when the settings ask for it."""
    import fittui.storage.daily

    monkeypatch.setattr(fittui.storage.daily, "APART_BYTES", 0)
    write_database(db, clients=2, administrations=5)
    store = Store(db)
    if sealed:
        store.seal_backups(lambda data: b"sealed\n" + data)
    store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert store.storage.wait_for_backup() is None
    today = db.parent / "backups" / f"fittui-{date.today().isoformat()}.json"
    assert stat.S_IMODE(os.lstat(today).st_mode) == 0o600
    data = today.read_bytes()
    if sealed:
        assert data.startswith(b"sealed\n")
        data = data[len(b"sealed\n") :]
    plain = db.parent / "plain.json"
    plain.write_bytes(data)
    assert b'"schema":1' in data.splitlines()[0]
    copied = Store(plain, read_only=True)
    assert [a.id for a in copied.all_administrations()] == [
        a.id for a in Store(db, read_only=True).all_administrations()
    ]
    assert len(copied.administrations()) == 6


def test_a_backup_its_process_cannot_read_says_why(db: Path, ors, monkeypatch) -> None:
    """The process copying a large database finds it unreadable (here: a record no fittui
    accepts, slipped in after the save, before the copy is made): no backup, and the
    reason, as for any backup."""
    import fittui.storage.daily

    monkeypatch.setattr(fittui.storage.daily, "APART_BYTES", 0)
    write_database(db, clients=1, administrations=2)
    store = Store(db)
    with fittui.storage.daily._handed:  # the backup thread takes no copy meanwhile
        store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
        with open(journal(db), "ab") as f:
            f.write(b'{"ops": [["put", "clients", "C9", {"code": "C9", "age_group": 7}]]}\n')
    failed = store.storage.wait_for_backup()
    assert failed is not None and "could not write the daily backup" in failed
    assert "age_group" in failed
    assert not list(db.parent.glob("backups/fittui-????-??-??.json*"))


def test_a_daily_backup_that_cannot_be_written_says_why_in_words(db: Path, ors, monkeypatch):
    """The reason a day's copy failed is said in words, as every other failure is: it read
    "[Errno 13] Permission denied: '.../backups/.fittui-2026-12-02.json.3ef50b57.tmp'",
    naming a hidden temporary file nobody asked about."""
    import errno

    import fittui.storage.daily

    write_database(db, clients=1)
    target = db.parent / "backups" / f"fittui-{date.today().isoformat()}.json"
    hidden = target.with_name(f".{target.name}.3ef50b57.tmp")

    def refused(path: Path, data: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(hidden))

    monkeypatch.setattr(fittui.storage.daily, "write_copy", refused)
    store = Store(db)
    store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert store.storage.wait_for_backup() == (
        f"could not write the daily backup {target}: Permission denied"
    )


def test_a_save_stopped_by_a_file_at_backups_says_nothing_was_saved(client_db: Path, ors):
    """A file where backups/ should be stops the day's first save, whose error named only
    the backup: "could not write the daily backup ...", as a failed backup beside a saved
    rating is named. It now says that the rating was not saved."""
    store = Store(client_db)
    store.storage._backup_day = ""  # a new day for this store
    backups = client_db.parent / "backups"
    shutil.rmtree(backups, ignore_errors=True)
    backups.write_bytes(b"")
    with pytest.raises(SaveFailed, match=r"is a file, not a folder; nothing was saved$"):
        store.record("C1", ors, ors.parse_scores(["2", "2", "2", "2"]))
    assert on_disk(client_db) == []


def test_the_days_first_save_starts_no_thread(db: Path, ors, monkeypatch) -> None:
    """The thread that writes the copies runs from the store's opening: the day's first
    save only hands it the copy (starting a thread waits for the system to run it)."""
    import threading

    write_database(db, clients=1, administrations=2)
    store = Store(db)

    def refused(self: threading.Thread) -> None:
        raise AssertionError("a thread started by the save")

    monkeypatch.setattr(threading.Thread, "start", refused)
    store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))
    assert store.storage.wait_for_backup() is None
    assert (db.parent / "backups" / f"fittui-{date.today().isoformat()}.json").exists()


def test_unreadable_database_names_the_newest_backup(db: Path, ors) -> None:
    write_database(db, clients=1)
    store = Store(db)
    store.add_client("C2")
    store.close()  # waits for the daily backup, written beside the save
    db.write_bytes(b"garbage")
    with pytest.raises(UnreadableDatabase) as raised:
        Store(db).clients()
    assert raised.value.backup == db.parent / "backups" / f"fittui-{date.today().isoformat()}.json"
    assert [c.code for c in Store(raised.value.backup, read_only=True).clients()] == ["C1", "C2"]


def test_a_save_that_fails_is_not_kept_in_memory(client_db: Path, ors, monkeypatch) -> None:
    store = Store(client_db)
    kept = store.record("C1", ors, ors.parse_scores(["1", "2", "3", "4"]))

    def no_space(fd: int, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fittui.storage.journal, "_write_all", no_space)
    with pytest.raises(SaveFailed, match="No space left"):
        store.record("C1", ors, ors.parse_scores(["9", "9", "9", "9"]))
    monkeypatch.undo()
    assert [a.id for a in store.administrations()] == [kept.id]
    assert on_disk(client_db) == [kept.id]
