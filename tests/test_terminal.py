"""`fittui rate` in a real terminal (tmux): keys arrive as a terminal sends them, several in
one write, and what the pane shows is what a client would see."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import fittui
from fittui.storage.store import Store

pytestmark = [
    pytest.mark.skipif(
        shutil.which("tmux") is None, reason="tmux is not installed: no real terminal to drive"
    ),
    pytest.mark.slow,
]
FITTUI = Path(sys.executable).with_name("fittui")


class Pane:
    """One tmux session running one command, 80x24; its exit status goes to a file."""

    def __init__(self, command: list[str], env: dict[str, str], status: Path) -> None:
        self.name = f"fittui-test-{uuid.uuid4().hex[:8]}"
        self.status = status
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = f"env {exports} {shlex.join(command)}; echo $? > {shlex.quote(str(status))}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", line],
            check=True,
        )
        self.seen: list[str] = []

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout

    def capture(self) -> str:
        """The pane's text; empty once the command has ended and the session with it."""
        shown = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        text = shown.stdout if shown.returncode == 0 else ""
        self.seen.append(text)
        return text

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.capture()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the pane shows:\n{self.capture()}")

    def send(self, *keys: str) -> None:
        """All the keys in one send-keys: one write to the terminal."""
        self.tmux("send-keys", "-t", self.name, *keys)
        time.sleep(0.3)
        self.capture()

    def exit_status(self, timeout: float = 15.0) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status.exists() and self.status.read_text().strip():
                return int(self.status.read_text())
            time.sleep(0.1)
        return None

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "fittui.json"
    store = Store(db)
    store.add_client("C1", label="Secret label")
    store.add_client("K1", label="Another secret")
    return db


@pytest.mark.parametrize("enters", [2, 10])
def test_fittui_rate_saves_once_and_exits_showing_no_client(practice, tmp_path, enters):
    env = {"FITTUI_CONFIG": str(tmp_path / "config"), "TERM": "xterm-256color"}
    command = [str(FITTUI), "--db", str(practice), "rate", "C1", "ORS"]
    pane = Pane(command, env, tmp_path / "exit-status")
    try:
        pane.wait_for("Enter done")
        for key in ["5", "Down", "6", "Down", "7", "Down", "8"]:
            pane.send(key)
        pane.send(*["Enter"] * enters)
        screen = pane.wait_for("Thank you")
        assert "Press Enter to close" in screen
        assert len(Store(practice).administrations()) == 1
        pane.send("Escape")
        time.sleep(1)  # a lone Escape, not the start of Alt+Enter
        pane.send("F2")  # nothing to unlock here
        assert "Thank you" in pane.capture()
        pane.send("Enter")
        assert pane.exit_status() == 0
        final = pane.capture()
        assert "C1" not in final and "secret" not in final.lower()
    finally:
        pane.close()
    [saved] = Store(practice).administrations()
    assert saved.items == {"individually": 50, "interpersonally": 60, "socially": 70, "overall": 80}
    for screen in pane.seen:  # no client list, no code, no label, ever
        assert "C1" not in screen and "K1" not in screen and "secret" not in screen.lower()
        assert "Search by code" not in screen


def one_rated_client(tmp_path: Path):
    """A database with C1 and one ORS of theirs (the rating), and the environment of a
    fittui run on it in a real terminal, this tree's fittui."""
    from fittui.domain.instruments import load_instruments

    db = tmp_path / "data" / "fittui.json"
    store = Store(db)
    store.add_client("C1")
    ors = load_instruments()["ORS"]
    rated = store.record("C1", ors, {i.key: 50 for i in ors.items}, "2026-11-02T10:00")
    store.close()
    env = {
        "FITTUI_CONFIG": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(Path(fittui.__file__).parents[1]),
    }
    return db, rated, env


def write_a_note(pane: Pane, words: str) -> None:
    """From the list: open C1's history, its latest rating's note box, and type ``words``."""
    pane.wait_for("Search by code")
    pane.send("Enter")
    pane.wait_for("Copy snippet")
    pane.send("Tab")
    pane.send("n")
    pane.wait_for("Enter saves")
    pane.send("-l", words)
    pane.wait_for(words[-10:])


def test_a_note_being_written_is_kept_when_the_terminal_goes_away(tmp_path):
    """The SSH connection drops (or the window is closed) while the therapist writes a
    note: the terminal's hang-up ended fittui where it stood and the words were gone. They
    are now kept beside the database, and the next start offers them."""
    from fittui.storage.trouble import kept_work

    db, rated, env = one_rated_client(tmp_path)
    command = [sys.executable, "-m", "fittui", "--db", str(db)]
    pane = Pane(command, env, tmp_path / "exit-status")
    try:
        write_a_note(pane, "Felt heard; wants to talk about work")
    finally:
        pane.close()  # the terminal goes away: fittui gets its hang-up
    deadline = time.monotonic() + 15
    while not kept_work(db) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kept_work(db) == [
        {
            "kind": "note",
            "client": "C1",
            "administration": rated.id,
            "note": "Felt heard; wants to talk about work",
            "opened": "",
            "kept_at": kept_work(db)[0]["kept_at"],
        }
    ]
    assert Store(db, read_only=True).administrations("C1")[0].note == ""


def test_a_note_being_written_is_kept_and_said_when_fittui_is_ended(tmp_path):
    """``kill`` (SIGTERM: a shutdown, a service manager) ended fittui where it stood, the
    note typed gone. It is now kept, the terminal is given back, and fittui says where the
    words wait; the exit status is the signal's (143)."""
    from fittui.storage.trouble import kept_work

    db, _, env = one_rated_client(tmp_path)
    pid_file = tmp_path / "pid"
    command = [
        "sh",
        "-c",
        # The shell stays, so that its pane shows what fittui said on the way out.
        f'echo $$ > {shlex.quote(str(pid_file))}; "$@"; s=$?; sleep 5; exit $s',
        "sh",
        sys.executable,
        "-m",
        "fittui",
        "--db",
        str(db),
    ]
    pane = Pane(command, env, tmp_path / "exit-status")
    try:
        write_a_note(pane, "Wants a later time")
        shell = pid_file.read_text().strip()
        app = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout
        os.kill(int(app.split()[0]), signal.SIGTERM)
        said = " ".join(pane.wait_for("next start").split())
        assert "not saved is kept in" in said
        assert pane.exit_status() == 128 + signal.SIGTERM
    finally:
        pane.close()
    assert [w["note"] for w in kept_work(db)] == ["Wants a later time"]
