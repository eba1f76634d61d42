"""Charts that never mislead, checked on the drawn canvas: every point on the row nearest
its value (or just off a line it has not reached), never on a band line from the wrong
side, no point hidden by another, and the young child's scales on a chart of their own."""

from __future__ import annotations

import re
from collections import Counter

import plotext
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration
from fittui.formats.chart import Grid, canvas_rows, draw_history, draw_items, draw_symptoms

INSTRUMENTS = load_instruments()

SIZES = [(60, 20), (80, 24), (120, 40)]
LINE_CHARS = "┄╌·"


def rating(instrument: str, day: int, items: dict[str, int], rater: str = "client"):
    when = f"2026-{1 + day // 28:02d}-{1 + day % 28:02d}"
    return Administration(f"{instrument}{day}{rater}", "C1", instrument, when, items, rater)


def canvas(width: int, height: int, draw) -> list[str]:
    """Draw with plotext at this size and return the canvas rows, bottom row first."""
    plotext.clear_figure()
    plotext.limit_size(False, False)  # as tall as asked, whatever the test's terminal
    plotext.theme("clear")
    plotext.plotsize(width, height)
    plotext.title("chart")
    draw(canvas_rows(height))
    lines = plotext.uncolorize(plotext.build()).splitlines()
    left, right = lines[1].index("┌"), lines[1].index("┐")
    rows = canvas_rows(height)
    inside = [line[left + 1 : right] for line in lines[2 : 2 + rows]]
    return inside[::-1]


def line_rows(rows: list[str]) -> set[int]:
    """The rows a reference line runs along: five or more of its characters in runs of two
    or more (a label such as "1·2·3·4" has single dots only; a series that crosses a line
    again and again breaks it into short runs)."""
    run = re.compile(f"[{LINE_CHARS}]{{2,}}")
    return {n for n, row in enumerate(rows) if sum(len(m) for m in run.findall(row)) >= 5}


def expected_row(value: float, grid: Grid, lines: list[tuple[float, bool]]) -> int:
    """The row nearest the value; one row further when that row is a line's row the value
    has not reached (below an "up" line, above a "down" line)."""
    row = grid.row(value)
    for line, up in lines:
        if grid.row(line) == row and (value < line if up else value > line):
            return row - 1 if up else row + 1
    return row


def check(rows: list[str], points: dict[str, list[float]], grid: Grid, lines) -> None:
    drawn_lines = line_rows(rows)
    wanted_lines = {grid.row(line) for line, _ in lines}
    assert drawn_lines <= wanted_lines  # each line on its own row, never elsewhere
    for row in wanted_lines - drawn_lines:  # hidden only where the series runs along it
        assert any(c in rows[row] for c in points), ("line hidden", row, "\n".join(rows[::-1]))
    for marker, values in points.items():
        found = Counter(n for n, row in enumerate(rows) for c in row if c == marker)
        wanted = Counter(expected_row(v, grid, lines) for v in values)
        assert found == wanted, (marker, values, "\n".join(rows[::-1]))
        for value in values:
            row = expected_row(value, grid, lines)
            for line, up in lines:
                if grid.row(line) == row:  # on a line's row: only from the right side
                    assert value >= line if up else value <= line


