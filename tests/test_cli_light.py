"""The light reading of a command line (``cli/light.py``) agrees with argparse on every line
it accepts, and refuses the lines only argparse can read rightly."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from fittui.cli.commands import build_parser
from fittui.cli.light import plain_words

HISTORY = ("history", frozenset(), frozenset({"json"}), 1, 1)
RECORD = ("record", frozenset({"date", "rater", "note", "mode"}), frozenset(), 3)
CLIENTS = ("clients", frozenset(), frozenset({"json"}), 0, 0)
REPORT = ("report", frozenset(), frozenset({"json", "wide"}), 0, 0)
FORMS = (HISTORY, RECORD, CLIENTS, REPORT)

WORDS = st.sampled_from(
    [
        "history", "record", "clients", "report", "C1", "ORS", "5", "5.5", "-1", "-", "--", "-h",
        "--help", "--json", "--db", "--db=x.json", "--d", "db.json", "--read-only", "--read",
        "--date", "2026-01-02", "--date=2026-01-03", "--rater", "therapist", "--note",
        "a note", "--note=", "--mode", "spoken", "--mode=paper", "--json=1", "", "--wide",
        "--summary", "--by-mode", "--from", "--to=2026-01-04", "--w",
    ]
)  # fmt: skip


# Values an option or a command's word may have: plain ones, and some only argparse reads.
VALUES = st.sampled_from(["x.json", "C1", "ORS", "5", "2026-01-02", "therapist", "a b", "", "-1"])


def given_as(name: str, valued: bool) -> st.SearchStrategy[list[str]]:
    """An option as a line may give it: ``--name``, or ``--name VALUE`` or ``--name=VALUE``."""
    if not valued:
        return st.just([f"--{name}"])
    return st.one_of(
        VALUES.map(lambda value: [f"--{name}", value]),
        VALUES.map(lambda value: [f"--{name}={value}"]),
    )


@st.composite
def near_plain(draw: st.DrawFn, form: tuple) -> list[str]:
    """A line close to the plain ones of ``form``: some of --db and --read-only before the
    command, its words and the other options after it in any order, now and then a word it
    does not take. Random words alone seldom make a line the light reading takes."""
    command, valued, flags, least, most = (*form, None)[:5]
    valued = valued | {"db"}
    before = draw(st.sets(st.sampled_from(["db", "read-only"])))
    after = draw(st.sets(st.sampled_from(sorted((valued | flags | {"read-only"}) - before))))
    parts = [draw(given_as(name, name in valued)) for name in sorted(before)]
    parts.append([command])
    rest = [draw(given_as(name, name in valued)) for name in sorted(after)]
    count = draw(st.integers(least, least + 2 if most is None else most))
    rest += [[draw(VALUES)] for _ in range(count)]
    rest = draw(st.permutations(rest))
    for word in draw(st.lists(WORDS, max_size=1)):
        rest.insert(draw(st.integers(0, len(rest))), [word])
    return [word for part in (*parts, *rest) for word in part]


def lines(form: tuple) -> st.SearchStrategy[list[str]]:
    return st.one_of(near_plain(form), st.lists(WORDS, max_size=9))


def parsed(argv: list[str]) -> argparse.Namespace | None:
    """What argparse makes of ``argv``, or None where it refuses it."""
    try:
        return build_parser(argv).parse_args(argv)
    except SystemExit:
        return None


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(FORMS).flatmap(lambda form: st.tuples(st.just(form), lines(form))))
def test_a_line_read_lightly_reads_as_argparse_reads_it(form_and_line):
    form, argv = form_and_line
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
    elif command in ("clients", "report"):
        assert words == []
        assert args.json == options.get("json", False)
    else:
        assert [args.code, args.instrument, *args.scores] == words
        for name in sorted(valued):
            default = {"rater": "client", "mode": "in_person"}.get(name)
            assert getattr(args, name) == options.get(name, default), name
    if command == "report":  # the summary's options are argparse's to read
        assert args.wide == options.get("wide", False)
        assert (args.summary, args.start, args.end, args.by_mode) == (False, None, None, False)


@pytest.mark.parametrize("form", FORMS, ids=[form[0] for form in FORMS])
def test_the_lines_checked_hold_plain_ones_of_every_form(form):
    """The property test above checks only the lines the light reading takes: make sure
    its lines hold such lines of every form, with options before and after the command."""
    found = find(
        lines(form),
        lambda argv: (
            plain_words(argv, *form) is not None
            and argv[0] == "--read-only"
            and any(word.startswith("--db") for word in argv[argv.index(form[0]) :])
        ),
        settings=settings(max_examples=2000, database=None),
    )
    assert parsed(found) is not None


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "x.json", "history", "C1", "--json"],
        ["history", "C1", "--json", "--db=x.json"],
        ["--read-only", "record", "C1", "ORS", "1", "2", "3", "4", "--note", "slept badly"],
        ["record", "C1", "--note", "n", "ORS", "--rater=client", "1", "2", "3", "4"],
        ["clients", "--json"],
        ["--db=x.json", "report", "--wide", "--json", "--read-only"],
    ],
)
def test_the_plain_forms_are_read(argv):
    assert any(plain_words(argv, *form) for form in FORMS)


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
        ["etr", "--json"],  # another command
        ["clients", "--json", "C1"],  # a word where none goes
        ["report", "--json", "--summary"],  # the summary: argparse's to read
        ["report", "--json", "--from", "2026-01-01"],
        ["report", "--json", "--w"],
        ["history", "--json"],  # no client
        ["history", "C1", "C2"],
        ["record", "C1", "ORS"],  # no score
        ["record", "C1", "ORS", "5", "--note", "n", "6"],  # argparse: the scores ended at --note
        [],
    ],
)
def test_lines_only_argparse_reads_rightly_are_left_to_it(argv):
    assert [plain_words(argv, *form) for form in FORMS] == [None] * len(FORMS)
