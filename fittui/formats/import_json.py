"""Reading fittui's own JSON export (``fittui export --format json``) into an import plan.

Every record is checked field by field, and a problem is named by its path in the file,
e.g. ``administrations[3].items.socially``. Administrations and episode events keep their
ids; administrations keep their voided flag and their corrections, so exporting again
gives the same file. An export from before episodes has no ``episode_events``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fittui.domain.episodes import EpisodeEvent
from fittui.domain.instruments import Instrument, find_instrument
from fittui.domain.model import (
    CORRECTED_FIELDS,
    DEFAULT_MODE,
    DEFAULT_RATER,
    Administration,
    Client,
    Correction,
    Voided,
    check_age_group,
    check_code,
    parse_when,
)
from fittui.domain.outside import check_plain
from fittui.formats.csv_json import EXPORT_FORMAT
from fittui.formats.import_checks import (
    ID_PATTERN,
    Clients,
    ImportPlan,
    Instruments,
    Problems,
    check_moment,
    check_void_reason,
    client_language,
    common_fields,
    episode_event,
)
from fittui.storage.journal import SCHEMA_VERSION


def _refuse_constant(text: str) -> None:
    raise ValueError(f"{text} is not a number fittui can store")


def _load_json(text: str, p: Problems) -> object:
    first_line = text.lstrip().split("\n", 1)[0]
    try:
        head = json.loads(first_line)
    except (ValueError, RecursionError):
        head = None
    if isinstance(head, dict) and "fittui" in head and "records" in head:
        p.refuse(
            "this is a fittui database or backup, not an export; "
            "bring a backup back with 'fittui restore FILE'"
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        p.refuse(f"not valid JSON ({exc.msg}, column {exc.colno})", str(exc.lineno))
    except ValueError as exc:
        p.refuse(f"not valid JSON ({exc})")
    except RecursionError:
        p.refuse("not valid JSON (nested too deeply)")


def _json_document(text: str, p: Problems) -> dict[str, Any]:
    """The export's top level: its format, a schema this fittui reads, and lists of records."""
    data = _load_json(text, p)
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        p.refuse(f'not a fittui export (no "format": "{EXPORT_FORMAT}")')
    schema = data.get("schema")
    if type(schema) is not int or not 1 <= schema <= SCHEMA_VERSION:
        p.refuse(f"schema {schema!r} is not one this fittui reads (1 to {SCHEMA_VERSION})")
    required = {"format", "schema", "clients", "administrations"}
    if p.fields("the file", data, required, {"fittui", "episode_events"}):
        for part in ("clients", "administrations", "episode_events"):
            if not isinstance(data.get(part, []), list):
                p.add(part, "must be a list")
    p.stop_if_any()
    return data


def read_json(
    text: str, p: Problems, instruments: Instruments, known: Clients, today: date | None
) -> ImportPlan:
    """Check a whole ``fittui export --format json`` file and say what it would add.

    Administrations and episode events keep their ids (the store gives a new one only
    where the id is taken); administrations keep their voided flag and their corrections,
    so exporting again gives the same file. A rating or an episode event dated after
    ``today`` is an error. Raises ImportFailed with every problem.
    """
    data = _json_document(text, p)
    wanted: list[tuple[str, str, str]] = []
    in_file = _json_clients(p, data["clients"], instruments, known, wanted)
    plan = ImportPlan(new_clients=[c for code, c in in_file.items() if code not in known])
    plan.links = _json_links(p, wanted, in_file.keys() | known.keys())
    clients = in_file.keys() | known.keys()
    ids: set[str] = set()
    for n, record in enumerate(data["administrations"]):
        where = f"administrations[{n}]"
        rating = _json_administration(p, where, record, ids, instruments, clients, today)
        if rating is not None:
            plan.administrations.append(rating)
    ids = set()
    for n, record in enumerate(data.get("episode_events", [])):
        event = _json_event(p, f"episode_events[{n}]", record, ids, clients, today)
        if event is not None:
            plan.episode_events.append(event)
            plan.episode_places.append(f"episode_events[{n}].date")
    p.stop_if_any()
    return plan


