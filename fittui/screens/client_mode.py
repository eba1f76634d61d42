"""Client mode: while the client holds the laptop, no key leads anywhere but the scale.

Every client-mode screen derives from :class:`ClientModeScreen`. The app refuses its own
quit, palette and suspend actions while one is active (``FitApp.check_action``), and the
only way out is the therapist key: ctrl+t twice within a few seconds.
"""

from __future__ import annotations

from time import monotonic

from textual.binding import Binding
from textual.screen import Screen

THERAPIST_KEY = "ctrl+t"
THERAPIST_WINDOW = 3.0


class ClientModeScreen(Screen):
    """A screen the client sees. Subclasses say what the therapist key does."""

    BINDINGS = [
        Binding(THERAPIST_KEY, "therapist_key", show=False, priority=True),
        Binding("escape", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("ctrl+q", "nothing", show=False, priority=True),
    ]
    AUTO_FOCUS = None

    def __init__(self) -> None:
        super().__init__()
        self._therapist_pressed_at = -THERAPIST_WINDOW

    def action_nothing(self) -> None:
        """Quit keys and Escape stay inside client mode."""

    def action_therapist_key(self) -> None:
        now = monotonic()
        if now - self._therapist_pressed_at <= THERAPIST_WINDOW:
            self._therapist_pressed_at = -THERAPIST_WINDOW
            self.on_therapist()
        else:
            self._therapist_pressed_at = now

    def on_therapist(self) -> None:
        """The therapist key was pressed twice: leave client mode the screen's way."""
        raise NotImplementedError
