"""Typing in a rating the client gave aloud or on paper: one field per item.

Over a video call the therapist can read the items out and type the scores as the client
says them; after an in-person session without the laptop, the scores come from a paper
form. Either way each score is checked exactly as ``fittui record`` checks it (0 to 10
with one decimal on a line, the answer's number on the PHQ-9 or GAD-7), and the rating is
saved with how it was taken, since a spoken SRS is known to run higher than a marked one.
A paper form's date can be changed (it defaults to today); a spoken rating is dated now.
Scores typed and not saved are left only on a second Escape: the first says so, since a
key pressed in passing should not cost the therapist a round of questions.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, Static

from fittui.domain.instruments import Instrument, InstrumentError
from fittui.domain.language import N_, _, for_therapist
from fittui.domain.model import Administration, InputError, Mode, parse_when
from fittui.storage.journal import StorageError
from fittui.ui.access import FitAppAccess
from fittui.ui.form import FormScreen
from fittui.ui.screens.keys import KEYS_BINDINGS, key_sections, section_bindings
from fittui.ui.taking import TakesOneRating
from fittui.ui.widgets.keys_footer import KeysFooter

MODE_TITLES = {"spoken": N_("said aloud"), "paper": N_("from a paper form")}


class ScoreEntryScreen(TakesOneRating, FormScreen[Administration], FitAppAccess):
    """Saves the typed rating and dismisses with it, or with None when cancelled. Its own
    footer covers the client list's, whose keys do nothing while it is open."""

    KEYS_TITLE = N_("the score form")
    KEYS = key_sections("score_entry")
    # A dialog keeps the app's keys out, so it binds ? itself.
    BINDINGS = [*section_bindings(KEYS, footer=("cancel",)), *KEYS_BINDINGS]
    DEFAULT_CSS = """
    ScoreEntryScreen {
        & .score-row { height: 1; margin: 0 0 1 0; }
        & .score-row Label { width: 1fr; }
        & .score-row Input { width: 14; }
        & .question { width: 1fr; }
        & .score-row.described { margin: 0; }
        & .item-hint { width: 1fr; margin: 0 0 1 3; color: $text-muted; }
    }
    """

    def __init__(
        self,
        client_code: str,
        instrument: Instrument,
        mode: Mode,
        today: date,
        rater: str = "client",
    ):
        super().__init__(instrument, client_code, rater)
        self.mode = mode
        self.today = today
        self._saving = False
        self._leaving = False
        # The items' labels and descriptions in the therapist's language, in the words the
        # client reads and the result shows (a questionnaire's questions stay as published).
        self.shown = for_therapist(instrument)

    def compose(self) -> ComposeResult:
        instrument = self.instrument
        low, high = (
            instrument.format_score(t) for t in (instrument.scale_min, instrument.scale_max)
        )
        by = (
            "" if self.rater == "client" else _(" rated by the {rater}").format(rater=_(self.rater))
        )
        with VerticalScroll(id="form"):
            title = _("{key} for {code}{by}, {how}").format(
                key=instrument.key, code=self.client_code, by=by, how=_(MODE_TITLES[self.mode])
            )
            yield Static(Content(title), id="form-title")
            yield Static(
                _("Each score {low} to {high}; Tab moves on, Enter saves.").format(
                    low=low, high=high
                )
            )
            for number, item in enumerate(self.shown.items, start=1):
                if instrument.kind == "likert":
                    question = f"{number}. {item.description or item.label}"
                    yield Label(Content(question), classes="question")
                # A line's short label, and under it its description: what is read aloud.
                hint = item.description if instrument.kind != "likert" else ""
                with Horizontal(classes="score-row described" if hint else "score-row"):
                    label = f"{number}. {item.label}" if instrument.kind != "likert" else ""
                    yield Label(Content(label))  # as written: "[paid]" is no markup
                    yield Input(placeholder=f"{low}-{high}", id=f"score-{item.key}", compact=True)
                if hint:
                    yield Label(Content(hint), classes="item-hint")
            if self.mode == "paper":
                with Horizontal(classes="score-row"):
                    yield Label(_("Date on the form"))
                    yield Input(value=self.today.isoformat(), id="date", compact=True)
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_changed(self) -> None:
        self._leaving = False  # a score typed after the warning asks again before leaving

    def action_cancel(self) -> None:
        """Leave without saving; with scores typed, only on a second Escape (or Cancel)."""
        typed = any(
            self.query_one(f"#score-{item.key}", Input).value.strip()
            for item in self.instrument.items
        )
        if self._leaving or not typed:
            self.dismiss(None)
            return
        self._leaving = True
        self.query_one("#error", Static).update(
            _("Press Escape or Cancel again to leave without saving these scores.")
        )

    def _when(self) -> str | None:
        if self.mode != "paper":
            return None
        when = parse_when(self.query_one("#date", Input).value)
        if when[:10] > self.today.isoformat():
            raise InputError(
                _("the date {day} is after today; check the form's date").format(day=when[:10])
            )
        return when

    def _save(self) -> None:
        if self._saving:
            return  # a second Enter while the first save runs saves nothing more
        error = self.query_one("#error", Static)
        texts = [
            self.query_one(f"#score-{item.key}", Input).value for item in self.instrument.items
        ]
        for item, text in zip(self.shown.items, texts):
            if not text.strip():
                error.update(Content(_("Give a score for {item}.").format(item=item.label)))
                self.query_one(f"#score-{item.key}", Input).focus()
                return
        items = {}
        for item, text in zip(self.shown.items, texts):
            try:
                items[item.key] = self.instrument.parse_score(text.replace(",", "."))
            except InstrumentError as exc:
                error.update(Content(f"{item.label}: {exc}"))
                self.query_one(f"#score-{item.key}", Input).focus()
                return
        self._saving = True
        try:
            saved = self.fit_app.store.record(
                self.client_code,
                self.instrument,
                items,
                self._when(),
                rater=self.rater,
                mode=self.mode,
            )
        except (InputError, StorageError) as exc:
            error.update(Content(str(exc)))
            self._saving = False
            return
        self.dismiss(saved)
