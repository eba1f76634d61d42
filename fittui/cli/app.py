"""The commands that open the app: ``fittui`` alone, and ``fittui rate``, where one person
rates at their own keyboard and fittui exits after the thanks."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from fittui.cli.arguments import add_optional_instrument, add_rater
from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, CliError, database, instruments, open_store

if TYPE_CHECKING:
    from fittui.domain.model import Client


def register(commands: Commands) -> None:
    """``rate`` and its arguments."""
    p = commands.add("rate", cmd_rate, writes=True)
    p.add_argument("code", metavar="CODE")
    add_optional_instrument(p, "the client's start-of-session instruments, in order")
    add_rater(p)
    p.set_defaults(clients_terminal=True)  # nothing of the files is said on it


def need_terminal() -> None:
    """Refuse to open the app without a terminal: it reads keys from standard input and
    draws on standard error (Textual's way, so that standard output stays free). Without
    one (``ssh HOST fittui`` allocates none, nor does cron or a pipe) it would draw into a
    file or a pipe, take no key, and busy a processor until killed."""
    import sys

    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise CliError(
            "the app needs a terminal (standard input and standard error), and here "
            "one of them is not; over SSH, ask for one with ssh -t HOST fittui ...; "
            "every other command works without one (fittui --help)"
        )


def run_app(args: argparse.Namespace, **options: Any) -> int:
    """The app on the command's database, until it is closed; its exit status."""
    import gc

    from fittui.ui.app import make_app

    gc.enable()  # the app runs for hours: its cycles are collected (the commands run without)
    app = make_app(database(args), read_only=args.read_only, **options)
    need_terminal()  # after the database: what is wrong with it is said first
    app.run()
    return app.return_code or EXIT_OK


def cmd_rate(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, find_instrument
    from fittui.domain.model import check_rater

    if args.read_only:
        raise CliError("rate saves a rating; it cannot run with --read-only")
    rater = check_rater(args.rater)
    client = open_store(args).client(args.code)
    if args.instrument is None:
        if rater != "client":
            raise CliError("--rater needs an INSTRUMENT; a session's set is the client's own")
        unknown = [key for key in client.instruments if key not in instruments()]
        if unknown:
            raise CliError(
                f"{args.code}: unknown instrument {', '.join(unknown)}; "
                "change it with fittui edit-client --instruments"
            )
        keys = list(client.instruments or DEFAULTS_BY_AGE_GROUP[client.age_group][:1])
        _refuse_unreadable(client, keys)
        return run_app(args, session=args.code, one_person=True)
    instrument = find_instrument(instruments(), args.instrument)
    _refuse_unreadable(client, [instrument.key])
    return run_app(args, rate=(args.code, instrument.key, [rater]), one_person=True)


def _refuse_unreadable(client: Client, keys: list[str]) -> None:
    """Refuse, before anything is drawn, a questionnaire the client cannot read in their
    language (a validated one fittui has no official translation of): at their own
    keyboard there would be nothing to answer and nothing saved."""
    from fittui.cli.common import use_the_therapists_language
    from fittui.domain.language import LANGUAGES, available_in, client_translator

    # The language the app would speak to the client: theirs, else the therapist's.
    use_the_therapists_language()
    language = client_translator(client.language).code
    known = instruments()
    missing = [key for key in keys if not available_in(known[key], language)]
    if missing:
        raise CliError(
            f"{client.code}: {', '.join(missing)} cannot be rated in {LANGUAGES[language]}, "
            "the client's language (fittui has no official translation of it); rate another "
            f"instrument, or set the client's language with fittui edit-client {client.code} "
            "--language"
        )
