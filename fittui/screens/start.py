"""Choosing what to rate and who rates, for collateral raters, couples, families and groups."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from fittui.instruments import Instrument
from fittui.model import InputError, check_rater


class StartRatingScreen(ModalScreen[tuple[str, list[str]] | None]):
    """Dismisses with (instrument key, raters in turn), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#raters"

    def __init__(self, instruments: dict[str, Instrument], default: str) -> None:
        super().__init__()
        self.instruments = instruments
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="start"):
            yield Label("Instrument")
            yield Select(
                [(f"{i.key}: {i.name}", i.key) for i in self.instruments.values()],
                value=self.default,
                allow_blank=False,
                id="instrument",
            )
            yield Label("Who rates, in turn (client, partner, parent, teacher...)")
            yield Input(value="client", id="raters")
            yield Static("", id="error")
            yield Button("Start", variant="primary", id="begin")

    def _start(self) -> None:
        raw = [r for r in self.query_one("#raters", Input).value.split(",") if r.strip()]
        try:
            raters = [check_rater(r) for r in raw]
        except InputError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        if not raters:
            self.query_one("#error", Static).update("Name at least one rater, e.g. client")
            return
        self.dismiss((self.query_one("#instrument", Select).value, raters))

    def on_input_submitted(self) -> None:
        self._start()

    def on_button_pressed(self) -> None:
        self._start()

    def action_cancel(self) -> None:
        self.dismiss(None)