@settings(max_examples=40, deadline=None)
@example((60, 20), "PHQ-9", [5, 5, 5, 5])  # a series along its band line hides that line
@example((60, 20), "PHQ-9", [0, 8, 0, 9, 0, 8, 0, 8, 1])  # crossing a line breaks it up
@given(
    st.sampled_from(SIZES),
    st.sampled_from(["PHQ-9", "GAD-7"]),
    st.lists(st.integers(0, 27), min_size=1, max_size=10),
)
@example((80, 24), "PHQ-9", [8, 14])
@example((60, 20), "PHQ-9", [8, 14])
@example((80, 24), "GAD-7", [9])
def test_symptom_totals_are_never_on_a_band_they_have_not_reached(size, key, totals):
    instrument = INSTRUMENTS[key]
    top = instrument.max_total // 10
    totals = [min(t, top) for t in totals]
    n = len(instrument.items)
    ratings = []
    for day, total in enumerate(totals):
        items = [min(3, max(0, total - 3 * i)) * 10 for i in range(n)]
        ratings.append(rating(key, day, {f"item{i + 1}": v for i, v in enumerate(items)}))
    rows = canvas(*size, lambda r: draw_symptoms(plotext, ratings, instrument, False, rows=r))
    grid = Grid(0, top, canvas_rows(size[1]))
    bands = [(b.low / 10, True) for b in instrument.bands if b.low > 0]
    check(rows, {key[0]: [float(t) for t in totals]}, grid, bands)


ORS_KEYS = ["individually", "interpersonally", "socially", "overall"]
SRS_KEYS = ["relationship", "goals_topics", "approach", "overall"]
tenths = st.integers(0, 100)


def spread(total: int) -> list[int]:
    base, extra = divmod(total, 4)
    return [base + (1 if i < extra else 0) for i in range(4)]


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(SIZES),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), min_size=1, max_size=10),
)
@example((80, 24), [(200, 343), (220, 380)])
def test_totals_are_never_on_a_line_they_have_not_reached(size, sessions):
    ratings = []
    for day, (ors, srs) in enumerate(sessions):
        ratings.append(rating("ORS", day, dict(zip(ORS_KEYS, spread(ors)))))
        ratings.append(rating("SRS", day, dict(zip(SRS_KEYS, spread(srs)))))
    intake = sessions[0][0]
    rows = canvas(
        *size,
        lambda r: draw_history(
            plotext, ratings, INSTRUMENTS, 250, False, intake=intake, reliable=50, rows=r
        ),
    )
    grid = Grid(0, 40, canvas_rows(size[1]))
    lines = [(25.0, True), (36.0, True), (max(0, intake - 50) / 10, False)]
    lines.append((min(400, intake + 50) / 10, True))
    # Two lines a row apart with the point between them leave no right row: the value is
    # printed instead; the property is checked where a right row exists.
    line_rows_of = {grid.row(v) for v, _ in lines}
    clear = all(
        expected_row(v / 10, grid, lines) not in line_rows_of
        or expected_row(v / 10, grid, lines) == grid.row(v / 10)
        for s in sessions
        for v in s
    )
    if len({grid.row(v) for v, _ in lines}) == len({v for v, _ in lines}) and clear:
        check(
            rows,
            {"O": [o / 10 for o, _ in sessions], "S": [s / 10 for _, s in sessions]},
            grid,
            lines,
        )


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(SIZES),
    st.lists(st.lists(tenths, min_size=4, max_size=4), min_size=1, max_size=8),
)
@example((80, 24), [[80, 73, 73, 95]])
@example((60, 20), [[0, 0, 0, 0], [0, 0, 0, 0]])
def test_the_items_view_hides_no_item(size, sessions):
    ratings = [rating("SRS", day, dict(zip(SRS_KEYS, items))) for day, items in enumerate(sessions)]
    rows = canvas(*size, lambda r: draw_items(plotext, ratings, INSTRUMENTS, "srs", False, rows=r))
    grid = Grid(0, 10, canvas_rows(size[1]))
    points = {str(n + 1): [s[n] / 10 for s in sessions] for n in range(4)}
    check(rows, points, grid, [(9.0, True)])


def test_coincident_items_are_one_label(instruments):
    ratings = [rating("SRS", 0, dict(zip(SRS_KEYS, [95, 73, 73, 95])))]
    rows = canvas(80, 24, lambda r: draw_items(plotext, ratings, instruments, "srs", False, rows=r))
    text = "\n".join(rows)
    assert "2·3" in text and "1·4" in text


