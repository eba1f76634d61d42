"""The two formats that come back in with ``fittui import``: CSV and fittui's JSON.

* CSV is exactly what ``fittui import`` reads, so export, import into an empty database and
  export again gives the same file. Free text (notes, labels) that a spreadsheet would run
  as a formula gets a leading apostrophe, which import takes off again (see
  :func:`guard_formula`); every other cell is a code, a date or a non-negative number that
  cannot start a formula. The therapist's episode starts and ends follow the ratings in a
  section of their own (:data:`EPISODE_HEADER`), after a blank line.
* JSON holds everything, ids and entry order included, with the storage schema version.

Pure functions from clients, administrations and episode events to text; the CLI writes it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from fittui import __version__
from fittui.domain.display import score_format
from fittui.domain.episodes import EpisodeEvent
from fittui.domain.instruments import Instrument
from fittui.domain.model import Administration, Client
from fittui.domain.scoring import chronological
from fittui.storage.journal import SCHEMA_VERSION
from fittui.storage.store import administration_to_doc

EXPORT_FORMAT = "fittui-export"
CSV_FIRST = ("client", "age_group", "date", "instrument", "rater")
CSV_LAST = (
    "note",
    "label",
    "archived",
    "instruments",
    "voided",
    "voided_at",
    "mode",
    "language",
    "own_session",
)
# The header of the CSV's second section: one row per episode start or end.
EPISODE_HEADER = ("client", "episode", "date", "reason")
# What a spreadsheet takes as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def item_order(a: Administration, instruments: dict[str, Instrument]) -> list[str]:
    instrument = instruments.get(a.instrument)
    return [i.key for i in instrument.items] if instrument else list(a.items)


def score_text(a: Administration, tenths: int, instruments: dict[str, Instrument]) -> str:
    """A score as its instrument is read: '7.5' on a line, '2' on the PHQ-9 or GAD-7."""
    return score_format(a, instruments)(tenths)


def export_csv(
    clients: Iterable[Client],
    administrations: Iterable[Administration],
    instruments: dict[str, Instrument],
    episode_events: Iterable[EpisodeEvent] = (),
) -> str:
    """The administrations as import CSV: by client code, then in clinical order.

    Rows of one date keep their entry order, and import keeps file order, so a round trip
    keeps the tie-break. Surrounding spaces of notes and labels are not kept (import strips
    every cell); a client with no administrations has no row. The client's label, archived
    state and start-of-session instruments are repeated on each of the client's rows. A
    voided rating has its reason and time in columns ``voided`` and ``voided_at``.

    The episode starts and ends of the clients with rows follow in their own section (see
    :func:`episode_rows`); a file with none has no such section.
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
        writer.writerow(_csv_row(a, by_code[a.client], width, instruments))
    events = episode_rows(episode_events, {a.client for a in rows})
    if events:
        writer.writerows([[], EPISODE_HEADER, *events])
    return out.getvalue()


def _csv_row(
    a: Administration, client: Client, width: int, instruments: dict[str, Instrument]
) -> list[str]:
    """One rating as a CSV row ``width`` item columns wide, with its client's fields."""
    scores = [score_text(a, a.items[k], instruments) for k in item_order(a, instruments)]
    return [
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
        client.language,
        # When the therapist kept it as a session of its own beside an earlier rating
        # of the day (``model.one_per_session``); blank for every other rating.
        a.own_session or "",
    ]


def episode_rows(events: Iterable[EpisodeEvent], codes: set[str]) -> list[list[str]]:
    """The episode section's rows: ``client,episode,date,reason`` (``start`` or ``end``, the
    reason of an end), by client code and then in entry order, which breaks ties between
    events of one day. Only clients in ``codes`` (those with a rating row): the CSV names a
    client only on its ratings, so an event of any other client could not come back in."""
    kept = sorted((e for e in events if e.client in codes), key=lambda e: e.client)
    return [[e.client, e.kind, e.date, e.reason or ""] for e in kept]


def export_data(
    clients: Iterable[Client],
    administrations: Iterable[Administration],
    episode_events: Iterable[EpisodeEvent] = (),
) -> dict[str, Any]:
    """Everything, as ``fittui import`` reads it back: clients by code (with the codes they
    are linked with, of the clients exported), administrations in entry order (the
    tie-break between ratings of one date) with their ids, and the therapist's episode
    starts and ends in entry order with theirs (of these clients)."""
    listed = sorted(clients, key=lambda c: c.code)
    codes = {c.code for c in listed}
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
                **({"language": c.language} if c.language else {}),
                # Only links within the export: a one-client file must not name the
                # others, and import refuses a link to a client it cannot find.
                **({"linked": linked} if (linked := [k for k in c.linked if k in codes]) else {}),
            }
            for c in listed
        ],
        "administrations": [{"id": a.id, **administration_to_doc(a)} for a in administrations],
        "episode_events": [
            {"id": e.id, "client": e.client, "kind": e.kind, "date": e.date, "reason": e.reason}
            for e in episode_events
            if e.client in codes
        ],
    }


def export_json(
    clients: Iterable[Client],
    administrations: Iterable[Administration],
    episode_events: Iterable[EpisodeEvent] = (),
) -> str:
    """:func:`export_data` as indented JSON text, non-ASCII letters kept as they are."""
    data = export_data(clients, administrations, episode_events)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
