"""The caseload report and a client's history as plain data, shared by the CLI and the app.

The report's table is made here too, to fit an 80-column terminal: a compact default with
the columns a therapist reads first, and a wide form with everything.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from typing import Any

from fittui.domain.display import signed
from fittui.domain.episodes import DEFAULT_GAP_DAYS, Episode, EpisodeEvent, current_ratings
from fittui.domain.etr import ZONE_WORDS, Parameters
from fittui.domain.flags import FLAGS, describe_flag, flag_base, rater_mark
from fittui.domain.frozen import Frozen
from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.model import Administration, Client, correction_fields, replaced_ratings
from fittui.domain.scoring import (
    Progress,
    RaterSummary,
    Summary,
    attention,
    chronological,
    progress_totals,
    summarize,
)

WIDTH = 80


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


def _scale(progress: Progress | None) -> str | None:
    """The instrument of a series' latest rating (ORS, CORS, YCORS); None before the first."""
    return progress.latest.instrument if progress else None


def _progress_json(progress: Progress | None) -> dict[str, float | None]:
    """A series' first and latest totals and the change between them; null before the first."""
    first, last, change = progress_totals(progress)
    return {"ors_first": number(first), "ors_last": number(last), "ors_change": number(change)}


def _rater_row(rater: RaterSummary) -> dict:
    return {
        "rater": rater.rater,
        "ors_instrument": _scale(rater.progress),
        **_progress_json(rater.progress),
        "status": rater.status,
        "srs_last": number(rater.srs[-1].total if rater.srs else None),
        "flags": list(rater.flags),
    }


def _symptom_change(
    summary: Summary, key: str, instruments: dict[str, Instrument] | None
) -> dict[str, bool | None]:
    """Reliable improvement, recovery and reliable recovery of one Likert instrument over
    the episode (NHS Talking Therapies rules); null without two ratings."""
    # Here, not at the top: the outcome summary's module is large, and a client's history
    # (which imports this module) never needs it.
    from fittui.domain.outcomes import symptom_change

    found = summary.symptoms.get(key)
    instrument = (instruments or {}).get(key)
    change = symptom_change(found.ratings, instrument) if found and instrument else None
    return {
        "reliable_improvement": change.reliable_improvement if change else None,
        "recovery": change.recovery if change and change.case_at_start else None,
        "reliable_recovery": change.reliable_recovery if change and change.case_at_start else None,
    }


def episode_json(episode: Episode | None) -> dict | None:
    """The episode a report row describes: number, start, end and reason (null while open)."""
    if episode is None:
        return None
    return {
        "number": episode.number,
        "start": episode.start,
        "end": episode.end,
        "reason": episode.reason,
        "sessions": episode.sessions,
    }


def report_row(
    client: Client,
    summary: Summary,
    episode: Episode | None = None,
    instruments: dict[str, Instrument] | None = None,
) -> dict:
    """One client's line of ``fittui report --json``: the current episode's figures.

    ``flags`` holds every flag, a collateral rater's named with the rater
    ("srs_below_cutoff:partner"); ``raters`` each collateral rater's own course;
    ``missing_srs`` the number of ORS sessions without an SRS.
    """
    phq9_last, phq9_band = _symptom(summary, "PHQ-9")
    gad7_last, gad7_band = _symptom(summary, "GAD-7")
    phq9_change = _symptom_change(summary, "PHQ-9", instruments)
    gad7_change = _symptom_change(summary, "GAD-7", instruments)
    return {
        "client": client.code,
        "age_group": client.age_group,
        "ors_count": len(summary.ors),
        **_progress_json(summary.progress),
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
        "ors_instrument": _scale(summary.progress),
        "srs_instrument": summary.srs[-1].instrument if summary.srs else None,
        "gsrs_last": number(summary.gsrs[-1].total if summary.gsrs else None),
        "split_alliance": "split_alliance" in summary.flags,
        "missing_srs": len(summary.missing_srs),
        "raters": [_rater_row(r) for r in summary.raters],
        "linked": list(client.linked),
        **{f"phq9_{key}": value for key, value in phq9_change.items()},
        **{f"gad7_{key}": value for key, value in gad7_change.items()},
        "episode": episode_json(episode),
    }


def linked_ratings(
    client: Client, by_client: dict[str, list[Administration]]
) -> list[Administration]:
    """The ratings of the clients linked with this one as a case (for the split alliance)."""
    return [a for code in client.linked for a in by_client.get(code, [])]


