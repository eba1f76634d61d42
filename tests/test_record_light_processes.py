"""The light ``fittui record`` among other processes: a running store and the app see its
save as they see any other, it and the full way exclude each other through the one lock,
saves made side by side all land, and a writer killed mid-save loses nothing it said it
saved. Real processes, as the storage's own durability tests run them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from test_power_loss import SAVES, Recorder, violations
from test_record_light import full, ready

import fittui.storage.append
from conftest import history_filled, quick_pin, until
from fittui.cli import record_light
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app

# Records with the words given, one per line of stdin ("NOTE"), and says how each was
# saved: "light NOTE" (no argparse, no TinyDB: record_light.plain took it) or "full NOTE".
WRITER = """
import contextlib, io, sys
from fittui.cli import commands, record_light
from fittui.cli.light import run_plain

db = sys.argv[1]
print("ready", flush=True)
for line in sys.stdin:
    note = line.strip()
    words = ["C1", "ORS", "1", "2", "3", "4", "--date", "2026-01-05", "--note", note]
    run = record_light.plain({"db": db, "date": "2026-01-05", "note": note}, words[:6])
    with contextlib.redirect_stdout(io.StringIO()):  # what the command says
        if run is not None:
            code, how = run_plain(db, run), "light"
        else:
            code, how = commands.run(["--db", db, "record", *words]), "full"
    print(f"{how if code == 0 else 'failed'} {note}", flush=True)
"""


def environment(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FITTUI_DB"}
    return {**env, "FITTUI_CONFIG": str(config)}


def record(db: Path, config: Path, *words: str) -> subprocess.CompletedProcess[str]:
    """``fittui record`` in a process of its own, printing afterwards whether TinyDB (the
    full way) was loaded."""
    code = (
        "import sys\n"
        "from fittui.cli.main import main\n"
        "status = main(sys.argv[1:])\n"
        "print('full' if 'tinydb' in sys.modules else 'light')\n"
        "sys.exit(status)\n"
    )
    argv = [sys.executable, "-c", code, "--db", str(db), "record", *words]
    return subprocess.run(argv, capture_output=True, text=True, env=environment(config))


def notes(db: Path) -> list[str]:
    return [doc["note"] for doc in Store(db).storage.client_records("C1").values()]


def test_a_running_store_sees_a_light_save_as_it_sees_any_other(tmp_path: Path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FITTUI_CONFIG", str(config))
    db = ready(tmp_path / "data" / "fittui.json")
    store = Store(db)
    before = store.storage.client_records("C2")
    store.storage.take_changes()
    _, _, length = store.storage.derived_from()
    touched_c1 = store.storage.last_touched(["C1"])
    done = record(db, config, "C2", "ORS", "1", "2", "3", "4", "--date", "2026-01-06")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "light", done.stderr
    store.storage.look()
    assert store.storage.take_changes() == {"C2"}
    after = store.storage.client_records("C2")
    [(new_id, new)] = [(k, v) for k, v in after.items() if k not in before]
    assert new["items"] == {"individually": 1.0, "interpersonally": 2.0, "socially": 3.0,
                            "overall": 4.0}  # fmt: skip
    assert list(after)[-1] == new_id  # last in entry order, as a full save puts it
    grown = db.with_name(db.name + ".journal").stat().st_size
    assert store.storage.derived_from()[2] == grown > length
    assert store.storage.last_touched(["C2"]) == grown
    assert store.storage.last_touched(["C1"]) == touched_c1
    store.close()


def test_what_is_kept_beside_the_data_notices_a_light_save(tmp_path: Path, cli, db: Path):
    config = tmp_path / "config"
    ready(db)
    outputs = {}
    for words in (("report", "--json"), ("clients", "--json"), ("history", "C2", "--json")):
        outputs[words] = cli(*words).out
        assert cli(*words).out == outputs[words]  # printed as kept
    done = record(db, config, "C2", "ORS", "1", "2", "3", "4", "--date", "2026-01-06")
    assert done.stdout.splitlines()[-1] == "light", done.stderr
    history = json.loads(cli("history", "C2", "--json").out)
    assert history != json.loads(outputs[("history", "C2", "--json")])
    report = cli("report", "--json").out
    assert report != outputs[("report", "--json")]  # worked out again, not printed as kept
    assert cli("report", "--json").out == report


async def test_the_app_s_poll_shows_a_light_save(tmp_path: Path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.setenv("FITTUI_CONFIG", str(config))
    db = ready(tmp_path / "data" / "fittui.json")
    app = make_app(db, settings=Settings(pin=quick_pin()), today=date(2026, 1, 7))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_history("C2")
        screen = await history_filled(pilot)
        before = len(screen.administrations)
        done = record(db, config, "C2", "ORS", "1", "2", "3", "4", "--date", "2026-01-06")
        assert done.stdout.splitlines()[-1] == "light", done.stderr
        app.look_for_saves()
        await until(pilot, lambda: len(screen.administrations) == before + 1)
        assert screen.administrations[-1].total == 100


def writer(db: Path, config: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(config),
    )
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    return proc


def ask(proc: subprocess.Popen[str], note: str) -> str:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(note + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def test_the_light_way_and_a_store_exclude_each_other_through_the_lock(tmp_path: Path):
    config = tmp_path / "config"
    os.environ["FITTUI_CONFIG"] = str(config)
    db = ready(tmp_path / "data" / "fittui.json")
    proc = writer(db, config)
    try:
        assert ask(proc, "first") == "light first"
        store = Store(db)
        with store.storage.transaction():  # a store holds the lock: the light way waits out
            assert proc.stdin is not None
            proc.stdin.write("while held\n")
            proc.stdin.flush()
            time.sleep(0.5)
            assert "while held" not in notes(db)  # the full way it took waits for the lock
        assert proc.stdout is not None and proc.stdout.readline() == "full while held\n"
        assert ask(proc, "after") == "light after"  # the full way noted what it checked
    finally:
        proc.kill()
        proc.wait()
    assert notes(db)[-3:] == ["first", "while held", "after"]


def test_light_and_full_saves_side_by_side_all_land(tmp_path: Path):
    config = tmp_path / "config"
    os.environ["FITTUI_CONFIG"] = str(config)
    db = ready(tmp_path / "data" / "fittui.json")
    full_saves = [
        subprocess.Popen(
            [sys.executable, "-c", FULL_SAVES, str(db), f"S{n}"], env=environment(config)
        )
        for n in range(2)
    ]
    procs = [writer(db, config) for _ in range(3)]
    said: list[str] = []
    for round_ in range(8):
        for n, proc in enumerate(procs):
            assert proc.stdin is not None
            proc.stdin.write(f"W{n}-{round_}\n")
            proc.stdin.flush()
        for proc in procs:
            assert proc.stdout is not None
            said.append(proc.stdout.readline().strip())
    for proc in procs:
        proc.kill()
        proc.wait()
    for proc in full_saves:
        assert proc.wait(timeout=120) == 0
    assert all(line.split()[0] in ("light", "full") for line in said), said
    assert any(line.startswith("light") for line in said), said
    kept = notes(db)
    expected = [line.split()[1] for line in said] + [
        f"S{n}-{k}" for n in range(2) for k in range(8)
    ]
    assert sorted(note for note in kept if note[:1] in ("W", "S")) == sorted(expected)


FULL_SAVES = """
import sys
from fittui.domain.instruments import load_instruments
from fittui.storage.store import Store

