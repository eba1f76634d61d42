"""``fittui record``'s light way (``cli/record_light.py``, ``storage/append.py``) saves exactly
what the full way saves and says exactly what it says, or leaves the line to the full way
having written nothing; the rules it reads values with agree with the model's.

The light way is asked directly (``record_light.plain``: a callable when it saved, None
when it left the line), and the full way is run through ``commands.run``, which never
tries the light one.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fittui.domain.instruments
import fittui.storage.append
import fittui.storage.journal
from conftest import db_bytes, quick_pin
from fittui.cli import commands, record_light
from fittui.cli.main import main
from fittui.domain import plain_options, rating_rules
from fittui.domain.instruments import load_instruments
from fittui.domain.model import InputError, check_mode, check_rater, parse_when
from fittui.domain.scales import BUILTIN_SCALES, InstrumentError
from fittui.storage import layout, summaries
from fittui.storage.append import _mark, dumps, keep_checked, loads
from fittui.storage.locations import today
from fittui.storage.settings import save_pin
from fittui.storage.store import Store

INSTRUMENTS = load_instruments()
ID = re.compile(r"\b[0-9a-f]{16}\b")


def ready(db: Path) -> Path:
    """A database as a practice has it: an indexed snapshot checked whole (stamped), clients
    C1 and C2 with ratings in it, C3 without, today's backup written, and the journal noted
    as checked by a full ``fittui record``."""
    store = Store(db)
    ors = INSTRUMENTS["ORS"]
    for code in ("C1", "C2", "C3"):
        store.add_client(code)
    store.record("C1", ors, ors.parse_scores(["5", "5", "5", "5"]), "2026-01-05")
    store.record("C2", ors, ors.parse_scores(["6", "6", "6", "6"]), "2026-01-05T09:00")
    store.storage.write(store.storage.read())
    store.close()
    Store(db).clients()  # read and checked whole: stamped
    assert full(db, "record", "C1", "SRS", "9", "9", "9", "9", "--date", "2026-01-05")[0] == 0
    assert db.with_name(db.name + ".checked").exists()
    return db


def full(db: Path, *words: str) -> tuple[int, str, str]:
    """The full way's exit status, output and errors (ids written as ID)."""
    return _ran(lambda: commands.run(["--db", str(db), *words]))


def either(db: Path, *words: str) -> tuple[int, str, str]:
    """What ``fittui`` does with the line: the light way when it takes it."""
    return _ran(lambda: main(["--db", str(db), *words]))


def _ran(run) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run()
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return code, ID.sub("ID", out.getvalue()), err.getvalue()


def light(db: Path, *words: str, **options: str | bool) -> tuple[int, str] | None:
    """The light way asked directly: (exit status, output) when it saved, else None."""
    import contextlib
    import io

    run = record_light.plain({"db": str(db), **options}, list(words))
    if run is None:
        return None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run()
    return code, ID.sub("ID", out.getvalue())


def saved(db: Path) -> list[dict]:
    """Every administration as a store reads it, client by client in entry order, ids and
    the times of voids and corrections left out (the two databases' are made seconds
    apart)."""
    store = Store(db)
    return [
        _untimed(doc)
        for code in sorted(c.code for c in store.clients())
        for doc in store.storage.client_records(code).values()
    ]


def _untimed(doc: dict) -> dict:
    marks = {"voided": {**doc["voided"], "at": "AT"}} if "voided" in doc else {}
    if "corrections" in doc:
        marks["corrections"] = [{**c, "at": "AT"} for c in doc["corrections"]]
    return {**doc, **marks}


