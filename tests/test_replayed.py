"""The journal as replayed, kept beside the data (``storage/replayed.py``).

An open takes it instead of replaying the journal's lines it covers, and parses the ratings
it holds only when they are first asked for: what a store answers is exactly what
replaying the journal gives, and a kept file that does not check out is never believed.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import threading
import zlib
from datetime import date, datetime
from pathlib import Path

import orjson
import pytest

import fittui.storage.journal
from conftest import rate_ors, rescored_rows
from fittui.cli.main import main
from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.storage import records, replayed
from fittui.storage.backup import backup_database, restore_database
from fittui.storage.derived import Rules
from fittui.storage.journal import JournalStorage, UnreadableDatabase
from fittui.storage.replayed import replayed_path
from fittui.storage.store import Store
from fittui.storage.summaries import LIST_FIELDS

RULES = Rules(load_instruments(), default_parameters(), 90)
TODAY = date(2026, 3, 1)
CODES = ("C1", "C2", "C3", "C4", "C5")


@pytest.fixture(autouse=True)
def keep_soon(monkeypatch) -> None:
    """A few saves are enough for a store to keep the journal as replayed."""
    monkeypatch.setattr(replayed, "KEEP_AFTER", 1500)


def journal_of(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def saves(store: Store, first_day: int) -> None:
    """Ratings, a void and a move of the snapshot's ratings, a client added and changed,
    an episode ended, and ratings deleted: every kind of line a journal holds."""
    for n, code in enumerate(("C1", "C2", "C3", "C4") * 2):
        rate_ors(store, code, 1 + n % 9, first_day + n)
    old = store.administrations("C3")[0]
    store.void(old.id, "entered in error")
    store.move(store.administrations("C4")[0].id, "C1")
    if not any(client.code == "C5" for client in store.clients()):
        store.add_client("C5", label="new")
    store.update_client("C2", label="changed")
    store.add_episode_event("C3", "end", "2026-02-01", "planned")
    rate_ors(store, "C5", 3, first_day + 20)
    gone = [store.administrations("C1")[-1].id, store.all_administrations("C3")[0].id]
    store._administrations.remove(doc_ids=gone)  # one of the journal's, one the snapshot's


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A snapshot read and checked whole (so an open reads it in parts), then a journal
    long enough to be kept as replayed."""
    path = tmp_path / "data" / "fittui.json"
    store = Store(path)
    for code in CODES[:4]:
        store.add_client(code)
    store.link("C1", "C2")
    for code in CODES[:4]:
        rate_ors(store, code, 2, 0)
    store.storage.write(store.storage.read())
    store.storage.wait_for_backup()
    Store(path).clients()  # read and checked whole, and noted so
    saves(store, 10)
    store.close()
    return path


def seen(store: Store) -> dict:
    """What a store's storage answers: every reader's view of the journal replayed."""
    storage = store.storage
    storage.look()
    return {
        "derived from": storage.derived_from(),
        "touched": {code: storage.last_touched([code]) for code in CODES},
        "deleted": set(storage._deleted),
        "clients": storage.table("clients"),
        "events": storage.table("episode_events"),
        "ratings": {code: list(storage.client_records(code).items()) for code in CODES},
        "checked journal": storage.checked_journal() is not None,
    }


def replaying(db: Path) -> dict:
    """What a store that replays the whole journal answers (the kept file set aside)."""
    kept = replayed_path(db)
    aside = kept.with_name("aside")
    if kept.exists():
        kept.rename(aside)
    try:
        store = Store(db, read_only=True)
        answer = seen(store)
        assert store.storage._kept_ratings is None
    finally:
        if aside.exists():
            aside.rename(kept)
    return answer


def listed(report: dict) -> dict:
    return {name: report[name] for name in LIST_FIELDS}


