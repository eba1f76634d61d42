"""How the commands print: aligned tables, JSON, and the lines several commands share.

Text from the database or a file passes through ``shown`` before it reaches the terminal, so
a control character in a label or note is printed, never obeyed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from fittui.cli.common import database, exists, open_store
from fittui.cli.json_out import write_json

# Not typing's: this module is on the quick commands' way, and typing costs them 2 ms to
# import. mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
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
    args: argparse.Namespace,
    kind: str,
    rules: Callable[[], tuple[Rules, bool]],
    rows: Callable[[Store, Rules, date], object],
) -> None:
    """Print ``fittui <kind> --json``: a row of every client, as ``rows`` makes them from
    the store under the rules ``rules`` gives (with whether they are your files' as they
    are, not a fallback).

    When nothing the output was derived from has changed since a run kept it (the
    database's files, the rules' files, the day: ``storage/printed.py``), the kept bytes
    are printed and the database is not even opened. Otherwise the rows are taken the
    full way (``Store.client_row_docs``: kept rows checked, changed ones derived again),
    printed, and kept for the next run, unless ``--read-only``, the rules fell back, or
    the database changed while it was read.
    """
    from fittui.storage import printed

    db = database(args)
    today = date.today()
    day = today.isoformat()
    files = printed.files_now(db)
    stamp = b"" if files is None else printed.stamp(printed.rules_sources(*rule_sources()), files)
    if files is not None and printed.print_kept(db, kind, stamp, day, write_json):
        return
    store = open_store(args)
    chosen, yours = rules()
    text = json_bytes(rows(store, chosen, today))
    write_json(text)
    if args.read_only or not yours or files is None or files.missing():
        return
    until = store.rows_hold_until()
    if until is not None and files.were_read(store.storage.derived_from()):
        try:
            printed.keep(db, kind, stamp, day, until, text)
        except OSError:
            pass  # derived again next time


def rule_sources() -> tuple[list[Path], list[Path]]:
    """Where the caseload's rules come from (``storage/printed.py``: what a kept output is
    stamped with): the folders of their TOML files (your config folder with the settings
    and a fitted expected-path model, your instruments, fittui's own instruments and
    model) and the module that says how a row is computed (its ``RULES_VERSION``)."""
    import fittui
    from fittui.storage.locations import config_dir, instruments_dir

    package = Path(fittui.__file__).parent
    own = package / "domain"
    folders = [config_dir(), instruments_dir(), own, own / "instruments"]
    return folders, [package / "storage" / "derived.py"]


def say_if_created(db: Path, existed: bool) -> None:
    """Tell the user when this command started a new database."""
    if not existed and exists(db):
        print(f"Created a new database at {db}.")


def say_same_session(
    a: Administration, administrations: list[Administration], earlier_only: bool = True
) -> None:
    """One line per other rating that makes one session with ``a`` (same instrument, rater
    and day): the later one counts unless both are kept on purpose, so the therapist can
    void the one that is wrong."""
    from fittui.cli.record_light import same_session_words
    from fittui.domain.model import same_session

    for other in same_session(a, administrations, earlier_only):
        print(same_session_words(a.client, other.instrument, other.rater, other.id, other.date))
