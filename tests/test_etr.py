"""The expected treatment response: the model at its boundaries, simulations that the band
is calibrated and that the fit recovers known parameters (planned endings too), the
back-test on closed episodes, and the `fittui etr` commands.

Generators live here, with fixed seeds, so every run gives the same answer."""

from __future__ import annotations

import math
import random
import re
import stat
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from fittui.domain import etr, etr_practice
from fittui.domain.etr import Course, default_parameters, expected_path, zone
from fittui.domain.etr_practice import fit
from fittui.domain.model import Administration, Client, InputError, Voided
from fittui.domain.scoring import summarize
from fittui.storage import etr_files

DEFAULT = default_parameters()
CUTOFFS = {"adult": 250, "adolescent": 280, "child": 320}
KEYS = {
    "ORS": ["individually", "interpersonally", "socially", "overall"],
    "CORS": ["me", "family", "school", "everything"],
    "YCORS": ["face"],
    "SRS": ["relationship", "goals_topics", "approach", "overall"],
}
GROUPS = ["adult", "adult", "adolescent", "child"]


def rating(n: int, total: int, instrument: str = "ORS", day: str | None = None) -> Administration:
    """The client's own rating at week n, its total spread over the items."""
    keys = KEYS[instrument]
    base, extra = divmod(total, len(keys))
    items = {k: base + (1 if i < extra else 0) for i, k in enumerate(keys)}
    day = day or (date(2026, 1, 5) + timedelta(weeks=n)).isoformat()
    return Administration(f"a{n}", "C1", instrument, day, items)


def course(totals: list[int], age_group: str = "adult"):
    """The summary of a client whose ORS-family totals (tenths) are these, week by week."""
    instrument = {"child": "CORS", "young_child": "YCORS"}.get(age_group, "ORS")
    from fittui.domain.instruments import load_instruments

    return summarize(
        Client("C1", age_group),
        [rating(n, t, instrument) for n, t in enumerate(totals)],
        load_instruments(),
    )


# -- the model ------------------------------------------------------------------------------
def test_default_parameters_come_from_the_data_file(instruments):
    assert DEFAULT.gain == 8.0 and DEFAULT.reference_session == 10
    assert DEFAULT.plateau_session == 10 and DEFAULT.band_percentile == 10
    assert DEFAULT.centres == {"adult": 200, "adolescent": 230, "child": 270}
    assert not DEFAULT.covers("young_child")
    assert DEFAULT.source.startswith("default")
    # the model's cut-offs are the instruments' own
    assert DEFAULT.cutoffs == CUTOFFS
    assert {g: instruments["ORS"].cutoff_for(g) for g in ("adult", "adolescent")} == {
        "adult": 250,
        "adolescent": 280,
    }
    assert instruments["CORS"].cutoff_for("child") == 320


def test_expected_path_from_intake_20_levels_off_after_session_10():
    path = expected_path(200, "adult", [1, 2, 4, 8, 10, 11, 40, 52], DEFAULT)
    assert [e for _, e, _ in path] == [200, 224, 248, 272, 280, 280, 280, 280]
    assert all(lower < e for _, e, lower in path[1:])
    assert len({(e, lower) for _, e, lower in path[4:]}) == 1  # level from the plateau on
    assert expected_path(0, "adult", [2], DEFAULT)[0][2] >= 0


def test_expected_gain_falls_to_zero_at_the_cut_off():
    gain = {i: etr.expected_gain(i, "adult", DEFAULT) for i in (0, 100, 200, 225, 249, 250, 340)}
    assert gain[0] == 16.0 and gain[100] == 12.0 and gain[200] == 8.0  # 0.4 a point below
    assert gain[225] == 4.0  # halfway from the centre to the cut-off
    assert 0 < gain[249] < 0.2 and gain[250] == 0 and gain[340] == 0
    for group, cutoff in CUTOFFS.items():
        for intake in (cutoff, cutoff + 55, 400):
            [(_, expected, _)] = expected_path(intake, group, [8], DEFAULT)
            assert expected == intake, (group, intake)


def test_intake_is_read_against_the_age_groups_cut_off():
    """Five points below the cut-off is the centre in each group: the same expected gain."""
    gains = {
        group: [e - centre for _, e, _ in expected_path(centre, group, [2, 6, 10], DEFAULT)]
        for group, centre in DEFAULT.centres.items()
    }
    assert gains["adult"] == gains["adolescent"] == gains["child"]


