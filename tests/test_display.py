"""How figures are written: the signed change, a score in its instrument's format, a date;
and the Summary's progress, there from the first ORS on or not at all."""

from __future__ import annotations

from fittui.domain.display import date_text, score_format, signed
from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration, Client
from fittui.domain.scoring import progress_totals, summarize

INSTRUMENTS = load_instruments()


def rating(instrument: str, day: str, items: dict[str, int]) -> Administration:
    return Administration(f"{instrument}{day}", "C1", instrument, day, items)


def test_a_change_carries_its_sign_and_none_is_a_dash():
    assert [signed(t) for t in (55, -65, 0, None)] == ["+5.5", "-6.5", "0.0", "-"]
    phq9 = INSTRUMENTS["PHQ-9"]
    assert signed(-30, phq9.format_score) == "-3" and signed(20, phq9.format_score) == "+2"


def test_a_score_is_written_as_its_instrument_is_read():
    phq9 = rating("PHQ-9", "2026-01-01", {f"q{n}": 10 for n in range(1, 10)})
    assert score_format(phq9, INSTRUMENTS)(phq9.total) == "9"
    ors = rating("ORS", "2026-01-01", {"individually": 55})
    assert score_format(ors, INSTRUMENTS)(55) == "5.5"
    unknown = rating("MY-SCALE", "2026-01-01", {"a": 7})
    assert score_format(unknown, INSTRUMENTS)(7) == "0.7"  # no instrument: one decimal


def test_a_date_with_a_time_reads_with_a_space():
    assert date_text("2026-11-09T10:00") == "2026-11-09 10:00"
    assert date_text("2026-11-09") == "2026-11-09"


def test_progress_is_there_from_the_first_ors_with_its_change_from_the_second():
    keys = ["individually", "interpersonally", "socially", "overall"]
    first = rating("ORS", "2026-01-01", dict.fromkeys(keys, 50))
    second = rating("ORS", "2026-01-08", dict.fromkeys(keys, 60))
    assert summarize(Client("C1"), [], INSTRUMENTS).progress is None
    assert progress_totals(None) == (None, None, None)
    one = summarize(Client("C1"), [first], INSTRUMENTS).progress
    assert one is not None and one.intake is one.latest is first and one.change is None
    two = summarize(Client("C1"), [second, first], INSTRUMENTS)
    assert progress_totals(two.progress) == (200, 240, 40)
    assert [n for n, _, _ in two.expected_path] == [1, 2]  # one point per session so far