@pytest.fixture
def config(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("FITTUI_CONFIG", str(folder))
    monkeypatch.delenv("FITTUI_DB", raising=False)
    return folder


@pytest.fixture
def practice(tmp_path: Path, config: Path) -> Path:
    return ready(tmp_path / "data" / "fittui.json")


# -- the light way saves what the full way saves ------------------------------------------


def test_a_plain_line_is_saved_the_light_way_as_the_full_way_saves_it(tmp_path, config):
    lightly, fully = ready(tmp_path / "a" / "fittui.json"), ready(tmp_path / "b" / "fittui.json")
    words = ["C1", "ors", "5", "7.3", "10", "0", "--date", "2026-01-05", "--note", "slept badly"]
    said = light(lightly, *words[:6], date="2026-01-05", note="slept badly")
    assert said is not None
    code, out, err = full(fully, "record", *words)
    assert said == (code, out) and err == ""
    assert out.startswith("Saved ORS for C1 on 2026-01-05: total 22.3.\n")
    assert saved(lightly) == saved(fully)


def test_the_same_session_note_is_said_the_same_way(tmp_path, config):
    lightly, fully = ready(tmp_path / "a" / "fittui.json"), ready(tmp_path / "b" / "fittui.json")
    for db in (lightly, fully):  # a voided rating of the same session is not named
        store = Store(db)
        ors = INSTRUMENTS["ORS"]
        voided = store.record("C2", ors, ors.parse_scores(["1", "1", "1", "1"]), "2026-01-05")
        store.void(voided.id, "test entry")
        full(db, "record", "C2", "ORS", "2", "2", "2", "2", "--date", "2026-01-05T11:00")
    said = light(lightly, "C2", "ORS", "3", "3", "3", "3", date="2026-01-05T12:00")
    expected = full(fully, "record", "C2", "ORS", "3", "3", "3", "3", "--date", "2026-01-05T12:00")
    assert said == expected[:2]
    assert said[1].count("Note: C2 also has ORS by client on 2026-01-05") == 1  # 11:00's
    assert saved(lightly) == saved(fully)


def test_a_rating_of_the_day_the_journal_voided_or_redated_is_read_as_it_now_is(tmp_path, config):
    lightly, fully = ready(tmp_path / "a" / "fittui.json"), ready(tmp_path / "b" / "fittui.json")
    for db in (lightly, fully):
        Store(db).void(first_id(db, "C2"), "test entry")  # the snapshot's rating of that day
        bless(db)
    said = light(lightly, "C2", "ORS", "3", "3", "3", "3", date="2026-01-05T12:00")
    words = ["record", "C2", "ORS", "3", "3", "3", "3", "--date", "2026-01-05T12:00"]
    assert said == full(fully, *words)[:2] and "Note" not in said[1]
    for db in (lightly, fully):
        Store(db).unvoid(first_id(db, "C2"))
        Store(db).redate(first_id(db, "C2"), "2026-01-04")
        bless(db)
    before = db_bytes(lightly)
    assert light(lightly, "C2", "ORS", "3", "3", "3", "3", date="2026-01-04") is None
    assert db_bytes(lightly) == before  # a corrected rating's place is the full way's to find
    assert either(lightly, *words[:-2], "--date", "2026-01-04") == full(
        fully, *words[:-2], "--date", "2026-01-04"
    )
    assert saved(lightly) == saved(fully)


def test_a_light_save_reads_the_journal_from_the_first_line_naming_its_day(
    tmp_path, config, monkeypatch
):
    """A journal holds up to an eighth of the snapshot (a year of a practice's saves): each
    light save reads only the lines from the first one naming its day, as its note says,
    and says what the full way says of the same session."""
    lightly, fully = ready(tmp_path / "a" / "fittui.json"), ready(tmp_path / "b" / "fittui.json")
    ors = INSTRUMENTS["ORS"]
    for db in (lightly, fully):
        store = Store(db)
        for n in range(40):  # other days' saves
            store.record(
                "C1", ors, ors.parse_scores(["1", "2", "3", "4"]), f"2025-03-{n % 28 + 1:02d}"
            )
        store.close()
        assert full(db, "record", "C2", "ORS", "2", "2", "2", "2", "--date", "2026-01-06")[0] == 0
    journal = journal_of(lightly)
    reads: list[int] = []
    pread = os.pread

    def spy(fd: int, length: int, offset: int) -> bytes:
        data = pread(fd, length, offset)
        if os.readlink(f"/proc/self/fd/{fd}") == str(journal) and offset > 0:
            reads.append(len(data))  # besides its first line's (a few bytes from the start)
        return data

    monkeypatch.setattr(os, "pread", spy)
    words = ["C2", "ORS", "3", "3", "3", "3"]
    for at in ("09:00", "10:00", "11:00"):
        size = journal.stat().st_size
        reads.clear()
        said = light(lightly, *words, date=f"2026-01-07T{at}")
        expected = full(fully, "record", *words, "--date", f"2026-01-07T{at}")
        assert said == expected[:2]
        note = json.loads(lightly.with_name(lightly.name + ".checked").read_bytes())
        first = journal.read_bytes().index(b'"2026-01-07')
        first = journal.read_bytes().rindex(b"\n", 0, first) + 1
        assert (note["day"], note["from"]) == ("2026-01-07", first)
        if at != "09:00":  # the day's first light save read the whole journal
            assert sum(reads) == size - first + 1
    assert said[1].count("Note:") == 1 and "saved as 2026-01-07T10:00)" in said[1]
    assert saved(lightly) == saved(fully)


DAYS = ("2026-01-04", "2026-01-05", "2026-01-06")
CHANGES = ("light", "light", "light", "void", "unvoid", "redate", "move", "full")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CHANGES),
            st.sampled_from(["C1", "C2"]),
            st.sampled_from(DAYS),
            st.sampled_from(["", "T09:00", "T12:00"]),
            st.sampled_from(["ORS", "SRS"]),
            st.booleans(),
        ),
        min_size=3,
        max_size=10,
    )
)
def test_the_day_s_lines_kept_in_the_note_hold_through_any_changes(tmp_path_factory, steps):
    """Light saves of several days among the app's voids, moves and new dates (each
    noted as checked, or not) and full saves: the light way says what the full way says,
    and its note's offset keeps its promise (no line before it names its day, deletes or
    escapes)."""
    folder = tmp_path_factory.mktemp("days")
    os.environ["FITTUI_CONFIG"] = str(folder / "config")
    lightly, fully = ready(folder / "a" / "fittui.json"), ready(folder / "b" / "fittui.json")
    for n, (change, code, day, at, instrument, noted) in enumerate(steps):
        words = [code, instrument, "3", "3", "3", "3", "--date", day + at]
        if change in ("light", "full"):
            said = light(lightly, *words[:6], date=day + at) if change == "light" else None
            expected = full(fully, "record", *words)
            assert (said or full(lightly, "record", *words)[:2]) == expected[:2], steps
            _check_the_note(lightly)
            continue
        for db in (lightly, fully):
            store = Store(db)
            records = store.storage.client_records(code)  # none: all moved away
            chosen = list(records)[n % len(records)] if records else ""
            voided = "voided" in records.get(chosen, {})
            if not records:
                pass
            elif change == "void" and not voided:
                store.void(chosen, "test entry")
            elif change == "unvoid" and voided:
                store.unvoid(chosen)
            elif change == "redate" and records[chosen]["date"] != DAYS[n % 3]:
                store.redate(chosen, DAYS[n % 3])
            elif change == "move":
                store.move(chosen, "C2" if code == "C1" else "C1")
            store.close()
            if noted:
                bless(db)
    assert saved(lightly) == saved(fully)


