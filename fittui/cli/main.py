"""The console script: parse, call the command, print; nothing else lives here.

Exit status 0 on success, 1 for bad input or an unreadable database (one line on stderr
saying what and where), 2 for wrong usage. ``fittui --version`` is answered before anything
else is imported, ``--help`` from the table of commands in ``commands.py``, and a command
loads only its own module (``clients.py``, ``history.py``, ...): a fresh interpreter pays
for every module it imports and compiles, and these run often.

The commands run most often by scripts are read without argparse when their line is plain
(``light.py``): each is one entry of ``PLAIN``. Any other line, and a plain one its module
leaves alone, goes to argparse as it always has.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from fittui import __version__

EXIT_OK = 0

# The commands read without argparse when plain: the command; the module whose
# ``plain(options, words)`` gives what to run (or None to leave the line to argparse, having
# done nothing), or ``module:function`` for a function of that kind named otherwise; the
# options it takes besides --db and --read-only, with a value and as flags; how many words
# follow the command, at least and at most (None: no limit).
PLAIN: tuple[tuple[str, str, frozenset[str], frozenset[str], int, int | None], ...] = (
    ("history", "fittui.cli.history", frozenset(), frozenset({"json"}), 1, 1),
    ("clients", "fittui.cli.caseload:plain_clients", frozenset(), frozenset({"json"}), 0, 0),
    ("report", "fittui.cli.caseload:plain_report", frozenset(), frozenset({"json", "wide"}), 0, 0),
    (
        "record",
        "fittui.cli.record_light",
        frozenset({"date", "rater", "note", "mode"}),
        frozenset(),
        3,
        None,
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments == ["--version"]:
        print(f"fittui {__version__}")
        raise SystemExit(EXIT_OK)  # as argparse's version action does
    # A command lives for a moment and builds thousands of records that hold no cycles:
    # the cycle collector, run again and again among them, costs more than the command's
    # own work. Reference counting still frees them; the app turns it back on (run_app).
    enabled = gc.isenabled()
    gc.disable()
    try:
        code = _plain(arguments)
        if code is not None:
            return code
        from fittui.cli.commands import run

        return run(arguments)
    finally:
        if enabled:
            gc.enable()


def _plain(arguments: list[str]) -> int | None:
    """The exit status of a plain line of a ``PLAIN`` command, run without argparse; None
    when the line is not one (nothing has been done then)."""
    for command, where, valued, flags, least, most in PLAIN:
        if command not in arguments:
            continue
        from importlib import import_module

        from fittui.cli.light import plain_words, run_plain

        read = plain_words(arguments, command, valued, flags, least, most)
        module, _, function = where.partition(":")
        run = None if read is None else getattr(import_module(module), function or "plain")(*read)
        if read is not None and run is not None:
            db, read_only = read[0].get("db"), read[0].get("read_only") is True
            return run_plain(db if isinstance(db, str) else None, run, read_only)
    return None