def test_zone_boundaries_are_exact_in_tenths():
    _, expected, lower = expected_path(200, "adult", [4], DEFAULT)[0]
    assert zone(expected, expected, lower) == "on_track"  # at the expected path
    assert zone(expected - 1, expected, lower) == "at_risk"
    assert zone(lower, expected, lower) == "at_risk"  # at the lower edge: still in the band
    assert zone(lower - 1, expected, lower) == "off_track"
    assert set(etr.ZONE_WORDS) == set(etr.ZONES)
    # the same through summarize, with totals that sit exactly on the rounded values
    for total, want in [
        (expected, "on_track"),
        (expected - 1, "at_risk"),
        (lower, "at_risk"),
        (lower - 1, "off_track"),
    ]:
        s = course([200, 200, 200, total])
        assert s.etr_zone == want
        assert ("off_track" in s.flags) == (want == "off_track")


def test_session_2_is_off_track_only_with_a_reliable_deterioration():
    _, _, lower = expected_path(200, "adult", [2], DEFAULT)[0]
    assert lower == 182  # the band's edge: 20.0 -> 18.1 is below it, but within chance
    assert course([200, 197]).etr_zone == "at_risk"  # the case: 20.0 -> 19.7
    assert course([200, lower - 1]).etr_zone == "at_risk"
    assert course([200, 151]).etr_zone == "at_risk"  # a fall of 4.9
    assert course([200, 150]).etr_zone == "off_track"  # a fall of 5.0: reliable
    assert "off_track" in course([200, 150]).flags
    # from session 3 on, below the band is off track without a reliable fall
    _, _, lower3 = expected_path(200, "adult", [3], DEFAULT)[0]
    assert course([200, 200, lower3 - 1]).etr_zone == "off_track"


def test_an_intake_in_the_normal_range_is_not_expected_to_gain():
    """The issue's case: 34.0 then 31.0 is not off track, nor is staying there."""
    assert course([340, 310]).etr_zone != "off_track"
    assert all(z.zone != "off_track" for z in course([340, 310, 310, 310, 310]).etr_zones)
    assert course([340, 340]).etr_zone == "on_track"


def test_a_long_course_is_judged_against_the_level_path():
    """The issue's case: intake 20, then 30 at session 40, is on track."""
    s = course([200] * 39 + [300])
    assert s.etr_zones[-1].session == 40 and s.etr_zones[-1].expected == 280
    assert s.etr_zone == "on_track"


def test_no_zone_before_the_second_ors_nor_for_young_children():
    assert course([]).etr_zone is None
    s = course([150])
    assert s.etr_zone is None and s.etr_zones == ()
    assert course([150, 150]).etr_zone is not None
    little = course([20, 20, 20, 20, 20, 20, 20, 20], "young_child")
    assert little.etr_zone is None and "off_track" not in little.flags


def test_only_the_clients_own_ratings_count():
    from fittui.domain.instruments import load_instruments

    own = [rating(n, 200) for n in range(3)]
    parent = rating(1, 100).replace(id="p1", rater="parent")
    s = summarize(Client("C1"), [*own, parent], load_instruments())
    assert [z.session for z in s.etr_zones] == [2, 3]
    assert all(z.administration.by_client for z in s.etr_zones)


@pytest.mark.parametrize("group", ["adult", "adolescent", "child"])
def test_no_change_for_eight_sessions_is_off_track_where_a_gain_is_expected(group):
    """From every intake at or below the group's centre (an expected gain of 8 points or
    more), eight flat sessions are off track. (Before the band was calibrated this held up
    to the cut-off; near it the expected gain is now small, and a flat course is within
    the band.)"""
    for intake in range(0, DEFAULT.centres[group] + 1, 5):
        s = course([intake] * 8, group)
        assert s.etr_zone == "off_track", (group, intake)
        assert "off_track" in s.flags
        [pattern] = [p for p in s.patterns if p.key == "not_on_track"]
        assert "not a validated prediction" in pattern.detail and pattern.questions
    near = CUTOFFS[group] - 5
    assert course([near] * 8, group).etr_zone != "off_track"


@pytest.mark.parametrize("group", ["adult", "adolescent", "child"])
def test_ten_points_by_the_fourth_session_is_on_track(group):
    """From 20 points below the group's centre (an adult's intake of 0) up to 30."""
    for intake in range(DEFAULT.centres[group] - 200, 301, 5):
        s = course([intake, intake + 40, intake + 70, intake + 100], group)
        assert s.etr_zone == "on_track", (group, intake)
        assert "off_track" not in s.flags


def test_a_practices_own_parameters_change_the_call():
    flat = [200] * 8
    assert course(flat).etr_zone == "off_track"
    modest = DEFAULT.replace(gain=1.0)
    from fittui.domain.instruments import load_instruments

    s = summarize(
        Client("C1"),
        [rating(n, t) for n, t in enumerate(flat)],
        load_instruments(),
        etr_params=modest,
    )
    assert s.etr_zone == "at_risk"


