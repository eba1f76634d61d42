"""Storage goal of issue 3 for the command line: ``fittui record`` stays quick on a big database.

    .venv/bin/python bench/bench_cli.py

With 30,000 administrations, the wall time of ``fittui record`` must be at most twice that
of ``fittui --version`` (which starts Python and imports the command line). Prints a
markdown table and exits 1 if the goal is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import make_database_elsewhere, report

RUNS = 15


def wall_ms(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp, "data", "fittui.json")
        make_database_elsewhere(db, 30_000, 600)
        version = [sys.executable, "-m", "fittui", "--version"]
        record = [
            sys.executable,
            "-m",
            "fittui",
            "--db",
            str(db),
            "record",
            "C00001",
            "ORS",
            "5",
            "5",
            "5",
            "5",
        ]
        wall_ms(version)
        wall_ms(record)  # the day's backup is made by this first save
        times: dict[str, list[float]] = {"version": [], "record": []}
        for _ in range(RUNS):  # alternating, so both see the same state of the machine
            times["version"].append(wall_ms(version))
            times["record"].append(wall_ms(record))
    version_ms = statistics.median(times["version"])
    record_ms = statistics.median(times["record"])
    ratio = record_ms / version_ms
    return report(
        [
            ("`fittui --version` (median)", f"{version_ms:.0f} ms", "", True),
            ("`fittui record`, 30,000 in the database (median)", f"{record_ms:.0f} ms", "", True),
            ("record / version", f"{ratio:.2f}×", "≤ 2×", ratio <= 2),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
