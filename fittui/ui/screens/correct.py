"""Correcting the record: void or restore a rating, move it to the right client, fix its
date, and settle two ratings of one instrument by one rater on the same day.

Nothing here deletes anything. Each dialog first shows the rating it acts on (instrument,
date, rater, scores), so the therapist confirms what they see, and the store keeps what
the rating said before (``voided``, ``corrections``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from fittui.domain.display import date_text, score_format
from fittui.domain.instruments import Instrument
from fittui.domain.language import N_, _
from fittui.domain.model import (
    REPLACED_SAME_DAY,
    VOID_REASONS,
    Administration,
    InputError,
    check_code,
    check_not_future,
    check_reason,
    parse_when,
    session_neighbours,
)
from fittui.domain.outside import check_plain
from fittui.storage.journal import StorageError
from fittui.ui.access import FitAppAccess
from fittui.ui.screens.keys import KEYS_BINDINGS
from fittui.ui.widgets.keys_footer import KeysFooter

if TYPE_CHECKING:
    from fittui.ui.app import FitApp

# The reasons a rating is voided for (``VOID_REASONS``, ``REPLACED_SAME_DAY``), marked for
# the therapist catalog here: they are saved in English and shown translated, and the model
# cannot import the language module, which imports it.
SAVED_REASONS = (
    N_("wrong client"),
    N_("wrong instrument"),
    N_("entered twice"),
    N_("test entry"),
    N_("client did not mean it"),
    N_("replaced by a later rating the same day"),
)

DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 64;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $accent;
    padding: 0 1;
    background: $panel;
}}
{name} .title {{
    text-style: bold;
}}
{name} .help {{
    color: $text-muted;
}}
{name} .error {{
    color: $text-error;
}}
{name} OptionList {{
    height: auto;
    max-height: 6;
    margin: 1 0;
}}
{name} Input {{
    margin-bottom: 1;
}}
"""


def rating_words(a: Administration, instruments: dict[str, Instrument]) -> str:
    """One rating as the therapist recognises it: 'ORS · 2026-11-09 10:00 · rated by client
    · 5.0 5.0 5.0 5.1 · total 20.1'."""
    score = score_format(a, instruments)
    items = " ".join(score(v) for v in a.items.values())
    when = date_text(a.date)
    return _("{key} · {when} · rated by {rater} · {items} · total {total}").format(
        key=a.instrument, when=when, rater=_(a.rater), items=items, total=score(a.total)
    )


ResultT = TypeVar("ResultT")


class RatingDialog(ModalScreen[ResultT]):
    """A dialog that acts on one rating and shows it first, so the therapist confirms what
    they see."""

    def __init__(self, administration: Administration, instruments: dict[str, Instrument]):
        super().__init__()
        self.administration = administration
        self.instruments = instruments

    def compose_heading(self, title: str) -> ComposeResult:
        """The dialog's title, then the rating it acts on."""
        yield Label(title, classes="title")
        yield Static(Text(rating_words(self.administration, self.instruments)))


