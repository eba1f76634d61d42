"""``fittui history CODE``: a client's ratings as a table, what stands out, the episodes,
the expected treatment response, and the chart (in colour on a terminal, plain when piped).

``--json`` is asked often and by scripts, so it is kept beside the database once printed
(``storage/histories.py``) and printed from there while nothing it was worked out from has
changed: the client's data, the day, the rules. Then no scoring is imported or compiled,
and this module stays small: working the history out and printing it as text live in
``history_text.py``. A plain ``history CODE --json`` is read without argparse
(:func:`plain`, from ``main.py``), so printing a kept history loads hardly more than
``fittui --version`` does.
"""

from __future__ import annotations

from fittui.storage.locations import today

# Not typing's: this module is on the quick commands' way, and typing costs them 2 ms to
# import. mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from fittui.cli.commands import Commands


def register(commands: Commands) -> None:
    """``history`` and its arguments."""
    p = commands.add("history", cmd_history)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_history(args: argparse.Namespace) -> int:
    if args.json:
        return print_json(args.db, args.read_only, args.code)
    from datetime import date

    from fittui.cli.common import EXIT_OK, open_store
    from fittui.cli.history_text import print_history

    print_history(open_store(args), args.code, date.today())
    return EXIT_OK


def plain(options: dict[str, str | bool], words: list[str]) -> Callable[[], int] | None:
    """What a plain ``history CODE`` line (``light.plain_words``) runs when it asks for
    JSON; None for the text, which argparse's way runs (it loads the scoring anyway)."""
    if options.get("json") is not True:
        return None
    db = options.get("db")
    given = db if isinstance(db, str) else None
    read_only = options.get("read_only") is True
    return lambda: print_json(given, read_only, words[0])


def print_json(given: str | None, read_only: bool, code: str) -> int:
    """Print the history of ``code`` as JSON from the database --db names (``given``)."""
    from fittui.cli.json_out import write_json

    write_json(_json(given, read_only, code, today()))
    return 0  # common.EXIT_OK, not imported for it: printing a kept history needs no more


def _json(given: str | None, read_only: bool, code: str, day: str) -> bytes:
    """The history as JSON: as kept when nothing it was worked out from has changed
    (``storage/histories.py``), else worked out and, unless ``--read-only``, kept.

    While the database's files and the rules are as they were when the kept history was
    last found true, it is printed without opening the database. Otherwise the database
    is opened and the client's data compared with the data the history was worked out
    from. A history is kept only when the data did not change while it was worked out,
    and names the database's files only when they are the very ones the data was read from.
    """
    from fittui.storage import file_stamps, histories
    from fittui.storage.locations import db_path

    db = db_path(given)
    files = file_stamps.files_now(db)
    words = b"" if files is None or files.missing() else files.words().encode()
    if not words:
        from fittui.cli.common import database_at

        database_at(given)  # no database at a path given: said before anything else
    rules = histories.rules_stamp(day)
    kept = histories.read(db, code)
    if kept is not None and words and kept.files == words and kept.rules == rules:
        return kept.answer
    from fittui.cli.common import store_at

    store = store_at(given, read_only)
    data = histories.data_stamp(store, code)

    def read_from() -> bytes:
        """The files' words when the store read exactly those files, else nothing."""
        if files is None or not files.were_read(store.storage.derived_from()):
            return b""
        return words

    if kept is not None and data is not None and (kept.rules, kept.data) == (rules, data):
        if not read_only and read_from():
            histories.keep(db, code, histories.Kept(read_from(), rules, data, kept.answer))
        return kept.answer
    from datetime import date

    from fittui.cli.history_text import work_out
    from fittui.cli.output import json_bytes
    from fittui.domain.overview import history_json

    h = work_out(store, code, date.fromisoformat(day))
    answer = json_bytes(history_json(h.client, h.record, h.summary))
    if not read_only and data is not None and histories.data_stamp(store, code) == data:
        histories.keep(db, code, histories.Kept(read_from(), rules, data, answer))
    return answer
