"""A demo database of clearly fictional clients whose histories show every status, flag and
pattern. Used by ``fittui demo``, the tests and the screenshot script; dates are counted
back from a given day so the same day always gives the same database. The clients and
their sessions are data, in ``demo.toml`` beside this module; one builder turns them into
administrations.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import tomllib
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, Instrument, load_instruments
from fittui.domain.model import Administration, Client, InputError
from fittui.storage.journal import StorageError, Tables, new_id, write_file_atomically
from fittui.storage.locations import DB_FILENAME, backups_dir, make_private_dir
from fittui.storage.store import Store

DEMO_MARKER = ".fittui-demo"
DEMO_CLIENTS = Path(__file__).with_name("demo.toml")


def _client_sessions(
    client: dict[str, Any], first: date, hour: int, instruments: dict[str, Instrument]
) -> list[Administration]:
    """One client's sessions, a week apart from ``first``, in the order they are rated:
    other raters' ORS, the symptom measures, the client's ORS, their SRS, others' SRS."""
    ors, srs = (instruments[k] for k in DEFAULTS_BY_AGE_GROUP[client["age_group"]])

    def rated(
        instrument: Instrument,
        when: str,
        scores: Sequence[float],
        rater: str = "client",
        note: str = "",
    ) -> Administration:
        items = {i.key: round(v * 10) for i, v in zip(instrument.items, scores)}
        return Administration(new_id(), client["code"], instrument.key, when, items, rater, note)

    found = []
    for week, session in enumerate(client["session"]):
        day = (first + timedelta(weeks=week)).isoformat()
        start, end = f"{day}T{hour:02d}:00", f"{day}T{hour:02d}:50"
        others = session.get("others", [])
        found += [rated(ors, start, o["ors"], o["rater"]) for o in others if "ors" in o]
        for key, name in (("phq9", "PHQ-9"), ("gad7", "GAD-7")):
            if key in session:
                found.append(rated(instruments[name], start, session[key]))
        found.append(rated(ors, start, session["ors"]))
        if "srs" in session:
            found.append(rated(srs, end, session["srs"], note=session.get("note", "")))
        found += [rated(srs, end, o["srs"], o["rater"]) for o in others if "srs" in o]
    return found


def demo_records(today: date) -> tuple[list[Client], list[Administration]]:
    """The demo clients (``demo.toml``) and their administrations, the last session a few
    days before today; a client who rates the PHQ-9 and GAD-7 starts sessions with them."""
    instruments = load_instruments()
    clients, administrations = [], []
    for n, client in enumerate(tomllib.loads(DEMO_CLIENTS.read_text(encoding="utf-8"))["client"]):
        archived = client.get("archived", False)
        sessions = client["session"]
        session_set = ("PHQ-9", "GAD-7", DEFAULTS_BY_AGE_GROUP[client["age_group"]][0])
        rates_symptoms = any("phq9" in s for s in sessions)
        clients.append(
            Client(
                client["code"],
                client["age_group"],
                client["label"],
                archived,
                session_set if rates_symptoms else (),
            )
        )
        first = today - timedelta(weeks=len(sessions), days=n % 5 + 1 + (60 if archived else 0))
        administrations += _client_sessions(client, first, 9 + n % 8, instruments)
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


def _demo_tables(today: date) -> Tables:
    """The demo database's tables, as a store saves them: built in a folder of their own, so
    that the demo's folder changes only in one step, under the write lock."""
    clients, administrations = demo_records(today)
    with tempfile.TemporaryDirectory(prefix="fittui-demo-") as scratch:
        store = Store(Path(scratch) / DB_FILENAME)
        try:
            store.import_batch(clients, administrations)
            return store.storage.read()
        finally:
            store.close()


def make_demo_database(folder: Path, today: date) -> Path:
    """Build the demo database in ``folder``, or rebuild the demo's own, unchanged one.

    Replaces nothing but the demo's own database (``backups/`` is never touched); any other
    database in the folder is refused by :func:`check_demo_folder`. The check is made again,
    and the new database installed whole, under the write lock every save takes: a rating
    saved meanwhile either came first, and the demo refuses the changed database, or waits
    until the rebuild is done and lands in it.
    """
    check_demo_folder(folder)  # refused before anything is written
    path = folder / DB_FILENAME
    make_private_dir(folder)
    tables = _demo_tables(today)
    storage = Store(path).storage
    try:
        with storage.exclusive():
            check_demo_folder(folder)
            storage.install(tables)
            marker = {"made_by": "fittui demo", "contents": _fingerprint(path)}
            write_file_atomically(folder / DEMO_MARKER, json.dumps(marker).encode() + b"\n")
    except OSError as exc:
        raise StorageError(f"could not write the demo database in {folder}: {exc}") from None
    finally:
        storage.close()
    return path
