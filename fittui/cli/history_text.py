"""A client's history worked out from their ratings (``work_out``), and printed as text
for ``fittui history CODE``: the table, what stands out, the episodes, the expected
treatment response and the charts. Apart from ``history.py`` so that ``--json`` printed as
kept compiles none of it.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from fittui.cli.common import instruments, settings
from fittui.cli.output import print_lines, print_table

if TYPE_CHECKING:
    from fittui.domain.episodes import Episode
    from fittui.domain.instruments import Instrument
    from fittui.domain.model import Administration, Client
    from fittui.domain.scoring import Summary
    from fittui.formats.chart import Legend
    from fittui.storage.store import Store


class History(NamedTuple):
    """One client's record and what is worked out from it for the history."""

    client: Client
    record: list[Administration]  # every rating, voided ones too
    counted: list[Administration]  # the ratings that count
    current: list[Administration]  # those of the current episode
    episodes: list[Episode]
    summary: Summary
    instruments: dict[str, Instrument]
    gap_days: int


def work_out(store: Store, code: str, today: date) -> History:
    """The client's record and everything the history shows worked out from it."""
    from fittui.domain.episodes import current_ratings
    from fittui.domain.etr import load_parameters
    from fittui.domain.scoring import summarize
    from fittui.storage.locations import config_dir

    client = store.client(code)
    counted = store.administrations(client.code)
    record = store.all_administrations(client.code)
    known = instruments()
    etr_params = load_parameters(config_dir())
    gap_days = settings().gap_days
    episodes, current = current_ratings(counted, store.episode_events(client.code), gap_days, today)
    summary = summarize(
        client,
        current,
        known,
        etr_params=etr_params,
        linked=store.linked_administrations(client),
        today=today,
        every_episode=counted,
    )
    return History(client, record, counted, current, episodes, summary, known, gap_days)


def print_history(store: Store, code: str, today: date) -> None:
    """The history as text: what stands out, the ratings, the episodes, the expected
    treatment response and the charts (in colour on a terminal)."""
    h = work_out(store, code, today)
    if not h.record:
        print(f"{h.client.code}: no administrations yet.")
        return
    from fittui.domain.overview import findings_lines

    findings = findings_lines(h.summary, h.instruments)
    print_lines(findings)
    if findings:
        print()
    _print_ratings(h)
    if not h.counted:
        return
    _print_episodes(h)
    _print_expected_response(h.summary)
    _print_chart(h, sys.stdout.isatty())


def _print_ratings(h: History) -> None:
    from fittui.domain.display import score_format
    from fittui.domain.model import replaced_ratings
    from fittui.domain.scoring import chronological

    replaced = replaced_ratings(h.record)

    def score(a: Administration, tenths: int) -> str:
        return score_format(a, h.instruments)(tenths)

    print_table(
        ["DATE", "INSTRUMENT", "RATER", "ITEMS", "TOTAL", "NOTE", "ID"],
        [
            [
                a.date,
                a.instrument,
                a.taken_by,
                " ".join(score(a, v) for v in a.items.values()),
                score(a, a.total),
                _note_cell(a, a.id in replaced),
                a.id,
            ]
            for a in chronological(h.record)
        ],
    )


def _note_cell(a: Administration, replaced: bool) -> str:
    """The note, after the mark of a voided or replaced rating and what a correction
    changed."""
    from fittui.domain.model import correction_words

    parts = [f"VOIDED ({a.voided.reason})" if a.voided else ""]
    parts.append(f"REPLACED (by a later {a.instrument} that day)" if replaced else "")
    parts.append(f"({correction_words(a)})" if a.corrections else "")
    return " ".join(part for part in (*parts, a.note) if part)


def _print_episodes(h: History) -> None:
    if len(h.episodes) > 1:
        print()
        for episode in h.episodes:
            print(episode.describe(h.gap_days))
        print("Figures are of the current episode; the chart shows the earlier ones before ┆.")


def _print_expected_response(summary: Summary) -> None:
    from fittui.domain.etr import ZONE_WORDS
    from fittui.domain.instruments import format_tenths

    if summary.etr_zones:
        last = summary.etr_zones[-1]
        print(
            f"\nExpected treatment response at session {last.session}: "
            f"{ZONE_WORDS[last.zone][1]} (ORS {format_tenths(last.administration.total)}, "
            f"expected {format_tenths(last.expected)}, band down to {format_tenths(last.lower)}). "
            "Decision support, not a prediction."
        )


def _print_chart(h: History, colors: bool) -> None:
    """The ORS and SRS chart, then one chart per symptom measure (PHQ-9, GAD-7) rated: in
    colour on a terminal, as plain text when piped or saved."""
    import shutil

    import plotext

    from fittui.formats.chart import (
        CHILD_SCALE,
        canvas_rows,
        chart_scale,
        draw_history,
        draw_symptoms,
    )

    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    plotext.limit_size(False, False)  # the height asked for: the rows the points are placed on
    code, summary = h.client.code, h.summary
    young = chart_scale(h.current, h.instruments) == CHILD_SCALE
    what = "young child's faces, 0 to 10" if young else "ORS and SRS totals"
    _new_figure(width, 16, f"{code}: {what} by session")
    legend = draw_history(
        plotext,
        h.current,
        h.instruments,
        summary.cutoff,
        colors=colors,
        intake=summary.progress.intake.total if summary.progress else None,
        reliable=summary.reliable,
        etr=summary.expected_path,
        rows=canvas_rows(16),
        earlier=[episode.administrations for episode in h.episodes[:-1]],
    )
    if legend:
        _show(legend, colors)
    for key in summary.symptoms:
        _new_figure(width, 14, f"{code}: {key} totals, with the severity bands")
        instrument = h.instruments[key]
        _show(
            draw_symptoms(plotext, h.current, instrument, colors=colors, rows=canvas_rows(14)),
            colors,
        )


def _new_figure(width: int, height: int, title: str) -> None:
    import plotext

    plotext.clear_figure()
    plotext.theme("clear")
    plotext.plotsize(width, height)
    plotext.title(title)


def _show(legend: list[Legend], colors: bool) -> None:
    import plotext

    from fittui.formats.chart import legend_text

    chart = plotext.build()
    print()
    print(chart if colors else plotext.uncolorize(chart))
    print(legend_text(legend))
