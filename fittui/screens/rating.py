"""The rating screen, in client mode: one instrument, one line per item, nothing else.

No client code, label or history is on this screen. Up/Down and Tab move between lines,
Enter moves on and, on the last line or the Done button, submits. Nothing is saved until
every line is marked; a failed save keeps the marks on screen to try again.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Static

from fittui.instruments import Instrument
from fittui.screens.client_mode import ClientModeScreen
from fittui.storage import StorageError
from fittui.widgets.slider import Slider

HELP = "← → move the mark   ↑ ↓ next line   Enter when done"
ROWS_PER_ITEM = 4  # label, description, line, end words


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
        with VerticalScroll(id="items"):
            for item in self.instrument.items:
                yield Slider(
                    item,
                    self.instrument.scale_min,
                    self.instrument.scale_max,
                    show_numbers=self.show_numbers,
                    id=f"item-{item.key}",
                )
            yield Button("Done", id="done", variant="primary")
        yield Static("", id="message")
        yield Static(HELP, id="help")

    @property
    def sliders(self) -> list[Slider]:
        return list(self.query(Slider))

    def on_mount(self) -> None:
        self.sliders[0].focus()
        self._fit_to_height()

    def on_resize(self) -> None:
        self._fit_to_height()

    def _fit_to_height(self) -> None:
        """Short terminals (a phone over SSH) drop the descriptions so all lines fit."""
        compact = self.size.height < ROWS_PER_ITEM * len(self.instrument.items) + 7
        for slider in self.sliders:
            slider.set_class(compact, "-compact")

    def on_slider_changed(self) -> None:
        self.query_one("#message", Static).update("")

    def on_slider_confirmed(self, event: Slider.Confirmed) -> None:
        event.stop()
        sliders = self.sliders
        if event.control is sliders[-1]:
            self.submit()
        else:
            sliders[sliders.index(event.control) + 1].focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def submit(self) -> None:
        message = self.query_one("#message", Static)
        for slider in self.sliders:
            if slider.value is None:
                message.update(f"Please put a mark on the line for “{slider.item.label}”.")
                slider.focus()
                return
        items = {s.item.key: s.value for s in self.sliders}
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
