"""What a sound record is: the checks every record read from disk passes, as strict as a save.

Why a table: the journal and the snapshot are plain text a person, a bug or another program
can change, and a record the app trusts (an ORS of 120, a date that is not a date, a score
of thirty digits) turns into a wrong clinical picture or a crash far from its cause. So
the storage runs these checks on every record it reads and refuses the database, naming
the file, the line and the field, rather than show something wrong.

Each table's fields are one entry each in ``FIELDS``: the types the value may have, whether
the field must be there, and, when a type is not enough, a function saying what is wrong
with the value. Adding a field is adding one line, e.g. ``"voided": Field(_FLAG)``. Fields
not listed are allowed, so a record with a field a newer fittui added still reads. A
table's checks that need the whole record (a client's code is its key, an administration's
scores fit its instrument) are in ``RECORD_CHECKS``, and checks between records (every
rating's client exists) in :meth:`RecordChecks.links`.

The checks run on every record at open, so they compare exact types (orjson makes nothing
else), and remember the strings already found sound (dates and raters repeat).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fittui.instruments import AGE_GROUPS, Instrument
from fittui.model import CODE_PATTERN, RATER_PATTERN

CLIENTS = "clients"
ADMINISTRATIONS = "administrations"
# A score of an instrument this fittui does not know (its TOML file is gone) is still held
# to one decimal and to this many points either way.
UNKNOWN_INSTRUMENT_LIMIT = 100

ValueCheck = Callable[[Any], str | None]


@dataclass(frozen=True)
class Field:
    """One field of a record: its allowed types, whether it must be there, and a check
    of the value once its type is right (None when the type says enough)."""

    types: frozenset[type]
    required: bool = False
    check: ValueCheck | None = None


_TEXT = frozenset({str})
_FLAG = frozenset({bool})
_LIST = frozenset({list})
_RECORD = frozenset({dict})
_NUMBER = frozenset({int, float})


def _remembered(check: Callable[[str], str | None]) -> ValueCheck:
    """A check of strings that remembers the values found sound, since they repeat."""
    sound: set[str] = set()

    def remembered(value: str) -> str | None:
        if value in sound:
            return None
        problem = check(value)
        if problem is None and len(sound) < 100_000:
            sound.add(value)
        return problem

    return remembered


def _code(value: str) -> str | None:
    return None if CODE_PATTERN.match(value) else f"client code {value!r} is not a valid code"


def _age_group(value: str) -> str | None:
    return None if value in AGE_GROUPS else f"unknown age group {value!r}"


def _instrument_keys(value: list) -> str | None:
    if not all(type(k) is str and k for k in value) or len(set(value)) != len(value):
        return "instruments must be a list of different instrument keys"
    return None


def _codes(value: list) -> str | None:
    """A client's linked clients (one case): a list of client codes."""
    if not all(type(k) is str and CODE_PATTERN.match(k) for k in value):
        return "linked must be a list of client codes"
    return None


def _when(value: str) -> str | None:
    """'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM', exactly as a save writes it."""
    try:
        if len(value) == 10:
            date.fromisoformat(value)
            return None
        if len(value) == 16 and value[10] == "T" and value[13] == ":":
            date.fromisoformat(value[:10])
            hour, minute = value[11:13], value[14:16]
            if hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60:
                return None
    except ValueError:
        pass
    return f"date {value!r} is not an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"


def _rater(value: str) -> str | None:
    return None if RATER_PATTERN.match(value) else f"rater {value!r} is not a role"


def _nonempty(value: str) -> str | None:
    return None if value else "is empty"


def _texts(value: dict, keys: frozenset[str]) -> bool:
    return value.keys() == keys and all(type(v) is str and v for v in value.values())


_VOIDED = frozenset({"reason", "at"})
_CORRECTION = frozenset({"what", "old", "new", "at"})


def _voided(value: dict) -> str | None:
    """A rating entered in error: why and when, as the store writes it."""
    return None if _texts(value, _VOIDED) else "a voided rating needs a reason and a time, as text"


def _corrections(value: list) -> str | None:
    """Each later change of a rating's client or date: what, from, to, and when."""
    for c in value:
        if type(c) is not dict or not _texts(c, _CORRECTION):
            return "a correction needs what, old, new and at, as text"
        if c["what"] not in ("client", "date"):
            return f"a correction of {_shown(c['what'])}: only client and date are corrected"
    return None


