"""What the benchmarks share: realistic databases, written in one go, and the results table.

About ten years of a busy practice: clients starting on random days, then ORS and SRS
at weekly sessions, four items each scored to one decimal, ISO
dates, the odd note. Seeded, so every run measures the same data.
"""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from fittui.domain.model import Administration, Client
from fittui.storage.journal import dump_snapshot, new_id, write_file_atomically
from fittui.storage.store import ADMINISTRATIONS, CLIENTS, administration_to_doc, client_to_doc

ITEMS = {
    "ORS": ("individually", "interpersonally", "socially", "overall"),
    "SRS": ("relationship", "goals_topics", "approach", "overall"),
}
FIRST_DAY = date(2015, 1, 5)
NOTES = ("", "", "", "", "", "", "", "", "missed last week", "partner present")


def make_database(
    path: Path, administrations: int, clients: int | None = None, seed: int = 1
) -> list[str]:
    """Write a database of ``administrations`` spread over ``clients``; return the client codes."""
    rng = random.Random(seed)
    clients = clients or max(1, administrations // 50)
    codes = [f"C{n:05d}" for n in range(1, clients + 1)]
    client_docs = {
        code: client_to_doc(Client(code, "adult", "", archived=rng.random() < 0.6))
        for code in codes
    }
    starts = {code: FIRST_DAY + timedelta(days=rng.randrange(3650)) for code in codes}
    sessions = {code: 0 for code in codes}
    admin_docs = {}
    for n in range(administrations):
        code = codes[n % clients]
        session = sessions[code]
        sessions[code] += 1
        instrument = "ORS" if n // clients % 2 == 0 else "SRS"
        day = starts[code] + timedelta(days=7 * (session // 2) + rng.randrange(4))
        items = {key: rng.randrange(0, 101) for key in ITEMS[instrument]}
        a = Administration(
            new_id(), code, instrument, day.isoformat(), items, "client", rng.choice(NOTES)
        )
        admin_docs[a.id] = administration_to_doc(a)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_file_atomically(path, dump_snapshot({CLIENTS: client_docs, ADMINISTRATIONS: admin_docs}))
    return codes


def report(rows: list[tuple[str, str, str, bool]]) -> int:
    """Print measurements as a markdown table; the exit status is 1 when a goal is missed."""
    print("| measure | result | goal | met |")
    print("|---|---|---|---|")
    for measure, result, goal, met in rows:
        print(f"| {measure} | {result} | {goal} | {'yes' if met else '**NO**'} |")
    return 0 if all(met for *_, met in rows) else 1


def make_database_elsewhere(path: Path, administrations: int, clients: int) -> None:
    """make_database in a child process, so this one stays small.

    Linux carries a process's peak RSS over into the programs it starts (``ru_maxrss`` is
    kept across ``execve``), so a parent that built 100,000 records would inflate every
    memory measurement of its children.
    """
    subprocess.run(
        [sys.executable, __file__, str(path), str(administrations), str(clients)], check=True
    )


if __name__ == "__main__":
    make_database(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
