"""``fittui record``'s own path: the instruments' scales as a table, the save through the
database without the rest of the store, and what it leaves for the next reader.

The command runs often and alone in a fresh process, so it loads only what a save needs;
these tests hold it to the same answers as the full instruments and the full store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import fittui.domain.instruments
import fittui.storage.journal
from fittui.domain.etr import default_parameters
from fittui.domain.instruments import load_instruments
from fittui.domain.scales import BUILTIN_SCALES, InstrumentError, find_scale
from fittui.storage import summaries
from fittui.storage.derived import Rules
from fittui.storage.store import Store

INSTRUMENTS = load_instruments()
RULES = Rules(INSTRUMENTS, default_parameters(), 90)


def test_the_scales_table_is_what_the_instrument_files_say() -> None:
    assert list(BUILTIN_SCALES) == list(INSTRUMENTS)
    assert BUILTIN_SCALES == {key: i.scale for key, i in INSTRUMENTS.items()}


@pytest.mark.parametrize(
    "key, scores",
    [
        ("ors", ["5.1", "0", "10", "7.3"]),
        ("PHQ-9", ["0", "1", "2", "3", "0", "1", "2", "3", "3"]),
        ("ORS", ["10.1", "5", "5", "5"]),
        ("ORS", ["5.55", "5", "5", "5"]),
        ("GAD-7", ["1", "1", "1", "1", "1", "1", "1.5"]),
        ("YCORS", ["nan"]),
        ("SRS", ["5", "5", "5"]),
    ],
)
def test_a_scale_reads_scores_as_its_instrument_does(key: str, scores: list[str]) -> None:
    instrument = find_scale(BUILTIN_SCALES, key)
    full = INSTRUMENTS[instrument.key]
    try:
        expected: object = full.parse_scores(scores)
    except InstrumentError as exc:
        expected = str(exc)
    try:
        found: object = instrument.parse_scores(scores)
    except InstrumentError as exc:
        found = str(exc)
    assert found == expected
    assert instrument.format_score(255) == full.format_score(255)


def test_an_unknown_instrument_is_named_with_the_known_ones() -> None:
    with pytest.raises(InstrumentError, match=r"unknown instrument 'XYZ' \(known: ORS, SRS,"):
        find_scale(BUILTIN_SCALES, "XYZ")


def test_record_loads_neither_the_store_nor_the_instrument_files(tmp_path: Path) -> None:
    db = tmp_path / "data" / "fittui.json"
    store = Store(db)
    store.add_client("C1")
    ors = INSTRUMENTS["ORS"]
    store.record("C1", ors, ors.parse_scores(["1", "1", "1", "1"]))  # today's backup
    store.close()
    code = (
        "import sys\n"
        "from fittui.cli.main import main\n"
        "code = main(['--db', sys.argv[1], 'record', 'C1', 'ORS', '5', '5', '5', '5'])\n"
        "print(sorted(sys.modules))\n"
        "sys.exit(code)\n"
    )
    env = {"FITTUI_CONFIG": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.splitlines()[-1]
    for heavy in (
        "fittui.storage.store",
        "fittui.domain.instruments",
        "fittui.storage.settings",
        "fittui.storage.snapshot_read",
        "fittui.storage.snapshot_file",
        "fittui.domain.episodes",
        "tomllib",
    ):
        assert f"'{heavy}'" not in loaded


def test_record_reads_a_users_own_instrument(cli, tmp_path: Path) -> None:
    folder = tmp_path / "config" / "instruments"
    folder.mkdir(parents=True)
    ors = (Path(fittui.domain.instruments.__file__).parent / "ors.toml").read_text()
    (folder / "mine.toml").write_text(ors.replace('key = "ORS"', 'key = "MINE"'))
    assert cli("add-client", "C1").code == 0
    result = cli("record", "C1", "mine", "5", "5", "5", "5.5")
    assert result.code == 0, result.err
    assert "Saved MINE for C1" in result.out and "total 20.5" in result.out
    (folder / "broken.toml").write_text("key = ")
    result = cli("record", "C1", "ORS", "5", "5", "5", "5")
    assert result.code == 1 and "broken.toml" in result.err


def test_a_compaction_by_record_keeps_the_other_clients_rows(cli, db: Path, monkeypatch) -> None:
    for code in ("C1", "C2", "C3"):
        assert cli("add-client", code).code == 0
        assert cli("record", code, "ORS", "5", "5", "5", "5", "--date", "2026-01-05").code == 0
    Store(db).client_rows(RULES)
    before = summaries.read(db)
    assert set(before.rows) == {"C1", "C2", "C3"}
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(fittui.storage.journal, "COMPACT_FRACTION", 10**9)
    assert cli("record", "C1", "ORS", "6", "6", "6", "6", "--date", "2026-01-12").code == 0
    kept = summaries.read(db)
    assert kept.head is not None and before.head is not None
    assert kept.head.journal != before.head.journal  # it compacted
    assert set(kept.rows) == {"C2", "C3"}  # C1's changed, the others carried over
    assert kept.head.rules == before.head.rules
    rows = Store(db).client_rows(RULES)
    assert json.dumps(rows["C1"].to_json()) != json.dumps(before.rows["C1"]["row"])


def test_a_save_reads_the_small_tables_only_when_the_index_cannot_say(
    cli, db: Path, monkeypatch
) -> None:
    for code in ("C1", "C2", "C3"):
        assert cli("add-client", code).code == 0
    assert cli("record", "C1", "ORS", "5", "5", "5", "5", "--date", "2026-01-05").code == 0
    store = Store(db)
    store.storage.write(store.storage.read())  # an indexed snapshot: C1 has lines in it
    Store(db).clients()  # read and checked whole: stamped
    parsed: list[bool] = []
    real = fittui.storage.journal.JournalStorage._parse_small

    def spy(self) -> None:
        parsed.append(self._small is not None)
        real(self)

    monkeypatch.setattr(fittui.storage.journal.JournalStorage, "_parse_small", spy)
    result = cli("record", "C1", "ORS", "6", "6", "6", "6", "--date", "2026-01-12")
    assert result.code == 0 and "Note" not in result.out
    assert parsed == []  # C1 is known by the index; the journal's lines name only C1
    assert cli("record", "C2", "SRS", "9", "9", "9", "9").code == 0  # no ratings yet
    assert parsed == [True]
    unknown = cli("record", "C9", "ORS", "5", "5", "5", "5")
    assert unknown.code == 1 and "unknown client 'C9'" in unknown.err
    assert [a.client for a in Store(db).administrations()] == ["C1", "C1", "C2"]
