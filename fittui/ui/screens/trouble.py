"""What the app shows when something goes wrong, instead of a traceback.

For the therapist: what is safe, where the rating being saved was kept, where the details
are. For the client, in client mode: a calm line and nothing else (the error could name
other clients); the therapist key leads on to the therapist's screen. And at the next start,
or on the way back: what was kept, to save now or let go.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from fittui.domain.display import date_text
from fittui.domain.language import N_, _
from fittui.domain.model import InputError
from fittui.domain.outside import shown
from fittui.storage.journal import StorageError
from fittui.ui.access import FitAppAccess
from fittui.ui.client_mode import ClientModeScreen, clients_language

NOTICE_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: round ${border}; padding: 0 1; background: $surface;
}}
"""
"""The look of both notices: a box in the middle, its border coloured by how bad it is."""


class TroubleScreen(ModalScreen[str]):
    """For the therapist: dismisses with "back" (a fresh client list) or "quit"."""

    DEFAULT_CSS = NOTICE_CSS.format(name="TroubleScreen", border="error")
    BINDINGS = [
        Binding("escape,enter", "back", N_("Back to the client list")),
        Binding("q", "quit_app", N_("Quit fittui")),
    ]

    def __init__(
        self, kind: str, log: Path | None, kept: Path | None, problem: str | None = None
    ) -> None:
        super().__init__()
        self.error_kind, self.log_path, self.kept_path = kind, log, kept
        self.problem = problem
        """What went wrong in words, when fittui knows it (made safe to show)."""

    def compose(self) -> ComposeResult:
        lines = [
            Text(_("Something went wrong in fittui"), style="bold"),
            Text(""),
        ]
        if self.problem:
            lines.append(Text(_("What went wrong: {problem}").format(problem=self.problem)))
        lines.append(Text(_("Everything saved before this is safe on disk.")))
        if self.kept_path:
            lines.append(
                Text(
                    _(
                        "What was being saved could not be saved; it is kept in {path} "
                        "and offered to you on the client list."
                    ).format(path=self.kept_path)
                )
            )
        if self.log_path:
            lines.append(
                Text(
                    _(
                        "The details ({kind}) are in {path}, readable by "
                        "you only. It may name client codes: read it before you share it in a "
                        "bug report."
                    ).format(kind=shown(self.error_kind), path=self.log_path)
                )
            )
        else:
            lines.append(
                Text(
                    _("The error was {kind}; no log could be written.").format(
                        kind=shown(self.error_kind)
                    )
                )
            )
        lines += [
            Text(""),
            Text(_("Escape: back to the client list   q: quit fittui"), style="dim"),
        ]
        with Vertical(id="trouble"):
            yield Static(Text("\n").join(lines))

    def action_back(self) -> None:
        self.dismiss("back")

    def action_quit_app(self) -> None:
        self.dismiss("quit")


class CalmScreen(ClientModeScreen):
    """For the client: nothing about the error, and only what is true of their answers.

    With the therapist's laptop the therapist key leads on. In `fittui rate` (one person at
    their own keyboard) no therapist comes: Escape or Ctrl+Q closes fittui (exit status 1).
    """

    DEFAULT_CSS = """
    CalmScreen { align: center middle; }
    CalmScreen Static { width: auto; max-width: 60; padding: 1 2; }
    """

    def __init__(self, kept: bool = False, answers_open: bool = False) -> None:
        super().__init__()
        self.kept = kept
        """Whether the answers being given were kept for the therapist (not saved)."""
        self.answers_open = answers_open
        """Whether a rating was open, its answers not saved."""

    def compose(self) -> ComposeResult:
        tr = clients_language(self.app.screen_stack)
        if not self.fit_app.one_person:
            if self.kept:
                words = tr.c_(
                    "Something went wrong on this computer. Your answers are kept.\n\n"
                    "Please hand it back to your therapist."
                )
            else:
                words = tr.c_(
                    "Something went wrong on this computer.\n\n"
                    "Please hand it back to your therapist."
                )
        elif self.kept:
            words = tr.c_(
                "Something went wrong on this computer. Your answers are not saved, but they "
                "are kept for your therapist.\n\nPress Escape to close."
            )
        elif self.answers_open:
            words = tr.c_(
                "Something went wrong on this computer. Your answers to this questionnaire "
                "are not saved.\n\nPress Escape to close."
            )
        else:
            words = tr.c_("Something went wrong on this computer.\n\nPress Escape to close.")
        yield Static(words)

    def can_close(self) -> bool:
        return True

    def on_therapist(self) -> None:
        self.dismiss(None)