def caseload(
    clients: list[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    etr_params: Parameters | None = None,
) -> list[tuple[Client, Summary]]:
    """Every client with the scoring rules' summary of the current episode, by code.

    ``etr_params``: the expected-treatment-response model in use (default: fittui's own).
    """
    return [(c, s) for c, _, s in episode_caseload(clients, by_client, instruments, etr_params)]


def episode_caseload(
    clients: list[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    etr_params: Parameters | None = None,
    events_by_client: dict[str, list[EpisodeEvent]] | None = None,
    gap_days: int = DEFAULT_GAP_DAYS,
    today: date | None = None,
) -> list[tuple[Client, Episode | None, Summary]]:
    """Every client, by code, with the current episode of care and its summary."""
    found = []
    for c in sorted(clients, key=lambda c: c.code):
        events = (events_by_client or {}).get(c.code, [])
        every = by_client.get(c.code, [])
        episodes, ratings = current_ratings(every, events, gap_days, today)
        summary = summarize(
            c,
            ratings,
            instruments,
            etr_params=etr_params,
            linked=linked_ratings(c, by_client),
            today=today,
            every_episode=every,
        )
        found.append((c, episodes[-1] if episodes else None, summary))
    return found


def history_json(
    client: Client, administrations: list[Administration], summary: Summary | None = None
) -> dict:
    """``fittui history --json``: every administration (``administrations`` in entry
    order) in date order, a voided one with ``"voided": {"reason", "at"}``, one a later
    rating of its day replaced with ``"replaced": true`` and a corrected one with its
    ``"corrections"``; with the client's ``summary``, also the risk alerts, the flags and
    the patterns, as the app shows them."""
    replaced = replaced_ratings(administrations)
    found: dict = {}
    if summary is not None:
        found = {
            "alerts": [
                {
                    "flag": alert.rule.flag,
                    "instrument": alert.instrument.key,
                    "item": alert.number,
                    "answer": alert.answer,
                    "date": alert.administration.date,
                    "rater": alert.administration.rater,
                    "text": alert.headline,
                    "what_to_do": alert.rule.message,
                }
                for alert in summary.alerts
            ],
            "flags": list(summary.flags),
            "patterns": [
                {"key": p.key, "title": p.title, "detail": p.detail, "questions": list(p.questions)}
                for p in summary.patterns
            ],
            "warnings": list(summary.warnings),
        }
    return {
        "client": client.code,
        **found,
        "administrations": [
            _history_entry(a, a.id in replaced) for a in chronological(administrations)
        ],
    }


def _history_entry(a: Administration, replaced: bool) -> dict[str, Any]:
    return {
        "id": a.id,
        "date": a.date,
        "instrument": a.instrument,
        "rater": a.rater,
        "mode": a.mode,
        "items": {k: number(v) for k, v in a.items.items()},
        "total": number(a.total),
        "note": a.note,
        **correction_fields(a),
        **({"replaced": True} if replaced else {}),
    }


class Overview(Frozen):
    """One client as the client list and the caseload show them."""

    __slots__ = ("client", "summary", "sessions", "last_seen", "days_since", "attention")
    client: Client
    summary: Summary
    sessions: int  # days with any rating in the current episode: its sessions so far
    last_seen: str | None  # the latest of those days
    days_since: int | None  # days from last_seen to today
    attention: int  # scoring.attention: who to look at first

    def __init__(
        self,
        client: Client,
        summary: Summary,
        sessions: int,
        last_seen: str | None,
        days_since: int | None,
        attention: int,
    ) -> None:
        self._fill(client, summary, sessions, last_seen, days_since, attention)


def overviews(
    clients: list[Client],
    by_client: dict[str, list[Administration]],
    instruments: dict[str, Instrument],
    today: date,
    etr_params: Parameters | None = None,
    cache: dict[str, tuple[tuple, Overview]] | None = None,
    events_by_client: dict[str, list[EpisodeEvent]] | None = None,
    gap_days: int = DEFAULT_GAP_DAYS,
) -> list[Overview]:
    """Each client's overview, those who need attention first, then by code.

    With a ``cache`` (a dict the caller keeps between calls), a client whose record and
    ratings are unchanged is not scored again: a save from another process then costs
    one client's scoring, not the whole caseload's.
    """
    found = []
    for client in sorted(clients, key=lambda c: c.code):
        mine = by_client.get(client.code, [])
        linked = linked_ratings(client, by_client)
        events = tuple((events_by_client or {}).get(client.code, ()))
        # A rating kept as a session of its own keeps its id, date and note.
        rated = tuple((a.id, a.date, a.note, a.own_session) for a in (*mine, *linked))
        key = (client, rated, events, today, etr_params, gap_days)
        cached = cache.get(client.code) if cache is not None else None
        if cached is not None and cached[0] == key:
            found.append(cached[1])
            continue
        episodes, ratings = current_ratings(mine, events, gap_days, today)
        summary = summarize(
            client,
            ratings,
            instruments,
            etr_params=etr_params,
            linked=linked,
            today=today,
            every_episode=mine,
        )
        last_seen = max((a.day for a in mine), default=None)
        since = None if last_seen is None else (today - date.fromisoformat(last_seen)).days
        sessions = episodes[-1].sessions if episodes else 0
        overview = Overview(client, summary, sessions, last_seen, since, attention(summary))
        if cache is not None:
            cache[client.code] = (key, overview)
        found.append(overview)
    return sorted(found, key=lambda o: -o.attention)


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False) or [""]


def findings_lines(summary: Summary, instruments: dict[str, Instrument]) -> list[str]:
    """What to look at, as plain lines of at most 80 characters: the risk alerts first,
    then warnings, flags, split alliances, collateral raters' course and the patterns with
    their questions (``fittui history``)."""
    lines: list[str] = []
    for alert in summary.alerts:
        lines += _wrap(f"⚠ {alert.headline} {alert.rule.message}", "  ")
    for warning in summary.warnings:
        lines += _wrap(f"! {warning}", "  ")
    alerted = {alert.rule.flag for alert in summary.alerts}
    for flag in summary.flags:
        if flag not in alerted:
            symbol, words = describe_flag(flag)
            lines += _wrap(f"{symbol} {words}", "  ")
    for day, ratings in summary.alliances[-1:]:
        people = ", ".join(f"{a.client} {a.rater} {format_tenths(a.total)}" for a in ratings)
        lines += _wrap(f"⇆ Split alliance on {day}: {people}.", "  ")
    for rater in summary.raters:
        if (progress := rater.progress) is not None:
            lines += _wrap(
                f"{rater.rater.capitalize()}'s {progress.latest.instrument}: intake "
                f"{format_tenths(progress.intake.total)}, latest "
                f"{format_tenths(progress.latest.total)}, {rater.status} (not counted in the "
                "client's).",
                "  ",
            )
    for pattern in summary.patterns:
        lines += _wrap(f"{pattern.title}: {pattern.detail}", "  ")
        for question in pattern.questions:
            lines += _wrap(f"  → {question}", "    ")
    return lines


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], fit: bool = True) -> list[str]:
    """Columns padded to their widest cell. With ``fit`` the last column wraps under itself
    so no line is longer than 80 characters, between its words and never inside one (a
    flag cut in two reads as two flags); without it, as the wide report that is meant to
    run past 80 columns, each row stays on one line."""
    widths = [max(len(row[n]) for row in (headers, *rows)) for n in range(len(headers) - 1)]
    start = sum(widths) + 2 * len(widths)
    room = max(WIDTH - start, 12)
    lines = []
    for row in (headers, *rows):
        lead = "  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  "
        if not fit:
            lines.append((lead + row[-1]).rstrip())
            continue
        last = textwrap.wrap(row[-1], room, break_long_words=False, break_on_hyphens=False)
        last = last or [""]
        lines.append((lead + last[0]).rstrip())
        lines.extend((" " * start + more).rstrip() for more in last[1:])
    return lines


