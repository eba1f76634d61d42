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


def report_row(client: Client, summary: Summary) -> dict:
    """One client's line of ``fittui report --json``."""
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
    """``fittui history --json``: every administration in date order."""
    return {
        "client": client.code,
        "administrations": [
            {
                "id": a.id,
                "date": a.date,
                "instrument": a.instrument,
                "rater": a.rater,
                "items": {k: number(v) for k, v in a.items.items()},
                "total": number(a.total),
                "note": a.note,
            }
            for a in chronological(administrations)
        ],
    }


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
) -> list[Overview]:
    """Each client's overview, those who need attention first, then by code."""
    found = []
    for client, summary in caseload(clients, by_client, instruments, etr_params):
        days = {a.day for a in by_client.get(client.code, [])}
        last_seen = max(days, default=None)
        since = None if last_seen is None else (today - date.fromisoformat(last_seen)).days
        found.append(Overview(client, summary, len(days), last_seen, since, attention(summary)))
    return sorted(found, key=lambda o: -o.attention)
