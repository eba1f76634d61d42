"""The client list: who is on the caseload and how each is doing, at a glance."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fittui.instruments import format_tenths
from fittui.report import caseload

FLAG_SYMBOLS = {
    "ors_below_cutoff": "▼ORS",
    "srs_below_cutoff": "▼SRS",
    "srs_item_low": "!item",
    "srs_drop": "↓SRS",
}
POLL_SECONDS = 1.0


class ClientsScreen(Screen):
    """Active clients with status, latest ORS and SRS, flags and last session."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._seen_generation = -1

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row", zebra_stripes=True, id="clients")
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Client", "Label", "Status", "ORS", "SRS", "Flags", "Last seen")
        self.reload()
        self.set_interval(POLL_SECONDS, self.reload)

    def reload(self) -> None:
        """Redraw when this or another process saved something since the last look."""
        store = self.app.store
        store.clients()
        if store.storage.generation == self._seen_generation:
            return
        self._seen_generation = store.storage.generation
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        clients = store.clients(include_archived=False)
        rows = caseload(clients, store.administrations_by_client(), self.app.instruments)
        for client, summary in rows:
            last_srs = summary.srs[-1].total if summary.srs else None
            seen = max((a.day for a in summary.ors + summary.srs), default="-")
            table.add_row(
                client.code,
                client.label,
                summary.status,
                format_tenths(summary.latest.total if summary.latest else None),
                format_tenths(last_srs),
                " ".join(FLAG_SYMBOLS[f] for f in summary.flags),
                seen,
                key=client.code,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self.query_one("#empty", Static).update(
            "" if rows else "No clients yet. Add one from the command line: fittui add-client CODE"
        )
