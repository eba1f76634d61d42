"""Writing or changing the note of one administration: the client's words, the plan."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from fittui.domain.display import date_text
from fittui.domain.language import N_, _
from fittui.domain.model import Administration, InputError
from fittui.domain.outside import shown_note
from fittui.storage.journal import StorageError
from fittui.storage.store import NoteChanged
from fittui.ui.access import FitAppAccess
from fittui.ui.screens.keys import KEYS_BINDINGS, key_sections, section_bindings
from fittui.ui.widgets.keys_footer import KeysFooter
from fittui.ui.widgets.note_area import NoteArea


class NoteScreen(ModalScreen[bool], FitAppAccess):
    """Saves on Enter and dismisses with True; Escape leaves the note as it was."""

    KEYS_TITLE = N_("the note")
    KEYS = key_sections("note")
    # A dialog keeps the app's keys out, so it binds ? itself.
    BINDINGS = [*section_bindings(KEYS, footer=("cancel",)), *KEYS_BINDINGS]

    def __init__(self, administration: Administration) -> None:
        super().__init__()
        self.administration = administration

    def compose(self) -> ComposeResult:
        with Vertical(id="note-form"):
            yield Label(self.heading())
            yield NoteArea(
                self.administration.note,
                placeholder=_("The client's words, what you agreed"),
                id="note",
            )
            yield Static(_("Enter saves · Escape cancels"), id="note-help")
        yield KeysFooter()  # its own keys over the history's, which do nothing while it is open

    def heading(self) -> str:
        """Which rating the note is on: "Note on ORS of 2026-11-09 10:00 (client)"."""
        a = self.administration
        return _("Note on {key} of {date} ({rater})").format(
            key=a.instrument, date=date_text(a.date), rater=_(a.rater)
        )

    def on_mount(self) -> None:
        self.query_one(NoteArea).move_cursor(self.query_one(NoteArea).document.end)

    def on_note_area_submitted(self, event: NoteArea.Submitted) -> None:
        a = self.administration
        try:
            self.fit_app.store.set_note(a.id, event.value.strip(), opened=a.note)
        except NoteChanged as exc:  # saved from another window (a second SSH session)
            # What is saved now becomes what this box started from: Enter again saves the
            # words typed here over it, knowingly; Escape keeps it.
            self.administration = a.replace(note=exc.now)
            self.query_one("#note-help", Static).update(
                Text(
                    _(
                        "Not saved: this note was changed elsewhere since the box opened; it "
                        "now reads: {now}. Enter again saves yours over it; Escape keeps it."
                    ).format(now=shown_note(exc.now) or "-")
                )
            )
            return
        except (InputError, StorageError) as exc:  # a pasted control character, a full disk
            self.query_one("#note-help", Static).update(
                Text(_("Not saved: {problem}").format(problem=exc))
            )
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def unsaved_work(self) -> dict | None:
        """The note as typed, when it differs from the saved one: kept if something goes wrong."""
        typed = self.query_one(NoteArea).text.strip()
        if typed == self.administration.note:
            return None
        a = self.administration
        return {
            "kind": "note",
            "client": a.client,
            "administration": a.id,
            "note": typed,
            "opened": a.note,  # saved later only if no one changed the note meanwhile
        }
