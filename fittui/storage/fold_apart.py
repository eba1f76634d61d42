"""The journal folded into the snapshot by a process of its own, for a running app.

Why a process: a save whose line makes the journal outgrow its share of the snapshot
(``journal.py``: an eighth of it) folds the journal in, reading and checking the whole
snapshot and writing it anew. At 300,000 ratings that is some three seconds of the
interpreter, and inside a running app's save it froze the screen with the client in front
of it. The app's saves (``Store.fold_in_background``) leave it to this process instead,
started once the save's line is on disk and the lock let go: it reads everything without
the lock while the app goes on saving, then takes the lock, replays the lines saved
meanwhile and writes the new snapshot, as a fold inside a save would. A save that comes
while it holds the lock waits for it, as it waits for any other process's save. The other
commands, which end as soon as they have saved, still fold within the save.

    python -m fittui.storage.fold_apart DB

Its priority is not lowered: it holds the write lock while it writes the snapshot, and a
save waits for it (at a lowered priority, every busier process on the machine came first,
and a save could wait past the lock's timeout). It exits 0 whether or not there was still
something to fold, and 1 with the reason on standard error when it could not; a fold that
failed or was killed leaves the database as it was (``JournalStorage.install`` replaces it
whole). :class:`Folds` keeps the app's side: one fold at a time, a failed one said once to
the therapist (the app has no standard error to print it on), and no other started for
``RETRY_SECONDS`` after it: a fold that fails every time (a full disk, say) would otherwise
take a core, one save after another, for as long as the app runs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from fittui.storage.apart import run, start

RETRY_SECONDS = 600.0
# What of a failed fold's output is said: its last lines (a traceback ends with its error).
SAID_BYTES = 2000


def fold_apart(db: Path, output: int | IO[bytes] = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """Start the process folding ``db``'s journal in, its standard output and error sent to
    ``output``; raises OSError when it cannot."""
    return start("fittui.storage.fold_apart", [str(db)], output)


class Folds:
    """The folds of one database started by one store (a running app's): at most one at
    work; one that failed (or could not start) said once by :meth:`take_trouble`, and no
    other started until ``RETRY_SECONDS`` after it. A finished process is waited for at
    the next look (:meth:`start` or :meth:`take_trouble`, which the app calls at each of
    its polls), so none is left a zombie for long."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.child: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        self._not_before = 0.0
        self._trouble: str | None = None

    def start(self) -> None:
        """Start a fold, unless one is at work or the last failed less than
        ``RETRY_SECONDS`` ago."""
        self._look()
        if self.child is not None or time.monotonic() < self._not_before:
            return
        try:
            output: IO[bytes] | None = tempfile.TemporaryFile()  # a pipe could fill
        except OSError:
            output = None  # a fold all the same, its reason not known if it fails
        try:
            self.child = fold_apart(self.db, output or subprocess.DEVNULL)
        except OSError as exc:
            self._failed(f"it could not be started ({exc})")
            if output is not None:
                output.close()
        else:
            self._output = output

    def take_trouble(self) -> str | None:
        """Why the last fold failed, once: None when none did since the last call."""
        self._look()
        trouble, self._trouble = self._trouble, None
        return trouble

    def _look(self) -> None:
        child, output = self.child, self._output
        if child is None or child.poll() is None:
            return
        self.child = self._output = None
        said = ""
        if output is not None:
            with output:
                output.seek(0)
                said = output.read()[-SAID_BYTES:].decode(errors="replace").strip()
        if child.returncode:
            last = said.splitlines()[-1] if said else f"it ended with status {child.returncode}"
            self._failed(last)

    def _failed(self, reason: str) -> None:
        self._not_before = time.monotonic() + RETRY_SECONDS
        self._trouble = (
            f"could not fold the journal into {self.db}: {reason.rstrip('.')}. Every rating "
            f"is in the journal; fittui tries again in {RETRY_SECONDS / 60:.0f} minutes"
        )


def main(args: list[str]) -> int:
    from fittui.storage.journal import JournalStorage
    from fittui.storage.records import RecordChecks

    return run(lambda: JournalStorage(Path(args[0]), validate=RecordChecks()).fold(), lowered=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
