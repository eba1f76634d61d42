"""The client's own page (``fittui export --format html --client CODE``): one self-contained
HTML file to print or to show them, about their current episode.

Nothing is loaded from elsewhere and no script runs; every piece of user text is escaped.
The sentences come from :data:`PAGE_WORDS`, the charts from :mod:`fittui.formats.svg_chart`.
"""

from __future__ import annotations

from datetime import date
from html import escape

from fittui.domain.display import date_text, signed
from fittui.domain.instruments import Instrument
from fittui.domain.language import ENGLISH, Translator, client_translator, rater_name
from fittui.domain.model import Administration, Client
from fittui.domain.scoring import Summary, chronological, family_of
from fittui.formats.chart import CHILD_SCALE, chart_scale
from fittui.formats.csv_json import item_order
from fittui.formats.page_words import page_words
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


class Said:
    """The page in one language: its sentences, numbers, dates and the scales' own words."""

    def __init__(self, tr: Translator) -> None:
        self.tr = tr
        self.words = page_words(tr)

    def day(self, day: str) -> str:
        """A date: ISO in English, the language's medium form else (escaped)."""
        if self.tr.code == ENGLISH:
            return escape(day)
        return escape(self.tr.date(date.fromisoformat(day[:10])))

    def when(self, stamp: str) -> str:
        """A date and time as stored ("2026-11-09T10:00"), shown with the date in the
        language's form (escaped)."""
        if self.tr.code == ENGLISH:
            return escape(date_text(stamp))
        return self.day(stamp[:10]) + escape(date_text(stamp[10:]))

    def score(self, tenths: int | None, instrument: Instrument | None = None) -> str:
        """A score in its instrument's format (12 on the PHQ-9, 25.5 on a line)."""
        return self.tr.score(tenths, instrument is None or not instrument.whole_numbers)

    def signed(self, tenths: int, instrument: Instrument | None = None) -> str:
        """A change with its sign, its number in the language's form ("+5,0")."""
        return signed(tenths, lambda t: self.score(t, instrument))

    def band(self, label: str) -> str:
        return escape(self.tr.c_(label).lower())


def _items_text(a: Administration, instruments: dict[str, Instrument], said: Said) -> str:
    """'Individually 5.0, Socially 6.5, ...'; on a Likert scale, whose short labels may hold
    a comma ('Down, depressed or hopeless'), the items are set apart by semicolons."""
    instrument = instruments.get(a.instrument)
    labels = {i.key: said.tr.c_(i.label) for i in instrument.items} if instrument else {}
    separator = "; " if instrument is not None and instrument.kind == "likert" else ", "
    return separator.join(
        f"{labels.get(key, key)} {said.score(a.items[key], instrument)}"
        for key in item_order(a, instruments)
    )


def _total_text(a: Administration, instruments: dict[str, Instrument], said: Said) -> str:
    """The total, with its severity band on a symptom measure: '13 (moderate)'."""
    instrument = instruments.get(a.instrument)
    band = instrument.band_for(a.total) if instrument and instrument.bands else None
    total = said.score(a.total, instrument)
    return f"{total} ({said.tr.c_(band.label).lower()})" if band else total


def _outcome_lines(summary: Summary, said: Said) -> list[str]:
    """What changed on the ORS (or the child's scales), and what the lines on the chart mean."""
    lines, words = [], said.words
    progress = summary.progress
    if progress is not None:
        lines.append(
            words["intake"].format(
                instrument=escape(progress.intake.instrument),
                day=said.day(progress.intake.day),
                total=said.score(progress.intake.total),
            )
        )
    if progress is not None and progress.change is not None:
        lines.append(
            words["latest"].format(
                day=said.day(progress.latest.day),
                total=said.score(progress.latest.total),
                change=said.signed(progress.change),
            )
        )
    if summary.cutoff is not None and progress is not None:
        lines.append(words["cutoff"].format(cutoff=said.score(summary.cutoff)))
    if summary.srs:
        lines.append(words["srs"])
    return lines


def _symptom_lines(summary: Summary, instruments: dict[str, Instrument], said: Said) -> list[str]:
    """One sentence per symptom measure rated: the latest total, its band and the change."""
    lines, words = [], said.words
    for key, found in summary.symptoms.items():
        instrument = instruments[key]
        text = words["symptom_latest"].format(
            instrument=escape(key),
            day=said.day(found.latest.day),
            total=said.score(found.latest.total, instrument),
            top=said.score(instrument.max_total, instrument),
        )
        if found.band is not None:
            text += words["symptom_band"].format(band=said.band(found.band.label))
        if found.change is not None:
            change = said.signed(found.change, instrument)
            text += words["symptom_change"].format(change=change)
        lines.append(text + ".")
    return lines


def _rows(
    administrations: list[Administration], instruments: dict[str, Instrument], said: Said
) -> str:
    """Every rating of the episode, one table row each, in clinical order."""
    return "\n".join(
        "<tr>"
        f'<td class="when">{said.when(a.date)}</td>'
        f'<td class="scale">{escape(a.instrument)}</td>'
        f"<td>{escape(rater_name(said.tr, a.rater))}</td>"
        f"<td>{escape(_items_text(a, instruments, said))}</td>"
        f'<td class="num">{escape(_total_text(a, instruments, said))}</td>'
        f'<td class="note">{escape(a.note)}</td>'
        "</tr>"
        for a in chronological(administrations)
    )


def _charts(
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    summary: Summary,
    said: Said,
) -> tuple[list[str], list[str]]:
    """The charts, and the line under the title that says what each scale measures.

    The ORS and SRS share one chart; each symptom measure (PHQ-9, GAD-7) has its own, on
    its own scale with its severity bands.
    """
    shared = any(family_of(instruments, a) in ("ors", "srs") for a in administrations)
    tr, words = said.tr, said.words
    charts = [chart_svg(administrations, instruments, summary.cutoff, tr)] if shared else []
    young = shared and chart_scale(administrations, instruments) == CHILD_SCALE
    scales = [words["child_scales" if young else "scales"]]
    if summary.symptoms and not shared:
        scales = []
    for key, found in summary.symptoms.items():
        instrument = instruments[key]
        scales.append(
            words["symptom_scale"].format(
                instrument=escape(key),
                name=escape(tr.c_(instrument.name)),
                top=said.score(instrument.max_total, instrument),
            )
        )
        key_line = words["symptom_key"].format(instrument=escape(key))
        chart = symptom_svg(found.ratings, instrument, tr)
        charts.append(f'<p class="key">{key_line}</p>\n{chart}')
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
    words. The page is in the client's language (the therapist's when the client has
    none), its numbers and dates written that language's way.
    """
    said = Said(client_translator(client.language))
    words = said.words
    lines = _outcome_lines(summary, said) + _symptom_lines(summary, instruments, said)
    facts = "".join(f"<p>{line}</p>" for line in lines) or f"<p>{words['no_ratings']}</p>"
    charts, scales = _charts(administrations, instruments, summary, said)
    title = words["title"].format(code=escape(client.code))
    head = "".join(f"<th>{words['column_' + name]}</th>" for name in COLUMNS)
    sub, chart = "<br>\n".join(scales), "\n".join(charts)
    footer = words["footer"].format(day=said.day(made_on.isoformat()))
    return f"""<!DOCTYPE html>
<html lang="{said.tr.code}">
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
{_rows(administrations, instruments, said)}
</tbody>
</table>
<footer>{footer}</footer>
</body>
</html>
"""
