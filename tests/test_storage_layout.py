"""Issue 16, the storage half: a client's ratings read alone, rows kept beside the data, the
upgrade of a database an older fittui wrote, another process's saves read line by line.

The rows kept in ``fittui.json.summaries`` must always equal a full rescore from the
ratings: a property test drives random saves (the app's, and ``fittui record``'s, which
takes the light way when it can), voids, moves, imports, compactions and
restores and compares them after each step; other tests damage or swap the file and
check it is noticed and rebuilt, never believed.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import stat
from datetime import date, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fittui.storage.journal
from conftest import rescored_rows
from fittui.cli.main import main
from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration, Client
from fittui.storage import replayed, summaries
from fittui.storage.backup import backup_database, restore_database
from fittui.storage.derived import Rules
from fittui.storage.journal import JournalStorage, new_id
from fittui.storage.store import Store

INSTRUMENTS = load_instruments()
ORS, SRS = INSTRUMENTS["ORS"], INSTRUMENTS["SRS"]
RULES = Rules(INSTRUMENTS, default_parameters(), 90)
TODAY = date(2026, 3, 1)
RELEASE = Path(__file__).parent / "data" / "release-0.1"


def rescored(db: Path, rules: Rules = RULES, today: date = TODAY) -> dict:
    return rescored_rows(db, rules, today)


def day(n: int) -> str:
    return (date(2025, 11, 1) + timedelta(days=n)).isoformat()


def files(db: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(db.parent)): p.read_bytes()
        for p in sorted(db.parent.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "fittui.json"
    store = Store(path)
    for code in ("C1", "C2", "C3"):
        store.add_client(code)
    store.link("C1", "C2")
    store.close()  # the day's backup written
    return path


# -- the rows equal a full rescore, whatever happens ----------------------------------------
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            st.sampled_from(["C1", "C2", "C3"]),
            st.sampled_from(["ORS", "SRS"]),
            st.integers(0, 100),
            st.integers(0, 110),
        ),
        st.tuples(
            st.just("fittui record"),
            st.sampled_from(["C1", "C2", "C3", "C4"]),
            st.sampled_from(["ORS", "SRS"]),
            st.integers(0, 10),
            st.integers(0, 110),
        ),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(st.just("unvoid"), st.integers(0, 50)),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(["C1", "C2", "C3"])),
        st.tuples(st.just("import"), st.integers(0, 110)),
        st.tuples(st.just("end"), st.sampled_from(["C1", "C2", "C3"]), st.integers(0, 110)),
        st.tuples(st.just("backup")),
        st.tuples(st.just("restore")),
        st.tuples(st.just("rows"), st.integers(-5, 200)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(OPERATIONS)
def test_rows_kept_beside_the_data_equal_a_full_rescore(tmp_path_factory, operations) -> None:
    folder = tmp_path_factory.mktemp("prop")
    db = folder / "fittui.json"
    store = Store(db)
    for code in ("C1", "C4"):
        store.add_client(code)
    store.add_client("C2", age_group="adolescent")
    store.add_client("C3")
    store.link("C1", "C2")
    for code in ("C1", "C2", "C3"):  # ratings in a snapshot read whole, as in a practice
        store.record(code, ORS, {item.key: 50 for item in ORS.items}, day(0))
    store.storage.write(store.storage.read())
    store.storage.wait_for_backup()
    Store(db).clients()
    watcher = Store(db)  # a long-lived store: another process as the app sees it
    assert watcher.client_rows(RULES, TODAY) == rescored(db)
    copies: list[Path] = []
    kept_after = replayed.KEEP_AFTER
    original = fittui.storage.journal.COMPACT_MIN_BYTES
    fittui.storage.journal.COMPACT_MIN_BYTES = 2000  # the store's saves compact often
    replayed.KEEP_AFTER = 600  # and an open replaying a few lines keeps them as replayed
    try:
        for op in operations:
            today = TODAY
            kind = op[0]
            if kind == "record":
                _, code, key, score, n = op
                instrument = ORS if key == "ORS" else SRS
                items = {item.key: score for item in instrument.items}
                store.record(code, instrument, items, day(n))
            elif kind == "fittui record":  # another process's saves, the light way if it can
                _, code, key, score, n = op
                for scores in ([str(score)] * 4, [str(10 - score)] * 4):  # the second, light
                    line = ["--db", str(db), "record", code, key, *scores, "--date", day(n)]
                    with contextlib.redirect_stdout(io.StringIO()):
                        assert main(line) == 0
            elif kind in ("void", "unvoid", "move", "delete") and (
                there := store.all_administrations()
            ):
                rating = there[op[1] % len(there)]
                if kind == "void" and rating.voided is None:
                    store.void(rating.id, "entered in error")
                elif kind == "unvoid" and rating.voided is not None:
                    store.unvoid(rating.id)
                elif kind == "move" and rating.client != op[2]:
                    store.move(rating.id, op[2])
                elif kind == "delete":  # no command deletes a rating, but the engine can
                    store._administrations.remove(doc_ids=[rating.id])
            elif kind == "import":
                items = {item.key: 50 for item in ORS.items}
                new = Administration(new_id(), "C5", "ORS", day(op[1]), items)
                store.import_batch([Client("C5", "adult")], [new])
            elif kind == "end":
                _, code, n = op
                store.add_episode_event(code, "end", day(n), "planned")
            elif kind == "backup":
                copies.append(backup_database(db, datetime(2026, 3, 1, 12, 0, len(copies))))
            elif kind == "restore" and copies:
                restore_database(db, copies[-1], datetime(2026, 3, 2, 12, 0, len(copies)))
            elif kind == "rows":
                today = TODAY + timedelta(days=op[1])
            expected = rescored(db, today=today)
            assert watcher.client_rows(RULES, today) == expected
            assert Store(db).client_rows(RULES, today) == expected
            assert Store(db, read_only=True).client_rows(RULES, today) == expected
            reader = Store(db, read_only=True)
            whole = reader.all_administrations()
            for code in expected:
                assert reader.all_administrations(code) == [a for a in whole if a.client == code]
    finally:
        fittui.storage.journal.COMPACT_MIN_BYTES = fittui.storage.append.COMPACT_MIN_BYTES = (
            original
        )
        replayed.KEEP_AFTER = kept_after


# -- a stale or damaged file of rows is noticed and rebuilt ----------------------------------
def test_damaged_rows_are_noticed_and_rebuilt(db: Path) -> None:
    store = Store(db)
    for n in range(6):
        store.record("C1", ORS, ORS.parse_scores(["5", "5", "5", str(n)]), day(n))
    assert store.client_rows(RULES, TODAY) == rescored(db)
    kept = summaries.summaries_path(db)
    text = kept.read_bytes()
    # A row's score changed on disk, its CRC left as it was: not believed.
    damaged = text.replace(b'"ors_last":20.0', b'"ors_last":29.0')
    assert damaged != text
    kept.write_bytes(damaged)
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)
    assert b'"ors_last":29.0' not in kept.read_bytes()  # written anew
    # Cut in the middle of a line, and garbage: both rebuilt.
    for broken in (text[: len(text) // 2], b"\x00" * 64, b"not the rows\n"):
        kept.write_bytes(broken)
        assert Store(db).client_rows(RULES, TODAY) == rescored(db)
        assert summaries.read(db).head is not None


def test_stale_rows_are_derived_again(db: Path) -> None:
    store = Store(db)
    store.record("C1", ORS, ORS.parse_scores(["5", "5", "5", "5"]), day(1))
    assert store.client_rows(RULES, TODAY) == rescored(db)
    old = summaries.summaries_path(db).read_bytes()
    # Later saves, some by a process that keeps no rows; then yesterday's file is put back.
    store.record("C1", ORS, ORS.parse_scores(["9", "9", "9", "9"]), day(8))
    store.record("C3", SRS, SRS.parse_scores(["9", "9", "9", "9"]), day(8))
    summaries.summaries_path(db).write_bytes(old)
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)
    # Other rules (the episode gap), another day: the rows say what those give.
    other = Rules(INSTRUMENTS, default_parameters(), 5)
    assert Store(db).client_rows(other, TODAY) == rescored(db, other)
    later = TODAY + timedelta(days=400)
    assert Store(db).client_rows(RULES, later) == rescored(db, today=later)


def test_a_compaction_carries_the_rows_still_true(db: Path, monkeypatch) -> None:
    store = Store(db)
    store.record("C1", ORS, ORS.parse_scores(["5", "5", "5", "5"]), day(1))
    store.client_rows(RULES, TODAY)
    head = summaries.read(db).head
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    store.record("C1", ORS, ORS.parse_scores(["6", "6", "6", "6"]), day(2))  # compacts
    kept = summaries.read(db)
    assert kept.head.journal != head.journal
    # The rows still true are carried over to the new journal; C1's (and C2's, linked
    # with C1) were changed by the save just folded in, and are not.
    assert set(kept.rows) == {"C3"}
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)
    # A compaction in a process that keeps no rows carries those of the file.
    Store(db).client_rows(RULES, TODAY)
    Store(db).record("C3", ORS, ORS.parse_scores(["6", "6", "6", "6"]), day(3))
    assert set(summaries.read(db).rows) == {"C1", "C2"}
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)


def test_read_only_never_writes_rows_and_still_answers(db: Path) -> None:
    Store(db).record("C2", SRS, SRS.parse_scores(["9", "8", "9", "9"]), day(3))
    summaries.summaries_path(db).unlink(missing_ok=True)
    before = files(db)
    assert Store(db, read_only=True).client_rows(RULES, TODAY) == rescored(db)
    assert files(db) == before


def test_the_kept_file_is_private(db: Path) -> None:
    store = Store(db)
    store.record("C1", ORS, ORS.parse_scores(["5", "5", "5", "5"]), day(1))
    store.client_rows(RULES, TODAY)
    kept = summaries.summaries_path(db)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


# -- one client's ratings, read alone --------------------------------------------------------
def compacted(db: Path) -> Store:
    store = Store(db)
    for n in range(30):
        store.record(f"C{n % 3 + 1}", ORS, ORS.parse_scores(["5", "5", "5", "5"]), day(n))
    store.storage.write(store.storage.read())  # everything in an indexed snapshot
    return store


def test_one_clients_history_reads_no_other_clients_ratings(db: Path, monkeypatch) -> None:
    compacted(db)
    Store(db).clients()  # a writer notes that the new snapshot was checked whole
    lines: list[str] = []
    real = JournalStorage._client_line

    def spy(self, code, line, offset):
        found = real(self, code, line, offset)
        lines.append(code)
        assert all(doc["client"] == code for _, _, doc in found)
        return found

    def whole(*args):
        raise AssertionError("the whole snapshot was read")

    monkeypatch.setattr(JournalStorage, "_client_line", spy)
    monkeypatch.setattr(JournalStorage, "_parse_snapshot", whole)
    store = Store(db, read_only=True)
    assert len(store.administrations("C2")) == 10
    writer = Store(db)
    writer.record("C2", ORS, ORS.parse_scores(["1", "1", "1", "1"]), day(40))
    assert len(writer.administrations("C2")) == 11
    assert set(lines) == {"C2"}


def test_a_snapshot_rating_changed_then_deleted_in_the_journal_stays_deleted(db: Path) -> None:
    """Read in parts, a rating of the snapshot that the journal voided and then deleted
    came back from the client's snapshot lines (only a rating deleted unchanged was left
    out)."""
    compacted(db)
    Store(db).clients()
    writer = Store(db)
    first = writer.administrations("C2")[0]
    writer.void(first.id, "entered in error")
    writer._administrations.remove(doc_ids=[first.id])
    whole = [a for a in Store(db, read_only=True).all_administrations() if a.client == "C2"]
    assert len(whole) == 9
    assert Store(db, read_only=True).all_administrations("C2") == whole
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)


def test_a_store_that_deletes_a_snapshot_rating_changed_in_the_journal_sees_it_gone(
    db: Path,
) -> None:
    """The same, deleted by a store reading in parts itself: its own save now leaves the
    rating out of the client's snapshot lines too."""
    compacted(db)
    Store(db).clients()
    reader = Store(db)
    reader.clients()
    other = Store(db)
    first = other.administrations("C2")[0]
    other.void(first.id, "entered in error")
    reader.refresh()
    reader._administrations.remove(doc_ids=[first.id])
    whole = [a for a in Store(db, read_only=True).all_administrations() if a.client == "C2"]
    assert reader.all_administrations("C2") == whole and len(whole) == 9


