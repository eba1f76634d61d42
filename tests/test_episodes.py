"""Episodes of care: where a course starts and ends, from ratings, gaps and the therapist."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fittui.domain.episodes import (
    NO_CONTACT,
    SUPERSEDED,
    Episode,
    EpisodeEvent,
    check_end,
    check_start,
    current_episode,
    split_episodes,
)
from fittui.domain.model import (
    Administration,
    InputError,
    Voided,
    one_per_session,
    replaced_ratings,
)

ITEMS = {"individually": 50, "interpersonally": 50, "socially": 50, "overall": 50}


def ors(day: str, n: int = 0, rater: str = "client", instrument: str = "ORS") -> Administration:
    return Administration(f"{day}-{instrument}-{rater}-{n}", "A", instrument, day, ITEMS, rater)


def days(episode: Episode) -> list[str]:
    return [a.date for a in episode.administrations]


def test_one_episode_while_ratings_keep_coming():
    ratings = [ors("2026-01-05"), ors("2026-02-05"), ors("2026-05-05")]  # 89 days apart at most
    [episode] = split_episodes(ratings, [])
    assert (episode.number, episode.start, episode.end, episode.reason) == (
        1,
        "2026-01-05",
        None,
        None,
    )
    assert not episode.closed
    assert days(episode) == ["2026-01-05", "2026-02-05", "2026-05-05"]


def test_back_after_100_days_starts_a_new_episode():
    ratings = [ors("2026-01-05"), ors("2026-02-01"), ors("2026-05-12"), ors("2026-05-19")]
    first, second = split_episodes(ratings, [])
    assert (first.start, first.end, first.reason) == ("2026-01-05", "2026-02-01", NO_CONTACT)
    assert first.closed and first.unplanned
    assert (second.number, second.start, second.reason) == (2, "2026-05-12", None)
    assert days(second) == ["2026-05-12", "2026-05-19"]


def test_exactly_the_gap_is_still_the_same_episode():
    assert len(split_episodes([ors("2026-01-01"), ors("2026-04-01")], [])) == 1  # 90 days
    assert len(split_episodes([ors("2026-01-01"), ors("2026-04-02")], [])) == 2  # 91 days
    assert len(split_episodes([ors("2026-01-01"), ors("2026-01-31")], [], gap_days=29)) == 2


def test_no_contact_past_the_gap_closes_the_open_episode_as_of_today():
    ratings = [ors("2026-01-05"), ors("2026-02-01")]
    [open_one] = split_episodes(ratings, [], today="2026-05-02")  # 90 days
    assert not open_one.closed
    [lapsed] = split_episodes(ratings, [], today="2026-05-03")  # 91 days
    assert (lapsed.end, lapsed.reason) == ("2026-02-01", NO_CONTACT)


def test_the_therapist_ends_an_episode_with_a_reason():
    ratings = [ors("2026-01-05"), ors("2026-02-05"), ors("2026-03-05")]
    events = [EpisodeEvent("end", "2026-03-05", "planned")]
    [episode] = split_episodes(ratings, events)
    assert (episode.end, episode.reason) == ("2026-03-05", "planned")
    assert days(episode) == ["2026-01-05", "2026-02-05", "2026-03-05"]  # that day's too
    assert not episode.unplanned


def test_a_rating_after_an_end_starts_the_next_episode_however_soon():
    ratings = [ors("2026-01-05"), ors("2026-01-20"), ors("2026-02-03")]
    events = [EpisodeEvent("end", "2026-01-20", "dropout")]
    first, second = split_episodes(ratings, events)
    assert (first.reason, days(first)) == ("dropout", ["2026-01-05", "2026-01-20"])
    assert first.unplanned
    assert (second.start, days(second)) == ("2026-02-03", ["2026-02-03"])


def test_the_therapist_starts_a_new_episode_within_the_gap():
    ratings = [ors("2026-01-05"), ors("2026-02-05"), ors("2026-03-05"), ors("2026-03-12")]
    events = [EpisodeEvent("end", "2026-02-20", "referred"), EpisodeEvent("start", "2026-03-05")]
    first, second = split_episodes(ratings, events)
    assert (first.end, first.reason) == ("2026-02-20", "referred")
    assert (second.start, days(second)) == ("2026-03-05", ["2026-03-05", "2026-03-12"])


def test_end_then_start_on_one_day_gives_that_days_ratings_to_the_new_episode():
    ratings = [ors("2026-01-05"), ors("2026-03-05")]
    events = [EpisodeEvent("end", "2026-03-05", "planned"), EpisodeEvent("start", "2026-03-05")]
    first, second = split_episodes(ratings, events)
    assert (first.end, days(first)) == ("2026-03-05", ["2026-01-05"])
    assert days(second) == ["2026-03-05"]


def test_start_then_end_on_one_day_is_a_single_session_episode():
    ratings = [ors("2026-01-05"), ors("2026-03-05")]
    events = [EpisodeEvent("start", "2026-03-05"), EpisodeEvent("end", "2026-03-05", "other")]
    first, second = split_episodes(ratings, events)
    assert (first.reason, days(first)) == ("other", ["2026-01-05"])  # replaced by the start
    assert (second.start, second.end, second.reason) == ("2026-03-05", "2026-03-05", "other")
    assert days(second) == ["2026-03-05"]


def test_a_start_while_open_ends_the_open_episode_on_its_last_contact():
    ratings = [ors("2026-01-05"), ors("2026-01-19"), ors("2026-02-02")]
    first, second = split_episodes(ratings, [EpisodeEvent("start", "2026-02-02")])
    assert (first.end, first.reason) == ("2026-01-19", "other")
    assert days(second) == ["2026-02-02"]


@settings(max_examples=200, deadline=None)
@given(
    rated=st.lists(st.integers(0, 600), max_size=40),
    started=st.lists(st.integers(0, 600), max_size=4),
    today=st.integers(0, 800),
)
def test_an_episode_closed_by_a_lapse_or_a_new_start_ends_on_its_last_contact(
    rated: list[int], started: list[int], today: int
) -> None:
    first = date(2026, 1, 5)
    ratings = [ors((first + timedelta(days=d)).isoformat(), n) for n, d in enumerate(rated)]
    events = [EpisodeEvent("start", (first + timedelta(days=d)).isoformat()) for d in started]
    episodes = split_episodes(ratings, events, 90, first + timedelta(days=today))
    placed = sorted(a.id for episode in episodes for a in episode.administrations)
    # Every rating but those a later one of their day replaced (one ORS a day counts).
    assert placed == sorted({a.day: a.id for a in ratings}.values())
    for episode in episodes:
        if episode.reason in (NO_CONTACT, SUPERSEDED):
            assert episode.end == episode.last_contact  # the latest day rated, or its start


def test_an_end_after_the_gap_names_the_reason_of_the_lapsed_episode():
    ratings = [ors("2026-01-05"), ors("2026-02-01"), ors("2026-07-01")]
    events = [EpisodeEvent("end", "2026-06-01", "dropout")]
    first, second = split_episodes(ratings, events)
    assert (first.end, first.reason) == ("2026-06-01", "dropout")
    assert (second.start, second.reason) == ("2026-07-01", None)


def test_a_started_episode_without_ratings_is_shown_and_the_first_rating_joins_it():
    [empty] = split_episodes([], [EpisodeEvent("start", "2026-01-05")])
    assert (empty.start, empty.administrations, empty.sessions) == ("2026-01-05", (), 0)
    [joined] = split_episodes([ors("2026-01-12")], [EpisodeEvent("start", "2026-01-05")])
    assert (joined.start, days(joined)) == ("2026-01-05", ["2026-01-12"])


def test_administrations_keep_entry_order_and_every_rater_and_instrument():
    ratings = [
        ors("2026-02-05"),
        ors("2026-01-05", rater="partner"),
        ors("2026-01-05", instrument="SRS"),
        ors("2026-01-05"),
    ]
    [episode] = split_episodes(ratings, [])
    assert episode.administrations == tuple(ratings)
    assert episode.start == "2026-01-05"


def test_sessions_are_distinct_days():
    ratings = [ors("2026-01-05T09:00"), ors("2026-01-05T16:00", 1), ors("2026-01-12")]
    [episode] = split_episodes(ratings, [])
    assert episode.sessions == 2


def test_a_day_with_a_rating_kept_as_its_own_session_counts_two_sessions():
    """k (or fittui keep-session) keeps a second ORS and SRS of the day as a session of
    their own: that day is two sessions, whatever else was rated at each of them."""
    kept = "2026-01-05T16:01:00"

    def second(instrument: str) -> Administration:
        a = ors("2026-01-05T16:00", 1, instrument=instrument)
        return a.replace(own_session=kept)

    ratings = [
        ors("2026-01-05T09:00"),
        ors("2026-01-05T09:50", instrument="SRS"),
        ors("2026-01-05T09:00", rater="partner"),
        second("ORS"),
        second("SRS"),
        ors("2026-01-12"),
    ]
    [episode] = split_episodes(ratings, [])
    assert episode.sessions == 3


def test_current_episode_is_the_latest():
    assert current_episode([]) is None
    episodes = split_episodes([ors("2026-01-05"), ors("2026-06-05")], [])
    assert current_episode(episodes).number == 2


def test_describe_says_how_it_ended():
    ratings = [ors("2026-01-05"), ors("2026-02-01")]
    [lapsed] = split_episodes(ratings, [], today="2026-06-01")
    assert lapsed.describe() == "Episode 1: 2026-01-05 to 2026-02-01, no contact for over 90 days"
    [open_one] = split_episodes(ratings, [])
    assert open_one.describe() == "Episode 1: since 2026-01-05, open"


def test_an_end_when_none_is_open_corrects_how_the_latest_ended():
    ratings = [ors("2026-01-05"), ors("2026-02-05")]
    events = [
        EpisodeEvent("end", "2026-02-05", "other"),
        EpisodeEvent("end", "2026-02-07", "planned"),
    ]
    [episode] = split_episodes(ratings, events)
    assert (episode.end, episode.reason) == ("2026-02-07", "planned")


def test_check_start_refuses_to_cut_into_an_episode():
    episodes = split_episodes([ors("2026-01-05")], [])
    with pytest.raises(InputError, match="episode 1 is still open .since 2026-01-05.; end it"):
        check_start(episodes, "2026-02-01")
    ended = split_episodes([ors("2026-01-05")], [EpisodeEvent("end", "2026-01-20", "planned")])
    with pytest.raises(InputError, match="2026-01-19 falls before the end of episode 1"):
        check_start(ended, "2026-01-19")
    check_start(ended, "2026-01-20")
    check_start([], "2026-01-20")


def test_check_end_names_the_episode_or_says_why_not():
    episodes = split_episodes([ors("2026-01-05"), ors("2026-02-05")], [])
    assert check_end(episodes, "2026-02-05", "planned").number == 1
    with pytest.raises(InputError, match="unknown reason 'bored' .one of planned, dropout"):
        check_end(episodes, "2026-02-05", "bored")
    with pytest.raises(InputError, match="has ratings after 2026-02-01 .the last on 2026-02-05"):
        check_end(episodes, "2026-02-01", "planned")
    with pytest.raises(InputError, match="before episode 1 started"):
        check_end(episodes, "2026-01-01", "planned")
    with pytest.raises(InputError, match="no episode to end"):
        check_end([], "2026-01-01", "planned")
    lapsed = split_episodes([ors("2026-01-05"), ors("2026-01-12")], [], today="2026-06-01")
    assert check_end(lapsed, "2026-06-01", "dropout").reason == NO_CONTACT
    with pytest.raises(InputError, match="ended on 2026-01-12; a change"):
        check_end(lapsed, "2026-01-10", "dropout")


def test_the_gap_and_the_reference_sd_are_settings(tmp_path):
    from fittui.storage.settings import load_settings

    path = tmp_path / "settings.toml"
    path.write_text("[episodes]\ngap_days = 60\n[outcomes]\nreference_sd = 7.5\n")
    settings = load_settings(path)
    assert (settings.gap_days, settings.reference_sd) == (60, 7.5)
    for bad, words in (
        ("[episodes]\ngap_days = 0\n", "episodes.gap_days must be a whole number of days"),
        ('[episodes]\ngap_days = "90"\n', "episodes.gap_days"),
        ("[outcomes]\nreference_sd = 0\n", "outcomes.reference_sd must be a number of points"),
    ):
        path.write_text(bad)
        with pytest.raises(InputError, match=words):
            load_settings(path)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from(["ORS", "SRS"]), st.booleans(), st.booleans()),
        max_size=12,
    )
)
def test_one_rating_a_session_counts_the_later_unless_kept_as_its_own(
    drawn: list[tuple[int, str, bool, bool]],
) -> None:
    """Of the ratings of one instrument by one rater on one day, in entry order, a rating
    counts when it is the last, or the next one was kept as a session of its own. Voided
    ones neither replace nor count."""
    ratings = [
        ors(f"2026-03-0{day}", n, instrument=instrument).replace(
            own_session="2026-03-09T10:00:00" if own else None,
            voided=Voided("test entry", "2026-03-09T10:00:00") if void else None,
        )
        for n, (day, instrument, own, void) in enumerate(drawn)
    ]
    counted = [a for a in ratings if a.voided is None]

    def replaced(n: int) -> bool:
        a = counted[n]
        after = [b for b in counted[n + 1 :] if (b.instrument, b.day) == (a.instrument, a.day)]
        return bool(after) and after[0].own_session is None

    expected = [a for n, a in enumerate(counted) if not replaced(n)]
    assert one_per_session(counted) == expected
    assert replaced_ratings(ratings) == {a.id for a in counted} - {a.id for a in expected}
    placed = [a for e in split_episodes(counted, []) for a in e.administrations]
    assert placed == expected


def test_an_end_on_the_day_of_the_first_rating_ends_that_episode():
    """A client seen once and ended that day: the end is the episode's, not lost before the
    day's rating opened it."""
    events = [EpisodeEvent("end", "2026-01-05", "planned")]
    [once] = split_episodes([ors("2026-01-05")], events)
    assert (once.start, once.end, once.reason, days(once)) == (
        "2026-01-05",
        "2026-01-05",
        "planned",
        ["2026-01-05"],
    )


def test_an_end_on_the_day_of_a_return_after_the_gap_ends_the_new_episode():
    """What ``check_end`` names on that day is the new episode: the end goes to it, and the
    lapsed one keeps its ending (no contact)."""
    ratings = [ors("2026-01-05"), ors("2026-02-01"), ors("2026-07-01")]
    before = split_episodes(ratings, [])
    assert check_end(before, "2026-07-01", "dropout").number == 2
    events = [EpisodeEvent("end", "2026-07-01", "dropout")]
    first, second = split_episodes(ratings, events)
    assert (first.end, first.reason) == ("2026-02-01", NO_CONTACT)
    assert (second.start, second.end, second.reason) == ("2026-07-01", "2026-07-01", "dropout")
    # A start after the end that day still gives the day's ratings to the new episode.
    events.append(EpisodeEvent("start", "2026-07-01"))
    first, second = split_episodes(ratings, events)
    assert (first.reason, second.reason, days(second)) == ("dropout", None, ["2026-07-01"])
