"""The client list's flags column takes only the room the other columns leave: a client
with many flags never pushes the last-seen and label columns off the screen, and flags
that do not fit are left out whole, each shown with its rater's mark, with "…" for the
rest (the history and the caseload name them all)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import screen_text, until
from fittui.storage.settings import Settings
from fittui.ui.app import make_app
from fittui.ui.widgets.row_table import RowTable

TODAY = date(2026, 12, 1)


def build(cli) -> None:
    """K1, a child with a parent's falling SRS (⇆split ▼SRS(pa) ↓SRS(pa) !item(pa)); C5,
    an adult with a partner, five flags in all; A1 with none."""
    cli("add-client", "K1", "--age-group", "child", "--label", "Tue 10am")
    for day, cors, parent in (("2026-10-01", "7", "9"), ("2026-10-15", "8.2", "7")):
        cli("record", "K1", "CORS", *[cors] * 4, "--date", day)
        cli("record", "K1", "CSRS", *["9"] * 4, "--date", day)
        cli("record", "K1", "SRS", *[parent] * 4, "--rater", "parent", "--date", day)
    cli("add-client", "C5", "--label", "Thu 9am")
    for day, srs in (("2026-11-01", "9.5"), ("2026-11-15", "9.5")):
        cli("record", "C5", "ORS", *["5"] * 4, "--date", day)
        cli("record", "C5", "SRS", *[srs] * 4, "--date", day)
        cli("record", "C5", "SRS", *["8.5" if day < "2026-11-15" else "7"] * 4,
            "--rater", "partner", "--date", day)  # fmt: skip
    cli("add-client", "A1", "--label", "Mon 8am")
    cli("record", "A1", "ORS", *["8"] * 4, "--date", "2026-11-20")


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_many_flags_push_no_column_off_the_screen(cli, db, size):
    build(cli)
    app = make_app(db, settings=Settings(), today=TODAY)
    async with app.run_test(size=size) as pilot:
        table = app.screen.query_one(RowTable)
        await until(pilot, lambda: table.row_count == 3)
        await pilot.pause()
        headers = [str(column.label) for column in table.columns.values()]
        wanted = ["Client", "Status", "ORS", "SRS", "Flags"]
        assert headers == (wanted + ["Seen", "Label"] if size[0] >= 70 else wanted)
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.scrollable_content_region.width
        flags = {key.value: table.get_row(key)[4].plain for key in table.rows}
        assert flags.pop("A1") == ""
        for code, shown in flags.items():
            symbols = shown.split()
            if symbols and symbols[-1] == "…":
                symbols.pop()
            assert symbols, (code, shown)
            for symbol in symbols:  # every symbol whole, a rater's with its mark
                assert symbol in {
                    "▼ORS", "⇆split", "▼SRS(pa)", "↓SRS(pa)", "!item(pa)",
                    "▼SRS(pt)", "↓SRS(pt)", "!item(pt)",
                }, (code, shown)  # fmt: skip
        assert flags["C5"].endswith(" …")  # five flags never fit beside the label
        assert flags["K1"].startswith("⇆split ▼SRS(pa)")
        text = screen_text(app)
        assert "Tue 10am" in text or size[0] < 70
