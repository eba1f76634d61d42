"""The console script: parse, call the command, print; nothing else lives here.

Exit status 0 on success, 1 for bad input or an unreadable database (one line on stderr
saying what and where), 2 for wrong usage. ``fittui --version`` is answered before anything
else is imported, ``--help`` from the table of commands in ``commands.py``, and a command
loads only its own module (``clients.py``, ``history.py``, ...): a fresh interpreter pays
for every module it imports and compiles, and these run often.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from fittui import __version__

EXIT_OK = 0


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
        if "record" in arguments:  # a plain line is saved without argparse (record_light.py)
            from fittui.cli.record_light import record_plainly

            if (code := record_plainly(arguments)) is not None:
                return code
        from fittui.cli.commands import run

        return run(arguments)
    finally:
        if enabled:
            gc.enable()
