"""Storage goals of issue 3: fast saves, a fast open and bounded memory after ten years of data.

    .venv/bin/python bench/bench_storage.py

Prints a markdown table and exits 1 if a goal is missed. Every number comes from this run.
Issue 16's storage goals (at 300,000 administrations, one save in a running app against an
fsync of 100 bytes, the day's first save against any other) are rows of ``goals.py``'s
table (``measure_saves``), measured as its other goals are.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import make_database_elsewhere, report

from fittui.domain.instruments import load_instruments
from fittui.storage.journal import COMPACT_FRACTION, COMPACT_MIN_BYTES
from fittui.storage.store import Store

SAVES = 200
OPENS = 15
MB = 1024 * 1024

MEMORY_PROBE = """
import resource, sys
from pathlib import Path
from fittui.domain.instruments import load_instruments
from fittui.storage.store import Store
store = Store(Path(sys.argv[1]))
store.clients()
store.record("C00001", load_instruments()["ORS"], {"individually": 50, "interpersonally": 50,
             "socially": 50, "overall": 50})
if sys.argv[2] == "objects":
    held = store.administrations_by_client()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def median_save_ms(path: Path) -> float:
    """Median time of ``Store.record`` on a long-lived Store, as in the app."""
    store = Store(path)
    ors = load_instruments()["ORS"]
    items = ors.parse_scores(["5.5", "7", "10", "0"])
    store.record("C00001", ors, items)  # the day's backup and the journal are made here
    times = []
    for _ in range(SAVES):
        start = time.perf_counter()
        store.record("C00002", ors, items, when="2025-01-06")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def median_open_ms(path: Path) -> float:
    """Median time to open a fresh Store (nothing cached in the process) and list the clients."""
    times = []
    for _ in range(OPENS):
        start = time.perf_counter()
        Store(path).clients()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fill_journal(path: Path, limit: int) -> int:
    """Save one administration at a time until the journal is about to be compacted."""
    store = Store(path)
    ors = load_instruments()["ORS"]
    items = ors.parse_scores(["5.5", "7", "10", "0"])
    journal = path.with_name(path.name + ".journal")
    saved = size = 0
    while size < limit * 0.95:
        store.record(f"C{saved % 600 + 1:05d}", ors, items, when="2025-01-06")
        saved += 1
        if journal.stat().st_size < size:
            raise RuntimeError("compacted earlier than expected: update fill_journal's limit")
        size = journal.stat().st_size
    return saved


def peak_memory_mb(path: Path, what: str) -> float:
    """ru_maxrss of a fresh process holding the database (Linux reports kilobytes)."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path), what],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.split()[-1]) * 1024 / MB


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {}
        for count, clients in ((300, 6), (30_000, 600), (100_000, 2_000)):
            dbs[count] = Path(tmp, str(count), "fittui.json")
            make_database_elsewhere(dbs[count], count, clients)
        open_30k = median_open_ms(dbs[30_000])
        snapshot_bytes = dbs[30_000].stat().st_size
        # storage.py compacts once the journal outgrows 1/COMPACT_FRACTION of the snapshot
        journal_saves = fill_journal(
            dbs[30_000], max(COMPACT_MIN_BYTES, snapshot_bytes // COMPACT_FRACTION)
        )
        open_30k_journal = median_open_ms(dbs[30_000])
        memory = peak_memory_mb(dbs[100_000], "store")
        memory_objects = peak_memory_mb(dbs[100_000], "objects")
        save_300 = median_save_ms(dbs[300])
        save_100k = median_save_ms(dbs[100_000])
    ratio = save_100k / save_300
    return report(
        [
            ("save, 300 in the database (median)", f"{save_300:.2f} ms", "", True),
            (
                "save, 100,000 in the database (median)",
                f"{save_100k:.2f} ms",
                "≤ 10 ms",
                save_100k <= 10,
            ),
            ("save 100,000 / save 300", f"{ratio:.2f}×", "≤ 3×", ratio <= 3),
            (
                "open + list clients, 30,000 (median)",
                f"{open_30k:.1f} ms",
                "≤ 100 ms",
                open_30k <= 100,
            ),
            (
                f"same, with a journal of {journal_saves} saves about to be compacted",
                f"{open_30k_journal:.1f} ms",
                "≤ 100 ms",
                open_30k_journal <= 100,
            ),
            ("peak memory, process holding 100,000", f"{memory:.0f} MB", "≤ 150 MB", memory <= 150),
            (
                "same, plus administrations_by_client()",
                f"{memory_objects:.0f} MB",
                "(for information)",
                True,
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
