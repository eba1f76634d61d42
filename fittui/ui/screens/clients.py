"""The client list, the home screen: who needs attention first, found as you type.

Clients with a risk answer, off track, or with a drop in the alliance come first (scoring's
``attention``); then everyone else by code. Archived clients stay out of the way until
asked for. The list redraws when a save lands from this or another process.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from operator import attrgetter, itemgetter
from typing import cast

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Header, Input, Static

from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, format_tenths
from fittui.domain.language import N_, _
from fittui.domain.model import Client
from fittui.storage.derived import ClientRow
from fittui.storage.journal import StorageError
from fittui.ui.cells import (
    flags_cell,
    plain,
    progress_words,
    score_cell,
    since_same,
    since_words,
    status_cell,
)
from fittui.ui.live import LiveScreen
from fittui.ui.screens.keys import key_sections, section_bindings
from fittui.ui.widgets.client_list import ClientSearch, ClientTable
from fittui.ui.widgets.keys_footer import KeysFooter
from fittui.ui.widgets.row_table import FIRST_ROWS, RowTable

COLUMNS = (N_("Client"), N_("Status"), N_("ORS"), N_("SRS"), N_("Flags"), N_("Seen"), N_("Label"))
# Below this width (a phone over SSH) the list keeps what decides who to open first;
# the label and last session are in the history, and the search still finds labels.
NARROW = 70
NARROW_COLUMNS = COLUMNS[:5]
SCORE_COLUMNS = (1, 2)  # of ``ListCells.middle``: the latest ORS and SRS, one decimal
FLAGS_COLUMN = COLUMNS.index("Flags")
LABEL_ROOM = 8  # the least of a label the wide list keeps in view beside a client's flags


def first_to_look_at(row: ClientRow) -> tuple[int, str]:
    """The list's order: who needs a look first (``scoring.attention``), then by code."""
    return (-row.attention, row.client.code)


def code_width(code: str) -> int:
    """A client code's width: one column a character when it is all ASCII, as it nearly
    always is (measured for each of thousands of rows)."""
    return len(code) if code.isascii() else cell_len(code)


def tenths(number: float | None) -> int | None:
    """A one-decimal score as a client's row keeps it (``report --json``), in tenths."""
    return None if number is None else round(number * 10)


_report = attrgetter("report")
_last_seen = attrgetter("last_seen")


def status_key(row: ClientRow) -> Hashable:
    """What a row's status cell shows depends on (``cells.progress_words``)."""
    client, report = row.client, row.report
    if client.archived:
        return None
    return report["status"], report["ors_count"], report["ors_instrument"], client.age_group


