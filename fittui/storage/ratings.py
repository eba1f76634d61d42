"""Administrations as stored and as the app knows them, and the one rule for saving them.

Apart from ``store.py`` so that ``fittui record``, which saves one rating and reads one
client's, opens the database (``open_database``) and saves through the same rule as the
app (``save_administrations``) without loading the rest of the store: a fresh process
pays for every module it compiles, and a rating is saved often.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fittui.domain.model import (
    DEFAULT_MODE,
    Administration,
    Correction,
    InputError,
    Voided,
    check_not_future,
    correction_fields,
)
from fittui.domain.outside import check_note, shown, shown_note
from fittui.storage.append import administration_doc
from fittui.storage.database import Database
from fittui.storage.records import ADMINISTRATIONS, RecordChecks

if TYPE_CHECKING:
    from fittui.domain.instruments import Instrument


class UnknownClient(InputError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown client {code!r} (see 'fittui clients')")


def open_database(
    path: Path, read_only: bool = False, instruments: Mapping[str, Instrument] | None = None
) -> Database:
    """TinyDB on the journal at ``path``, every record read checked (``RecordChecks``)
    against ``instruments`` (by default the built-in ones and the user's files)."""
    return Database(path, read_only=read_only, validate=RecordChecks(instruments))


def administration_from_doc(doc_id: str, doc: dict) -> Administration:
    voided = doc.get("voided")
    return Administration(
        id=doc_id,
        client=doc["client"],
        instrument=doc["instrument"],
        date=doc["date"],
        items={k: round(v * 10) for k, v in doc["items"].items()},
        rater=doc.get("rater", "client"),
        note=shown_note(doc.get("note", "")),
        voided=None if voided is None else Voided(shown(voided["reason"]), voided["at"]),
        corrections=tuple(
            Correction(c["what"], shown(c["old"]), shown(c["new"]), c["at"])
            for c in doc.get("corrections", ())
        ),
        mode=doc.get("mode", DEFAULT_MODE),
        own_session=doc.get("own_session"),
    )


def administration_to_doc(a: Administration) -> dict:
    """The stored shape; ``voided`` and ``corrections`` only where there are some, so a
    rating never corrected is written as it always was."""
    doc = administration_doc(a.client, a.instrument, a.date, a.rater, a.items, a.note, a.mode)
    return {**doc, **correction_fields(a)}


def counted(docs: Mapping[str, dict[str, Any]]) -> list[Administration]:
    """The ratings that count (none voided) among these records, in their order."""
    return [
        administration_from_doc(doc_id, doc) for doc_id, doc in docs.items() if "voided" not in doc
    ]


def save_administrations(
    db: Database, administrations: Iterable[Administration]
) -> list[Administration]:
    """Save several administrations as one transaction: all of them, or none. Each one's
    client must exist, and a rating dated after today is refused."""
    batch = list(administrations)
    for a in batch:
        check_note(a.note)
    table = db.table(ADMINISTRATIONS)
    with db.storage.transaction():
        for a in batch:
            if not db.storage.has_client(a.client):
                raise UnknownClient(a.client)
            check_not_future(a.date)
        table.insert_multiple(table.keyed(administration_to_doc(a), a.id) for a in batch)
    return batch
