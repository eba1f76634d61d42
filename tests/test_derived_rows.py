"""A client's row read back from ``fittui.json.summaries`` is used only when it is the shape
``ClientRow.to_json`` writes, for that very client: anything else is derived again."""

from __future__ import annotations

from typing import Any

import pytest

from fittui.domain.model import Client
from fittui.storage.derived import ClientRow, row_from_json, row_json_fits

ROW = ClientRow(Client("C1", "adult"), 3, "2026-02-01", 2, 40, {"client": "C1", "flags": []})
GOOD = ROW.to_json()


def test_a_row_as_written_is_read_back() -> None:
    assert row_json_fits("C1", GOOD)
    assert row_from_json(Client("C1", "adult"), GOOD) == ROW
    assert row_json_fits("C1", {**GOOD, "last_seen": None})  # never rated


@pytest.mark.parametrize(
    "data",
    [
        None,
        7,
        "report",
        b"report",
        [],
        ["report"],
        {},
        {**GOOD, "report": {"client": "C2"}},  # another client's row
        {**GOOD, "report": ["client", "C1"]},
        {**GOOD, "report": "C1"},
        {**GOOD, "administrations": 3.0},
        {**GOOD, "administrations": "3"},
        {**GOOD, "last_seen": 20260201},
        {**GOOD, "sessions": None},
        {**GOOD, "attention": True},
        *({k: v for k, v in GOOD.items() if k != key} for key in GOOD),
    ],
)
def test_any_other_shape_is_not(data: Any) -> None:
    assert not row_json_fits("C1", data)
    assert row_from_json(Client("C1", "adult"), data) is None