FIELDS: dict[str, dict[str, Field]] = {
    CLIENTS: {
        "code": Field(_TEXT, required=True, check=_remembered(_code)),
        "age_group": Field(_TEXT, required=True, check=_age_group),
        "label": Field(_TEXT),
        "archived": Field(_FLAG),
        "instruments": Field(_LIST, check=_instrument_keys),
        "linked": Field(_LIST, check=_codes),
    },
    ADMINISTRATIONS: {
        "client": Field(_TEXT, required=True, check=_nonempty),
        "instrument": Field(_TEXT, required=True, check=_nonempty),
        "date": Field(_TEXT, required=True, check=_remembered(_when)),
        "items": Field(_RECORD, required=True),  # scores: see _scores_fit_the_instrument
        "rater": Field(_TEXT, check=_remembered(_rater)),
        "note": Field(_TEXT),
        "voided": Field(_RECORD, check=_voided),
        "corrections": Field(_LIST, check=_corrections),
    },
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Scale:
    """What an instrument accepts, prepared once: its item keys and every allowed score as
    written on disk (tenths divided by ten, so 5.5 and 1.0)."""

    def __init__(self, instrument: Instrument) -> None:
        self.key = instrument.key
        self.items = frozenset(item.key for item in instrument.items)
        self.scores = frozenset(
            t / 10 for t in range(instrument.scale_min, instrument.scale_max + 1, instrument.step)
        )
        low, high = (
            instrument.format_score(instrument.scale_min),
            instrument.format_score(instrument.scale_max),
        )
        steps = "in tenths" if instrument.step == 1 else "in whole answers"
        self.range = f"{low} to {high} {steps}"


class RecordChecks:
    """The checks of records read from disk, with the instruments they need.

    ``instruments`` maps keys to instruments; when None, the built-in ones and the user's
    files in the config folder are loaded the first time an administration is checked.
    """

    def __init__(self, instruments: Mapping[str, Instrument] | None = None) -> None:
        self._instruments = instruments
        self._scales: dict[str, _Scale | None] = {}

    def _scale(self, key: str) -> _Scale | None:
        if key not in self._scales:
            if self._instruments is None:
                from fittui.instruments import load_instruments
                from fittui.locations import instruments_dir

                self._instruments = load_instruments(instruments_dir())
            known = self._instruments.get(key)
            self._scales[key] = _Scale(known) if known is not None else None
        return self._scales[key]

    def record(self, table: str, doc_id: str, doc: Any) -> str | None:
        """What is wrong with one record, or None when it is sound."""
        if type(doc) is not dict:
            return "is not a record"
        fields = FIELDS.get(table)
        if fields is None:
            return None  # a table this fittui does not know: its records are only records
        for name, field in fields.items():
            value = doc.get(name, _MISSING)
            if value is _MISSING:
                if field.required:
                    return f"{name} is missing"
                continue
            if type(value) not in field.types:
                return f"{name} {_shown(value)} is not {_KINDS[field.types]}"
            if field.check is not None and (problem := field.check(value)):
                return f"{name}: {problem}" if problem == "is empty" else problem
        for check in RECORD_CHECKS.get(table, ()):
            if problem := check(self, doc_id, doc):
                return problem
        return None

    def links(self, tables: Mapping[str, Mapping[str, Any]], changed: set | None) -> str | None:
        """What is wrong between records (a rating whose client is not there), or None.

        ``changed`` holds the (table, id) pairs written since the last check; None means
        check everything (after reading a snapshot).
        """
        clients = tables.get(CLIENTS, {})
        ratings = tables.get(ADMINISTRATIONS, {})
        if changed is None or any(t == CLIENTS and i not in clients for t, i in changed):
            suspects = ratings.items()
        else:
            suspects = [
                (i, ratings[i]) for t, i in changed if t == ADMINISTRATIONS and i in ratings
            ]
        for doc_id, doc in suspects:
            if doc["client"] not in clients:
                client = doc["client"]
                return f"administrations record {doc_id}: client {client!r} is not in the database"
        return None


def _code_is_the_key(checks: RecordChecks, doc_id: str, doc: dict) -> str | None:
    code = doc["code"]
    return None if code == doc_id else f"client code {code!r} is not its key {doc_id!r}"


def _scores_fit_the_instrument(checks: RecordChecks, doc_id: str, doc: dict) -> str | None:
    items = doc["items"]
    scale = checks._scale(doc["instrument"])
    if scale is None:
        for key, value in items.items():
            if type(value) not in _NUMBER or not (
                -UNKNOWN_INSTRUMENT_LIMIT <= value <= UNKNOWN_INSTRUMENT_LIMIT
                and round(value * 10) / 10 == value
            ):
                return f"score {_shown(value)} of item {key!r} is not a score"
        return None
    if items.keys() != scale.items:
        missing = sorted(scale.items - items.keys())
        extra = sorted(items.keys() - scale.items)
        what = f"missing items {', '.join(missing)}" if missing else ""
        what += ("; " if what else "") + (f"unknown items {', '.join(extra)}" if extra else "")
        return f"{scale.key} {what}"
    if not (
        _NUMBER.issuperset(map(type, items.values())) and scale.scores.issuperset(items.values())
    ):
        for key, value in items.items():
            if type(value) not in _NUMBER or value not in scale.scores:
                return (
                    f"score {_shown(value)} of item {key!r} is not an answer of {scale.key} "
                    f"({scale.range})"
                )
    return None


RECORD_CHECKS: dict[str, tuple[Callable[[RecordChecks, str, dict], str | None], ...]] = {
    CLIENTS: (_code_is_the_key,),
    ADMINISTRATIONS: (_scores_fit_the_instrument,),
}

_MISSING = object()
_KINDS = {_TEXT: "text", _FLAG: "true or false", _LIST: "a list", _RECORD: "a record"}