class ListCells:
    """The cells of the list's rows for one fill. A status, a score, the flags or the time
    since last seen is made once per value and shared by the rows that show it (thousands
    of rows hold a few hundred), and measured once: the whole list is measured from the
    values its rows hold, without building them, and the rows go in after the first paint
    (``RowTable.fill_lazily``)."""

    def __init__(self, app: App, today: date, flags_room: int | None = None) -> None:
        self.app = app
        self.today = today
        self.flags_room = flags_room  # the most columns the flags may take (``flags_cell``)
        self._made: dict[tuple[int, Hashable], tuple[Text, int]] = {}
        self._since: dict[str, Text] = {}  # "3 wk" -> its cell, for every day it stands for
        # The status, latest ORS and SRS, flags and time since last seen: what each cell
        # shows depends on (read from a row), and how it is made.
        self._columns: tuple[
            tuple[Callable[[ClientRow], Hashable], Callable[[ClientRow], Text]], ...
        ] = (
            (status_key, self._status),
            (lambda row: row.report["ors_last"], lambda row: self._score(row, "ors_last")),
            (lambda row: row.report["srs_last"], lambda row: self._score(row, "srs_last")),
            (lambda row: tuple(row.report["flags"]), self._flags),
            (lambda row: row.last_seen, self._since_cell),
        )
        # The same of every row at once, for measuring: read in C (``operator``) where a
        # key is one field, since the list measures thousands of rows before its paint.
        self._keys: tuple[Callable[[list[ClientRow]], Iterable[Hashable]], ...] = (
            lambda rows: map(status_key, rows),
            lambda rows: map(itemgetter("ors_last"), map(_report, rows)),
            lambda rows: map(itemgetter("srs_last"), map(_report, rows)),
            lambda rows: map(tuple, map(itemgetter("flags"), map(_report, rows))),
            lambda rows: map(_last_seen, rows),
        )

    def middle(self, row: ClientRow) -> list[Text]:
        """The status, latest ORS and SRS, flags and time since last seen of ``row``."""
        return [
            self._cell(n, key(row), make, row)[0] for n, (key, make) in enumerate(self._columns)
        ]

    def widths(self, rows: list[ClientRow], columns: int) -> list[int]:
        """The widest cell among ``rows`` of each of the first ``columns`` of ``middle``.

        A score is measured from its digits and the time since last seen from its words,
        without making a cell: a large practice's rows hold hundreds of different scores
        and a thousand days last seen or more, and the words for those days a few dozen
        (``cells.since_same``)."""
        widths = []
        for n, (column, keys) in enumerate(zip(self._columns[:columns], self._keys)):
            make = column[1]
            if make == self._since_cell:
                widths.append(self._since_width(set(keys(rows))))
                continue
            if n in SCORE_COLUMNS:
                scores = {tenths(cast(float | None, v)) for v in set(keys(rows))}
                widths.append(max(len(format_tenths(score)) for score in scores) if rows else 0)
                continue
            distinct = dict(zip(keys(rows), rows))  # a row of each value: its last
            widths.append(
                max((self._cell(n, k, make, row)[1] for k, row in distinct.items()), default=0)
            )
        return widths

    def _since_width(self, seen: set[Hashable]) -> int:
        today = self.today.toordinal()
        days = {
            None if day is None else today - date.fromisoformat(cast(str, day)).toordinal()
            for day in seen
        }
        words = {since_words(n) for n in {since_same(n) for n in days}}
        return max(map(cell_len, words), default=0)  # each a plain cell (``_since_text``)

    def _cell(
        self, column: int, key: Hashable, make: Callable[[ClientRow], Text], row: ClientRow
    ) -> tuple[Text, int]:
        made = self._made.get((column, key))
        if made is None:
            cell = make(row)
            made = self._made[column, key] = (cell, cell.cell_len)
        return made

    def _status(self, row: ClientRow) -> Text:
        client, report = row.client, row.report
        if client.archived:
            return Text(_("archived"), style="dim")
        words = progress_words(
            client, report["status"], report["ors_count"], report["ors_instrument"]
        )
        return status_cell(self.app, report["status"], words)

    def _score(self, row: ClientRow, which: str) -> Text:
        return score_cell(tenths(row.report[which]))

    def _flags(self, row: ClientRow) -> Text:
        return flags_cell(self.app, tuple(row.report["flags"]), room=self.flags_room)

    def _since_cell(self, row: ClientRow) -> Text:
        return self._since_text(self._since_words(row.last_seen))

    def _since_words(self, seen: str | None) -> str:
        return since_words(None if seen is None else (self.today - date.fromisoformat(seen)).days)

    def _since_text(self, words: str) -> Text:
        cell = self._since.get(words)
        if cell is None:
            cell = self._since[words] = Text(words)
        return cell


