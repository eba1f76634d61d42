"""The commands that open the app: ``fittui`` alone, and ``fittui rate``, where one person
rates at their own keyboard and fittui exits after the thanks."""

from __future__ import annotations

import argparse
from typing import Any

from fittui.cli.arguments import add_optional_instrument, add_rater
from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, CliError, database, instruments, open_store


def register(commands: Commands) -> None:
    """``rate`` and its arguments."""
    p = commands.add("rate", cmd_rate, writes=True)
    p.add_argument("code", metavar="CODE")
    add_optional_instrument(p, "the client's start-of-session instruments, in order")
    add_rater(p)
    p.set_defaults(clients_terminal=True)  # nothing of the files is said on it


def run_app(args: argparse.Namespace, **options: Any) -> int:
    """The app on the command's database, until it is closed; its exit status."""
    import gc

    from fittui.ui.app import make_app

    gc.enable()  # the app runs for hours: its cycles are collected (the commands run without)
    app = make_app(database(args), read_only=args.read_only, **options)
    app.run()
    return app.return_code or EXIT_OK


def cmd_rate(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import find_instrument
    from fittui.domain.model import check_rater

    if args.read_only:
        raise CliError("rate saves a rating; it cannot run with --read-only")
    rater = check_rater(args.rater)
    if args.instrument is None:
        if rater != "client":
            raise CliError("--rater needs an INSTRUMENT; a session's set is the client's own")
        client = open_store(args).client(args.code)
        unknown = [key for key in client.instruments if key not in instruments()]
        if unknown:
            raise CliError(
                f"{args.code}: unknown instrument {', '.join(unknown)}; "
                "change it with fittui edit-client --instruments"
            )
        return run_app(args, session=args.code, one_person=True)
    instrument = find_instrument(instruments(), args.instrument)
    open_store(args).client(args.code)
    return run_app(args, rate=(args.code, instrument.key, [rater]), one_person=True)
