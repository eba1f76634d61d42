"""The client list: who is on the caseload and how each is doing, at a glance."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fittui.instruments import DEFAULTS_BY_AGE_GROUP, format_tenths
from fittui.model import Client
from fittui.report import caseload
from fittui.scoring import FLAGS

POLL_SECONDS = 1.0


class ClientsScreen(Screen):
    """Active clients with status, latest ORS and SRS, flags and last session."""

    BINDINGS = [
        Binding("o", "rate('ors')", "ORS"),
        Binding("s", "rate('srs')", "SRS"),
        Binding("m", "rate_more", "Other rating"),
        Binding("n", "toggle_numbers", "Numbers"),
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
        store.storage.read()  # picks up saves from any process, bumping the generation
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
                " ".join(FLAGS[f][0] for f in summary.flags),
                seen,
                key=client.code,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        empty = self.query_one("#empty", Static)
        empty.display = not rows
        empty.update("No clients yet. Add one from the command line: fittui add-client CODE")

    def selected(self) -> Client | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.app.store.client(row_key.value)

    def _can_rate(self) -> Client | None:
        if self.app.store.read_only:
            self.notify("Read-only: ratings cannot be saved here.", severity="warning")
            return None
        client = self.selected()
        if client is None:
            self.notify("Add a client first: fittui add-client CODE", severity="warning")
        return client

    def action_rate(self, family: str) -> None:
        """o and s: the ORS- or SRS-family instrument for the client's age group."""
        client = self._can_rate()
        if client:
            ors, srs = DEFAULTS_BY_AGE_GROUP[client.age_group]
            self.app.start_rating(client.code, ors if family == "ors" else srs, ["client"])

    def action_rate_more(self) -> None:
        """Any instrument (GSRS for a group), with one or more raters in turn."""
        from fittui.screens.start import StartRatingScreen

        client = self._can_rate()
        if client is None:
            return

        def chosen(choice: tuple[str, list[str]] | None) -> None:
            if choice:
                self.app.start_rating(client.code, choice[0], choice[1])

        default = DEFAULTS_BY_AGE_GROUP[client.age_group][1]
        self.app.push_screen(StartRatingScreen(self.app.instruments, default), chosen)

    def action_toggle_numbers(self) -> None:
        self.app.show_numbers = not self.app.show_numbers
        shown = "shown" if self.app.show_numbers else "hidden"
        self.notify(f"Numbers on the rating lines are {shown} in client mode.")