class ClientsScreen(LiveScreen):
    """Active clients with status, latest ORS and SRS, flags and last session."""

    KEYS_TITLE = N_("the client list")
    PLACE = "list"
    KEYS = key_sections("clients")
    BINDINGS = section_bindings(
        KEYS,
        footer=("history", "begin", "rate", "rate_more", "search", "caseload", "add", "quit"),
    )
    # The list has the focus from the start: a key typed as the app opens (``/`` to search)
    # acts on it, never goes into the search field, which Textual would focus first.
    AUTO_FOCUS = "#clients"
    # Below 80 columns the footer keeps what a session needs.
    NARROW_KEYS = frozenset({"history", "begin", "rate", "rate_more", "search", "show_keys"})

    def __init__(self) -> None:
        super().__init__()
        self.show_archived = False
        self.rows: list[ClientRow] = []
        self.rows_built = 0
        """How many rows of the list have been drawn since it opened: a save redraws only
        the rows of the clients it changed."""
        self._drawn: dict[str, tuple[ClientRow, date]] = {}  # each row on screen: from what
        self._drawn_for: tuple[int, str] | None = None  # (width, search) of the last fill
        self._widths: list[int] = []  # the widest cell of each column but the label
        self._flags_room: int | None = None  # what the flags were cut to at the last fill

    def compose(self) -> ComposeResult:
        yield Header()
        yield ClientSearch(placeholder=_("Search by code or label ( / )"), id="search")
        yield ClientTable(id="clients")
        yield Static("", id="empty")
        yield KeysFooter()

    def on_resize(self) -> None:
        if self._drawn_for is not None and self._drawn_for[0] != self.size.width:
            self.show_rows()

    def redraw(self) -> None:
        rows = self.fit_app.client_rows(self.show_archived)
        self.show_changes(sorted(rows, key=first_to_look_at))

    def redraw_clients(self, codes: frozenset[str]) -> None:
        """Only the rows of the clients a save changed are read again (``Store.refresh``
        names them with those linked to them), then put in their places."""
        rows = [row for row in self.rows if row.client.code not in codes]
        for row in self.fit_app.rows_of(codes, self.show_archived):
            bisect.insort(rows, row, key=first_to_look_at)
        self.show_changes(rows, codes)

    def _search(self) -> str:
        return self.query_one("#search", Input).value.strip().lower()

    def _matching(self, query: str) -> list[ClientRow]:
        return [
            row
            for row in self.rows
            if not query or query in row.client.code.lower() or query in row.client.label.lower()
        ]

    def _columns(self) -> tuple[str, ...]:
        return NARROW_COLUMNS if self.size.width < NARROW else COLUMNS

    def show_changes(self, rows: list[ClientRow], codes: frozenset[str] | None = None) -> None:
        """List ``rows`` (in the list's order): redraw the rows whose client changed since
        they were drawn (only those of ``codes``, when the save named its clients) and put
        every row in its place; the whole table only when the width, the search or a
        column changed."""
        self.rows = rows
        table = self.query_one(RowTable)
        query = self._search()
        if self._drawn_for != (self.size.width, query) or not table.complete:
            self.show_rows()
            return
        shown = self._matching(query)
        today = self.fit_app.today()
        if codes is None:
            changed = [row for row in shown if self._drawn.get(row.client.code) != (row, today)]
        else:
            changed = [row for row in shown if row.client.code in codes]
        if len(changed) > FIRST_ROWS:  # archived clients shown: after the first paint
            self.show_rows()
            return
        shared = ListCells(self.app, today, self._flags_room)
        cells = {row.client.code: self._row_cells(row, shared) for row in changed}
        widths = self._measure(changed, shared)
        if any(new > old for new, old in zip(widths, self._widths)):
            self.show_rows()  # a wider cell takes room from the label: every row again
            return
        self._fit_labels(list(cells.values()))
        table.update_rows(cells, [row.client.code for row in shown])
        if codes is None:
            self._drawn = {row.client.code: (row, today) for row in shown}
        else:
            for code in codes:
                self._drawn.pop(code, None)
            self._drawn.update((row.client.code, (row, today)) for row in changed)
        self._show_empty(shown)

    def _row_cells(self, row: ClientRow, shared: ListCells) -> list[Text]:
        self.rows_built += 1
        cells = [plain(row.client.code), *shared.middle(row), plain(row.client.label)]
        return cells[: len(self._columns())]

    def _measure(self, rows: list[ClientRow], shared: ListCells) -> list[int]:
        """The widest cell of each column but the label (its name counts too)."""
        names = self._columns()[: len(COLUMNS) - 1]
        codes = max((code_width(row.client.code) for row in rows), default=0)
        measured = [codes, *shared.widths(rows, len(names) - 1)]
        return [max(len(_(name)), width) for name, width in zip(names, measured)]

    def _room_for_flags(self, widths: list[int]) -> int:
        """The columns the flags may take: what the other columns leave (each with its
        padding of 2, and the scroll bar), and on the wide list ``LABEL_ROOM`` of the label,
        so that a client with many flags never pushes the last-seen and label columns off
        the screen."""
        others = sum(w + 2 for n, w in enumerate(widths) if n != FLAGS_COLUMN)
        label = LABEL_ROOM + 2 if self._columns() == COLUMNS else 0
        return max(self.size.width - others - 2 - label - 1, len(_(COLUMNS[FLAGS_COLUMN])))

    def _fit_labels(self, rows: list[list[Text]]) -> None:
        """The label comes last and takes the width left, so the list needs no sideways
        scrolling."""
        if self._columns() == COLUMNS:
            room = max(LABEL_ROOM, self.size.width - sum(w + 2 for w in self._widths) - 3)
            for row in rows:
                row[-1].truncate(room, overflow="ellipsis")

    def show_rows(self) -> None:
        """Fill the table with the rows matching the search, keeping the cursor's client."""
        table = self.query_one(RowTable)
        current = self.selected_code()
        query = self._search()
        columns = self._columns()
        if len(table.columns) != len(columns):
            table.clear(columns=True)
            table.add_columns(*(_(name) for name in columns))
        shown = self._matching(query)
        shared = ListCells(self.app, self.fit_app.today())
        self._widths = self._measure(shown, shared)
        room = self._room_for_flags(self._widths)
        self._flags_room = room if self._widths[FLAGS_COLUMN] > room else None
        if self._flags_room is not None:  # the flags are cut to the room the rest leaves
            shared = ListCells(self.app, self.fit_app.today(), self._flags_room)
            self._widths = self._measure(shown, shared)

        def cells_of(n: int) -> list[Text]:
            cells = self._row_cells(shown[n], shared)
            self._fit_labels([cells])
            return cells

        # The same client stays under the cursor when the list re-sorts (a save from any
        # process); one that left the list (archived, or not matching the search) leaves
        # the cursor at the same place in the list.
        keys = [row.client.code for row in shown]
        cursor = current if current in keys else table.cursor_row
        table.fill_lazily(keys, cells_of, cursor)
        today = self.fit_app.today()
        self._drawn = {row.client.code: (row, today) for row in shown}
        self._drawn_for = (self.size.width, query)
        self._show_empty(shown)

    def _show_empty(self, shown: list[ClientRow]) -> None:
        empty = self.query_one("#empty", Static)
        empty.display = not shown
        if not self.rows:
            empty.update(_("No clients yet. Press a to add one."))
        elif not shown:
            empty.update(_("No client matches the search. Escape clears it."))

    def selected_code(self) -> str | None:
        return self.query_one(RowTable).cursor_key

    def selected(self) -> Client | None:
        code = self.selected_code()
        return self.fit_app.store.client(code) if code else None

    # -- search ----------------------------------------------------------------------------
    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.show_rows()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search and event.key in ("escape", "down"):
            if event.key == "escape":
                search.value = ""
            self.query_one(DataTable).focus()
            event.stop()

    # -- opening and rating ----------------------------------------------------------------
    def action_history(self) -> None:
        code = self.selected_code()
        if code:
            self.query_one(DataTable).focus()  # back from the history, keys act on the list
            self.fit_app.open_history(code)

    def _writable(self) -> bool:
        if self.fit_app.store.read_only:
            self.notify(_("Read-only: nothing can be saved here."), severity="warning")
            return False
        return True

    def _client_to_rate(self) -> Client | None:
        if not self._writable():
            return None
        client = self.selected()
        if client is None:
            self.notify(_("Add a client first: press a."), severity="warning")
        return client

    def action_begin(self) -> None:
        """b: the client's start-of-session instruments, in the therapist's order."""
        client = self._client_to_rate()
        if client:
            self.fit_app.start_session(client.code)

    def action_rate(self, family: str) -> None:
        """o and s: the ORS- or SRS-family instrument for the client's age group."""
        client = self._client_to_rate()
        if client:
            self.fit_app.rate_default(client.code, family)

    def action_remote(self) -> None:
        """v: a rating over video (screen share, aloud, a home form) or from paper."""
        from fittui.ui.screens.remote import take_remotely

        client = self._client_to_rate()
        if client:
            self.run_worker(take_remotely(self.fit_app, client), exclusive=True)

    def action_rate_more(self) -> None:
        """Any instrument (GSRS for a group), with one or more raters in turn."""
        from fittui.ui.screens.start import StartRatingScreen

        client = self._client_to_rate()
        if client is None:
            return

        def chosen(choice: tuple[str, list[str], str] | None) -> None:
            if choice:
                self.fit_app.last_start_choice = choice
                self.fit_app.start_rating(client.code, choice[0], choice[1], choice[2])

        default, raters = DEFAULTS_BY_AGE_GROUP[client.age_group][1], None
        mode: str = self.fit_app.settings.mode
        if self.fit_app.last_start_choice:  # the therapist's last choice in this session
            default, raters, mode = self.fit_app.last_start_choice
        dialog = StartRatingScreen(self.fit_app.instruments, default, raters, client.code, mode)
        self.app.push_screen(dialog, chosen)

    # -- adding, editing, archiving --------------------------------------------------------
    def _after_form(self, client: Client | None) -> None:
        if client is None:
            return
        self.query_one("#search", Input).value = ""
        self.reload(force=True)
        codes = [row.client.code for row in self.rows]
        if client.code in codes:
            self.query_one(DataTable).move_cursor(row=codes.index(client.code))
        self.notify(_("Saved {code}.").format(code=client.code))

    def action_add(self) -> None:
        from fittui.ui.screens.client_form import ClientFormScreen

        if self._writable():
            self.app.push_screen(ClientFormScreen(), self._after_form)

    def action_edit(self) -> None:
        from fittui.ui.screens.client_form import ClientFormScreen

        client = self.selected()
        if client and self._writable():
            self.app.push_screen(ClientFormScreen(client), self._after_form)

    def action_archive(self) -> None:
        """Archive the client (kept, with every rating, just out of the list), or restore."""
        client = self.selected()
        if client is None or not self._writable():
            return
        archived = not client.archived
        try:
            self.fit_app.store.update_client(client.code, archived=archived)
        except StorageError as exc:
            self.notify(_("Not saved: {problem}").format(problem=exc), severity="error", timeout=10)
            return
        if archived:
            self.notify(
                _("{code} archived: press h to see archived clients, x to restore.").format(
                    code=client.code
                )
            )
        else:
            self.notify(_("{code} is active again.").format(code=client.code))
        self.reload(force=True)

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.reload(force=True)
        self.notify(
            _("Showing archived clients too.")
            if self.show_archived
            else _("Archived clients hidden.")
        )

    def action_toggle_numbers(self) -> None:
        self.fit_app.show_numbers = not self.fit_app.show_numbers
        self.notify(
            _("Numbers on the rating lines are shown in client mode.")
            if self.fit_app.show_numbers
            else _("Numbers on the rating lines are hidden in client mode.")
        )