def test_an_open_takes_the_journal_as_kept_and_parses_its_ratings_only_when_asked(
    db: Path, monkeypatch
) -> None:
    Store(db).client_rows(RULES, TODAY)  # replays the journal, keeps it, and the rows
    assert replayed_path(db).exists()
    expected = replaying(db)
    replaying_stores: list[JournalStorage] = []
    original = JournalStorage._apply_lines
    monkeypatch.setattr(
        JournalStorage,
        "_apply_lines",
        lambda self, lines, at: (replaying_stores.append(self), original(self, lines, at)),
    )
    store = Store(db)
    rows = store.client_rows(RULES, TODAY, include_archived=False, for_list=True)
    assert store.storage._kept_ratings is not None  # not a rating parsed, not a line replayed
    assert {code: listed(row.report) for code, row in rows.items()} == {
        code: listed(row.report) for code, row in rescored_rows(db, RULES, TODAY).items()
    }
    assert seen(store) == expected
    assert store.storage._kept_ratings is None  # parsed when the ratings were asked for
    assert store.storage not in replaying_stores


def test_lines_saved_after_it_are_replayed_over_it(db: Path) -> None:
    Store(db).client_rows(RULES, TODAY)  # keeps the journal as replayed, and the rows
    watcher = Store(db)  # a running app, which took it and has parsed no rating yet
    watcher.client_rows(RULES, TODAY, include_archived=False, for_list=True)
    assert watcher.storage._kept_ratings is not None
    assert watcher.refresh() is None  # the first look: everything is new
    kept = replayed_path(db).read_bytes()
    other = Store(db)
    rate_ors(other, "C2", 3, 40)
    other.void(other.administrations("C1")[-1].id, "entered in error")
    other._administrations.remove(doc_ids=[other.administrations("C4")[-1].id])
    with contextlib.redirect_stdout(io.StringIO()):
        for code in ("C3", "C3", "C5"):
            command = ["--db", str(db), "record", code, "ORS", "4", "4", "4", "4"]
            assert main([*command, "--date", "2026-02-20"]) == 0
    other.close()
    expected = replaying(db)
    assert replayed_path(db).read_bytes() == kept  # a few lines more: not kept anew
    assert watcher.refresh() == frozenset({"C1", "C2", "C3", "C4", "C5"})
    assert seen(watcher) == expected
    assert seen(Store(db)) == expected
    assert watcher.client_rows(RULES, TODAY) == rescored_rows(db, RULES, TODAY)


def test_it_is_kept_anew_once_the_lines_after_it_are_many(db: Path) -> None:
    Store(db).clients()
    first = orjson.loads(replayed_path(db).read_bytes()[9:].split(b"\n")[0])
    store = Store(db)
    saves(store, 60)
    store.close()
    expected = replaying(db)
    assert seen(Store(db)) == expected  # replays the lines after it, then keeps them all
    head = orjson.loads(replayed_path(db).read_bytes()[9:].split(b"\n")[0])
    assert head["offset"] == journal_of(db).stat().st_size > first["offset"]
    assert seen(Store(db, read_only=True)) == expected


def damaged_head(db: Path) -> None:
    kept = replayed_path(db)
    data = bytearray(kept.read_bytes())
    data[40] ^= 1
    kept.write_bytes(bytes(data))


def damaged_ratings(db: Path) -> None:
    kept = replayed_path(db)
    data = bytearray(kept.read_bytes())
    at = data.index(b'"individually":', data.index(b"\n") + 1) + len(b'"individually":')
    data[at] = ord("9") if data[at] != ord("9") else ord("8")  # a score, in the ratings' line
    kept.write_bytes(bytes(data))


def cut_short(db: Path) -> None:
    kept = replayed_path(db)
    kept.write_bytes(kept.read_bytes()[:-5])


def journal_rewritten(db: Path) -> None:
    """The journal's bytes it covers changed, its length the same: a label in a save."""
    path = journal_of(db)
    path.write_bytes(path.read_bytes().replace(b'"label":"new"', b'"label":"NEW"'))


@pytest.mark.parametrize("damage", [damaged_head, damaged_ratings, cut_short, journal_rewritten])
def test_a_kept_file_that_does_not_check_out_is_never_believed(db: Path, damage) -> None:
    Store(db).clients()
    kept = replayed_path(db).read_bytes()
    damage(db)
    damaged = replayed_path(db).stat().st_ino
    assert replayed_path(db).read_bytes() != kept or damage is journal_rewritten
    expected = replaying(db)
    store = Store(db)
    assert seen(store) == expected
    if damage is journal_rewritten:
        assert expected["clients"]["C5"]["label"] == "NEW"
    assert replayed_path(db).stat().st_ino != damaged  # written anew
    taking = Store(db)
    taking.clients()
    assert taking.storage._kept_ratings is not None  # and taken
    assert seen(taking) == expected