def describe_kept(work: dict) -> str:
    """One line for a kept rating or note, its text made safe to show."""
    when = date_text(str(work.get("kept_at", "")))
    if work.get("kind") == "rating":
        items = " ".join(f"{v / 10:g}" for v in work.get("items", {}).values())
        what = f"{work.get('instrument')} by {work.get('rater')} for {work.get('client')}: {items}"
    else:
        what = (
            f"note for {work.get('client', '')} ({work.get('administration')}): {work.get('note')}"
        )
    return shown(f"{when}  {what}")


class KeptWorkScreen(ModalScreen[None], FitAppAccess):
    """Ratings and notes kept when a save failed or fittui was ended (the terminal hung up):
    save them now, let them go, or later."""

    DEFAULT_CSS = NOTICE_CSS.format(name="KeptWorkScreen", border="warning")
    BINDINGS = [
        Binding("s", "save", N_("Save them now")),
        Binding("d", "discard", N_("Let them go")),
        Binding("escape", "later", N_("Later")),
    ]

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db
        self.shown: list[dict] = []  # what the screen lists: all that d lets go

    def compose(self) -> ComposeResult:
        from fittui.storage.trouble import kept_file, kept_work

        self.shown = kept_work(self.db)
        lines = [
            Text(_("Kept when a save failed or fittui was ended, not yet saved"), style="bold"),
            Text(_("(in {path})").format(path=kept_file(self.db)), style="dim"),
            Text(""),
            *(Text(describe_kept(w)) for w in self.shown),
            Text(""),
            Text(_("s: save them now   d: let them go (the file is removed)   Escape: later")),
        ]
        with Vertical(id="kept"):
            yield Static(Text("\n").join(lines))
            yield Static("", id="kept-message")

    def action_save(self) -> None:
        from fittui.storage.trouble import drop_kept_work, kept_work

        saved, problems = [], []
        for work in kept_work(self.db):
            try:
                self._save(work)
            except (InputError, StorageError, KeyError, TypeError, ValueError) as exc:
                problems.append(shown(f"{describe_kept(work)}: {exc}"))
            else:
                saved.append(work)
        # Only what was saved here is taken out: what another fittui kept meanwhile stays.
        drop_kept_work(self.db, saved)
        if problems:
            self.query_one("#kept-message", Static).update(
                Text(_("Not saved, still kept:") + "\n" + "\n".join(problems))
            )
            return
        self.app.notify(_("The kept ratings and notes are saved."))
        self.dismiss(None)

    def _save(self, work: dict) -> None:
        app = self.fit_app
        if work["kind"] == "rating":
            instrument = app.instruments[work["instrument"]]
            items = {k: int(v) for k, v in work["items"].items()}
            app.store.record(work["client"], instrument, items, work["when"], work["rater"])
        else:
            # A note kept from a dropped session is not written over one saved since
            # (a second session): NoteChanged says what it reads now, the kept one stays.
            opened = work.get("opened")
            app.store.set_note(
                work["administration"], work["note"], opened if isinstance(opened, str) else None
            )

    def action_discard(self) -> None:
        from fittui.storage.trouble import drop_kept_work

        drop_kept_work(self.db, self.shown)  # what was listed; anything kept since stays
        self.app.notify(_("The kept ratings and notes were let go."))
        self.dismiss(None)

    def action_later(self) -> None:
        self.dismiss(None)
