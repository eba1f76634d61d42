"""Screen-share mode: a rating shown through a video call, the therapist at the keys.

One item at a time, drawn large (``widgets/share_line.py``), so that a shared terminal
stays readable at a video call's resolution. The client says where the mark goes; the
therapist presses the keys. Nothing on this screen names the client: no code, no label, no
history, no toast, since everything here is being shown to the client. The therapist holds
the keyboard, so leaving needs no PIN; the result, which does name the client, comes only
after the therapist has been asked to stop sharing.
"""

from __future__ import annotations

from functools import cached_property

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from fittui.domain.instruments import Instrument
from fittui.domain.language import N_, _, translated
from fittui.domain.model import Administration, InputError
from fittui.storage.journal import StorageError
from fittui.ui.taking import ShowsTheScale
from fittui.ui.widgets.answer import Answer
from fittui.ui.widgets.choice import answer_for
from fittui.ui.widgets.share_line import ShareLine

HINT = N_("The client says where the mark goes: ← → move it, Shift for a little, 0-9 a number")
CHOICE_HINT = N_("The client says which answer: ← → move to it, or its number, {low} to {high}")
DONE_TEXT = N_("All {count} marked. Enter saves; ↑ goes back to change a mark.")
SAVED_TEXT = N_("Saved. Stop sharing your screen now, then press Enter to see the result.")
SAVED_MORE_TEXT = N_("Saved. Enter goes on to the next rating.")


class ShareScreen(ShowsTheScale, Screen[Administration | None]):
    """Rate one instrument over a shared screen; dismisses with what was saved, or None."""

    BINDINGS = [
        Binding("enter", "next", N_("Next")),
        Binding("up", "previous", N_("Back")),
        Binding("shift+tab", "previous", N_("Back"), show=False),  # ↑ chooses in a column
        Binding("n", "toggle_numbers", N_("Numbers")),
        Binding("escape", "leave", N_("Leave")),
    ]

    DEFAULT_CSS = """
    ShareScreen {
        & #share-progress { text-style: bold; padding: 0 2; }
        & #share-frame { text-style: bold; padding: 0 2; height: auto; }
        & #share-items { height: auto; margin: 1 0 0 0; }
        & #share-message { text-style: bold; color: $warning; padding: 0 2; height: auto; }
        & #share-hint { padding: 0 2; }
    }
    """

    def __init__(
        self,
        instrument: Instrument,
        client_code: str,
        show_numbers: bool = False,
        rater: str = "client",
        last: bool = True,
    ):
        super().__init__(instrument, client_code, rater, show_numbers)
        self.last = last
        """Whether the result comes next (ask to stop sharing first), or another rating."""
        self.current = 0
        self.saved: Administration | None = None
        self._leaving = False

    @cached_property
    def shown(self) -> Instrument:
        """The instrument in the client's language (the one saved is ``instrument``)."""
        return translated(self.instrument, self.tr)

    def compose(self) -> ComposeResult:
        yield Static("", id="share-progress")
        # An instrument file's words are shown as written: "[paid]" is no markup.
        yield Static(Content(self.shown.frame), id="share-frame")
        with Vertical(id="share-items"):
            yield from self._answers()
        yield Static("", id="share-message")
        yield Static(self._hint(), id="share-hint")
        yield Footer(show_command_palette=False)

    def _answers(self) -> ComposeResult:
        """A line drawn large for each item; a questionnaire's question with its answers,
        since its scores are whole answers that a line would put between two."""
        for number, item in enumerate(self.shown.items, start=1):
            yield answer_for(
                self.shown,
                item,
                number,
                ShareLine,
                show_numbers=self.show_numbers,
                tr=self.tr,
                id=f"share-{item.key}",
            )

    def _hint(self) -> str:
        """The keys, for the therapist who presses them."""
        instrument = self.instrument
        if instrument.kind != "likert":
            return _(HINT)
        low, high = (
            instrument.format_score(t) for t in (instrument.scale_min, instrument.scale_max)
        )
        return _(CHOICE_HINT).format(low=low, high=high)

    @property
    def lines(self) -> list[Answer]:
        """Each item's answer, a line or a question, in order."""
        return list(self.query(Answer))

    def on_mount(self) -> None:
        self.fit_app.sharing = True  # a toast would show over the shared screen: they wait
        # The command palette lists clients: it stays shut while the client watches.
        self._palette_was = self.app.use_command_palette
        self.app.use_command_palette = False
        self._show(0)

    def on_unmount(self) -> None:
        self.app.use_command_palette = self._palette_was
        if self.last or self.saved is None:  # the round is over: the result comes next
            self.fit_app.sharing = False

    def _show(self, index: int) -> None:
        """Show item ``index``, or the finished page past the last item."""
        self.current = index
        lines = self.lines
        for n, line in enumerate(lines):
            # A hidden line must take no key: one whose focus was still on its way (keys in
            # a burst) would otherwise move a mark nobody sees on the "all marked" page.
            line.display = line.can_focus = n == index
        progress = self.query_one("#share-progress", Static)
        message = self.query_one("#share-message", Static)
        if index < len(lines):
            where = self.tr.c_("{scale} · {number} of {count}")
            progress.update(
                Content(where.format(scale=self.shown.name, number=index + 1, count=len(lines)))
            )
            lines[index].focus()
            message.update("")
        else:
            self.set_focus(None)
            progress.update(Content(self.shown.name))
            message.update(_(DONE_TEXT).format(count=len(lines)))

    @on(Answer.Changed)
    def _marked(self) -> None:
        self._leaving = False

    @on(Answer.Confirmed)
    def _confirmed(self, event: Answer.Confirmed) -> None:
        event.stop()
        self.action_next()

    def action_next(self) -> None:
        if self.saved is not None:
            self.dismiss(self.saved)
            return
        lines = self.lines
        if self.current < len(lines):
            if lines[self.current].value is None:
                first = (
                    _("Choose an answer first: the client says which.")
                    if self.instrument.kind == "likert"
                    else _("Put a mark on the line first: the client says where.")
                )
                self.query_one("#share-message", Static).update(first)
                return
            self._show(self.current + 1)
            return
        self._save()

    def _save(self) -> None:
        # action_next comes here only once every line has a mark, and a mark is never taken away.
        items = {line.item.key: line.value for line in self.lines if line.value is not None}
        message = self.query_one("#share-message", Static)
        try:
            saved = self.fit_app.store.record(
                self.client_code, self.instrument, items, rater=self.rater, mode="screen_share"
            )
        except (InputError, StorageError) as exc:
            message.update(
                Content(
                    _("Not saved: {problem}. The marks are kept; press Enter to try again.").format(
                        problem=exc
                    )
                )
            )
            return
        self.saved = saved
        message.update(_(SAVED_TEXT if self.last else SAVED_MORE_TEXT))
        self.query_one("#share-hint", Static).update("")

    def action_previous(self) -> None:
        if self.saved is None and self.current > 0:
            self._show(self.current - 1)

    def action_toggle_numbers(self) -> None:
        for line in self.lines:
            line.show_numbers = not line.show_numbers

    def action_leave(self) -> None:
        """Leave; with marks made and not saved, only on a second Escape. Once saved, only
        Enter goes on: the result names the client, and the screen may still be shared."""
        if self.saved is not None:
            self.query_one("#share-message", Static).update(
                _(SAVED_TEXT if self.last else SAVED_MORE_TEXT)
            )
        elif self._leaving or all(line.value is None for line in self.lines):
            self.dismiss(None)
        else:
            self._leaving = True
            self.query_one("#share-message", Static).update(
                _("Press Escape again to leave without saving these marks.")
            )
