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

from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, database, open_store
from fittui.cli.output import json_bytes, write_json


def register(commands: Commands) -> None:
    """``history`` and its arguments."""
    p = commands.add("history", cmd_history)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_history(args: argparse.Namespace) -> int:
    if args.json:
        write_json(_json(args, args.code, date.today()))
        return EXIT_OK
    from fittui.cli.history_text import print_history

    print_history(open_store(args), args.code, date.today())
    return EXIT_OK


def _json(args: argparse.Namespace, code: str, today: date) -> bytes:
    """The history as JSON: as kept when nothing it was worked out from has changed
    (``storage/histories.py``), else worked out and, unless ``--read-only``, kept.

    While the database's files and the rules are as they were when the kept history was
    last found true, it is printed without opening the database. Otherwise the database
    is opened and the client's data compared with the data the history was worked out
    from. A history is kept only when the data did not change while it was worked out,
    and names the database's files only when they are the very ones the data was read from.
    """
    from fittui.storage import histories, printed

    db = database(args)
    files = printed.files_now(db)
    words = b"" if files is None or files.missing() else files.words().encode()
    rules = histories.rules_stamp(today)
    kept = histories.read(db, code)
    if kept is not None and words and kept.files == words and kept.rules == rules:
        return kept.answer
    store = open_store(args)
    data = histories.data_stamp(store, code)

    def read_from() -> bytes:
        """The files' words when the store read exactly those files, else nothing."""
        if files is None or not files.were_read(store.storage.derived_from()):
            return b""
        return words

    if kept is not None and data is not None and (kept.rules, kept.data) == (rules, data):
        if not args.read_only and read_from():
            histories.keep(db, code, histories.Kept(read_from(), rules, data, kept.answer))
        return kept.answer
    from fittui.cli.history_text import work_out
    from fittui.domain.overview import history_json

    h = work_out(store, code, today)
    answer = json_bytes(history_json(h.client, h.record, h.summary))
    if not args.read_only and data is not None and histories.data_stamp(store, code) == data:
        histories.keep(db, code, histories.Kept(read_from(), rules, data, answer))
    return answer
