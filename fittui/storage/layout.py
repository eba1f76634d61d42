"""The names and sizes of the database's file layout, shared by what reads and writes it.

A module of its own so that the save path (``journal.py``) and the heavier parts it loads
only when needed (``snapshot_file.py`` writes a snapshot, ``snapshot_read.py`` reads one
whole) agree on them without importing each other.
"""

from __future__ import annotations

from typing import Any

# The schema of the records (what an export names); the snapshot file's own layout is
# FILE_SCHEMA: 1 wrote the tables in lines of mixed records, 2 (this fittui) keeps each
# client's administrations in lines of their own with an index at the end. Both are read.
SCHEMA_VERSION = 1
FILE_SCHEMA = 2
# The table kept per client in the snapshot and read a client at a time.
GROUPED = "administrations"
SNAPSHOT_LINE_RECORDS = 1000

Tables = dict[str, dict[str, dict[str, Any]]]