# -- generators -----------------------------------------------------------------------------
def own_gain(rng: random.Random, intake: int, group: str, params: etr.Parameters) -> float:
    """A client drawn from the model: the deteriorating course or the other, then the
    client's own gain around it."""
    rate = etr.expected_gain(intake, group, params)
    share, falling = params.deterioration_share, params.deterioration_gain
    centre = falling if rng.random() < share else (rate - share * falling) / (1 - share)
    return rng.gauss(centre, params.gain_spread)


def draw_totals(
    rng: random.Random,
    intake: int,
    gain: float,
    sessions: int,
    params: etr.Parameters,
    stop_at: int | None = None,
) -> tuple[int, ...]:
    """Totals (tenths) from intake on: the own gain times L(n), a chance error at each
    rating, kept within 0-40 as real ratings are. With ``stop_at`` the episode ends at
    the first rating at or above it (a planned ending: the client reached their goal)."""
    totals = [intake]
    for n in range(2, sessions + 1):
        share = math.log(min(n, params.plateau_session)) / math.log(params.reference_session)
        score = intake / 10 + gain * share + rng.gauss(0, params.occasion_spread)
        totals.append(min(400, max(0, round(score * 10))))
        if stop_at is not None and totals[-1] >= stop_at:
            break
    return tuple(totals)


def typical(seed: int, clients: int, params: etr.Parameters, **kwargs) -> list[Course]:
    """Clients on the typical course: intakes across each group's clinical range, 3 to 12
    sessions, each with an own gain drawn from the model."""
    rng = random.Random(seed)
    courses = []
    for _ in range(clients):
        group = rng.choice(GROUPS)
        intake = rng.randrange(params.centres[group] - 120, CUTOFFS[group])
        gain = own_gain(rng, intake, group, params)
        totals = draw_totals(rng, intake, gain, rng.randint(3, 12), params, **kwargs)
        courses.append(Course(group, totals))
    return courses


def unchanged_or_worse(
    seed: int, clients: int, params: etr.Parameters, low: float = -8.0, high: float = 5.0
) -> list[Course]:
    """Clients on a course that ends unchanged or worse: the course's own change at its
    last session (without the chance error of each rating) drawn evenly between ``low`` and
    ``high`` points. The default, -8 to +5, is "no reliable change (-5 to +5) or worse";
    4 to 12 sessions (so there are sessions between the first two and the last), intakes
    across each group's clinical range."""
    rng = random.Random(seed)
    courses = []
    for _ in range(clients):
        group = rng.choice(GROUPS)
        intake = rng.randrange(params.centres[group] - 120, CUTOFFS[group])
        sessions = rng.randint(4, 12)
        share = math.log(min(sessions, params.plateau_session)) / math.log(params.reference_session)
        gain = rng.uniform(low, high) / share
        courses.append(Course(group, draw_totals(rng, intake, gain, sessions, params)))
    return courses


def caught_before_the_end(courses: list[Course], params: etr.Parameters) -> float:
    """The share of these courses flagged off track at some session before their last."""
    caught = [
        any(n < len(c.totals) for n in etr_practice.flagged_sessions(c, params)) for c in courses
    ]
    return sum(caught) / len(courses)


# -- the band, calibrated -------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2])
def test_the_typical_course_is_flagged_at_no_more_than_one_session_in_ten(seed):
    courses = typical(seed, 1500, DEFAULT)
    sessions = sum(len(c.totals) - 1 for c in courses)
    flagged = sum(len(etr_practice.flagged_sessions(c, DEFAULT)) for c in courses)
    assert 0.05 < flagged / sessions <= 0.10  # calibrated, not won by flagging no one


@pytest.mark.parametrize("seed", [3, 4])
def test_three_in_four_courses_ending_unchanged_or_worse_are_flagged_before_the_end(seed):
    """Unchanged read as no reliable change: a course that ends between -5 and +5 points
    from intake, or lower. (Seeds 3 and 4 give about 0.79 and 0.83.)"""
    assert caught_before_the_end(unchanged_or_worse(seed, 800, DEFAULT), DEFAULT) >= 0.75


def test_a_course_that_ends_a_little_up_is_where_the_two_goals_meet():
    """Why the test above mixes small rises with falls, and why the band is not raised.

    Courses that end 0 to 5 points up are caught before the end only about six times in
    ten. A band raised until it catches three in four of them (the 15th percentile) flags
    about one session in eight of the typical course, above the one in ten allowed. The
    budget is nearly spent already: about 8 of the 9 percentage points of typical sessions
    flagged belong to the 9% of clients on the deteriorating course (the published lower
    tail), who are flagged at nearly nine sessions in ten; only about 1% of the sessions
    of the clients who improve are flagged. And a course 0 to 5 points up differs from the
    typical one by less than two chance errors of a single rating (2.55 points each) until
    the middle of an episode. The README ("How it was calibrated") has the numbers."""
    small_rise = unchanged_or_worse(3, 800, DEFAULT, low=0.0, high=5.0)
    assert 0.55 <= caught_before_the_end(small_rise, DEFAULT) <= 0.70
    raised = DEFAULT.replace(band_percentile=15)
    assert caught_before_the_end(small_rise, raised) >= 0.75
    courses = typical(1, 1500, DEFAULT)
    sessions = sum(len(c.totals) - 1 for c in courses)
    assert sum(len(etr_practice.flagged_sessions(c, raised)) for c in courses) / sessions > 0.10


