"""A separate process that writes to or reads from a database, for test_storage_durability.py.

    python tests/storage_worker.py DB write [--count N] [--wait-go] [--note PREFIX]
                                            [--compact-min BYTES] [--fsize BYTES]
    python tests/storage_worker.py DB serve [--compact-min BYTES]
    python tests/storage_worker.py DB read --until N [--timeout SECONDS]

``write`` prints ``ready`` once the database is open, then records administrations for
client C1 (forever when --count is 0) and prints ``saved <id>`` only after ``record``
returned, or ``failed <message>`` when a save raised SaveFailed, and goes on. ``serve``
answers ``record`` and ``compact`` read from stdin. ``read`` polls through one long-lived
Store until it sees N administrations and prints a JSON summary of what it saw.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import sys
import time
from pathlib import Path

import fittui.storage.journal
from fittui.domain.instruments import load_instruments
from fittui.storage.journal import SaveFailed
from fittui.storage.store import Store

SCORES = ["5.5", "7", "10", "0"]


def say(line: str) -> None:
    print(line, flush=True)


def write(store: Store, args: argparse.Namespace) -> None:
    ors = load_instruments()["ORS"]
    items = ors.parse_scores(SCORES)
    say("ready")
    if args.wait_go:
        sys.stdin.readline()
    n = 0
    while args.count == 0 or n < args.count:
        n += 1
        try:
            saved = store.record("C1", ors, items, "2025-01-06", note=f"{args.note}{n}")
        except SaveFailed as exc:
            say(f"failed {exc}")
            continue
        say(f"saved {saved.id}")


def serve(store: Store) -> None:
    ors = load_instruments()["ORS"]
    items = ors.parse_scores(SCORES)
    say("ready")
    for command in sys.stdin:
        if command.strip() == "record":
            say(f"saved {store.record('C1', ors, items, '2025-01-06').id}")
        elif command.strip() == "compact":
            store.storage.write(store.storage.read())  # TinyDB's whole write: a new snapshot
            say("compacted")


def read(store: Store, until: int, timeout: float) -> None:
    seen: set[str] = set()
    polls, errors, shrank = 0, [], []
    say("ready")
    deadline = time.monotonic() + timeout
    while len(seen) < until and time.monotonic() < deadline:
        polls += 1
        try:
            now = {a.id for a in store.administrations()}
        except Exception as exc:  # noqa: BLE001 - any error at all is what the test looks for
            errors.append(repr(exc))
            continue
        if not seen <= now:
            shrank.append([len(seen), len(now)])
        seen = now
    say(json.dumps({"polls": polls, "errors": errors, "shrank": shrank, "count": len(seen)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("mode", choices=["write", "serve", "read"])
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--wait-go", action="store_true")
    parser.add_argument("--note", default="")
    parser.add_argument("--compact-min", type=int)
    parser.add_argument("--fsize", type=int, help="largest file this process may write")
    parser.add_argument("--until", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if args.compact_min is not None:
        fittui.storage.journal.COMPACT_MIN_BYTES = args.compact_min
    if args.fsize is not None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (args.fsize, args.fsize))
    store = Store(args.db)
    if args.mode == "write":
        write(store, args)
    elif args.mode == "serve":
        serve(store)
    else:
        read(store, args.until, args.timeout)


if __name__ == "__main__":
    main()
