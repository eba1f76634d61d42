"""One client's history: the chart, what to look at and ask, the note snippet, every rating.

Read in the room after the client hands the laptop back, and later over SSH: the chart
shows the path against the cut-off, the reliable-change band and the SRS 36 line; below
it the patterns with their questions, the snippet for the progress note (copied with one
key, over SSH too), and every administration with its note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable, Header, Static

from fittui.domain import etr
from fittui.domain.display import date_text, score_format, signed
from fittui.domain.episodes import REASON_WORDS, Episode, check_end, check_start, current_ratings
from fittui.domain.language import N_, _, n_
from fittui.domain.model import Administration, InputError, correction_words, replaced_ratings
from fittui.domain.scoring import chronological, summarize
from fittui.domain.snippet import make_snippet
from fittui.formats.chart import Legend
from fittui.storage.journal import StorageError
from fittui.ui.cells import first_upper, plain, status_words, taken_words
from fittui.ui.focus import keys_may_go
from fittui.ui.live import LiveScreen
from fittui.ui.look import alert_text, look_at
from fittui.ui.screens.correct import (
    CorrectScreen,
    RestoreScreen,
    VoidScreen,
    ask_about_corrected,
)
from fittui.ui.screens.episode import EpisodeEndScreen
from fittui.ui.screens.keys import GoesBack, key_sections, section_bindings
from fittui.ui.widgets.chart_legend import ChartLegend
from fittui.ui.widgets.history_plot import VIEWS, HistoryPlot, view_title
from fittui.ui.widgets.keys_footer import KeysFooter
from fittui.ui.widgets.row_table import REST_AFTER, RowTable

EARLIER_STYLE = "dim"  # earlier episodes: shown, never counted
# The age groups as the heading names them, translated where shown.
AGE_WORDS = (N_("adult"), N_("adolescent"), N_("child"), N_("young child"))


def breakpoint_classes(
    size: tuple[int, int], horizontal: list[tuple[int, str]], vertical: list[tuple[int, str]]
) -> list[str]:
    """The classes Textual gives a screen of ``size`` for its breakpoints (the widest, or
    tallest, threshold the size reaches in each list)."""
    chosen = []
    for dimension, breakpoints in zip(size, (horizontal, vertical)):
        reached = [(edge, name) for edge, name in breakpoints if dimension >= edge]
        if reached:
            chosen.append(max(reached)[1])
    return chosen


def episode_words(episodes: list[Episode], gap_days: int) -> str:
    """The current episode for the heading, once there is more than one or it has ended."""
    if not episodes:
        return ""
    latest = episodes[-1]
    if len(episodes) == 1 and not latest.closed:
        return ""
    if latest.closed:
        return "\n" + _("{episode} (+ starts a new one)").format(episode=latest.describe(gap_days))
    return "\n" + _("Episode {number} since {start}; earlier ones greyed below").format(
        number=latest.number, start=latest.start
    )


def _dimmed(value: str, style: str) -> Text:
    """A table cell (``cells.plain``) in the style of its episode."""
    cell = plain(value)
    if style:
        cell.stylize(style)
    return cell


class HistoryScreen(GoesBack, LiveScreen):
    """Everything fittui knows about one client."""

    AUTO_FOCUS = "#history"  # arrow keys scroll the page; Tab moves into the table
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]
    KEYS_TITLE = N_("the history")
    PLACE = "history"
    KEYS = key_sections("history")
    BINDINGS = section_bindings(
        KEYS, footer=("back", "next_view", "copy_snippet", "edit_note", "rate")
    )
    NARROW_KEYS = frozenset({"back", "edit_note", "rate", "show_keys"})

    def __init__(self, code: str) -> None:
        super().__init__()
        # The classes of the breakpoints the screen is opened at, so that its widgets get
        # their styles once, not a second time when the first resize sets the classes.
        self.add_class(
            *breakpoint_classes(
                self.app.size, self.HORIZONTAL_BREAKPOINTS, self.VERTICAL_BREAKPOINTS
            ),
            update=False,
        )
        self.code = code
        self.takes_keys = False  # until its page and table are in: keys typed wait (focus.py)
        self.view = "totals"
        self.view_chosen = False  # by i; until then a view with nothing to draw gives way
        self.snippet = ""
        self.heading = Content()  # the client, their status and sessions (``redraw``)
        self.administrations: list[Administration] = []  # those that count
        self.record: list[Administration] = []  # every rating, voided ones too: the table
        self.replaced: set[str] = set()  # those a later rating of their day replaced
        self.keep_cursor_on: str | None = None  # a corrected rating, wherever it moves to
        self.episodes: list[Episode] = []
        self.current: list[Administration] = []  # the current episode's: what counts
        self.body_shown = False  # everything below the heading (``body``) is mounted
        self._body_asked = False

    def compose(self) -> ComposeResult:
        # The first paint is the heading on its own; the scrolling page, the same heading
        # at its top at the same place and width, and the rest (``body``) below it, takes
        # its place just after (``show_body``).
        yield Header()
        alert = Static(id="alert")
        alert.display = False  # until ``redraw`` finds an alert: most clients have none
        yield alert
        yield Static(id="heading")
        yield KeysFooter()

    def body(self) -> list[Widget]:
        """Below the heading: the chart with its legend, what to look at, the snippet and
        the table of every rating. Laid out and drawn after the heading is on screen (the
        chart is the slowest part of opening the screen), each filled before it is shown."""
        chart_box = Vertical(
            HistoryPlot(id="chart"), ChartLegend(id="legend"), Static(id="etr-note"), id="chart-box"
        )
        table = RowTable(id="sessions")
        for name in (_("Date"), _("Instrument"), _("Rater"), _("Items"), _("Total"), _("Note")):
            table.add_column(name)
        return [
            Horizontal(chart_box, Static(id="look"), id="top"),
            Static(_("[b]Snippet for the progress note[/b] (y copies it)"), id="snippet-head"),
            Static(id="snippet"),
            Static(
                _(
                    "[b]Sessions[/b], newest first (Tab to the table, n writes the note, "
                    "v voids, e corrects)"
                ),
                id="sessions-head",
            ),
            table,
        ]

    async def show_body(self) -> None:
        """Put the page in place of the heading alone: the heading (``#who``) with the
        ``body`` under it, filled. The heading's first paint is not held up by the page
        (an empty page as tall as the screen costs the first frame more than the heading
        does), and nothing on screen moves when it comes."""
        alone = self.query_one("#heading", Static)
        page = VerticalScroll(Static(self.heading, id="who"), *self.body(), id="history")
        alone.display = False  # never drawn beside the page while it is being removed
        alone.remove()
        await self.mount(page, before=self.query_one(KeysFooter))
        if not page.is_attached:
            return  # left before its page went in (Enter and Escape typed together)
        if self.focused is None:
            page.focus()  # arrow keys scroll the page (``AUTO_FOCUS``)
        self.body_shown = True
        self.fill_body()

    def redraw(self) -> None:
        app = self.fit_app
        client = app.store.client(self.code)
        record = app.store.all_administrations(client.code)  # in entry order
        self.replaced = replaced_ratings(record)
        self.record = chronological(record)
        self.administrations = [a for a in record if a.voided is None]  # those that count
        self.episodes, current = current_ratings(
            self.administrations,
            app.store.episode_events(client.code),
            app.settings.gap_days,
            app.today(),
        )
        self.current = chronological(current)
        summary = summarize(
            client,
            self.current,
            app.instruments,
            etr_params=app.etr_params,
            linked=app.store.linked_administrations(client),
            today=app.today(),
            every_episode=self.administrations,
        )
        self.client = client
        self.summary = summary
        sessions = self.episodes[-1].sessions if self.episodes else 0
        change = ""
        if summary.progress is not None and summary.progress.change is not None:
            change = _(" ({change} since intake)").format(change=signed(summary.progress.change))
        self.heading = Content.from_markup(
            "[b]$code[/b] $label · $age · [b]$status[/b]$change · $sessions$episode",
            code=client.code,
            label=client.label,
            age=_(client.age_group.replace("_", " ")),
            status=status_words(client, summary),
            change=change,
            sessions=n_("{n} session", "{n} sessions", sessions).format(n=sessions),
            episode=episode_words(self.episodes, app.settings.gap_days),
        )
        self.query_one("#who" if self.body_shown else "#heading", Static).update(self.heading)
        alert = self.query_one("#alert", Static)
        alert.display = bool(summary.alerts)
        alert.update(alert_text(summary.alerts))
        if not self.body_shown:
            # Textual narrows a page as tall as the space left by the widest side margins
            # among its siblings (the alert's): the heading alone is narrowed alike.
            side = alert.styles.margin.width if alert.display else 0
            alone = self.query_one("#heading", Static)
            if alone.styles.margin.right != side:  # most often none, as it is
                alone.styles.margin = (0, side, 0, 0)
        if self.view not in self.views():
            self.view = "totals"
        self.snippet = make_snippet(
            client, summary, self.current, app.instruments, app.settings.snippet
        )
        if self.body_shown:
            self.fill_body()
        elif not self._body_asked:
            self._body_asked = True
            self.call_after_refresh(self.show_body)

    def fill_body(self) -> None:
        """The chart, what to look at and the snippet from what ``redraw`` read; the table
        just after."""
        self.draw_chart()
        alliances = list(self.summary.alliances[-1:])
        self.query_one("#look", Static).update(
            look_at(self.summary, alliances, self.fit_app.instruments)
        )
        self.query_one("#snippet", Static).update(Content(self.snippet or _("Nothing rated yet.")))
        # The table starts below the chart, the patterns and the snippet: none of it is in
        # the first screenful, so it is built just after the first paint.
        self.set_timer(REST_AFTER, self.fill_table)

    def redraw_clients(self, codes: frozenset[str]) -> None:
        """A save for other clients leaves the history as it is (``codes`` names the
        clients linked with a changed one too, whose ratings the alliance compares)."""
        if self.code in codes:
            self.redraw()

    def draw_chart(self) -> None:
        app = self.fit_app
        path = self.summary.expected_path
        earlier = [episode.administrations for episode in self.episodes[:-1]]

        def show() -> list[Legend]:
            return self.query_one(HistoryPlot).show(
                self.current, app.instruments, self.summary, self.view, path, earlier
            )

        legend = show()
        if not (legend or self.view_chosen) and self.view == "totals" and self.summary.symptoms:
            # No ORS or SRS to draw: a client who rates only the PHQ-9 sees it first.
            self.view = next(iter(self.summary.symptoms))
            legend = show()
        note = self.query_one("#etr-note", Static)
        note.display = bool(path) and self.view == "totals"
        if self.summary.etr_zone:
            words = etr.ZONE_WORDS[self.summary.etr_zone][0]
            note.update(
                _("{zone} against the expected path.").format(zone=first_upper(_(words)))
                + " "
                + _(etr.DISCLAIMER)
            )
        else:
            note.update(_("The expected path from this intake.") + " " + _(etr.DISCLAIMER))
        empty = _("No {what} to draw yet.").format(what=view_title(self.view))
        self.query_one(ChartLegend).show(legend, empty)

    def fill_table(self) -> None:
        """Every administration, newest first; a voided one struck through with its reason,
        one a later rating of its day replaced dimmed, a corrected one with what it said
        before. With more than one episode, each under a
        line naming it, and the earlier episodes greyed (shown, never counted)."""
        table = self.query_one("#sessions", RowTable)
        instruments = self.fit_app.instruments
        separate = len(self.episodes) > 1
        episode_of = {a.id: e for e in self.episodes for a in e.administrations}
        rows: list[tuple[Sequence[Text], str]] = []
        shown: Episode | None = None
        if separate and not self.episodes[-1].administrations:  # started, nothing rated yet
            shown = self.episodes[-1]
            rows.append(self._episode_row(shown))
        for a in reversed(self.record):
            episode = episode_of.get(a.id) or self._episode_of_day(a.day)
            if separate and episode is not None and episode is not shown:
                shown = episode
                rows.append(self._episode_row(episode))
            score = score_format(a, instruments)
            # A row is one line high: a note's line breaks are shown as " / ", not cut at
            # the first (the note box shows them as they are).
            note = " / ".join(line.strip() for line in a.note.splitlines() if line.strip())
            cells = [
                plain(date_text(a.date)),
                plain(a.instrument),
                plain(taken_words(a)),
                plain(" ".join(score(v) for v in a.items.values())),
                Text(score(a.total), justify="right"),
                plain(note),
            ]
            if a.corrections:
                cells[5] = plain(f"({correction_words(a)}) {note}".rstrip())
            if a.voided is not None:
                for cell in cells[:5]:
                    cell.stylize("strike dim")
                cells[5] = Text.assemble(
                    (_("VOIDED"), "bold"), " ", plain(f"{_(a.voided.reason)}. "), cells[5]
                )
            elif a.id in self.replaced:
                for cell in cells[:5]:
                    cell.stylize("dim")
                why = _("by a later {instrument} that day.").format(instrument=a.instrument)
                cells[5] = Text.assemble((_("REPLACED"), "bold"), " ", plain(f"{why} "), cells[5])
            elif separate and episode is not self.episodes[-1]:
                for cell in cells:
                    cell.stylize(EARLIER_STYLE)
            rows.append((cells, a.id))
        # The cursor stays on the rating it was on, wherever a save moved its row (a
        # rating saved meanwhile comes in above it); at its place when the rating left.
        keys = {key for _cells, key in rows}
        wanted = self.keep_cursor_on or table.cursor_key
        self.keep_cursor_on = None
        row, scrolled = table.cursor_row, table.scroll_y
        table.fill(rows, wanted if wanted is not None and wanted in keys else table.cursor_row)
        # The chosen rating stays where it was on screen, the rows around it moving instead:
        # refilled, the table would scroll only as far as its rows were measured, leaving
        # the cursor out of sight. Once they are (after the refresh), scroll by as many rows
        # as the cursor moved.
        table.call_after_refresh(
            table.scroll_to, y=scrolled + table.cursor_row - row, animate=False, immediate=True
        )
        self.takes_keys = True  # every key of the screen has what it acts on
        keys_may_go(self.app)

    def _episode_of_day(self, day: str) -> Episode | None:
        """The episode a rating that counts nowhere (voided, or replaced by a later one of
        its day) is listed in: the one its day falls in, so that it is never shown under the
        next episode's line."""
        if not self.episodes:
            return None
        return next((e for e in reversed(self.episodes) if e.start <= day), self.episodes[0])

    def _episode_row(self, episode: Episode) -> tuple[tuple[Text, ...], str]:
        """The line above an episode's ratings, its words spread over the columns so that
        no column grows for it: "── Episode 1 ... 2025-01-05 to 2025-03-01 ... planned"."""
        style = "bold" if episode is self.episodes[-1] else f"bold {EARLIER_STYLE}"
        days = (
            _("{start} to {end}").format(start=episode.start, end=episode.end)
            if episode.closed
            else _("since {start}").format(start=episode.start)
        )
        how = episode.describe(self.fit_app.settings.gap_days).split(", ", 1)[1]
        cells = ("── " + _("Episode {number}").format(number=episode.number), "", "", days, "", how)
        return tuple(_dimmed(c, style) for c in cells), f"episode-{episode.number}"

    def views(self) -> list[str]:
        """Totals, ORS items, SRS items, then each symptom measure the client has rated."""
        return [*VIEWS, *self.summary.symptoms]

    def action_next_view(self) -> None:
        views = self.views()
        self.view = views[(views.index(self.view) + 1) % len(views)]
        self.view_chosen = True
        if self.body_shown:  # else the chart is drawn in this view when it comes
            self.draw_chart()

    def action_copy_snippet(self) -> None:
        if not self.snippet:
            self.notify(_("Nothing to copy yet."), severity="warning")
            return
        self.app.copy_to_clipboard(self.snippet)
        self.notify(_("Snippet copied (your terminal must allow clipboard access, OSC 52)."))

    def action_edit_note(self) -> None:
        from fittui.ui.screens.note import NoteScreen

        if self.fit_app.store.read_only:
            self.notify(_("Read-only: notes cannot be saved here."), severity="warning")
            return
        chosen_id = self.chosen_id()
        if chosen_id is None:
            self.notify(_("No rating to write a note on yet."), severity="warning")
            return
        chosen = self.chosen_rating()
        if chosen is None:
            return

        def saved(done: bool | None) -> None:
            if done:
                self.notify(_("Note saved."))
                self.reload()

        self.app.push_screen(NoteScreen(chosen), saved)

    def chosen_id(self) -> str | None:
        """The key of the table's row under the cursor; None before the table is in."""
        return self.query_one("#sessions", RowTable).cursor_key if self.body_shown else None

    def chosen_for_correction(self) -> Administration | None:
        """The rating under the table's cursor, or None (with a word why) when there is
        none or the database is open read-only."""
        if self.fit_app.store.read_only:
            self.notify(_("Read-only: corrections cannot be saved here."), severity="warning")
            return None
        chosen_id = self.chosen_id()
        if chosen_id is None:
            self.notify(_("No rating to correct yet."), severity="warning")
            return None
        return self.chosen_rating()

    def chosen_rating(self) -> Administration | None:
        """The rating under the table's cursor; None (and a word why) on an episode's line."""
        chosen_id = self.chosen_id()
        chosen = next((a for a in self.record if a.id == chosen_id), None)
        if chosen is None:
            self.notify(_("That line names an episode: choose a rating."), severity="warning")
        return chosen

    def action_void(self) -> None:
        """Void the selected rating (entered in error), or restore it when it is voided."""
        chosen = self.chosen_for_correction()
        if chosen is None:
            return
        store = self.fit_app.store

        def voided(reason: str | None) -> None:
            if reason:
                self.save_correction(lambda: store.void(chosen.id, reason), _("Voided"), chosen)

        def restored(yes: bool | None) -> None:
            if yes and self.save_correction(lambda: store.unvoid(chosen.id), _("Restored"), chosen):
                ask_about_corrected(self.fit_app, chosen.id)

        if chosen.voided is None:
            self.app.push_screen(VoidScreen(chosen, self.fit_app.instruments), voided)
        else:
            self.app.push_screen(RestoreScreen(chosen, self.fit_app.instruments), restored)

    def save_correction(
        self, save: Callable[[], Administration], done: str, chosen: Administration
    ) -> bool:
        """Save a void or a restore; say so and keep the cursor on the rating, or say why not
        (and return False)."""
        try:
            save()
        except (InputError, StorageError) as exc:
            self.notify(_("Not saved: {problem}").format(problem=exc), severity="error", timeout=10)
            return False
        self.notify(
            _("{done}: {key} of {date}.").format(
                done=done, key=chosen.instrument, date=chosen.date.replace("T", " ")
            )
        )
        self.keep_cursor_on = chosen.id
        self.reload()
        return True

    def action_correct(self) -> None:
        """Move the selected rating to the right client or fix its date."""
        chosen = self.chosen_for_correction()
        if chosen is None:
            return

        def corrected(words: str | None) -> None:
            if words:
                self.notify(_("Corrected: {what}").format(what=words))
                self.keep_cursor_on = chosen.id
                self.reload()
                ask_about_corrected(self.fit_app, chosen.id)

        self.app.push_screen(CorrectScreen(chosen, self.fit_app.instruments), corrected)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit_note()

    def action_rate(self, family: str) -> None:
        self.fit_app.rate_default(self.code, family)

    def action_end_episode(self) -> None:
        """Ask how the current episode ended, and end it today (or correct how it ended)."""
        if self.fit_app.store.read_only:
            self.notify(_("Read-only: episodes cannot be changed here."), severity="warning")
            return
        if not self.episodes:
            self.notify(_("No episode to end yet: it starts with the first rating."))
            return
        latest = self.episodes[-1]
        if latest.closed:
            question = _("{episode}. Change how it ended?").format(
                episode=latest.describe(self.fit_app.settings.gap_days)
            )
        else:
            question = _("End episode {number} (since {start}) today: how did it end?").format(
                number=latest.number, start=latest.start
            )
        self.app.push_screen(EpisodeEndScreen(question), self._save_end)

    def _save_end(self, reason: str | None, then_start: bool = False) -> None:
        if reason is None:
            return
        today = self.fit_app.today().isoformat()
        latest = self.episodes[-1] if self.episodes else None
        # A change to how an episode ended keeps the day it ended: dated today, the episode
        # would run on to today, weeks or months after its last session.
        day = latest.end if latest is not None and latest.end and not then_start else today
        wanted = [("end", day, reason)] + ([("start", today, None)] if then_start else [])
        try:
            episode = check_end(self.episodes, day, reason)
            self.fit_app.store.add_episode_events(self.code, wanted)
        except (InputError, StorageError) as exc:
            self.notify(_("Not saved: {problem}").format(problem=exc), severity="error")
            return
        started = (
            " " + _("Episode {number} starts today.").format(number=len(self.episodes) + 1)
            if then_start
            else ""
        )
        self.notify(
            _("Episode {number}: {how}.").format(number=episode.number, how=_(REASON_WORDS[reason]))
            + started
        )
        self.reload()

    def action_new_episode(self) -> None:
        """Start a new episode today; an open one is ended first, with a reason."""
        if self.fit_app.store.read_only:
            self.notify(_("Read-only: episodes cannot be changed here."), severity="warning")
            return
        latest = self.episodes[-1] if self.episodes else None
        if latest is not None and not latest.closed and not latest.administrations:
            # Started and not yet rated (+ pressed twice): ending it would leave an empty
            # episode in the record for good, and events are never deleted.
            self.notify(
                _(
                    "Episode {number} (since {start}) has no rating yet: "
                    "the next ORS is its intake."
                ).format(number=latest.number, start=latest.start)
            )
            return
        if latest is not None and not latest.closed:
            question = _(
                "Episode {number} (since {start}) is still open. "
                "How did it end? The new episode starts today."
            ).format(number=latest.number, start=latest.start)
            self.app.push_screen(
                EpisodeEndScreen(question), lambda reason: self._save_end(reason, True)
            )
            return
        today = self.fit_app.today().isoformat()
        try:
            check_start(self.episodes, today)
            self.fit_app.store.add_episode_event(self.code, "start", today)
        except (InputError, StorageError) as exc:
            self.notify(_("Not saved: {problem}").format(problem=exc), severity="error")
            return
        self.notify(
            _("Episode {number} starts today: the next ORS is its intake.").format(
                number=len(self.episodes) + 1
            )
        )
        self.reload()

    def action_back(self, _place: str = "") -> None:
        self.app.pop_screen()