def _check_the_note(db: Path) -> None:
    note = json.loads(db.with_name(db.name + ".checked").read_bytes())
    data = journal_of(db).read_bytes()
    if note["day"] is None:
        return
    head = data.index(b"\n") + 1
    assert head <= note["from"] <= len(data) and data[note["from"] - 1] == ord("\n")
    before = data[head : note["from"]]
    assert b'"' + note["day"].encode() not in before
    assert b'"del"' not in before and b"\\u" not in before


CLIENTS = st.sampled_from(["C1", "C2", "C3", "NOPE", "c1"])
KEYS = st.sampled_from(["ORS", "srs", "PHQ-9", "gad-7", "YCORS", "XYZ"])
SCORES = st.sampled_from(
    ["0", "1", "3", "5", "5.5", "10", "10.1", "7.30", "1.25", " 4 ", "x", "+1"]
)
DATES = st.sampled_from([None, "2026-01-05", "2026-01-05T10:30", "2026-02-30", "2026-1-5", ""])
RATERS = st.sampled_from([None, "client", "Partner", "teacher ", "1x", ""])
MODES = st.sampled_from([None, "paper", "screen-share", "SPOKEN", "zoom"])
NOTES = st.sampled_from([None, "", "slept badly", "tab\there", "two\nlines", "bell\x07", "é ü"])


@st.composite
def lines(draw) -> list[str]:
    key = draw(KEYS)
    scale = BUILTIN_SCALES.get(key.upper())
    count = len(scale.items) if scale else 4
    count += draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
    words = [draw(CLIENTS), key, *(draw(SCORES) for _ in range(max(count, 1)))]
    for option, values in (
        ("date", DATES),
        ("rater", RATERS),
        ("mode", MODES),
        ("note", NOTES),
    ):
        value = draw(values)
        if value is not None:
            words += [f"--{option}", value] if value else [f"--{option}="]
    return words


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines(), min_size=1, max_size=4))
def test_any_sequence_of_records_ends_the_same_either_way(tmp_path_factory, sequence):
    folder = tmp_path_factory.mktemp("same")
    os.environ["FITTUI_CONFIG"] = str(folder / "config")
    lightly, fully = ready(folder / "a" / "fittui.json"), ready(folder / "b" / "fittui.json")
    taken = 0
    for words in sequence:
        if any(w.startswith("--date") for w in words) is False:
            words = [*words, "--date", "2026-01-05T08:00"]  # both at the same minute
        before = db_bytes(lightly)
        run = record_light.plain(
            {k: v for k, v in _options(words).items()}, [w for w in _words(words)]
        )
        if run is None:
            assert db_bytes(lightly) == before  # nothing written
            said = either(lightly, "record", *words)
        else:
            taken += 1
            said = _ran(run)
        assert said == full(fully, "record", *words), words
    assert saved(lightly) == saved(fully)


