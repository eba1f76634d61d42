"""The rating screen, in client mode: one instrument, one line or question per item.

No client code, label or history is on this screen. A visual-analogue instrument (ORS,
SRS) gets a slider per item, a Likert one (PHQ-9, GAD-7) a choice of answers per question;
both are :class:`~fittui.ui.widgets.answer.Answer` widgets and behave alike. Up/Down and Tab
move between items (Up/Down choose among answers set in a column), Enter moves on and, on
the last item or the Done button, submits.

Exactly one save per screen: once every item is answered and the client confirms, the
screen stops taking input and saves; a second Enter sent with the first finds nothing to
act on. Nothing is saved until every item is answered. A save that has to wait for another
fittui shows "Saving your answers…"; a save that fails keeps the answers on screen with a
calm word for the client, and the details wait for the therapist (after the PIN); in
`fittui rate` they go to the log, the marks to the kept file, and Escape closes.
"""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Static

from fittui.domain.instruments import Instrument
from fittui.domain.language import (
    LANGUAGES,
    _,
    available_in,
    translated,
)
from fittui.domain.model import Administration, InputError, now_when
from fittui.storage.journal import StorageError
from fittui.ui.client_mode import ClientModeScreen
from fittui.ui.taking import ShowsTheScale
from fittui.ui.widgets.answer import Answer
from fittui.ui.widgets.choice import Choice, answer_for
from fittui.ui.widgets.slider import Slider

ROWS_PER_ITEM = 4  # label, description, line, end words


class NotAvailable(NamedTuple):
    """What the screen dismisses with for a questionnaire the client cannot read in their
    language (a validated one whose official translation fittui does not ship)."""

    instrument: str
    language: str


def go_to(widget: Widget) -> None:
    """Focus an item (or Done) and scroll it into view at once. A gliding scroll would
    carry on after the keys that follow, so keys held down (Down to Done, then Enter on a
    question left unanswered) could leave the focused question out of view, and a typed
    answer would change it unseen."""
    widget.focus(scroll_visible=False)
    widget.scroll_visible(animate=False, immediate=True)


class ItemList(VerticalScroll, inherit_bindings=False, can_focus=False):
    """The items, scrolled by moving between them: without the scroll keys, Up and Down
    reach the screen even when the list is taller than the terminal, and the list itself
    is never a focus stop the client cannot see.

    (A priority binding on the screen would not do: keys typed faster than they are
    handled would then answer whichever item the last Down had reached.)
    """


