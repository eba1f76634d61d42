"""The journal folded into the snapshot by a process of its own, for a running app
(``storage/fold_apart.py``): the app's save that finds the fold due returns without
folding, and the fold, killed at any moment or racing the app's saves, loses nothing."""

from __future__ import annotations

import errno
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import fittui.storage.daily
import fittui.storage.fold_apart
from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration
from fittui.storage.append import COMPACT_MIN_BYTES
from fittui.storage.fold_apart import Folds, fold_apart
from fittui.storage.journal import JournalStorage, new_id
from fittui.storage.records import RecordChecks
from fittui.storage.store import Store

ORS = load_instruments()["ORS"]


def journal_size(db: Path) -> int:
    return db.with_name(db.name + ".journal").stat().st_size


def ratings(code: str, count: int, first_day: int = 0) -> list[Administration]:
    items = {item.key: 50 for item in ORS.items}
    start = date(2025, 1, 1)
    return [
        Administration(
            new_id(),
            code,
            "ORS",
            (start + timedelta(days=(first_day + n) % 600)).isoformat(),
            items,
        )
        for n in range(count)
    ]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "fittui.json"
    store = Store(path)
    for code in ("C1", "C2"):
        store.add_client(code)
    store.record_many(ratings("C1", 50))
    store.storage.write(store.storage.read())  # a snapshot, a short journal
    store.close()
    return path


def everything(db: Path) -> list[Administration]:
    return Store(db, read_only=True).all_administrations()