def _options(words: list[str]) -> dict[str, str]:
    options, given = {}, iter(words)
    for word in given:
        if word.startswith("--"):
            name, equals, value = word[2:].partition("=")
            options[name] = value if equals else next(given)
    return options


def _words(words: list[str]) -> list[str]:
    found, given = [], iter(words)
    for word in given:
        if word.startswith("--"):
            if "=" not in word:
                next(given)
        else:
            found.append(word)
    return found


# -- the rules the light way reads values with -----------------------------------------------


def test_the_scale_rows_are_the_instruments():
    assert list(rating_rules.SCALE_ROWS) == list(INSTRUMENTS)
    for key, (items, lowest, highest, step) in rating_rules.SCALE_ROWS.items():
        scale = INSTRUMENTS[key].scale
        assert (scale.items, scale.scale_min, scale.scale_max, scale.step) == (
            items,
            lowest,
            highest,
            step,
        )


TEXT = st.text(st.sampled_from("0123456789.-+ eE_x\t٣T:"), max_size=18)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(sorted(BUILTIN_SCALES)), st.one_of(TEXT, st.from_regex(r"\d{1,3}(\.\d{1,3})?"))
)
def test_a_plain_score_reads_as_the_scale_reads_it(key, text):
    scale = BUILTIN_SCALES[key]
    found = rating_rules.plain_tenths(text, scale.scale_min, scale.scale_max, scale.step)
    try:
        expected = scale.parse_score(text)
    except InstrumentError:
        expected = None
    assert found is None or found == expected
    if found is None and expected is not None:  # only a plainer way of writing it is left
        assert not re.fullmatch(r"\d+(\.\d0*)?", text.strip(), re.ASCII)


DATE_TEXT = st.one_of(
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\Z"),
    st.text(st.sampled_from("0123456789-T: ٣"), max_size=17),
)


@settings(max_examples=400, deadline=None)
@given(DATE_TEXT)
def test_a_plain_date_reads_as_the_model_reads_it(text):
    found = plain_options.plain_when(text)
    try:
        expected = parse_when(text)
    except InputError:
        expected = None
    assert found is None or found == expected
    if expected is not None and found is None:
        assert not re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d)?", text.strip(), re.ASCII) or (
            int(text.strip()[:4]) < 1000
        )


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("abcxyzABZ_- \t1İß\n"), max_size=34))
def test_a_plain_rater_and_mode_read_as_the_model_reads_them(text):
    try:
        rater = check_rater(text)
    except InputError:
        rater = None
    assert plain_options.plain_rater(text) == rater
    try:
        mode = check_mode(text + "paper"[: len(text) % 6])
    except InputError:
        mode = None
    assert plain_options.plain_mode(text + "paper"[: len(text) % 6]) == mode
    for word in ("screen-share", " Spoken ", "IN_PERSON", "remote-form"):
        assert plain_options.plain_mode(word) == check_mode(word)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(
            st.text(),
            st.integers(-(10**6), 10**6),
            st.floats(allow_nan=False, allow_infinity=False),
        ),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)
def test_json_is_written_and_read_as_orjson_does(value):
    try:
        text = dumps(value).encode()
    except ValueError:  # text orjson refuses too (a lone surrogate)
        with pytest.raises(orjson.JSONEncodeError):
            orjson.dumps(value)
        return
    assert orjson.loads(text) == value
    assert loads(orjson.dumps(value)) == value
    assert loads(text + b"\n") == value


def test_the_layout_s_names_are_the_ones_the_light_way_reads():
    assert fittui.storage.append._SCHEMA == layout.FILE_SCHEMA
    assert fittui.storage.append._GROUPED == layout.GROUPED
    assert summaries.VERSION == 2  # the stamp's version _first_line reads
    assert fittui.storage.journal.COMPACT_MIN_BYTES is fittui.storage.append.COMPACT_MIN_BYTES


# -- what the light way leaves to the full way -------------------------------------------------


