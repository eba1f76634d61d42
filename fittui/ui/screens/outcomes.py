"""The practice's outcome summary on screen, for a period the therapist picks with one key.

The same figures as ``fittui report --summary`` (``outcomes.summary_rows``), for all time,
this year, the last 12 months or last year. Only reads: it works on a read-only database.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Header, Static

from fittui.domain.language import N_, _
from fittui.domain.outcomes import (
    OutcomeSummary,
    Period,
    outcome_summary,
    reference_with,
    summary_rows,
)
from fittui.ui.live import LiveScreen
from fittui.ui.screens.keys import GoesBack, key_sections, section_bindings
from fittui.ui.widgets.keys_footer import KeysFooter

PRESETS = {
    "all": N_("All time"),
    "year": N_("This year"),
    "last12": N_("Last 12 months"),
    "last_year": N_("Last year"),
}
# The outcome statuses, as the summary's rows name them.
STATUS_ROWS = (N_("Recovered"), N_("Improved"), N_("Unchanged"), N_("Deteriorated"))


def preset_period(preset: str, today: date) -> Period:
    """The days a preset covers, counted from ``today`` (inclusive at both ends)."""
    if preset == "year":
        return Period(date(today.year, 1, 1), today)
    if preset == "last12":
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = today.replace(year=today.year - 1, day=28)
        return Period(year_ago + timedelta(days=1), today)
    if preset == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    return Period()


def effect_size_note(summary: OutcomeSummary) -> str:
    """What the effect sizes are read against, in a line or two under the figures."""
    reference = summary.reference
    return _(
        "Effect sizes: mean change ÷ a reference SD of {sd} points, "
        "over episodes with an intake below the cut-off, with their 95% confidence "
        "interval (CI); none below n = {n}."
    ).format(sd=f"{reference.reference_sd:g}", n=reference.minimum_n)


def row_label(label: str) -> str:
    """A figure's name in the therapist's language, keeping its indent."""
    name = label.lstrip()
    return label[: len(label) - len(name)] + _(name)


class OutcomesScreen(GoesBack, LiveScreen):
    """Outcome summary of the clients seen in a period; Escape goes back.

    ``today`` fixes the day the presets count from (tests and screenshots); it defaults
    to the real date when the screen is shown. It redraws when anyone saves (``LiveScreen``).
    """

    DEFAULT_CSS = """
    OutcomesScreen #outcomes {
        padding: 0 1;
    }
    OutcomesScreen #figures, OutcomesScreen #remarks {
        margin-top: 1;
    }
    OutcomesScreen #remarks {
        color: $text-muted;
    }
    """

    KEYS_TITLE = N_("the outcome summary")
    PLACE = "outcomes"
    KEYS = key_sections("outcomes")
    BINDINGS = section_bindings(KEYS, footer=("period", "back"))
    NARROW_KEYS = frozenset({"period", "back", "show_keys"})

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.today = today
        self.preset = "all"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="outcomes"):
            yield Static("", id="period")
            yield Static("", id="figures")
            yield Static("", id="remarks")
        yield KeysFooter()

    @property
    def period(self) -> Period:
        return preset_period(self.preset, self.today or date.today())

    def compute(self) -> OutcomeSummary:
        store = self.fit_app.store
        settings = self.fit_app.settings
        return outcome_summary(
            store.clients(),
            store.administrations_by_client(),
            self.fit_app.instruments,
            self.period,
            events_by_client=store.episode_events_by_client(),
            gap_days=settings.gap_days,
            today=self.today or date.today(),
            reference=reference_with(settings.reference_sd),
        )

    def redraw(self) -> None:
        """Recompute for the period chosen, from what the store holds now."""
        summary = self.compute()
        period = self.period
        self.query_one("#period", Static).update(
            Content.from_markup(
                _(
                    "[b]Outcomes · $name[/b]$range\n"
                    "[dim]Episodes rated in the period: intake to last ORS in it.[/dim]"
                ),
                name=_(PRESETS[self.preset]),
                range="" if self.preset == "all" else f" ({period.describe()})",
            )
        )
        rows = [(row_label(label), value, remark) for label, value, remark in summary_rows(summary)]
        width = max(len(label) for label, __, __ in rows) + 2
        lines = [
            Content(f"{label:<{width}}{value:>5}  {remark}".rstrip())
            for label, value, remark in rows
        ]
        self.query_one("#figures", Static).update(Content("\n").join(lines))
        remarks = []
        if not summary.clients:
            remarks.append(_("No client has a rating in this period."))
        else:
            remarks.append(effect_size_note(summary))
        self.query_one("#remarks", Static).update(Content("\n".join(remarks)))
        self.query_one("#remarks", Static).display = bool(remarks)

    def action_period(self, preset: str) -> None:
        self.preset = preset
        self.reload(force=True)

    def action_back(self, _place: str = "") -> None:
        self.dismiss()
