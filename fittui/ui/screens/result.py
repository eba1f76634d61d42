"""Back with the therapist: what the ratings just given say, and what to ask.

First, above everything and outside the scrolling part, any risk alert (PHQ-9 item 9
answered above "Not at all"): it cannot be scrolled away or hidden by a setting. Then each
item and the total, the severity band of a symptom measure (PHQ-9, GAD-7), the change
since the same rater's last rating, the flags and patterns that now apply, the lowest item
with a question, a split alliance between raters, and a field per rating for the client's
words, saved as the administration's note.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static

from fittui.domain.display import date_text, signed
from fittui.domain.instruments import Band, Instrument, format_tenths
from fittui.domain.language import N_, _, for_therapist, in_sentence
from fittui.domain.model import Administration, InputError, one_per_session
from fittui.domain.outside import check_note, shown_note
from fittui.domain.scoring import previous_of, summarize
from fittui.storage.journal import StorageError
from fittui.storage.store import NoteChanged
from fittui.ui.access import FitAppAccess
from fittui.ui.cells import taken_words
from fittui.ui.look import alert_text, look_at
from fittui.ui.screens.correct import ask_about_same_day
from fittui.ui.screens.keys import GoesBack, key_sections, section_bindings
from fittui.ui.widgets.keys_footer import KeysFooter
from fittui.ui.widgets.note_area import NoteArea


def describe(
    a: Administration, everything: list[Administration], instruments: dict[str, Instrument]
) -> Content:
    """One administration as the therapist reads it: items, total, change since last time,
    and for a symptom measure the severity band then and now."""
    instrument = for_therapist(instruments[a.instrument])
    score = instrument.format_score
    width = max(len(i.label) for i in instrument.items) + 2
    lines = [
        Content.from_markup(
            f"[b]{instrument.key}[/b] " + _("rated by [b]$rater[/b] · $when · saved ✓"),
            rater=taken_words(a),
            when=date_text(a.date),
        )
    ]
    for item in instrument.items:
        lines.append(Content(f"  {item.label:<{width}}{score(a.items[item.key]):>5}"))
    previous = previous_of(a, everything, instruments)
    band = instrument.band_for(a.total)
    since = ""
    if previous is not None:
        was = instrument.band_for(previous.total)
        then = f" ({in_sentence(was.label)})" if was is not None and was != band else ""
        change = a.total - previous.total
        since = _("last time {score}{then}, {change}").format(
            score=score(previous.total), then=then, change=signed(change, score)
        )
    total = f"{score(a.total)} / {format_tenths(instrument.max_total, decimals=False)}"
    if band is None:
        tail = f"   {since}" if since else ""
        lines.append(
            Content.from_markup(f"  [b]{_('Total'):<{width}}{total:>5}[/b]$tail", tail=tail)
        )
    else:
        lines.append(Content.from_markup(f"  [b]{_('Total'):<{width}}{total:>5}[/b]"))
        lines.append(
            Content.from_markup(
                "  " + _("Severity: [b]$band[/b] ($span)"),
                band=band.label,
                span=band_span(instrument, band),
            )
        )
        if since:
            lines.append(Content(f"  {since[0].upper()}{since[1:]}"))
    return Content("\n").join(lines)


def band_span(instrument: Instrument, band: Band) -> str:
    """The totals a band covers, as published: "10–14", or "20–27" for the top band."""
    above = [b.low for b in instrument.bands if b.low > band.low]
    high = min(above) - instrument.step if above else instrument.max_total
    return f"{instrument.format_score(band.low)}–{instrument.format_score(high)}"


# Whose words a note box holds, for the usual raters: (the box's hint, its title).
WHOSE_WORDS = {
    "client": (N_("The client's words"), N_("Note: the client's words")),
    "partner": (N_("The partner's words"), N_("Note: the partner's words")),
    "parent": (N_("The parent's words"), N_("Note: the parent's words")),
    "teacher": (N_("The teacher's words"), N_("Note: the teacher's words")),
}


def whose_words(rater: str) -> tuple[str, str]:
    """Whose words a note box holds: "The client's words", "The partner's words", and the
    box's title, "Note: the client's words"."""
    if rater in WHOSE_WORDS:
        words, title = WHOSE_WORDS[rater]
        return _(words), _(title)
    return (
        _("The {rater}'s words").format(rater=rater),
        _("Note: the {rater}'s words").format(rater=rater),
    )


