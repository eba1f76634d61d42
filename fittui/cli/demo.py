"""``fittui demo``: a database of fictional clients with fresh dates, opened in the app."""

from __future__ import annotations

import argparse
from pathlib import Path

from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, CliError


def register(commands: Commands) -> None:
    """``demo`` and its arguments."""
    p = commands.add("demo", cmd_demo, writes=True)
    p.add_argument("--path", metavar="DIR", help="folder for the demo database")
    p.add_argument("--no-open", action="store_true", help="make the database, do not open the app")


def cmd_demo(args: argparse.Namespace) -> int:
    import shlex
    from datetime import date

    from fittui.cli.app import need_terminal, run_app
    from fittui.storage.demo import make_demo_database
    from fittui.storage.locations import db_path

    if args.read_only:
        raise CliError("demo writes a database; it cannot run with --read-only")
    if not args.no_open:
        need_terminal()  # before the database is made, as nothing could open it
    folder = Path(args.path).expanduser() if args.path else db_path(None).parent / "demo"
    path = make_demo_database(folder, date.today())
    print(f"Demo database with fictional clients: {path}")
    print(f"To open it again as it is, with anything you add: fittui --db {shlex.quote(str(path))}")
    print(
        "'fittui demo' makes it anew with fresh dates; once you add or change anything "
        "in it, 'fittui demo' leaves it alone."
    )
    if args.no_open:
        return EXIT_OK
    args.db = str(path)
    return run_app(args)
