"""Ratings taken without the laptop in the client's hands: over video, aloud, on paper, at home.

One key on the client list (``v``) opens a dialog: which instrument, and how. Screen share
and typed entry save at once; a home form is written as a file to send, and its code is
entered later from the same dialog. Each way saves the rating with its mode, so the
history and the outcome summary can tell them apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, Instrument
from fittui.domain.language import N_, _, instrument_words
from fittui.domain.model import Administration, Client, InputError, Mode
from fittui.formats.home_form import (
    PendingEntry,
    read_code,
    save_entry,
    write_form,
    write_private_text,
)
from fittui.storage.journal import StorageError
from fittui.ui.access import FitAppAccess
from fittui.ui.screens.keys import KEYS_BINDINGS, key_sections, section_bindings
from fittui.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from fittui.ui.app import FitApp

WAY_MODES: dict[str, Mode] = {"share": "screen_share", "spoken": "spoken", "paper": "paper"}
WAYS = {
    "share": N_("Share my screen: the client says where each mark goes"),
    "spoken": N_("Type the scores the client says aloud"),
    "paper": N_("Type the scores from a paper form"),
    "form": N_("Write a form for the client's own phone or computer"),
    "code": N_("Enter the code from a home form"),
}


def instrument_choices(client: Client, instruments: dict[str, Instrument]) -> list[str]:
    """The age group's two scales first, then the client's own set, then the rest."""
    first = [*DEFAULTS_BY_AGE_GROUP[client.age_group], *client.instruments]
    return list(dict.fromkeys([*first, *instruments]))


class RemoteScreen(ModalScreen[tuple[str, str] | None]):
    """Choose the instrument and the way; dismisses with (way, instrument key) or None.

    Its own footer covers the client list's, whose keys do nothing while it is open."""

    KEYS_TITLE = N_("the video and paper dialog")
    KEYS = key_sections("remote")
    # A dialog keeps the app's keys out, so it binds ? itself.
    BINDINGS = [*section_bindings(KEYS, footer=("cancel",)), *KEYS_BINDINGS]

    def __init__(self, client: Client, instruments: dict[str, Instrument]) -> None:
        super().__init__()
        self.client = client
        self.instruments = instruments

    def compose(self) -> ComposeResult:
        keys = instrument_choices(self.client, self.instruments)
        with Vertical(id="remote"):
            yield Static(
                _("Rating for {code}: over video or on paper").format(code=self.client.code),
                id="form-title",
            )
            yield Label(_("Instrument"))
            yield Select(
                [(Content(f"{k}  {instrument_words(self.instruments[k].name)}"), k) for k in keys],
                value=keys[0],
                allow_blank=False,
                id="remote-instrument",
            )
            yield Label(_("How"))
            yield OptionList(*(Option(_(text), id=way) for way, text in WAYS.items()), id="ways")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#ways", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = str(self.query_one("#remote-instrument", Select).value)
        self.dismiss((str(event.option.id), key))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodeEntryScreen(ModalScreen[Administration | None], FitAppAccess):
    """Paste or type a home form's code: checked on Enter, saved on a second Enter."""

    KEYS_TITLE = N_("the home form's code")
    KEYS = key_sections("code_entry")
    BINDINGS = [*section_bindings(KEYS, footer=("cancel",)), *KEYS_BINDINGS]

    def __init__(self, client: Client) -> None:
        super().__init__()
        self.client = client
        self.pending: PendingEntry | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="remote"):
            yield Static(
                _("Code from {code}'s home form").format(code=self.client.code), id="form-title"
            )
            yield Input(placeholder=_("e.g. ORS 5.5 7.0 10.0 0.0 · K7Q2-9F"), id="code")
            yield Static(_("Enter checks the code; Escape cancels."), id="error")
        yield KeysFooter()

    def on_input_changed(self) -> None:
        self.pending = None  # a changed code is checked again before anything is saved

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        app = self.fit_app
        message = self.query_one("#error", Static)
        try:
            if self.pending is None:
                self.pending = read_code(
                    app.store,
                    event.value,
                    app.instruments,
                    app.today(),
                    app.settings.form_days,
                    expect_client=self.client.code,
                )
                # The label and the pasted code are words, never markup.
                message.update(
                    Content(f"{self.pending.describe()}.\n" + _("Enter saves it; Escape cancels."))
                )
                return
            saved = save_entry(app.store, self.pending)
        except (InputError, StorageError) as exc:
            self.pending = None
            message.update(Content(_("Not saved: {problem}").format(problem=exc)))
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)


def forms_folder() -> Path:
    """Where the app writes home forms: the Downloads folder, else the home folder."""
    from platformdirs import user_downloads_path

    folder = user_downloads_path()
    return folder if folder.is_dir() else Path.home()


async def take_remotely(app: FitApp, client: Client) -> None:
    """The whole flow from the ``v`` key, run as a worker: choose, rate or write, then
    the result."""
    from fittui.ui.screens.result import ResultScreen

    choice = await app.push_screen_wait(RemoteScreen(client, app.instruments))
    if choice is None:
        return
    way, key = choice
    if way in WAY_MODES:
        await take_turns(app, client.code, [(key, "client")], WAY_MODES[way])
    elif way == "code":
        saved = await app.push_screen_wait(CodeEntryScreen(client))
        if saved is not None:
            app.push_screen(ResultScreen(client.code, [saved]))
    else:
        try:
            written = write_form(
                app.store, client.code, app.instruments[key], app.today(), app.settings.form_days
            )
            target = forms_folder() / f"fittui-form-{key}-{written.form.form_id}.html"
            write_private_text(target, written.html)
        except (InputError, StorageError, OSError) as exc:
            app.notify(
                _("The form was not written: {problem}").format(problem=exc),
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        app.notify(
            _(
                "Wrote {path}. Send it to {code}; it can be entered until "
                "{day} (v, then 'Enter the code')."
            ).format(path=target, code=client.code, day=written.use_by),
            timeout=15,
            markup=False,  # a folder's name may hold brackets
        )


async def take_turns(app: FitApp, code: str, turns: list[tuple[str, str]], mode: Mode) -> None:
    """Each (instrument, rater) turn taken by the therapist, over a shared screen or typed
    in as said aloud or written on paper, then one result for all that was saved; run as a
    worker. Leaving a turn ends the round, keeping what was saved before it."""
    from fittui.ui.screens.result import ResultScreen
    from fittui.ui.screens.score_entry import ScoreEntryScreen
    from fittui.ui.screens.share import ShareScreen

    saved: list[Administration] = []
    for n, (key, rater) in enumerate(turns):
        instrument = app.instruments[key]
        screen: Screen[Administration | None]
        if mode == "screen_share":
            last = n == len(turns) - 1
            screen = ShareScreen(instrument, code, app.show_numbers, rater, last=last)
        else:
            screen = ScoreEntryScreen(code, instrument, mode, app.today(), rater)
        rated = await app.push_screen_wait(screen)
        if rated is None:
            break
        saved.append(rated)
    if saved:
        app.push_screen(ResultScreen(code, saved))
