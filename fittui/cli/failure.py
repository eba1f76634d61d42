"""How every command ends: a failure said in one line on stderr with its exit status, and
the daily backup a save started waited for (the privacy warnings before it are
``locations.warn_about_privacy``). Apart from ``commands.py`` (and its argparse) so that
the commands read without argparse (``light.py``) end the same way; they load it only
when it has something to do.
"""

from __future__ import annotations

import sys


def wait_for_backups(say: bool = True) -> None:
    """A save's daily backup is written beside it (``storage/daily.py``): the command has
    said what it did; wait for the copy before ending, and (``say``) say if it failed."""
    daily = sys.modules.get("fittui.storage.daily")
    if daily is not None:
        for failure in daily.wait_for_all():
            if say:
                try:
                    print(f"fittui: warning: {failure}", file=sys.stderr)
                except BrokenPipeError:
                    pass  # standard error is the pipe that broke: nobody reads it


def failed(exc: Exception) -> int:
    """Say what stopped a command, on stderr, and give its exit status: 0 when only its
    output could not be written (a broken pipe), as its work is done.

    The error classes are imported here, not at the top, so that ``fittui --version`` and
    ``--help`` import nothing of fittui's layers; a command that raised one has loaded it.
    """
    from fittui.cli.common import EXIT_BAD_INPUT, EXIT_OK, CliError
    from fittui.domain.instruments import InstrumentError
    from fittui.domain.model import InputError
    from fittui.domain.outside import shown
    from fittui.storage.errors import StorageError

    if isinstance(exc, InputError | InstrumentError | StorageError | CliError):
        for line in str(exc).splitlines():
            print(f"fittui: error: {shown(line)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(exc, BrokenPipeError):
        _stop_printing()
        return EXIT_OK
    print(f"fittui: unexpected error: {type(exc).__name__}: {shown(str(exc))}", file=sys.stderr)
    print("fittui: please report this, with the command you ran", file=sys.stderr)
    return EXIT_BAD_INPUT


def _stop_printing() -> None:
    """The reader of standard output went away (``fittui ... | head -1``): whatever the
    command did is done, and only its output is lost. Standard output is pointed at
    ``os.devnull``, so that what is still buffered for it goes nowhere rather than failing
    again as the interpreter ends (an exit status of 120); standard error stays, for the
    warnings still to come (a failed daily backup)."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)
    except (OSError, ValueError):
        pass  # no standard output to point elsewhere: nothing is left to fail on it
