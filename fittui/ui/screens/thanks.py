"""The hand-back screen, still in client mode: thanks, and who gets the laptop next.

In `fittui rate` (one person at their own keyboard) there is no one to hand back to: Enter
closes fittui.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.widgets import Static

from fittui.ui.client_mode import ClientModeScreen


class ThankYouScreen(ClientModeScreen[str]):
    """Dismisses with "next" (the next rater begins), "therapist" (the therapist key and
    PIN) or, in `fittui rate`, "close"."""

    BINDINGS = [Binding("enter", "next", show=False)]

    def __init__(self, next_rater: str | None = None) -> None:
        super().__init__()
        self.next_rater = next_rater

    def compose(self) -> ComposeResult:
        if self.next_rater:
            after = (
                f"Please hand the laptop to the next person ({self.next_rater}).\n\n"
                "Press Enter to begin."
            )
        elif self.fit_app.one_person:
            after = "Your answers are saved.\n\nPress Enter to close."
        else:
            after = "Please hand the laptop back to your therapist."
        with Middle():
            with Center():
                yield Static(f"Thank you.\n\n{after}", id="thanks")

    def action_next(self) -> None:
        if self.next_rater:
            self.dismiss("next")
        elif self.fit_app.one_person:
            self.dismiss("close")

    def on_therapist(self) -> None:
        self.dismiss("therapist")
