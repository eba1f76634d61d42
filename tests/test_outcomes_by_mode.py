"""The breakdown by how ratings were taken counts what the outcome summary counts."""

from __future__ import annotations

from fittui.domain.instruments import load_instruments
from fittui.domain.mode_summary import by_mode
from fittui.domain.model import Administration
from fittui.domain.outcomes import Period

INSTRUMENTS = load_instruments()


def rating(n: int, instrument: str, each: int, day: str = "2026-03-01", **kw) -> Administration:
    """A rating with every item at ``each`` tenths."""
    items = {item.key: each for item in INSTRUMENTS[instrument].items}
    return Administration(f"r{n}", "B1", instrument, day, items, **kw)


def test_a_replaced_rating_and_a_group_rating_are_not_the_clients_srs():
    # The SRS typed at 20.0 and entered again at 38.0 that day counts once, as 38.0; the
    # GSRS (a group's alliance) is not the individual SRS, as in the outcome summary.
    ratings = [
        rating(1, "ORS", 50),
        rating(2, "SRS", 50),
        rating(3, "SRS", 95),
        rating(4, "GSRS", 50),
        rating(5, "SRS", 60, rater="partner"),
    ]
    (in_person,) = by_mode(ratings, INSTRUMENTS, Period())
    assert in_person.to_json() == {
        "mode": "in_person",
        "ors_count": 1,
        "ors_mean": 20.0,
        "srs_count": 1,
        "srs_mean": 38.0,
        "srs_below_36": 0,
    }


def test_two_sessions_kept_on_one_day_both_count():
    first = rating(1, "SRS", 80)
    second = rating(2, "SRS", 90, own_session="2026-03-01T10:00:00")
    (in_person,) = by_mode([first, second], INSTRUMENTS, Period())
    assert (in_person.srs_count, in_person.srs_below) == (2, 1)


def test_means_in_json_have_two_decimals_like_the_summarys():
    # SRS of 34.0, 36.0 and 36.0: a mean of 35.333..., 35.33 as the summary's mean_srs
    # gives it in the same JSON, not 35.3.
    ratings = [
        rating(1, "SRS", 85, day="2026-03-01"),
        rating(2, "SRS", 90, day="2026-03-08"),
        rating(3, "SRS", 90, day="2026-03-15"),
    ]
    (in_person,) = by_mode(ratings, INSTRUMENTS, Period())
    assert in_person.to_json()["srs_mean"] == 35.33
