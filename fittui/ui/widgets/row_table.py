"""A table of rows (clients, ratings): Home and End go to the first and last row, and a
long table fills in two steps so the screen is drawn before the thousandth row is in."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable

from fittui.domain.language import N_

FIRST_ROWS = 60  # more than any terminal shows at once
REST_AFTER = 0.05  # seconds: the rest of a long table comes in after the first paint


class RowTable(DataTable):
    """DataTable with a row cursor; Home and End move it to the first and last row
    (DataTable's own Home and End scroll sideways, which a list of rows rarely needs)."""

    BINDINGS = [
        Binding("home", "scroll_top", N_("First"), show=False),
        Binding("end", "scroll_bottom", N_("Last"), show=False),
    ]

    def __init__(self, *, id: str | None = None, tall_rows: bool = False) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self._rest: Timer | None = None
        # With tall_rows a row is as tall as its cell of most lines (a wrapped cell);
        # otherwise every row is one line.
        self.tall_rows = tall_rows

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor, or None when the table is empty."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def fill(self, rows: Sequence[tuple[Sequence[Text], str]], cursor: int | str = 0) -> None:
        """Replace the rows with (cells, key) pairs and put the cursor on the row with key
        ``cursor`` (or at index ``cursor``). Adding a row measures every cell, so the
        first screenful (and the cursor's row) goes in now and the rest just after the
        screen is drawn."""
        if self._rest is not None:
            self._rest.stop()
            self._rest = None
        self.clear()
        keys = [key for _, key in rows]
        target = keys.index(cursor) if isinstance(cursor, str) and cursor in keys else cursor
        target = min(target, len(rows) - 1) if isinstance(target, int) and rows else 0

        def add(chunk: Sequence[tuple[Sequence[Text], str]]) -> None:
            for cells, key in chunk:
                height = 1 + max(c.plain.count("\n") for c in cells) if self.tall_rows else 1
                self.add_row(*cells, key=key, height=height)
            if self.row_count > target >= self.row_count - len(chunk):
                self.move_cursor(row=target)

        # The cursor's row goes in with the first step, so that the cursor is on the same
        # row from the moment the table is refilled: a key pressed just after a redraw acts
        # on the row the therapist chose, never on one that happened to be first.
        first = max(FIRST_ROWS, target + FIRST_ROWS)
        add(rows[:first])
        if len(rows) > first:
            self._rest = self.set_timer(REST_AFTER, lambda: add(rows[first:]))
