"""A screen that shows the database and redraws when it changes, from any process."""

from __future__ import annotations

from textual.screen import Screen

from fittui.ui.access import FitAppAccess
from fittui.ui.messages import DataChanged


class LiveScreen(Screen, FitAppAccess):
    """Calls ``redraw`` at mount, when a save lands (the app polls for them: a copy of
    fittui over SSH, ``fittui record`` in another shell) and when the screen comes back
    to the top after a save made on a screen above it."""

    def __init__(self) -> None:
        super().__init__()
        self._generation = -1

    def redraw(self) -> None:
        """Read what the screen shows from the store and show it."""
        raise NotImplementedError

    def reload(self, force: bool = False) -> None:
        generation = self.fit_app.store.storage.generation
        if force or generation != self._generation:
            self._generation = generation
            self.redraw()

    def on_mount(self) -> None:
        self.reload(force=True)

    def on_data_changed(self, _: DataChanged) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()