ors = load_instruments()["ORS"]
for k in range(8):
    store = Store(sys.argv[1])
    nines = ors.parse_scores(["9", "9", "9", "9"])
    store.record("C1", ors, nines, "2026-01-05", note=f"{sys.argv[2]}-{k}")
    store.close()
"""


def test_a_light_writer_killed_mid_save_loses_nothing_it_said_it_saved(tmp_path: Path):
    config = tmp_path / "config"
    os.environ["FITTUI_CONFIG"] = str(config)
    db = ready(tmp_path / "data" / "fittui.json")
    for attempt in range(3):
        proc = writer(db, config)
        said: list[str] = []
        assert proc.stdin is not None and proc.stdout is not None
        for n in range(200):
            proc.stdin.write(f"K{attempt}-{n}\n")
        proc.stdin.flush()
        # Killed once it has said a few saved, whatever the machine's pace: with the rest
        # still to come, the kill lands inside a save (a fixed sleep let a quick machine
        # finish all 200 first).
        statuses = [proc.stdout.readline().rstrip("\n") for _ in range(5 + 20 * attempt)]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        statuses += proc.stdout.read().splitlines()
        assert any(line.startswith("light ") for line in statuses), statuses
        said = [line.split()[1] for line in statuses]
        assert 0 < len(said) < 200, "the writer was to be killed while saving"
        kept = notes(db)
        assert [note for note in kept if note.startswith(f"K{attempt}-")][: len(said)] == said
        # The next save reads the journal as the kill left it, and goes on.
        done = record(db, config, "C1", "ORS", "1", "1", "1", "1", "--note", f"after{attempt}")
        assert done.returncode == 0, done.stderr
        assert notes(db)[-1] == f"after{attempt}"


@pytest.mark.parametrize("drop", ["", "fsync of the journal"], ids=["as written", "no fsync"])
def test_no_light_save_said_saved_is_lost_at_any_power_cut(tmp_path: Path, monkeypatch, drop):
    """The power-loss model of ``test_power_loss.py`` over light saves: each one said saved
    is there whatever a power cut leaves, and the database opens; without the fsync of the
    journal the model finds a save lost (so it can see one)."""
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    db = ready(tmp_path / "data" / "fittui.json")
    store = Store(db)  # every rating there before is noted "before", as the model expects
    for code in ("C1", "C2"):
        for rating in list(store.storage.client_records(code)):
            store.set_note(rating, "before")
    words = ["C1", "ORS", "1", "2", "3", "4", "--date", "2026-01-05", "--note", "before"]
    assert full(db, "record", *words)[0] == 0  # and the journal noted as checked
    start = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    start.pop(db.name + ".lock", None)
    recorder = Recorder(db.parent.resolve(), drop)
    with monkeypatch.context() as patched:
        patched.setattr(fittui.storage.append, "os", recorder)
        for n in range(SAVES):
            recorder.trace.append(("begin", f"s{n}"))
            words = ["C1", "ORS", "1", "2", "3", "4"]
            run = record_light.plain({"db": str(db), "date": "2026-01-05", "note": f"s{n}"}, words)
            assert run is not None, "the light way was to take it"
            recorder.trace.append(("ack", f"s{n}"))
    found = violations(db, start, recorder.trace, tmp_path / "disks")
    assert (found == []) is (drop == ""), found[:3]
