"""Keys typed in a burst act in the order typed, each where the keys before it left the focus.

Why: a terminal hands over a burst of keys in one read (a fast typist, key repeat, a paste,
a connection over SSH), and Textual sends each key on to the widget focused when the key
arrives, before that widget has handled the keys ahead of it. A binding runs only when its
key comes back up from the widget to the app, and ``Widget.focus()`` moves the focus later
still. So the keys after one that moved the focus went where it had been: ``5 ↓ 6 ↓ 7`` on a
rating screen marked the first line three times, ``/d07⏎`` on the client list opened the
history of the client under the cursor instead of D07's, and ``1234⏎1234⏎`` in the PIN
dialog typed all eight digits into the first field.

Two things put that right:

* :class:`KeysInOrder`, a part of the app, sends a key on only once the one before it has
  been answered: the widget it went to has handled it, each widget around that one up to
  the screen has handled what it passed up (the key itself, a field's Submitted), the app
  has run its binding, and then the same once more for what that binding set off (a
  deferred ``Widget.focus()`` among it: the focus has moved when the next key goes). The
  keys that come meanwhile wait, in order; should an answer never end, they go at most
  ``HOLD_SECONDS`` later. Typing at a human pace never waits: a key is answered in about
  a millisecond.
* a screen that puts its widgets in after it opens (the history: its page and its table
  of ratings come after the first frame) says so (``takes_keys`` False), and the keys
  after the one that opened it wait until it calls :func:`keys_may_go` (at most
  ``FILL_SECONDS``: a screen that never says so is then taken as ready). Before,
  ``Enter n`` and a note typed at once on the client list reached the history before its
  page: ``n`` did nothing, and the ``o`` of the note started a rating in client mode.

Keys typed before a client-mode screen appeared are still dropped by that screen
(``ClientModeScreen.takes_key``): a key that waited keeps the moment it was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from time import monotonic

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

# How long the keys behind one wait for its answer at most; behind a screen still putting
# its widgets in (``takes_keys`` False), which says when it is done, up to FILL_SECONDS.
HOLD_SECONDS = 0.5
FILL_SECONDS = 5.0


def keys_may_go(app: App) -> None:
    """The screen on top has put its widgets in (its ``takes_keys`` is True now): the
    keys waiting for it may go."""
    if isinstance(app, KeysInOrder) and app._answering:
        app.call_next(app._go_on, app._answering)


class KeysInOrder(App):
    """An app whose keys are each sent on once the one before has been answered (the
    module's docstring). A paste waits its turn as a key does."""

    def __init__(self) -> None:
        super().__init__()
        self._answering = 0  # the key (or paste) being answered, by number; 0: none
        self._sent = 0  # keys sent on so far: a late call for an earlier one is void
        self._waiting: list[events.Key | events.Paste] = []
        self._hold_timer: Timer | None = None
        self._held_since = 0.0  # when the key being answered went
        self._taken_as_ready: Screen | None = None  # one that never said it was done

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key | events.Paste) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._answering:
            self._waiting.append(event)
            return
        sent_to = self.focused or self.screen
        await super().on_event(event)
        if event.is_forwarded:  # else a priority binding answered it here, at once
            self._await(sent_to)

    def _await(self, sent_to: Widget) -> None:
        self._sent += 1
        self._answering = number = self._sent
        self._held_since = monotonic()
        self._hold(number)
        answered = partial(self._go_on, number)
        self._behind(sent_to, partial(self._behind, sent_to, answered))

    def _hold(self, number: int) -> None:
        """Send the keys behind key ``number`` on ``HOLD_SECONDS`` from now at the latest."""
        # A timer's callback runs in a task of its own: the keys go from the app's loop.
        go_on = partial(self.call_next, self._go_on, number, True)
        self._hold_timer = self.set_timer(HOLD_SECONDS, go_on)

    def _behind(self, sent_to: Widget, then: Callable[[], object]) -> None:
        """Call ``then`` once ``sent_to`` and each widget around it up to the screen, then
        the app, has handled what it has been given so far: a callback queued behind it on
        each in turn, from the widget up (each hands a message up before it is done with
        it, so the callback on the next comes behind that message)."""
        nodes: list[MessagePump] = []
        node: MessagePump | None = sent_to
        while node is not None and node is not self:
            nodes.append(node)
            node = node._parent

        def handled_from(index: int) -> None:
            for at in range(index, len(nodes)):
                if nodes[at].call_later(handled_from, at + 1):
                    return  # else that one is gone (a dialog the key closed): the next
            self.call_later(then)

        handled_from(0)

    async def _go_on(self, number: int, waited_enough: bool = False) -> None:
        """Key ``number`` is answered: the keys that waited go, in order, each as if it
        came now, until one has to be answered in turn. Not while the screen on top has
        yet to put in its widgets (``takes_keys``), unless they waited long enough: up to
        ``FILL_SECONDS`` for such a screen (a large history on a busy computer)."""
        if number != self._answering:
            return  # that one's keys already went
        if not getattr(self.screen, "takes_keys", True) and self.screen is not self._taken_as_ready:
            if not waited_enough:
                return  # ``keys_may_go`` calls again
            if monotonic() - self._held_since < FILL_SECONDS:
                self._hold(number)
                return
            self._taken_as_ready = self.screen  # it never said so: ready from now
        self._answering = 0
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        while self._waiting and not self._answering:
            await self._dispatch_message(self._waiting.pop(0))