def test_a_rating_deleted_by_the_save_that_folds_the_journal_leaves_no_row_carried(
    db: Path, monkeypatch
) -> None:
    """A compaction carries the rows still true to the new journal: a save that deleted a
    rating did not count as changing anyone, so its client's old row was carried."""
    writer = compacted(db)  # a store that has read everything, as a long-running app may
    writer.client_rows(RULES, TODAY)  # every row kept
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_FRACTION", 1 << 40)
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)  # every save folds
    writer._administrations.remove(doc_ids=[writer.administrations("C3")[0].id])
    assert writer.client_rows(RULES, TODAY) == rescored(db)
    assert Store(db).client_rows(RULES, TODAY) == rescored(db)


def test_a_changed_snapshot_is_read_and_checked_whole(db: Path) -> None:
    compacted(db)
    Store(db).clients()
    text = db.read_bytes()
    db.write_bytes(text.replace(b'"overall":5.0', b'"overall":50.0', 1))
    with pytest.raises(fittui.storage.journal.UnreadableDatabase, match="50"):
        Store(db).clients()


# -- another process's saves, read from the journal's new lines --------------------------------
def test_refresh_says_whose_data_changed(db: Path, monkeypatch) -> None:
    compacted(db)
    mine = Store(db)
    assert mine.refresh() is None  # the first look: everything
    assert mine.refresh() == frozenset()
    other = Store(db)
    other.record("C3", ORS, ORS.parse_scores(["1", "2", "3", "4"]), day(50))
    seen = mine.generation
    assert mine.refresh() == {"C3"}
    assert mine.generation != seen
    other.record("C1", ORS, ORS.parse_scores(["1", "2", "3", "4"]), day(50))
    assert mine.refresh() == {"C1", "C2"}  # C2 is linked with C1
    rating = other.administrations("C3")[-1]
    other.move(rating.id, "C2")
    assert mine.refresh() == {"C1", "C2", "C3"}
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    other.record("C3", ORS, ORS.parse_scores(["1", "2", "3", "4"]), day(51))  # compacts
    assert mine.refresh() is None


