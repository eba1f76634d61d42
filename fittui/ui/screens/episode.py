"""Asking how an episode of care ended: planned, dropout, referred on, or another reason.

One small dialog for the history's two episode keys: ending the current episode, and
starting a new one while the current is still open (which ends it first, with a reason,
so no episode is ever closed without one).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fittui.domain.episodes import REASON_WORDS, REASONS
from fittui.domain.language import N_, _
from fittui.ui.cells import first_upper
from fittui.ui.screens.keys import KEYS_BINDINGS
from fittui.ui.widgets.keys_footer import KeysFooter


class EpisodeEndScreen(ModalScreen[str | None]):
    """Dismisses with the reason chosen (a key of ``episodes.REASONS``), or None.

    | key | does |
    |---|---|
    | ↑ ↓, Enter | choose a reason |
    | 1 to 4 | that reason at once |
    | Escape | cancel: nothing is saved |
    """

    DEFAULT_CSS = """
    EpisodeEndScreen {
        align: center middle;
    }
    EpisodeEndScreen #episode-form {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        padding: 0 2;
        background: $panel;
    }
    EpisodeEndScreen OptionList {
        height: auto;
        margin: 1 0;
    }
    EpisodeEndScreen #episode-help {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        *(Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, len(REASONS) + 1)),
        *KEYS_BINDINGS,
    ]
    AUTO_FOCUS = "#reasons"

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="episode-form"):
            yield Static(self.question, id="episode-question")
            yield OptionList(
                *(
                    Option(f"{n}  {first_upper(_(REASON_WORDS[reason]))}", id=reason)
                    for n, reason in enumerate(REASONS, start=1)
                ),
                id="reasons",
            )
            yield Static(_("Enter or 1-4 chooses · Escape cancels"), id="episode-help")
        yield KeysFooter()  # its own keys, over the history's, which do nothing while it is open

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_choose(self, index: int) -> None:
        self.dismiss(REASONS[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
