"""How the commands print: aligned tables, JSON, and the lines several commands share.

Text from the database or a file passes through ``shown`` before it reaches the terminal, so
a control character in a label or note is printed, never obeyed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from fittui.cli.json_out import write_json
from fittui.storage.locations import today

# Not typing's: this module is on the quick commands' way, and typing costs them 2 ms to
# import (argparse, datetime and the commands' common module another 4, so they are
# imported where the full way needs them). mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import date

    from fittui.domain.model import Administration
    from fittui.storage.derived import Rules
    from fittui.storage.store import Store


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns as wide as their widest cell, two spaces apart, no trailing blanks."""
    from fittui.domain.outside import shown

    table = [[shown(str(c)) for c in row] for row in (headers, *rows)]
    widths = [max(len(c) for c in col) for col in zip(*table)]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def print_lines(lines: Sequence[str]) -> None:
    """Lines of text that may hold what a user typed, each made safe to show."""
    from fittui.domain.outside import shown

    for line in lines:
        print(shown(line))


def dump_json(data: object) -> None:
    """Indented JSON, non-ASCII letters kept as they are (orjson: the standard library's
    encoder takes seconds over a caseload of thousands; the text is the same)."""
    write_json(json_bytes(data))


def json_bytes(data: object) -> bytes:
    """The text ``dump_json`` prints, as UTF-8 bytes."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def print_caseload(
    given: str | None,
    read_only: bool,
    kind: str,
    rules: Callable[[], tuple[Rules, bool]],
    rows: Callable[[Store, Rules, date], object],
) -> int:
    """Print ``fittui <kind> --json`` on the database --db names (``given``): a row of
    every client, as ``rows`` makes them from the store under the rules ``rules`` gives
    (with whether they are your files' as they are, not a fallback); its exit status.

    When nothing the output was derived from has changed since a run kept it (the
    database's files, the rules' files, the day: ``storage/printed.py``), the kept bytes
    are printed without opening the database or loading the store, the domain, argparse
    or datetime (a plain line comes here without argparse: ``main.PLAIN``, the command's
    ``plain``). Otherwise the rows are taken the full way (``Store.client_row_docs``: kept
    rows checked, changed ones derived again), printed, and kept for the next run, unless
    ``--read-only``, the rules fell back, or the database changed while it was read.
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
    from datetime import date

    from fittui.cli.common import store_at

    store = store_at(given, read_only)
    chosen, yours = rules()
    text = json_bytes(rows(store, chosen, date.fromisoformat(day)))
    write_json(text)
    if read_only or not yours or files is None or files.missing():
        return 0
    until = store.rows_hold_until()
    if until is not None and files.were_read(store.storage.derived_from()):
        try:
            printed.keep(db, kind, stamp, day, until, text)
        except OSError:
            pass  # derived again next time
    return 0


def say_if_created(db: Path, existed: bool) -> None:
    """Tell the user when this command started a new database."""
    from fittui.cli.common import exists

    if not existed and exists(db):
        print(f"Created a new database at {db}.")


def say_same_session(
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
