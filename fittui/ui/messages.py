"""Messages that cross screens."""

from __future__ import annotations

from textual.message import Message


class DataChanged(Message):
    """The database changed, by this app or by another process (another copy over SSH,
    ``fittui record`` in another shell): screens showing data redraw.

    ``codes``: the clients whose records changed, when the store can tell; None when
    anything may have changed.
    """

    def __init__(self, codes: frozenset[str] | None = None) -> None:
        super().__init__()
        self.codes = codes