def _lowest_label(summary: Summary, instruments: dict[str, Instrument]) -> str:
    if not summary.srs or summary.lowest_srs_item is None:
        return "-"
    instrument = instruments.get(summary.srs[-1].instrument)
    return instrument.item(summary.lowest_srs_item).label if instrument else "-"


def _alert_lines(rows: list[tuple[Client, Summary]]) -> list[str]:
    """Every client's risk alerts, then a blank line; nothing without one."""
    lines: list[str] = []
    for client, summary in rows:
        for alert in summary.alerts:
            lines += _wrap(f"⚠ {client.code}: {alert.headline} {alert.rule.message}", "  ")
    return [*lines, ""] if lines else []


def _path(summary: Summary) -> str:
    return ZONE_WORDS[summary.etr_zone][0] if summary.etr_zone else "-"


def _progress_cells(progress: Progress | None) -> tuple[str, str, str, str]:
    """The scale, the intake, the latest total and the change as cells; "-" before a rating."""
    intake, latest, change = progress_totals(progress)
    return _scale(progress) or "-", format_tenths(intake), format_tenths(latest), signed(change)


def _cells(client: Client, s: Summary, instruments: dict[str, Instrument]) -> dict[str, str]:
    """Every cell of a client's row in the report, by column."""
    scale, intake, latest, change = _progress_cells(s.progress)
    return {
        "CLIENT": client.code,
        "AGE GROUP": client.age_group,
        "STATUS": s.status,
        "SCALE": scale,
        "ORS RATINGS": str(len(s.ors)),
        "INTAKE": intake,
        "LATEST": latest,
        "CHANGE": change,
        "SRS RATINGS": str(len(s.srs)),
        "LAST SRS": format_tenths(s.srs[-1].total if s.srs else None),
        "LOWEST SRS ITEM": _lowest_label(s, instruments),
        "GSRS": format_tenths(s.gsrs[-1].total if s.gsrs else None),
        "PHQ-9": _symptom_text(s, "PHQ-9"),
        "GAD-7": _symptom_text(s, "GAD-7"),
        "PATH": _path(s),
        "FLAGS": ", ".join(s.flags) or "-",
        "FLAG SYMBOLS": " ".join(describe_flag(f)[0] for f in s.flags) or "-",
    }


