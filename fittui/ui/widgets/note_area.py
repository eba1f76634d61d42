"""A note box: the client's words or the plan, as long as they are, line breaks kept."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea


class NoteArea(TextArea):
    """The note's words, wrapped to the box: a long note is read whole on a phone's 60
    columns, and a note with line breaks (``fittui record --note``, an import, a pasted
    paragraph) shows them and keeps them. A one-line field drew such a note's second line
    over the box and kept only the first line of a paste. Enter saves, as in every field."""

    class Submitted(Message):
        """Enter in the box: save ``value``."""

        def __init__(self, area: NoteArea, value: str) -> None:
            super().__init__()
            self.area = area
            self.value = value

        @property
        def control(self) -> NoteArea:
            return self.area

    async def _on_key(self, event: events.Key) -> None:
        """Enter saves; every other key goes on to ``TextArea._on_key`` (Textual calls each
        class's handler in turn unless the default is prevented)."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
