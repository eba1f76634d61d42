"""How the commands print: aligned tables, JSON, and the lines several commands share.

Text from the database or a file passes through ``shown`` before it reaches the terminal, so
a control character in a label or note is printed, never obeyed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fittui.cli.json_out import write_json

# Not typing's: this module is on the quick commands' way, and typing costs them 2 ms to
# import (argparse and the commands' common module another 3, so common is imported where
# it is needed). mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from fittui.domain.model import Administration


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


def say_if_created(db: Path, existed: bool) -> None:
    """Tell the user when this command started a new database."""
    from fittui.cli.common import exists

    if not existed and exists(db):
        print(f"Created a new database at {db}.")


def say_same_session(
    a: Administration, administrations: list[Administration], later_too: bool = False
) -> None:
    """Name the rating ``a`` replaces (same instrument, rater and day, entered just before
    it: ``model.session_neighbours``), so the therapist can void the one that is wrong;
    with ``later_too``, also the one entered after ``a`` that replaces it (a rating moved
    or redated into a day that has one)."""
    from fittui.cli.record_light import same_session_words
    from fittui.domain.model import session_neighbours

    replaces, replaced_by = session_neighbours(a, administrations)
    if replaces is not None:
        r = replaces
        print(same_session_words(a.client, r.instrument, r.rater, r.id, r.date, a.id))
    if later_too and replaced_by is not None:
        print(
            f"Note: {a.client} also has {a.instrument} by {a.rater} on {a.day} "
            f"(id {replaced_by.id}, saved as {replaced_by.date}), entered after this one: "
            "one session, that later rating counts and this one is shown as replaced."
        )
