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

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from fittui.domain.model import CODE_PATTERN, MODES, RATER_PATTERN
from fittui.domain.scales import AGE_GROUPS, BUILTIN_SCALES, Scale, user_instrument_files

# The episodes' and languages' rules are loaded by the checks that use them (a save of one
# rating, which checks few records, never needs them).
if TYPE_CHECKING:
    from fittui.domain.instruments import Instrument

CLIENTS = "clients"
ADMINISTRATIONS = "administrations"
EPISODE_EVENTS = "episode_events"
FORMS = "forms"
# A score of an instrument this fittui does not know (its TOML file is gone) is still held
# to one decimal and to this many points either way.
UNKNOWN_INSTRUMENT_LIMIT = 100

ValueCheck = Callable[[Any], str | None]


class Field(NamedTuple):
    """One field of a record: its allowed types, whether it must be there, and a check
    of the value once its type is right (None when the type says enough)."""

    types: frozenset[type]
    required: bool = False
    check: ValueCheck | None = None


_TEXT = frozenset({str})
_TEXT_OR_NONE: frozenset[type] = frozenset({str, type(None)})
_FLAG = frozenset({bool})
_LIST = frozenset({list})
_RECORD = frozenset({dict})
_NUMBER = frozenset({int, float})


class _Remembered:
    """A check of strings that remembers the values found sound, since they repeat."""

    def __init__(self, check: Callable[[str], str | None]) -> None:
        self.check = check
        self.sound: set[str] = set()

    def __call__(self, value: str) -> str | None:
        if value in self.sound:
            return None
        problem = self.check(value)
        if problem is None and len(self.sound) < 200_000:
            self.sound.add(value)
        return problem

    def unknown(self, values: Iterable[Any]) -> set[Any]:
        """The distinct values not yet found sound, in one set operation."""
        return set(values).difference(self.sound)


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


def _language(value: str) -> str | None:
    """A language code (``de``, ``pt``), or empty for the therapist's language. A code
    this fittui has no catalog for still reads (a newer fittui may have added it): the
    client's screens then speak the therapist's language."""
    if not value:
        return None
    from fittui.domain.language import LANGUAGE_PATTERN

    return (
        None if LANGUAGE_PATTERN.fullmatch(value) else f"language {value!r} is not a language code"
    )


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


def _day(value: str) -> str | None:
    """'YYYY-MM-DD': an episode starts and ends on a day."""
    return None if len(value) == 10 and _when(value) is None else f"day {value!r} is not a date"


def _kind(value: str) -> str | None:
    from fittui.domain.episodes import KINDS

    return None if value in KINDS else f"episode event {value!r} is not a start or an end"


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


def _own_session(value: str) -> str | None:
    return None if value else "own_session needs the time the rating was kept so, as text"


def _mode(value: str) -> str | None:
    return None if value in MODES else f"mode {_shown(value)} is not one of {', '.join(MODES)}"


def _form_used(value: dict | None) -> str | None:
    """A home form not yet entered (null), or entered once: when, and the rating it became."""
    if (
        value is None
        or value.keys() == {"at", "administration"}
        and all(type(v) is str for v in value.values())
    ):
        return None
    return "a used form needs the time it was entered and the rating it became"


