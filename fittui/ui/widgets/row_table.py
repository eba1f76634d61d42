"""A table of rows (clients, ratings): Home and End go to the first and last row, and a
long table fills in two steps so the screen is drawn before the thousandth row is in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable

from fittui.domain.language import N_

FIRST_ROWS = 60  # more than any terminal shows at once
REST_AFTER = 0.05  # seconds after the first paint: the rest of a long table comes in then


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
        self._fills = 0  # fills so far: the rest of an earlier one is never added
        self._waiting = False  # rows given to the last fill are still to go in
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
        self.fill_lazily([key for _, key in rows], lambda n: rows[n][0], cursor)

    def fill_lazily(
        self, keys: Sequence[str], cells_of: Callable[[int], Sequence[Text]], cursor: int | str = 0
    ) -> None:
        """``fill`` with the rows ``keys``, the cells of row ``n`` built by ``cells_of(n)``
        only when the row goes in: a long list builds its first screenful before the
        paint and the thousands of rows below it after.

        The rest waits for the screen to be drawn (``call_after_refresh``), then
        ``REST_AFTER`` more: a timer started at the fill could go off first on a busy
        machine, and the first frame would then wait for every row."""
        if self._rest is not None:
            self._rest.stop()
            self._rest = None
        self.clear()
        target = keys.index(cursor) if isinstance(cursor, str) and cursor in keys else cursor
        target = min(target, len(keys) - 1) if isinstance(target, int) and keys else 0

        def add(start: int, end: int) -> None:
            for n in range(start, end):
                cells = cells_of(n)
                self.add_row(*cells, key=keys[n], height=self._height(cells))
            if end > target >= start:
                self.move_cursor(row=target)

        # The cursor's row goes in with the first step, so that the cursor is on the same
        # row from the moment the table is refilled: a key pressed just after a redraw acts
        # on the row the therapist chose, never on one that happened to be first.
        first = min(len(keys), max(FIRST_ROWS, target + FIRST_ROWS))
        add(0, first)

        self._fills += 1
        this_fill = self._fills
        self._waiting = len(keys) > first

        # A call queued before a later fill replaced this one (a timer stopped too late,
        # the screen drawn after the next fill) must not add the rows of this one.
        def add_rest() -> None:
            if this_fill == self._fills:
                self._rest = None
                self._waiting = False
                add(first, len(keys))

        def after_paint() -> None:
            if this_fill == self._fills:
                self._rest = self.set_timer(REST_AFTER, add_rest)

        if self._waiting:
            self.call_after_refresh(after_paint)

    def watch_virtual_size(self) -> None:
        """Draw every line again once the columns are measured (the table's size changes).

        Why: DataTable measures the columns of new rows when it is next idle, and keeps
        each line it draws under a key that measuring does not change. A line drawn in
        between (a screen coming back is drawn at once: the list after client mode ended
        with the terminal resized) kept the widths of the column names: 17.5 shown as
        "17.", and the header out of line with its rows until the next resize."""
        self.notify_style_update()

    def _height(self, cells: Sequence[Text]) -> int:
        return 1 + max(c.plain.count("\n") for c in cells) if self.tall_rows else 1

    @property
    def complete(self) -> bool:
        """Every row given to ``fill`` is in the table (none is waiting for the paint)."""
        return not self._waiting

    def update_rows(self, changed: Mapping[str, Sequence[Text]], order: Sequence[str]) -> None:
        """Change a filled table in place: put in the rows of ``changed`` (key -> cells; a
        new key is added), take out the rows whose keys are not in ``order`` and sort the
        rest into ``order``. Rows not changed are not touched, so one client's save costs
        one row, not the table. The cursor stays on its row's key, or at its place when
        that row left."""
        current, place = self.cursor_key, self.cursor_row
        wanted = set(order)
        for row_key in [row.key for row in self.ordered_rows if row.key.value not in wanted]:
            self.remove_row(row_key)
        columns = list(self.columns)
        for key, cells in changed.items():
            if key in self.rows:
                # A cell wider than its column widens it (a longer label saved elsewhere
                # was cut to the width the first fill gave the column).
                for column, cell in zip(columns, cells):
                    self.update_cell(key, column, cell, update_width=True)
            else:
                self.add_row(*cells, key=key, height=self._height(cells))
        # The rows not changed kept their order among themselves: the table is in order
        # when each changed row is at its place.
        if self.row_count != len(order) or any(
            self.get_row_index(key) != order.index(key) for key in changed
        ):
            # Sorted by the identity of each row's first cell, which DataTable hands over.
            first = columns[0]
            rank = {id(self.get_cell(key, first)): n for n, key in enumerate(order)}
            self.sort(first, key=lambda cell: rank[id(cell)])
        if current is not None and current in wanted:
            self.move_cursor(row=self.get_row_index(current))
        elif self.row_count:
            self.move_cursor(row=min(place, self.row_count - 1))