def journal_of(db: Path) -> Path:
    return db.with_name(db.name + ".journal")


def bless(db: Path) -> None:
    """Note the journal as it is now as checked (as a full ``fittui record`` would after
    reading it), so that a test changes one thing only."""
    data = journal_of(db).read_bytes()
    head = json.loads(data[: data.index(b"\n")])
    fd = os.open(journal_of(db), os.O_RDWR)
    try:
        mark = _mark(fd)
    finally:
        os.close(fd)
    assert mark is not None
    keep_checked(db, head["journal"], mark)


def first_id(db: Path, code: str) -> str:
    return next(iter(Store(db).storage.client_records(code)))


def _a_rating_moved_to_the_client(db: Path) -> None:
    Store(db).move(first_id(db, "C2"), "C1")
    bless(db)


def _a_deletion(db: Path) -> None:
    store = Store(db)
    *_, doc_id = store.storage.client_records("C1")  # the SRS the journal put: deleted there
    with store.storage.transaction():
        assert store.db.table("administrations").remove(doc_ids=[doc_id]) == [doc_id]
    bless(db)


def _a_line_cut_short(db: Path) -> None:
    with open(journal_of(db), "ab") as journal:
        journal.write(b'{"ops":[["put","administrations","0123456789abcdef",{"cli')
    bless(db)


def _a_last_line_without_newline(db: Path) -> None:
    journal_of(db).write_bytes(journal_of(db).read_bytes()[:-1])
    bless(db)


def _an_escaped_character(db: Path) -> None:
    doc = {"client": "C2", "instrument": "ORS", "date": "2026-01-05", "rater": "client",
           "items": {"individually": 1.0, "interpersonally": 1.0, "socially": 1.0,
                     "overall": 1.0}, "note": "caf\\u00e9", "mode": "in_person"}  # fmt: skip
    put = json.dumps(doc).replace("\\\\u", "\\u")
    line = f'{{"ops":[["put","administrations","0123456789abcdef",{put}]]}}\n'
    with open(journal_of(db), "ab") as journal:
        journal.write(line.encode())
    bless(db)


def _a_journal_not_extending_the_snapshot(db: Path) -> None:
    data = journal_of(db).read_bytes()
    first = data.index(b"\n")
    head = json.loads(data[:first])
    head["extends"] = "0000000000000000"
    journal_of(db).write_bytes(json.dumps(head).encode() + data[first:])
    bless(db)


def _an_obsolete_journal(db: Path) -> None:
    old = journal_of(db).read_bytes()
    store = Store(db)
    store.storage.write(store.storage.read())  # the new snapshot names the old journal
    Store(db).clients()
    journal_of(db).write_bytes(old)  # as a crash between the two writes leaves it
    bless(db)


def _no_journal(db: Path) -> None:
    journal_of(db).unlink()


def _a_stale_note(db: Path) -> None:
    ors = INSTRUMENTS["ORS"]
    Store(db).record("C2", ors, ors.parse_scores(["1", "1", "1", "1"]), "2026-01-05")


def _no_note(db: Path) -> None:
    db.with_name(db.name + ".checked").unlink()


def _a_damaged_note(db: Path) -> None:
    bless(db)
    note = db.with_name(db.name + ".checked")
    note.write_bytes(note.read_bytes()[:-5])


def _the_snapshot_touched(db: Path) -> None:
    os.utime(db, ns=(1, 1))


def _no_stamp(db: Path) -> None:
    db.with_name(db.name + ".summaries").unlink()


def _no_daily_backup(db: Path) -> None:
    for backup in (db.parent / "backups").glob("fittui-2*.json"):
        backup.unlink()


def _a_temporary_file_left(db: Path) -> None:
    (db.parent / ".fittui.json.0123abcd.tmp").write_bytes(b"half")


def _instrument_files(db: Path) -> None:
    folder = Path(os.environ["FITTUI_CONFIG"]) / "instruments"
    folder.mkdir(parents=True)
    ors = Path(fittui.domain.instruments.__file__).parent / "ors.toml"
    (folder / "mine.toml").write_text(ors.read_text().replace('key = "ORS"', 'key = "MINE"'))


LEFT = [
    _a_rating_moved_to_the_client,
    _a_deletion,
    _a_line_cut_short,
    _a_last_line_without_newline,
    _an_escaped_character,
    _a_journal_not_extending_the_snapshot,
    _an_obsolete_journal,
    _no_journal,
    _a_stale_note,
    _no_note,
    _a_damaged_note,
    _the_snapshot_touched,
    _no_stamp,
    _no_daily_backup,
    _a_temporary_file_left,
    _instrument_files,
]
RECORD = ["C1", "ORS", "4", "4", "4", "4"]
STILL_THERE = (_a_rating_moved_to_the_client, _a_deletion, _an_escaped_character)


