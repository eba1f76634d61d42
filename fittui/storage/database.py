"""TinyDB on fittui's journaled storage: the tables the app and the store save through.

Apart from the journal (``journal.py``) so that a command that saves or reads through the
journal alone (``fittui record``) never loads TinyDB; the storage under these tables is
the same ``JournalStorage`` either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, cast

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from fittui.storage.journal import JournalStorage, new_id


class TableStorage(JournalStorage, Storage):
    """The journal as TinyDB's storage: its ``read``, ``write`` and ``close`` are the
    journal's own."""


class _Recorder(MutableMapping[str, dict[str, Any]]):
    """A table as TinyDB's updaters see it: changes apply in place and are noted for the journal."""

    def __init__(self, name: str, table: dict[str, dict[str, Any]]) -> None:
        self.name, self.table = name, table
        self.touched: dict[str, bool] = {}
        self.seen: dict[str, bytes] = {}

    def __getitem__(self, key: str) -> dict[str, Any]:
        doc = self.table[key]
        if key not in self.touched and key not in self.seen:
            # TinyDB's update() may change the document in place: remember how it was, and
            # let a copy take its place, so that the tables a daily backup being written
            # holds (``_start_backup``) never change under it.
            self.seen[key] = orjson.dumps(doc)
            doc = self.table[key] = dict(doc)
        return doc

    def __setitem__(self, key: str, doc: dict[str, Any]) -> None:
        self.table[key] = doc
        self.touched[key] = True

    def __delitem__(self, key: str) -> None:
        del self.table[key]
        self.touched[key] = True

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, key: object) -> bool:
        return key in self.table

    def ops(self) -> list[list]:
        changed = [
            k
            for k, was in self.seen.items()
            if k not in self.touched and orjson.dumps(self.table[k]) != was
        ]
        return [
            ["put", self.name, key, self.table[key]]
            if key in self.table
            else ["del", self.name, key]
            for key in dict.fromkeys([*self.touched, *changed])
        ]


class JournalTable(Table):
    """A TinyDB table whose writes touch only the records they change, under the lock.

    Ids are random strings (``new_id``), so two processes never pick the same one, and
    the query cache is off, so a search always sees what another process saved.
    """

    document_id_class = str  # type: ignore[assignment]  # TinyDB's annotations say ids are ints
    default_query_cache_capacity = 0

    def _get_next_id(self) -> str:
        table = self._read_table()
        while (doc_id := new_id()) in table:
            continue
        return doc_id

    def keyed(self, doc: Mapping[str, Any], doc_id: str) -> Document:
        """A document to insert under fittui's string id."""
        return self.document_class(doc, doc_id)  # type: ignore[arg-type]  # TinyDB: ids are ints

    def update_ids(
        self,
        fields: Mapping[str, Any] | Callable[[MutableMapping[str, Any]], None],
        doc_ids: list[str],
    ) -> None:
        """``update`` the documents with these string ids."""
        self.update(fields, doc_ids=doc_ids)  # type: ignore[arg-type]  # TinyDB: ids are ints

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:
        storage = cast(JournalStorage, self._storage)  # a Database's tables are on one
        with storage.transaction():
            recorder = _Recorder(self.name, storage.table_for_update(self.name))
            # TinyDB's updaters use only mapping operations, which the recorder notes.
            updater(recorder)  # type: ignore[arg-type]
            for op in recorder.ops():
                storage.record(op)


class Database(TinyDB):
    """TinyDB on fittui's journaled storage."""

    table_class = JournalTable
    default_storage_class = TableStorage  # type: ignore[assignment]  # TinyDB names JSONStorage

    @property
    def storage(self) -> TableStorage:
        """The journaled storage this database was opened on (``default_storage_class``)."""
        return cast(TableStorage, super().storage)

    def table(self, name: str, **kwargs: Any) -> JournalTable:
        kwargs.setdefault("cache_size", 0)  # a cached query could miss another process's save
        return cast(JournalTable, super().table(name, **kwargs))