# The report's columns: each header, and the cell it shows. The wide form has every
# column, with flags by name; the compact one the columns a therapist reads first, fitting
# 80 columns, with flags as symbols.
WIDE_COLUMNS = {
    header: header
    for header in (
        "CLIENT", "AGE GROUP", "STATUS", "SCALE", "ORS RATINGS", "INTAKE", "LATEST",
        "CHANGE", "SRS RATINGS", "LAST SRS", "LOWEST SRS ITEM", "GSRS", "PHQ-9", "GAD-7",
        "PATH", "FLAGS",
    )
}  # fmt: skip
COMPACT_COLUMNS = {
    "CLIENT": "CLIENT", "STATUS": "STATUS", "SCALE": "SCALE", "LATEST": "LATEST",
    "CHANGE": "CHANGE", "SRS": "LAST SRS", "PATH": "PATH", "FLAGS": "FLAG SYMBOLS",
}  # fmt: skip


def _report_table(
    rows: list[tuple[Client, Summary]],
    instruments: dict[str, Instrument],
    columns: dict[str, str],
    fit: bool = True,
) -> list[str]:
    cells = [_cells(c, s, instruments) for c, s in rows]
    table = [[row[cell] for cell in columns.values()] for row in cells]
    return _table(list(columns), table, fit)


def _flag_key(rows: list[tuple[Client, Summary]]) -> list[str]:
    """The symbols of the flags in the table, in words, and the marks of the raters."""
    used = {flag_base(f) for _, s in rows for f in s.flags}
    if not used:
        return []
    raters = sorted({f.partition(":")[2] for _, s in rows for f in s.flags} - {""})
    order = [*(f for f in FLAGS if f in used), *sorted(used - FLAGS.keys())]
    key = "; ".join(" ".join(describe_flag(f)) for f in order)
    whose = ", ".join(f"({rater_mark(r)}) the {r}'s" for r in raters)
    return _wrap(f"Flags: {key}." + (f" A mark after a flag: {whose}." if whose else ""))


def report_lines(
    rows: list[tuple[Client, Summary]], instruments: dict[str, Instrument], wide: bool = False
) -> list[str]:
    """``fittui report``: the risk alerts, then one line per client.

    The compact table fits 80 columns: the scale the client rated (ORS, CORS, YCORS), the
    latest total on it and the change since intake, the latest session rating, the path
    and the flags as symbols, explained below the table. ``wide`` adds every column, with
    items by their labels, one line per client however long.
    """
    if wide:
        return _alert_lines(rows) + _report_table(rows, instruments, WIDE_COLUMNS, fit=False)
    return [
        *_alert_lines(rows),
        *_report_table(rows, instruments, COMPACT_COLUMNS),
        "",
        *_wrap(
            "LATEST: the latest total on SCALE; CHANGE: since intake; SRS: the latest session "
            "rating; PATH: against the expected path."
        ),
        *_flag_key(rows),
    ]


def _symptom_text(summary: Summary, key: str) -> str:
    total, band = _symptom(summary, key)
    return "-" if total is None else f"{total} {band or ''}".strip()