@pytest.mark.parametrize("change", LEFT, ids=[f.__name__.strip("_") for f in LEFT])
def test_what_the_light_way_cannot_be_sure_of_is_left_to_the_full_way(practice, change):
    change(practice)
    before = db_bytes(practice)
    assert light(practice, *RECORD, date="2026-01-05") is None
    assert db_bytes(practice) == before
    code, out, err = either(practice, "record", *RECORD, "--date", "2026-01-05")
    if change is _a_journal_not_extending_the_snapshot:
        assert code == 1 and "extends snapshot 0000000000000000" in err
        assert db_bytes(practice) == before
        return
    if change is _no_journal:  # its saves are lost: said, and never buried by a new journal
        assert code == 1 and "fittui.json.journal is missing" in err
        assert db_bytes(practice) == before
        return
    assert (code, err) == (0, "") and out.startswith("Saved ORS for C1 on 2026-01-05")
    assert any(
        doc["items"]["overall"] == 4.0
        for doc in Store(practice).storage.client_records("C1").values()
    )
    if change is _a_last_line_without_newline:
        assert (
            journal_of(practice).read_bytes().count(b"\n")
            == before[journal_of(practice).name].count(b"\n") + 2
        )
    if change is _a_temporary_file_left:
        assert not (practice.parent / ".fittui.json.0123abcd.tmp").exists()
    if change is _no_daily_backup:
        assert list((practice.parent / "backups").glob("fittui-2*.json"))
    # The full way noted the journal it read and checked: the next plain line is light,
    # unless what sent it the full way is still there (until a compaction folds it in).
    if change not in (_instrument_files, *STILL_THERE):
        assert light(practice, *RECORD, date="2026-01-05") is not None


@pytest.mark.parametrize("start", [10**20, -(10**20), -(2**62), 0, -1, "9", 1.5, None, True, 10**6])
def test_a_note_whose_offset_is_damaged_leaves_the_save_to_the_full_way(practice, start):
    note = practice.with_name(practice.name + ".checked")
    kept = json.loads(note.read_bytes())
    note.write_bytes(dumps({**kept, "day": "2026-01-05", "from": start}).encode() + b"\n")
    before = db_bytes(practice)
    assert light(practice, *RECORD, date="2026-01-05") is None
    assert db_bytes(practice) == before
    assert either(practice, "record", *RECORD, "--date", "2026-01-05")[0] == 0


def test_a_note_nested_thousands_deep_leaves_the_save_to_the_full_way(practice):
    practice.with_name(practice.name + ".checked").write_bytes(
        b"[" * 3000 + b"\n"
    )  # within the 4 KB read
    before = db_bytes(practice)
    assert light(practice, *RECORD) is None
    assert db_bytes(practice) == before


def test_noting_the_journal_raises_nothing_once_a_line_is_saved(practice):
    """``keep_checked`` runs after the line is on disk: nothing it meets may send the
    caller the full way, which would save the rating twice."""
    keep_checked(practice, "\udc80 not text a file holds", (1, 2, 3, 4), "2026-01-05", 7)
    practice.with_name(practice.name + ".checked").unlink()
    practice.with_name(practice.name + ".checked").mkdir()
    keep_checked(practice, "0123456789abcdef", (1, 2, 3, 4))


def test_a_therapist_s_settings_with_a_pin_leave_the_light_way_to_save(practice, config):
    save_pin(config / "settings.toml", quick_pin())
    (config / "settings.toml").write_text(
        'language = "de"\ntheme = "ansi-dark"\n' + (config / "settings.toml").read_text()
    )
    said = light(practice, *RECORD, date="2026-01-05")
    assert said is not None and said[0] == 0 and said[1].startswith(SAVED_C1)
    code, out, err = either(practice, "record", *RECORD, "--date", "2026-01-06")
    assert (code, out, err) == (0, SAVED_C1.replace("05", "06"), "")
    assert len(saved(practice)) == 5


SAVED_C1 = "Saved ORS for C1 on 2026-01-05: total 16.0.\n"