FIELDS: dict[str, dict[str, Field]] = {
    CLIENTS: {
        "code": Field(_TEXT, required=True, check=_Remembered(_code)),
        "age_group": Field(_TEXT, required=True, check=_age_group),
        "label": Field(_TEXT),
        "archived": Field(_FLAG),
        "instruments": Field(_LIST, check=_instrument_keys),
        "linked": Field(_LIST, check=_codes),
        "language": Field(_TEXT, check=_language),
    },
    ADMINISTRATIONS: {
        "client": Field(_TEXT, required=True),  # the client must exist: RecordChecks.links
        "instrument": Field(_TEXT, required=True),
        "date": Field(_TEXT, required=True, check=_Remembered(_when)),
        "items": Field(_RECORD, required=True),  # scores: see _scores_fit_the_instrument
        "rater": Field(_TEXT, check=_Remembered(_rater)),
        "note": Field(_TEXT),
        "voided": Field(_RECORD, check=_voided),
        "corrections": Field(_LIST, check=_corrections),
        "mode": Field(_TEXT, check=_Remembered(_mode)),
        # When the therapist kept it as a session of its own beside an earlier rating of
        # the same day (``model.one_per_session``).
        "own_session": Field(_TEXT, check=_own_session),
    },
    FORMS: {
        "client": Field(_TEXT, required=True, check=_nonempty),
        "instrument": Field(_TEXT, required=True, check=_nonempty),
        "created": Field(_TEXT, required=True, check=_day),
        "used": Field(_RECORD | {type(None)}, check=_form_used),
    },
    EPISODE_EVENTS: {
        "client": Field(_TEXT, required=True, check=_nonempty),
        "kind": Field(_TEXT, required=True, check=_kind),
        "date": Field(_TEXT, required=True, check=_day),
        "reason": Field(_TEXT_OR_NONE),
    },
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Scale:
    """What an instrument accepts, prepared once: its item keys and every allowed score as
    written on disk (tenths divided by ten, so 5.5 and 1.0)."""

    def __init__(self, instrument: Scale) -> None:
        self.key = instrument.key
        self.items = frozenset(instrument.items)
        self.scores = frozenset(
            t / 10 for t in range(instrument.scale_min, instrument.scale_max + 1, instrument.step)
        )
        low, high = (
            instrument.format_score(instrument.scale_min),
            instrument.format_score(instrument.scale_max),
        )
        steps = "in tenths" if instrument.step == 1 else "in whole answers"
        self.range = f"{low} to {high} {steps}"


class _Missing:
    """The value of a field a record does not have."""


_MISSING = _Missing()


def _distinct(field: Field) -> Callable[[Iterable[Any]], Iterable[Any]]:
    """Which of a column's values to check: those not yet found sound, each once, when
    the values can be hashed; every one otherwise (lists)."""
    if isinstance(field.check, _Remembered):
        return field.check.unknown
    return list if field.types & {list, dict} else set


class _Shape:
    """A table's fields prepared for speed: their names, every allowed combination of
    their types (a field that may be left out may also be ``_Missing``), and the value
    checks to run once the types are right."""

    def __init__(self, fields: dict[str, Field]) -> None:
        self.fields = fields
        self.names = tuple(fields)
        self.missing = (_MISSING,) * len(fields)
        choices = [
            sorted(f.types, key=str) + ([] if f.required else [_Missing]) for f in fields.values()
        ]
        self.types = frozenset(itertools.product(*choices))
        self.checks = tuple((n, f.check) for n, f in enumerate(fields.values()) if f.check)
        # For many records at once: the required fields taken together (one getter), then
        # per field its allowed types, its check and which of its values to check.
        self.required = tuple(name for name, f in fields.items() if f.required)
        self.get_required = operator.itemgetter(*self.required) if self.required else None
        self.optional = tuple(
            (name, operator.methodcaller("get", name, _MISSING))
            for name, f in fields.items()
            if not f.required
        )
        self.columns = tuple(
            (name, f.types | {_Missing}, f.check, _distinct(f)) for name, f in fields.items()
        )

    def wrong_type(self, values: tuple) -> str:
        for (name, field), value in zip(self.fields.items(), values):
            if value is _MISSING:
                if field.required:
                    return f"{name} is missing"
            elif type(value) not in field.types:
                kind = _KINDS.get(field.types, "of the right type")
                return f"{name} {_shown(value)} is not {kind}"
        return "unexpected shape"


_UNKNOWN_TABLE = _Shape({})


def known_scales(strict: bool = True) -> Mapping[str, Scale]:
    """Each instrument's items and range: the built-in table (``scales.py``) when the user
    has no instrument files, else from the instruments loaded with the user's files.
    ``strict`` False falls back to the built-in ones when a user's file is broken: the
    commands that use instruments say what is wrong with it, and data still reads."""
    from fittui.storage.locations import instruments_dir

    folder = instruments_dir()
    if not user_instrument_files(folder):
        return BUILTIN_SCALES
    from fittui.domain.instruments import InstrumentError, load_instruments

    try:
        instruments = load_instruments(folder)
    except InstrumentError:
        if strict:
            raise
        instruments = load_instruments()
    return {key: instrument.scale for key, instrument in instruments.items()}


class RecordChecks:
    """The checks of records read from disk, with the instruments they need.

    ``instruments`` maps keys to instruments; when None, the built-in ones and the user's
    files in the config folder are loaded the first time an administration is checked
    (``known_scales``: without user files, the built-in table; the built-in ones alone
    when a user's file is broken: the commands that use instruments
    say what is wrong with it, and the ratings of an instrument not known here are held
    to the looser check of ``UNKNOWN_INSTRUMENT_LIMIT``).
    """

    def __init__(self, instruments: Mapping[str, Instrument] | None = None) -> None:
        self._known: Mapping[str, Scale] | None = None
        if instruments is not None:
            self._known = {key: instrument.scale for key, instrument in instruments.items()}
        self._scales: dict[str, _Scale | None] = {}
        self._shapes: dict[str, _Shape] = {}

    def _known_scales(self) -> Mapping[str, Scale]:
        if self._known is None:
            self._known = known_scales(strict=False)
        return self._known

    def fingerprint(self) -> str:
        """What the checks' answers depend on besides the records (each instrument's items
        and range, and fittui's version), as a short digest: a result kept beside the data
        as checked is believed only under the same one."""
        import zlib

        from fittui import __version__

        scales = repr((__version__, sorted(self._known_scales().items())))
        return f"{zlib.crc32(scales.encode()):08x}"

    def _scale(self, key: str) -> _Scale | None:
        if key not in self._scales:
            known = self._known_scales().get(key)
            self._scales[key] = _Scale(known) if known is not None else None
        return self._scales[key]

    def record(self, table: str, doc_id: str, doc: Any) -> str | None:
        """What is wrong with one record, or None when it is sound."""
        if type(doc) is not dict:
            return "is not a record"
        shape = self._shapes.get(table) or self._shape(table)
        if shape is _UNKNOWN_TABLE:
            return None  # a table this fittui does not know: its records are only records
        # All the fields' types at once, compared in C: this runs on every record at open.
        values = tuple(map(doc.get, shape.names, shape.missing))
        if tuple(map(type, values)) not in shape.types:
            return shape.wrong_type(values)
        for index, check in shape.checks:
            value = values[index]
            if value is not _MISSING and (problem := check(value)):
                return problem
        for record_check in RECORD_CHECKS.get(table, ()):
            if problem := record_check(self, doc_id, doc):
                return problem
        return None

    def many(self, table: str, records: dict[str, Any]) -> tuple[str, str] | None:
        """The first (id, problem) among many records of one table, or None when all are
        sound: for a snapshot's lines of a thousand records.

        It checks them together where it can (every record's types at once, each distinct
        date once, the scores of an instrument in one go) and looks record by record only
        when something is wrong, to say which record and what.
        """
        if not records or self._all_sound(table, records):
            return None
        for doc_id, doc in records.items():
            if problem := self.record(table, doc_id, doc):
                return doc_id, problem
        return None

    def _all_sound(self, table: str, records: dict[str, Any]) -> bool:
        docs = records.values()
        if not _RECORD.issuperset(map(type, docs)):
            return False
        shape = self._shapes.get(table) or self._shape(table)
        if shape is _UNKNOWN_TABLE:
            return True
        # Field by field over all the records, each pass in C: the types found, then each
        # distinct value (a date, a rater) checked once.
        columns: dict[str, Sequence] = {}
        if shape.get_required is not None:
            try:
                found = list(map(shape.get_required, docs))
            except KeyError:
                return False  # a required field is missing
            if len(shape.required) == 1:
                columns[shape.required[0]] = found
            else:
                columns.update(zip(shape.required, zip(*found)) if found else ())
        for name, getter in shape.optional:
            columns[name] = list(map(getter, docs))
        for name, allowed, check, distinct in shape.columns:
            column = columns.get(name, ())
            if not allowed.issuperset(map(type, column)):
                return False
            if check is not None:
                for value in distinct(column):
                    if value is not _MISSING and check(value):
                        return False
        together = CHECKS_TOGETHER.get(table)
        if together is not None:
            return together(self, records, columns)
        # A table whose record checks have no form for many records: each record alone.
        checks = RECORD_CHECKS.get(table, ())
        return not any(check(self, i, doc) for check in checks for i, doc in records.items())

    def _shape(self, table: str) -> _Shape:
        fields = FIELDS.get(table)
        self._shapes[table] = _Shape(fields) if fields is not None else _UNKNOWN_TABLE
        return self._shapes[table]

    def links(self, tables: Mapping[str, Mapping[str, Any]], changed: list | None) -> str | None:
        """What is wrong between records (a rating whose client is not there), or None.

        ``changed`` holds the (table, id) pairs a journal line wrote; None means check
        everything (after reading a snapshot).
        """
        clients = tables.get(CLIENTS, {})
        ratings = tables.get(ADMINISTRATIONS, {})
        if changed is not None:
            for table, doc_id in changed:
                if table == ADMINISTRATIONS:
                    doc = ratings.get(doc_id)
                    if doc is not None and doc["client"] not in clients:
                        return _no_client(doc_id, doc)
                elif table == CLIENTS and doc_id not in clients:
                    return self.links(tables, None)  # a client gone: are they still rated?
            return None
        if clients.keys() >= set(map(_CLIENT, ratings.values())):  # all at once, in C
            return None
        for doc_id, doc in ratings.items():
            if doc["client"] not in clients:
                return _no_client(doc_id, doc)
        return None


def _no_client(doc_id: str, doc: dict) -> str:
    client = doc["client"]
    return f"administrations record {doc_id}: client {client!r} is not in the database"


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


def _an_end_has_a_reason(checks: RecordChecks, doc_id: str, doc: dict) -> str | None:
    from fittui.domain.episodes import REASONS

    reason = doc.get("reason")
    if doc["kind"] == "end" and reason not in REASONS:
        return f"an episode's end needs a reason ({', '.join(REASONS)}), not {_shown(reason)}"
    if doc["kind"] == "start" and reason is not None:
        return f"an episode's start has no reason, not {_shown(reason)}"
    return None


def _codes_are_the_keys(checks: RecordChecks, records: dict[str, dict], columns: dict) -> bool:
    return list(records) == list(columns["code"])


def _all_scores_fit(checks: RecordChecks, records: dict[str, dict], columns: dict) -> bool:
    instruments, all_items = columns["instrument"], columns["items"]
    kinds = set(instruments)
    for key in kinds:
        scale = checks._scale(key)
        if scale is None:
            return False  # an unknown instrument: record by record
        group = (
            all_items
            if len(kinds) == 1
            else list(itertools.compress(all_items, map(key.__eq__, instruments)))
        )
        if any(frozenset(keys) != scale.items for keys in set(map(tuple, group))):
            return False
        scores = list(itertools.chain.from_iterable(map(dict.values, group)))
        if not (_NUMBER.issuperset(map(type, scores)) and scale.scores.issuperset(scores)):
            return False
    return True


_CLIENT = operator.itemgetter("client")


# Checks that need the whole record, one record at a time and (the same checks, faster)
# many records of a table at once.
RECORD_CHECKS: dict[str, tuple[Callable[[RecordChecks, str, dict], str | None], ...]] = {
    CLIENTS: (_code_is_the_key,),
    ADMINISTRATIONS: (_scores_fit_the_instrument,),
    EPISODE_EVENTS: (_an_end_has_a_reason,),
}
# The latter also get the records' fields as columns (name -> values in record order).
CHECKS_TOGETHER: dict[str, Callable[[RecordChecks, dict[str, dict], dict], bool]] = {
    CLIENTS: _codes_are_the_keys,
    ADMINISTRATIONS: _all_scores_fit,
}

_KINDS = {
    _TEXT: "text",
    _TEXT_OR_NONE: "text or null",
    _FLAG: "true or false",
    _LIST: "a list",
    _RECORD: "a record",
}
