"""Client mode: while the client holds the laptop, no key leads anywhere but the scale.

Every client-mode screen derives from :class:`ClientModeScreen`. The app refuses its own
quit, palette and suspend actions while client mode is on (``FitApp.check_action``), drops
keys typed before the screen on top appeared (``FitApp.on_event``: a second Enter sent with
the first never reaches the next screen), and keeps every notification until client mode
ends. The only way out is the therapist key, then the therapist's PIN. In `fittui rate`
(one person at their own keyboard, no therapist, no PIN) a screen that has to offer a way
out, once a save has failed or something went wrong, closes fittui on Escape or Ctrl+Q.

The therapist key is F2. Browsers leave it alone (Ctrl+T, the old key, opens a new tab in
every browser, and a browser-based terminal never sees it), and so do the usual terminal
emulators: F1 is their help, F10 their menu, F11 full screen, and F5, F6, F7 and F12 are
taken by browsers. A client who presses F2 by chance meets a PIN prompt that shows nothing
about anyone and goes back to the scale after three wrong PINs or Escape.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, cast

from textual import events
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import Screen

from fittui.domain.language import Translator, client_translator
from fittui.domain.model import InputError
from fittui.storage.store import Store
from fittui.ui.access import FitAppAccess

THERAPIST_KEY = "f2"
THERAPIST_KEY_NAME = "F2"

ResultT = TypeVar("ResultT")


def clients_language(screens: list[Screen[Any]]) -> Translator:
    """The language of the client's screens in a stack: the topmost that speaks one (a
    rating, a thank-you), else the therapist's; for a screen that can show up over any of
    them and names no client itself (something went wrong, a terminal too small)."""
    for screen in reversed(screens):
        found = getattr(screen, "tr", None)
        if isinstance(found, Translator):
            return found
    return client_translator(None)


def client_speaks(store: Store, code: str | None) -> Translator:
    """The language a client reads their screens in: their own, else the therapist's (also
    for a code the store does not know, so a screen never fails over its language)."""
    language = ""
    if code is not None:
        try:
            language = store.client(code).language
        except InputError:
            pass
    return client_translator(language)


class ClientModeScreen(Screen[ResultT], FitAppAccess):
    """A screen the client sees. Subclasses say what the therapist, once unlocked, gets."""

    BINDINGS = [
        Binding(THERAPIST_KEY, "therapist_key", show=False, priority=True),
        Binding("escape", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
        Binding("ctrl+q", "nothing", show=False, priority=True),
    ]
    AUTO_FOCUS: ClassVar[str | None] = None
    SHOWS_THE_CLIENT: ClassVar[bool] = True
    """Whether the client reads this screen: the too-small notice then covers it."""

    def __init__(self) -> None:
        super().__init__()
        self.shown_at = float("inf")
        """When this screen last came to the top, on the clock of key events."""
        self.dismissed = False
        self._dismiss_when_on_top: tuple[ResultT | None] | None = None
        """A result waiting for this screen to come back to the top (see ``dismiss``)."""

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        """Dismiss once, and only while on top.

        Keys reach a screen through its own queue, so two Enters can both be on their way
        to it before the first one dismisses it; Textual's dismiss pops whatever screen is
        on top, so the second would take away the next client-mode screen and show what
        lies beneath. Here the second does nothing.

        A screen covered when it finishes (a save that ends while the too-small notice is
        up) is dismissed as soon as it is on top again: dropping the result would leave
        the client on a screen that has stopped taking keys.
        """
        if self.dismissed:
            # Textual leaves ``nothing()`` unannotated; it returns a finished AwaitComplete.
            return cast(AwaitComplete, AwaitComplete.nothing())
        if self.app.screen is not self:
            if self.is_attached and self in self.app.screen_stack:
                self._dismiss_when_on_top = (result,)
            return cast(AwaitComplete, AwaitComplete.nothing())
        self.dismissed = True
        return super().dismiss(result)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.shown_at = event.time
        if self.SHOWS_THE_CLIENT:  # come up in a terminal too small: the notice goes on top
            self.fit_app.check_size()
        if self._dismiss_when_on_top is not None:
            (result,) = self._dismiss_when_on_top
            self._dismiss_when_on_top = None
            self.dismiss(result)

    def takes_key(self, event: events.Key) -> bool:
        """Whether a key was typed while this screen was on top: keys typed earlier (a
        second Enter in the same write as the first, key repeat, a paste) were meant for
        the screen before and are dropped."""
        return event.time >= self.shown_at

    def action_nothing(self) -> None:
        """Quit keys and Escape stay inside client mode. In `fittui rate` there is no
        therapist to hand back to: on a screen that offers it (``can_close``) they close
        fittui."""
        if self.fit_app.one_person and self.can_close():
            self.close_unsaved()

    def can_close(self) -> bool:
        """`fittui rate`: whether Escape and Ctrl+Q close fittui now (once a save has
        failed, once something went wrong); never in the therapist's client mode."""
        return False

    def close_unsaved(self) -> None:
        """`fittui rate`: close fittui with exit status 1, the rating not saved."""
        self.app.exit(return_code=1)

    def action_therapist_key(self) -> None:
        """Ask for the therapist's PIN; the right one gives the screen's way out."""
        from fittui.ui.screens.pin import PinScreen

        pin = self.fit_app.settings.pin
        if self.fit_app.one_person or pin is None or not self.can_leave():
            return  # `fittui rate`: nothing to unlock

        def unlocked(right: bool | None) -> None:
            if right:
                self.on_therapist()

        self.app.push_screen(PinScreen(pin, self.fit_app.pin_tries), unlocked)

    def can_leave(self) -> bool:
        """Whether the therapist key may be answered now (not while a save is running)."""
        return True

    def on_therapist(self) -> None:
        """The therapist gave the PIN: leave client mode the screen's way."""


class CurtainScreen(ClientModeScreen[Any]):
    """Under every client-mode screen: a blank screen, so that between one rating screen
    and the next nothing of the therapist's screens can be drawn."""

    SHOWS_THE_CLIENT = False  # blank: a notice over it would be buried by the next screen
