"""Issue 16: ``fittui clients --json`` and ``report --json`` print their last output again,
kept beside the data (``storage/printed.py``), while nothing it was derived from changed.

The output stays byte for byte what the commands printed before the output was kept (the
files under ``tests/data/caseload/`` were printed by the fittui before this change, from
the database ``caseload_database`` builds); a kept output is printed only while its stamp
holds, never when the ratings, the rules or the day say otherwise, never when damaged; and
``--read-only`` never writes it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fittui.cli.caseload
import fittui.cli.output
from fittui.cli.main import main
from fittui.domain.etr import load_parameters
from fittui.domain.instruments import load_instruments
from fittui.domain.outside import shown
from fittui.storage import printed
from fittui.storage.derived import Rules, derive_row
from fittui.storage.store import Store

PINNED = Path(__file__).parent / "data" / "caseload"
INSTRUMENTS = load_instruments()
ORS, SRS, PHQ9, GAD7 = (INSTRUMENTS[k] for k in ("ORS", "SRS", "PHQ-9", "GAD-7"))
TODAY = date(2026, 3, 1)  # C1 and C2 rated within the episode gap: their rows hold a while


def caseload_database(db: Path) -> None:
    """A small practice with most of what a row can show: linked clients with a split
    alliance, an adolescent, an archived client, questionnaires, a voided rating, a rating
    moved to another client, an episode ended, labels in other scripts."""
    store = Store(db)
    store.add_client("C1", label="Zoë Ångström")
    store.add_client("C2", "adolescent", label="家族")
    store.add_client("C3", instruments=("PHQ-9", "GAD-7", "ORS"), language="de")
    store.add_client("C4", "child")
    store.link("C1", "C2")
    for week in range(6):
        when = (date(2026, 1, 5) + timedelta(weeks=week)).isoformat()
        store.record("C1", ORS, ORS.parse_scores(["4", "5", str(3 + week), "5"]), when)
        store.record("C1", SRS, SRS.parse_scores(["9", "9", str(9 - week), "9"]), when)
        store.record("C2", ORS, ORS.parse_scores(["6", "6", "6", str(6 - week)]), when)
        store.record("C2", SRS, SRS.parse_scores(["9", "9", "9", "9"]), when)
        store.record("C3", PHQ9, {item.key: (2 - week % 3) * 10 for item in PHQ9.items}, when)
        store.record("C3", GAD7, {item.key: (1 + week % 2) * 10 for item in GAD7.items}, when)
        store.record("C3", ORS, ORS.parse_scores(["3", "3", "4", str(3 + week)]), when)
    store.record("C1", ORS, ORS.parse_scores(["6", "6", "6", "6"]), "2026-02-23", rater="partner")
    wrong = store.record("C4", ORS, ORS.parse_scores(["9", "9", "9", "9"]), "2025-06-02")
    store.void(wrong.id, "entered for the wrong client")
    moved = store.record("C4", ORS, ORS.parse_scores(["2", "2", "2", "2"]), "2025-06-09")
    store.move(moved.id, "C3")
    store.record("C4", ORS, ORS.parse_scores(["3", "4", "3", "4"]), "2025-06-16")
    store.add_episode_event("C4", "end", "2025-06-20", "planned")
    store.update_client("C4", archived=True)
    store.close()


class Day:
    """The day a test chose as today (``fittui.cli.caseload.today``)."""

    chosen = TODAY

    @classmethod
    def today(cls) -> str:
        return cls.chosen.isoformat()


@pytest.fixture
def config(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("FITTUI_CONFIG", str(folder))
    monkeypatch.delenv("FITTUI_DB", raising=False)
    monkeypatch.setattr(fittui.cli.caseload, "today", Day.today)
    Day.chosen = TODAY
    return folder


@pytest.fixture
def db(tmp_path: Path, config: Path) -> Path:
    path = tmp_path / "data" / "fittui.json"
    caseload_database(path)
    return path


def run(db: Path, *args: str) -> bytes:
    """``fittui --db DB ARGS`` in this process: its standard output, as bytes; it must end well."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(out):
        assert main(["--db", str(db), *args]) == 0
        out.flush()
    return out.buffer.getvalue()  # type: ignore[attr-defined]


