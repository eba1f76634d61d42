"""The footer of the therapist's screens: the keys that matter, whole words, at any width.

Textual's footer shows every key a screen marks for it, and cuts off what does not fit. At
80 columns and more this one shows them all (each screen keeps its list short enough);
below 80, only the essential ones the screen names in ``NARROW_KEYS`` (by action name).
The command palette's key is not shown: `?` lists it with every other key.

Binding words are written in English in each screen's ``BINDINGS`` (class attributes, made
at import, before the therapist's language is known) and marked ``N_``; they are translated
here, where the footer draws them, and in the keys screen (``keys.screen_keys``).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from fittui.domain.language import N_, _

# Textual's own words that reach the footer (a Select's open list), for the catalog.
TEXTUAL_WORDS = (N_("Dismiss menu"),)
WIDE = 80  # from here on the footer shows every key the screen marks for it


def action_name(action: str) -> str:
    """ "rate('ors')" -> "rate", "app.caseload" -> "caseload"."""
    return action.split("(", 1)[0].rsplit(".", 1)[-1]


class KeysFooter(Footer):
    """A compact footer that keeps to the screen's essential keys below 80 columns."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        self._narrow = self.app.size.width < WIDE
        essential = getattr(self.screen, "NARROW_KEYS", None)
        for widget in super().compose():
            action = getattr(widget, "action", None)  # a key; not a group or a label
            if self._narrow and essential is not None and action is not None:
                if action_name(action) not in essential:
                    continue
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description)
                if widget.tooltip is not None:
                    widget.tooltip = _(str(widget.tooltip))
            yield widget

    def on_resize(self, _: events.Resize) -> None:
        if self._narrow is not None and self._narrow != (self.app.size.width < WIDE):
            self.call_after_refresh(self.recompose)