# -- a database an older fittui wrote -------------------------------------------------------
def test_a_database_of_the_last_release_is_read_then_upgraded_with_a_backup(tmp_path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(RELEASE, folder)
    folder.chmod(0o700)
    db = folder / "fittui.json"
    old = files(db)
    assert orjson.loads(old["fittui.json"].splitlines()[0])["fittui"]["schema"] == 1

    reader = Store(db, read_only=True)  # read as it is, nothing written
    clients = reader.clients()
    ratings = reader.all_administrations()
    counted = {c.code: reader.administrations(c.code) for c in clients}
    events = reader.episode_events_by_client()
    assert [c.code for c in clients] == ["C1", "C2", "C3"]
    assert len(ratings) == 19 and sum(map(len, counted.values())) == 18
    assert any(a.corrections for a in counted["C2"])  # moved from C3
    assert files(db) == old

    writer = Store(db)
    saved = writer.record("C1", ORS, ORS.parse_scores(["8", "8", "8", "8"]), "2026-02-16")
    kept = sorted((folder / "backups").glob("fittui-before-upgrade-*"))
    assert [p.name.endswith(".journal") for p in kept] == [False, True]
    assert kept[0].read_bytes() == old["fittui.json"]
    assert kept[1].read_bytes() == old["fittui.json.journal"]
    assert orjson.loads(db.read_bytes().splitlines()[0])["fittui"]["schema"] == 2

    after = Store(db, read_only=True)
    assert after.clients() == clients
    assert after.all_administrations() == [*ratings, saved]
    assert {c.code: after.administrations(c.code) for c in clients} == {
        **counted,
        "C1": [*counted["C1"], saved],
    }
    assert after.episode_events_by_client() == events
    assert Store(kept[0], read_only=True).all_administrations() == ratings  # restorable
    writer.storage.wait_for_backup()