def test_the_lower_tail_matches_the_published_deterioration_rate():
    """From intake 20, 7-11% of clients have deteriorated reliably by session 10."""
    rng = random.Random(5)
    runs = 20000
    falls = 0
    for _ in range(runs):
        totals = draw_totals(rng, 200, own_gain(rng, 200, "adult", DEFAULT), 10, DEFAULT)
        falls += totals[-1] - totals[0] <= -50
    assert 0.07 <= falls / runs <= 0.11


def test_the_model_states_its_lower_tail():
    """The same figure in closed form, as `etr show` prints it."""
    improved, deteriorated = etr.reliable_shares(200, "adult", DEFAULT)
    assert 0.08 <= deteriorated <= 0.095 and 0.8 <= improved <= 0.85
    assert f"{deteriorated:.0%} deteriorate reliably" in etr_practice.describe(DEFAULT)
    assert max(len(line) for line in etr_practice.describe(DEFAULT).splitlines()) <= 90
    assert etr.reliable_shares(340, "adult", DEFAULT)[0] < 0.2  # no gain expected there


def test_the_old_band_flagged_far_more_of_the_typical_course():
    """What the calibration fixed: a fifth of clients below the band at every session."""
    wide = DEFAULT.replace(band_percentile=20, early_sessions=1)
    courses = typical(6, 800, DEFAULT)
    sessions = sum(len(c.totals) - 1 for c in courses)
    assert sum(len(etr_practice.flagged_sessions(c, wide)) for c in courses) / sessions > 0.15


# -- fitting --------------------------------------------------------------------------------
TRUE = DEFAULT.replace(gain=9.0, gain_per_point=-0.3, occasion_spread=2.0, gain_spread=4.0)
# How close the fit must come with 600 simulated clients: about three standard errors
# (over 12 seeds the standard errors were about 0.3, 0.05, 0.06 and 0.3).
TOLERANCE = {"gain": 1.0, "gain_per_point": 0.2, "occasion_spread": 0.3, "gain_spread": 1.0}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_caseloads_are_fitted_back(seed):
    cases = typical(seed, 600, TRUE)
    result = fit(cases, DEFAULT)
    fitted = result.parameters
    assert result.clients == 600 and result.ratings == sum(len(c.totals) for c in cases)
    for key, tolerance in TOLERANCE.items():
        assert abs(getattr(fitted, key) - getattr(TRUE, key)) <= tolerance, key
    # what is not fitted stays as it was
    for key in ("reference_session", "plateau_session", "band_percentile", "centres"):
        assert getattr(fitted, key) == getattr(DEFAULT, key), key
    assert fitted.deterioration_share == DEFAULT.deterioration_share


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planned_endings_do_not_bias_the_fit(seed):
    """Clients who end at their first ORS of 30 or more (they reached their goal): the
    fit still finds the generating gain within 15%."""
    cases = typical(seed, 600, DEFAULT, stop_at=300)
    assert sum(len(c.totals) < 4 for c in cases) > 100  # many end early: the test has teeth
    gain = fit(cases, DEFAULT).parameters.gain
    assert abs(gain - DEFAULT.gain) <= 0.15 * DEFAULT.gain


def test_least_squares_over_what_is_left_would_be_biased():
    """Why the fit is a likelihood: with the same planned endings, the average change at
    session n divided by L(n), over the clients still there, falls well short of 8."""
    cases = typical(7, 600, DEFAULT, stop_at=300)
    at_centre = [c for c in cases if c.age_group == "adult" and 190 <= c.totals[0] <= 210]
    late = [c.totals[7] - c.totals[0] for c in at_centre if len(c.totals) >= 8]
    naive = sum(late) / len(late) / 10 / (math.log(8) / math.log(10))
    assert naive < 0.85 * DEFAULT.gain


def test_fit_refuses_with_too_few_episodes():
    cases = typical(5, etr.MIN_CLIENTS - 1, TRUE)
    with pytest.raises(InputError, match="at least 30 closed episodes.*has 29"):
        fit(cases, DEFAULT)
    short = [Course(c.age_group, c.totals[:1]) for c in typical(5, 40, TRUE)]
    with pytest.raises(InputError, match="has 0"):
        fit(short, DEFAULT)
    little = [Course("young_child", c.totals) for c in typical(5, 40, TRUE)]
    with pytest.raises(InputError, match="has 0"):
        fit(little, DEFAULT)


