"""Reading a snapshot file whole, every record checked (the layout: ``journal.py``'s docstring).

Apart from the journal's save path because a whole read is needed only when no stamp says
the file was read and checked before (``summaries.py``): a new copy, a file an older
fittui wrote, a first open after a compaction elsewhere. An open that reads one client's
lines, and a save, never load this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from fittui.storage.layout import FILE_SCHEMA, GROUPED, SNAPSHOT_LINE_RECORDS, Tables

if TYPE_CHECKING:
    from fittui.storage.journal import JournalStorage


@dataclass(frozen=True)
class _Header:
    """What a snapshot's first line says: its layout, how many records it holds, its
    generation and the journal it makes obsolete, and how many administrations it groups."""

    schema: int
    count: int
    generation: str | None
    supersedes: str | None
    grouped: int


def parse_snapshot(
    storage: JournalStorage, snapshot: BinaryIO
) -> tuple[Tables, str | None, str | None, int]:
    """(tables, generation, supersedes, schema) of a whole snapshot, every record checked
    by ``storage.validate`` and the records' links too; a file that is cut short, damaged
    or not fittui's raises ``UnreadableDatabase`` naming the line."""
    header = _header(storage, snapshot.readline())
    tables, placed = _records(storage, snapshot, header)
    if header.grouped:
        _in_entry_order(storage, tables, placed, header.grouped)
    if storage.validate and (problem := storage.validate.links(tables, None)):
        raise storage._unreadable(storage.path, problem)
    return tables, header.generation, header.supersedes, header.schema


def _header(storage: JournalStorage, line: bytes) -> _Header:
    unreadable = storage._unreadable
    if not line.strip():
        raise unreadable(storage.path, "the file is empty")
    head = storage._parse_line(line, 1)
    meta = count = generation = supersedes = None
    if type(head) is dict:
        meta, count = head.get("fittui"), head.get("records")
        generation, supersedes = head.get("generation"), head.get("supersedes")
    if not isinstance(meta, dict) or type(meta.get("schema")) is not int:
        raise unreadable(storage.path, "not a fittui database (no schema version)")
    schema = meta["schema"]
    if schema > FILE_SCHEMA:
        raise unreadable(
            storage.path, f"schema version {schema} is newer than this fittui understands"
        )
    if schema < 1:
        raise unreadable(storage.path, f"unknown schema version {schema}")
    if type(count) is not int:
        raise unreadable(storage.path, "unexpected shape (no record count)")
    if not (type(generation) in (str, type(None)) and type(supersedes) in (str, type(None))):
        raise unreadable(storage.path, "line 1: unexpected shape (generation)")
    assert type(head) is dict, "a schema was found in it"
    grouped = head.get(GROUPED, 0) if schema == FILE_SCHEMA else 0
    if type(grouped) is not int or grouped < 0:
        raise unreadable(storage.path, "line 1: unexpected shape (administrations)")
    return _Header(schema, count, generation, supersedes, grouped)


def _records(
    storage: JournalStorage, snapshot: BinaryIO, header: _Header
) -> tuple[Tables, list[str | None]]:
    """Every record of the lines after the header, checked, and the ids of the grouped
    administrations by their place in entry order."""
    schema, count = header.schema, header.count
    placed: list[str | None] = [None] * header.grouped
    tables: Tables = {}
    indexed = False  # the index line is the last of a schema 2 file
    unchecked: list[tuple[int, dict[str, Any]]] = []  # a client's lines, checked together
    waiting = 0
    for number, line in enumerate(snapshot, start=2):
        row = storage._parse_line(line, number)
        if indexed:
            raise storage._unreadable(storage.path, f"line {number}: a line after the index")
        if schema == FILE_SCHEMA and type(row) is dict and "index" in row:
            indexed = True
            continue
        grouped_line = schema == FILE_SCHEMA and type(row) is list and row[:1] == [GROUPED]
        places = _take_table(storage, tables, row, number, schema, check=not grouped_line)
        if grouped_line:
            unchecked.append((number, row[1]))
            waiting += len(row[1])
            if waiting >= SNAPSHOT_LINE_RECORDS:
                _check_lines(storage, GROUPED, unchecked)
                unchecked, waiting = [], 0
        count -= len(row[1])
        _place(storage, placed, row[1], places or (), number)
    if unchecked:
        _check_lines(storage, GROUPED, unchecked)
    if count or indexed != (schema == FILE_SCHEMA):
        raise storage._unreadable(storage.path, "cut short or damaged (records are missing)")
    return tables, placed


def _place(
    storage: JournalStorage,
    placed: list[str | None],
    records: dict[str, Any],
    places: list[int] | tuple[()],
    number: int,
) -> None:
    """Note each grouped record's id at its place in entry order, each place once."""
    for doc_id, place in zip(records, places):
        if not 0 <= place < len(placed) or placed[place] is not None:
            raise storage._unreadable(
                storage.path, f"line {number}: the places of its records are wrong"
            )
        placed[place] = doc_id


def _in_entry_order(
    storage: JournalStorage, tables: Tables, placed: list[str | None], grouped: int
) -> None:
    """The administrations, read a client at a time, put back in entry order."""
    if None in placed or len(tables.get(GROUPED, {})) != grouped:
        raise storage._unreadable(storage.path, "damaged (administrations are missing)")
    unordered = tables[GROUPED]
    tables[GROUPED] = {doc_id: unordered[doc_id] for doc_id in cast(list[str], placed)}


def _take_table(
    storage: JournalStorage, tables: Tables, row: Any, number: int, schema: int, check: bool
) -> list | None:
    """Check one snapshot line of records and add them to ``tables``; the places in
    entry order of a line of one client's administrations (schema 2), else None.
    ``check`` False leaves the records' checks to the caller (``_check_lines``)."""
    places = None
    if (
        schema == FILE_SCHEMA
        and type(row) is list
        and len(row) == 3
        and row[0] == GROUPED
        and type(row[2]) is list
    ):
        places = row.pop()
    if not (type(row) is list and len(row) == 2 and type(row[0]) is str and type(row[1]) is dict):
        raise storage._unreadable(
            storage.path, f"line {number}: unexpected shape (a table must hold records)"
        )
    name, records = row
    if places is not None and not (
        len(places) == len(records) and all(type(p) is int for p in places)
    ):
        raise storage._unreadable(
            storage.path, f"line {number}: the places of its records are wrong"
        )
    if check:
        _check_lines(storage, name, [(number, records)])
    if name in tables:
        tables[name].update(records)
    else:
        tables[name] = dict(records)
    return places


def _check_lines(
    storage: JournalStorage, name: str, lines: list[tuple[int, dict[str, Any]]]
) -> None:
    """Check the records of several snapshot lines of one table together (a client's
    line may hold a few records: checking many at once is much quicker), naming the
    line of the first one that is wrong."""
    records: dict[str, Any] = lines[0][1] if len(lines) == 1 else {}
    if len(lines) > 1:
        for _, some in lines:
            records.update(some)
    if storage.validate:
        wrong = storage.validate.many(name, records)
    else:
        wrong = next(
            ((i, "is not a record") for i, d in records.items() if type(d) is not dict), None
        )
    if wrong:
        number = next(n for n, some in lines if wrong[0] in some)
        raise storage._unreadable(
            storage.path, f"line {number}: {name} record {wrong[0]}: {wrong[1]}"
        )