@pytest.mark.parametrize("way", ["light", "full"])
def test_a_broken_backup_key_fails_the_day_s_backup_not_the_rating(practice, config, way):
    """The settings are read when the day's backup is written, the first save of the day
    (here: today's backup removed); a key that is not one is that backup's failure, said
    on stderr, and no backup is written unencrypted."""
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text('[backups]\nencrypt_to = "age1nope"\n')
    _no_daily_backup(practice)
    run = full if way == "full" else either
    code, out, err = run(practice, "record", *RECORD, "--date", "2026-01-05")
    assert code == 0 and out.startswith(SAVED_C1)
    assert err.startswith("fittui: warning: could not write the daily backup ")
    assert "backups.encrypt_to" in err and err.count("\n") == 1
    assert not list((practice.parent / "backups").glob("fittui-2*"))
    assert any(
        doc["items"]["overall"] == 4.0
        for doc in Store(practice).storage.client_records("C1").values()
    )
    # No backup today yet: the next plain line goes the full way, and fails the same way.
    assert light(practice, *RECORD, date="2026-01-05") is None
    code, out, err = either(practice, "record", *RECORD, "--date", "2026-01-06")
    assert (code, out) == (0, SAVED_C1.replace("05", "06")) and "backups.encrypt_to" in err


@pytest.mark.parametrize("key", ["none", "broken"])
def test_a_large_database_s_backup_is_still_copied_apart_when_the_settings_seal_nothing(
    practice, config, monkeypatch, key
):
    """The settings read in the backup's thread: without a key the copy is made by a process
    of its own as before (``daily.APART_BYTES``, here any size), with a broken one it fails."""
    import fittui.storage.daily
    import fittui.storage.daily_apart

    apart = []
    copy_apart = fittui.storage.daily_apart.copy_apart
    monkeypatch.setattr(fittui.storage.daily, "APART_BYTES", 0)
    monkeypatch.setattr(
        fittui.storage.daily_apart, "copy_apart", lambda *a: apart.append(a) or copy_apart(*a)
    )
    save_pin(config / "settings.toml", quick_pin())
    if key == "broken":
        with (config / "settings.toml").open("a") as settings_file:
            settings_file.write('\n[backups]\nencrypt_to = "age1nope"\n')
    _no_daily_backup(practice)
    code, out, err = full(practice, "record", *RECORD, "--date", "2026-01-05")
    assert code == 0 and out.startswith(SAVED_C1)
    written = list((practice.parent / "backups").glob("fittui-2*.json"))
    if key == "none":
        assert err == "" and len(apart) == 1 and len(written) == 1
    else:
        assert "backups.encrypt_to" in err and not apart and not written


def test_a_client_without_ratings_in_the_snapshot_is_looked_up_the_full_way(practice):
    before = db_bytes(practice)
    assert light(practice, "C3", "ORS", "1", "1", "1", "1") is None
    assert db_bytes(practice) == before
    assert either(practice, "record", "C3", "ORS", "1", "1", "1", "1")[0] == 0
    Store(practice).add_client("C4")  # the journal puts them: their ratings are there too
    bless(practice)
    assert full(practice, "record", "C4", "ORS", "1", "1", "1", "1")[0] == 0
    before = db_bytes(practice)
    assert light(practice, "C4", "ORS", "2", "2", "2", "2") is None
    assert db_bytes(practice) == before
    assert either(practice, "record", "NOPE", "ORS", "1", "1", "1", "1")[:3:2] == (
        1,
        "fittui: error: unknown client 'NOPE' (see 'fittui clients')\n",
    )


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["C1", "XYZ", "1"], "unknown instrument 'XYZ'"),
        (["C1", "ORS", "11", "1", "1", "1"], "score 11 is out of range 0.0 to 10.0 for ORS"),
        (["C1", "ORS", "1", "1", "1"], "ORS takes 4 scores"),
        (["C1", "ORS", "1", "1", "1", "1", "--date", "2999-01-01"], "after today"),
        (["C1", "ORS", "1", "1", "1", "1", "--date", "2026-02-30"], "is not an ISO date"),
        (["C1", "ORS", "1", "1", "1", "1", "--rater", "1x"], "must be a role"),
        (["C1", "ORS", "1", "1", "1", "1", "--mode", "zoom"], "unknown mode 'zoom'"),
        (["C1", "ORS", "1", "1", "1", "1", "--note", "bell\x07"], "control character"),
    ],
)
def test_a_value_the_full_way_refuses_is_refused_by_it(practice, words, said):
    before = db_bytes(practice)
    assert record_light.plain({"db": str(practice), **_options(words)}, _words(words)) is None
    code, out, err = either(practice, "record", *words)
    assert (code, out) == (1, "") and said in err
    assert db_bytes(practice) == before


