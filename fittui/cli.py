"""The command line: parse, call the domain, print. No clinical logic lives here.

Exit status 0 on success, 1 for bad input or an unreadable database (one line on stderr
saying what and where), 2 for wrong usage. Textual and plotext are imported only by the
commands that draw, so ``fittui record`` starts as fast as ``fittui --version``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fittui import __version__
from fittui.instruments import (
    DEFAULTS_BY_AGE_GROUP,
    InstrumentError,
    find_instrument,
    format_tenths,
    load_instruments,
    parse_instrument_list,
)
from fittui.locations import config_dir, db_path, instruments_dir
from fittui.model import InputError, check_rater, parse_when
from fittui.storage import StorageError

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report on one line and exit 1."""


def _instruments():
    return load_instruments(instruments_dir())


def _store(args: argparse.Namespace):
    from fittui.store import Store

    return Store(db_path(args.db), read_only=args.read_only)


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    for row in (headers, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


def _dump_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


# -- commands -----------------------------------------------------------------------------
def cmd_clients(args: argparse.Namespace) -> int:
    store = _store(args)
    by_client = store.administrations_by_client()
    rows = []
    for c in store.clients():
        mine = by_client.get(c.code, [])
        rows.append(
            {
                "code": c.code,
                "label": c.label,
                "age_group": c.age_group,
                "archived": c.archived,
                "administrations": len(mine),
                "last_seen": max((a.day for a in mine), default=None),
                "instruments": list(c.instruments),
            }
        )
    if args.json:
        _dump_json(rows)
    elif not rows:
        print("No clients yet. Add one with: fittui add-client CODE")
    else:
        _print_table(
            ["CODE", "LABEL", "AGE GROUP", "STATE", "RATINGS", "LAST SEEN", "SESSION"],
            [
                [
                    r["code"],
                    r["label"],
                    r["age_group"],
                    "archived" if r["archived"] else "active",
                    str(r["administrations"]),
                    r["last_seen"] or "-",
                    ",".join(r["instruments"]) or "default",
                ]
                for r in rows
            ],
        )
    return EXIT_OK


def _session_words(client) -> str:
    """What the client rates at the start of a session, for the confirmation line."""
    if client.instruments:
        return ", ".join(client.instruments)
    return f"{DEFAULTS_BY_AGE_GROUP[client.age_group][0]} (the age group's default)"


def cmd_add_client(args: argparse.Namespace) -> int:
    keys = parse_instrument_list(_instruments(), args.instruments or "")
    client = _store(args).add_client(args.code, args.age_group, args.label or "", keys)
    print(
        f"Added client {client.code} ({client.age_group}); a session starts with "
        f"{_session_words(client)}."
    )
    return EXIT_OK


def cmd_edit_client(args: argparse.Namespace) -> int:
    changes: dict = {}
    if args.instruments is not None:
        changes["instruments"] = parse_instrument_list(_instruments(), args.instruments)
    if args.label is not None:
        changes["label"] = args.label.strip()
    if args.age_group is not None:
        changes["age_group"] = args.age_group
    if not changes:
        raise CliError("nothing to change: give --instruments, --label or --age-group")
    client = _store(args).update_client(args.code, **changes)
    print(
        f"Changed client {client.code} ({client.age_group}); a session starts with "
        f"{_session_words(client)}."
    )
    return EXIT_OK


def cmd_record(args: argparse.Namespace) -> int:
    instrument = find_instrument(_instruments(), args.instrument)
    items = instrument.parse_scores(args.scores)
    when = parse_when(args.date) if args.date else None
    rater = check_rater(args.rater)
    store = _store(args)
    store.client(args.code)
    saved = store.record(args.code, instrument, items, when, rater, args.note or "")
    total = instrument.format_score(saved.total)
    print(f"Saved {instrument.key} for {args.code} on {saved.date}: total {total}.")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from fittui.etr import ZONE_WORDS, load_parameters
    from fittui.report import history_json
    from fittui.scoring import chronological, summarize

    store = _store(args)
    client = store.client(args.code)
    administrations = store.administrations(client.code)
    if args.json:
        _dump_json(history_json(client, administrations))
        return EXIT_OK
    if not administrations:
        print(f"{client.code}: no administrations yet.")
        return EXIT_OK
    instruments = _instruments()

    def score(a, tenths: int) -> str:
        instrument = instruments.get(a.instrument)
        return instrument.format_score(tenths) if instrument else format_tenths(tenths)

    _print_table(
        ["DATE", "INSTRUMENT", "RATER", "ITEMS", "TOTAL", "NOTE"],
        [
            [
                a.date,
                a.instrument,
                a.rater,
                " ".join(score(a, v) for v in a.items.values()),
                score(a, a.total),
                a.note,
            ]
            for a in chronological(administrations)
        ],
    )
    etr_params = load_parameters(config_dir())
    summary = summarize(client, administrations, instruments, etr_params=etr_params)
    if summary.etr_zones:
        last = summary.etr_zones[-1]
        print(
            f"\nExpected treatment response at session {last.session}: "
            f"{ZONE_WORDS[last.zone][1]} (ORS {format_tenths(last.administration.total)}, "
            f"expected {format_tenths(last.expected)}, band down to {format_tenths(last.lower)}). "
            "Decision support, not a prediction."
        )
    _print_chart(client, administrations, summary, etr_params, sys.stdout.isatty())
    return EXIT_OK


def _print_chart(client, administrations, summary, etr_params, colors: bool) -> None:
    """The ORS and SRS chart, then one chart per symptom measure (PHQ-9, GAD-7) rated: in
    colour on a terminal, as plain text when piped or saved."""
    import shutil

    import plotext

    from fittui.chart import draw_history, draw_symptoms, legend_text
    from fittui.etr import client_path

    instruments = _instruments()
    width = min(shutil.get_terminal_size((80, 24)).columns, 100)

    def show(legend) -> None:
        chart = plotext.build()
        print()
        print(chart if colors else plotext.uncolorize(chart))
        print(legend_text(legend))

    plotext.clear_figure()
    plotext.theme("clear")
    plotext.plotsize(width, 16)
    plotext.title(f"{client.code}: ORS and SRS totals by session")
    legend = draw_history(
        plotext,
        administrations,
        instruments,
        summary.cutoff,
        colors=colors,
        intake=summary.intake.total if summary.intake else None,
        reliable=summary.reliable,
        etr=client_path(summary.ors, client.age_group, instruments, etr_params),
    )
    if legend:
        show(legend)
    for key in summary.symptoms:
        plotext.clear_figure()
        plotext.theme("clear")
        plotext.plotsize(width, 14)
        plotext.title(f"{client.code}: {key} totals, with the severity bands")
        show(draw_symptoms(plotext, administrations, instruments[key], colors=colors))


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def cmd_summary(args: argparse.Namespace) -> int:
    from fittui.outcomes import Period, outcome_summary, summary_rows

    period = Period(_day(args.start, "--from"), _day(args.end, "--to"))
    if period.start and period.end and period.start > period.end:
        raise CliError(f"--from {period.start} is after --to {period.end}")
    store = _store(args)
    summary = outcome_summary(
        store.clients(), store.administrations_by_client(), _instruments(), period
    )
    if args.json:
        _dump_json(summary.to_json())
        return EXIT_OK
    print(f"Outcome summary, {period.describe()}")
    _print_table(["FIGURE", "VALUE", ""], summary_rows(summary))
    if summary.effect_size_missing_because:
        print(f"No effect size: it {summary.effect_size_missing_because}.")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from fittui.etr import ZONE_WORDS, load_parameters
    from fittui.report import caseload, report_row

    if args.summary:
        return cmd_summary(args)
    if args.start or args.end:
        args.usage_error("--from and --to go with --summary")
    store = _store(args)
    rows = caseload(
        store.clients(),
        store.administrations_by_client(),
        _instruments(),
        load_parameters(config_dir()),
    )
    if args.json:
        _dump_json([report_row(c, s) for c, s in rows])
        return EXIT_OK
    if not rows:
        print("No clients yet.")
        return EXIT_OK
    alerts = [(c, alert) for c, s in rows for alert in s.alerts]
    for c, alert in alerts:
        print(f"⚠ {c.code}: {alert.headline} {alert.rule.message}")
    if alerts:
        print()
    _print_table(
        [
            "CLIENT",
            "AGE GROUP",
            "STATUS",
            "ORS",
            "INTAKE",
            "LATEST",
            "CHANGE",
            "SRS",
            "LAST SRS",
            "LOWEST SRS ITEM",
            "FLAGS",
            "ETR",
        ],
        [
            [
                c.code,
                c.age_group,
                s.status,
                str(len(s.ors)),
                format_tenths(s.intake.total if s.intake else None),
                format_tenths(s.latest.total if s.latest else None),
                ("+" if (s.change or 0) > 0 else "") + format_tenths(s.change),
                str(len(s.srs)),
                format_tenths(s.srs[-1].total if s.srs else None),
                s.lowest_srs_item or "-",
                ", ".join(s.flags) or "-",
                ZONE_WORDS[s.etr_zone][0] if s.etr_zone else "-",
            ]
            for c, s in rows
        ],
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from fittui.importing import plan_import_file, read_import_file

    path = Path(args.file)
    store = _store(args)
    known = {c.code: c for c in store.clients()}
    plan = plan_import_file(read_import_file(path), str(path), _instruments(), known)
    clients, added = store.import_batch(plan.new_clients, plan.administrations)
    skipped = len(plan.administrations) - len(added)
    print(
        f"Imported {len(added)} administrations and {len(clients)} new clients from {path}"
        + (f"; {skipped} already in the database were skipped." if skipped else ".")
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from fittui import export
    from fittui.storage import write_file_atomically

    store = _store(args)
    clients = [store.client(args.client)] if args.client else store.clients()
    administrations = store.administrations(args.client)
    instruments = _instruments()
    if args.format == "csv":
        text = export.export_csv(clients, administrations, instruments)
    elif args.format == "json":
        text = export.export_json(clients, administrations)
    elif args.format == "fhir":
        unknown = sorted({a.instrument for a in administrations} - set(instruments))
        if unknown:
            raise CliError(f"no instrument definition for {', '.join(unknown)}; add its TOML file")
        bundle = export.export_fhir(administrations, instruments)
        text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    else:
        if not args.client:
            args.usage_error("--format html makes one client's page: add --client CODE")
        from fittui.scoring import summarize

        [client] = clients
        summary = summarize(client, administrations, instruments)
        text = export.client_page(client, administrations, instruments, summary, date.today())
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(args.output).expanduser()
    if target.is_dir():
        raise CliError(f"{target} is a folder; give a file name")
    try:
        write_file_atomically(target, text.encode())
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"Wrote {target} ({args.format}, readable by you only).")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from datetime import datetime

    from fittui.backup import backup_database

    folder = Path(args.to).expanduser() if args.to else None
    target = backup_database(db_path(args.db), datetime.now(), folder)
    print(f"Backed up {db_path(args.db)} to {target}.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from datetime import datetime

    from fittui.backup import restore_database

    if args.read_only:
        raise CliError("restore replaces the database; it cannot run with --read-only")
    db = db_path(args.db)
    done = restore_database(db, Path(args.file).expanduser(), datetime.now())
    print(
        f"Restored {done.clients} clients and {done.administrations} administrations "
        f"from {args.file} into {db}."
    )
    if done.kept:
        print(f"The database as it was is kept in {done.kept}.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from fittui.demo import DEMO_MARKER, make_demo_database

    folder = Path(args.path).expanduser() if args.path else db_path(None).parent / "demo"
    path = make_demo_database(folder, date.today())
    print(
        f"Demo database with fictional clients: {path} (remove {folder / DEMO_MARKER} to keep it)"
    )
    if args.no_open:
        return EXIT_OK
    args.db = str(path)
    return _run_app(args)


def _run_app(args: argparse.Namespace, **options) -> int:
    from fittui.app import make_app

    app = make_app(db_path(args.db), read_only=args.read_only, **options)
    app.run()
    return app.return_code or EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(args)


def cmd_rate(args: argparse.Namespace) -> int:
    if args.read_only:
        raise CliError("rate saves a rating; it cannot run with --read-only")
    rater = check_rater(args.rater)
    if args.instrument is None:
        if rater != "client":
            raise CliError("--rater needs an INSTRUMENT; a session's set is the client's own")
        client = _store(args).client(args.code)
        unknown = [key for key in client.instruments if key not in _instruments()]
        if unknown:
            raise CliError(
                f"{args.code}: unknown instrument {', '.join(unknown)}; "
                "change it with fittui edit-client --instruments"
            )
        return _run_app(args, session=args.code, one_person=True)
    instrument = find_instrument(_instruments(), args.instrument)
    _store(args).client(args.code)
    return _run_app(args, rate=(args.code, instrument.key, [rater]), one_person=True)


def _read_pin_twice() -> tuple[str, str]:
    """The new PIN and its repetition: typed unseen at a terminal, else two lines of
    standard input (for a script or a test)."""
    if sys.stdin.isatty():
        from getpass import getpass

        return getpass("New therapist PIN (4 to 8 digits): "), getpass("The same PIN again: ")
    lines = sys.stdin.read().splitlines()
    if len(lines) < 2:
        raise CliError("give the PIN twice, one per line, on standard input")
    return lines[0].strip(), lines[1].strip()


def cmd_pin_set(args: argparse.Namespace) -> int:
    from fittui.settings import PinHash, check_pin, save_pin

    pin, again = _read_pin_twice()
    check_pin(pin)
    if again != pin:
        raise CliError("the two PINs differ; nothing was changed")
    path = config_dir() / "settings.toml"
    save_pin(path, PinHash.make(pin))
    print(f"Therapist PIN set; only a salted hash of it is kept, in {path}.")
    return EXIT_OK


def cmd_etr_fit(args: argparse.Namespace) -> int:
    from fittui import etr
    from fittui.report import caseload

    store = _store(args)
    instruments = _instruments()
    default = etr.default_parameters()
    rows = caseload(store.clients(), store.administrations_by_client(), instruments, default)
    cases = etr.cases_from(((c.age_group, s.ors) for c, s in rows), instruments, default)
    result = etr.fit(cases, default, today=date.today().isoformat())
    folder = config_dir()
    if args.json:
        saved = etr.save_parameters(result.parameters, folder) if args.yes else None
        _dump_json(
            {
                "clients": result.clients,
                "ratings": result.ratings,
                "default": etr.parameters_json(default),
                "fitted": etr.parameters_json(result.parameters),
                "saved_to": str(saved) if saved else None,
            }
        )
        return EXIT_OK
    print(etr.compare(result, default))
    print()
    if args.yes:
        agreed = True
    elif sys.stdin.isatty() and sys.stdout.isatty():
        answer = input("Use your practice's path from now on? [y/N] ")
        agreed = answer.strip().lower() in ("y", "yes")
    else:
        print("Not saved. Run 'fittui etr fit --yes' to use your practice's path from now on.")
        return EXIT_OK
    if not agreed:
        print("Not saved: fittui keeps the model it was using.")
        return EXIT_OK
    path = etr.save_parameters(result.parameters, folder)
    print(f"Saved to {path}: every later run uses your practice's path.")
    print("'fittui etr reset' goes back to the default model.")
    return EXIT_OK


def cmd_etr_show(args: argparse.Namespace) -> int:
    from fittui import etr

    params = etr.load_parameters(config_dir())
    if args.json:
        _dump_json(etr.parameters_json(params))
    else:
        print(etr.describe(params))
    return EXIT_OK


def cmd_etr_reset(args: argparse.Namespace) -> int:
    from fittui import etr

    folder = config_dir()
    if etr.reset_parameters(folder):
        print(f"Removed {etr.user_file(folder)}: fittui uses its default model again.")
    else:
        print("fittui already uses its default model; nothing to reset.")
    return EXIT_OK


# -- parsing ------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: $FITTUI_DB, else the per-user data folder)",
    )
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="open without ever writing or taking the write lock",
    )
    parser = argparse.ArgumentParser(
        prog="fittui",
        description="Feedback-Informed Treatment in the terminal: ORS and SRS, private, offline.",
        epilog="Run 'fittui' with no command to open the app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"fittui {__version__}")
    parser.set_defaults(func=cmd_open)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, help: str, func, under=sub) -> argparse.ArgumentParser:
        p = under.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(func=func)
        return p

    p = command("clients", "list clients", cmd_clients)
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("add-client", "add a client by code (not a real name)", cmd_add_client)
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "--age-group", default="adult", choices=["adult", "adolescent", "child", "young_child"]
    )
    p.add_argument("--label", metavar="TEXT", help="an optional label the therapist recognises")
    p.add_argument(
        "--instruments",
        metavar="LIST",
        help="what the client rates at the start of a session, in order, e.g. 'PHQ-9,GAD-7,ORS'"
        " (default: the age group's ORS-family scale)",
    )

    p = command(
        "edit-client", "change a client's session instruments, label or age group", cmd_edit_client
    )
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "--instruments",
        metavar="LIST",
        help="what the client rates at the start of a session, in order; '' for the default",
    )
    p.add_argument("--label", metavar="TEXT")
    p.add_argument("--age-group", choices=["adult", "adolescent", "child", "young_child"])

    p = command("record", "save one administration from the command line", cmd_record)
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "instrument",
        metavar="INSTRUMENT",
        help="ORS, SRS, CORS, CSRS, YCORS, YCSRS, GSRS, PHQ-9, GAD-7",
    )
    p.add_argument(
        "scores",
        metavar="SCORE",
        nargs="+",
        help="one score per item: 0.0 to 10.0 on a line, 0 to 3 on the PHQ-9 and GAD-7",
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when it was rated (default: now)")
    p.add_argument(
        "--rater",
        default="client",
        metavar="ROLE",
        help="client (default), partner, parent, teacher, ...",
    )
    p.add_argument("--note", metavar="TEXT", help="the client's words, kept with the rating")

    p = command("history", "a client's administrations, with a chart on a terminal", cmd_history)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("report", "one line per client: status, change, flags", cmd_report)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--summary", action="store_true", help="the practice's outcome summary instead")
    p.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="summary: clients seen from this day"
    )
    p.add_argument(
        "--to", dest="end", metavar="YYYY-MM-DD", help="summary: ... up to this day (inclusive)"
    )
    p.set_defaults(usage_error=p.error)

    p = command(
        "import",
        "import administrations from CSV or a fittui JSON export, all or nothing",
        cmd_import,
    )
    p.add_argument("file", metavar="FILE", help="a .csv file, or a .json file from fittui export")

    p = command("export", "write clients and ratings as CSV, JSON, FHIR or a page", cmd_export)
    p.add_argument("--format", required=True, choices=["csv", "json", "fhir", "html"])
    p.add_argument("--client", metavar="CODE", help="one client only (needed for html)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: print)")
    p.set_defaults(usage_error=p.error)

    p = command("backup", "write a dated copy of the database", cmd_backup)
    p.add_argument("--to", metavar="DIR", help="folder for the copy (default: backups/)")

    p = command(
        "restore", "replace the database with a backup, keeping the current one", cmd_restore
    )
    p.add_argument("file", metavar="FILE", help="a backup, e.g. from backups/")

    p = command(
        "rate",
        "one person rates at their own keyboard (telehealth); fittui exits after the thanks",
        cmd_rate,
    )
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "instrument",
        metavar="INSTRUMENT",
        nargs="?",
        help="what to rate (default: the client's start-of-session instruments, in order)",
    )
    p.add_argument(
        "--rater",
        default="client",
        metavar="ROLE",
        help="client (default), partner, parent, teacher, ...",
    )

    p = command("pin", "the therapist's PIN, which leaves client mode", cmd_pin_set)
    pin_commands = p.add_subparsers(title="commands", metavar="COMMAND", required=True)
    command(
        "set",
        "set or change the PIN (read twice; from standard input when it is not a terminal)",
        cmd_pin_set,
        pin_commands,
    )

    p = command("etr", "the expected treatment response: is each client on track?", cmd_etr_show)
    p.set_defaults(json=False)
    etr_commands = p.add_subparsers(title="commands", metavar="COMMAND")

    q = command(
        "fit",
        "re-fit the expected path from your own clients (30 or more needed)",
        cmd_etr_fit,
        etr_commands,
    )
    q.add_argument("--yes", action="store_true", help="use the fitted path without asking")
    q.add_argument("--json", action="store_true", help="print JSON (saves only with --yes)")
    q = command(
        "show",
        "the model in use, its parameters and where they come from",
        cmd_etr_show,
        etr_commands,
    )
    q.add_argument("--json", action="store_true", help="print JSON")
    command("reset", "go back to fittui's default model", cmd_etr_reset, etr_commands)

    p = command("demo", "make a demo database of fictional clients and open it", cmd_demo)
    p.add_argument("--path", metavar="DIR", help="folder for the demo database")
    p.add_argument("--no-open", action="store_true", help="make the database, do not open the app")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.read_only = getattr(args, "read_only", False)
    try:
        return args.func(args)
    except (InputError, InstrumentError, StorageError, CliError) as exc:
        for line in str(exc).splitlines():
            print(f"fittui: error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # no traceback ever reaches a user
        print(f"fittui: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("fittui: please report this, with the command you ran", file=sys.stderr)
        return EXIT_BAD_INPUT