def full_rescore(db: Path, kind: str, today: date) -> bytes:
    """What ``kind --json`` must print: every row derived from all the ratings, nothing kept."""
    rules = Rules(INSTRUMENTS, load_parameters(None), 90)
    store = Store(db, read_only=True)
    by_client = store.administrations_by_client()
    events = store.episode_events_by_client()
    rows = []
    for client in sorted(store.clients(), key=lambda c: c.code):
        linked = [a for code in client.linked for a in by_client.get(code, [])]
        mine, theirs = by_client.get(client.code, []), events.get(client.code, [])
        row = derive_row(client, mine, theirs, linked, rules, today)
        if kind == "report":
            rows.append(row.report)
            continue
        rows.append(
            {
                "code": client.code,
                "label": shown(client.label),
                "age_group": client.age_group,
                "archived": client.archived,
                "administrations": row.administrations,
                "last_seen": row.last_seen,
                "instruments": list(client.instruments),
                "language": client.language,
            }
        )
    return fittui.cli.output.json_bytes(rows)


def kept(db: Path, kind: str) -> Path:
    return printed.printed_path(db, kind)


# -- the output, byte for byte --------------------------------------------------------------
@pytest.mark.parametrize("kind", printed.KINDS)
def test_the_output_is_what_fittui_printed_before_it_was_kept(db: Path, kind: str) -> None:
    expected = (PINNED / f"{kind}.json").read_bytes()
    first = run(db, kind, "--json")  # the full way, which keeps it
    assert first == expected
    assert kept(db, kind).exists()
    assert run(db, kind, "--json") == expected  # the kept output
    assert run(db, "--read-only", kind, "--json") == expected


# -- printed again only while the stamp holds -------------------------------------------------
def test_the_kept_output_is_printed_without_opening_the_database(db: Path, monkeypatch) -> None:
    expected = run(db, "report", "--json")
    opened = []
    real = Store.__init__

    def counted(self, *args, **kwargs) -> None:
        opened.append(args)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "__init__", counted)
    assert run(db, "report", "--json") == expected
    assert opened == []
    kept(db, "report").write_bytes(kept(db, "report").read_bytes().replace(b"C1", b"C9"))
    assert run(db, "report", "--json") == expected
    assert len(opened) == 1


@pytest.mark.parametrize("kind", printed.KINDS)
def test_a_save_since_is_seen(db: Path, kind: str) -> None:
    run(db, kind, "--json")
    store = Store(db)
    store.record("C4", ORS, ORS.parse_scores(["1", "1", "1", "1"]), "2025-06-23")
    store.update_client("C1", label="Zoe")
    assert run(db, kind, "--json") == full_rescore(db, kind, TODAY)
    assert run(db, kind, "--json") == full_rescore(db, kind, TODAY)


def test_another_day_is_seen(db: Path) -> None:
    before = run(db, "report", "--json")
    Day.chosen = TODAY + timedelta(days=1)
    assert run(db, "report", "--json") == before  # every row still holds the next day
    Day.chosen = TODAY + timedelta(days=200)  # C1's and C2's episodes have lapsed since
    later = run(db, "report", "--json")
    assert later == full_rescore(db, "report", Day.chosen) and later != before
    Day.chosen = TODAY - timedelta(days=1)  # the clock set back: nothing kept holds
    assert run(db, "report", "--json") == full_rescore(db, "report", Day.chosen)


def test_other_rules_are_seen(db: Path, config: Path) -> None:
    run(db, "report", "--json")
    config.mkdir(exist_ok=True)
    (config / "settings.toml").write_text("[episodes]\ngap_days = 5\n")
    rules = Rules(INSTRUMENTS, load_parameters(None), 5)
    store = Store(db, read_only=True)
    expected = [row.report for row in store.client_rows(rules, TODAY).values()]
    assert run(db, "report", "--json") == fittui.cli.output.json_bytes(expected)
    (config / "settings.toml").write_text("[episodes]\ngap_days = 90\n")
    assert run(db, "report", "--json") == full_rescore(db, "report", TODAY)


