"""The caseload: every active client's numbers side by side, filtered by status or flag.

For reviewing at home or in supervision: who has reliably changed, who is below the
cut-off, who has not been seen for weeks. Enter opens a client's history.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Select, Static

from fittui.domain.flags import FLAGS, flag_base
from fittui.domain.language import N_, _, n_
from fittui.domain.overview import Overview
from fittui.domain.scoring import STATUSES, progress_totals
from fittui.ui.cells import (
    FLAG_SYMBOL_WIDTH,
    STATUS_FILTER_WORDS,
    change_cell,
    flags_cell,
    plain,
    score_cell,
    status_cell,
    status_words,
    zone_cell,
)
from fittui.ui.live import LiveScreen
from fittui.ui.screens.keys import GoesBack, key_sections, section_bindings
from fittui.ui.widgets.keys_footer import KeysFooter
from fittui.ui.widgets.row_table import RowTable

# The flags come third, so that every flag is in view at 80 columns (wrapped, two symbols
# to a line, when the rest does not leave them room); what follows scrolls sideways.
COLUMNS = (
    N_("Client"),
    N_("Status"),
    N_("Flags"),
    N_("Intake"),
    N_("Latest"),
    N_("Change"),
    N_("Path"),
    N_("SRS"),
    N_("Sess"),
    N_("Wks"),
)
FLAGS_COLUMN = COLUMNS.index("Flags")
FLAGS_WRAPPED = 2 * FLAG_SYMBOL_WIDTH - 1  # "⚠item9 ✗ETR", "▼ORS ▼SRS" on one line
ANY = "any"
ANY_FLAG = "any_flag"


def matches(o: Overview, status: str, flag: str) -> bool:
    """Whether a client passes the status and flag filters; a flag raised by a partner
    or a parent ("srs_drop:partner") passes the filter for that flag."""
    if status != ANY and o.summary.status != status:
        return False
    if flag == ANY_FLAG:
        return bool(o.summary.flags)
    return flag == ANY or flag in map(flag_base, o.summary.flags)


class CaseloadScreen(GoesBack, LiveScreen):
    """Every active client, those who need attention first."""

    KEYS_TITLE = N_("the caseload")
    PLACE = "caseload"
    KEYS = key_sections("caseload")
    BINDINGS = section_bindings(KEYS, footer=("back", "filter", "reset"))
    NARROW_KEYS = frozenset({"back", "filter", "show_keys"})

    def __init__(self) -> None:
        super().__init__()
        self._overviews: dict = {}  # report.overviews' cache: only changed clients rescored
        self.rows: list[Overview] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="filters"):
            yield Select(
                [
                    (_("status: {status}").format(status=_(STATUS_FILTER_WORDS.get(s, s))), s)
                    for s in STATUSES
                ],
                prompt=_("status: any"),
                compact=True,
                id="status",
            )
            yield Select(
                [(_("flag: any flag"), ANY_FLAG)]
                + [
                    (_("flag: {flag}").format(flag=f"{symbol} {_(words)}"), key)
                    for key, (symbol, words) in FLAGS.items()
                ],
                prompt=_("flag: any or none"),
                compact=True,
                id="flag",
            )
        yield Static(id="count")
        yield RowTable(id="caseload", tall_rows=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(_(name) for name in COLUMNS))
        table.fixed_columns = 1  # the client's code stays in view when it scrolls sideways
        table.focus()

    def redraw(self) -> None:
        self.rows = self.fit_app.overviews(False, self._overviews)
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
            intake, latest, change = progress_totals(s.progress)
            cells = [
                plain(o.client.code),
                status_cell(self.app, s.status, status_words(o.client, s)),
                score_cell(intake),
                score_cell(latest),
                change_cell(change),
                zone_cell(self.app, s.etr_zone),
                score_cell(s.srs[-1].total if s.srs else None),
                plain(str(o.sessions)),
                plain("-" if o.days_since is None else str(o.days_since // 7)),
            ]
            rows.append((cells, o))
        width = self.flags_width([cells for cells, _ in rows])
        filled = []
        for cells, o in rows:
            cells.insert(FLAGS_COLUMN, flags_cell(self.app, o.summary.flags, width))
            filled.append((cells, o.client.code))
        current = table.cursor_key  # the same client stays under the cursor when it re-sorts
        keys = [code for _, code in filled]
        table.fill(filled, current if current in keys else table.cursor_row)
        no_srs = sum(len(o.summary.missing_srs) for o in shown)
        missing = _(" · {n} no SRS").format(n=no_srs) if no_srs else ""  # ORS, no SRS
        count = n_(
            "{shown} of {n} active client{missing} · Enter opens a history",
            "{shown} of {n} active clients{missing} · Enter opens a history",
            len(self.rows),
        )
        self.query_one("#count", Static).update(
            count.format(shown=len(shown), n=len(self.rows), missing=missing)
        )

    def flags_width(self, rows: list[list[Text]]) -> int:
        """The width the flags wrap at: what the other columns leave of the screen, but
        never less than two symbols side by side."""
        others = [name for name in COLUMNS if name != "Flags"]
        used = sum(
            max([len(_(name))] + [row[n].cell_len for row in rows]) + 2
            for n, name in enumerate(others)
        )
        scroll_bar = 2 if len(rows) > self.query_one(RowTable).size.height else 0
        return max(FLAGS_WRAPPED, self.size.width - used - 2 - scroll_bar)

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
        code = event.row_key.value
        assert code is not None  # every row is filled in with its client's code as the key
        self.fit_app.open_history(code)

    def on_resize(self) -> None:
        if self.rows:
            self.show_rows()

    def action_back(self, _place: str = "") -> None:
        self.app.pop_screen()
