"""The goals of issue 16 ("fast at any size") that can be measured from the command line.

    .venv/bin/python bench/goals.py
    .venv/bin/python bench/goals.py --quick   # only --version and --help: no database

One run measures each goal against its baseline, the two interleaved (A B A B, so both see
the same state of this shared machine), and reports the ratio of their medians:

- ``fittui --version`` and ``fittui --help`` against ``python -c pass``;
- ``fittui record``, ``fittui history CODE --json``, ``fittui clients --json`` and
  ``fittui report --json`` on 300,000 administrations (6,000 clients) against
  ``fittui --version``.

Everything is measured twice: with no bytecode for fittui's modules (``PYTHONDONTWRITEBYTECODE=1``
is set on these machines, so an editable install compiles them on every start), then after
``python -m compileall``. The database is built once and kept in ``bench/results/`` (delete
the folder to build it anew); each run works on a copy, so ``record`` never grows it.

The goals on the app's screens (first paint, opening a history, a save by another process,
memory) are measured by ``bench/bench_screens.py``. Prints one markdown table and exits 1
when a goal is missed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import make_database_elsewhere

ADMINISTRATIONS, CLIENTS = 300_000, 6_000
CACHE = Path(__file__).parent / "results" / f"goals-{ADMINISTRATIONS}-{CLIENTS}" / "fittui.json"
QUICK_RUNS = 21  # --version and --help: ~0.1 s each
SLOW_RUNS = 3  # the commands reading 300,000 administrations: seconds each


def fittui_command() -> list[str]:
    """The ``fittui`` console script beside this Python (what a therapist types), else
    ``python -m fittui``."""
    script = Path(sys.executable).with_name("fittui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fittui"]


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return (time.perf_counter() - start) * 1000


def interleaved(
    measure: list[str], baseline: list[str], runs: int, env: dict[str, str]
) -> tuple[float, float]:
    """Medians of ``measure`` and ``baseline`` run alternately, after one unmeasured run of
    each (the operating system's file cache warm for both)."""
    wall_ms(measure, env)
    wall_ms(baseline, env)
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a.append(wall_ms(measure, env))
        b.append(wall_ms(baseline, env))
    return statistics.median(a), statistics.median(b)


def package_folder() -> Path:
    import fittui

    return Path(fittui.__file__).parent


def drop_bytecode() -> None:
    for cache in package_folder().rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def compile_bytecode() -> None:
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package_folder())],
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
    )


def database() -> Path:
    if not CACHE.exists():
        print(f"Building {ADMINISTRATIONS:,} administrations in {CACHE} (once)...", flush=True)
        make_database_elsewhere(CACHE, ADMINISTRATIONS, CLIENTS)
    return CACHE


Row = tuple[str, str, str, str, str, bool]


def measure_all(db: Path | None, env: dict[str, str], how: str) -> list[Row]:
    fittui = fittui_command()
    python_pass = [sys.executable, "-c", "pass"]
    version = [*fittui, "--version"]
    rows: list[Row] = []

    def goal(
        name: str, command: list[str], baseline: list[str], base_name: str, limit: float, runs: int
    ) -> None:
        ms, base_ms = interleaved(command, baseline, runs, env)
        ratio = ms / base_ms
        print(f"  {name} ({how}): {ms:.0f} ms / {base_ms:.0f} ms = {ratio:.2f}×", flush=True)
        rows.append(
            (
                f"{name} ({how})",
                f"{ms:.0f} ms",
                f"{base_name} {base_ms:.0f} ms",
                f"{ratio:.2f}×",
                f"≤ {limit}×",
                ratio <= limit,
            )
        )

    goal("`fittui --version`", version, python_pass, "`python -c pass`", 2.0, QUICK_RUNS)
    goal("`fittui --help`", [*fittui, "--help"], python_pass, "`python -c pass`", 2.0, QUICK_RUNS)
    if db is None:  # --quick
        return rows
    on_db = [*fittui, "--db", str(db)]
    record = [*on_db, "record", "C00001", "ORS", "5", "5", "5", "5"]
    subprocess.run(record, check=True, capture_output=True, env=env)  # the day's backup
    goal("`fittui record`, 300,000", record, version, "`--version`", 1.3, SLOW_RUNS + 2)
    history = [*on_db, "history", "C00002", "--json"]
    goal(
        "`fittui history CODE --json`, 300,000", history, version, "`--version`", 1.5, SLOW_RUNS + 2
    )
    clients = [*on_db, "clients", "--json"]
    goal("`fittui clients --json`, 300,000", clients, version, "`--version`", 3.0, SLOW_RUNS)
    report = [*on_db, "report", "--json"]
    goal("`fittui report --json`, 300,000", report, version, "`--version`", 3.0, SLOW_RUNS)
    return rows


def table(rows: list[Row]) -> int:
    print("| measure | figure | baseline | ratio | goal | met |")
    print("|---|---|---|---|---|---|")
    for measure, figure, baseline, ratio, limit, met in rows:
        print(f"| {measure} | {figure} | {baseline} | {ratio} | {limit} | {'✓' if met else '✗'} |")
    print(
        "\nThe screens' goals (first paint, a history in a big database, a save by another "
        "process, memory) are measured by bench/bench_screens.py."
    )
    return 0 if all(row[-1] for row in rows) else 1


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    source = None if quick else database()
    with tempfile.TemporaryDirectory(prefix="fittui-goals-") as tmp:
        home = Path(tmp)
        os.chmod(home, 0o700)
        # Settings and backups in the temporary folder: the user's own are never touched.
        env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
        }
        env.pop("FITTUI_DB", None)
        had_bytecode = any(package_folder().rglob("__pycache__"))
        rows: list[Row] = []
        steps: list[tuple[str, Callable[[], None]]] = [
            ("no bytecode", drop_bytecode),
            ("bytecode", compile_bytecode),
        ]
        for how, prepare in steps:
            prepare()
            db: Path | None = None
            if source is not None:
                db = home / how.replace(" ", "-") / "fittui.json"
                db.parent.mkdir(mode=0o700)
                shutil.copy2(source, db)
            print(f"Measuring with {how}...", flush=True)
            rows += measure_all(db, env, how)
        if not had_bytecode:
            drop_bytecode()  # the package left as it was found
    return table(rows)


if __name__ == "__main__":
    sys.exit(main())
