"""The caseload report and a client's history as plain data, shared by the CLI and the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fittui.etr import Parameters
from fittui.instruments import Instrument
from fittui.model import Administration, Client
from fittui.scoring import Summary, attention, chronological, summarize


def number(tenths: int | None) -> float | None:
    """Tenths as a JSON number to one decimal, or None."""
    return None if tenths is None else tenths / 10


def whole(tenths: int) -> int:
    """A Likert total (PHQ-9, GAD-7) as the whole number it is: 120 tenths -> 12."""
    return tenths // 10


def _symptom(summary: Summary, key: str) -> tuple[int | None, str | None]:
    """The latest total and its band key of one Likert instrument, or (None, None)."""
    found = summary.symptoms.get(key)
    if found is None:
        return None, None
    return whole(found.latest.total), found.band.key if found.band else None


def report_row(client: Client, summary: Summary) -> dict:
    """One client's line of ``fittui report --json``."""
    phq9_last, phq9_band = _symptom(summary, "PHQ-9")
    gad7_last, gad7_band = _symptom(summary, "GAD-7")
    return {
        "client": client.code,
        "age_group": client.age_group,
        "ors_count": len(summary.ors),
        "ors_first": number(summary.intake.total if summary.intake else None),
        "ors_last": number(summary.latest.total if summary.latest else None),
        "ors_change": number(summary.change),
        "status": summary.status,
        "srs_count": len(summary.srs),
        "srs_last": number(summary.srs[-1].total if summary.srs else None),
        "lowest_srs_item": summary.lowest_srs_item,
        "flags": list(summary.flags),
        "etr_zone": summary.etr_zone,
        "phq9_last": phq9_last,
        "phq9_band": phq9_band,
        "gad7_last": gad7_last,
        "gad7_band": gad7_band,
    }


def caseload(
    clients: list[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    etr_params: Parameters | None = None,
) -> list[tuple[Client, Summary]]:
    """Every client with the scoring rules' summary, sorted by code.

    ``etr_params``: the expected-treatment-response model in use (default: fittui's own).
    """
    return [
        (c, summarize(c, by_client.get(c.code, []), instruments, etr_params=etr_params))
        for c in sorted(clients, key=lambda c: c.code)
    ]


def history_json(client: Client, administrations: list[Administration]) -> dict:
    """``fittui history --json``: every administration in date order, a voided one with
    ``"voided": {"reason", "at"}`` and a corrected one with its ``"corrections"``."""
    return {
        "client": client.code,
        "administrations": [_history_entry(a) for a in chronological(administrations)],
    }


def _history_entry(a: Administration) -> dict:
    entry = {
        "id": a.id,
        "date": a.date,
        "instrument": a.instrument,
        "rater": a.rater,
        "items": {k: number(v) for k, v in a.items.items()},
        "total": number(a.total),
        "note": a.note,
    }
    if a.voided is not None:
        entry["voided"] = {"reason": a.voided.reason, "at": a.voided.at}
    if a.corrections:
        entry["corrections"] = [
            {"what": c.what, "old": c.old, "new": c.new, "at": c.at} for c in a.corrections
        ]
    return entry


@dataclass(frozen=True)
class Overview:
    """One client as the client list and the caseload show them."""

    client: Client
    summary: Summary
    sessions: int  # days with any rating: the sessions so far
    last_seen: str | None  # the latest of those days
    days_since: int | None  # days from last_seen to today
    attention: int  # scoring.attention: who to look at first


def overviews(
    clients: list[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    today: date,
    etr_params: Parameters | None = None,
    cache: dict[str, tuple[tuple, Overview]] | None = None,
) -> list[Overview]:
    """Each client's overview, those who need attention first, then by code.

    With a ``cache`` (a dict the caller keeps between calls), a client whose record and
    ratings are unchanged is not scored again: a save from another process then costs
    one client's scoring, not the whole caseload's.
    """
    found = []
    for client in sorted(clients, key=lambda c: c.code):
        mine = by_client.get(client.code, [])
        key = (client, tuple((a.id, a.date, a.note) for a in mine), today, etr_params)
        cached = cache.get(client.code) if cache is not None else None
        if cached is not None and cached[0] == key:
            found.append(cached[1])
            continue
        summary = summarize(client, mine, instruments, etr_params=etr_params)
        days = {a.day for a in mine}
        last_seen = max(days, default=None)
        since = None if last_seen is None else (today - date.fromisoformat(last_seen)).days
        overview = Overview(client, summary, len(days), last_seen, since, attention(summary))
        if cache is not None:
            cache[client.code] = (key, overview)
        found.append(overview)
    return sorted(found, key=lambda o: -o.attention)