def test_read_only_is_left_to_the_full_way_which_refuses_it(practice):
    before = db_bytes(practice)
    assert light(practice, *RECORD, read_only=True) is None
    code, _, err = either(practice, "--read-only", "record", *RECORD)
    assert code == 1 and "'record' writes files; it cannot run with --read-only" in err
    assert db_bytes(practice) == before


def test_a_client_whose_record_the_journal_changed_is_still_known_by_the_index(tmp_path, config):
    lightly, fully = ready(tmp_path / "a" / "fittui.json"), ready(tmp_path / "b" / "fittui.json")
    for db in (lightly, fully):
        Store(db).update_client("C1", label="changed")
        bless(db)
    said = light(lightly, *RECORD, date="2026-01-05")
    assert said == full(fully, "record", *RECORD, "--date", "2026-01-05")[:2]
    assert saved(lightly) == saved(fully)


def test_a_young_database_of_a_journal_alone_is_saved_the_full_way(db, config):
    Store(db).add_client("C1")
    before = db_bytes(db)
    assert light(db, *RECORD) is None
    assert db_bytes(db) == before
    assert either(db, "record", *RECORD)[0] == 0


def test_a_save_that_would_compact_is_left_to_the_full_way(practice, monkeypatch):
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(fittui.storage.append, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_FRACTION", 10**9)
    monkeypatch.setattr(fittui.storage.append, "COMPACT_FRACTION", 10**9)
    before = db_bytes(practice)
    assert light(practice, *RECORD) is None
    assert db_bytes(practice) == before
    assert either(practice, "record", *RECORD)[0] == 0
    assert journal_of(practice).read_bytes().count(b"\n") == 1  # compacted: a new journal


def test_a_busy_lock_is_left_to_the_full_way_which_waits(practice):
    before = db_bytes(practice)
    fd = os.open(practice.with_name(practice.name + ".lock"), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert light(practice, *RECORD) is None
    finally:
        os.close(fd)
    assert db_bytes(practice) == before
    assert light(practice, *RECORD) is not None


CODES = st.text(st.sampled_from('AC1_.-é"\\'), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        CODES,
        st.lists(st.tuples(st.integers(0, 10**9), st.integers(1, 10**6)), min_size=1, max_size=3),
        max_size=6,
    ),
    CODES,
)
def test_an_index_entry_is_found_by_its_code_alone(index, code):
    data = orjson.dumps({c: [list(r) for r in ranges] for c, ranges in index.items()})
    expected = [list(r) for r in index[code]] if code in index else None
    assert fittui.storage.append.index_entry(data, code) == expected
    line = b'{"index":' + data + b',"small":[5,6],"records":1}\n'
    start, end = len(b'{"index":'), len(b'{"index":') + len(data)
    assert fittui.storage.append.index_entry(line, code, start, end) == expected
    assert fittui.storage.append.index_entry(data, "\udc80" + code) is None
    # A store that looks many clients up parses the index whole once (journal._Index):
    # the same entries, the same refusal of a damaged one.
    eager = type("Eager", (fittui.storage.journal._Index,), {"WHOLE_AFTER": 0})(data)
    assert [eager.get(c) for c in (code, *index)] == [expected, *(orjson.loads(data).values())]
    assert eager._whole == orjson.loads(data)  # parsed whole, not searched
    damaged = data.replace(b"]]", b".5]]", 1)
    for way in (fittui.storage.journal._Index(damaged), type(eager)(damaged)) if index else ():
        with pytest.raises(ValueError, match="is damaged"):
            for c in index:
                way.get(c)


def test_a_database_of_the_last_release_is_upgraded_the_full_way(tmp_path, config):
    from test_storage_layout import RELEASE

    folder = tmp_path / "data"
    shutil.copytree(RELEASE, folder)
    folder.chmod(0o700)
    db = folder / "fittui.json"
    Store(db).clients()  # read and checked whole: its snapshot stamped, as a practice's is
    (folder / "backups").mkdir(mode=0o700, exist_ok=True)
    shutil.copy(db, folder / "backups" / f"fittui-{today()}.json")
    if json.loads(journal_of(db).read_bytes().split(b"\n")[0]).get("journal"):
        bless(db)
    before = db_bytes(db)
    assert light(db, *RECORD) is None  # schema 1: the full way upgrades it first
    assert db_bytes(db) == before
    assert either(db, "record", *RECORD)[0] == 0
    assert list((folder / "backups").glob("fittui-before-upgrade-*"))
    assert json.loads(db.read_bytes().split(b"\n")[0])["fittui"]["schema"] == 2
