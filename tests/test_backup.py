"""Backups on demand and restore: a broken file is refused and the database left as it was."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from conftest import db_bytes
from fittui.storage.backup import backup_database, restore_database
from fittui.storage.demo import make_demo_database
from fittui.storage.journal import SaveFailed, StorageError, backups
from fittui.storage.store import Store

NOW = datetime(2026, 11, 20, 14, 30, 5)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def filled(cli, db: Path) -> Path:
    cli("add-client", "C1", "--label", "mine")
    cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-01-01")
    return db


def test_backup_is_a_dated_private_copy(cli, filled, tmp_path):
    result = cli("backup")
    assert result.code == 0, result.err
    [copy] = set((filled.parent / "backups").iterdir()) - set(backups(filled))  # not a daily
    assert copy.name.startswith("fittui-") and mode(copy) == 0o600
    assert mode(copy.parent) == 0o700
    assert Store(copy, read_only=True).administrations() == Store(filled).administrations()

    target = backup_database(filled, NOW, tmp_path / "elsewhere")
    assert target.name == "fittui-2026-11-20-143005.json" and mode(target) == 0o600
    assert backup_database(filled, NOW, tmp_path / "elsewhere").name.endswith("-2.json")


def test_backup_of_no_database(cli, tmp_path):
    result = cli("backup", db_path=tmp_path / "none" / "fittui.json")
    assert result.code == 1 and "nothing to back up" in result.err


def test_restore_brings_a_backup_back_and_keeps_the_current_database(cli, filled, tmp_path):
    copy = backup_database(filled, NOW, tmp_path / "copies")
    cli("record", "C1", "SRS", "9", "9", "9", "9", "--date", "2026-01-01")
    cli("add-client", "C2")
    current = Store(filled).administrations()
    result = cli("restore", copy)
    assert result.code == 0, result.err
    assert "Restored 1 client and 1 administration from" in result.out  # "1 clients" it said
    store = Store(filled)
    assert [c.code for c in store.clients()] == ["C1"] and len(store.administrations()) == 1
    assert mode(filled) == 0o600
    [kept] = (filled.parent / "backups").glob("fittui-before-restore-*.json")
    assert mode(kept) == 0o600
    assert Store(kept, read_only=True).administrations() == current
    journal = filled.with_name(filled.name + ".journal")
    assert journal.read_bytes().count(b"\n") == 1  # a new journal, with no saves yet


def test_restore_refuses_broken_files_and_leaves_the_database_as_it_was(cli, filled, tmp_path):
    good = backup_database(filled, NOW, tmp_path / "copies")
    text = good.read_bytes()
    cases = {
        "cut.json": text[:-5],
        "empty.json": b"",
        "other.json": b'{"hello": "world"}\n',
        "newer.json": text.replace(b'"schema":1', b'"schema":99'),
        "counted.json": text.replace(b'"records":2', b'"records":3'),
        "scores.json": text.replace(b'"socially":5.0', b'"socially":"five"'),
        "orphan.json": text.replace(b'"client":"C1"', b'"client":"C9"'),
        "binary.json": b"\x89PNG\r\n\x1a\n\0\0",
    }
    before = db_bytes(filled)
    for name, raw in cases.items():
        path = tmp_path / name
        path.write_bytes(raw)
        assert raw != text
        result = cli("restore", path)
        assert result.code == 1, (name, result.out)
        assert "the database was not changed" in result.err, (name, result.err)
        assert db_bytes(filled) == before, name
    for path, message in [
        (tmp_path / "missing.json", "is not a file"),
        (tmp_path, "is not a file"),
        (filled, "is the database itself"),
    ]:
        result = cli("restore", path)
        assert result.code == 1 and message in result.err, result.err
    assert db_bytes(filled) == before
    result = cli("--read-only", "restore", good)
    assert result.code == 1 and "read-only" in result.err


def test_restore_waits_for_the_lock_that_every_save_takes(filled, tmp_path, monkeypatch):
    good = backup_database(filled, NOW, tmp_path / "copies")
    monkeypatch.setattr("fittui.storage.journal.LOCK_TIMEOUT", 0.2)
    before = db_bytes(filled)
    other = Store(filled)
    with other.storage.transaction(), pytest.raises(SaveFailed, match="busy"):
        restore_database(filled, good, NOW)
    assert db_bytes(filled) == before


def test_restore_over_an_unreadable_database_keeps_its_files(filled, tmp_path):
    good = backup_database(filled, NOW, tmp_path / "copies")
    journal = filled.with_name(filled.name + ".journal")
    journal.write_bytes(b"not json at all\n")
    with pytest.raises(StorageError):
        Store(filled).clients()
    done = restore_database(filled, good, NOW)
    assert done.kept is not None
    assert done.kept.name.endswith(".json.journal")  # a young database: its journal alone
    assert done.kept.read_bytes() == b"not json at all\n"
    assert [c.code for c in Store(filled).clients()] == ["C1"]


def test_demo_restores_into_a_running_app_store(tmp_path):
    demo = make_demo_database(tmp_path / "demo", NOW.date())
    target = tmp_path / "live" / "fittui.json"
    running = Store(target)
    running.add_client("X1")
    assert [c.code for c in running.clients()] == ["X1"]
    restore_database(target, backup_database(demo, NOW, tmp_path / "copies"), NOW)
    assert [c.code for c in running.clients()] == [f"D{n:02d}" for n in range(1, 12)]
    assert running.administrations() == Store(demo).administrations()


# Backs up the database argv[1] into the folder argv[2] argv[3] times, all at the same
# second (so that every copy wants the same name), printing each copy's path.
BACKING_UP = """
import sys
from datetime import datetime
from pathlib import Path
from fittui.storage.backup import backup_database
for _ in range(int(sys.argv[3])):
    print(backup_database(Path(sys.argv[1]), datetime(2026, 11, 20, 14, 30, 5), Path(sys.argv[2])))