class RatingScreen(ShowsTheScale, ClientModeScreen[Administration | NotAvailable | None]):
    """One rater's administration of one instrument. Dismisses with the saved one, or None
    when the therapist leaves (with the PIN) before it is saved.

    Everything on it is in the client's language (:attr:`tr`), the therapist's when the
    client has none; what is saved is the same in every language. A questionnaire the
    client cannot read in their language says so instead, and dismisses with
    :class:`NotAvailable` once the client presses Enter.
    """

    BINDINGS = [
        Binding("up", "step(-1)", show=False),
        Binding("down", "step(1)", show=False),
    ]

    def __init__(
        self,
        instrument: Instrument,
        client_code: str,
        rater: str = "client",
        show_numbers: bool = False,
        when: str | None = None,
    ) -> None:
        super().__init__(instrument, client_code, rater, show_numbers)
        self.when = when
        self.saving = False
        """Set once the client confirms a complete rating: from then on no key acts."""
        self.failed = False
        """Set once a save has failed: in `fittui rate`, Escape then closes fittui."""
        self._kept: dict | None = None
        """`fittui rate`: the marks this screen put in the kept file after a failed save."""
        self._failed_notes: list[str] = []
        """What the therapist is to be told of saves that failed here (held notifications):
        taken back, for one that says so, should a later try save the rating."""
        self._last_problem: Exception | None = None

    @property
    def available(self) -> bool:
        return available_in(self.instrument, self.tr.code)

    def compose(self) -> ComposeResult:
        tr = self.tr
        if not self.available:
            yield from self._compose_not_available()
            return
        instrument = translated(self.instrument, tr)
        # An instrument file's words are shown as written: "[paid]" is no markup.
        yield Static(Content(instrument.name), id="title")
        yield Static(Content(instrument.frame), id="frame")
        with ItemList(id="items"):
            for number, item in enumerate(instrument.items, start=1):
                yield answer_for(
                    instrument,
                    item,
                    number,
                    Slider,
                    show_numbers=self.show_numbers,
                    tr=tr,
                    id=f"item-{item.key}",
                )
            yield Button(tr.c_("Done"), id="done", variant="primary")
        yield Static("", id="message")
        yield Static(self._help(), id="help")

    def _compose_not_available(self) -> ComposeResult:
        """The questionnaire's name and, in the client's language, that it is not
        available in it: nothing to answer, Enter goes on."""
        tr = self.tr
        yield Static(Content(self.instrument.key), id="title")
        yield Static(
            tr.c_(
                "This questionnaire is not available in your language, so there is "
                "nothing to answer here. Your therapist knows."
            ),
            id="frame",
        )
        with ItemList(id="items"):
            yield Button(tr.c_("Continue"), id="done", variant="primary")
        yield Static("", id="message")
        yield Static(tr.c_("Enter continue"), id="help")

    def _help(self) -> str:
        """The keys, in one line that fits 60 columns, fast ones first (a digit, Home and
        End); with answers in a column, Up and Down choose."""
        instrument, tr = self.instrument, self.tr
        if instrument.kind != "likert":
            # TRANSLATORS: one line of at most 57 characters (a 60-column terminal).
            return tr.c_("← → 0–9 Home End mark the line   ↑ ↓ next   Enter done")
        low, high = (
            tr.score(t, not instrument.whole_numbers)
            for t in (instrument.scale_min, instrument.scale_max)
        )
        if self.is_mounted and any(c.in_column for c in self.query(Choice)):
            # TRANSLATORS: one line of at most 57 characters with the numbers filled in.
            text = tr.c_("↑ ↓ {low}–{high} Home End choose   Enter next question")
        else:
            # TRANSLATORS: one line of at most 57 characters with the numbers filled in.
            text = tr.c_("← → {low}–{high} Home End choose   ↑ ↓ next question   Enter done")
        return text.format(low=low, high=high)

    @property
    def item_widgets(self) -> list[Answer]:
        """One slider or choice per item, in the instrument's order."""
        return list(self.query("#items > Answer").results(Answer))

    @property
    def stops(self) -> list[Widget]:
        """Where Up and Down go, in order: each item, then Done."""
        return [*self.item_widgets, self.query_one("#done", Button)]

    def on_mount(self) -> None:
        if not self.available:
            self.query_one("#done", Button).focus()
            return
        self.item_widgets[0].focus()
        self._fit_to_height()
        self.call_after_refresh(self._show_help)

    def on_resize(self) -> None:
        if not self.available:
            return
        self._fit_to_height()
        self.call_after_refresh(self._show_help)
        self.call_after_refresh(self._focus_in_view)

    def _focus_in_view(self) -> None:
        """Once laid out at the new size: the item the keys answer stays on screen (in a
        smaller terminal the answers go into columns, and the list keeps its scroll)."""
        if self.focused is not None and self.focused in self.stops:
            self.focused.scroll_visible(animate=False, immediate=True)

    def _show_help(self) -> None:
        self.query_one("#help", Static).update(self._help())

    def _fit_to_height(self) -> None:
        """Short terminals (a phone over SSH) drop the sliders' descriptions so all lines
        fit; a question keeps its wording and the list scrolls instead."""
        compact = self.size.height < ROWS_PER_ITEM * len(self.instrument.items) + 7
        for slider in self.query(Slider):
            slider.set_class(compact, "-compact")

    def action_step(self, offset: int) -> None:
        """Up and Down: the item before or after, then Done; no wrapping past either end."""
        stops = self.stops
        if self.focused in stops:
            index = stops.index(self.focused) + offset
            go_to(stops[max(0, min(len(stops) - 1, index))])
        else:
            go_to(stops[0])

    @on(Answer.Changed)
    def clear_message(self, event: Answer.Changed) -> None:
        if not self.saving:
            self.query_one("#message", Static).update("")
        if event.control.has_focus:
            # The list may have been scrolled away from the item in focus (a mouse wheel,
            # a touchpad): a key that changes its answer shows it, not a change unseen.
            event.control.scroll_visible(animate=False, immediate=True)

    @on(Answer.Confirmed)
    def next_item(self, event: Answer.Confirmed) -> None:
        event.stop()
        widgets = self.item_widgets
        if event.control is widgets[-1]:
            self.submit()
        else:
            go_to(widgets[widgets.index(event.control) + 1])

    @on(Button.Pressed, "#done")
    def done(self, event: Button.Pressed) -> None:
        event.stop()
        if self.available:
            self.submit()
        elif not self.dismissed:
            self.fit_app.notify(
                _("{code}: {instrument} not rated: not available in {language}.").format(
                    code=self.client_code,
                    instrument=self.instrument.key,
                    language=LANGUAGES[self.tr.code],
                ),
                severity="warning",
                timeout=30,
                markup=False,  # an instrument file's key as written
            )
            self.dismiss(NotAvailable(self.instrument.key, self.tr.code))

    def submit(self) -> None:
        """Save the rating once every item is answered: exactly once, whatever comes after."""
        if self.saving:
            return
        message = self.query_one("#message", Static)
        tr = self.tr
        for widget in self.item_widgets:
            if widget.value is None:
                if isinstance(widget, Choice):
                    text = tr.c_("Please choose an answer to question {number}.")
                    message.update(text.format(number=widget.number))
                else:
                    text = tr.c_("Please put a mark on the line for “{label}”.")
                    message.update(Content(text.format(label=widget.item.label)))
                go_to(widget)
                return
        items = {w.item.key: w.value for w in self.item_widgets if w.value is not None}
        self.saving = True
        self.query_one(ItemList).disabled = True  # no key reaches an item from now on
        if self.fit_app.store.lock_is_busy():
            message.update(tr.c_("Saving your answers…"))
            self.save_when_free(items)
            return
        try:
            saved = self._record(items)
        except (StorageError, InputError) as exc:
            self._not_saved(exc)
            return
        self._saved(saved)

    @work(group="save", exclusive=True)
    async def save_when_free(self, items: dict[str, int]) -> None:
        """Another fittui holds the lock: wait for it off the event loop, so the screen
        keeps showing "Saving your answers…" rather than freezing."""
        try:
            saved = await asyncio.to_thread(self._record, items)
        except (StorageError, InputError) as exc:
            self._not_saved(exc)
            return
        self._saved(saved)

    def _saved(self, saved: Administration) -> None:
        if self._kept is not None:
            self._keep_aside(None)  # saved after all: not offered to the therapist again
        if self._failed_notes:  # "not saved" would contradict the result screen's "saved ✓"
            self.fit_app.withdraw_held(self._failed_notes)
            self._failed_notes = []
            self.fit_app.notify(
                _("A rating was saved when tried again; the first try failed: {problem}").format(
                    problem=self._last_problem
                ),
                severity="warning",
                timeout=30,
                markup=False,  # the problem as it was said
            )
        self.dismiss(saved)

    def _record(self, items: dict[str, int]) -> Administration:
        return self.fit_app.store.record(
            self.client_code, self.instrument, items, self.when, self.rater
        )

    def _not_saved(self, exc: Exception) -> None:
        """Keep the answers, tell the client calmly, and keep the details (a path, another
        client's code) for the therapist: they appear once client mode ends.

        In `fittui rate` no therapist comes to this keyboard: the details go to the log,
        the marks to the kept file (offered at the therapist's next start, as after an
        unexpected error), and the client may try again or close fittui.
        """
        if self.fit_app.one_person:
            from fittui.storage.trouble import log_error

            log_error(exc)
            self._keep_aside(self._marks())
            # TRANSLATORS: "Done" is the button under the lines (the message "Done").
            words = self.tr.c_(
                "Your answers could not be saved. Press Done to try again, "
                "or Escape to close without saving them."
            )
        else:
            note = _("A rating was not saved: {problem}").format(problem=exc)
            self.fit_app.notify(
                note,
                severity="error",
                timeout=30,
                markup=False,  # the problem as it was said
            )
            self._failed_notes.append(note)
            self._last_problem = exc
            # TRANSLATORS: "Done" is the button under the lines (the message "Done").
            words = self.tr.c_(
                "Your answers could not be saved just now. They are still here: "
                "press Done to try again, or tell your therapist."
            )
        self.query_one("#message", Static).update(words)
        self.query_one(ItemList).disabled = False
        self.saving = False
        self.failed = True
        self.query_one("#done", Button).focus()

    def _keep_aside(self, work: dict | None) -> None:
        """`fittui rate`: put ``work`` in the kept file in place of what this screen kept
        there before (None: just take that out), so that a rating tried again is kept
        once, and one saved at last is not kept at all."""
        from fittui.storage.trouble import replace_kept_work

        db = self.fit_app.store.path
        try:
            # In one step under the kept file's lock: another fittui keeping its own work
            # meanwhile (a second `fittui rate`) is never written over.
            kept = replace_kept_work(db, self._kept, work)
            self._kept = work if kept is not None else None
        except (OSError, StorageError) as exc:
            from fittui.storage.trouble import log_error

            log_error(exc)

    def can_close(self) -> bool:
        return self.failed and not self.saving

    def close_unsaved(self) -> None:
        """Keep the marks as they are now (the client may have moved one since), then close."""
        self._keep_aside(self._marks())
        super().close_unsaved()

    def can_leave(self) -> bool:
        return not self.saving

    @property
    def answers_open(self) -> bool:
        """Whether answers given here are not saved (yet): should something go wrong, the
        client is not told that they are."""
        return self.available and not self.dismissed and self._dismiss_when_on_top is None

    def on_therapist(self) -> None:
        if self.failed:  # the client was told to tell the therapist: the answers are kept
            self._keep_aside(self._marks())
        self.dismiss(None)

    @property
    def kept(self) -> bool:
        """Whether this screen's answers are in the kept file, to be offered (a failed save)."""
        return self._kept is not None

    def unsaved_work(self) -> dict | None:
        """The marks, when every item has one: kept by the app if something goes wrong."""
        if self.dismissed:
            return None  # saved: its screen is on its way out
        work = self._marks()
        if work is not None and self._kept is not None and self._kept["items"] == work["items"]:
            return None  # already in the kept file (`fittui rate`, a failed save)
        return work

    def _marks(self) -> dict | None:
        """The marks as a rating to keep, when every item has one."""
        items = {w.item.key: w.value for w in self.item_widgets}
        if not items or None in items.values():
            return None
        return {
            "kind": "rating",
            "client": self.client_code,
            "instrument": self.instrument.key,
            "rater": self.rater,
            "when": self.when or now_when(),
            "items": items,
        }