def test_damage_in_the_journal_it_covers_is_reported_as_without_it(db: Path) -> None:
    Store(db).clients()
    path = journal_of(db)
    data = path.read_bytes()
    at = data.index(b'"individually":1.0')  # the first rating saved in the journal
    path.write_bytes(data[:at] + b'"individually":11.0' + data[at + 18 :])
    with pytest.raises(UnreadableDatabase) as with_it:
        Store(db).clients()
    replayed_path(db).unlink()
    with pytest.raises(UnreadableDatabase) as without_it:
        Store(db).clients()
    assert str(with_it.value) == str(without_it.value)
    assert "line" in str(with_it.value) and "11.0" in str(with_it.value)


def test_a_kept_rating_the_checks_refuse_stops_the_read_until_the_journal_is_replayed(
    db: Path,
) -> None:
    """The file checks out but holds a rating the instruments refuse (the checks of the
    instruments now, as the journal's line would be checked): the read stops with the
    rating named, and the file is deleted, so the next open replays the journal."""
    Store(db).clients()
    kept = replayed_path(db)
    head, ratings, _ = kept.read_bytes().split(b"\n")
    records = orjson.loads(ratings[9:])
    wrong = next(iter(records))
    records[wrong]["items"]["individually"] = 1.77
    payload = orjson.dumps(records)
    kept.write_bytes(head + b"\n" + b"%08x " % zlib.crc32(payload) + payload + b"\n")
    store = Store(db)
    store.clients()  # the list's start needs no rating
    with pytest.raises(UnreadableDatabase, match=f"administrations record {wrong}"):
        store.administrations("C1")
    assert not kept.exists()
    assert seen(Store(db)) == replaying(db)


def test_read_only_never_writes_it_and_it_is_private(db: Path) -> None:
    Store(db, read_only=True).clients()
    assert not replayed_path(db).exists()
    old = os.umask(0)
    try:
        Store(db).clients()
    finally:
        os.umask(old)
    assert stat.S_IMODE(replayed_path(db).stat().st_mode) == 0o600


