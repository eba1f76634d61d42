"""The hand-back screen, still in client mode: thanks, and who gets the laptop next.

In `fittui rate` (one person at their own keyboard) there is no one to hand back to: Enter
closes fittui.
"""

from __future__ import annotations

from functools import cached_property

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.widgets import Static

from fittui.domain.language import Translator, rater_name
from fittui.ui.client_mode import ClientModeScreen, client_speaks


class ThankYouScreen(ClientModeScreen[str]):
    """Dismisses with "next" (the next rater begins), "therapist" (the therapist key and
    PIN) or, in `fittui rate`, "close"."""

    BINDINGS = [Binding("enter", "next", show=False)]
    HAND_ON_PAUSE = 1.0
    """Seconds the hand-on screen takes no key after it appears: a rater pressing Enter
    twice at a human pace (not in one read of the terminal) to finish would otherwise
    begin the next person's rating themselves, the laptop never handed on."""

    def __init__(
        self, next_rater: str | None = None, client_code: str | None = None, saved: bool = True
    ) -> None:
        super().__init__()
        self.next_rater = next_rater
        self.client_code = client_code
        """Whose session it is: the screen speaks their language."""
        self.saved = saved
        """Whether this person's answers were saved: else the screen never says they were
        (a questionnaire not available in their language had nothing to answer)."""

    def compose(self) -> ComposeResult:
        tr = self.tr
        if self.next_rater:
            after = tr.c_(
                "Please hand the laptop to the next person ({rater}).\n\nPress Enter to begin."
            ).format(rater=rater_name(tr, self.next_rater))
        elif self.fit_app.one_person and self.saved:
            after = tr.c_("Your answers are saved.\n\nPress Enter to close.")
        elif self.fit_app.one_person:
            after = tr.c_("Press Enter to close.")
        else:
            after = tr.c_("Please hand the laptop back to your therapist.")
        with Middle():
            with Center():
                yield Static(tr.c_("Thank you.") + "\n\n" + after, id="thanks")

    @cached_property
    def tr(self) -> Translator:
        """The client's language, the therapist's when the client has none."""
        return client_speaks(self.fit_app.store, self.client_code)

    def takes_key(self, event: events.Key) -> bool:
        if self.next_rater:
            return event.time >= self.shown_at + self.HAND_ON_PAUSE
        return super().takes_key(event)

    def action_next(self) -> None:
        if self.next_rater:
            self.dismiss("next")
        elif self.fit_app.one_person:
            self.dismiss("close")

    def on_therapist(self) -> None:
        self.dismiss("therapist")
