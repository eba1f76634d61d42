"""The therapist's PIN: asked for to leave client mode, and set before client mode is
first used.

The prompt is a client-mode screen: it names no client and offers nothing but the PIN
field. Three wrong PINs, or Escape, go back to the scale. Beyond the first three wrong
PINs each one makes the next try wait, longer and longer (``domain/pin_tries.py``): the
field is closed meanwhile, and says for how long.
"""

from __future__ import annotations

import math

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from fittui.domain.language import N_, _
from fittui.domain.model import InputError
from fittui.domain.pin_tries import PinTries
from fittui.storage.settings import PIN_PATTERN, PinHash
from fittui.ui.access import FitAppAccess
from fittui.ui.client_mode import THERAPIST_KEY_NAME, ClientModeScreen

TRIES = 3
BACK_WORDS = N_("Escape goes back to the scale.")
PIN_CSS = """
.pin-box {
    width: 44;
    max-width: 100%;
    height: auto;
    border: round $accent;
    padding: 1 2;
}
.pin-title {
    text-style: bold;
    margin-bottom: 1;
}
#pin-message {
    margin-top: 1;
    color: $text-muted;
}
Input {
    width: 14;
}
.pin-label {
    margin-top: 1;
}
"""


def pin_input(id: str) -> Input:
    """A field for 4 to 8 digits, shown as dots."""
    return Input(password=True, restrict=r"[0-9]*", max_length=8, id=id)


class PinScreen(ClientModeScreen[bool]):
    """Dismisses with True for the right PIN, False after three wrong ones or Escape."""

    BINDINGS = [Binding("escape", "back", show=False, priority=True)]
    DEFAULT_CSS = PIN_CSS
    AUTO_FOCUS = "#pin"

    def __init__(self, pin: PinHash, tries: PinTries) -> None:
        super().__init__()
        self.pin = pin
        self.tries = tries  # the app's, across prompts
        self.wrong = 0  # in this prompt

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="pin-box", classes="pin-box"):
            yield Static(_("Therapist PIN"), classes="pin-title")
            yield pin_input("pin")
            yield Static(_(BACK_WORDS), id="pin-message")

    def on_mount(self) -> None:
        self.set_interval(1.0, self.show_wait)
        self.show_wait()

    def show_wait(self) -> None:
        """While a try must wait, close the field and say for how long; open it after."""
        field = self.query_one("#pin", Input)
        left = self.tries.wait_left()
        if left > 0:
            field.disabled = True
            self.query_one("#pin-message", Static).update(
                _(
                    "Too many wrong PINs: the next try in {seconds} s. "
                    "Escape goes back to the scale."
                ).format(seconds=math.ceil(left))
            )
        elif field.disabled:
            field.disabled = False
            field.focus()
            self.query_one("#pin-message", Static).update(_(BACK_WORDS))

    def action_therapist_key(self) -> None:
        """Already asking for the PIN."""

    @on(Input.Submitted, "#pin")
    def check(self, event: Input.Submitted) -> None:
        field = event.input
        if self.tries.wait_left() > 0:
            field.value = ""  # typed into the field as it closed: not tried
            return
        if not field.value:
            return  # Enter with nothing typed (a client dismissing a prompt met by chance)
        verdict = self.pin.verdict(field.value)
        if verdict:
            self.tries.count_right()
            self.dismiss(True)
            return
        could_be = PIN_PATTERN.fullmatch(field.value) is not None
        field.value = ""
        self.wrong += 1
        # None: no PIN can be checked, and none is counted wrong. Fewer than 4 digits can
        # never be the PIN: no guess, so no wait for the therapist's next try.
        if verdict is False and could_be:
            self.tries.count_wrong()
        if self.wrong >= TRIES:
            self.dismiss(False)
        elif self.tries.wait_left() > 0:
            self.show_wait()
        elif verdict is None:  # client mode stays: only a PIN that checks leaves it
            self.query_one("#pin-message", Static).update(
                _(
                    "The PIN in the settings cannot be checked: "
                    "run fittui pin set in a terminal. Escape goes back."
                )
            )
        else:
            self.query_one("#pin-message", Static).update(_("Not the PIN. Escape goes back."))

    def action_back(self) -> None:
        self.dismiss(False)


class SetPinScreen(Screen[bool], FitAppAccess):
    """Before client mode is first used: the therapist chooses the PIN that leaves it.

    Dismisses with True once the PIN is saved, False on Escape (client mode does not start).
    """

    BINDINGS = [Binding("escape", "cancel", N_("Not now"))]
    AUTO_FOCUS = "#new-pin"
    DEFAULT_CSS = PIN_CSS

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="set-pin-box", classes="pin-box"):
            yield Static(_("Choose a therapist PIN"), classes="pin-title")
            yield Static(
                _(
                    "While a client rates, {key} and then this PIN leave client "
                    "mode. 4 to 8 digits; 'fittui pin set' changes it."
                ).format(key=THERAPIST_KEY_NAME),
                id="set-pin-why",
            )
            yield Static(_("PIN"), classes="pin-label")
            yield pin_input("new-pin")
            yield Static(_("Again"), classes="pin-label")
            yield pin_input("again")
            yield Static(_("Escape: not now (client mode needs a PIN)."), id="pin-message")

    @on(Input.Submitted, "#new-pin")
    def next_field(self) -> None:
        self.query_one("#again", Input).focus()

    @on(Input.Submitted, "#again")
    def save(self) -> None:
        pin = self.query_one("#new-pin", Input).value
        message = self.query_one("#pin-message", Static)
        if not PIN_PATTERN.fullmatch(pin):
            message.update(_("The PIN must be 4 to 8 digits."))
            self.query_one("#new-pin", Input).focus()
        elif self.query_one("#again", Input).value != pin:
            message.update(_("The two PINs differ; type it again."))
            self.query_one("#again", Input).value = ""
        else:
            try:
                self.fit_app.set_pin(pin)
            except InputError as exc:
                message.update(_("Not saved: {problem}").format(problem=exc))
                return
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
