"""The documentation snippet: one or two sentences for a progress note (README, Between sessions).

The app fills in the numbers and the patterns; the therapist adds the client's words, in
the administration's note or after pasting. The template is the user's to edit
(``settings.toml``, ``[notes] snippet``): it names fields in braces, each of which is a
whole sentence or empty, so a template never leaves a dangling "ORS ." behind.

A risk answer (PHQ-9 item 9 above "Not at all") is always in the snippet when there is
one: a template that leaves out ``{risk}`` gets it in front. The sentences are in the
therapist's language (English on the command line), like the screen the snippet is on.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

from fittui.domain.display import signed
from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.language import _, in_sentence, instrument_words
from fittui.domain.model import Administration, Client, InputError

if TYPE_CHECKING:  # only named: settings.py checks a template without loading the scoring
    from fittui.domain.scoring import Summary, SymptomSummary

DEFAULT_TEMPLATE = "{risk} {ors} {srs} {alliance} {lowest} {phq9} {gad7} {patterns} {note}"
FIELDS = {
    "client": "the client's code",
    "date": "the day of the latest session",
    "ors": "latest ORS total, against the cut-off and since intake",
    "srs": "latest SRS total, and whether it is below 36",
    "lowest": "the lowest SRS item when one is below 9, else the lowest ORS item",
    "alliance": "a split alliance: two people's SRS in the latest session 5 or more apart",
    "phq9": "latest PHQ-9 total, its severity band and the change since the first",
    "gad7": "latest GAD-7 total, its severity band and the change since the first",
    "risk": "a risk answer (PHQ-9 item 9) and its date; always included when there is one",
    "patterns": "the patterns that apply, by name (the low item is {lowest})",
    "note": "the notes saved with the latest session's ratings",
}


def check_template(template: str) -> str:
    """A template naming only known fields, or an InputError that lists them."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise InputError(f"snippet template {template!r}: {exc}") from None
    unknown = sorted(names - FIELDS.keys())
    if unknown:
        raise InputError(
            f"snippet template: unknown field {{{unknown[0]}}} (known: "
            + ", ".join(f"{{{f}}}" for f in FIELDS)
            + ")"
        )
    return template


def _ors_sentence(summary: Summary, instruments: dict[str, Instrument], day: str | None) -> str:
    progress = summary.progress
    if progress is None or progress.latest.day != day:
        return ""
    latest = progress.latest
    instrument = instruments[latest.instrument]
    maximum = format_tenths(instrument.max_total, decimals=False)
    parts = []
    if summary.cutoff is not None:
        if latest.total < summary.cutoff:
            side = _("below the cut-off of {cutoff}")
        else:
            side = _("at or above the cut-off of {cutoff}")
        parts.append(side.format(cutoff=format_tenths(summary.cutoff)))
    if progress.change is not None:
        parts.append(_("{change} since intake").format(change=signed(progress.change)))
    extra = f" ({'; '.join(parts)})" if parts else ""
    return f"{instrument.key} {format_tenths(latest.total)}/{maximum}{extra}."


def _srs_sentence(summary: Summary, instruments: dict[str, Instrument], day: str | None) -> str:
    if not summary.srs or summary.srs[-1].day != day:
        return ""
    last = summary.srs[-1]
    instrument = instruments[last.instrument]
    maximum = format_tenths(instrument.max_total, decimals=False)
    extra = ""
    if instrument.cutoff is not None and last.total < instrument.cutoff:
        below = _("below {cutoff}").format(cutoff=format_tenths(instrument.cutoff, decimals=False))
        extra = f" ({below})"
    return f"{instrument.key} {format_tenths(last.total)}/{maximum}{extra}."


def _lowest_sentence(summary: Summary, instruments: dict[str, Instrument], day: str | None) -> str:
    from fittui.domain.scoring import has_lowest  # loaded already: there is a summary

    progress = summary.progress
    if "srs_item_low" in summary.flags and summary.srs[-1].day == day:
        administration, key = summary.srs[-1], summary.lowest_srs_item
    elif progress is not None and has_lowest(progress.latest) and progress.latest.day == day:
        administration, key = progress.latest, summary.lowest_ors_item
    else:
        return ""  # none rated lower than the others (one item, or all equal): none to name
    if key is None:
        return ""
    instrument = instruments[administration.instrument]
    return _("Lowest {key} item: {label} {score}/{maximum}.").format(
        key=instrument.key,
        label=instrument_words(instrument.item(key).label),
        score=format_tenths(administration.items[key]),
        maximum=format_tenths(instrument.scale_max, decimals=False),
    )


def _symptom_sentence(found: SymptomSummary | None, instruments: dict[str, Instrument]) -> str:
    """ "PHQ-9 14/27 (moderate; -3 since the first)."""
    if found is None:
        return ""
    instrument = instruments[found.latest.instrument]
    score = instrument.format_score
    parts = [in_sentence(instrument_words(found.band.label))] if found.band else []
    if found.change is not None:
        parts.append(_("{change} since the first").format(change=signed(found.change, score)))
    extra = f" ({'; '.join(parts)})" if parts else ""
    return f"{instrument.key} {score(found.latest.total)}/{score(instrument.max_total)}{extra}."


def _risk_sentence(summary: Summary) -> str:
    return " ".join(alert.headline for alert in summary.alerts)


def _alliance_sentence(summary: Summary) -> str:
    if "split_alliance" not in summary.flags:
        return ""
    day, ratings = summary.alliances[-1]
    one_client = len({a.client for a in ratings}) == 1
    people = ", ".join(
        f"{_(a.rater) if one_client else f'{a.client} {_(a.rater)}'} {format_tenths(a.total)}"
        for a in ratings
    )
    return _("Split alliance on {day}: {people}.").format(day=day, people=people)


def _note_sentence(administrations: list[Administration], day: str | None) -> str:
    notes = [a.note.strip() for a in administrations if a.day == day and a.note.strip()]
    return " ".join(n if n.endswith((".", "!", "?")) else f"{n}." for n in notes)


def make_snippet(
    client: Client,
    summary: Summary,
    administrations: list[Administration],
    instruments: dict[str, Instrument],
    template: str = DEFAULT_TEMPLATE,
) -> str:
    """The snippet for the client's latest session, from the template: the ORS, the SRS
    and the lowest item only when rated in that session, never an earlier session's."""
    day = max((a.day for a in administrations), default=None)
    patterns = [_(p.title) for p in summary.patterns if p.key != "low_item"]  # {lowest} says it
    if "{risk}" not in template and summary.alerts:
        template = "{risk} " + template
    values = {
        "client": client.code,
        "date": day or "",
        "ors": _ors_sentence(summary, instruments, day),
        "srs": _srs_sentence(summary, instruments, day),
        "lowest": _lowest_sentence(summary, instruments, day),
        "alliance": _alliance_sentence(summary),
        "phq9": _symptom_sentence(summary.symptoms.get("PHQ-9"), instruments),
        "gad7": _symptom_sentence(summary.symptoms.get("GAD-7"), instruments),
        "risk": _risk_sentence(summary),
        "patterns": _("Patterns: {patterns}.").format(patterns="; ".join(patterns))
        if patterns
        else "",
        "note": _note_sentence(administrations, day),
    }
    return " ".join(template.format(**values).split())
