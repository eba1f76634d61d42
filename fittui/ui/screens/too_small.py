"""Shown instead of a broken screen when the terminal is smaller than fittui can use."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from fittui.domain.language import _
from fittui.ui.access import FitAppAccess

MIN_WIDTH, MIN_HEIGHT = 60, 20


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(ModalScreen[None], FitAppAccess):
    """Says what size is needed; the app takes it away as soon as the terminal is big enough.

    It has no keys of its own: whatever screen is underneath (a client rating, say) is
    exactly as it was when the terminal grows again. In client mode it speaks the client's
    language (the client is the one holding the laptop), otherwise the therapist's.
    """

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self.show(self.app.size.width, self.app.size.height)

    def show(self, width: int, height: int) -> None:
        if self.fit_app.client_mode:
            from fittui.ui.client_mode import clients_language  # not at start: no client yet

            words = clients_language(self.app.screen_stack).c_(
                "This terminal is {width}×{height}.\n"
                "fittui needs at least {min_width}×{min_height}:\n"
                "make the window larger or the font smaller."
            )
        else:
            words = _(
                "This terminal is {width}×{height}.\n"
                "fittui needs at least {min_width}×{min_height}:\n"
                "make the window larger or the font smaller."
            )
        self.query_one(Static).update(
            words.format(width=width, height=height, min_width=MIN_WIDTH, min_height=MIN_HEIGHT)
        )

    def on_screen_suspend(self, _: events.ScreenSuspend) -> None:
        """A screen pushed over the notice (a dialog a save or a worker opens) would be
        drawn broken in a terminal too small: the app checks again once it is up, and puts
        a notice over it."""
        self.app.call_after_refresh(self.fit_app.check_size)

    def on_screen_resume(self, _: events.ScreenResume) -> None:
        """Back on top once the screen over it closed: gone if the terminal grew meanwhile."""
        if not too_small(self.app.size.width, self.app.size.height):
            self.dismiss()