def test_the_young_childs_scales_have_a_chart_of_their_own(instruments):
    ratings = [
        rating("YCORS", 0, {"face": 35}),
        rating("YCSRS", 0, {"face": 80}),
        rating("YCORS", 7, {"face": 60}),
    ]
    plotext.clear_figure()
    plotext.plotsize(80, 24)
    legend = draw_history(plotext, ratings, instruments, None, False, intake=35, reliable=50)
    drawn = plotext.uncolorize(plotext.build())
    assert [e.words for e in legend] == ["YCORS (0-10)", "YCSRS (0-10)"]  # no 40-point line
    assert "10┤" in drawn and "40┤" not in drawn and "┄" not in drawn and "╌" not in drawn


def test_a_childs_chart_says_cors_and_each_rater_has_a_letter(instruments):
    cors = dict(zip(["me", "family", "school", "everything"], [60, 60, 60, 60]))
    csrs = dict(zip(["listening", "how_important", "what_we_did", "overall"], [90] * 4))
    ratings = [
        rating("CORS", 0, cors),
        rating("CSRS", 0, csrs),
        rating("CORS", 0, cors, rater="parent"),
        rating("CORS", 0, cors, rater="teacher"),
        rating("GSRS", 1, dict(zip(SRS_KEYS, [90] * 4))),
    ]
    plotext.clear_figure()
    plotext.plotsize(80, 24)
    legend = draw_history(plotext, ratings, instruments, 320, False)
    assert [(e.marker, e.words) for e in legend if len(e.marker) == 1] == [
        ("G", "GSRS"),
        ("O", "CORS"),
        ("S", "CSRS"),
        ("p", "CORS (parent)"),
        ("t", "CORS (teacher)"),
    ]


@pytest.mark.parametrize("size", SIZES)
def test_phq9_at_8_and_14_sit_below_their_bands(instruments, size):
    def phq(day, total):
        items = [min(3, max(0, total - 3 * i)) * 10 for i in range(9)]
        return rating("PHQ-9", day, {f"item{i + 1}": v for i, v in enumerate(items)})

    ratings = [phq(0, 8), phq(7, 14)]
    rows = canvas(
        *size, lambda r: draw_symptoms(plotext, ratings, instruments["PHQ-9"], False, rows=r)
    )
    grid = Grid(0, 27, canvas_rows(size[1]))
    found = [n for n, row in enumerate(rows) if "P" in row]
    assert found == sorted(
        [grid.row(8) - (grid.row(8) == grid.row(10)), grid.row(14) - (grid.row(14) == grid.row(15))]
    )
    assert not set(found) & {grid.row(10), grid.row(15)}


def test_the_html_page_draws_the_young_childs_scales_on_0_to_10(instruments):
    from fittui.formats.export import chart_svg

    ratings = [rating("YCORS", 0, {"face": 35}), rating("YCSRS", 0, {"face": 80})]
    svg = chart_svg(ratings, instruments, None)
    assert "Faces, 0 to 10" in svg and ">10</text>" in svg and ">40</text>" not in svg
    assert "SRS 36" not in svg and "cut-off" not in svg
    assert ">YCORS</text>" in svg and ">YCSRS</text>" in svg