def _json_id(p: Problems, where: str, value: object, ids: set[str]) -> str | None:
    """A record's id: 1-64 letters, digits, '-' or '_', used once in its list."""
    doc_id = p.text(where, value)
    if doc_id is None:
        return None
    if not ID_PATTERN.match(doc_id):
        p.add(where, "must be 1-64 letters, digits, '-' or '_'")
    elif doc_id in ids:
        p.add(where, f"id {doc_id} is used twice")
    ids.add(doc_id)
    return doc_id


def _json_clients(
    p: Problems,
    records: list[object],
    instruments: dict[str, Instrument],
    known: dict[str, Client],
    wanted: list[tuple[str, str, str]],
) -> dict[str, Client]:
    """The file's clients by code; a known client's age group must match the database's.

    Each code a client's ``linked`` names is added to ``wanted`` as (client, other, where),
    checked once every client is read (``_json_links``)."""
    in_file: dict[str, Client] = {}
    for n, record in enumerate(records):
        where = f"clients[{n}]"
        optional = {"label", "archived", "instruments", "language", "linked"}
        doc = p.fields(where, record, {"code", "age_group"}, optional)
        if doc is None:
            continue
        code = p.text(f"{where}.code", doc["code"], check_code)
        group = p.text(f"{where}.age_group", doc["age_group"], check_age_group)
        label = p.text(f"{where}.label", doc.get("label", ""), lambda t: check_plain(t, "label"))
        archived = doc.get("archived", False)
        if not isinstance(archived, bool):
            p.add(f"{where}.archived", "must be true or false")
        keys = _json_session_set(p, f"{where}.instruments", doc.get("instruments", []), instruments)
        language = p.text(f"{where}.language", doc.get("language", ""), client_language)
        if code is None or group is None or label is None or keys is None or language is None:
            continue
        linked = doc.get("linked", [])
        if not isinstance(linked, list):
            p.add(f"{where}.linked", "must be a list of client codes")
            linked = []
        for i, other in enumerate(linked):
            other_code = p.text(f"{where}.linked[{i}]", other, check_code)
            if other_code is not None:
                wanted.append((code, other_code, f"{where}.linked[{i}]"))
        if code in in_file:
            p.add(f"{where}.code", f"client {code} is listed twice")
            continue
        was = known.get(code)
        if was is not None and was.age_group != group:
            p.add(
                f"{where}.age_group",
                f"client {code} is {was.age_group} in the database, {group} in the file",
            )
        in_file[code] = Client(
            code, group, label.strip(), archived is True, keys, language=language
        )
    return in_file


def _json_links(
    p: Problems, wanted: list[tuple[str, str, str]], clients: set[str]
) -> list[tuple[str, str]]:
    """The pairs of clients to link, each once: both in the file or in the database."""
    pairs: dict[frozenset[str], tuple[str, str]] = {}
    for code, other, where in wanted:
        if other == code:
            p.add(where, f"client {code!r} cannot be linked with itself")
        elif other not in clients:
            p.add(where, f"unknown client {other!r} (not in clients nor in the database)")
        else:
            pairs.setdefault(frozenset((code, other)), (code, other))
    return list(pairs.values())


def _json_administration(
    p: Problems,
    where: str,
    record: object,
    ids: set[str],
    instruments: dict[str, Instrument],
    clients: set[str],
    today: date | None,
) -> Administration | None:
    """One administration as the export writes it; None with its problems noted."""
    doc = p.fields(
        where,
        record,
        {"id", "client", "instrument", "date", "items"},
        {"rater", "note", "voided", "corrections", "mode", "own_session"},
    )
    if doc is None:
        return None
    before = len(p.errors)
    doc_id = _json_id(p, f"{where}.id", doc["id"], ids)
    code = p.text(f"{where}.client", doc["client"])
    if code is not None and code not in clients:
        p.add(f"{where}.client", f"unknown client {code!r} (not in clients)")
    values = {"rater": DEFAULT_RATER, "note": "", "mode": DEFAULT_MODE, **doc}
    instrument, common = common_fields(
        p, lambda name: f"{where}.{name}", values, instruments, today
    )
    items = _json_items(p, f"{where}.items", doc["items"], instrument)
    voided = _json_voided(p, f"{where}.voided", doc.get("voided"))
    corrections = _json_corrections(p, f"{where}.corrections", doc.get("corrections", []))
    own = doc.get("own_session")
    own_session = None if own is None else p.text(f"{where}.own_session", own, check_moment)
    if len(p.errors) > before or doc_id is None or code is None or common is None:
        return None  # each None has its problem noted
    return common.rating(doc_id, code, items, voided, corrections, own_session)