def test_fit_refuses_when_every_intake_is_the_same():
    cases = [Course("adult", (200, 230 + n % 7, 250)) for n in range(40)]
    with pytest.raises(InputError, match="no range"):
        fit(cases, DEFAULT)


def test_fit_refuses_a_practice_without_average_gain():
    cases = unchanged_or_worse(6, 200, DEFAULT, high=0.0)  # flat or falling
    with pytest.raises(InputError, match="keeps the model"):
        fit(cases, DEFAULT)


# -- episodes and the back-test -------------------------------------------------------------
@dataclass(frozen=True)
class FakeEpisode:
    """The shape of an episode of care the back-test reads."""

    administrations: tuple[Administration, ...]
    reason: str | None
    closed: bool


def test_an_episode_becomes_a_course_of_sessions(instruments):
    a = [
        rating(0, 180, day="2026-01-05"),
        rating(1, 190, day="2026-01-12"),
        rating(2, 240, day="2026-01-12").replace(id="later"),  # same day: the later counts
        rating(3, 100, day="2026-01-19").replace(rater="parent"),  # not the client's own
        rating(4, 350, "SRS", day="2026-01-19"),
        rating(6, 50, day="2026-01-20").replace(voided=Voided("entered in error", "now")),
        rating(5, 210, day="2026-01-26"),
    ]
    c = etr.course_of("C1", "adult", a, instruments, DEFAULT, "planned")
    assert c == Course(
        "adult", (180, 240, 210), ("2026-01-05", "2026-01-12", "2026-01-26"), "C1", "planned", 50
    )
    assert etr.course_of("C1", "young_child", a, instruments, DEFAULT) is None
    assert etr.course_of("C1", "adult", a[4:5], instruments, DEFAULT) is None
    episodes = [
        ("C1", "adult", FakeEpisode(tuple(a), "planned", True)),
        ("C2", "adult", FakeEpisode(tuple(a), None, False)),  # still open: not judged
    ]
    assert [c.client for c in etr.closed_courses(episodes, instruments, DEFAULT)] == ["C1"]


def weekly(totals: list[int], start: str = "2025-03-03", client: str = "C") -> Course:
    first = date.fromisoformat(start)
    days = tuple((first + timedelta(weeks=n)).isoformat() for n in range(len(totals)))
    return Course("adult", tuple(totals), days, client)


def test_back_test_by_hand():
    """Three closed adult episodes, weekly from Monday 3 March 2025 (lower edges from 20:
    18.8 at session 3, 19.4 at session 4)."""
    assert [lo for _, _, lo in expected_path(200, "adult", [3, 4], DEFAULT)] == [188, 194]
    unchanged = weekly([200, 200, 185, 200], client="A")  # off track at 3, then ends
    worse = weekly([200, 210, 200, 150], "2025-03-10", "B")  # off track at the last only
    better = weekly([200, 230, 250, 270], client="C")  # never
    test = etr_practice.back_test([unchanged, worse, better], DEFAULT)
    assert etr_practice.flagged_sessions(unchanged, DEFAULT) == [3]
    assert etr_practice.flagged_sessions(worse, DEFAULT) == [4]
    assert (test.episodes, test.worse, test.worse_flagged) == (3, 2, 1)
    assert (test.better, test.better_flagged) == (1, 0)
    assert test.sensitivity == 0.5 and test.false_alarms == 0.0
    assert test.median_first_flag == 3.5  # sessions 3 and 4
    # the weeks of 3 March to 31 March 2025: 5; flagged: A in one, B in one
    assert test.weeks == 5 and test.flagged_in_weeks == 2
    assert test.flagged_per_week == 0.4
    data = etr_practice.back_test_json(test)
    assert data["sensitivity"] == 0.5 and data["flagged_clients_per_week"] == 0.4
    assert data["median_first_flag_session"] == 3.5
    empty = etr_practice.back_test([], DEFAULT)
    assert empty.sensitivity is None and empty.flagged_per_week is None
    assert etr_practice.back_test_json(empty)["false_alarms"] is None


