"""``fittui history CODE`` and ``--json`` print exactly what they printed before the history
was made fast: every demo client (every status, flag and pattern), with a linked pair, an
ended episode, a voided and a redated rating, compared with the output kept in
``tests/data/history_output.json``.

Rating ids are random and a correction's time is the moment it was made, so both are
replaced by placeholders (the ids in order of appearance) before comparing; everything
else is compared byte for byte. The demo is built on a fixed day long past, so the output
does not change with the day the test runs.

To write the file anew after a deliberate change of the output:
``FITTUI_WRITE_HISTORY_OUTPUT=1 pytest tests/test_history_output.py``, then read the diff.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pytest

from fittui.storage.demo import make_demo_database
from fittui.storage.store import Store

KEPT = Path(__file__).parent / "data" / "history_output.json"
DEMO_DAY = date(2024, 3, 4)
CODES = [f"D{n:02d}" for n in range(1, 12)]
ID = re.compile(r"\b[0-9a-f]{12,32}\b")
MOMENT = re.compile(r'"at": "[0-9T:.+-]+"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[0-9.+:-]*')


def normalised(text: str) -> str:
    """The output with each rating id replaced by its order of first appearance and each
    correction's moment by a placeholder."""
    seen: dict[str, str] = {}
    text = ID.sub(lambda m: seen.setdefault(m.group(), f"<id{len(seen) + 1}>"), text)
    return MOMENT.sub("<moment>", text)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo database on a fixed day, with a linked pair, an ended and a new episode, a
    voided rating and a redated one."""
    path = make_demo_database(tmp_path / "demo", DEMO_DAY)
    store = Store(path)
    store.link("D02", "D03")
    d04 = store.all_administrations("D04")
    store.add_episode_events("D04", [("end", d04[3].day, "planned"), ("start", d04[4].day, None)])
    d01 = store.all_administrations("D01")
    store.void(d01[2].id, "entered in error")
    store.redate(d01[5].id, f"{d01[5].day}T18:30")
    store.close()
    return path


def test_history_prints_what_it_printed_before(demo, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    found = {}
    for code in CODES:
        for how in ("json", "text"):
            result = cli("history", code, *(["--json"] if how == "json" else []), db_path=demo)
            assert result.code == 0, result.err
            found[f"{code} {how}"] = normalised(result.out)
            if how == "json":  # asked again: printed as kept, the same bytes
                assert cli("history", code, "--json", db_path=demo).out == result.out
    if os.environ.get("FITTUI_WRITE_HISTORY_OUTPUT"):
        KEPT.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    kept = json.loads(KEPT.read_text(encoding="utf-8"))
    assert found.keys() == kept.keys()
    for key in kept:
        assert found[key] == kept[key], key
