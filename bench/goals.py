"""The goals of issue 16 ("fast at any size"), measured in one run, each against its baseline.

    .venv/bin/python bench/goals.py
    .venv/bin/python bench/goals.py --quick   # only --version and --help: no database
    .venv/bin/python bench/goals.py --commands   # only the commands' rows: not the app
    .venv/bin/python bench/goals.py --app     # only the app's goals (with bytecode)
    .venv/bin/python bench/goals.py --saves   # only the saves' goals (part of --app)

Each goal and its baseline run alternately (A B A B, so both see the same state of this
shared machine), and the ratio of their medians is compared with the goal:

- ``fittui --version`` and ``fittui --help`` against ``python -c pass``;
- ``fittui record``, ``fittui history CODE --json``, ``fittui clients --json`` and
  ``fittui report --json`` on 300,000 administrations (6,000 clients) against
  ``fittui --version``; ``record`` also with the journal about to be folded into the
  snapshot (an eighth of it, a year of a group practice's saves: ``grown``), the longest
  a database meets, where the database as built has the shortest;
- the app's first full paint of the client list on 100,000 and 300,000 administrations,
  and on 300,000 with that journal, against a minimal Textual app (a header, a table of
  one screenful, a footer), each a fresh process from its start to the frame with the
  list's rows;
- opening the history of a client with 200 ratings in the 300,000 database against
  pushing a bare screen, alternately in one running app;
- a save by another process (``fittui record``) shown on the list at 300,000: within 1 s of
  its end, with the app's main loop busy at most 30 ms for it (the worst of the runs);
- the resident memory of the idle app at 100,000 against the minimal Textual app;
- one save in a running store at 300,000, its journal just short of being folded into the
  snapshot (the longest a running app meets), against appending 100 bytes to a file in
  the same folder and fsyncing it (what a save must do at least); the day's first save
  (it starts the daily backup) against another save, alternately over several simulated
  days; and the saves made while that backup is being written against the same.

The commands are measured twice: with no bytecode for fittui's modules
(``PYTHONDONTWRITEBYTECODE=1`` is set on these machines, so an editable install compiles
them on every start), then after ``python -m compileall``; the app once, with bytecode.
``tui_probe.py`` makes each of the app's measurements in a fresh process. The databases
are built once and kept in ``bench/results/`` (delete the folder to build them anew);
each run works on copies, so saves never grow them. Prints one markdown table and exits 1
when a goal is missed. To add a goal: a function that appends ``Row``s, called from
``main``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from common import make_database_elsewhere

ADMINISTRATIONS, CLIENTS = 300_000, 6_000
SMALLER, SMALLER_CLIENTS = 100_000, 2_000
RESULTS = Path(__file__).parent / "results"
CACHE = RESULTS / f"goals-{ADMINISTRATIONS}-{CLIENTS}" / "fittui.json"
GROWN_CACHE = RESULTS / f"goals-{ADMINISTRATIONS}-{CLIENTS}-grown" / "fittui.json"
SMALLER_CACHE = RESULTS / f"goals-{SMALLER}-{SMALLER_CLIENTS}" / "fittui.json"
PROBE = Path(__file__).with_name("tui_probe.py")
LONG_HISTORY = "C00001"  # given 150 more ratings than the others' 50: 200
QUICK_RUNS = 21  # --version and --help: ~0.1 s each
COMMAND_RUNS = 31  # the commands on 300,000 administrations: tens of milliseconds each
APP_RUNS = 9  # the app started afresh: a third of a second to a second each
SCREEN_RUNS = 15  # a screen pushed in a running app (its median swings with 7 on this machine)
SAVES = 5  # saves by another process, each shown on the list
SAVE_RUNS = 61  # saves in a running store, each beside an fsync of 100 bytes
FIRST_SAVES = 31  # days begun (a backup at 300,000: ~3 s)
OTHER_SAVES = 3  # before each day's first save
SETTLE = 1.5  # seconds after a backup is written before the next save is measured
SAVE_GAP = 0.05  # seconds before each save or fsync measured: an app saves after a pause


def fittui_command() -> list[str]:
    """The ``fittui`` console script beside this Python (what a therapist types), else
    ``python -m fittui``."""
    script = Path(sys.executable).with_name("fittui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fittui"]


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return (time.perf_counter() - start) * 1000


def probe(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One of ``tui_probe.py``'s measurements, in a fresh process."""
    done = subprocess.run(
        [sys.executable, str(PROBE), *args], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def paint_ms(args: list[str], env: dict[str, str]) -> float:
    """From starting a process to its first full frame of the list."""
    start = time.time()
    return (probe(["paint", *args], env)["painted_at"] - start) * 1000


def interleaved(
    measure: Callable[[], float], baseline: Callable[[], float], runs: int
) -> tuple[float, float]:
    """Medians of ``measure`` and ``baseline`` run alternately, after one unmeasured run of
    each (the operating system's file cache warm for both)."""
    measure()
    baseline()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a.append(measure())
        b.append(baseline())
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


def database(path: Path, administrations: int, clients: int, env: dict[str, str]) -> Path:
    """The cached database, built the first time: ``LONG_HISTORY`` with 200 ratings."""
    if not path.exists():
        print(f"Building {administrations:,} administrations in {path} (once)...", flush=True)
        building = path.parent.with_name(path.parent.name + "-building") / path.name
        make_database_elsewhere(building, administrations, clients)
        probe(["grow", str(building), LONG_HISTORY, "150"], env)
        building.parent.rename(path.parent)
    return path


def grown(big: Path, env: dict[str, str]) -> Path:
    """``big`` with its journal filled to just short of its folding into the snapshot
    (``fill_journal``: ratings of every client, a year of a group practice's saves), built
    once and opened twice by the app (read and checked whole, its rows kept; then its
    journal kept as replayed, as any open after a long replay keeps it): the longest
    journal an app or ``fittui record`` meets, where ``big``'s is the shortest."""
    if not GROWN_CACHE.exists():
        print(f"Filling a copy's journal in {GROWN_CACHE.parent} (once)...", flush=True)
        building = GROWN_CACHE.parent.with_name(GROWN_CACHE.parent.name + "-building")
        shutil.rmtree(building, ignore_errors=True)
        copy = copy_of(big, building)
        fill_journal(copy)
        for _ in range(2):
            paint_ms(["fittui", str(copy)], env)
        building.rename(GROWN_CACHE.parent)
    return GROWN_CACHE


def copy_of(source: Path, folder: Path) -> Path:
    """A copy of a database (its journal too) in a new private folder; the kept histories'
    folder, derived data, stays behind."""
    folder.mkdir(mode=0o700)
    for part in source.parent.glob(source.name + "*"):
        if part.is_file() and not part.name.endswith(".lock"):
            shutil.copy2(part, folder / part.name)
    return folder / source.name


Row = tuple[str, str, str, str, str, bool]


def ratio_row(
    name: str, ms: float, base_name: str, base_ms: float, limit: float, decimals: int = 0
) -> Row:
    ratio = ms / base_ms
    print(f"  {name}: {ms:.{decimals}f} / {base_ms:.{decimals}f} = {ratio:.2f}×", flush=True)
    return (
        name,
        f"{ms:.{decimals}f}",
        f"{base_name} {base_ms:.{decimals}f}",
        f"{ratio:.2f}×",
        f"≤ {limit}×",
        ratio <= limit,
    )


def measure_all(db: Path | None, grown_db: Path | None, env: dict[str, str], how: str) -> list[Row]:
    fittui = fittui_command()
    python_pass = [sys.executable, "-c", "pass"]
    version = [*fittui, "--version"]
    rows: list[Row] = []

    def goal(
        name: str, command: list[str], baseline: list[str], base_name: str, limit: float, runs: int
    ) -> None:
        ms, base_ms = interleaved(
            lambda: wall_ms(command, env), lambda: wall_ms(baseline, env), runs
        )
        rows.append(ratio_row(f"{name} ({how}), ms", ms, base_name, base_ms, limit))

    goal("`fittui --version`", version, python_pass, "`python -c pass`", 2.0, QUICK_RUNS)
    goal("`fittui --help`", [*fittui, "--help"], python_pass, "`python -c pass`", 2.0, QUICK_RUNS)
    if db is None:  # --quick
        return rows
    on_db = [*fittui, "--db", str(db)]
    record = [*on_db, "record", "C00001", "ORS", "5", "5", "5", "5"]
    subprocess.run(record, check=True, capture_output=True, env=env)  # the day's backup
    # The copies and the backup written to the disk first: each save's fsync would
    # otherwise wait for the writing of these 130 MB, which is not the save's.
    os.sync()
    time.sleep(SETTLE)
    goal("`fittui record`, 300,000", record, version, "`--version`", 1.3, COMMAND_RUNS)
    if grown_db is not None:
        record = [*fittui, "--db", str(grown_db), *record[3:]]
        subprocess.run(record, check=True, capture_output=True, env=env)  # read whole: a copy
        os.sync()  # its backup
        time.sleep(SETTLE)
        name = "`fittui record`, 300,000, its journal about to be folded in"
        goal(name, record, version, "`--version`", 1.3, COMMAND_RUNS)
    history = [*on_db, "history", "C00002", "--json"]
    goal(
        "`fittui history CODE --json`, 300,000", history, version, "`--version`", 1.5, COMMAND_RUNS
    )
    clients = [*on_db, "clients", "--json"]
    goal("`fittui clients --json`, 300,000", clients, version, "`--version`", 3.0, COMMAND_RUNS)
    report = [*on_db, "report", "--json"]
    goal("`fittui report --json`, 300,000", report, version, "`--version`", 3.0, COMMAND_RUNS)
    return rows


def measure_app(
    big: Path, grown_db: Path, smaller: Path, scratch: Path, env: dict[str, str]
) -> list[Row]:
    """The app's goals: first paint (``big`` also with its journal about to be folded in,
    ``grown``), a history opened, a save by another process (in a copy of ``big`` made in
    ``scratch``), memory. Only that one saves: the others open the databases as they are
    kept (a copy would be a file the store has not checked yet)."""
    rows: list[Row] = []
    minimal = "minimal Textual app"
    grown_name = f"{ADMINISTRATIONS:,}, its journal about to be folded in"
    for size, db in (
        (f"{SMALLER:,}", smaller),
        (f"{ADMINISTRATIONS:,}", big),
        (grown_name, grown_db),
    ):
        ms, base_ms = interleaved(
            partial(paint_ms, ["fittui", str(db)], env),
            lambda: paint_ms(["minimal"], env),
            APP_RUNS,
        )
        rows.append(
            ratio_row(f"first full paint of the client list, {size}, ms", ms, minimal, base_ms, 1.5)
        )
    opened = probe(["history", str(big), LONG_HISTORY, str(SCREEN_RUNS)], env)
    rows.append(
        ratio_row(
            f"opening a history of 200 ratings, {ADMINISTRATIONS:,}, ms",
            opened["history_ms"],
            "a bare screen",
            opened["bare_ms"],
            1.5,
        )
    )
    copy = copy_of(big, scratch)
    paint_ms(["fittui", str(copy)], env)  # opened once before, as the app's database is
    os.sync()  # the copy on disk: the saves' fsyncs do not wait for it
    time.sleep(SETTLE)
    saved = probe(["foreign-save", str(copy), str(SAVES)], env)
    shown, busy = max(saved["shown_ms"]), max(saved["busy_ms"])
    print(f"  a save by another process: shown {saved['shown_ms']}, busy {saved['busy_ms']}")
    rows.append(
        (
            f"a save by another process shown on the list, {ADMINISTRATIONS:,}, ms (worst)",
            f"{shown:.0f}",
            "-",
            "-",
            "≤ 1000 ms",
            shown <= 1000,
        )
    )
    rows.append(
        (
            "the app's main loop busy for that save, ms (worst)",
            f"{busy:.0f}",
            "-",
            "-",
            "≤ 30 ms",
            busy <= 30,
        )
    )
    mb, base_mb = interleaved(
        lambda: probe(["memory", "fittui", str(smaller)], env)["resident_mb"],
        lambda: probe(["memory", "minimal"], env)["resident_mb"],
        APP_RUNS,
    )
    rows.append(ratio_row(f"memory of the idle app, {SMALLER:,}, MB", mb, minimal, base_mb, 2.0))
    return rows


def fill_journal(db: Path) -> int:
    """Append ratings to ``db``'s journal until it is just short of being folded into the
    snapshot (an eighth of it): the longest journal a running app meets, and the most a
    save could have to look at. Returns the journal's length."""
    import orjson

    from fittui.domain.model import Administration
    from fittui.storage.journal import COMPACT_FRACTION, COMPACT_MIN_BYTES, new_id
    from fittui.storage.store import ADMINISTRATIONS as TABLE
    from fittui.storage.store import administration_to_doc

    journal = db.with_name(db.name + ".journal")
    limit = max(COMPACT_MIN_BYTES, db.stat().st_size // COMPACT_FRACTION) - 512 * 1024
    size = journal.stat().st_size
    items = {"individually": 55, "interpersonally": 70, "socially": 100, "overall": 0}
    lines = []
    n = 0
    while size < limit:
        n += 1
        code = f"C{n % CLIENTS + 1:05d}"
        a = Administration(new_id(), code, "ORS", "2025-01-06", items, "client", "")
        line = orjson.dumps({"ops": [["put", TABLE, a.id, administration_to_doc(a)]]}) + b"\n"
        lines.append(line)
        size += len(line)
    with open(journal, "ab") as f:
        f.write(b"".join(lines))
    return size


def measure_saves(big: Path, scratch: Path) -> list[Row]:
    """The saves' goals, in this process, on a copy of ``big`` made in ``scratch`` whose
    journal is filled to just short of its folding (``fill_journal``), held as the app
    holds it (a store that has read the snapshot's index and the journal). Each measure
    comes ``SAVE_GAP`` after a look for other processes' saves (``Store.refresh``, what
    the app does twice a second), as a save in an app comes after a pause:

    - a save (``Store.record``, as the app calls it) against appending 100 bytes to a file
      in the same folder and fsyncing it, opened afresh as a save opens the journal;
    - the day's first save against other saves, alternately: each day, today's backup is
      renamed out of the way, other saves are made while the store
      still knows the backup written, then the store forgets it and the next save is the
      day's first;
    - the saves made while the backup it started is being written, against the same other
      saves.
    """
    from fittui.domain.instruments import load_instruments
    from fittui.storage.store import Store

    copy = copy_of(big, scratch)
    journal_bytes = fill_journal(copy)
    Store(copy).storage.look()  # a copy is read and checked whole once, as any new file is
    store = Store(copy)
    store.storage.look()
    ors = load_instruments()["ORS"]
    items = ors.parse_scores(["5.5", "7", "10", "0"])
    probe = copy.with_name("fsync-probe")
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT, 0o600))
    backups = copy.parent / "backups"

    def save(code: str = "C00002") -> float:
        store.refresh()  # the app's look for other processes' saves, twice a second
        time.sleep(SAVE_GAP)
        start = time.perf_counter()
        store.record(code, ors, items, when="2025-01-06")
        return (time.perf_counter() - start) * 1000

    def fsync_100() -> float:
        store.refresh()  # as before a save
        time.sleep(SAVE_GAP)
        start = time.perf_counter()
        fd = os.open(probe, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, b"x" * 99 + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        return (time.perf_counter() - start) * 1000

    save("C00001")  # today's backup
    store.storage.wait_for_backup()
    os.sync()  # the copy and the filled journal on disk: their writing is not the saves'
    time.sleep(SETTLE)
    print(f"  the journal: {journal_bytes / 1024 / 1024:.1f} MB", flush=True)
    rows: list[Row] = []
    ms, base_ms = interleaved(save, fsync_100, SAVE_RUNS)
    rows.append(
        ratio_row(
            f"one save in a running app, {ADMINISTRATIONS:,}, its journal about to be "
            "folded in, ms",
            ms,
            "appending 100 bytes and fsyncing, same folder,",
            base_ms,
            2.0,
            decimals=2,
        )
    )
    firsts: list[float] = []
    during: list[float] = []
    others: list[float] = []
    for day in range(FIRST_SAVES):
        for backup in backups.glob(f"{copy.stem}-????-??-??.json"):
            backup.rename(backup.with_name(f"day-{day}.json"))  # deleting 64 MB loads the disk
        # Other saves first: the store still knows today's backup written.
        others += [save("C00004") for _ in range(OTHER_SAVES)]
        store.storage._backup_day = ""  # and now it does not: a new day
        firsts.append(save("C00004"))  # the same client as the others: only the day differs
        written = store.storage.daily_backup
        assert written is not None, "the first save of the day starts the backup"
        while not written.wait(0):
            during.append(save("C00004"))
        assert store.storage.wait_for_backup() is None, "the backup was written"
        time.sleep(SETTLE)  # the disk's cache is still flushing those 64 MB for a while
    other_ms = statistics.median(others)
    print(f"  saves while a backup was written: {len(during)}, worst {max(during):.1f} ms")
    rows.append(
        ratio_row(
            f"the day's first save (its backup started), {ADMINISTRATIONS:,}, ms",
            statistics.median(firsts),
            "other saves",
            other_ms,
            1.1,
            decimals=2,
        )
    )
    rows.append(
        ratio_row(
            f"a save while the day's backup is written, {ADMINISTRATIONS:,}, ms",
            statistics.median(during),
            "other saves",
            other_ms,
            1.1,
            decimals=2,
        )
    )
    store.close()
    return rows


def table(rows: list[Row]) -> int:
    print("| measure | figure | baseline | ratio | goal | met |")
    print("|---|---|---|---|---|---|")
    for measure, figure, baseline, ratio, limit, met in rows:
        print(f"| {measure} | {figure} | {baseline} | {ratio} | {limit} | {'✓' if met else '✗'} |")
    return 0 if all(row[-1] for row in rows) else 1


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    commands_only = "--commands" in sys.argv[1:]
    app_only = "--app" in sys.argv[1:]
    saves_only = "--saves" in sys.argv[1:]
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
        os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")})  # saves
        big = None if quick else database(CACHE, ADMINISTRATIONS, CLIENTS, env)
        smaller = (
            None
            if quick or commands_only or saves_only
            else database(SMALLER_CACHE, SMALLER, SMALLER_CLIENTS, env)
        )
        had_bytecode = any(package_folder().rglob("__pycache__"))
        rows: list[Row] = []
        steps: list[tuple[str, Callable[[], None]]] = [
            ("no bytecode", drop_bytecode),
            ("bytecode", compile_bytecode),
        ]
        for how, prepare in [] if app_only or saves_only else steps:
            prepare()
            print(f"Measuring the commands with {how}...", flush=True)
            folder = home / how.replace(" ", "-")
            db = None if big is None else copy_of(big, folder)
            grown_db = None if big is None else copy_of(grown(big, env), folder / "grown")
            rows += measure_all(db, grown_db, env, how)
        if big is not None and smaller is not None:
            compile_bytecode()  # already so after the commands, unless --app
            print("Measuring the app (bytecode)...", flush=True)
            rows += measure_app(big, grown(big, env), smaller, home / "app", env)
        if big is not None and not commands_only:
            print("Measuring the saves...", flush=True)
            rows += measure_saves(big, home / "saves")
        if not had_bytecode:
            drop_bytecode()  # the package left as it was found
    return table(rows)


if __name__ == "__main__":
    sys.exit(main())
