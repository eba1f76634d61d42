"""The snapshot file's bytes, a line at a time (the layout: ``journal.py``'s docstring).

Apart from the journal's save path because only a compaction, a restore, an upgrade and a
backup write a snapshot: a save, which runs far more often, never loads this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import orjson

from fittui.storage.layout import FILE_SCHEMA, GROUPED, SNAPSHOT_LINE_RECORDS, Tables


def snapshot_lines(
    tables: Tables,
    generation: str | None = None,
    supersedes: str | None = None,
    indexed: bool = False,
) -> Iterator[bytes]:
    """The snapshot file, a line at a time.

    ``generation`` names this snapshot for the journal that extends it; ``supersedes``
    names the journal it makes obsolete (a compaction folded it in, a restore replaced it).
    ``indexed`` writes the live database's layout (schema 2): the small tables first, then
    each client's administrations in lines of their own, each line with the records'
    places in entry order, and last the index of where each client's lines are. Without
    it, the plain layout every fittui reads (schema 1), for backups and copies: every
    table in lines of records in entry order.
    """
    head = _head(tables, generation, supersedes, indexed)
    if not indexed:
        yield head
        for name, table in tables.items():
            yield from _table_lines(name, table)
        return
    yield head
    offset = first = len(head)
    for name, table in tables.items():
        if name != GROUPED:
            for line in _table_lines(name, table):
                offset += len(line)
                yield line
    small = [first, offset - first]
    index: dict[str, list[list[int]]] = {}
    for code, line in _client_lines(tables.get(GROUPED, {})):
        index.setdefault(code, []).append([offset, len(line)])
        offset += len(line)
        yield line
    count = sum(len(table) for table in tables.values())
    trailer = {"index": index, "small": small, "records": count}
    yield orjson.dumps(trailer) + b"\n"


def dump_snapshot(tables: Tables, indexed: bool = False) -> bytes:
    """A whole snapshot file's bytes (``snapshot_lines``)."""
    return b"".join(snapshot_lines(tables, indexed=indexed))


def _head(tables: Tables, generation: str | None, supersedes: str | None, indexed: bool) -> bytes:
    """The first line: the layout's schema, the record count, the generation."""
    count = sum(len(table) for table in tables.values())
    head: dict[str, Any] = {"fittui": {"schema": FILE_SCHEMA if indexed else 1}, "records": count}
    if indexed:
        head[GROUPED] = len(tables.get(GROUPED, {}))
    if generation is not None:
        head["generation"] = generation
        head["supersedes"] = supersedes
    return orjson.dumps(head) + b"\n"


def _table_lines(name: str, table: dict[str, dict[str, Any]]) -> Iterator[bytes]:
    """A table's records in entry order, up to ``SNAPSHOT_LINE_RECORDS`` a line."""
    records = iter(table.items())
    while chunk := dict(islice(records, SNAPSHOT_LINE_RECORDS)):
        yield orjson.dumps([name, chunk]) + b"\n"


def _client_lines(grouped: dict[str, dict[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """(client code, line) of each client's administrations in lines of their own, each
    with its records' places in entry order, clients in the order they first appear."""
    places: dict[str, list[int]] = {}
    ids = list(grouped)
    for place, doc in enumerate(grouped.values()):
        code = doc["client"]
        if code in places:
            places[code].append(place)
        else:
            places[code] = [place]
    for code, mine in places.items():
        for start in range(0, len(mine), SNAPSHOT_LINE_RECORDS):
            part = mine[start : start + SNAPSHOT_LINE_RECORDS]
            records = {ids[n]: grouped[ids[n]] for n in part}
            yield code, orjson.dumps([GROUPED, records, part]) + b"\n"
