"""A demo database of clearly fictional clients whose histories show every status, flag and
pattern. Used by ``fittui demo``, the tests and the screenshot script; dates are counted
back from a given day so the same day always gives the same database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import orjson

from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, Instrument, load_instruments
from fittui.domain.model import Administration, Client, InputError
from fittui.storage.journal import StorageError, new_id, write_file_atomically
from fittui.storage.locations import DB_FILENAME, backups_dir, make_private_dir
from fittui.storage.store import Store

DEMO_MARKER = ".fittui-demo"

# code, age group, label, archived, sessions: one (ORS items, SRS items, note) per week;
# None where that instrument was not given. Extra raters: (session, rater, family, items).
_CLIENTS: list[tuple] = [
    (
        "D01",
        "adult",
        "Fictional: recovering",
        False,
        [
            ((4.1, 4.5, 5.0, 4.6), (9.3, 9.4, 9.2, 9.6), "Came in low after a breakup."),
            ((5.2, 5.0, 6.1, 5.7), (9.5, 9.4, 9.5, 9.6), ""),
            ((6.5, 6.2, 7.0, 6.8), (9.6, 9.5, 9.7, 9.4), ""),
            ((7.4, 7.0, 7.5, 7.2), (9.5, 9.7, 9.6, 9.5), "Back at work, sleeping better."),
        ],
        [],
    ),
    (
        "D02",
        "adult",
        "Fictional: improving, alliance dip",
        False,
        [
            ((6.5, 6.2, 6.8, 6.5), (9.4, 9.6, 9.5, 9.7), ""),
            ((7.5, 7.4, 7.8, 7.6), (9.6, 9.5, 9.6, 9.5), ""),
            ((8.0, 7.8, 8.1, 7.9), (9.2, 9.1, 8.9, 9.2), "Said we went too fast today."),
        ],
        [],
    ),
    (
        "D03",
        "adult",
        "Fictional: flat progress",
        False,
        [
            ((4.8, 4.6, 5.0, 4.6), (9.3, 9.2, 9.4, 9.3), ""),
            ((5.0, 5.1, 4.9, 5.1), (9.4, 9.3, 9.2, 9.4), ""),
            ((4.7, 4.6, 4.8, 4.6), (9.5, 9.3, 9.3, 9.4), ""),
            ((5.0, 4.9, 5.1, 4.8), (9.4, 9.5, 9.4, 9.3), ""),
            ((5.2, 5.0, 5.3, 5.0), (9.3, 9.4, 9.5, 9.4), "Likes coming, little change at home."),
        ],
        [],
    ),
    (
        "D04",
        "adult",
        "Fictional: declining",
        False,
        [
            ((6.0, 6.1, 5.9, 6.0), (9.2, 9.3, 9.4, 9.1), ""),
            ((5.4, 5.2, 5.3, 5.1), (9.5, 9.5, 9.3, 9.5), ""),
            ((4.5, 4.3, 4.4, 4.3), (9.4, 9.6, 9.5, 9.4), "Mother in hospital this week."),
        ],
        [],
    ),
    (
        "D05",
        "adolescent",
        "Fictional: always at the ceiling",
        False,
        [
            ((6.0, 5.8, 6.2, 6.0), (9.9, 10.0, 9.8, 9.9), ""),
            ((6.3, 6.1, 6.5, 6.2), (10.0, 9.9, 10.0, 9.9), ""),
            ((6.6, 6.3, 6.7, 6.5), (9.9, 10.0, 9.9, 10.0), ""),
        ],
        [],
    ),
    (
        "D06",
        "adult",
        "Fictional: session did not fit",
        False,
        [
            ((5.5, 5.0, 5.2, 5.3), (9.0, 9.1, 9.2, 9.0), ""),
            (
                (5.8, 5.6, 5.5, 5.7),
                (8.8, 8.2, 5.0, 8.3),
                "Felt too structured; wants more open time.",
            ),
        ],
        [],
    ),
    (
        "D07",
        "child",
        "Fictional: child, parent also rates",
        False,
        [
            ((6.5, 6.0, 7.0, 7.5), (9.5, 9.6, 9.4, 9.7), ""),
            ((7.5, 7.5, 8.0, 8.0), (9.6, 9.7, 9.5, 9.6), ""),
            ((8.5, 8.0, 8.5, 8.5), (9.8, 9.6, 9.7, 9.8), "School going better."),
        ],
        [(0, "parent", "ors", (5.0, 4.5, 5.5, 5.0)), (2, "parent", "ors", (7.0, 6.5, 7.0, 7.5))],
    ),
    (
        "D08",
        "young_child",
        "Fictional: young child, first visit",
        False,
        [
            ((3.5,), (8.0,), ""),
        ],
        [],
    ),
    (
        "D09",
        "adult",
        "Fictional: couple, split alliance",
        False,
        [
            ((5.5, 5.0, 6.0, 5.5), (9.5, 9.6, 9.4, 9.5), ""),
            ((5.8, 5.2, 6.1, 5.6), (9.6, 9.5, 9.7, 9.4), "Partner felt unheard today."),
        ],
        [(0, "partner", "ors", (4.0, 3.5, 5.0, 4.0)), (1, "partner", "srs", (8.0, 7.0, 7.5, 8.0))],
    ),
    (
        "D10",
        "adult",
        "Fictional: new client",
        False,
        [
            ((3.9, 4.2, 5.5, 4.4), None, ""),
        ],
        [],
    ),
    (
        "D11",
        "adult",
        "Fictional: finished, archived",
        True,
        [
            ((5.0, 5.5, 6.0, 5.5), (9.5, 9.5, 9.5, 9.5), ""),
            ((8.0, 8.1, 8.4, 8.0), (9.6, 9.7, 9.6, 9.8), "Ended by agreement."),
        ],
        [],
    ),
]


# Symptom measures a client rates at the start of each session, before the ORS: one
# (PHQ-9 answers, GAD-7 answers) per session. D04's worsening shows the bands rising and,
# in the last session, PHQ-9 item 9 answered "Several days", which leads every screen.
_SYMPTOMS: dict[str, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {
    "D04": [
        ((1, 1, 1, 1, 0, 1, 0, 0, 0), (1, 1, 1, 1, 0, 1, 0)),
        ((2, 1, 1, 1, 1, 1, 1, 0, 0), (2, 1, 2, 1, 1, 1, 1)),
        ((2, 2, 2, 2, 1, 2, 1, 1, 1), (2, 2, 2, 1, 1, 2, 1)),
    ],
}


def demo_records(today: date) -> tuple[list[Client], list[Administration]]:
    """The demo clients and their administrations, the last session a few days before today."""
    instruments = load_instruments()
    clients, administrations = [], []
    for n, (code, group, label, archived, sessions, extra) in enumerate(_CLIENTS):
        ors, srs = (instruments[k] for k in DEFAULTS_BY_AGE_GROUP[group])
        symptoms = _SYMPTOMS.get(code, [])
        session_set = ("PHQ-9", "GAD-7", ors.key) if symptoms else ()
        clients.append(Client(code, group, label, archived, session_set))
        first = today - timedelta(weeks=len(sessions), days=n % 5 + 1 + (60 if archived else 0))

        def rated(
            instrument: Instrument,
            when: str,
            scores: Sequence[float],
            rater: str = "client",
            note: str = "",
            code: str = code,
        ) -> Administration:
            keys = [i.key for i in instrument.items]
            items = {k: round(v * 10) for k, v in zip(keys, scores)}
            return Administration(new_id(), code, instrument.key, when, items, rater, note)

        for s, (ors_items, srs_items, note) in enumerate(sessions):
            day = (first + timedelta(weeks=s)).isoformat()
            start, end = f"{day}T{9 + n % 8:02d}:00", f"{day}T{9 + n % 8:02d}:50"
            others = [(rater, family, items) for when, rater, family, items in extra if when == s]
            # Collateral ORS come before the client's, their SRS after: as in the room.
            administrations += [rated(ors, start, i, r) for r, f, i in others if f == "ors"]
            if symptoms:
                phq9, gad7 = symptoms[s]
                administrations.append(rated(instruments["PHQ-9"], start, phq9))
                administrations.append(rated(instruments["GAD-7"], start, gad7))
            administrations.append(rated(ors, start, ors_items))
            if srs_items:
                administrations.append(rated(srs, end, srs_items, note=note))
            administrations += [rated(srs, end, i, r) for r, f, i in others if f == "srs"]
    return clients, administrations


class NotADemo(InputError):
    """The folder holds a database the demo did not make, or one changed since: left alone."""


def _fingerprint(path: Path) -> str:
    """A digest of every record in the database: any save since the demo was made changes it."""
    tables = Store(path, read_only=True).storage.read()
    return hashlib.sha256(orjson.dumps(tables, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _made_by_demo(folder: Path) -> str | None:
    """The fingerprint the demo wrote in its marker, or None when there is no readable one."""
    try:
        marker = json.loads((folder / DEMO_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    made = marker.get("contents") if isinstance(marker, dict) else None
    return made if isinstance(made, str) else None


def check_demo_folder(folder: Path) -> None:
    """Refuse a folder holding a fittui database in any form the demo did not make as it is.

    A snapshot, a journal (where every young database lives), a lock file with something
    in it, or a ``backups/`` folder with anything in it all count as a database. The demo
    rebuilds only its own database, unchanged since it made it (the marker holds a digest
    of its records); a therapist's first real ratings typed into the demo are never erased.
    """
    path = folder / DB_FILENAME
    journal = path.with_name(path.name + ".journal")
    lock = path.with_name(path.name + ".lock")
    backups = backups_dir(path)
    kept = f"open it with: fittui --db {path}; for a new demo choose another folder: "
    kept += "fittui demo --path DIR"
    if backups.is_dir() and any(backups.iterdir()) and not (path.exists() or journal.exists()):
        raise NotADemo(f"{folder} holds fittui backups in {backups}; the demo leaves it alone")
    if lock.exists() and lock.stat().st_size > 0 and not (path.exists() or journal.exists()):
        raise NotADemo(f"{folder} holds a fittui lock file with data; the demo leaves it alone")
    if not (path.exists() or journal.exists()):
        return
    made = _made_by_demo(folder)
    if made is None:
        raise NotADemo(f"{folder} holds a fittui database the demo did not make; {kept}")
    try:
        now = _fingerprint(path)
    except StorageError as exc:
        raise NotADemo(f"{folder}: {exc}; the demo leaves it alone") from None
    if now != made:
        raise NotADemo(
            f"the demo database in {folder} has changed since the demo made it, so the demo "
            f"leaves it alone; {kept}"
        )


def make_demo_database(folder: Path, today: date) -> Path:
    """Build the demo database in ``folder``, or rebuild the demo's own, unchanged one.

    Deletes nothing but the demo's own snapshot and journal (``backups/`` is never
    touched); any other database in the folder is refused by :func:`check_demo_folder`.
    """
    check_demo_folder(folder)
    path = folder / DB_FILENAME
    make_private_dir(folder)
    for old in (path, path.with_name(path.name + ".journal")):
        old.unlink(missing_ok=True)
    clients, administrations = demo_records(today)
    store = Store(path)
    store.import_batch(clients, administrations)
    marker = {"made_by": "fittui demo", "contents": _fingerprint(path)}
    write_file_atomically(folder / DEMO_MARKER, json.dumps(marker).encode() + b"\n")
    return path
