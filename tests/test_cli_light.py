"""The light reading of a command line (``cli/light.py``) agrees with argparse on every line
it accepts, and refuses the lines only argparse can read rightly."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fittui.cli.commands import build_parser
from fittui.cli.light import plain_words

HISTORY = ("history", frozenset(), frozenset({"json"}), 1, 1)
RECORD = ("record", frozenset({"date", "rater", "note", "mode"}), frozenset(), 3)

WORDS = st.sampled_from(
    [
        "history", "record", "clients", "C1", "ORS", "5", "5.5", "-1", "-", "--", "-h",
        "--help", "--json", "--db", "--db=x.json", "--d", "db.json", "--read-only", "--read",
        "--date", "2026-01-02", "--date=2026-01-03", "--rater", "therapist", "--note",
        "a note", "--note=", "--mode", "spoken", "--mode=paper", "--json=1", "",
    ]
)  # fmt: skip


def parsed(argv: list[str]) -> argparse.Namespace | None:
    """What argparse makes of ``argv``, or None where it refuses it."""
    try:
        return build_parser(argv).parse_args(argv)
    except SystemExit:
        return None


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([HISTORY, RECORD]), st.lists(WORDS, max_size=9))
def test_a_line_read_lightly_reads_as_argparse_reads_it(form, argv):
    command, valued = form[:2]
    light = plain_words(argv, *form)
    if light is None:
        return
    options, words = light
    args = parsed(argv)
    assert args is not None, argv
    assert args.func.__name__ == f"cmd_{command}"
    assert getattr(args, "db", None) == options.get("db")
    assert getattr(args, "read_only", False) == options.get("read_only", False)
    if command == "history":
        assert [args.code] == words
        assert args.json == options.get("json", False)
    else:
        assert [args.code, args.instrument, *args.scores] == words
        for name in sorted(valued):
            default = {"rater": "client", "mode": "in_person"}.get(name)
            assert getattr(args, name) == options.get(name, default), name


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "x.json", "history", "C1", "--json"],
        ["history", "C1", "--json", "--db=x.json"],
        ["--read-only", "record", "C1", "ORS", "1", "2", "3", "4", "--note", "slept badly"],
    ],
)
def test_the_plain_forms_are_read(argv):
    assert plain_words(argv, *HISTORY) or plain_words(argv, *RECORD)


@pytest.mark.parametrize(
    "argv",
    [
        ["--d", "x.json", "history", "C1", "--json"],  # shortened: argparse's to read
        ["history", "C1", "--json", "--json"],  # twice
        ["--db", "a", "history", "C1", "--db", "b"],  # the database twice
        ["history", "-h"],
        ["history", "--", "C1"],
        ["history", "C1", "--db"],  # a value missing
        ["record", "C1", "ORS", "-1", "2", "3", "4"],  # a value that starts with a dash
        ["--json", "history", "C1"],  # the command's option before the command
        ["clients", "--json"],  # another command
        ["history", "--json"],  # no client
        ["history", "C1", "C2"],
        ["record", "C1", "ORS"],  # no score
        [],
    ],
)
def test_lines_only_argparse_reads_rightly_are_left_to_it(argv):
    assert plain_words(argv, *HISTORY) is None
    assert plain_words(argv, *RECORD) is None
