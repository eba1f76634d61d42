"""``fittui episode``: start and end a client's episodes of care, and list them."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, CliError, day, open_store, settings
from fittui.cli.output import dump_json, print_table

if TYPE_CHECKING:
    from fittui.domain.episodes import Episode
    from fittui.storage.store import Store


def register(commands: Commands) -> None:
    """``episode`` and the commands under it."""
    under = commands.nested(commands.add("episode", cmd_episode_list), required=True)
    p = under.add(
        "start",
        cmd_episode_start,
        "start a new episode of care (the next rating is its intake)",
        writes=True,
    )
    p.add_argument("code", metavar="CODE")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day it starts (default: today)")
    p = under.add("end", cmd_episode_end, "end the current episode with a reason", writes=True)
    p.add_argument("code", metavar="CODE")
    p.add_argument(
        "--reason",
        required=True,
        choices=["planned", "dropout", "referred", "other"],
        help="planned ending, dropout (unplanned), referred on, or other",
    )
    p.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="the day it ended (default: today; for an episode that has ended, that day)",
    )
    p = under.add("list", cmd_episode_list, "a client's episodes and how each ended")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true", help="print JSON")


def _episode_day(text: str | None) -> str:
    """An episode event's day: a date given on the command line, or today; never later."""
    chosen = day(text, "--date") or date.today()
    if chosen > date.today():
        raise CliError(f"--date {chosen} is in the future")
    return chosen.isoformat()


def _client_episodes(store: Store, code: str) -> list[Episode]:
    from fittui.domain.episodes import split_episodes

    return split_episodes(
        store.administrations(code),
        store.episode_events(code),
        settings().gap_days,
        date.today(),
    )


def cmd_episode_start(args: argparse.Namespace) -> int:
    from fittui.domain.episodes import check_start

    store = open_store(args)
    store.client(args.code)
    when = _episode_day(args.date)
    before = _client_episodes(store, args.code)
    check_start(before, when)
    store.add_episode_event(args.code, "start", when)
    print(f"Started episode {len(before) + 1} for {args.code} on {when}.")
    return EXIT_OK


def cmd_episode_end(args: argparse.Namespace) -> int:
    from fittui.domain.episodes import REASON_WORDS, check_end

    store = open_store(args)
    store.client(args.code)
    episodes = _client_episodes(store, args.code)
    latest = episodes[-1] if episodes else None
    if args.date is None and latest is not None and latest.end is not None:
        when = latest.end  # a change to how it ended, not to when (as x in the history)
    else:
        when = _episode_day(args.date)
    episode = check_end(episodes, when, args.reason)
    store.add_episode_event(args.code, "end", when, args.reason)
    change = " (changed from how it had ended)" if episode.closed else ""
    print(
        f"Ended episode {episode.number} for {args.code} on {when}: "
        f"{REASON_WORDS[args.reason]}{change}."
    )
    return EXIT_OK


def cmd_episode_list(args: argparse.Namespace) -> int:
    from fittui.domain.overview import episode_json

    store = open_store(args)
    store.client(args.code)
    episodes = _client_episodes(store, args.code)
    if args.json:
        dump_json({"client": args.code, "episodes": [episode_json(e) for e in episodes]})
        return EXIT_OK
    if not episodes:
        print(f"{args.code}: no episode yet (it starts with the first rating).")
        return EXIT_OK
    gap = settings().gap_days
    print_table(
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