def test_a_link_in_its_place_is_never_followed(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_bytes(b"not fittui's")
    replayed_path(db).symlink_to(target)
    expected = replaying(db)
    assert seen(Store(db)) == expected
    assert target.read_bytes() == b"not fittui's"


def test_a_compaction_or_a_restore_deletes_it(db: Path) -> None:
    Store(db).clients()
    copy = backup_database(db, datetime(2026, 3, 1, 12, 0, 0))
    store = Store(db)
    store.storage.write(store.storage.read())  # as a compaction does
    assert not replayed_path(db).exists()
    saves(store, 80)
    Store(db).clients()
    assert replayed_path(db).exists()
    restore_database(db, copy, datetime(2026, 3, 2, 12, 0, 0))
    assert not replayed_path(db).exists()
    assert seen(Store(db)) == replaying(db)


async def test_the_app_parses_the_kept_ratings_once_its_list_is_drawn(db: Path) -> None:
    """The list's start leaves them aside; a thread after the first frame parses them, so
    the first history opened does not wait for them."""
    from fittui.ui.app import make_app

    Store(db).client_rows(RULES)  # the journal and the rows kept, as after any start
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        storage = app.store.storage
        for _ in range(200):
            if storage._kept_ratings is None:
                break
            await pilot.pause(0.05)
        assert storage._kept_ratings is None
        assert seen(app.store) == replaying(db)


def test_ratings_parsed_by_a_thread_meet_lines_replayed_meanwhile(db: Path) -> None:
    Store(db).client_rows(RULES, TODAY)
    store = Store(db)
    store.clients()
    other = Store(db)
    rate_ors(other, "C4", 7, 50)
    other.void(other.administrations("C2")[-1].id, "entered in error")
    store.refresh()  # replayed over the ratings still aside
    assert store.storage._kept_ratings is not None
    thread = threading.Thread(target=store.prepare_ratings)
    thread.start()
    thread.join()
    assert store.storage._kept_ratings is None
    assert seen(store) == replaying(db)


def test_ratings_parsed_by_a_thread_are_dropped_when_the_store_read_anew_meanwhile(
    db: Path, monkeypatch
) -> None:
    """The thread parses without the store's lock: if the store took another kept file
    meanwhile, what it parsed belongs to the old one and is not put in place."""
    Store(db).client_rows(RULES, TODAY)
    store = Store(db)
    store.clients()
    parsing, go_on = threading.Event(), threading.Event()
    parse = fittui.storage.journal._parsed

    def slow(data):
        parsing.set()
        go_on.wait(10)
        return parse(data)

    monkeypatch.setattr(fittui.storage.journal, "_parsed", slow)
    thread = threading.Thread(target=store.prepare_ratings)
    thread.start()
    assert parsing.wait(10)
    monkeypatch.setattr(fittui.storage.journal, "_parsed", parse)
    other = Store(db)
    saves(other, 70)  # enough for the next open to keep the journal anew
    Store(db).clients()
    store.storage._tables = None  # as after an error: read afresh at the next look
    store.refresh()  # takes the new kept file, its ratings aside
    assert store.storage._kept_ratings is not None
    go_on.set()
    thread.join()
    assert seen(store) == replaying(db)


def test_a_kept_file_under_other_checks_is_not_taken(db: Path, monkeypatch) -> None:
    """Changed instruments (here ORS held to 0.0 to 1.5): the journal is replayed and
    checked again, and a rating they refuse is reported at open with its line, as it is
    without the kept file, not when the ratings are first asked for."""
    Store(db).client_rows(RULES, TODAY)
    scales = dict(records.known_scales(strict=False))
    monkeypatch.setattr(
        records,
        "known_scales",
        lambda strict=True: {**scales, "ORS": scales["ORS"]._replace(scale_max=15)},
    )
    with pytest.raises(UnreadableDatabase, match=r"line \d+ \(byte \d+\)") as with_it:
        Store(db).check_readable()
    replayed_path(db).unlink()
    with pytest.raises(UnreadableDatabase) as without_it:
        Store(db).check_readable()
    assert str(with_it.value) == str(without_it.value)


def test_records_too_deep_to_keep_leave_the_journal_replayed(db: Path) -> None:
    """orjson reads JSON nested deeper than it writes: a journal line holding such a
    record (a field the checks do not know, 300 lists deep) is read, and not kept."""
    path = journal_of(db)
    line = orjson.loads(path.read_bytes().splitlines()[1])
    op = line["ops"][0]
    nested = b"[" * 300 + b"]" * 300
    doc = orjson.dumps(op[3])[:-1] + b',"extra":' + nested + b"}"
    path.write_bytes(
        path.read_bytes()
        + b'{"ops":[["put","administrations","deep0000000000001",'
        + doc
        + b"]]}\n"
    )
    replayed_path(db).unlink(missing_ok=True)
    store = Store(db)
    assert len(store.administrations(op[3]["client"])) > 0
    assert not replayed_path(db).exists()


def test_a_kept_file_covering_no_whole_line_is_not_taken(db: Path) -> None:
    """Made by hand: a head covering no bytes of the journal, or part of a line (their CRC
    right), and a rating of its own. Nothing of it is taken."""
    Store(db).clients()
    kept = replayed_path(db)
    head, ratings, _ = kept.read_bytes().split(b"\n")
    fields = orjson.loads(head[9:])
    records = orjson.loads(ratings[9:])
    made_up = {**next(iter(records.values())), "client": "C1"}
    journal = journal_of(db).read_bytes()
    inside = journal.index(b"\n") + 10  # within the journal's second line
    for offset, unterminated in ((0, True), (inside, False)):
        fields.update(offset=offset, crc=zlib.crc32(journal[:offset]), unterminated=unterminated)
        lines = [orjson.dumps(fields), orjson.dumps({"madeup00000000001": made_up})]
        kept.write_bytes(b"".join(b"%08x " % zlib.crc32(p) + p + b"\n" for p in lines))
        store = Store(db, read_only=True)
        assert "madeup00000000001" not in store.storage.client_records("C1")
        assert seen(store) == replaying(db)
