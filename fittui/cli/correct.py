"""Correcting a rating: void it (entered in error), count it again, move it to the right
client, fix its date, keep it as a session of its own beside an earlier one of its day. The
rating stays in the history with what was changed."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from fittui.cli.commands import Commands, Handler
from fittui.cli.common import EXIT_OK, open_store
from fittui.cli.output import say_same_session

if TYPE_CHECKING:
    from fittui.domain.model import Administration
    from fittui.storage.store import Store


def register(commands: Commands) -> None:
    """The correction commands: each takes the rating's id, then what it changes."""
    handlers: dict[str, Handler] = {
        "void": cmd_void,
        "unvoid": cmd_unvoid,
        "move": cmd_move,
        "redate": cmd_redate,
        "keep-session": cmd_keep_session,
    }
    parsers = {name: commands.add(name, handler, writes=True) for name, handler in handlers.items()}
    for p in parsers.values():
        p.add_argument("id", metavar="ID", help="the rating's id (fittui history CODE)")
    parsers["void"].add_argument(
        "--reason", required=True, metavar="TEXT", help="why, e.g. 'wrong client'"
    )
    parsers["move"].add_argument("code", metavar="CODE", help="the client it belongs to")
    parsers["redate"].add_argument(
        "date", metavar="DATE", help="YYYY-MM-DD or YYYY-MM-DDTHH:MM, not in the future"
    )


def cmd_void(args: argparse.Namespace) -> int:
    a = open_store(args).void(args.id, args.reason)
    assert a.voided is not None, "void returns the rating as voided"
    print(
        f"Voided {a.instrument} of {a.client} on {a.date} by {a.rater} ({a.voided.reason}): "
        f"it counts nowhere now and stays in the history. 'fittui unvoid {a.id}' restores it."
    )
    return EXIT_OK


RESTORED = "Restored {a.instrument} of {a.client} on {a.date} by {a.rater}: it counts again."
MOVED = (
    "Moved {a.instrument} of {a.date} by {a.rater} from {old} to {a.client}; "
    "the old client is kept in the rating's corrections."
)
KEPT = (
    "Kept {a.instrument} of {a.client} on {a.date} by {a.rater} as a session of its own: "
    "it no longer replaces the one before it that day, and both count."
)
REDATED = (
    "Redated {a.instrument} of {a.client} by {a.rater} from {old} to {a.date}; "
    "the old date is kept in the rating's corrections."
)


def cmd_unvoid(args: argparse.Namespace) -> int:
    return _correct(args, lambda store: store.unvoid(args.id), RESTORED)


def cmd_move(args: argparse.Namespace) -> int:
    return _correct(args, lambda store: store.move(args.id, args.code), MOVED)


def cmd_redate(args: argparse.Namespace) -> int:
    return _correct(args, lambda store: store.redate(args.id, args.date), REDATED)


def cmd_keep_session(args: argparse.Namespace) -> int:
    return _correct(args, lambda store: _keep_apart(store, args.id), KEPT)


def _keep_apart(store: Store, administration_id: str) -> Administration:
    """Keep a rating as a session of its own, when it replaces a rating of its day: on one
    that replaces none, the words 'both count' would be untrue and the mark would do
    nothing (voided or already kept ones get the store's own answer)."""
    from fittui.domain.model import InputError, session_neighbours

    with store.storage.transaction():
        a = store.administration(administration_id)
        replaces, _replaced_by = session_neighbours(a, store.administrations(a.client))
        if a.voided is None and a.own_session is None and replaces is None:
            raise InputError(
                f"rating {a.id} ({a.instrument} by {a.rater} on {a.day}) replaces no earlier "
                "rating of its day; there is nothing to keep apart"
            )
        return store.keep_as_own_session(administration_id)


def _correct(
    args: argparse.Namespace, change: Callable[[Store], Administration], words: str
) -> int:
    """Make the change, say what it did (``words`` names the rating ``a`` and the value it
    had, ``old``), and name a rating it now shares a session with."""
    store = open_store(args)
    a = change(store)
    old = a.corrections[-1].old if a.corrections else ""
    print(words.format(a=a, old=old))
    say_same_session(a, store.administrations(a.client), later_too=True)
    return EXIT_OK