def known(seed: int, episodes: int, start: date = date(2024, 1, 1)) -> list[Course]:
    """Closed episodes with a known back-test: 40% end unchanged, and exactly 7 in 10 of
    those dip below the band once before their last session; 60% end improved, and
    exactly 2 in 10 of those dip once. Every other session is inside or above the band."""
    rng = random.Random(seed)
    courses = []
    for i in range(episodes):
        intake = rng.randrange(150, 221)  # the band's edge stays within 5 points of it
        sessions = rng.randint(5, 10)
        better = i % 10 >= 4
        dips = (i // 10) % 10 < (2 if better else 7)
        dip = rng.randint(3, sessions - 1) if dips else 0
        totals = [intake]
        for n, expected, lower in expected_path(intake, "adult", range(2, sessions + 1), DEFAULT):
            if n == dip:
                totals.append(lower - rng.randint(1, 20))
            elif better:
                floor = intake + 50 if n == sessions else expected
                totals.append(min(400, max(floor, expected) + rng.randint(0, 30)))
            else:
                totals.append(max(lower, intake) + rng.randint(0, 10))
        first = start + timedelta(days=rng.randrange(0, 300))
        days = tuple((first + timedelta(weeks=k)).isoformat() for k in range(sessions))
        courses.append(Course("adult", tuple(totals), days, f"K{i:03d}"))
    return courses


def test_back_test_reports_the_generators_known_figures():
    test = etr_practice.back_test(known(8, 1000), DEFAULT)
    assert test.worse == 400 and test.better == 600
    assert abs(test.sensitivity - 0.70) <= 0.05
    assert abs(test.false_alarms - 0.20) <= 0.05
    assert 3 <= test.median_first_flag <= 9


def test_the_back_test_of_the_typical_course():
    """On clients drawn from the model itself with five sessions or more: few of those who
    improve are ever flagged, and three in four of those who end at or below their intake
    are flagged before the end. (Those who end a little up, by less than 5 points, are
    often not: on this population the back-test's sensitivity is about one half.)"""
    courses = [c for c in typical(9, 3000, DEFAULT) if len(c.totals) >= 5]
    test = etr_practice.back_test(courses, DEFAULT)
    assert test.false_alarms <= 0.10 and 0.4 <= test.sensitivity <= 0.6
    fell = etr_practice.back_test([c for c in courses if c.totals[-1] <= c.totals[0]], DEFAULT)
    assert fell.sensitivity >= 0.75


# -- parameter files ------------------------------------------------------------------------
def test_saved_parameters_load_back_and_reset(tmp_path):
    config = tmp_path / "config"
    assert etr.load_parameters(config) is DEFAULT
    fitted = fit(typical(9, 60, TRUE), DEFAULT, today="2026-11-23").parameters
    path = etr_files.save_parameters(fitted, config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    loaded = etr.load_parameters(config)
    for key in (*etr.NUMBERS, "centres", "cutoffs"):
        assert getattr(loaded, key) == getattr(fitted, key), key
    assert loaded.fitted_clients == 60 and loaded.fitted_on == "2026-11-23"
    assert str(path) in loaded.source
    assert etr_files.reset_parameters(config) and not etr_files.reset_parameters(config)
    assert etr.load_parameters(config) is DEFAULT


GOOD = etr.parameters_toml(DEFAULT)


@pytest.mark.parametrize(
    "text, message",
    [
        ("gain = 8", "reference_session"),
        (
            "reference_session = 10\ngain = 8\ngain_per_point = -0.4\noccasion_spread = 2\n"
            "gain_spread = 6\nband_percentile = 20\n[centres]\nadult = 20.0",
            "earlier model of the expected path.*fittui etr fit.*fittui etr reset",
        ),
        (GOOD.replace("gain = 8.0", "gain = [1]"), "gain must be a number"),
        (
            GOOD.replace("occasion_spread = 2.55", "occasion_spread = -1"),
            "occasion_spread must be between 0.1 and 40",
        ),
        (
            GOOD.replace("deterioration_share = 0.09", "deterioration_share = 0.6"),
            "deterioration_share must be between 0 and 0.5",
        ),
        (GOOD.replace("plateau_session = 10", "plateau_session = 1.5"), "plateau_session"),
        (
            GOOD.replace("adult = 20.0", "adult = 20.05"),
            "centres.adult must be a number with at most one decimal",
        ),
        (GOOD.replace("adult = 20.0", "adult = 26.0"), "centres.adult must be below cutoffs"),
        ("reference_session = [", "cannot be read"),
        (GOOD.replace("adult = 20.0", "adults = 20.0"), "unknown age group 'adults'"),
    ],
)
def test_a_broken_parameter_file_is_named(tmp_path, text, message):
    (tmp_path / "etr.toml").write_text(text)
    with pytest.raises(InputError, match=message) as error:
        etr.load_parameters(tmp_path)
    assert str(tmp_path / "etr.toml") in str(error.value)


def test_the_written_default_reads_back_as_the_default(tmp_path):
    (tmp_path / "etr.toml").write_text(GOOD)
    loaded = etr.load_parameters(tmp_path)
    assert loaded.replace(source=DEFAULT.source) == DEFAULT


# -- the chart ------------------------------------------------------------------------------
def test_history_chart_draws_the_expected_path(instruments):
    import plotext

    from fittui.formats.chart import draw_history

    administrations = [rating(n, 120) for n in range(6)]
    s = course([120] * 6)
    path = etr.client_path(s.ors, "adult", instruments, DEFAULT)
    assert [n for n, _, _ in path] == [1, 2, 3, 4, 5, 6]
    plotext.clear_figure()
    plotext.plotsize(70, 16)
    legend = draw_history(plotext, administrations, instruments, cutoff=250, colors=False, etr=path)
    drawn = plotext.uncolorize(plotext.build())
    words = {entry.words: entry.marker for entry in legend}
    assert "expected" in words and "lower edge" in words
    assert words["expected"][0] in drawn and words["lower edge"][0] in drawn
    plotext.clear_figure()
    plotext.plotsize(70, 16)
    legend = draw_history(plotext, administrations, instruments, cutoff=250, colors=False)
    assert "expected" not in [entry.words for entry in legend]


# -- the command line -----------------------------------------------------------------------
def write_caseload(path, cases: list[Course]) -> None:
    """A CSV for `fittui import` holding these cases, one ORS (or CORS) a week, ending in
    2025 so that every episode is closed by now."""
    lines = ["client,age_group,date,instrument,rater,item1,item2,item3,item4"]
    for i, case in enumerate(cases):
        instrument = "CORS" if case.age_group == "child" else "ORS"
        first = date(2025, 1, 6) + timedelta(days=i % 5)
        for n, total in enumerate(case.totals):
            items = rating(n, total, instrument).items.values()
            day = case.dates[n] if case.dates else (first + timedelta(weeks=n)).isoformat()
            scores = ",".join(str(v / 10) for v in items)
            lines.append(
                f"{case.client or f'S{i:03d}'},{case.age_group},{day},{instrument},,{scores}"
            )
    path.write_text("\n".join(lines) + "\n")


def test_etr_fit_refuses_clearly_when_too_few_episodes(cli, tmp_path):
    write_caseload(tmp_path / "few.csv", typical(10, 12, TRUE))
    assert cli("import", tmp_path / "few.csv").code == 0
    result = cli("etr", "fit", "--yes")
    assert result.code == 1
    assert "at least 30 closed episodes" in result.err and "has 12" in result.err
    assert not (tmp_path / "config" / "etr.toml").exists()


def test_etr_fit_counts_only_closed_episodes(cli, tmp_path):
    write_caseload(tmp_path / "old.csv", typical(12, 25, TRUE))
    recent = [
        c.replace(
            dates=tuple(
                (date.today() - timedelta(weeks=len(c.totals) - k)).isoformat()
                for k in range(len(c.totals))
            ),
            client=f"R{i:02d}",
        )
        for i, c in enumerate(typical(13, 10, TRUE))
    ]
    write_caseload(tmp_path / "recent.csv", recent)
    assert cli("import", tmp_path / "old.csv").code == 0
    assert cli("import", tmp_path / "recent.csv").code == 0
    result = cli("etr", "fit")
    assert result.code == 1 and "has 25" in result.err  # the ten open ones do not count


def test_etr_fit_show_reset(cli, tmp_path, monkeypatch):
    write_caseload(tmp_path / "many.csv", typical(11, 40, TRUE))
    assert cli("import", tmp_path / "many.csv").code == 0
    saved = tmp_path / "config" / "etr.toml"

    shown = cli("etr", "fit")  # not a terminal, no --yes: shows, saves nothing
    assert shown.code == 0 and "Not saved" in shown.out and not saved.exists()
    assert "your practice" in shown.out and "intake" in shown.out
    for intake in ("10.0", "15.0", "20.0", "25.0"):
        assert intake in shown.out
    assert "session 10" in shown.out and "not a validated prediction" in shown.out
    # the back-test of both models on the same closed episodes
    assert "Replayed on your closed episodes" in shown.out
    assert "sensitivity" in shown.out and "false alarms" in shown.out
    assert "flagged clients a week" in shown.out

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert "Not saved" in cli("etr", "fit").out and not saved.exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert "Saved to" in cli("etr", "fit").out and saved.exists()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    active = cli("etr", "show", "--json").json()
    assert str(saved) in active["source"] and active["fitted_clients"] == 40
    assert "your practice" in cli("etr").out  # `fittui etr` alone shows the model

    assert "default model again" in cli("etr", "reset").out and not saved.exists()
    assert "nothing to reset" in cli("etr", "reset").out
    assert cli("etr", "show", "--json").json()["source"].startswith("default")

    data = cli("etr", "fit", "--json").json()
    assert data["clients"] == 40 and data["saved_to"] is None and not saved.exists()
    assert data["in_use"]["gain"] == 8.0 and data["fitted"]["fitted_clients"] == 40
    assert data["check_in_use"]["episodes"] == data["check_fitted"]["episodes"] == 40
    data = cli("etr", "fit", "--json", "--yes").json()
    assert data["saved_to"] == str(saved) and saved.exists()


def test_etr_fit_compares_with_the_default_when_the_file_in_use_is_old(cli, tmp_path):
    write_caseload(tmp_path / "many.csv", typical(14, 40, TRUE))
    assert cli("import", tmp_path / "many.csv").code == 0
    config = tmp_path / "config"
    config.mkdir()
    (config / "etr.toml").write_text("reference_session = 10\ngain = 8\n")
    result = cli("etr", "fit")
    assert result.code == 0 and "earlier model" in result.err
    assert "comparing with the default model" in result.err
    assert cli("etr", "check").code == 1  # the check uses the model in use: it says why


def test_etr_check_reports_the_generators_sensitivity(cli, tmp_path):
    write_caseload(tmp_path / "known.csv", known(15, 200))
    assert cli("import", tmp_path / "known.csv").code == 0
    data = cli("etr", "check", "--json").json()
    assert data["episodes"] == 200 and data["model"].startswith("default")
    assert data["ended_unchanged_or_worse"] == 80 and data["ended_improved"] == 120
    assert abs(data["sensitivity"] - 0.70) <= 0.05
    assert abs(data["false_alarms"] - 0.20) <= 0.05
    assert data["median_first_flag_session"] >= 3 and data["flagged_clients_per_week"] > 0
    text = cli("etr", "check").out
    assert "closed episodes" in text and "200" in text
    assert f"{round(data['sensitivity'] * 100)}% of 80" in text
    assert "not a validated prediction" in text


def test_etr_check_reads_episodes_of_care(cli):
    """A client back after a long break: the first episode is closed (the gap passed) and
    judged, the new one is open and is not; an episode ended with a reason is closed at
    once, however recent."""
    cli("add-client", "C1")
    cli("add-client", "C2")
    today = date.today()
    old = [date(2025, 1, 6) + timedelta(weeks=n) for n in range(4)]
    recent = [today - timedelta(weeks=3 - n) for n in range(4)]
    for day, score in [*zip(old, "5555"), *zip(recent, "4444")]:
        cli("record", "C1", "ORS", score, score, score, score, "--date", day.isoformat())
    for day, score in zip(recent, ["5", "6", "7", "8"]):
        cli("record", "C2", "ORS", score, score, score, score, "--date", day.isoformat())
    data = cli("etr", "check", "--json").json()
    assert data["episodes"] == 1 and data["ended_unchanged_or_worse"] == 1
    assert cli("episode", "end", "C2", "--reason", "planned").code == 0
    data = cli("etr", "check", "--json").json()
    assert data["episodes"] == 2 and data["ended_improved"] == 1


def test_etr_check_on_an_empty_practice(cli):
    assert cli("add-client", "C1").code == 0
    data = cli("etr", "check", "--json").json()
    assert data["episodes"] == 0 and data["sensitivity"] is None
    assert re.search(r"closed episodes +0\n", cli("etr", "check").out)


def test_report_uses_the_practices_model(cli, tmp_path):
    cli("add-client", "C1")
    for week, total in enumerate(["5"] * 8):  # eight flat sessions from an intake of 20
        day = (date(2026, 1, 5) + timedelta(weeks=week)).isoformat()
        cli("record", "C1", "ORS", total, total, total, total, "--date", day)
    [row] = cli("report", "--json").json()
    assert row["etr_zone"] == "off_track" and "off_track" in row["flags"]
    assert "off track" in cli("report").out
    assert "off track: below the band" in cli("history", "C1").out

    config = tmp_path / "config"
    etr_files.save_parameters(DEFAULT.replace(gain=1.0, source="x", fitted_clients=30), config)
    [row] = cli("report", "--json").json()
    assert row["etr_zone"] == "at_risk" and "off_track" not in row["flags"]

    (config / "etr.toml").write_text("gain = [")
    broken = cli("report", "--json")
    assert broken.code == 1 and str(config / "etr.toml") in broken.err


def test_back_test_shares_round_half_up_in_the_table_and_the_json_alike():
    # 1 of 8 is 12.5%, 5 of 8 62.5%, 5 flagged in 16 weeks 0.3125 a week and 1 in 4 weeks
    # 0.25: half up, as the outcome summary rounds, never half to even or through a float.
    test = etr_practice.BackTest(8, 8, 1, 8, 5, (2,), 16, 5)
    table = "\n".join(etr_practice.back_test_rows([("in use", test)]))
    assert "13% of 8" in table and "63% of 8" in table
    data = etr_practice.back_test_json(test)
    assert (data["sensitivity"], data["false_alarms"]) == (0.125, 0.625)
    assert data["flagged_clients_per_week"] == 0.313
    quiet = etr_practice.BackTest(8, 8, 1, 8, 5, (2,), 4, 1)
    assert "flagged clients a week  0.3" in "\n".join(
        etr_practice.back_test_rows([("in use", quiet)])
    )
