"""What every form dialog shares: Enter in a field or the Save button saves; the Cancel
button or Escape closes it without saving, with None."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Button, Input

ResultT = TypeVar("ResultT")


class FormScreen(ModalScreen[ResultT | None]):
    """A dialog with fields and Save and Cancel buttons; a subclass says how it saves."""

    def _save(self) -> None:
        """Check the fields and save, or say what is wrong; each form saves its own way."""
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self._save()
        else:
            self.action_cancel()  # as Escape: a form that asks before leaving asks here too

    def action_cancel(self) -> None:
        self.dismiss(None)
