"""Choosing what to rate and who rates, for collateral raters, couples, families and groups.

The dialog names the client it is for, starts on the list of instruments, and offers the
therapist's last choice of this session again: a couple seen after a couple, a group after
a group, is one key away. It also asks how the rating is taken: in client mode on this
laptop, or over video (a shared screen, read aloud) or from paper, starting from the
``[rating] mode`` setting.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from fittui.domain.instruments import Instrument
from fittui.domain.language import N_, _, instrument_words
from fittui.domain.model import DEFAULT_MODE, STARTED_MODES, InputError, check_rater
from fittui.ui.screens.keys import KEYS_BINDINGS, key_sections, section_bindings
from fittui.ui.widgets.keys_footer import KeysFooter


def instrument_choice(instrument: Instrument) -> str:
    """ "PHQ-9: Patient Health Questionnaire": the key first, the name without repeating
    it, so that each fits one line of the list; the name in the therapist's language."""
    name = instrument_words(instrument.name)
    return f"{instrument.key}: {name.removesuffix(f' ({instrument.key})')}"


HOW = {
    "in_person": N_("in person: the client rates on this laptop"),
    "screen_share": N_("over video: share your screen, the client directs the mark"),
    "spoken": N_("over video or phone: the client says the scores aloud"),
    "paper": N_("from a paper form: type the scores in"),
}


class StartRatingScreen(ModalScreen[tuple[str, list[str], str] | None]):
    """Dismisses with (instrument key, raters in turn, mode), or None when cancelled."""

    AUTO_FOCUS = "#instrument"
    KEYS_TITLE = N_("the rating dialog")
    KEYS = key_sections("start")
    # A dialog keeps the app's keys out, so it binds ? itself.
    BINDINGS = [*section_bindings(KEYS, footer=("cancel",)), *KEYS_BINDINGS]

    def __init__(
        self,
        instruments: dict[str, Instrument],
        default: str,
        raters: list[str] | None = None,
        client_code: str = "",
        mode: str = DEFAULT_MODE,
    ) -> None:
        super().__init__()
        self.instruments = instruments
        self.default = default if default in instruments else next(iter(instruments))
        self.raters = raters or ["client"]
        self.client_code = client_code
        self.mode = mode

    def compose(self) -> ComposeResult:
        with Vertical(id="start"):
            title = (
                _("Rating for {code}: what, and who rates").format(code=self.client_code)
                if self.client_code
                else _("Rating: what, and who rates")
            )
            yield Static(title, id="start-title")
            yield Label(_("Instrument"))
            yield Select(
                [(Content(instrument_choice(i)), i.key) for i in self.instruments.values()],
                value=self.default,
                allow_blank=False,
                id="instrument",
            )
            yield Label(_("Who rates, in turn"))
            yield Input(value=", ".join(self.raters), id="raters")
            yield Static(
                _("e.g. client, partner for a couple; parent or teacher for a child"),
                id="raters-help",
            )
            yield Label(_("How"))
            yield Select(
                [(_(HOW[m]), m) for m in STARTED_MODES],
                value=self.mode,
                allow_blank=False,
                id="how",
            )
            yield Static("", id="error")
            yield Button(_("Start"), variant="primary", id="begin")
        yield KeysFooter()  # its own keys over the list's, which do nothing while it is open

    def _start(self) -> None:
        raw = [r for r in self.query_one("#raters", Input).value.split(",") if r.strip()]
        try:
            raters = [check_rater(r) for r in raw]
        except InputError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        if not raters:
            self.query_one("#error", Static).update(_("Name at least one rater, e.g. client"))
            return
        self.dismiss(
            (
                str(self.query_one("#instrument", Select).value),
                raters,
                str(self.query_one("#how", Select).value),
            )
        )

    def on_input_submitted(self) -> None:
        self._start()

    def on_button_pressed(self) -> None:
        self._start()

    def action_cancel(self) -> None:
        self.dismiss(None)