def test_a_rules_file_that_cannot_be_read_is_still_an_error(db: Path, config: Path, capsys):
    run(db, "report", "--json")
    (config / "instruments").mkdir(parents=True)
    (config / "instruments" / "mine.toml").write_text("not toml [")
    assert main(["--db", str(db), "report", "--json"]) == 1
    assert "not valid TOML" in capsys.readouterr().err
    # clients shows no score: fittui's own rules then, its output not kept under them
    before = kept(db, "clients").read_bytes() if kept(db, "clients").exists() else None
    assert run(db, "clients", "--json") == full_rescore(db, "clients", TODAY)
    after = kept(db, "clients").read_bytes() if kept(db, "clients").exists() else None
    assert after == before


def test_the_rules_sources_change_with_anything_the_rules_are_read_from(tmp_path: Path) -> None:
    import fittui.storage.derived

    folders, files = printed.rule_sources()
    assert Path(fittui.storage.derived.__file__) in files  # RULES_VERSION: how rows are made
    assert any(folder.glob("ors.toml") for folder in folders)  # fittui's own instruments
    mine, module = tmp_path / "instruments", tmp_path / "derived.py"
    mine.mkdir()
    module.write_text("RULES_VERSION = 1\n")
    seen = {printed.rules_sources([mine], [module])}
    for change in (
        lambda: (mine / "a.toml").write_text('key = "A"\n'),
        lambda: (mine / "a.toml").write_text('key = "B"\n'),
        lambda: (mine / "b.toml").write_text(""),
        lambda: (mine / "b.toml").rename(mine / "c.toml"),
        lambda: module.write_text("RULES_VERSION = 2\n"),
        lambda: (mine / "c.toml").unlink(),
    ):
        change()
        seen.add(printed.rules_sources([mine], [module]))
    assert len(seen) == 7
    (mine / "notes.txt").write_text("not a rules file")
    assert printed.rules_sources([mine], [module]) in seen


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace(b'"ors_last": 22.0', b'"ors_last": 29.0', 1),  # CRC left as was
        lambda text: text[: len(text) // 2],
        lambda text: text + b"more",
        lambda text: b"\x00" * len(text),
        lambda text: b"",
        lambda text: text.replace(b"fittui-printed 1 ", b"fittui-printed 9 ", 1),
    ],
)
def test_a_damaged_kept_output_is_never_believed(db: Path, damage) -> None:
    expected = run(db, "report", "--json")
    text = kept(db, "report").read_bytes()
    kept(db, "report").write_bytes(damage(text))
    assert run(db, "report", "--json") == expected
    assert kept(db, "report").read_bytes() == text  # written anew


def test_a_save_while_the_output_is_derived_is_not_kept_as_if_before(db: Path, monkeypatch):
    looked = printed.files_now

    def then_a_save(path: Path) -> printed.Files | None:
        files = looked(path)
        Store(path).record("C4", ORS, ORS.parse_scores(["1", "1", "1", "1"]), "2025-06-23")
        monkeypatch.setattr(printed, "files_now", looked)
        return files

    monkeypatch.setattr(printed, "files_now", then_a_save)
    assert run(db, "report", "--json") == full_rescore(db, "report", TODAY)  # the save seen
    assert not kept(db, "report").exists()  # stamped as the files before it: not kept
    assert run(db, "report", "--json") == full_rescore(db, "report", TODAY)
    assert kept(db, "report").exists()


