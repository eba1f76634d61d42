"""The command line: parse, call the domain, print. No clinical logic lives here.

Exit status 0 on success, 1 for bad input or an unreadable database (one line on stderr
saying what and where), 2 for wrong usage. Textual and plotext are imported only by the
commands that draw, so ``fittui record`` starts as fast as ``fittui --version``; fittui's own
modules only inside the commands that use them, so ``--version`` and ``--help`` load
argparse and little else (a fresh interpreter pays for every import, and these run often).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fittui import __version__

if TYPE_CHECKING:
    from datetime import date

    from fittui.domain.episodes import Episode
    from fittui.domain.etr import Course, Parameters
    from fittui.domain.instruments import Instrument
    from fittui.domain.model import Administration, Client
    from fittui.domain.scoring import Summary
    from fittui.formats.chart import Legend
    from fittui.storage.backup import Restored
    from fittui.storage.settings import Settings
    from fittui.storage.store import Store

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report on one line and exit 1."""


def _instruments() -> dict[str, Instrument]:
    from fittui.domain.instruments import load_instruments
    from fittui.storage.locations import instruments_dir

    return load_instruments(instruments_dir())


def _exists(db: Path) -> bool:
    """A database is there when its snapshot or its journal is (young ones are all journal)."""
    return db.exists() or db.with_name(db.name + ".journal").exists()


def _database(args: argparse.Namespace, creates: bool = False) -> Path:
    """The database path; a path given with --db or FITTUI_DB must exist, unless the
    command is one that starts a database (a mistyped path never opens an empty practice).
    The default location is created by the first save, on a fresh machine too."""
    import shlex

    from fittui.storage.locations import db_path

    db = db_path(args.db)
    explicit = bool(args.db or os.environ.get("FITTUI_DB"))
    if explicit and not creates and not _exists(db):
        raise CliError(
            f"no database at {db}: check the path (--db or FITTUI_DB); to start a new "
            f"database there, add its first client: fittui --db {shlex.quote(str(db))} "
            "add-client CODE"
        )
    return db


def _say_if_created(db: Path, existed: bool) -> None:
    if not existed and _exists(db):
        print(f"Created a new database at {db}.")


def _store(args: argparse.Namespace, creates: bool = False) -> Store:
    from fittui.storage.store import Store

    store = Store(_database(args, creates), read_only=args.read_only)
    if not args.read_only:
        seal_daily_backups(store)
    return store


def seal_daily_backups(store: Store) -> None:
    """Encrypt the store's daily backups when settings.toml names an age public key."""
    from fittui.storage.locations import config_dir
    from fittui.storage.sealed import backup_sealer
    from fittui.storage.settings import load_settings

    settings_file = config_dir() / "settings.toml"
    recipient = load_settings(settings_file).backup_recipient
    if recipient:
        where = f"{settings_file}: backups.encrypt_to"
        store.storage.seal_backup = backup_sealer(recipient, where)


def _passphrase(confirm: bool) -> str:
    """The passphrase of an encrypted file: FITTUI_PASSPHRASE for scripts, else typed on
    the terminal (twice when encrypting, so a typo cannot lock a backup away). Never an
    argument: those are seen by every user of the machine and kept in shell history."""
    given = os.environ.get("FITTUI_PASSPHRASE")
    if given:
        return given
    if not sys.stdin.isatty():
        raise CliError("a passphrase is needed: run this on a terminal, or set FITTUI_PASSPHRASE")
    import getpass

    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise CliError("the two passphrases differ; nothing was written")
    return first


def _unsealed(data: bytes, source: Path, identity: str | None) -> bytes:
    """The plain content of an age file: with the passphrase, or with --identity's key."""
    from fittui.storage.sealed import needs_passphrase, open_with_identity, open_with_passphrase

    if needs_passphrase(data):
        return open_with_passphrase(data, _passphrase(confirm=False), str(source))
    if identity is None:
        raise CliError(
            f"{source} is encrypted to a backup key: add --identity KEYFILE "
            "(the file fittui backup-key wrote)"
        )
    return open_with_identity(data, Path(identity).expanduser(), str(source))


def _settings() -> Settings:
    from fittui.storage.locations import config_dir
    from fittui.storage.settings import load_settings

    return load_settings(config_dir() / "settings.toml")


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    from fittui.domain.outside import shown

    table = [[shown(str(c)) for c in row] for row in (headers, *rows)]
    widths = [max(len(c) for c in col) for col in zip(*table)]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _dump_json(data: object) -> None:
    import json

    print(json.dumps(data, indent=2, ensure_ascii=False))


# -- commands -----------------------------------------------------------------------------
def cmd_clients(args: argparse.Namespace) -> int:
    store = _store(args)
    by_client = store.administrations_by_client()
    rows: list[dict[str, Any]] = []
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