class Recorder:
    """A plotext stand-in that keeps every drawing call, to check what is drawn in grey."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def two_episodes() -> tuple[list[Administration], list[Administration]]:
    """An earlier episode (ORS 25 and 30, SRS 38, a partner's ORS 20) and the current one
    (ORS 15 and 18, SRS 37), months apart."""
    earlier = [
        rating("ORS", 0, dict(zip(ORS_KEYS, spread(250)))),
        rating("SRS", 0, dict(zip(SRS_KEYS, spread(380)))),
        rating("ORS", 0, dict(zip(ORS_KEYS, spread(200))), rater="partner"),
        rating("ORS", 7, dict(zip(ORS_KEYS, spread(300)))),
    ]
    current = [
        rating("ORS", 200, dict(zip(ORS_KEYS, spread(150)))),
        rating("SRS", 200, dict(zip(SRS_KEYS, spread(370)))),
        rating("ORS", 207, dict(zip(ORS_KEYS, spread(180)))),
    ]
    return earlier, current


@pytest.mark.parametrize("size", SIZES)
def test_an_earlier_episode_is_drawn_before_a_line_where_the_current_one_starts(size):
    earlier, current = two_episodes()
    rows = canvas(
        *size,
        lambda r: draw_history(
            plotext,
            current,
            INSTRUMENTS,
            250,
            False,
            intake=150,
            reliable=50,
            rows=r,
            earlier=[earlier],
        ),
    )
    # One "┆" column from top to bottom, between the earlier points and the current ones.
    columns = {row.index("┆") for row in rows if "┆" in row}
    assert len(columns) == 1 and sum("┆" in row for row in rows) >= len(rows) - 2
    (line,) = columns
    letters = [(x, ch) for row in rows for x, ch in enumerate(row) if ch in "OSp"]
    assert sorted(ch for x, ch in letters if x < line) == ["O", "O", "S", "p"]
    assert sorted(ch for x, ch in letters if x > line) == ["O", "O", "S"]
    # The intake band is the current episode's: its dotted lines start at the "┆".
    band = [row for row in rows if re.search("·{5,}", row)]
    assert band and all(row.index("·") > line for row in band)


def test_earlier_episodes_are_grey_and_named_in_the_legend():
    earlier, current = two_episodes()
    plt = Recorder()
    legend = draw_history(
        plt, current, INSTRUMENTS, 250, intake=150, reliable=50, earlier=[earlier]
    )
    greys = [
        kwargs["color"] for name, args, kwargs in plt.calls if name == "scatter" and args[0][0] < 3
    ]
    colours = [
        kwargs["color"] for name, args, kwargs in plt.calls if name == "scatter" and args[0][0] >= 3
    ]
    assert set(greys) == {"gray"} and colours and "gray" not in colours
    words = [entry.words for entry in legend]
    assert "episode start: earlier ones left of it, not counted" in words
    assert "ORS (partner), earlier" in words  # rated only in the earlier episode
    alone = draw_history(Recorder(), current, INSTRUMENTS, 250, intake=150, reliable=50)
    assert [entry.words for entry in alone] == [w for w in words if "earlier" not in w]


def k1() -> list[Administration]:
    """A child's CORS 28 then 33 and CSRS 36 twice; the parent's CORS 20 then 16 and SRS 36
    then 28 (a parent rates the adult SRS)."""
    cors = ["me", "family", "school", "everything"]
    csrs = ["listening", "how_important", "what_we_did", "overall"]
    return [
        rating("CORS", 0, dict(zip(cors, spread(280)))),
        rating("CORS", 14, dict(zip(cors, spread(330)))),
        rating("CSRS", 0, dict(zip(csrs, spread(360)))),
        rating("CSRS", 14, dict(zip(csrs, spread(360)))),
        rating("CORS", 0, dict(zip(cors, spread(200))), rater="parent"),
        rating("CORS", 14, dict(zip(cors, spread(160))), rater="parent"),
        rating("SRS", 0, dict(zip(SRS_KEYS, spread(360))), rater="parent"),
        rating("SRS", 14, dict(zip(SRS_KEYS, spread(280))), rater="parent"),
    ]


@pytest.mark.parametrize("size", [(54, 10), *SIZES])
def test_a_point_with_its_value_beside_it_hides_no_other_point(size):
    """Where a point has no right row and carries its value ("a28"), another point on its
    spot is named in the same label ("O·a28"), never drawn over."""
    rows = canvas(
        *size,
        lambda r: draw_history(
            plotext, k1(), INSTRUMENTS, 320, False, intake=280, reliable=50, rows=r
        ),
    )
    letters = Counter(ch for row in rows for ch in row if ch in "OSpa")
    assert letters == {"O": 2, "S": 2, "p": 2, "a": 2}, "\n".join(rows[::-1])
