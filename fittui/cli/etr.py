"""``fittui etr``: the expected treatment response's model: show it, check it on the
practice's closed episodes, re-fit it from them, or go back to fittui's default."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, confirmed, instruments, open_store, settings
from fittui.cli.output import dump_json

if TYPE_CHECKING:
    from fittui.domain.etr import Course, Parameters
    from fittui.domain.etr_practice import BackTest, FitResult
    from fittui.domain.instruments import Instrument


def register(commands: Commands) -> None:
    """``etr`` and the commands under it."""
    p = commands.add("etr", cmd_etr_show)
    p.set_defaults(json=False)
    under = commands.nested(p)
    p = under.add(
        "fit",
        cmd_etr_fit,
        "re-fit the expected path from your closed episodes (30 or more needed)",
        writes=lambda args: bool(args.yes),
    )
    p.add_argument("--yes", action="store_true", help="use the fitted path without asking")
    p.add_argument("--json", action="store_true", help="print JSON (saves only with --yes)")
    p = under.add("show", cmd_etr_show, "the model in use, its parameters and where they come from")
    p.add_argument("--json", action="store_true", help="print JSON")
    under.add("reset", cmd_etr_reset, "go back to fittui's default model", writes=True)
    p = under.add(
        "check",
        cmd_etr_check,
        "replay your closed episodes with the model in use: sensitivity, false alarms",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def _closed_courses(
    args: argparse.Namespace, known: dict[str, Instrument], params: Parameters
) -> list[Course]:
    """Every closed episode of care the expected path can judge, archived clients too."""
    from fittui.domain import etr
    from fittui.domain.episodes import split_episodes

    store = open_store(args)
    by_client = store.administrations_by_client()
    events = store.episode_events_by_client()
    gap, today = settings().gap_days, date.today()
    episodes = [
        (client.code, client.age_group, episode)
        for client in store.clients()
        for episode in split_episodes(
            by_client.get(client.code, []), events.get(client.code, []), gap, today
        )
    ]
    return etr.closed_courses(episodes, known, params)


def cmd_etr_check(args: argparse.Namespace) -> int:
    from fittui.domain import etr, etr_practice
    from fittui.storage.locations import config_dir

    params = etr.load_parameters(config_dir())
    test = etr_practice.back_test(_closed_courses(args, instruments(), params), params)
    if args.json:
        dump_json({"model": params.source, **etr_practice.back_test_json(test)})
        return EXIT_OK
    print(f"The expected path ({params.source}) replayed on your closed episodes:")
    print("\n".join(etr_practice.back_test_rows([("in use", test)])))
    print()
    print("\n".join(etr_practice.BACK_TEST_WORDS))
    print(etr.DISCLAIMER)
    return EXIT_OK


def _model_in_use(default: Parameters) -> Parameters:
    """The parameters fittui uses now; the default model when the user's file is broken."""
    from fittui.domain import etr
    from fittui.domain.model import InputError
    from fittui.storage.locations import config_dir

    try:
        return etr.load_parameters(config_dir())
    except InputError as problem:
        print(f"{problem}; comparing with the default model.", file=sys.stderr)
        return default


def cmd_etr_fit(args: argparse.Namespace) -> int:
    from fittui.domain import etr, etr_practice

    default = etr.default_parameters()
    current = _model_in_use(default)
    courses = _closed_courses(args, instruments(), default)
    result = etr_practice.fit(courses, default, today=date.today().isoformat())
    checks = (
        etr_practice.back_test(courses, current),
        etr_practice.back_test(courses, result.parameters),
    )
    if args.json:
        _print_fit_json(result, current, checks, save=args.yes)
        return EXIT_OK
    print(etr_practice.compare(result, current, checks))
    print()
    if args.yes:
        agreed = True
    elif sys.stdin.isatty() and sys.stdout.isatty():
        agreed = confirmed("Use your practice's path from now on? [y/N] ")
    else:
        print("Not saved. Run 'fittui etr fit --yes' to use your practice's path from now on.")
        return EXIT_OK
    if not agreed:
        print("Not saved: fittui keeps the model it was using.")
        return EXIT_OK
    from fittui.storage import etr_files
    from fittui.storage.locations import config_dir

    path = etr_files.save_parameters(result.parameters, config_dir())
    print(f"Saved to {path}: every later run uses your practice's path.")
    print("'fittui etr reset' goes back to the default model.")
    return EXIT_OK


def _print_fit_json(
    result: FitResult, current: Parameters, checks: tuple[BackTest, BackTest], save: bool
) -> None:
    """The fit as JSON, saved first when ``save`` (--yes)."""
    from fittui.domain import etr_practice
    from fittui.storage import etr_files
    from fittui.storage.locations import config_dir

    saved = etr_files.save_parameters(result.parameters, config_dir()) if save else None
    dump_json(
        {
            "clients": result.clients,
            "ratings": result.ratings,
            "in_use": etr_practice.parameters_json(current),
            "fitted": etr_practice.parameters_json(result.parameters),
            "check_in_use": etr_practice.back_test_json(checks[0]),
            "check_fitted": etr_practice.back_test_json(checks[1]),
            "saved_to": str(saved) if saved else None,
        }
    )


def cmd_etr_show(args: argparse.Namespace) -> int:
    from fittui.domain import etr, etr_practice
    from fittui.storage.locations import config_dir

    params = etr.load_parameters(config_dir())
    if args.json:
        dump_json(etr_practice.parameters_json(params))
    else:
        print(etr_practice.describe(params))
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
