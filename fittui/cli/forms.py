"""Home forms: ``fittui form`` writes a page the client fills in at home, ``fittui enter``
saves the code they read back from it."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from fittui.cli.arguments import add_optional_instrument
from fittui.cli.commands import Commands
from fittui.cli.common import (
    EXIT_OK,
    CliError,
    confirmed,
    instruments,
    open_store,
    settings,
    use_the_therapists_language,
)


def register(commands: Commands) -> None:
    """``form`` and ``enter`` and their arguments."""
    p = commands.add("form", cmd_form, writes=True)
    p.add_argument("code", metavar="CODE")
    add_optional_instrument(p, "the client's first start-of-session instrument")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write the page")

    p = commands.add("enter", cmd_enter, writes=True)
    p.add_argument(
        "code",
        nargs="+",  # pasted without quotes, the code is many words: the same code
        metavar="'RESPONSE CODE'",
        help="e.g. 'ORS 5.5 7.0 10.0 0.0 · K7Q2-9F'",
    )
    p.add_argument("--yes", action="store_true", help="save without asking (for scripts)")


def cmd_form(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, find_instrument
    from fittui.formats.home_form import write_form, write_private_text

    store = open_store(args)
    client = store.client(args.code)
    use_the_therapists_language()  # the form's words for a client without a language
    if args.output:  # checked before the form is saved, so a refusal leaves no form behind
        from fittui.cli.output_file import refuse_database_file

        refuse_database_file(Path(args.output), store.path, "a form")
    key = args.instrument or (client.instruments or DEFAULTS_BY_AGE_GROUP[client.age_group])[0]
    instrument = find_instrument(instruments(), key)
    written = write_form(store, client.code, instrument, date.today(), settings().form_days)
    target = Path(args.output or f"fittui-form-{instrument.key}-{written.form.form_id}.html")
    try:
        write_private_text(target, written.html)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(
        f"Wrote the {instrument.key} form {written.form.form_id} for {client.code} to {target}; "
        f"it can be entered until {written.use_by}."
    )
    print("Send the file to the client; enter the code they send back with: fittui enter 'CODE'")
    return EXIT_OK


def cmd_enter(args: argparse.Namespace) -> int:
    from fittui.formats.home_form import read_code, save_entry

    store = open_store(args)
    code = " ".join(args.code)
    entry = read_code(store, code, instruments(), date.today(), settings().form_days)
    print(f"To save: {entry.describe()}.")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not saved: add --yes to save without being asked")
        if not confirmed("Save it? [y/N] "):
            print("Not saved.")
            return EXIT_OK
    saved = save_entry(store, entry)
    print(f"Saved {saved.instrument} for {saved.client} on {saved.date} (home form).")
    return EXIT_OK
