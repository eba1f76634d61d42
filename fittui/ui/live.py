"""A screen that shows the database and redraws when it changes, from any process.

The app looks for saves twice a second (``FitApp.look_for_saves``, the only poll) and tells
the screen on top which clients changed; every screen that shows data is a ``LiveScreen``
and redraws from the store, never reading the disk itself.
"""

from __future__ import annotations

from textual.screen import Screen

from fittui.ui.access import FitAppAccess
from fittui.ui.messages import DataChanged


class LiveScreen(Screen, FitAppAccess):
    """Calls ``redraw`` at mount, when a save lands (a copy of fittui over SSH, ``fittui
    record`` in another shell) and when the screen comes back to the top after a save made
    on a screen above it. A screen that can redraw only what changed for some clients says
    so in ``redraw_clients``."""

    def __init__(self) -> None:
        super().__init__()
        self._generation = -1

    def redraw(self) -> None:
        """Read what the screen shows from the store and show it."""
        raise NotImplementedError

    def redraw_clients(self, codes: frozenset[str]) -> None:
        """Show what changed for the clients ``codes``; by default, everything again."""
        self.redraw()

    def reload(self, force: bool = False, codes: frozenset[str] | None = None) -> None:
        """Redraw if the store changed since the last drawing (or ``force``): only the
        clients ``codes`` when the change is known to be theirs alone."""
        generation = self.fit_app.store.generation
        if force or generation != self._generation:
            self._generation = generation
            if codes is None or force:
                self.redraw()
            elif codes:
                self.redraw_clients(codes)

    def on_mount(self) -> None:
        self.reload(force=True)

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload(codes=message.codes)

    def on_screen_resume(self) -> None:
        self.reload()