def outgrow(store: Store) -> None:
    """One save that makes the journal outgrow its share of the snapshot."""
    store.record_many(ratings("C2", COMPACT_MIN_BYTES // 150, 100))


def test_an_apps_save_leaves_the_folding_to_a_process_of_its_own(db: Path) -> None:
    app_store = Store(db)
    app_store.fold_in_background()
    app_store.clients()
    outgrow(app_store)
    assert journal_size(db) > COMPACT_MIN_BYTES  # the save returned without folding
    saved = everything(db)
    folds = app_store.storage.folds
    assert folds is not None and folds.child is not None and folds.child.wait(60) == 0
    assert journal_size(db) < 1024  # folded in: a new journal
    assert everything(db) == saved
    assert app_store.take_troubles() == [] and folds.child is None  # waited for
    app_store.refresh()
    assert app_store.all_administrations() == saved
    app_store.record("C1", ORS, ORS.parse_scores(["7"] * 4), "2026-01-05")
    assert len(everything(db)) == len(saved) + 1


def test_any_other_store_still_folds_within_the_save(db: Path) -> None:
    store = Store(db)
    outgrow(store)
    assert journal_size(db) < 1024
    assert store.storage.folds is None


def due(db: Path, monkeypatch) -> Store:
    """The journal grown past its share by an app's store whose fold is not started: a fold
    is due, and that store, saving more, only appends."""
    store = Store(db)
    store.fold_in_background()
    monkeypatch.setattr(fittui.storage.fold_apart.Folds, "start", lambda folds: None)
    outgrow(store)
    assert store.storage._outgrown()
    return store


def test_a_fold_killed_at_any_moment_loses_nothing(db: Path, monkeypatch) -> None:
    store = due(db, monkeypatch)
    saved = everything(db)
    killed_at_work = 0
    for delay in [0.02 * n for n in range(1, 16)]:  # the child starting, reading, writing
        child = fold_apart(db)
        time.sleep(delay)
        killed_at_work += child.poll() is None
        child.kill()
        child.wait()
        assert everything(db) == saved
        store.refresh()
        while not store.storage._outgrown():  # that one had folded before the kill
            outgrow(store)  # due again (the snapshot it wrote is larger: so is its share)
            saved = everything(db)
    assert killed_at_work >= 3
    assert fold_apart(db).wait(60) == 0
    assert journal_size(db) < 1024 and everything(db) == saved


def test_saves_made_while_the_fold_reads_are_kept(db: Path, monkeypatch) -> None:
    """The fold reads everything without the lock: the lines saved meanwhile are replayed
    under it, and are in the new snapshot."""
    app_store = due(db, monkeypatch)
    folding = JournalStorage(db, validate=RecordChecks())
    read = folding.read

    def read_while_the_app_saves() -> Any:
        tables = read()
        for _ in range(5):
            app_store.record("C2", ORS, ORS.parse_scores(["3"] * 4), "2026-11-20")
        return tables

    monkeypatch.setattr(folding, "read", read_while_the_app_saves)
    assert folding.fold()
    assert journal_size(db) < 1024  # folded in
    assert sum(a.date == "2026-11-20" for a in everything(db)) == 5


def test_a_fold_stopped_between_its_two_files_is_finished_by_the_next(
    db: Path, monkeypatch
) -> None:
    due(db, monkeypatch)
    saved = everything(db)

    def stopped(self: JournalStorage, first: bytes = b"") -> None:
        raise OSError("killed after the snapshot, before its journal")

    with monkeypatch.context() as stopping:
        stopping.setattr(JournalStorage, "_start_journal", stopped)
        with pytest.raises(OSError):
            JournalStorage(db, validate=RecordChecks()).fold()
    assert journal_size(db) > COMPACT_MIN_BYTES  # the old journal, now obsolete
    assert everything(db) == saved
    assert fold_apart(db).wait(60) == 0
    assert journal_size(db) < 1024 and everything(db) == saved


def test_a_fold_with_nothing_to_fold_changes_nothing(db: Path) -> None:
    files = {p.name: p.read_bytes() for p in db.parent.glob("fittui.json*")}
    assert fold_apart(db).wait(60) == 0
    assert {p.name: p.read_bytes() for p in db.parent.glob("fittui.json*")} == files


def test_the_app_folds_in_the_background(db: Path) -> None:
    from fittui.ui.app import make_app

    assert make_app(db).store.storage.fold_apart


def test_a_fold_that_fails_says_why_in_the_app_store(tmp_path: Path) -> None:
    """The real process, on a snapshot it cannot read: it exits 1, and its reason reaches
    the store that started it, once."""
    db = tmp_path / "fittui.json"
    db.write_bytes(b"not a database\n")
    folds = Folds(db)
    folds.start()
    assert folds.child is not None and folds.child.wait(60) == 1
    trouble = folds.take_trouble()
    assert trouble is not None
    assert trouble.startswith(f"could not fold the journal into {db}: cannot read database {db}: ")
    assert "line 1: not valid JSON" in trouble and trouble.endswith("again in 10 minutes")
    assert folds.child is None  # waited for: no zombie left
    assert folds.take_trouble() is None  # said once


def failing_fold(db: Path, output: Any) -> subprocess.Popen[bytes]:
    script = "import sys; print('the disk is full.', file=sys.stderr); sys.exit(1)"
    return subprocess.Popen([sys.executable, "-c", script], stdout=output, stderr=output)


def test_a_failed_fold_is_said_once_and_not_tried_again_for_a_while(db: Path, monkeypatch) -> None:
    store = Store(db)
    store.fold_in_background()
    started: list[subprocess.Popen[bytes]] = []

    def fold(db: Path, output: Any) -> subprocess.Popen[bytes]:
        started.append(failing_fold(db, output))
        return started[-1]

    monkeypatch.setattr(fittui.storage.fold_apart, "fold_apart", fold)
    outgrow(store)
    assert len(started) == 1 and started[0].wait(60) == 1
    troubles = store.take_troubles()
    assert troubles == [
        f"could not fold the journal into {db}: the disk is full. Every rating is in the "
        "journal; fittui tries again in 10 minutes"
    ]
    assert store.take_troubles() == []
    for _ in range(3):  # saves while the fold is due: none started
        store.record("C1", ORS, ORS.parse_scores(["7"] * 4), "2026-01-05")
    assert len(started) == 1 and store.storage._outgrown()
    later = time.monotonic() + fittui.storage.fold_apart.RETRY_SECONDS + 1
    monkeypatch.setattr(fittui.storage.fold_apart.time, "monotonic", lambda: later)
    store.record("C1", ORS, ORS.parse_scores(["7"] * 4), "2026-01-06")
    assert len(started) == 2  # tried again
    started[1].wait(60)


def test_a_fold_that_cannot_start_is_said_and_waited_on(db: Path, monkeypatch) -> None:
    def cannot(db: Path, output: Any) -> subprocess.Popen[bytes]:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(fittui.storage.fold_apart, "fold_apart", cannot)
    folds = Folds(db)
    folds.start()
    assert folds.child is None
    trouble = folds.take_trouble()
    assert trouble is not None and "it could not be started" in trouble
    monkeypatch.setattr(fittui.storage.fold_apart, "fold_apart", failing_fold)
    folds.start()  # within the wait: not even tried
    assert folds.child is None and folds.take_trouble() is None


def test_a_failed_daily_backup_is_said_once_to_the_store_that_started_it(
    db: Path, monkeypatch
) -> None:
    for backup in (db.parent / "backups").glob("*.json"):
        backup.unlink()  # today's first save is yet to come

    def full(path: Path, data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fittui.storage.daily, "write_copy", full)
    store = Store(db)
    store.record("C1", ORS, ORS.parse_scores(["7"] * 4), "2026-01-05")
    assert store.storage.daily_backup is not None and store.storage.daily_backup.wait(60)
    [trouble] = store.take_troubles()
    assert trouble.startswith("could not write the daily backup ")
    assert "No space left on device" in trouble
    assert store.take_troubles() == []
    assert len(everything(db)) == 51  # the rating saved all the same


def test_a_fold_without_a_temporary_file_runs_all_the_same(db: Path, monkeypatch) -> None:
    def none(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fittui.storage.fold_apart.tempfile, "TemporaryFile", none)
    monkeypatch.setattr(fittui.storage.fold_apart, "fold_apart", failing_fold)
    folds = Folds(db)
    folds.start()
    assert folds.child is not None and folds.child.wait(60) == 1
    trouble = folds.take_trouble()
    assert trouble is not None and ": it ended with status 1. Every rating" in trouble


def test_the_apps_look_for_troubles_never_waits_for_a_save_in_a_thread(db: Path) -> None:
    """A rating screen saves in a thread, which holds the store while it waits for another
    process's lock (up to 15 s): the app's poll must not wait behind it."""
    store = Store(db)
    holding, done = threading.Event(), threading.Event()

    def save_waiting_for_the_lock() -> None:
        with store.storage._guard:
            holding.set()
            done.wait(10)

    saver = threading.Thread(target=save_waiting_for_the_lock)
    saver.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        assert store.take_troubles() == []
        assert time.monotonic() - started < 1
    finally:
        done.set()
        saver.join()