class VoidScreen(RatingDialog[str | None]):
    """Confirms voiding one rating and asks why: a reason from the list (Enter) or typed.
    Dismisses with the reason, or None when Escape leaves the rating as it is."""

    DEFAULT_CSS = DIALOG_CSS.format(name="VoidScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel")), *KEYS_BINDINGS]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield from self.compose_heading(_("Void this rating as entered in error?"))
            yield Static(
                _(
                    "It stays in the history, struck through, and counts nowhere; "
                    "v restores it later. Why?"
                ),
                classes="help",
            )
            yield OptionList(
                *(Option(_(r), id=r) for r in VOID_REASONS),
                id="reasons",
                markup=False,
                compact=True,
            )
            yield Input(
                placeholder=_("or type another reason, then Enter"), id="reason", compact=True
            )
            yield Static(_("Enter voids · Tab to type · Escape cancels"), classes="help")
            yield Static(id="error", classes="error")
        yield KeysFooter()  # its own keys, over the history's, which do nothing while it is open

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)  # the reason as saved: in English, shown translated

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:  # checked as the store checks it: a refusal is said here, the reason kept
            self.dismiss(check_plain(check_reason(event.value), "reason"))
        except InputError as exc:
            self.query_one("#error", Static).update(Text(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RestoreScreen(RatingDialog[bool]):
    """Confirms restoring a voided rating; dismisses with True on Enter, False on Escape."""

    DEFAULT_CSS = DIALOG_CSS.format(name="RestoreScreen")
    BINDINGS = [
        Binding("enter", "restore", N_("Restore")),
        Binding("escape", "cancel", N_("Cancel")),
        *KEYS_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        a = self.administration
        with Vertical():
            yield from self.compose_heading(_("Restore this rating?"))
            if a.voided is not None:
                yield Static(
                    Text(
                        _("Voided {when}: {reason}").format(
                            when=a.voided.at.replace("T", " "), reason=_(a.voided.reason)
                        )
                    )
                )
            yield Static(
                _(
                    "It counts again in every chart, flag and report.\n"
                    "Enter restores · Escape cancels"
                ),
                classes="help",
            )
        yield KeysFooter()

    def action_restore(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class CorrectScreen(RatingDialog[str | None], FitAppAccess):
    """Moves a rating to another client and/or fixes its date; the old values stay in the
    rating's corrections. Dismisses with a sentence saying what changed, or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="CorrectScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel")), *KEYS_BINDINGS]

    def compose(self) -> ComposeResult:
        a = self.administration
        with Vertical():
            yield from self.compose_heading(_("Correct this rating"))
            yield Label(_("Client code (to move it)"))
            yield Input(value=a.client, id="client", compact=True)
            yield Label(_("Date, YYYY-MM-DD or YYYY-MM-DD HH:MM (not after today)"))
            yield Input(value=date_text(a.date), id="date", compact=True)
            yield Static(
                _(
                    "Enter saves · Tab next field · Escape cancels\n"
                    "The old client and date are kept in the rating's corrections."
                ),
                classes="help",
            )
            yield Static(id="error", classes="error")
        yield KeysFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        a = self.administration
        store = self.fit_app.store
        error = self.query_one("#error", Static)
        try:
            code = check_code(self.query_one("#client", Input).value)
            store.client(code)
            typed = " ".join(self.query_one("#date", Input).value.split())  # spaces as typed
            when = parse_when(typed.replace(" ", "T", 1))
            check_not_future(when, self.fit_app.today())
            done = []
            with store.storage.transaction():  # both or neither: Enter again must not redate twice
                if when != a.date:
                    store.redate(a.id, when)
                    done.append(_("dated {when}").format(when=when.replace("T", " ")))
                if code != a.client:
                    store.move(a.id, code)
                    done.append(_("moved to {code}").format(code=code))
        except (InputError, StorageError) as exc:
            error.update(Text(str(exc)))
            return
        if not done:
            error.update(_("Nothing changed: edit the client or the date, or press Escape."))
            return
        self.dismiss(
            _("{key} of {date} {what}.").format(
                key=a.instrument, date=a.date.replace("T", " "), what=_(" and ").join(done)
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class SameDayScreen(ModalScreen[str], FitAppAccess):
    """Two ratings of one instrument by one rater on one day are one session, and the new
    one counts in place of the earlier (``model.one_per_session``). Asks whether to void
    the earlier (with the reason "replaced by a later rating the same day"), to keep both
    as two sessions of the day, or to leave it so; dismisses with "replaced", "kept" or
    "left"."""

    DEFAULT_CSS = DIALOG_CSS.format(name="SameDayScreen")
    BINDINGS = [
        Binding("r", "replace", N_("Void the earlier")),
        Binding("k", "keep", N_("Two sessions")),
        Binding("escape", "leave", N_("Leave it so")),
        *KEYS_BINDINGS,
    ]

    def __init__(
        self,
        saved: Administration,
        earlier: Administration,
        instruments: dict[str, Instrument],
    ) -> None:
        super().__init__()
        self.saved = saved
        self.earlier = earlier
        self.instruments = instruments

    def compose(self) -> ComposeResult:
        a = self.saved
        with Vertical():
            yield Label(
                _("A second {key} by {rater} on {day}").format(
                    key=a.instrument, rater=_(a.rater), day=a.day
                ),
                classes="title",
            )
            yield Static(
                Text(
                    _("Earlier: {rating}").format(
                        rating=rating_words(self.earlier, self.instruments)
                    )
                )
            )
            yield Static(Text(_("Now: {rating}").format(rating=rating_words(a, self.instruments))))
            yield Static(
                _(
                    "They make one session, and the new rating counts in place of the "
                    "earlier one.\n"
                    "r voids the earlier one as replaced (still shown in the history)\n"
                    "k keeps both: two sessions that day, both counted\n"
                    "Escape leaves it so"
                ),
                classes="help",
            )
            yield Static(id="error", classes="error")
        yield KeysFooter()

    def action_replace(self) -> None:
        try:
            self.fit_app.store.void(self.earlier.id, REPLACED_SAME_DAY)
        except (InputError, StorageError) as exc:
            self.query_one("#error", Static).update(
                Text(_("Not voided: {problem}").format(problem=exc))
            )
            return
        self.dismiss("replaced")

    def action_keep(self) -> None:
        try:
            self.fit_app.store.keep_as_own_session(self.saved.id)
        except (InputError, StorageError) as exc:
            self.query_one("#error", Static).update(
                Text(_("Not kept: {problem}").format(problem=exc))
            )
            return
        self.dismiss("kept")

    def action_leave(self) -> None:
        self.dismiss("left")


def ask_about_same_day(app: FitApp, saved: list[Administration]) -> None:
    """After ratings are saved, ask about each one that makes one session with an earlier
    rating (same client, instrument, rater and day), one question at a time."""

    def ask(index: int) -> None:
        if index == len(saved):
            return
        a = saved[index]
        counted = app.store.administrations(a.client)
        earlier, _later = session_neighbours(a, counted)  # None if ``a`` is not counted
        if earlier is None:
            ask(index + 1)
            return

        def answered(answer: str | None) -> None:
            if answer == "replaced":
                app.notify(
                    _("The earlier {key} is voided: {reason}.").format(
                        key=a.instrument, reason=_(REPLACED_SAME_DAY)
                    )
                )
            elif answer == "kept":
                app.notify(
                    _("The new {key} counts as a session of its own that day.").format(
                        key=a.instrument
                    )
                )
            ask(index + 1)

        app.push_screen(SameDayScreen(a, earlier, app.instruments), answered)

    ask(0)


def ask_about_corrected(app: FitApp, administration_id: str) -> None:
    """After a rating is moved, redated or restored: ask about the day it now shares with
    another rating of its instrument by its rater, as after a second rating of the day.
    The corrected rating replaces one entered before it, or one entered after it replaces
    it; either way which rating counts changed, and the therapist is asked, never left to
    find it in the table (``fittui move``, ``redate`` and ``unvoid`` name it too)."""
    try:
        a = app.store.administration(administration_id)
    except InputError:  # gone meanwhile: nothing to ask about
        return
    _earlier, later = session_neighbours(a, app.store.administrations(a.client))
    ask_about_same_day(app, [a] if later is None else [a, later])
