"""The client list's table and search field: Enter in either opens the client's history,
in turn with the keys before it.

Why not the screen's own key: a key the screen binds with priority (as it must be to win
over the table's and the field's own Enter) runs the moment it arrives, before the table has
moved its cursor, or the field taken the letters, for the keys that came with it in one read
of the terminal. ``Down Enter`` typed in one go (or arriving together over a slow link)
would open the client the cursor left. Bound here, Enter waits its turn behind those keys,
and the footer shows it as the screen's History key (the action is the screen's).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from fittui.domain.language import N_
from fittui.ui.widgets.row_table import RowTable

OPEN_HISTORY = Binding(
    "enter", "screen.history", N_("History"), tooltip=N_("open the client's history")
)


class ClientTable(RowTable):
    """The rows of the client list; Enter opens the history of the client under the cursor
    (DataTable's own Enter selects the row)."""

    BINDINGS = [OPEN_HISTORY]


class ClientSearch(Input):
    """The search field above the list; Enter opens the history of the client the search
    came to (Input's own Enter submits the field)."""

    BINDINGS = [OPEN_HISTORY]
