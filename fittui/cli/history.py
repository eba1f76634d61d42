"""``fittui history CODE``: a client's ratings as a table, what stands out, the episodes,
the expected treatment response, and the chart (in colour on a terminal, plain when piped).

``--json`` is asked often and by scripts, so it is kept beside the database once printed
(``storage/histories.py``) and printed from there while nothing it was worked out from has
changed: the client's data, the day, the rules. Then no scoring is imported or compiled,
and this module stays small: working the history out and printing it as text live in
``history_text.py``.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, open_store
from fittui.cli.output import json_bytes, write_json

if TYPE_CHECKING:
    from fittui.storage.store import Store


def register(commands: Commands) -> None:
    """``history`` and its arguments."""
    p = commands.add("history", cmd_history)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_history(args: argparse.Namespace) -> int:
    store = open_store(args)
    if args.json:
        write_json(_json(store, args.code, date.today(), keeps=not args.read_only))
        return EXIT_OK
    from fittui.cli.history_text import print_history

    print_history(store, args.code, date.today())
    return EXIT_OK


def _json(store: Store, code: str, today: date, keeps: bool) -> bytes:
    """The history as JSON: as kept when it was worked out from exactly the data, day and
    rules of now (``storage/histories.py``), else worked out and, when ``keeps``, kept.
    It is kept only when the data did not change while it was worked out."""
    from fittui.storage import histories

    made_from = histories.stamp(store, code, today)
    if made_from is not None:
        kept = histories.read(store.path, code, made_from)
        if kept is not None:
            return kept
    from fittui.cli.history_text import work_out
    from fittui.domain.overview import history_json

    h = work_out(store, code, today)
    answer = json_bytes(history_json(h.client, h.record, h.summary))
    if keeps and made_from is not None and histories.stamp(store, code, today) == made_from:
        histories.keep(store.path, code, made_from, answer)
    return answer