"""


@pytest.mark.slow
def test_backups_of_two_databases_into_one_folder_at_once_never_overwrite_each_other(tmp_path):
    """Each copy said to be written is there, as written: the first free name is taken by a
    create that fails when the name is taken meanwhile, never by a look and a rename over."""
    folder = tmp_path / "usb"
    codes = {}
    for name in ("A", "B", "C"):
        store = Store(tmp_path / name / "fittui.json")
        store.add_client(f"{name}1")
        codes[name] = f"{name}1"
    writers = {
        name: subprocess.Popen(
            [sys.executable, "-c", BACKING_UP, str(tmp_path / name / "fittui.json"), str(folder)]
            + ["12"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in codes
    }
    said: list[tuple[str, str]] = []
    for name, writer in writers.items():
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        said += [(name, line) for line in out.splitlines()]
    assert len({path for _, path in said}) == len(said) == 36
    for name, path in said:
        assert [c.code for c in Store(Path(path), read_only=True).clients()] == [codes[name]]
    assert len(list(folder.iterdir())) == 36  # and no temporary file left behind


def test_backup_into_a_folder_without_hard_links_still_never_overwrites(
    filled, tmp_path, monkeypatch
):
    """A FAT USB stick has no hard links: the name is then taken by an exclusive create."""

    def no_links(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "fittui-2026-11-20-143005.json").write_text("someone else's")
    target = backup_database(filled, NOW, folder)
    assert target.name == "fittui-2026-11-20-143005-2.json" and mode(target) == 0o600
    assert (folder / "fittui-2026-11-20-143005.json").read_text() == "someone else's"
    assert Store(target, read_only=True).clients()[0].code == "C1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "fittui-2026-11-20-143005-2.json",
        "fittui-2026-11-20-143005.json",
    ]


def test_restore_over_an_unreadable_young_database_names_the_file_it_kept(cli, tmp_path):
    """A database not yet folded is its journal alone: that is the file kept, and named."""
    young = tmp_path / "young" / "fittui.json"
    assert cli("add-client", "Y1", db_path=young).code == 0
    journal = young.with_name(young.name + ".journal")
    assert not young.exists() and journal.exists()
    damaged = journal.read_bytes() + b"not json at all\n"
    journal.write_bytes(damaged)
    good = backup_database(make_demo_database(tmp_path / "demo", NOW.date()), NOW, tmp_path)
    result = cli("restore", good, db_path=young)
    assert result.code == 0, result.err
    kept = Path(result.out.rsplit(" kept in ", 1)[1].strip().rstrip("."))
    assert kept.read_bytes() == damaged
    assert len(Store(young).clients()) == len(Store(good, read_only=True).clients())


def test_restore_that_cannot_keep_the_database_says_nothing_was_kept(filled, tmp_path, monkeypatch):
    """A full disk while keeping the current database: it is not changed, and no copy that
    was never written is named as kept."""
    good = backup_database(filled, NOW, tmp_path / "copies")
    before = db_bytes(filled)

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("fittui.storage.backup.write_file_atomically", full)
    with pytest.raises(StorageError) as refused:
        restore_database(filled, good, NOW)
    assert "No space left on device" in str(refused.value)
    assert "kept in" not in str(refused.value) and "not changed" in str(refused.value)
    assert db_bytes(filled) == before


STRAYS = {
    "an episode event": (
        "episode_events",
        {"e1": {"client": "GONE", "kind": "start", "date": "2026-01-01", "reason": None}},
    ),
    "a home form": (
        "forms",
        {"f1": {"client": "GONE", "instrument": "ORS", "created": "2026-01-01", "used": None}},
    ),
    "a link": ("clients", None),
}


@pytest.mark.parametrize("stray", list(STRAYS))
def test_restore_refuses_a_file_whose_records_name_a_client_not_in_it(cli, filled, tmp_path, stray):
    """Left in, the next client given the code 'GONE' would take over the old client's
    episodes, the ratings entered from their home forms, or a place in C1's case."""
    import json

    copy = backup_database(filled, NOW, tmp_path / "copies")
    lines = copy.read_text().splitlines()
    head = json.loads(lines[0])
    table, records = STRAYS[stray]
    if records is None:
        [clients] = [n for n, line in enumerate(lines) if line.startswith('["clients"')]
        parsed = json.loads(lines[clients])
        parsed[1]["C1"]["linked"] = ["GONE"]
        lines[clients] = json.dumps(parsed)
    else:
        head["records"] += len(records)
        lines.append(json.dumps([table, records]))
    lines[0] = json.dumps(head)
    copy.write_text("\n".join(lines) + "\n")
    Store(copy, read_only=True).storage.read()  # sound, record by record
    cli("add-client", "C2")
    before = db_bytes(filled)
    result = cli("restore", copy)
    assert result.code == 1 and "'GONE', who is not in the file" in result.err, result.err
    assert db_bytes(filled) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_restore_of_a_fifo_is_refused_at_once(filled, tmp_path):
    """A FIFO given as the backup (a typo, a shell's process substitution) is no file:
    refused, never waited on for a writer that may never come."""
    fifo = tmp_path / "backup.json"
    os.mkfifo(fifo)
    before = db_bytes(filled)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "fittui", "--db", str(filled), "restore", str(fifo)],
            capture_output=True,
            text=True,
            timeout=20,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("restore waited on the FIFO")
    assert done.returncode == 1 and "is not a file" in done.stderr, done.stderr
    assert db_bytes(filled) == before


