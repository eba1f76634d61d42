"""``fittui import`` and ``fittui export``: ratings in and out as CSV, JSON, FHIR or one
client's page, encrypted with a passphrase when asked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fittui.cli.arguments import add_encrypt, add_identity
from fittui.cli.commands import Commands
from fittui.cli.common import (
    EXIT_OK,
    CliError,
    exists,
    instruments,
    open_store,
    passphrase,
    settings,
    unsealed,
    use_the_therapists_language,
)
from fittui.cli.output import say_if_created, say_same_session
from fittui.cli.output_file import refuse_database_file

if TYPE_CHECKING:
    from fittui.domain.model import Administration
    from fittui.storage.store import Store


def register(commands: Commands) -> None:
    """``import`` and ``export`` and their arguments."""
    p = commands.add("import", cmd_import, writes=True)
    p.add_argument("file", metavar="FILE", help="a .csv file, or a .json file from fittui export")
    add_identity(p, "a file")

    p = commands.add("export", cmd_export)
    p.add_argument("--format", required=True, choices=["csv", "json", "fhir", "html"])
    p.add_argument("--client", metavar="CODE", help="one client only (needed for html)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: print)")
    add_encrypt(p, "FILE")
    p.set_defaults(usage_error=p.error)


def cmd_import(args: argparse.Namespace) -> int:
    from fittui.formats.importing import plan_import_file, read_import_file
    from fittui.storage.sealed import AGE_SUFFIX, is_sealed

    path = Path(args.file)
    store = open_store(args, creates=True)
    existed = exists(store.path)
    known = {c.code: c for c in store.clients()}
    raw, name = read_import_file(path), str(path)
    if is_sealed(raw):
        raw = unsealed(raw, path, args.identity)
        name = name.removesuffix(AGE_SUFFIX)
    plan = plan_import_file(raw, name, instruments(), known)
    if plan.episode_events:
        from fittui.formats.import_episodes import check_imported_events

        codes = {e.client for e in plan.episode_events}
        events_now = {code: store.episode_events(code) for code in codes & known.keys()}
        ratings_now = store.administrations_by_client(codes & known.keys())
        check_imported_events(plan, name, ratings_now, events_now, settings().gap_days)
    clients, added, events = store.import_batch(
        plan.new_clients, plan.administrations, plan.episode_events, plan.links
    )
    say_if_created(store.path, existed)
    skipped = len(plan.administrations) - len(added)
    ratings = "administration" if len(added) == 1 else "administrations"
    new = "new client" if len(clients) == 1 else "new clients"
    print(
        f"Imported {len(added)} {ratings} and {len(clients)} {new} from {path}" + _skipped(skipped)
    )
    if plan.episode_events:
        same = len(plan.episode_events) - len(events)
        print(
            f"Imported {len(events)} episode "
            + ("start or end" if len(events) == 1 else "starts and ends")
            + _skipped(same)
        )
    _say_same_sessions(added, store.administrations_by_client({a.client for a in added}))
    return EXIT_OK


def _skipped(count: int) -> str:
    """The end of an import's line: how many were in the database already, if any."""
    if not count:
        return "."
    return f"; {count} already in the database {'was' if count == 1 else 'were'} skipped."


def _say_same_sessions(
    added: list[Administration], counted: dict[str, list[Administration]]
) -> None:
    """For each rating imported, the one of its session it replaces, if any.

    Each rating is looked for among its own session's ratings only (same client,
    instrument, rater and day, entry order), and shown with the one before it: a file of
    thousands of ratings of one day once took hours, every rating compared with every other.
    """
    sessions: dict[tuple[str, str, str, str], list[Administration]] = {}
    for ratings in counted.values():
        for r in ratings:
            if r.voided is None:
                sessions.setdefault((r.client, r.instrument, r.rater, r.day), []).append(r)
    place = {r.id: (session, n) for session in sessions.values() for n, r in enumerate(session)}
    for a in added:
        if a.voided is None and a.id in place:
            session, n = place[a.id]
            say_same_session(a, session[max(n - 1, 0) : n + 1])


def cmd_export(args: argparse.Namespace) -> int:
    store = open_store(args)
    to_file = args.output not in (None, "-")
    if to_file:
        target = Path(args.output).expanduser()
        if target.is_dir():
            raise CliError(f"{target} is a folder; give a file name")
        refuse_database_file(target, store.path, "an export")
    text = _exported(args, store)
    if not to_file:
        if args.encrypt:
            raise CliError("--encrypt writes a file: add -o FILE (e.g. export.csv.age)")
        sys.stdout.write(text)
        return EXIT_OK
    data = text.encode()
    if args.encrypt:
        from fittui.storage.sealed import seal_with_passphrase

        data = seal_with_passphrase(data, passphrase(confirm=True))
    from fittui.storage.journal import write_file_atomically

    try:
        write_file_atomically(target, data)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    how = ", encrypted with your passphrase" if args.encrypt else ""
    print(f"Wrote {target} ({args.format}{how}, readable by you only).")
    return EXIT_OK


def _exported(args: argparse.Namespace, store: Store) -> str:
    """The text of the export in the format asked for."""
    import json

    from fittui.formats import export

    if args.format == "html":
        return _client_page(args, store)
    clients = [store.client(args.client)] if args.client else store.clients()
    # The files carry the whole record, voided ratings flagged; the page shows what counts.
    administrations = store.all_administrations(args.client)
    by_client = store.episode_events_by_client()
    events = [e for c in clients for e in by_client.get(c.code, [])]
    known = instruments()
    if args.format == "csv":
        return export.export_csv(clients, administrations, known, events)
    if args.format == "json":
        return export.export_json(clients, administrations, events)
    unknown = sorted({a.instrument for a in administrations} - set(known))
    if unknown:
        raise CliError(f"no instrument definition for {', '.join(unknown)}; add its TOML file")
    bundle = export.export_fhir(administrations, known)
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def _client_page(args: argparse.Namespace, store: Store) -> str:
    """One client's page: the ratings of the current episode, with its summary and chart."""
    from datetime import date

    from fittui.domain.episodes import current_ratings
    from fittui.domain.scoring import summarize
    from fittui.formats import export

    if not args.client:
        args.usage_error("--format html makes one client's page: add --client CODE")
    client = store.client(args.client)
    known = instruments()
    counted = store.administrations(client.code)
    _, current = current_ratings(
        counted, store.episode_events(client.code), settings().gap_days, date.today()
    )
    summary = summarize(client, current, known, every_episode=counted)
    use_the_therapists_language()  # the page's words for a client without a language
    return export.client_page(client, current, known, summary, date.today())
