"""The Textual app: screens wired together around one store, nothing clever.

``make_app`` is the one factory, used by the command line, the tests and the screenshot
script alike.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from fittui.instruments import Instrument, load_instruments
from fittui.locations import instruments_dir
from fittui.store import Store


class FitApp(App):
    """fittui: the client list, ratings in client mode, and what the ratings say."""

    CSS_PATH = "app.tcss"
    TITLE = "fittui"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        store: Store,
        instruments: dict[str, Instrument],
        today: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.instruments = instruments
        self.today = today
        if store.read_only:
            self.sub_title = "read-only"

    def on_mount(self) -> None:
        from fittui.screens.clients import ClientsScreen

        self.push_screen(ClientsScreen())


def make_app(
    db_path: Path,
    read_only: bool = False,
    instruments: dict[str, Instrument] | None = None,
    today: str | None = None,
) -> FitApp:
    """Open the database (raising if it cannot be read) and build the app around it."""
    store = Store(db_path, read_only=read_only)
    store.clients()  # an unreadable database fails here, before any screen is drawn
    return FitApp(store, instruments or load_instruments(instruments_dir()), today=today)
