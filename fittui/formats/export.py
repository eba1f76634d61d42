"""Getting data out: CSV in the import format, fittui's JSON, FHIR R4, and a page to share.

Pure functions from clients and administrations to text; the CLI writes the text. Every
format is meant to come back in or to be read elsewhere without loss:

* CSV is exactly what ``fittui import`` reads, so export, import into an empty database and
  export again gives the same file. Free text (notes, labels) that a spreadsheet would run
  as a formula gets a leading apostrophe, which import takes off again (see
  :func:`guard_formula`); every other cell is a code, a date or a non-negative number that
  cannot start a formula.
* JSON holds everything, ids and entry order included, with the storage schema version.
* FHIR R4: a Bundle with one Questionnaire per instrument used and one
  QuestionnaireResponse per administration (a voided one with status
  ``entered-in-error``), for an electronic health record; the PHQ-9
  and GAD-7 with their LOINC codes and their answers coded as LOINC forms code them.
* HTML: one self-contained page per client (inline SVG charts, table, print styles), with
  every piece of user text escaped.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from fittui import __version__
from fittui.domain.display import date_text, score_format, signed
from fittui.domain.instruments import Instrument, Item, format_tenths
from fittui.domain.model import Administration, Client
from fittui.domain.scoring import Summary, chronological, family_of
from fittui.formats.chart import CHILD_SCALE, chart_scale, series, series_words
from fittui.storage.journal import SCHEMA_VERSION
from fittui.storage.store import administration_to_doc

EXPORT_FORMAT = "fittui-export"
CSV_FIRST = ("client", "age_group", "date", "instrument", "rater")
CSV_LAST = ("note", "label", "archived", "instruments", "voided", "voided_at", "mode")
# What a spreadsheet takes as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CLIENT_SYSTEM = "urn:fittui:client"
QUESTIONNAIRE_URL = "urn:fittui:questionnaire:"
FHIR_EXTENSION = "http://hl7.org/fhir/StructureDefinition/"
LOINC_SYSTEM = "http://loinc.org"
# How a rating was taken has no element of its own in a QuestionnaireResponse, so it
# travels in an extension of fittui's own (a URN, like the identifiers above).
MODE_EXTENSION = "urn:fittui:extension:administration-mode"
MODE_SYSTEM = "urn:fittui:administration-mode"
MODE_WORDS = {
    "in_person": "in person, on the therapist's device",
    "screen_share": "on a shared screen over video",
    "spoken": "read aloud and answered aloud",
    "remote_form": "on the client's own device, from a home form",
    "paper": "on paper, typed in afterwards",
}
# R4's extension for the score of a coded answer (Coding, Questionnaire answerOption).
ORDINAL_VALUE = FHIR_EXTENSION + "ordinalValue"


# -- CSV -----------------------------------------------------------------------------------
def guard_formula(text: str) -> str:
    """Put an apostrophe before text a spreadsheet would run as a formula.

    Text that starts with apostrophes followed by a formula character gets one more, so
    :func:`unguard_formula` (used by import) gives back exactly what was exported, even
    for a note that really starts with an apostrophe.
    """
    return "'" + text if text.lstrip("'")[:1] in FORMULA_STARTS else text


def unguard_formula(text: str) -> str:
    """Take off the apostrophe that :func:`guard_formula` put there (import's side)."""
    if text.startswith("'") and text.lstrip("'")[:1] in FORMULA_STARTS:
        return text[1:]
    return text


def _item_order(a: Administration, instruments: dict[str, Instrument]) -> list[str]:
    instrument = instruments.get(a.instrument)
    return [i.key for i in instrument.items] if instrument else list(a.items)


def _score_text(a: Administration, tenths: int, instruments: dict[str, Instrument]) -> str:
    """A score as its instrument is read: '7.5' on a line, '2' on the PHQ-9 or GAD-7."""
    return score_format(a, instruments)(tenths)


def export_csv(
    clients: Iterable[Client],
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
) -> str:
    """The administrations as import CSV: by client code, then in clinical order.

    Rows of one date keep their entry order, and import keeps file order, so a round trip
    keeps the tie-break. Surrounding spaces of notes and labels are not kept (import strips
    every cell); a client with no administrations has no row. The client's label, archived
    state and start-of-session instruments are repeated on each of the client's rows. A
    voided rating has its reason and time in the last two columns.
    """
    by_code = {c.code: c for c in clients}
    rows = sorted(
        (a for a in chronological(administrations) if a.client in by_code),
        key=lambda a: a.client,
    )
    width = max((len(a.items) for a in rows), default=1)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_FIRST, *(f"item{n}" for n in range(1, width + 1)), *CSV_LAST])
    for a in rows:
        client = by_code[a.client]
        scores = [_score_text(a, a.items[k], instruments) for k in _item_order(a, instruments)]
        writer.writerow(
            [
                a.client,
                client.age_group,
                a.date,
                a.instrument,
                a.rater,
                *scores,
                *[""] * (width - len(scores)),
                guard_formula(a.note.strip()),
                guard_formula(client.label.strip()),
                "yes" if client.archived else "",
                # One cell, "PHQ-9,GAD-7,ORS": the writer quotes it for the commas.
                ",".join(client.instruments),
                # Why and when a rating was voided (entered in error); blank if it counts.
                guard_formula(a.voided.reason) if a.voided else "",
                a.voided.at if a.voided else "",
                a.mode,
            ]
        )
    return out.getvalue()


