"""FHIR R4 for an electronic health record: a collection Bundle with one Questionnaire per
instrument used and one QuestionnaireResponse per administration.

A voided rating is a response with status ``entered-in-error``; the PHQ-9 and GAD-7 carry
their LOINC codes and their answers coded as LOINC forms code them. How a rating was taken
travels in an extension of fittui's own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from fittui.domain.instruments import Instrument, Item
from fittui.domain.model import Administration
from fittui.domain.scoring import chronological

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


def _questionnaire_items(instrument: Instrument) -> list[dict[str, Any]]:
    """One item per line or question, then the total and a free-text note."""
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
    return items


def fhir_questionnaire(instrument: Instrument) -> dict:
    """An instrument as a FHIR Questionnaire: one item per line or question, the total and
    a free-text note (the client's words).

    A line (ORS, SRS) is a decimal item with its bounds and its short label only, as fittui
    ships them. A Likert question (PHQ-9, GAD-7) is a choice item worded as published, its
    answers coded as in :func:`answer_coding`. LOINC codes go where the instrument data
    has them: the panel on the Questionnaire, each question and the total on its item.
    """
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
    resource |= {"subjectType": ["Patient"], "item": _questionnaire_items(instrument)}
    if instrument.copyright:
        resource["copyright"] = instrument.copyright
    return resource


def _authored(when: str) -> str:
    """A FHIR dateTime: a date as it is, a time with seconds and the local UTC offset.

    A time too near the year 1 (or 9999) to be given an offset is given as its day: FHIR
    takes a time only with its offset.
    """
    if len(when) == 10:
        return when
    try:
        return datetime.fromisoformat(when).astimezone().isoformat(timespec="seconds")
    except (OverflowError, ValueError):
        return when[:10]


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
