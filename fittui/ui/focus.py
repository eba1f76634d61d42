"""Keys typed in a burst act in the order typed, each where the keys before it left the focus.

Why: a terminal hands over a burst of keys in one read (a fast typist, key repeat, a paste,
a connection over SSH), and Textual sends each key on to the widget focused when the key
arrives, before that widget has handled the keys ahead of it. A binding that moves the
focus runs only when its key comes back up from the widget to the app, and
``Widget.focus()`` moves it later still. So the keys after it went where the focus had
been: ``5 ↓ 6 ↓ 7`` on a rating screen marked the first line three times, ``/d07⏎`` on the
client list opened the history of the client under the cursor instead of D07's, and
``1234⏎1234⏎`` in the PIN dialog typed all eight digits into the first field.

Three things put that right:

* :func:`focus_now` moves the focus at once: the bindings of a key are looked up from the
  focused widget when the key comes back up, so the keys after the one that moved it act
  where it went;
* :class:`KeysFollowFocus`, a part of the app, remembers where each key was sent, and a key
  that comes back up unused from a widget that lost the focus meanwhile (on the same
  screen) is sent on to the widget that has it now: the letters after ``/`` reach the
  search field;
* a text field takes the keys sent to it as text, so keys cannot follow the focus out of
  one: after Enter or Tab in a text field, the app holds the keys that come after it until
  that key has been handled (its binding run, the screen's answer to it drawn), then sends
  each where the focus is by then. Should it never come back up, they go at most
  ``HOLD_SECONDS`` later.

Keys typed before a client-mode screen appeared are still dropped by that screen
(``ClientModeScreen.takes_key``): a key held or sent on keeps the moment it was typed.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import partial

from textual import events
from textual.app import App
from textual.dom import NoScreen
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

# How many keys are remembered on their way (those a widget uses never come back up).
KEYS_REMEMBERED = 64
# Keys that may move the focus out of a text field, and how long the keys after one wait
# for it at most.
LEAVING_A_FIELD = frozenset({"enter", "tab", "shift+tab"})
HOLD_SECONDS = 0.5


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the focus now, not after the messages already queued (as
    ``Widget.focus()`` does): for a key's action, so that the keys after it follow."""
    widget.screen.set_focus(widget)


class KeysFollowFocus(App):
    """An app whose keys follow the focus as earlier keys move it (the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._keys_sent: OrderedDict[int, tuple[events.Key, Widget]] = OrderedDict()
        self._awaited: events.Key | None = None  # the Enter or Tab the keys after it wait on
        self._holds = 0  # Enters and Tabs awaited so far: a late call for an earlier one is void
        self._held: list[events.Key] = []
        self._hold_timer: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._awaited is not None:
            self._held.append(event)
            return
        focused = self.focused
        await super().on_event(event)
        if not event.is_forwarded or focused is None:
            return  # a priority binding took it, or nothing has the focus
        self._remember(event, focused)
        if event.key in LEAVING_A_FIELD and isinstance(focused, Input):
            self._awaited = event
            self._holds += 1
            # A timer's callback runs in a task of its own: the keys go from the app's loop.
            go = partial(self.call_next, self._let_keys_go, self._holds)
            self._hold_timer = self.set_timer(HOLD_SECONDS, go)

    def _remember(self, event: events.Key, sent_to: Widget) -> None:
        self._keys_sent[id(event)] = (event, sent_to)  # the event kept: ids not reused
        while len(self._keys_sent) > KEYS_REMEMBERED:
            self._keys_sent.popitem(last=False)

    async def _on_key(self, event: events.Key) -> None:
        """A key back up at the app, unused by the widget it was sent to: sent on to the
        focused widget, or left to ``App._on_key``, which runs its binding (Textual calls
        each class's handler in turn, unless one prevents the default)."""
        sent = self._keys_sent.pop(id(event), None)
        again = None if sent is None or sent[0] is not event else self._send_on(event, sent[1])
        if again is not None:
            event.prevent_default()  # its binding is looked up where it is sent
            event.stop()
        if event is self._awaited:
            if again is not None:
                self._awaited = again
            elif sent is not None:  # its binding runs after this: then wait for its answer
                self.call_later(self._settle, sent[1], self._holds)

    def _send_on(self, event: events.Key, sent_to: Widget) -> events.Key | None:
        """Send a copy of ``event`` to the focused widget, if the focus left the widget it
        went to for another on the same screen; the copy, or None."""
        focused = self.focused
        if focused is None or focused is sent_to:
            return None
        try:
            same_screen = sent_to.screen is self.screen
        except NoScreen:
            return None
        if not same_screen:
            return None  # a screen pushed or popped: its keys are the screens' to take
        again = event.copy()
        again.time = event.time  # still the moment it was typed
        self._remember(again, focused)
        focused._forward_event(again)
        return again

    def _settle(self, sent_to: Widget, hold: int) -> None:
        """Let the keys held behind Enter or Tab number ``hold`` go once every message its
        binding set off has been handled, by the widget it went to and each one around it
        up to the screen (a field's Submitted, say, which the screen answers by moving the
        focus): a callback is queued behind them on each in turn, from the widget up (each
        hands a message on to the next before it is done with it). The app's own loop
        goes on meanwhile; the timer lets them go should that never end."""
        nodes: list[MessagePump] = []
        node: MessagePump | None = sent_to
        while node is not None and node is not self:
            nodes.append(node)
            node = node._parent

        def handled_from(index: int) -> None:
            for at in range(index, len(nodes)):
                if nodes[at].call_later(handled_from, at + 1):
                    return  # else that one is gone (a dialog the key closed): the next
            self.call_next(self._let_keys_go, hold)

        handled_from(0)

    async def _let_keys_go(self, hold: int) -> None:
        """The keys held behind Enter or Tab number ``hold``, each taken as if it came now
        (up to the next Enter or Tab in a text field, behind which the rest wait again)."""
        if hold != self._holds or self._awaited is None:
            return  # that one's keys already went
        self._awaited = None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        while self._held and self._awaited is None:
            await self._dispatch_message(self._held.pop(0))
