"""The rating screen, in client mode: one instrument, one line or question per item.

No client code, label or history is on this screen. A visual-analogue instrument (ORS,
SRS) gets a slider per item, a Likert one (PHQ-9, GAD-7) a choice of answers per question;
both behave alike. Up/Down and Tab move between items, Enter moves on and, on the last
item or the Done button, submits. Nothing is saved until every item is answered; a failed
save keeps the answers on screen to try again.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from fittui.instruments import Instrument
from fittui.model import now_when
from fittui.screens.client_mode import ClientModeScreen
from fittui.storage import StorageError
from fittui.widgets.choice import Choice
from fittui.widgets.slider import Slider

HELP = "← → move the mark   ↑ ↓ next line   Enter when done"
LIKERT_HELP = "← → or {low}–{high} choose   ↑ ↓ next question   Enter when done"
ROWS_PER_ITEM = 4  # label, description, line, end words


class ItemList(VerticalScroll, inherit_bindings=False):
    """The items, scrolled by moving between them: without the scroll keys, Up and Down
    reach the screen even when the list is taller than the terminal.

    (A priority binding on the screen would not do: keys typed faster than they are
    handled would then answer whichever item the last Down had reached.)
    """


class RatingScreen(ClientModeScreen):
    """One rater's administration of one instrument. Dismisses with the saved one, or None."""

    BINDINGS = [
        Binding("up", "app.focus_previous", show=False),
        Binding("down", "app.focus_next", show=False),
    ]

    def __init__(
        self,
        instrument: Instrument,
        client_code: str,
        rater: str = "client",
        show_numbers: bool = False,
        when: str | None = None,
    ) -> None:
        super().__init__()
        self.instrument = instrument
        self.client_code = client_code
        self.rater = rater
        self.show_numbers = show_numbers
        self.when = when

    def compose(self) -> ComposeResult:
        yield Static(self.instrument.name, id="title")
        yield Static(self.instrument.frame, id="frame")
        instrument = self.instrument
        with ItemList(id="items"):
            for number, item in enumerate(instrument.items, start=1):
                if instrument.kind == "likert":
                    yield Choice(
                        item,
                        instrument.options,
                        instrument.scale_min,
                        instrument.step,
                        number=number,
                        show_numbers=self.show_numbers,
                        id=f"item-{item.key}",
                    )
                else:
                    yield Slider(
                        item,
                        instrument.scale_min,
                        instrument.scale_max,
                        show_numbers=self.show_numbers,
                        id=f"item-{item.key}",
                    )
            yield Button("Done", id="done", variant="primary")
        yield Static("", id="message")
        if instrument.kind == "likert":
            low, high = (
                instrument.format_score(t) for t in (instrument.scale_min, instrument.scale_max)
            )
            yield Static(LIKERT_HELP.format(low=low, high=high), id="help")
        else:
            yield Static(HELP, id="help")

    @property
    def item_widgets(self) -> list[Slider | Choice]:
        """One slider or choice per item, in the instrument's order."""
        return list(self.query("#items > Slider, #items > Choice"))

    def on_mount(self) -> None:
        self.item_widgets[0].focus()
        self._fit_to_height()

    def on_resize(self) -> None:
        self._fit_to_height()

    def _fit_to_height(self) -> None:
        """Short terminals (a phone over SSH) drop the sliders' descriptions so all lines
        fit; a question keeps its wording and the list scrolls instead."""
        compact = self.size.height < ROWS_PER_ITEM * len(self.instrument.items) + 7
        for slider in self.query(Slider):
            slider.set_class(compact, "-compact")

    @on(Slider.Changed)
    @on(Choice.Changed)
    def clear_message(self) -> None:
        self.query_one("#message", Static).update("")

    @on(Slider.Confirmed)
    @on(Choice.Confirmed)
    def next_item(self, event: Slider.Confirmed | Choice.Confirmed) -> None:
        event.stop()
        widgets = self.item_widgets
        if event.control is widgets[-1]:
            self.submit()
        else:
            widgets[widgets.index(event.control) + 1].focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        message = self.query_one("#message", Static)
        for widget in self.item_widgets:
            if widget.value is None:
                if isinstance(widget, Choice):
                    message.update(f"Please choose an answer to question {widget.number}.")
                else:
                    message.update(f"Please put a mark on the line for “{widget.item.label}”.")
                widget.focus()
                return
        items = {w.item.key: w.value for w in self.item_widgets}
        try:
            saved = self.app.store.record(
                self.client_code, self.instrument, items, self.when, self.rater
            )
        except StorageError as exc:
            message.update(f"Not saved: {exc}. Your marks are still here; press Done to try again.")
            self.query_one("#done", Button).focus()
            return
        self.dismiss(saved)

    def on_therapist(self) -> None:
        self.dismiss(None)

    def unsaved_work(self) -> dict | None:
        """The marks, when every item has one: kept by the app if something goes wrong."""
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