KILLED_WHILE_NAMING = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from fittui.storage.backup import backup_database
os.link = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
backup_database(Path(sys.argv[1]), datetime(2026, 11, 20, 14, 30, 5), Path(sys.argv[2]))
"""


def test_a_copy_a_killed_backup_left_half_named_is_removed_by_the_next(filled, tmp_path):
    """A backup killed before its copy got its name (the stick pulled, the laptop's power)
    left a hidden plain copy on the stick: the next backup there removes it, once it is an
    hour old, and leaves alone a younger one (a backup at work) and other files."""
    usb = tmp_path / "usb"
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_NAMING, str(filled), str(usb)])
    assert killed.returncode == -9
    [left] = usb.iterdir()
    assert left.name.startswith(".fittui-2026-11-20-143005.json.") and left.name.endswith(".tmp")
    hours_ago = datetime.now().timestamp() - 2 * 3600
    os.utime(left, (hours_ago, hours_ago))
    at_work, theirs = usb / ".fittui-2026-11-20-143006.json.0123abcd.tmp", usb / ".notes.tmp"
    for path in (at_work, theirs):
        path.write_text("x")
        os.utime(path, (hours_ago, hours_ago) if path == theirs else None)
    copy = backup_database(filled, NOW, usb)
    assert sorted(p.name for p in usb.iterdir()) == sorted([copy.name, at_work.name, theirs.name])