class ResultScreen(GoesBack, Screen, FitAppAccess):
    """The therapist's view of the ratings just saved. It opens at its top (the client,
    any alert, the flags), whichever flow led here; the note boxes are a Tab or an n away."""

    AUTO_FOCUS = "#result"
    KEYS_TITLE = N_("the result")
    PLACE = "result"
    KEYS = key_sections("result")
    BINDINGS = section_bindings(KEYS, footer=("back", "write_note"))
    NARROW_KEYS = frozenset({"back", "write_note", "show_keys"})

    def __init__(self, client_code: str, saved: list[Administration]) -> None:
        super().__init__()
        self.client_code = client_code
        self.saved = saved
        self.notes = {a.id: a.note for a in saved}  # as saved, to notice words not saved
        self._warned_unsaved = False

    def compose(self) -> ComposeResult:
        app = self.fit_app
        client = app.store.client(self.client_code)
        # "Last time" is the session before: not an earlier rating of today it replaces.
        everything = one_per_session(app.store.administrations(client.code))
        episode = app.episode_view(client.code)[1]  # the figures are the current episode's
        summary = summarize(
            client,
            episode,
            app.instruments,
            etr_params=app.etr_params,
            linked=app.store.linked_administrations(client),
            today=app.today(),
            every_episode=everything,
        )
        yield Header()
        if summary.alerts:
            yield Static(alert_text(summary.alerts), id="alert")
        with VerticalScroll(id="result"):
            yield Static(
                Content.from_markup("[b]$code[/b] $label", code=client.code, label=client.label),
                id="who",
            )
            today = {a.day for a in self.saved}
            alliances = [found for found in summary.alliances if found[0] in today]
            yield Static(look_at(summary, alliances, app.instruments), id="look")
            for a in self.saved:
                yield Static(describe(a, everything, app.instruments), classes="administration")
                note = NoteArea(
                    a.note,
                    placeholder=_("{whose} (Enter saves them as the note)").format(
                        whose=whose_words(a.rater)[0]
                    ),
                    id=f"note-{a.id}",
                    classes="note",
                )
                note.border_title = whose_words(a.rater)[1]
                yield note
        yield KeysFooter()

    def _notes(self) -> list[NoteArea]:
        return list(self.query(NoteArea))

    def _unsaved(self) -> list[NoteArea]:
        """Note boxes whose words differ from the saved note."""
        return [box for box in self._notes() if box.text.strip() != self.notes[self._id_of(box)]]

    @staticmethod
    def _id_of(box: NoteArea) -> str:
        return (box.id or "").removeprefix("note-")

    def action_write_note(self) -> None:
        """n: into the first note box not yet written, else the first."""
        boxes = self._notes()
        empty = [box for box in boxes if not box.text.strip()]
        (empty or boxes)[0].focus()

    def on_mount(self) -> None:
        # A second rating of one instrument by one rater today: replace the first, or keep both?
        self.call_after_refresh(ask_about_same_day, self.fit_app, self.saved)

    def on_note_area_submitted(self, event: NoteArea.Submitted) -> None:
        administration_id = self._id_of(event.area)
        words = event.value.strip()
        try:
            check_note(words)  # a pasted control character: said here, the words kept
        except InputError as exc:
            self._not_saved(exc)
            return
        try:  # (a rating gone meanwhile, an InputError, is the app's trouble: note kept)
            self.fit_app.store.set_note(administration_id, words, self.notes[administration_id])
        except NoteChanged as exc:  # saved from another window: Enter again saves over it
            self.notes[administration_id] = exc.now
            self._not_saved(
                _("it was changed elsewhere and now reads: {now}").format(
                    now=shown_note(exc.now) or "-"
                )
            )
            return
        except StorageError as exc:
            self._not_saved(exc)
            return
        self.notes[administration_id] = words
        self.notify(_("Note saved."))
        boxes = self._notes()
        following = boxes[boxes.index(event.area) + 1 :]
        if following:
            following[0].focus()
        else:
            self.query_one("#result", VerticalScroll).focus(scroll_visible=False)

    def _not_saved(self, problem: object) -> None:
        self.notify(
            _("Note not saved: {problem}").format(problem=problem),
            severity="error",
            timeout=10,
            markup=False,  # the note's words as typed: "[red]" is no markup
        )

    def action_back(self, _place: str = "") -> None:
        """Escape: back where the flow began. Words typed but not saved are not lost
        silently: the first Escape says so and shows them; a second one leaves."""
        unsaved = self._unsaved()
        if unsaved and not self._warned_unsaved:
            self._warned_unsaved = True
            unsaved[0].focus()
            self.notify(
                _("A note is not saved: Enter saves it; Escape again leaves without it."),
                severity="warning",
                timeout=8,
            )
            return
        self.dismiss()

    def unsaved_work(self) -> dict | None:
        """The note being typed under a rating, when it is not the saved one."""
        for a in self.saved:
            typed = self.query_one(f"#note-{a.id}", NoteArea).text.strip()
            if typed and typed != a.note:
                return {
                    "kind": "note",
                    "client": a.client,
                    "administration": a.id,
                    "note": typed,
                    "opened": self.notes[a.id],  # saved later only if no one changed it
                }
        return None