def test_output_that_cannot_be_written_is_not_written_twice(db: Path, capsys) -> None:
    run(db, "report", "--json")  # kept

    class Full(io.BytesIO):
        def write(self, data) -> int:
            writes.append(len(data))
            raise OSError(28, "No space left on device")

    writes: list[int] = []
    out = io.TextIOWrapper(Full(), encoding="utf-8")
    with redirect_stdout(out):
        assert main(["--db", str(db), "report", "--json"]) == 1
    assert len(writes) == 1  # the kept output, once; not the full way's after it
    assert "No space left on device" in capsys.readouterr().err


def test_read_only_never_writes_it(db: Path) -> None:
    before = sorted(p.name for p in db.parent.iterdir())
    for kind in printed.KINDS:
        assert run(db, "--read-only", kind, "--json") == full_rescore(db, kind, TODAY)
    assert sorted(p.name for p in db.parent.iterdir()) == before


def test_nothing_is_kept_beside_no_database(tmp_path: Path, config: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "xdg" / "fittui"  # the default place, no database in it yet
    folder.mkdir(parents=True)
    for kind in printed.KINDS:
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        with redirect_stdout(out):
            assert main([kind, "--json"]) == 0
            out.flush()
        assert out.buffer.getvalue() == b"[]\n"  # type: ignore[attr-defined]
    assert not [p for p in folder.iterdir() if p.name.startswith("fittui.json.summaries.")]


def test_the_kept_output_is_private(db: Path) -> None:
    run(db, "clients", "--json")
    assert os.stat(kept(db, "clients")).st_mode & 0o777 == 0o600


def test_the_kept_output_is_printed_with_nothing_of_the_domain_loaded(db: Path, config: Path):
    env = {**os.environ, "FITTUI_CONFIG": str(config), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("FITTUI_DB", None)
    code = (
        "import sys\n"
        "from fittui.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = ('fittui.domain', 'fittui.storage.store', 'fittui.storage.journal', 'tinydb')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    argv = [sys.executable, "-c", code, "--db", str(db), "report", "--json"]
    first = subprocess.run(argv, capture_output=True, env=env, check=True)
    again = subprocess.run(argv, capture_output=True, env=env, check=True)
    assert again.stdout == first.stdout and json.loads(first.stdout)
    assert "fittui.domain" in first.stderr.decode()  # the full way, the first time
    assert again.stderr.decode().strip() == "[]"


# -- whatever happens, the output is a full rescore's -------------------------------------------
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(["C1", "C2", "C3", "C4"]), st.integers(0, 60)),
        st.tuples(st.just("void"), st.integers(0, 80)),
        st.tuples(st.just("label"), st.sampled_from(["C1", "C3"]), st.text("ab é", max_size=3)),
        st.tuples(st.just("compact")),
        st.tuples(st.just("day"), st.integers(-3, 300)),
        st.tuples(st.just("lose"), st.sampled_from(printed.KINDS)),
        st.tuples(st.just("read-only")),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(OPERATIONS)
def test_the_output_equals_a_full_rescore_after_any_steps(db: Path, operations) -> None:
    Day.chosen = TODAY
    for op in operations:
        read_only = False
        if op[0] == "record":
            when = (date(2025, 12, 1) + timedelta(days=op[2])).isoformat()
            Store(db).record(op[1], ORS, ORS.parse_scores(["5", "5", "5", "5"]), when)
        elif op[0] == "void":
            counted = Store(db).administrations()
            if counted:
                Store(db).void(counted[op[1] % len(counted)].id, "entered in error")
        elif op[0] == "label":
            Store(db).update_client(op[1], label=op[2])
        elif op[0] == "compact":
            store = Store(db)
            store.storage.write(store.storage.read())
        elif op[0] == "day":
            Day.chosen = TODAY + timedelta(days=op[1])
        elif op[0] == "lose":
            kept(db, op[1]).unlink(missing_ok=True)
        else:
            read_only = True
        for kind in printed.KINDS:
            flags = ["--read-only"] if read_only else []
            expected = full_rescore(db, kind, Day.chosen)
            assert run(db, *flags, kind, "--json") == expected
            assert run(db, *flags, kind, "--json") == expected  # kept, unless read-only
