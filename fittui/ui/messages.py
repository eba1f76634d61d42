"""Messages that cross screens."""

from __future__ import annotations

from textual.message import Message


class DataChanged(Message):
    """The database changed, by this app or by another process (another copy over SSH,
    ``fittui record`` in another shell): screens showing data redraw."""
