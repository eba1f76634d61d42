"""The client's own page (``fittui export --format html --client CODE``): one self-contained
HTML file to print or to show them, about their current episode.

Nothing is loaded from elsewhere and no script runs; every piece of user text is escaped.
The sentences come from :data:`PAGE_WORDS`, the charts from :mod:`fittui.formats.svg_chart`.
"""

from __future__ import annotations

from datetime import date
from html import escape

from fittui.domain.display import date_text, signed
from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.model import Administration, Client
from fittui.domain.scoring import Summary, chronological, family_of
from fittui.formats.chart import CHILD_SCALE, chart_scale
from fittui.formats.csv_json import item_order, score_text
from fittui.formats.page_words import PAGE_WORDS
from fittui.formats.svg_chart import chart_svg, symptom_svg

PAGE_CSS = """
body { font-family: system-ui, sans-serif; color: #111; margin: 2rem auto; max-width: 52rem;
       padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
.sub { color: #555; margin-top: 0; }
svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3rem 0.4rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.note { white-space: pre-wrap; }
td.when, td.scale { white-space: nowrap; }
.key { font-size: 0.85rem; color: #333; }
footer { margin-top: 2rem; font-size: 0.8rem; color: #666; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; } tr { break-inside: avoid; } }
"""
COLUMNS = ("date", "scale", "rater", "items", "total", "note")


def _items_text(a: Administration, instruments: dict[str, Instrument]) -> str:
    """'Individually 5.0, Socially 6.5, ...'; on a Likert scale, whose short labels may hold
    a comma ('Down, depressed or hopeless'), the items are set apart by semicolons."""
    instrument = instruments.get(a.instrument)
    labels = {i.key: i.label for i in instrument.items} if instrument else {}
    separator = "; " if instrument is not None and instrument.kind == "likert" else ", "
    return separator.join(
        f"{labels.get(key, key)} {score_text(a, a.items[key], instruments)}"
        for key in item_order(a, instruments)
    )


def _total_text(a: Administration, instruments: dict[str, Instrument]) -> str:
    """The total, with its severity band on a symptom measure: '13 (moderate)'."""
    instrument = instruments.get(a.instrument)
    band = instrument.band_for(a.total) if instrument and instrument.bands else None
    total = score_text(a, a.total, instruments)
    return f"{total} ({band.label.lower()})" if band else total


def _outcome_lines(summary: Summary) -> list[str]:
    """What changed on the ORS (or the child's scales), and what the lines on the chart mean."""
    lines = []
    progress = summary.progress
    if progress is not None:
        lines.append(
            PAGE_WORDS["intake"].format(
                instrument=escape(progress.intake.instrument),
                day=escape(progress.intake.day),
                total=format_tenths(progress.intake.total),
            )
        )
    if progress is not None and progress.change is not None:
        lines.append(
            PAGE_WORDS["latest"].format(
                day=escape(progress.latest.day),
                total=format_tenths(progress.latest.total),
                change=signed(progress.change),
            )
        )
    if summary.cutoff is not None and progress is not None:
        lines.append(PAGE_WORDS["cutoff"].format(cutoff=format_tenths(summary.cutoff)))
    if summary.srs:
        lines.append(PAGE_WORDS["srs"])
    return lines


def _symptom_lines(summary: Summary, instruments: dict[str, Instrument]) -> list[str]:
    """One sentence per symptom measure rated: the latest total, its band and the change."""
    lines = []
    for key, found in summary.symptoms.items():
        instrument = instruments[key]
        text = PAGE_WORDS["symptom_latest"].format(
            instrument=escape(key),
            day=escape(found.latest.day),
            total=instrument.format_score(found.latest.total),
            top=instrument.format_score(instrument.max_total),
        )
        if found.band is not None:
            text += PAGE_WORDS["symptom_band"].format(band=escape(found.band.label.lower()))
        if found.change is not None:
            change = signed(found.change, instrument.format_score)
            text += PAGE_WORDS["symptom_change"].format(change=change)
        lines.append(text + ".")
    return lines


def _rows(administrations: list[Administration], instruments: dict[str, Instrument]) -> str:
    """Every rating of the episode, one table row each, in clinical order."""
    return "\n".join(
        "<tr>"
        f'<td class="when">{escape(date_text(a.date))}</td>'
        f'<td class="scale">{escape(a.instrument)}</td>'
        f"<td>{escape(a.rater)}</td>"
        f"<td>{escape(_items_text(a, instruments))}</td>"
        f'<td class="num">{escape(_total_text(a, instruments))}</td>'
        f'<td class="note">{escape(a.note)}</td>'
        "</tr>"
        for a in chronological(administrations)
    )


def _charts(
    administrations: list[Administration], instruments: dict[str, Instrument], summary: Summary
) -> tuple[list[str], list[str]]:
    """The charts, and the line under the title that says what each scale measures.

    The ORS and SRS share one chart; each symptom measure (PHQ-9, GAD-7) has its own, on
    its own scale with its severity bands.
    """
    shared = any(family_of(instruments, a) in ("ors", "srs") for a in administrations)
    charts = [chart_svg(administrations, instruments, summary.cutoff)] if shared else []
    young = shared and chart_scale(administrations, instruments) == CHILD_SCALE
    scales = [PAGE_WORDS["child_scales" if young else "scales"]]
    if summary.symptoms and not shared:
        scales = []
    for key, found in summary.symptoms.items():
        instrument = instruments[key]
        scales.append(
            PAGE_WORDS["symptom_scale"].format(
                instrument=escape(key),
                name=escape(instrument.name),
                top=instrument.format_score(instrument.max_total),
            )
        )
        key_line = PAGE_WORDS["symptom_key"].format(instrument=escape(key))
        charts.append(f'<p class="key">{key_line}</p>\n{symptom_svg(found.ratings, instrument)}')
    return charts, scales


def client_page(
    client: Client,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    summary: Summary,
    made_on: date,
) -> str:
    """One self-contained HTML page for a client: what changed, the charts and every rating.

    A symptom measure's totals in the table carry their band. The therapist's label is
    left out (it is theirs, not the client's); notes are in, as they are the client's own
    words.
    """
    lines = _outcome_lines(summary) + _symptom_lines(summary, instruments)
    facts = "".join(f"<p>{line}</p>" for line in lines) or f"<p>{PAGE_WORDS['no_ratings']}</p>"
    charts, scales = _charts(administrations, instruments, summary)
    title = PAGE_WORDS["title"].format(code=escape(client.code))
    head = "".join(f"<th>{PAGE_WORDS['column_' + name]}</th>" for name in COLUMNS)
    sub, chart = "<br>\n".join(scales), "\n".join(charts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<h1>{title}</h1>
<p class="sub">{sub}</p>
{facts}
{chart}
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{_rows(administrations, instruments)}
</tbody>
</table>
<footer>{PAGE_WORDS["footer"].format(day=made_on.isoformat())}</footer>
</body>
</html>
"""