# -- JSON ----------------------------------------------------------------------------------
def export_data(clients: Iterable[Client], administrations: Iterable[Administration]) -> dict:
    """Everything, as ``fittui import`` reads it back: clients by code, administrations in
    entry order (the tie-break between ratings of one date) with their ids."""
    return {
        "format": EXPORT_FORMAT,
        "schema": SCHEMA_VERSION,
        "fittui": __version__,
        "clients": [
            {
                "code": c.code,
                "age_group": c.age_group,
                "label": c.label,
                "archived": c.archived,
                "instruments": list(c.instruments),
            }
            for c in sorted(clients, key=lambda c: c.code)
        ],
        "administrations": [{"id": a.id, **administration_to_doc(a)} for a in administrations],
    }


def export_json(clients: Iterable[Client], administrations: Iterable[Administration]) -> str:
    return json.dumps(export_data(clients, administrations), indent=2, ensure_ascii=False) + "\n"


# -- FHIR R4 -------------------------------------------------------------------------------
def _fhir_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)[:64]


def _full_url(kind: str, key: str) -> str:
    """A stable urn:uuid for a Bundle entry, the same on every export."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'fittui:{kind}:{key}')}"


def questionnaire_url(instrument_key: str) -> str:
    return QUESTIONNAIRE_URL + instrument_key


def _loinc(code: str, display: str) -> list[dict]:
    """A FHIR ``code`` list with one LOINC coding, or nothing when no code is known."""
    return [{"system": LOINC_SYSTEM, "code": code, "display": display}] if code else []


def _number(instrument: Instrument, tenths: int) -> float | int:
    """A score as a JSON number: 7.5 on a line, 2 on a Likert scale."""
    return tenths // 10 if instrument.whole_numbers else tenths / 10


def _item_text(instrument: Instrument, item: Item) -> str:
    """The question as the client read it on a Likert scale (public domain wording), the
    short label on a line (the ORS/SRS wording is not fittui's to ship)."""
    return item.description if instrument.kind == "likert" and item.description else item.label


def answer_coding(instrument: Instrument, tenths: int) -> dict:
    """A Likert answer as a Coding: the LOINC answer code where the instrument has one
    (``LA6569-3`` "Several days" on the PHQ-9), fittui's own code (the score) otherwise,
    with the score as its ordinal value."""
    wording = instrument.option_for(tenths)  # checks the score is one of the answers
    index = (tenths - instrument.scale_min) // instrument.step
    coding: dict[str, Any]
    if instrument.loinc_answers:
        coding = {"system": LOINC_SYSTEM, "code": instrument.loinc_answers[index]}
    else:
        coding = {"system": questionnaire_url(instrument.key) + ":answer"}
        coding["code"] = instrument.format_score(tenths)
    coding["display"] = wording
    coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": _number(instrument, tenths)}]
    return coding


def _answer_tenths(instrument: Instrument) -> range:
    return range(instrument.scale_min, instrument.scale_max + 1, instrument.step)


def fhir_questionnaire(instrument: Instrument) -> dict:
    """An instrument as a FHIR Questionnaire: one item per line or question, the total and
    a free-text note (the client's words).

    A line (ORS, SRS) is a decimal item with its bounds and its short label only, as fittui
    ships them. A Likert question (PHQ-9, GAD-7) is a choice item worded as published, its
    answers coded as in :func:`answer_coding`. LOINC codes go where the instrument data
    has them: the panel on the Questionnaire, each question and the total on its item.
    """
    likert = instrument.kind == "likert"
    bounds = [
        {"url": FHIR_EXTENSION + "minValue", "valueDecimal": instrument.scale_min / 10},
        {"url": FHIR_EXTENSION + "maxValue", "valueDecimal": instrument.scale_max / 10},
    ]
    options = (
        [
            {"valueCoding": answer_coding(instrument, tenths)}
            for tenths in _answer_tenths(instrument)
        ]
        if likert
        else []
    )
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {"linkId": item.key}
        if code := _loinc(item.loinc, _item_text(instrument, item)):
            entry["code"] = code
        entry["text"] = _item_text(instrument, item)
        if likert:
            entry |= {"type": "choice", "required": True, "answerOption": options}
        else:
            entry |= {"type": "decimal", "required": True, "extension": bounds}
        items.append(entry)
    total: dict[str, Any] = {"linkId": "total"}
    if code := _loinc(instrument.loinc_total, f"{instrument.key} total score"):
        total["code"] = code
    total |= {
        "text": "Total",
        "type": "integer" if instrument.whole_numbers else "decimal",
        "readOnly": True,
    }
    items.append(total)
    items.append({"linkId": "note", "text": "Note", "type": "text", "required": False})
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _fhir_id(instrument.key.lower()),
        "url": questionnaire_url(instrument.key),
        "name": re.sub(r"[^A-Za-z0-9_]", "", instrument.key) or "Instrument",
        "title": instrument.name,
        "status": "active",
    }
    if instrument.frame:
        resource["description"] = instrument.frame
    if code := _loinc(instrument.loinc_panel, instrument.name):
        resource["code"] = code
    resource |= {"subjectType": ["Patient"], "item": items}
    if instrument.copyright:
        resource["copyright"] = instrument.copyright
    return resource


