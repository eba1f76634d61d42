"""The caseload report and a client's history as plain data, shared by the CLI and the app."""

from __future__ import annotations

from fittui.instruments import Instrument
from fittui.model import Administration, Client
from fittui.scoring import Summary, chronological, summarize


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
        "phq9_last": phq9_last,
        "phq9_band": phq9_band,
        "gad7_last": gad7_last,
        "gad7_band": gad7_band,
    }


def caseload(
    clients: list[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
) -> list[tuple[Client, Summary]]:
    """Every client with the scoring rules' summary, sorted by code."""
    return [
        (c, summarize(c, by_client.get(c.code, []), instruments))
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
