"""``fittui clients --json`` and ``fittui report --json``: a row of every client, printed as
the last run kept it while nothing it was derived from has changed (``storage/printed.py``),
else derived the full way and kept for the next run.

Both are asked often and by scripts. A plain line of either is read without argparse
(``main.PLAIN`` names :func:`plain_clients` and :func:`plain_report`), and while the kept
output holds nothing more of the commands is loaded: not the command's own module, not
``output.py`` or ``common.py``, not the store or the domain. A fresh interpreter pays for
every module it compiles, and the kept output costs hardly more than ``fittui --version``.
"""

from __future__ import annotations

from fittui.cli.json_out import write_json
from fittui.storage.locations import today

# Not typing's: typing costs these commands 2 ms to import. mypy takes any TYPE_CHECKING
# as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from fittui.storage.file_stamps import Files


def plain_clients(options: dict[str, str | bool], words: list[str]) -> Callable[[], int] | None:
    """What a plain ``clients`` line (``light.plain_words``) runs when it asks for JSON;
    None for the table, which argparse's way prints."""
    return _plain("clients", options)


def plain_report(options: dict[str, str | bool], words: list[str]) -> Callable[[], int] | None:
    """What a plain ``report`` line runs when it asks for JSON (``--wide`` changes only the
    text); None for the text, which argparse's way prints."""
    return _plain("report", options)


def _plain(kind: str, options: dict[str, str | bool]) -> Callable[[], int] | None:
    if options.get("json") is not True:
        return None
    db = options.get("db")
    given = db if isinstance(db, str) else None
    read_only = options.get("read_only") is True
    return lambda: print_caseload(given, read_only, kind)


def print_caseload(given: str | None, read_only: bool, kind: str) -> int:
    """Print ``fittui <kind> --json`` on the database --db names (``given``); its exit status.

    When nothing the output was derived from has changed since a run kept it (the
    database's files, the rules' files, the day: ``storage/printed.py``), the kept bytes
    are printed without opening the database. Otherwise the rows are taken the full way,
    printed, and kept for the next run (:func:`_print_derived`).
    """
    from fittui.storage import printed
    from fittui.storage.locations import db_path

    db = db_path(given)
    files = printed.files_now(db)
    if files is None or files.missing():
        from fittui.cli.common import database_at

        database_at(given)  # no database at a path given: said before anything else
    day = today()
    stamp = b""
    if files is not None:
        stamp = printed.stamp(printed.rules_sources(*printed.rule_sources()), files)
        if printed.print_kept(db, kind, stamp, day, write_json):
            return 0  # common.EXIT_OK, not imported for it: a kept output needs no more
    return _print_derived(given, read_only, kind, (db, files, stamp, day))


def _print_derived(
    given: str | None, read_only: bool, kind: str, looked: tuple[Path, Files | None, bytes, str]
) -> int:
    """Print the rows of every client as the command's module makes them (its
    ``json_rows``, under the rules its ``json_rules`` gives, with whether they are your
    files' as they are, not a fallback) from the store (``Store.client_row_docs``: kept
    rows checked, changed ones derived again). Keep the output, stamped with what
    :func:`print_caseload` ``looked`` at, unless ``--read-only``, the rules fell back, or
    the database changed while it was read."""
    from datetime import date

    from fittui.cli.common import EXIT_OK, store_at
    from fittui.cli.output import json_bytes
    from fittui.storage import printed

    if kind == "clients":
        from fittui.cli.clients import json_rows, json_rules
    else:
        from fittui.cli.report import json_rows, json_rules
    db, files, stamp, day = looked
    store = store_at(given, read_only)
    rules, yours = json_rules()
    text = json_bytes(json_rows(store, rules, date.fromisoformat(day)))
    write_json(text)
    if read_only or not yours or files is None or files.missing():
        return EXIT_OK
    until = store.rows_hold_until()
    if until is not None and files.were_read(store.storage.derived_from()):
        try:
            printed.keep(db, kind, stamp, day, until, text)
        except OSError:
            pass  # derived again next time
    return EXIT_OK