def _authored(when: str) -> str:
    """A FHIR dateTime: a date as it is, a time with seconds and the local UTC offset."""
    if len(when) == 10:
        return when
    return datetime.fromisoformat(when).astimezone().isoformat(timespec="seconds")


def _rater_reference(a: Administration) -> dict:
    if a.by_client:
        return {
            "type": "Patient",
            "identifier": {"system": CLIENT_SYSTEM, "value": a.client},
            "display": a.client,
        }
    return {"type": "RelatedPerson", "display": f"{a.rater} of {a.client}"}


def fhir_response(a: Administration, instrument: Instrument) -> dict:
    """One administration as a completed QuestionnaireResponse.

    A line's score is a valueDecimal (7.5). A Likert answer is a valueCoding, the LOINC
    answer code with its wording and its score as the ordinal value, because that is how
    LOINC forms and the FHIR questionnaire tools an EHR runs (SDC) express a PHQ-9 or
    GAD-7 answer: the code says which answer was given, checked against LOINC's answer
    list, and the ordinal keeps the 0-3 score, so the total can be summed and checked from
    the response alone. The total is a valueInteger on a Likert scale.
    """
    likert = instrument.kind == "likert"
    items: list[dict[str, Any]] = [
        {
            "linkId": item.key,
            "text": _item_text(instrument, item),
            "answer": [
                {"valueCoding": answer_coding(instrument, a.items[item.key])}
                if likert
                else {"valueDecimal": a.items[item.key] / 10}
            ],
        }
        for item in instrument.items
    ]
    total: dict[str, Any] = {"valueInteger": a.total // 10} if instrument.whole_numbers else {}
    items.append(
        {"linkId": "total", "text": "Total", "answer": [total or {"valueDecimal": a.total / 10}]}
    )
    if a.note:
        items.append({"linkId": "note", "text": "Note", "answer": [{"valueString": a.note}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _fhir_id(a.id),
        "extension": [
            {
                "url": MODE_EXTENSION,
                "valueCoding": {
                    "system": MODE_SYSTEM,
                    "code": a.mode,
                    "display": MODE_WORDS[a.mode],
                },
            }
        ],
        "identifier": {"system": "urn:fittui:administration", "value": a.id},
        "questionnaire": questionnaire_url(instrument.key),
        # A voided rating is in the record but must not be read as a finding.
        "status": "entered-in-error" if a.voided else "completed",
        "subject": {
            "type": "Patient",
            "identifier": {"system": CLIENT_SYSTEM, "value": a.client},
            "display": a.client,
        },
        "authored": _authored(a.date),
        "author": _rater_reference(a),
        "source": _rater_reference(a),
        "item": items,
    }


def export_fhir(
    administrations: Iterable[Administration], instruments: dict[str, Instrument]
) -> dict:
    """A FHIR R4 collection Bundle: the Questionnaires used, then the responses by date."""
    ordered = chronological(administrations)
    used = sorted({a.instrument for a in ordered})
    entries = [
        {
            "fullUrl": _full_url("questionnaire", key),
            "resource": fhir_questionnaire(instruments[key]),
        }
        for key in used
    ]
    entries += [
        {
            "fullUrl": _full_url("administration", a.id),
            "resource": fhir_response(a, instruments[a.instrument]),
        }
        for a in ordered
    ]
    bundle: dict = {"resourceType": "Bundle", "type": "collection"}
    if entries:  # FHIR JSON has no empty lists
        bundle["entry"] = entries
    return bundle


# -- HTML ----------------------------------------------------------------------------------
CHART_WIDTH, CHART_HEIGHT = 720, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 16, 16, 40
# Each series has its own colour and its own marker, so the chart reads in black and white.
_STYLES = {
    "ORS": ("#1b5e9e", "circle", ""),
    "SRS": ("#a3501a", "square", ""),
}
_OTHER_STYLES = [("#4d7d3a", "diamond", "6 4"), ("#6b4c9a", "triangle", "2 3")]
MAX_DATE_LABELS = 10

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


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    return f'<polygon points="{points}" fill="{colour}"/>'


def chart_svg(
    administrations: list[Administration], instruments: dict[str, Instrument], cutoff: int | None
) -> str:
    """The history chart as inline SVG: totals by session on 0-40, the cut-off and 36 lines;
    a young child's face scales on 0-10 with no line made for the 40-point scales."""
    scale = chart_scale(administrations, instruments)
    young = scale == CHILD_SCALE
    days, found = series(administrations, instruments, scale)
    plot_w = CHART_WIDTH - _LEFT - _RIGHT
    plot_h = CHART_HEIGHT - _TOP - _BOTTOM
    slots = max(len(days), 1)
    top = scale / 10

    def x_at(index: int) -> float:
        return _LEFT + plot_w * (index - 0.5) / slots

    def y_at(total: float) -> float:
        return _TOP + plot_h * (1 - total / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" '
        'role="img" aria-labelledby="chart-title">',
        '<title id="chart-title">'
        + ("Faces, 0 to 10, by session" if young else "ORS and SRS totals by session")
        + "</title>",
    ]
    for tick in (0, 2, 4, 6, 8, 10) if young else (0, 10, 20, 30, 40):
        y = y_at(tick)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{tick}</text>'
        )
    if cutoff is not None and "ORS" in found and not young:
        y = y_at(cutoff / 10)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" '
            'stroke="#c62828" stroke-dasharray="8 4"/>'
            f'<text x="{_LEFT + plot_w}" y="{y - 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#c62828">ORS cut-off {format_tenths(cutoff)}</text>'
        )
    if ("SRS" in found or "GSRS" in found) and not young:
        y = y_at(36)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" '
            'stroke="#8d6e00" stroke-dasharray="2 3"/>'
            f'<text x="{_LEFT}" y="{y - 4:.1f}" font-size="11" fill="#8d6e00">SRS 36</text>'
        )
    step = max(1, -(-len(days) // MAX_DATE_LABELS))
    for n in range(1, len(days) + 1, step):
        parts.append(
            f'<text x="{x_at(n):.1f}" y="{_TOP + plot_h + 18}" text-anchor="middle" '
            f'font-size="11">{escape(days[n - 1][5:])}</text>'
        )
    others = iter(_OTHER_STYLES * len(found))
    legend = []
    for name, points in found.items():
        colour, shape, dash = _STYLES.get(name) or next(others)
        coords = " ".join(f"{x_at(i):.1f},{y_at(total):.1f}" for i, total in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>'
        )
        parts.extend(_marker(shape, x_at(i), y_at(total), colour) for i, total in points)
        legend.append((series_words(administrations, instruments, name), colour, shape))
    x = _LEFT
    for name, colour, shape in legend:
        parts.append(_marker(shape, x + 5, CHART_HEIGHT - 8, colour))
        parts.append(
            f'<text x="{x + 14}" y="{CHART_HEIGHT - 4}" font-size="12">{escape(name)}</text>'
        )
        x += 28 + 8 * len(name)
    parts.append("</svg>")
    return "\n".join(parts)


SYMPTOM_HEIGHT = 200
_SYMPTOM_COLOUR, _BAND_COLOUR = "#4d7d3a", "#777"


def symptom_svg(ratings: tuple[Administration, ...], instrument: Instrument) -> str:
    """One symptom measure's totals (PHQ-9, GAD-7) as inline SVG, on its own scale from 0
    to its highest total, with a dotted line where each severity band starts."""
    top = instrument.max_total
    plot_w = CHART_WIDTH - _LEFT - _RIGHT
    plot_h = SYMPTOM_HEIGHT - _TOP - _BOTTOM + 16

    def x_at(index: int) -> float:
        return _LEFT + plot_w * (index - 0.5) / len(ratings)

    def y_at(tenths: int) -> float:
        return _TOP + plot_h * (1 - tenths / top)

    key = escape(instrument.key)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_WIDTH} {SYMPTOM_HEIGHT}" '
        f'role="img" aria-label="{key} totals by session">',
        f"<title>{key} totals by session</title>",
    ]
    for tenths in (instrument.scale_min * len(instrument.items), top):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y_at(tenths):.1f}" x2="{_LEFT + plot_w}" '
            f'y2="{y_at(tenths):.1f}" stroke="#ddd"/>'
            f'<text x="{_LEFT - 8}" y="{y_at(tenths) + 4:.1f}" text-anchor="end" '
            f'font-size="12">{instrument.format_score(tenths)}</text>'
        )
    for band in instrument.bands[1:]:
        y = y_at(band.low)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="{_BAND_COLOUR}" stroke-dasharray="2 3"/>'
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">'
            f"{instrument.format_score(band.low)}</text>"
            f'<text x="{_LEFT + plot_w}" y="{y - 3:.1f}" text-anchor="end" font-size="10" '
            f'fill="{_BAND_COLOUR}">{escape(band.label.lower())}</text>'
        )
    step = max(1, -(-len(ratings) // MAX_DATE_LABELS))
    for n in range(1, len(ratings) + 1, step):
        parts.append(
            f'<text x="{x_at(n):.1f}" y="{_TOP + plot_h + 18}" text-anchor="middle" '
            f'font-size="11">{escape(ratings[n - 1].day[5:])}</text>'
        )
    points = [(x_at(n), y_at(a.total)) for n, a in enumerate(ratings, start=1)]
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(
        f'<polyline points="{coords}" fill="none" stroke="{_SYMPTOM_COLOUR}" stroke-width="2"/>'
    )
    parts.extend(_marker("diamond", x, y, _SYMPTOM_COLOUR) for x, y in points)
    parts.append("</svg>")
    return "\n".join(parts)


def _items_text(a: Administration, instruments: dict[str, Instrument]) -> str:
    """'Individually 5.0, Socially 6.5, ...'; on a Likert scale, whose short labels may hold
    a comma ('Down, depressed or hopeless'), the items are set apart by semicolons."""
    instrument = instruments.get(a.instrument)
    labels = {i.key: i.label for i in instrument.items} if instrument else {}
    separator = "; " if instrument is not None and instrument.kind == "likert" else ", "
    return separator.join(
        f"{labels.get(key, key)} {_score_text(a, a.items[key], instruments)}"
        for key in _item_order(a, instruments)
    )


def _total_text(a: Administration, instruments: dict[str, Instrument]) -> str:
    """The total, with its severity band on a symptom measure: '13 (moderate)'."""
    instrument = instruments.get(a.instrument)
    band = instrument.band_for(a.total) if instrument and instrument.bands else None
    total = _score_text(a, a.total, instruments)
    return f"{total} ({band.label.lower()})" if band else total


def _symptom_lines(summary: Summary, instruments: dict[str, Instrument]) -> list[str]:
    """One sentence per symptom measure rated: the latest total, its band and the change."""
    lines = []
    for key, found in summary.symptoms.items():
        instrument = instruments[key]
        latest = found.latest
        top = instrument.format_score(instrument.max_total)
        text = (
            f"Latest {escape(key)}, on {escape(latest.day)}: "
            f"{instrument.format_score(latest.total)} of {top}"
        )
        if found.band is not None:
            text += f", {escape(found.band.label.lower())}"
        if found.change is not None:
            text += f" ({signed(found.change, instrument.format_score)} since the first)"
        lines.append(text + ".")
    return lines


def client_page(
    client: Client,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    summary: Summary,
    made_on: date,
) -> str:
    """One self-contained HTML page for a client: what changed, the charts and every rating.

    The ORS and SRS share one chart; each symptom measure (PHQ-9, GAD-7) has its own, on
    its own scale with its severity bands, and its totals in the table carry their band.
    The therapist's label is left out (it is theirs, not the client's); notes are in, as
    they are the client's own words. Nothing is loaded from elsewhere and no script runs.
    """
    lines = []
    progress = summary.progress
    if progress is not None:
        lines.append(
            f"First {escape(progress.intake.instrument)} on {escape(progress.intake.day)}: "
            f"{format_tenths(progress.intake.total)}."
        )
    if progress is not None and progress.change is not None:
        lines.append(
            f"Latest, on {escape(progress.latest.day)}: {format_tenths(progress.latest.total)} "
            f"({signed(progress.change)} since the first). A change of 5 points or "
            "more is more than day-to-day ups and downs."
        )
    if summary.cutoff is not None and progress is not None:
        lines.append(
            f"Scores below {format_tenths(summary.cutoff)} are in the range where people often "
            "look for help; the dashed line marks it."
        )
    if summary.srs:
        lines.append(
            "The SRS shows how each session worked for you; below 36 means something could "
            "have gone better, and that is welcome news for us to talk about."
        )
    lines += _symptom_lines(summary, instruments)
    rows = "\n".join(
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
    facts = "".join(f"<p>{line}</p>" for line in lines) or "<p>No ratings yet.</p>"
    on_shared_chart = any(family_of(instruments, a) in ("ors", "srs") for a in administrations)
    charts = [chart_svg(administrations, instruments, summary.cutoff)] if on_shared_chart else []
    scales = [
        "ORS: how you have been doing (0 to 40). SRS: how the session worked for you (0 to 40)."
    ]
    if on_shared_chart and chart_scale(administrations, instruments) == CHILD_SCALE:
        scales = [
            "YCORS: how things have been, pointed on the faces (0 to 10). "
            "YCSRS: how the session was, on the faces (0 to 10)."
        ]
    if summary.symptoms and not on_shared_chart:
        scales = []
    for key, found in summary.symptoms.items():
        instrument = instruments[key]
        top = instrument.format_score(instrument.max_total)
        scales.append(f"{escape(key)}: {escape(instrument.name)}, 0 to {top}; lower is better.")
        charts.append(
            f'<p class="key">{escape(key)} totals; the dotted lines mark where each severity '
            f"band starts.</p>\n{symptom_svg(found.ratings, instrument)}"
        )
    chart = "\n".join(charts)
    sub = "<br>\n".join(scales)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(client.code)}: how things have been going</title>
<style>{PAGE_CSS}</style>
</head>
<body>
<h1>{escape(client.code)}: how things have been going</h1>
<p class="sub">{sub}</p>
{facts}
{chart}
<table>
<thead><tr><th>Date</th><th>Scale</th><th>Rated by</th><th>Items</th><th>Total</th>\
<th>Note</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<footer>Made with fittui on {made_on.isoformat()}.</footer>
</body>
</html>
"""