def _json_event(
    p: Problems, where: str, record: object, ids: set[str], clients: set[str], today: date | None
) -> EpisodeEvent | None:
    """One episode start or end, ``{"id", "client", "kind", "date", "reason"}``."""
    doc = p.fields(where, record, {"client", "kind", "date"}, {"id", "reason"})
    if doc is None:
        return None
    doc_id = _json_id(p, f"{where}.id", doc["id"], ids) if "id" in doc else None
    reason = doc.get("reason")
    if reason is not None and not isinstance(reason, str):
        p.add(f"{where}.reason", "must be text or null")
        reason = None
    values = {**doc, "reason": reason}
    event = episode_event(p, lambda name: f"{where}.{name}", values, clients.__contains__, today)
    if event is None or doc_id is None:
        return event
    return EpisodeEvent(event.kind, event.date, event.reason, doc_id, event.client)


def _json_voided(p: Problems, where: str, record: object) -> Voided | None:
    """``{"reason": ..., "at": ...}`` of a voided rating; None when absent or wrong."""
    if record is None:
        return None
    doc = p.fields(where, record, {"reason", "at"}, set())
    if doc is None:
        return None
    reason = p.text(f"{where}.reason", doc["reason"], check_void_reason)
    at = p.text(f"{where}.at", doc["at"], check_moment)
    return None if reason is None or at is None else Voided(reason, at)


def _json_corrections(p: Problems, where: str, records: object) -> tuple[Correction, ...]:
    """A rating's corrections, each ``{"what", "old", "new", "at"}`` as the export writes it."""
    if not isinstance(records, list):
        p.add(where, "must be a list")
        return ()
    found = []
    for n, record in enumerate(records):
        doc = p.fields(f"{where}[{n}]", record, {"what", "old", "new", "at"}, set())
        if doc is None:
            continue
        what = p.text(f"{where}[{n}].what", doc["what"])
        at = p.text(f"{where}[{n}].at", doc["at"], check_moment)
        if what not in CORRECTED_FIELDS:
            if what is not None:
                p.add(f"{where}[{n}].what", f"must be one of {', '.join(CORRECTED_FIELDS)}")
            continue
        # The old and new values are a client code or a date, checked as such.
        value = check_code if what == "client" else parse_when
        old = p.text(f"{where}[{n}].old", doc["old"], value)
        new = p.text(f"{where}[{n}].new", doc["new"], value)
        if old is not None and new is not None and at is not None:
            found.append(Correction(what, old, new, at))
    return tuple(found)


def _json_session_set(
    p: Problems, where: str, keys: object, instruments: dict[str, Instrument]
) -> tuple[str, ...] | None:
    """A client's start-of-session instruments: a list of known keys, none twice; None with
    the problem noted otherwise."""
    if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
        p.add(where, 'must be a list of instrument keys, e.g. ["PHQ-9", "ORS"]')
        return None
    checked = [
        p.check(f"{where}[{n}]", lambda k: find_instrument(instruments, k).key, key)
        for n, key in enumerate(keys)
    ]
    found = tuple(key for key in checked if key is not None)
    if len(found) != len(checked):
        return None
    twice = [key for n, key in enumerate(found) if key in found[:n]]
    if twice:
        p.add(where, f"instrument {twice[0]} is named twice")
        return None
    return found


def _json_items(
    p: Problems, where: str, scores: object, instrument: Instrument | None
) -> dict[str, int]:
    """Item scores keyed by the instrument's item keys, every key present, in item order."""
    if not isinstance(scores, dict):
        p.add(where, "must be an object of item scores")
        return {}
    if instrument is None:
        return {}
    keys = [i.key for i in instrument.items]
    missing = [k for k in keys if k not in scores]
    unknown = sorted(set(scores) - set(keys))
    if missing:
        p.add(where, f"{instrument.key} needs {', '.join(missing)}")
    if unknown:
        p.add(where, f"{instrument.key} has no item {', '.join(unknown)}")
    items = {}
    for key in keys:
        value = scores.get(key)
        if key not in scores:
            continue
        if type(value) not in (int, float):
            p.add(f"{where}.{key}", "must be a number")
            continue
        score = p.check(f"{where}.{key}", instrument.parse_score, repr(value))
        if score is not None:
            items[key] = score
    return items
