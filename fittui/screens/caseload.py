"""The caseload: every active client's numbers side by side, filtered by status or flag.

For reviewing at home or in supervision: who has reliably changed, who is below the
cut-off, who has not been seen for weeks. Enter opens a client's history.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Select, Static

from fittui.report import Overview
from fittui.scoring import FLAGS, STATUSES
from fittui.screens.cells import (
    change_cell,
    flags_cell,
    plain,
    score_cell,
    status_cell,
    zone_cell,
)
from fittui.screens.live import LiveScreen
from fittui.widgets.row_table import RowTable

ANY = "any"
ANY_FLAG = "any_flag"


def matches(o: Overview, status: str, flag: str) -> bool:
    """Whether a client passes the status and flag filters."""
    if status != ANY and o.summary.status != status:
        return False
    if flag == ANY_FLAG:
        return bool(o.summary.flags)
    return flag == ANY or flag in o.summary.flags


class CaseloadScreen(LiveScreen):
    """Every active client, those who need attention first."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("t", "filter('#status')", "Status filter"),
        Binding("f", "filter('#flag')", "Flag filter"),
        Binding("r", "reset", "All clients"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._overviews: dict = {}  # report.overviews' cache: only changed clients rescored
        self.rows: list[Overview] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select(
                [(f"status: {s}", s) for s in STATUSES],
                prompt="status: any",
                compact=True,
                id="status",
            )
            yield Select(
                [("flag: any flag", ANY_FLAG)]
                + [(f"flag: {symbol} {words}", key) for key, (symbol, words) in FLAGS.items()],
                prompt="flag: any or none",
                compact=True,
                id="flag",
            )
        yield Static(id="count")
        yield RowTable(id="caseload")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            "Client", "Status", "Intake", "Latest", "Change", "Path", "SRS", "Sess", "Wks", "Flags"
        )
        table.focus()

    def redraw(self) -> None:
        self.rows = self.app.overviews(False, self._overviews)
        self.show_rows()

    def _filter(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return ANY if value is Select.NULL else str(value)

    def show_rows(self) -> None:
        status, flag = self._filter("#status"), self._filter("#flag")
        shown = [o for o in self.rows if matches(o, status, flag)]
        table = self.query_one(RowTable)
        rows = []
        for o in shown:
            s = o.summary
            cells = (
                plain(o.client.code),
                status_cell(self.app, s.status),
                score_cell(s.intake.total if s.intake else None),
                score_cell(s.latest.total if s.latest else None),
                change_cell(s.change),
                zone_cell(self.app, s.etr_zone),
                score_cell(s.srs[-1].total if s.srs else None),
                plain(str(o.sessions)),
                plain("-" if o.days_since is None else str(o.days_since // 7)),
                flags_cell(self.app, s.flags),
            )
            rows.append((cells, o.client.code))
        table.fill(rows, table.cursor_key or 0)
        self.query_one("#count", Static).update(
            f"{len(shown)} of {len(self.rows)} active clients · Enter opens a history"
        )

    def on_select_changed(self) -> None:
        self.show_rows()

    def action_filter(self, selector: str) -> None:
        select = self.query_one(selector, Select)
        select.focus()
        select.action_show_overlay()

    def action_reset(self) -> None:
        for selector in ("#status", "#flag"):
            self.query_one(selector, Select).clear()
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_history(event.row_key.value)

    def action_back(self) -> None:
        self.app.pop_screen()
