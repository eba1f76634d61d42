"""What a compaction keeps of the rows kept beside the data (``summaries.py``).

A compaction changes no data, only the files: the rows that were still true at the end of
the journal it folded in stay true, stamped now with the new journal. Loaded only by a
compaction, which the save that triggers it runs after the save is on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fittui.storage import summaries
from fittui.storage.records import CLIENTS

if TYPE_CHECKING:
    from fittui.storage.journal import Folded, JournalStorage

# The rows a store holds in memory: ((journal id, rules' fingerprint), entries by code).
Held = tuple[tuple[str | None, str], dict[str, dict]]


def carry_rows(storage: JournalStorage, folded: Folded, held: Held | None = None) -> Held | None:
    """Write the rows still true after the compaction of ``folded`` (those ``held`` in
    memory when they were derived from that journal, else those in the file), stamped with
    the new journal; the rows carried, or None when no rules' fingerprint was known."""
    stamp, journal, length = storage.derived_from()
    fingerprint: str | None
    if held is not None and held[0][0] == folded.journal:
        fingerprint, old = held[0][1], held[1]
    else:
        kept = summaries.read(storage.path)
        usable = kept.head is not None and kept.head.journal == folded.journal
        fingerprint = kept.head.rules if kept.head is not None and usable else None
        old = kept.rows if usable and not kept.damaged else {}
    clients = storage.table(CLIENTS)
    carried = {
        code: {**entry, "at": length}
        for code, entry in old.items()
        if code in clients
        and folded.last_touched((code, *clients[code].get("linked", ()))) <= entry["at"]
        and entry["at"] <= folded.length
    }
    summaries.write_all(storage.path, summaries.Head(stamp, journal, fingerprint), carried)
    return None if fingerprint is None else ((journal, fingerprint), carried)
