"""``fittui report``: one line per client (status, change, flags), or with ``--summary`` the
practice's outcome summary for a period.

``report --json`` is printed by ``caseload.py`` (as kept beside the data, while that
holds), which imports this module only for the rows it derives (:func:`json_rows`).
"""

from __future__ import annotations

# Not typing's: typing costs a command 2 ms to import, argparse, datetime and the
# commands' common module another 4; each function imports what it uses, so deriving the
# rows for caseload.py loads only what that needs. mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from datetime import date
    from typing import Any

    from fittui.cli.commands import Commands
    from fittui.storage.derived import Rules
    from fittui.storage.store import Store


def register(commands: Commands) -> None:
    """``report`` and its arguments, the summary's among them."""
    p = commands.add("report", cmd_report)
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


def cmd_report(args: argparse.Namespace) -> int:
    if args.summary:
        if args.wide:  # the summary has no narrow form to widen
            args.usage_error("--wide goes with the report of clients, not with --summary")
        return cmd_summary(args)
    if args.start or args.end or args.by_mode:
        args.usage_error("--from, --to and --by-mode go with --summary")
    if args.json:
        from fittui.cli.caseload import print_caseload

        return print_caseload(args.db, args.read_only, "report")
    from datetime import date

    from fittui.cli.common import EXIT_OK, instruments, open_store, settings
    from fittui.cli.output import print_lines
    from fittui.domain.etr import load_parameters
    from fittui.domain.overview import episode_caseload, report_lines
    from fittui.storage.locations import config_dir

    store = open_store(args)
    known = instruments()
    with_episodes = episode_caseload(
        store.clients(),
        store.administrations_by_client(),
        known,
        load_parameters(config_dir()),
        events_by_client=store.episode_events_by_client(),
        gap_days=settings().gap_days,
        today=date.today(),
    )
    rows = [(c, s) for c, _, s in with_episodes]
    if not rows:
        print("No clients yet.")
        return EXIT_OK
    print_lines(report_lines(rows, known, wide=args.wide))
    return EXIT_OK


def json_rules() -> tuple[Rules, bool]:
    """The caseload's rules from your files; a file that cannot be read is an error."""
    from fittui.cli.common import caseload_rules, instruments

    return caseload_rules(instruments()), True


def json_rows(store: Store, rules: Rules, today: date) -> list[dict[str, Any]]:
    """Each client's line of ``report --json``, as kept beside the data."""
    return [row["report"] for _, row in store.client_row_docs(rules, today).values()]


def cmd_summary(args: argparse.Namespace) -> int:
    from datetime import date

    from fittui.cli.common import EXIT_OK, CliError, day, instruments, open_store, settings
    from fittui.cli.output import dump_json, print_table
    from fittui.domain.outcomes import Period, outcome_summary, reference_with, summary_rows

    period = Period(day(args.start, "--from"), day(args.end, "--to"))
    if period.start and period.end and period.start > period.end:
        raise CliError(f"--from {period.start} is after --to {period.end}")
    chosen = settings()
    store = open_store(args)
    summary = outcome_summary(
        store.clients(),
        store.administrations_by_client(),
        instruments(),
        period,
        events_by_client=store.episode_events_by_client(),
        gap_days=chosen.gap_days,
        today=date.today(),
        reference=reference_with(chosen.reference_sd),
    )
    modes = None
    if args.by_mode:
        from fittui.domain.mode_summary import by_mode

        modes = by_mode(store.administrations(), instruments(), period)
    if args.json:
        data = summary.to_json()
        if modes is not None:
            data["by_mode"] = [m.to_json() for m in modes]
        dump_json(data)
        return EXIT_OK
    print(f"Outcome summary, {period.describe()}")
    print_table(["FIGURE", "VALUE", ""], summary_rows(summary))
    reference = summary.reference
    print(
        "Effect sizes: episodes with an intake below the cut-off, mean change divided by\n"
        f"the reference SD of {reference.reference_sd:g} points, with a 95% confidence "
        f"interval (CI);\nnone below n = {reference.minimum_n}."
    )
    if modes is not None:
        from fittui.domain.mode_summary import CAUTION, mode_rows

        print("\nBy how the ratings were taken (the client's own, 40-point scales)")
        print_table(["MODE", "ORS", "MEAN", "SRS", "MEAN", "SRS<36"], mode_rows(modes))
        print(CAUTION)
    return EXIT_OK