def _session_words(client: Client) -> str:
    """What the client rates at the start of a session, for the confirmation line."""
    from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP

    if client.instruments:
        return ", ".join(client.instruments)
    return f"{DEFAULTS_BY_AGE_GROUP[client.age_group][0]} (the age group's default)"


def cmd_add_client(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import parse_instrument_list

    keys = parse_instrument_list(_instruments(), args.instruments or "")
    store = _store(args, creates=True)
    existed = _exists(store.path)
    client = store.add_client(args.code, args.age_group, args.label or "", keys)
    _say_if_created(store.path, existed)
    print(
        f"Added client {client.code} ({client.age_group}); a session starts with "
        f"{_session_words(client)}."
    )
    return EXIT_OK


def cmd_edit_client(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import parse_instrument_list

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


def cmd_link(args: argparse.Namespace) -> int:
    first, second = _store(args).link(args.code, args.other)
    print(
        f"Linked {first.code} and {second.code} as one case: their SRS in the same session "
        "are compared for a split alliance."
    )
    return EXIT_OK


def cmd_unlink(args: argparse.Namespace) -> int:
    first, second = _store(args).unlink(args.code, args.other)
    print(f"{first.code} and {second.code} are separate cases again.")
    return EXIT_OK


def cmd_record(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import find_instrument
    from fittui.domain.model import check_mode, check_not_future, check_rater, parse_when

    instrument = find_instrument(_instruments(), args.instrument)
    items = instrument.parse_scores(args.scores)
    when = check_not_future(parse_when(args.date)) if args.date else None
    rater = check_rater(args.rater)
    mode = check_mode(args.mode)
    store = _store(args)
    store.client(args.code)
    saved = store.record(args.code, instrument, items, when, rater, args.note or "", mode)
    total = instrument.format_score(saved.total)
    print(f"Saved {instrument.key} for {args.code} on {saved.date}: total {total}.")
    _say_same_session(saved, store.administrations(saved.client))
    return EXIT_OK


def _say_same_session(
    a: Administration, administrations: list[Administration], earlier_only: bool = True
) -> None:
    """One line per other rating that makes one session with ``a`` (same instrument, rater
    and day): the later one counts unless both are kept on purpose, so the therapist can
    void the one that is wrong."""
    from fittui.domain.model import REPLACED_SAME_DAY, same_session

    for other in same_session(a, administrations, earlier_only):
        print(
            f"Note: {a.client} also has {other.instrument} by {other.rater} on {other.day} "
            f"(id {other.id}, saved as {other.date}): one session, the later rating counts. "
            f"'fittui void {other.id} --reason \"{REPLACED_SAME_DAY}\"' records that it "
            "was replaced."
        )


def _note_cell(a: Administration) -> str:
    """The note, after the mark of a voided rating and what a correction changed."""
    from fittui.domain.model import correction_words

    parts = [f"VOIDED ({a.voided.reason})" if a.voided else ""]
    parts.append(f"({correction_words(a)})" if a.corrections else "")
    return " ".join(part for part in (*parts, a.note) if part)


def cmd_history(args: argparse.Namespace) -> int:
    from datetime import date

    from fittui.domain.display import score_format
    from fittui.domain.episodes import current_ratings
    from fittui.domain.etr import ZONE_WORDS, load_parameters
    from fittui.domain.instruments import format_tenths
    from fittui.domain.outside import shown
    from fittui.domain.overview import findings_lines, history_json
    from fittui.domain.scoring import chronological, summarize
    from fittui.storage.locations import config_dir

    store = _store(args)
    client = store.client(args.code)
    administrations = store.administrations(client.code)
    record = store.all_administrations(client.code)
    instruments = _instruments()
    etr_params = load_parameters(config_dir())
    gap_days = _settings().gap_days
    episodes, current = current_ratings(
        administrations, store.episode_events(client.code), gap_days, date.today()
    )
    summary = summarize(
        client,
        current,
        instruments,
        etr_params=etr_params,
        linked=store.linked_administrations(client),
        today=date.today(),
    )
    if args.json:
        _dump_json(history_json(client, record, summary))
        return EXIT_OK
    if not record:
        print(f"{client.code}: no administrations yet.")
        return EXIT_OK
    findings = findings_lines(summary, instruments)
    for line in findings:
        print(shown(line))
    if findings:
        print()

    def score(a: Administration, tenths: int) -> str:
        return score_format(a, instruments)(tenths)

    _print_table(
        ["DATE", "INSTRUMENT", "RATER", "ITEMS", "TOTAL", "NOTE", "ID"],
        [
            [
                a.date,
                a.instrument,
                a.taken_by,
                " ".join(score(a, v) for v in a.items.values()),
                score(a, a.total),
                _note_cell(a),
                a.id,
            ]
            for a in chronological(record)
        ],
    )
    if not administrations:
        return EXIT_OK
    if len(episodes) > 1:
        print()
        for episode in episodes:
            print(episode.describe(gap_days))
        print("Figures and the chart are of the current episode.")
    if summary.etr_zones:
        last = summary.etr_zones[-1]
        print(
            f"\nExpected treatment response at session {last.session}: "
            f"{ZONE_WORDS[last.zone][1]} (ORS {format_tenths(last.administration.total)}, "
            f"expected {format_tenths(last.expected)}, band down to {format_tenths(last.lower)}). "
            "Decision support, not a prediction."
        )
    _print_chart(client, current, summary, sys.stdout.isatty())
    return EXIT_OK


def _print_chart(
    client: Client,
    administrations: list[Administration],
    summary: Summary,
    colors: bool,
) -> None:
    """The ORS and SRS chart, then one chart per symptom measure (PHQ-9, GAD-7) rated: in
    colour on a terminal, as plain text when piped or saved."""
    import shutil

    import plotext

    from fittui.formats.chart import (
        CHILD_SCALE,
        canvas_rows,
        chart_scale,
        draw_history,
        draw_symptoms,
        legend_text,
    )

    instruments = _instruments()
    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    plotext.limit_size(False, False)  # the height asked for: the rows the points are placed on

    def show(legend: list[Legend]) -> None:
        chart = plotext.build()
        print()
        print(chart if colors else plotext.uncolorize(chart))
        print(legend_text(legend))

    plotext.clear_figure()
    plotext.theme("clear")
    plotext.plotsize(width, 16)
    young = chart_scale(administrations, instruments) == CHILD_SCALE
    what = "young child's faces, 0 to 10" if young else "ORS and SRS totals"
    plotext.title(f"{client.code}: {what} by session")
    legend = draw_history(
        plotext,
        administrations,
        instruments,
        summary.cutoff,
        colors=colors,
        intake=summary.progress.intake.total if summary.progress else None,
        reliable=summary.reliable,
        etr=summary.expected_path,
        rows=canvas_rows(16),
    )
    if legend:
        show(legend)
    for key in summary.symptoms:
        plotext.clear_figure()
        plotext.theme("clear")
        plotext.plotsize(width, 14)
        plotext.title(f"{client.code}: {key} totals, with the severity bands")
        show(
            draw_symptoms(
                plotext, administrations, instruments[key], colors=colors, rows=canvas_rows(14)
            )
        )


def cmd_void(args: argparse.Namespace) -> int:
    a = _store(args).void(args.id, args.reason)
    assert a.voided is not None, "void returns the rating as voided"
    print(
        f"Voided {a.instrument} of {a.client} on {a.date} by {a.rater} ({a.voided.reason}): "
        f"it counts nowhere now and stays in the history. 'fittui unvoid {a.id}' restores it."
    )
    return EXIT_OK


def cmd_unvoid(args: argparse.Namespace) -> int:
    store = _store(args)
    a = store.unvoid(args.id)
    print(f"Restored {a.instrument} of {a.client} on {a.date} by {a.rater}: it counts again.")
    _say_same_session(a, store.administrations(a.client), earlier_only=False)
    return EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    store = _store(args)
    a = store.move(args.id, args.code)
    print(
        f"Moved {a.instrument} of {a.date} by {a.rater} from {a.corrections[-1].old} to "
        f"{a.client}; the old client is kept in the rating's corrections."
    )
    _say_same_session(a, store.administrations(a.client), earlier_only=False)
    return EXIT_OK


def cmd_redate(args: argparse.Namespace) -> int:
    store = _store(args)
    a = store.redate(args.id, args.date)
    print(
        f"Redated {a.instrument} of {a.client} by {a.rater} from {a.corrections[-1].old} to "
        f"{a.date}; the old date is kept in the rating's corrections."
    )
    _say_same_session(a, store.administrations(a.client), earlier_only=False)
    return EXIT_OK


def _day(text: str | None, option: str) -> date | None:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def cmd_summary(args: argparse.Namespace) -> int:
    from datetime import date

    from fittui.domain.outcomes import Period, outcome_summary, reference_with, summary_rows

    period = Period(_day(args.start, "--from"), _day(args.end, "--to"))
    if period.start and period.end and period.start > period.end:
        raise CliError(f"--from {period.start} is after --to {period.end}")
    settings = _settings()
    store = _store(args)
    summary = outcome_summary(
        store.clients(),
        store.administrations_by_client(),
        _instruments(),
        period,
        events_by_client=store.episode_events_by_client(),
        gap_days=settings.gap_days,
        today=date.today(),
        reference=reference_with(settings.reference_sd),
    )
    modes = None
    if args.by_mode:
        from fittui.domain.mode_summary import CAUTION, by_mode, mode_rows

        modes = by_mode(store.administrations(), _instruments(), period)
    if args.json:
        data = summary.to_json()
        if modes is not None:
            data["by_mode"] = [m.to_json() for m in modes]
        _dump_json(data)
        return EXIT_OK
    print(f"Outcome summary, {period.describe()}")
    _print_table(["FIGURE", "VALUE", ""], summary_rows(summary))
    reference = summary.reference
    print(
        "Effect sizes: episodes with an intake below the cut-off, mean change divided by\n"
        f"the reference SD of {reference.reference_sd:g} points, with a 95% confidence "
        f"interval (CI);\nnone below n = {reference.minimum_n}."
    )
    if modes is not None:
        print("\nBy how the ratings were taken (the client's own, 40-point scales)")
        _print_table(["MODE", "ORS", "MEAN", "SRS", "MEAN", "SRS<36"], mode_rows(modes))
        print(CAUTION)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from fittui.domain.etr import load_parameters
    from fittui.domain.outside import shown
    from fittui.domain.overview import episode_caseload, report_lines, report_row
    from fittui.storage.locations import config_dir

    if args.summary:
        return cmd_summary(args)
    if args.start or args.end or args.by_mode:
        args.usage_error("--from, --to and --by-mode go with --summary")
    store = _store(args)
    instruments = _instruments()
    with_episodes = episode_caseload(
        store.clients(),
        store.administrations_by_client(),
        instruments,
        load_parameters(config_dir()),
        events_by_client=store.episode_events_by_client(),
        gap_days=_settings().gap_days,
        today=date.today(),
    )
    if args.json:
        _dump_json([report_row(c, s, e, instruments) for c, e, s in with_episodes])
        return EXIT_OK
    rows = [(c, s) for c, _, s in with_episodes]
    if not rows:
        print("No clients yet.")
        return EXIT_OK
    for line in report_lines(rows, _instruments(), wide=args.wide):
        print(shown(line))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from fittui.formats.importing import plan_import_file, read_import_file
    from fittui.storage.sealed import AGE_SUFFIX, is_sealed

    path = Path(args.file)
    store = _store(args, creates=True)
    existed = _exists(store.path)
    known = {c.code: c for c in store.clients()}
    raw, name = read_import_file(path), str(path)
    if is_sealed(raw):
        raw = _unsealed(raw, path, args.identity)
        name = name.removesuffix(AGE_SUFFIX)
    plan = plan_import_file(raw, name, _instruments(), known)
    clients, added = store.import_batch(plan.new_clients, plan.administrations)
    _say_if_created(store.path, existed)
    skipped = len(plan.administrations) - len(added)
    print(
        f"Imported {len(added)} administrations and {len(clients)} new clients from {path}"
        + (f"; {skipped} already in the database were skipped." if skipped else ".")
    )
    counted = store.administrations_by_client({a.client for a in added})
    for a in added:
        if a.voided is None:
            _say_same_session(a, counted.get(a.client, []))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    import json
    from datetime import date

    from fittui.formats import export

    store = _store(args)
    clients = [store.client(args.client)] if args.client else store.clients()
    # The files carry the whole record, voided ratings flagged; the page shows what counts.
    administrations = store.all_administrations(args.client)
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
        from fittui.domain.episodes import current_ratings
        from fittui.domain.scoring import summarize

        [client] = clients
        administrations = store.administrations(client.code)
        _, current = current_ratings(
            administrations, store.episode_events(client.code), _settings().gap_days, date.today()
        )
        summary = summarize(client, current, instruments)
        text = export.client_page(client, current, instruments, summary, date.today())
    if args.output in (None, "-"):
        if args.encrypt:
            raise CliError("--encrypt writes a file: add -o FILE (e.g. export.csv.age)")
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(args.output).expanduser()
    if target.is_dir():
        raise CliError(f"{target} is a folder; give a file name")
    data = text.encode()
    if args.encrypt:
        from fittui.storage.sealed import seal_with_passphrase

        data = seal_with_passphrase(data, _passphrase(confirm=True))
    from fittui.storage.journal import write_file_atomically

    try:
        write_file_atomically(target, data)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror or exc}") from None
    how = ", encrypted with your passphrase" if args.encrypt else ""
    print(f"Wrote {target} ({args.format}{how}, readable by you only).")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from datetime import datetime

    from fittui.storage.backup import backup_database
    from fittui.storage.locations import db_path

    folder = Path(args.to).expanduser() if args.to else None
    db = db_path(args.db)
    if args.encrypt:
        from fittui.storage.locations import backups_dir
        from fittui.storage.sealed import sealed_backup

        if not _exists(db):
            raise CliError(f"no database at {db}: nothing to back up")
        passphrase = _passphrase(confirm=True)
        target = sealed_backup(db, datetime.now(), folder or backups_dir(db), passphrase)
        print(f"Backed up {db} to {target}, encrypted with your passphrase.")
        print("Without the passphrase nobody can read it, you included: keep it safe.")
        return EXIT_OK
    target = backup_database(db, datetime.now(), folder)
    print(f"Backed up {db} to {target}.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from datetime import datetime

    from fittui.storage.backup import restore_database

    if args.read_only:
        raise CliError("restore replaces the database; it cannot run with --read-only")
    db = _database(args, creates=True)
    existed = _exists(db)
    source = Path(args.file).expanduser()
    done = _restore(
        db, source, args.identity, lambda file: restore_database(db, file, datetime.now())
    )
    _say_if_created(db, existed)
    print(
        f"Restored {done.clients} clients and {done.administrations} administrations "
        f"from {args.file} into {db}."
    )
    if done.kept:
        print(f"The database as it was is kept in {done.kept}.")
    return EXIT_OK


def _restore(
    db: Path, source: Path, identity: str | None, restore: Callable[[Path], Restored]
) -> Restored:
    """``restore(source)``; an age file is opened first, into a private folder beside the
    database (no new place on the disk sees the data) that is removed afterwards."""

    import shutil
    import tempfile

    from fittui.storage.errors import StorageError
    from fittui.storage.journal import write_file_atomically
    from fittui.storage.locations import make_private_dir
    from fittui.storage.sealed import is_sealed

    try:
        with source.open("rb") as f:
            sealed = is_sealed(f.read(64))
    except OSError:
        sealed = False  # restore_database says what is wrong with the file
    if not sealed:
        return restore(source)
    plain = _unsealed(source.read_bytes(), source, identity)
    make_private_dir(db.parent)
    folder = Path(tempfile.mkdtemp(prefix=".fittui-restore-", dir=db.parent))
    try:
        opened = folder / "fittui.json"
        write_file_atomically(opened, plain)
        try:
            return restore(opened)
        except StorageError as exc:
            raise StorageError(str(exc).replace(str(opened), str(source))) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cmd_backup_key(args: argparse.Namespace) -> int:
    import shlex

    from fittui.storage.locations import config_dir
    from fittui.storage.sealed import make_backup_key

    target = Path(args.file).expanduser()
    public = make_backup_key(target)
    print(f"Wrote a new secret backup key to {target} (readable by you only).")
    print("Keep a copy away from this laptop: without it the encrypted backups cannot be read.")
    print(f"To encrypt the daily backups, add to {config_dir() / 'settings.toml'}:")
    print(f'\n[backups]\nencrypt_to = "{public}"\n')
    print(f"Restore one with: fittui restore BACKUP --identity {shlex.quote(str(target))}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    import shlex
    from datetime import date

    from fittui.storage.demo import make_demo_database
    from fittui.storage.locations import db_path

    if args.read_only:
        raise CliError("demo writes a database; it cannot run with --read-only")
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
    return _run_app(args)


def _run_app(args: argparse.Namespace, **options: Any) -> int:
    from fittui.ui.app import make_app

    app = make_app(_database(args), read_only=args.read_only, **options)
    app.run()
    return app.return_code or EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(args)


def cmd_rate(args: argparse.Namespace) -> int:
    from fittui.domain.instruments import find_instrument
    from fittui.domain.model import check_rater

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
    from fittui.storage.locations import config_dir
    from fittui.storage.settings import PinHash, check_pin, save_pin

    pin, again = _read_pin_twice()
    check_pin(pin)
    if again != pin:
        raise CliError("the two PINs differ; nothing was changed")
    path = config_dir() / "settings.toml"
    save_pin(path, PinHash.make(pin))
    print(f"Therapist PIN set; only a salted hash of it is kept, in {path}.")
    return EXIT_OK


def _episode_day(text: str | None) -> str:
    """An episode event's day: a date given on the command line, or today; never later."""
    from datetime import date

    day = _day(text, "--date") or date.today()
    if day > date.today():
        raise CliError(f"--date {day} is in the future")
    return day.isoformat()


def _client_episodes(store: Store, code: str) -> list[Episode]:
    from datetime import date

    from fittui.domain.episodes import split_episodes

    return split_episodes(
        store.administrations(code),
        store.episode_events(code),
        _settings().gap_days,
        date.today(),
    )


def cmd_episode_start(args: argparse.Namespace) -> int:
    from fittui.domain.episodes import check_start

    store = _store(args)
    store.client(args.code)
    day = _episode_day(args.date)
    before = _client_episodes(store, args.code)
    check_start(before, day)
    store.add_episode_event(args.code, "start", day)
    print(f"Started episode {len(before) + 1} for {args.code} on {day}.")
    return EXIT_OK


def cmd_episode_end(args: argparse.Namespace) -> int:
    from fittui.domain.episodes import REASON_WORDS, check_end

    store = _store(args)
    store.client(args.code)
    day = _episode_day(args.date)
    episode = check_end(_client_episodes(store, args.code), day, args.reason)
    store.add_episode_event(args.code, "end", day, args.reason)
    change = " (changed from how it had ended)" if episode.closed else ""
    print(
        f"Ended episode {episode.number} for {args.code} on {day}: "
        f"{REASON_WORDS[args.reason]}{change}."
    )
    return EXIT_OK


def cmd_episode_list(args: argparse.Namespace) -> int:
    from fittui.domain.overview import episode_json

    store = _store(args)
    store.client(args.code)
    episodes = _client_episodes(store, args.code)
    if args.json:
        _dump_json({"client": args.code, "episodes": [episode_json(e) for e in episodes]})
        return EXIT_OK
    if not episodes:
        print(f"{args.code}: no episode yet (it starts with the first rating).")
        return EXIT_OK
    gap = _settings().gap_days
    _print_table(
        ["EPISODE", "START", "END", "SESSIONS", "HOW IT ENDED"],
        [
            [
                str(e.number),
                e.start,
                e.end or "-",
                str(e.sessions),
                e.describe(gap).split(", ", 1)[1] if e.closed else "open",
            ]
            for e in episodes
        ],
    )
    return EXIT_OK


def cmd_form(args: argparse.Namespace) -> int:
    from datetime import date

    from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, find_instrument
    from fittui.formats.home_form import write_form, write_private_text

    store = _store(args)
    client = store.client(args.code)
    instruments = _instruments()
    key = args.instrument or (client.instruments or DEFAULTS_BY_AGE_GROUP[client.age_group])[0]
    instrument = find_instrument(instruments, key)
    written = write_form(store, client.code, instrument, date.today(), _settings().form_days)
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
    from datetime import date

    from fittui.formats.home_form import read_code, save_entry

    store = _store(args)
    entry = read_code(store, args.code, _instruments(), date.today(), _settings().form_days)
    print(f"To save: {entry.describe()}.")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not saved: add --yes to save without being asked")
        if input("Save it? [y/N] ").strip().lower() not in {"y", "yes"}:
            print("Not saved.")
            return EXIT_OK
    saved = save_entry(store, entry)
    print(f"Saved {saved.instrument} for {saved.client} on {saved.date} (home form).")
    return EXIT_OK


def _closed_courses(
    args: argparse.Namespace, instruments: dict[str, Instrument], params: Parameters
) -> list[Course]:
    """Every closed episode of care the expected path can judge, archived clients too."""
    from datetime import date

    from fittui.domain import etr
    from fittui.domain.episodes import split_episodes

    store = _store(args)
    by_client = store.administrations_by_client()
    events = store.episode_events_by_client()
    gap, today = _settings().gap_days, date.today()
    episodes = [
        (client.code, client.age_group, episode)
        for client in store.clients()
        for episode in split_episodes(
            by_client.get(client.code, []), events.get(client.code, []), gap, today
        )
    ]
    return etr.closed_courses(episodes, instruments, params)


def cmd_etr_check(args: argparse.Namespace) -> int:
    from fittui.domain import etr
    from fittui.storage.locations import config_dir

    params = etr.load_parameters(config_dir())
    test = etr.back_test(_closed_courses(args, _instruments(), params), params)
    if args.json:
        _dump_json({"model": params.source, **etr.back_test_json(test)})
        return EXIT_OK
    print(f"The expected path ({params.source}) replayed on your closed episodes:")
    print("\n".join(etr.back_test_rows([("in use", test)])))
    print()
    print("\n".join(etr.BACK_TEST_WORDS))
    print(etr.DISCLAIMER)
    return EXIT_OK


def cmd_etr_fit(args: argparse.Namespace) -> int:
    from datetime import date

    from fittui.domain import etr
    from fittui.domain.model import InputError
    from fittui.storage import etr_files
    from fittui.storage.locations import config_dir

    instruments = _instruments()
    default = etr.default_parameters()
    folder = config_dir()
    try:
        current = etr.load_parameters(folder)
    except InputError as problem:
        print(f"{problem}; comparing with the default model.", file=sys.stderr)
        current = default
    courses = _closed_courses(args, instruments, default)
    result = etr.fit(courses, default, today=date.today().isoformat())
    checks = (etr.back_test(courses, current), etr.back_test(courses, result.parameters))
    if args.json:
        saved = etr_files.save_parameters(result.parameters, folder) if args.yes else None
        _dump_json(
            {
                "clients": result.clients,
                "ratings": result.ratings,
                "in_use": etr.parameters_json(current),
                "fitted": etr.parameters_json(result.parameters),
                "check_in_use": etr.back_test_json(checks[0]),
                "check_fitted": etr.back_test_json(checks[1]),
                "saved_to": str(saved) if saved else None,
            }
        )
        return EXIT_OK
    print(etr.compare(result, current, checks))
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
    path = etr_files.save_parameters(result.parameters, folder)
    print(f"Saved to {path}: every later run uses your practice's path.")
    print("'fittui etr reset' goes back to the default model.")
    return EXIT_OK


def cmd_etr_show(args: argparse.Namespace) -> int:
    from fittui.domain import etr
    from fittui.storage.locations import config_dir

    params = etr.load_parameters(config_dir())
    if args.json:
        _dump_json(etr.parameters_json(params))
    else:
        print(etr.describe(params))
    return EXIT_OK


def cmd_etr_reset(args: argparse.Namespace) -> int:
    from fittui.domain import etr
    from fittui.storage import etr_files
    from fittui.storage.locations import config_dir

    folder = config_dir()
    if etr_files.reset_parameters(folder):
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

    def command(
        name: str,
        help: str,
        func: Callable[[argparse.Namespace], int],
        under: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
    ) -> argparse.ArgumentParser:
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

    p = command(
        "link", "link two clients as one case (a couple or family under two codes)", cmd_link
    )
    p.add_argument("code", metavar="CODE")
    p.add_argument("other", metavar="OTHER")

    p = command("unlink", "make two linked clients separate cases again", cmd_unlink)
    p.add_argument("code", metavar="CODE")
    p.add_argument("other", metavar="OTHER")

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
    p.add_argument(
        "--mode",
        default="in_person",
        metavar="MODE",
        help="how it was taken: in_person (default), screen_share, spoken, remote_form, paper",
    )

    p = command("history", "a client's administrations, with a chart on a terminal", cmd_history)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command(
        "void",
        "mark a rating as entered in error: kept in the history, counted nowhere",
        cmd_void,
    )
    p.add_argument("id", metavar="ID", help="the rating's id (fittui history CODE)")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why, e.g. 'wrong client'")

    p = command("unvoid", "count a voided rating again", cmd_unvoid)
    p.add_argument("id", metavar="ID", help="the rating's id (fittui history CODE)")

    p = command("move", "give a rating saved under the wrong client to the right one", cmd_move)
    p.add_argument("id", metavar="ID", help="the rating's id (fittui history CODE)")
    p.add_argument("code", metavar="CODE", help="the client it belongs to")

    p = command("redate", "fix the date (and time) a rating was given", cmd_redate)
    p.add_argument("id", metavar="ID", help="the rating's id (fittui history CODE)")
    p.add_argument("date", metavar="DATE", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM, not in the future")

    p = command("report", "one line per client: status, change, flags", cmd_report)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--wide", action="store_true", help="every column (the default fits 80 columns)")
    p.add_argument("--summary", action="store_true", help="the practice's outcome summary instead")
    p.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="summary: clients seen from this day"
    )
    p.add_argument(
        "--to", dest="end", metavar="YYYY-MM-DD", help="summary: ... up to this day (inclusive)"
    )
    p.add_argument(
        "--by-mode",
        action="store_true",
        help="summary: also break the ratings down by how they were taken",
    )
    p.set_defaults(usage_error=p.error)

    p = command(
        "import",
        "import administrations from CSV or a fittui JSON export, all or nothing",
        cmd_import,
    )
    p.add_argument("file", metavar="FILE", help="a .csv file, or a .json file from fittui export")
    p.add_argument(
        "--identity",
        metavar="KEYFILE",
        help="the backup key, for a file encrypted to it (a passphrase is asked for)",
    )

    p = command("export", "write clients and ratings as CSV, JSON, FHIR or a page", cmd_export)
    p.add_argument("--format", required=True, choices=["csv", "json", "fhir", "html"])
    p.add_argument("--client", metavar="CODE", help="one client only (needed for html)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: print)")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt FILE with a passphrase (age format; asked for, or FITTUI_PASSPHRASE)",
    )
    p.set_defaults(usage_error=p.error)

    p = command("backup", "write a dated copy of the database", cmd_backup)
    p.add_argument("--to", metavar="DIR", help="folder for the copy (default: backups/)")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt the copy with a passphrase (age format; asked for, or FITTUI_PASSPHRASE)",
    )

    p = command(
        "backup-key",
        "make a key to encrypt the daily backups (see settings.toml [backups])",
        cmd_backup_key,
    )
    p.add_argument("file", metavar="FILE", help="where to write the secret key (a new file)")

    p = command(
        "restore", "replace the database with a backup, keeping the current one", cmd_restore
    )
    p.add_argument("file", metavar="FILE", help="a backup, e.g. from backups/")
    p.add_argument(
        "--identity",
        metavar="KEYFILE",
        help="the backup key, for a backup encrypted to it (a passphrase is asked for)",
    )

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

    p = command("episode", "a client's episodes of care: start, end, list", cmd_episode_list)
    episode_commands = p.add_subparsers(title="commands", metavar="COMMAND", required=True)
    q = command(
        "start",
        "start a new episode of care (the next rating is its intake)",
        cmd_episode_start,
        episode_commands,
    )
    q.add_argument("code", metavar="CODE")
    q.add_argument("--date", metavar="YYYY-MM-DD", help="the day it starts (default: today)")
    q = command("end", "end the current episode with a reason", cmd_episode_end, episode_commands)
    q.add_argument("code", metavar="CODE")
    q.add_argument(
        "--reason",
        required=True,
        choices=["planned", "dropout", "referred", "other"],
        help="planned ending, dropout (unplanned), referred on, or other",
    )
    q.add_argument("--date", metavar="YYYY-MM-DD", help="the day it ended (default: today)")
    q = command(
        "list", "a client's episodes and how each ended", cmd_episode_list, episode_commands
    )
    q.add_argument("code", metavar="CODE")
    q.add_argument("--json", action="store_true", help="print JSON")

    p = command("form", "write a rating form the client fills in at home (one HTML file)", cmd_form)
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "instrument",
        metavar="INSTRUMENT",
        nargs="?",
        help="what to rate (default: the client's first start-of-session instrument)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="where to write the page")

    p = command("enter", "save the code a client read back from a home form", cmd_enter)
    p.add_argument("code", metavar="'RESPONSE CODE'", help="e.g. 'ORS 5.5 7.0 10.0 0.0 · K7Q2-9F'")
    p.add_argument("--yes", action="store_true", help="save without asking (for scripts)")

    p = command("etr", "the expected treatment response: is each client on track?", cmd_etr_show)
    p.set_defaults(json=False)
    etr_commands = p.add_subparsers(title="commands", metavar="COMMAND")

    q = command(
        "fit",
        "re-fit the expected path from your closed episodes (30 or more needed)",
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
    q = command(
        "check",
        "replay your closed episodes with the model in use: sensitivity, false alarms",
        cmd_etr_check,
        etr_commands,
    )
    q.add_argument("--json", action="store_true", help="print JSON")

    p = command("demo", "make a demo database of fictional clients and open it", cmd_demo)
    p.add_argument("--path", metavar="DIR", help="folder for the demo database")
    p.add_argument("--no-open", action="store_true", help="make the database, do not open the app")
    return parser


# Commands that write a file (the database, a backup, a demo, a key, the model's settings):
# refused under --read-only. ``export`` reads the database and writes only where it is told.
WRITING_COMMANDS = frozenset(
    {
        cmd_add_client,
        cmd_edit_client,
        cmd_record,
        cmd_import,
        cmd_backup,
        cmd_restore,
        cmd_demo,
        cmd_rate,
        cmd_backup_key,
        cmd_etr_reset,
        cmd_form,
        cmd_enter,
    }
)


def _check_storage(args: argparse.Namespace) -> None:
    """Refuse a writing command under --read-only; warn about a database others can read."""
    from fittui.storage.locations import db_path

    writes = args.func in WRITING_COMMANDS or (args.func is cmd_etr_fit and args.yes)
    if args.read_only and writes:
        name = args.func.__name__.removeprefix("cmd_").replace("_", "-")
        raise CliError(f"'{name}' writes files; it cannot run with --read-only")
    from fittui.storage.locations import privacy_warnings

    for warning in privacy_warnings(db_path(args.db)):
        print(f"fittui: warning: {warning}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.read_only = getattr(args, "read_only", False)
    try:
        _check_storage(args)
        code: int = args.func(args)
        return code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # no traceback ever reaches a user
        return _failed(exc)


def _failed(exc: Exception) -> int:
    """Say what stopped a command, on stderr, and give its exit status.

    The error classes are imported here, not at the top, so that ``fittui --version`` and
    ``--help`` import nothing but argparse; a command that raised one has loaded it already.
    """
    from fittui.domain.instruments import InstrumentError
    from fittui.domain.model import InputError
    from fittui.domain.outside import shown
    from fittui.storage.errors import StorageError

    if isinstance(exc, InputError | InstrumentError | StorageError | CliError):
        for line in str(exc).splitlines():
            print(f"fittui: error: {shown(line)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if isinstance(exc, BrokenPipeError):
        sys.stderr.close()
        return EXIT_OK
    print(f"fittui: unexpected error: {type(exc).__name__}: {shown(str(exc))}", file=sys.stderr)
    print("fittui: please report this, with the command you ran", file=sys.stderr)
    return EXIT_BAD_INPUT
