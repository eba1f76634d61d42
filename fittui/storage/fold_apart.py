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
whole), and the app's next save starts another.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fittui.storage.apart import run, start


def fold_apart(db: Path) -> subprocess.Popen[bytes]:
    """Start the process folding ``db``'s journal in; raises OSError when it cannot."""
    return start("fittui.storage.fold_apart", [str(db)], subprocess.DEVNULL)


def main(args: list[str]) -> int:
    from fittui.storage.journal import JournalStorage
    from fittui.storage.records import RecordChecks

    return run(lambda: JournalStorage(Path(args[0]), validate=RecordChecks()).fold(), lowered=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
