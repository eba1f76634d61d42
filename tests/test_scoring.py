"""The scoring rules (README, How fittui scores) at their boundaries, and properties that
always hold."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fittui.domain.flags import FLAGS, describe_flag
from fittui.domain.model import Administration, Client
from fittui.domain.overview import report_row
from fittui.domain.scoring import previous_of, split_alliances, summarize

ADULT = Client("C1", "adult")


def ors(date: str, *items: float, rater: str = "client", instrument: str = "ORS") -> Administration:
    keys = {
        "ORS": ["individually", "interpersonally", "socially", "overall"],
        "CORS": ["me", "family", "school", "everything"],
        "YCORS": ["face"],
    }[instrument]
    return Administration(
        f"o{date}{items}{rater}",
        "C1",
        instrument,
        date,
        {k: round(v * 10) for k, v in zip(keys, items)},
        rater,
    )


def srs(date: str, *items: float, rater: str = "client") -> Administration:
    keys = ["relationship", "goals_topics", "approach", "overall"]
    return Administration(
        f"s{date}{items}{rater}",
        "C1",
        "SRS",
        date,
        {k: round(v * 10) for k, v in zip(keys, items)},
        rater,
    )


def total(t: float) -> tuple[float, ...]:
    """Four item scores summing exactly to t (one decimal)."""
    tenths = round(t * 10)
    base, extra = divmod(tenths, 4)
    return tuple((base + (1 if i < extra else 0)) / 10 for i in range(4))


def test_change_of_exactly_five_from_20_1_to_25_1_is_reliable_and_recovers(instruments):
    s = summarize(
        ADULT, [ors("2026-01-01", *total(20.1)), ors("2026-01-08", *total(25.1))], instruments
    )
    assert s.progress.change == 50
    assert s.status == "recovered"
    assert "ors_below_cutoff" not in s.flags  # 25.1 is at or above the cut-off


def test_change_of_4_9_is_unchanged(instruments):
    s = summarize(
        ADULT, [ors("2026-01-01", *total(20.1)), ors("2026-01-08", *total(25.0))], instruments
    )
    assert s.status == "unchanged"


def test_total_exactly_at_cutoff_is_not_below_it(instruments):
    s = summarize(ADULT, [ors("2026-01-01", *total(25.0))], instruments)
    assert s.flags == ()
    assert s.status == "insufficient"
    s = summarize(ADULT, [ors("2026-01-01", *total(24.9))], instruments)
    assert s.flags == ("ors_below_cutoff",)


def test_intake_at_cutoff_improves_but_does_not_recover(instruments):
    s = summarize(
        ADULT, [ors("2026-01-01", *total(25.0)), ors("2026-01-08", *total(30.0))], instruments
    )
    assert s.status == "improved"


def test_gain_that_stays_below_cutoff_is_improved(instruments):
    s = summarize(
        ADULT, [ors("2026-01-01", *total(10.0)), ors("2026-01-08", *total(20.0))], instruments
    )
    assert s.status == "improved"


def test_deteriorated_at_exactly_minus_five(instruments):
    s = summarize(
        ADULT, [ors("2026-01-01", *total(30.0)), ors("2026-01-08", *total(25.0))], instruments
    )
    assert s.status == "deteriorated"
    s = summarize(
        ADULT, [ors("2026-01-01", *total(30.0)), ors("2026-01-08", *total(25.1))], instruments
    )
    assert s.status == "unchanged"


def test_cutoffs_by_age_group(instruments):
    teen = Client("T", "adolescent")
    pair = [ors("2026-01-01", *total(22.9)), ors("2026-01-08", *total(28.0))]
    assert summarize(teen, pair, instruments).status == "recovered"
    assert summarize(teen, [ors("2026-01-01", *total(27.9))], instruments).flags == (
        "ors_below_cutoff",
    )
    child = Client("K", "child")
    pair = [
        ors("2026-01-01", *total(26.9), instrument="CORS"),
        ors("2026-01-08", *total(32.0), instrument="CORS"),
    ]
    assert summarize(child, pair, instruments).status == "recovered"
    little = Client("Y", "young_child")
    pair = [ors("2026-01-01", 1.0, instrument="YCORS"), ors("2026-01-08", 9.0, instrument="YCORS")]
    s = summarize(little, pair, instruments)
    assert s.status == "improved" and s.flags == () and s.cutoff is None


def test_a_move_from_the_face_scale_to_the_cors_starts_the_series_anew(instruments):
    """A child who outgrew the YCORS (0 to 10) rates the CORS (0 to 40): a YCORS 4.0 then a
    CORS 24.0 was "improved, +20.0". Totals on two scales are not compared: the series
    on the CORS starts at its first CORS; the ORS and the CORS share a scale and stay one."""
    child = Client("K", "child")
    moved = [
        ors("2026-01-01", 4.0, instrument="YCORS"),
        ors("2026-01-08", *total(24.0), instrument="CORS"),
    ]
    s = summarize(child, moved, instruments)
    assert s.status == "insufficient" and s.progress is not None and s.progress.change is None
    later = summarize(
        child, [*moved, ors("2026-01-15", *total(30.0), instrument="CORS")], instruments
    )
    assert (later.progress.intake.instrument, later.progress.change) == ("CORS", 60)
    teen = Client("T", "adolescent")
    grown = [ors("2026-01-01", *total(20.0), instrument="CORS"), ors("2026-01-08", *total(26.0))]
    assert summarize(teen, grown, instruments).progress.change == 60


def test_intake_is_earliest_by_date_not_entry_order(instruments):
    later, earlier = ors("2026-02-01", *total(30.0)), ors("2026-01-01", *total(20.0))
    s = summarize(ADULT, [later, earlier], instruments)
    assert s.progress.intake is earlier and s.progress.latest is later and s.status == "recovered"


def test_same_date_ties_keep_entry_order(instruments):
    first, second = ors("2026-01-01", *total(20.0)), ors("2026-01-01", *total(27.0))
    assert summarize(ADULT, [first, second], instruments).progress.change == 70
    assert summarize(ADULT, [second, first], instruments).progress.change == -70


def test_collateral_raters_are_never_counted(instruments):
    admins = [
        ors("2026-01-01", *total(20.0)),
        ors("2026-01-08", *total(5.0), rater="parent"),
        srs("2026-01-08", 2, 2, 2, 2, rater="partner"),
    ]
    s = summarize(ADULT, admins, instruments)
    assert s.status == "insufficient" and len(s.ors) == 1 and s.srs == ()
    assert s.lowest_srs_item is None
    # The partner's alliance raises its own flags, named with the rater (a series apart).
    assert s.flags == ("ors_below_cutoff", "srs_below_cutoff:partner", "srs_item_low:partner")
    assert [(r.rater, r.status, r.flags) for r in s.raters] == [
        ("parent", "insufficient", ()),
        ("partner", "insufficient", ("srs_below_cutoff:partner", "srs_item_low:partner")),
    ]


def test_srs_flags(instruments):
    s = summarize(ADULT, [srs("2026-01-01", 9, 9, 9, 9)], instruments)
    assert s.flags == () and s.lowest_srs_item == "relationship"  # tie: first in item order
    s = summarize(ADULT, [srs("2026-01-01", 9, 9, 9, 8.9)], instruments)
    assert s.flags == ("srs_below_cutoff", "srs_item_low") and s.lowest_srs_item == "overall"


def test_srs_drop_at_exactly_one_point(instruments):
    pair = [srs("2026-01-01", 10, 10, 10, 10), srs("2026-01-08", 10, 10, 10, 9)]
    assert "srs_drop" in summarize(ADULT, pair, instruments).flags
    pair = [srs("2026-01-01", 10, 10, 10, 10), srs("2026-01-08", 10, 10, 10, 9.1)]
    assert "srs_drop" not in summarize(ADULT, pair, instruments).flags


def test_patterns(instruments):
    good = [srs(f"2026-01-0{d}", 9.5, 9.5, 9.5, 9.5) for d in (1, 2, 3)]
    flat = [ors(f"2026-01-0{d}", *total(20.0)) for d in (1, 2, 3, 4)]
    keys = {p.key for p in summarize(ADULT, flat + good, instruments).patterns}
    assert "flat_progress_good_fit" in keys
    keys = {p.key for p in summarize(ADULT, flat[:3] + good, instruments).patterns}
    assert "flat_progress_good_fit" not in keys
    up = [ors("2026-01-01", *total(20.0)), ors("2026-01-02", *total(26.0))]
    assert "progress_good_fit" in {p.key for p in summarize(ADULT, up + good, instruments).patterns}
    down = [ors("2026-01-01", *total(26.0)), ors("2026-01-02", *total(20.0))]
    assert "decline_despite_good_fit" in {
        p.key for p in summarize(ADULT, down + good, instruments).patterns
    }
    ceiling = [srs(f"2026-01-0{d}", 9.8, 9.8, 9.7, 9.7) for d in (1, 2, 3)]
    assert "always_at_ceiling" in {p.key for p in summarize(ADULT, ceiling, instruments).patterns}
    below = ceiling[:2] + [srs("2026-01-03", 9.8, 9.8, 9.7, 9.6)]
    assert "always_at_ceiling" not in {p.key for p in summarize(ADULT, below, instruments).patterns}
    every = summarize(ADULT, down + good, instruments).patterns
    assert all(p.questions and p.title and p.detail for p in every)


def test_split_alliance(instruments):
    admins = [srs("2026-01-01", 9, 9, 9, 9), srs("2026-01-01", 8, 8, 8, 7, rater="partner")]
    assert len(split_alliances(admins, instruments)) == 1
    admins[1] = srs("2026-01-01", 8, 8, 8, 7.1, rater="partner")
    assert split_alliances(admins, instruments) == []


scores = st.integers(0, 100)


@given(
    st.lists(
        st.tuples(st.integers(1, 28), st.lists(scores, min_size=4, max_size=4)),
        min_size=2,
        max_size=8,
    )
)
def test_status_agrees_with_the_rule_in_tenths(sessions):
    from fittui.domain.instruments import load_instruments

    instruments = load_instruments()
    keys = ["individually", "interpersonally", "socially", "overall"]
    admins = [
        Administration(str(n), "C1", "ORS", f"2026-02-{day:02d}", dict(zip(keys, items)))
        for n, (day, items) in enumerate(sessions)
    ]
    s = summarize(ADULT, admins, instruments)
    ordered = sorted(enumerate(sessions), key=lambda p: (p[1][0], p[0]))
    intake, latest = sum(ordered[0][1][1]), sum(ordered[-1][1][1])
    change = latest - intake
    assert s.progress is not None and s.progress.change == change
    if change >= 50:
        assert s.status == ("recovered" if intake < 250 <= latest else "improved")
    elif change <= -50:
        assert s.status == "deteriorated"
    else:
        assert s.status == "unchanged"
    assert ("ors_below_cutoff" in s.flags) == (latest < 250)


@given(st.lists(st.lists(scores, min_size=4, max_size=4), min_size=1, max_size=6))
def test_lowest_srs_item_is_a_minimum_and_first_on_ties(sessions):
    from fittui.domain.instruments import load_instruments

    keys = ["relationship", "goals_topics", "approach", "overall"]
    admins = [
        Administration(str(n), "C1", "SRS", f"2026-03-{n + 1:02d}", dict(zip(keys, items)))
        for n, items in enumerate(sessions)
    ]
    s = summarize(ADULT, admins, load_instruments())
    last = sessions[-1]
    assert s.lowest_srs_item == keys[last.index(min(last))]
    assert ("srs_below_cutoff" in s.flags) == (sum(last) < 360)
    assert ("srs_item_low" in s.flags) == (min(last) < 90)
    assert ("srs_drop" in s.flags) == (len(sessions) > 1 and sum(last) <= sum(sessions[-2]) - 10)


# -- PHQ-9 and GAD-7 ---------------------------------------------------------------------
def likert(
    instrument: str, date: str, total: int, item9: int = 0, rater: str = "client"
) -> Administration:
    """A PHQ-9 or GAD-7 with this total (whole points), item 9 (PHQ-9) set as given."""
    count = {"PHQ-9": 9, "GAD-7": 7}[instrument]
    scores = [0] * count
    if instrument == "PHQ-9":
        scores[8] = item9
    rest = total - sum(scores)
    for n in range(count - 1 if instrument == "PHQ-9" else count):
        scores[n] = min(3, rest)
        rest -= scores[n]
    assert rest == 0 and sum(scores) == total
    items = {f"item{n}": s * 10 for n, s in enumerate(scores, start=1)}
    return Administration(
        f"{instrument}{date}{total}{item9}{rater}", "C1", instrument, date, items, rater
    )


PHQ9_BOUNDARIES = [
    (0, "none"),
    (4, "none"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]
GAD7_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize(("points", "band"), PHQ9_BOUNDARIES)
def test_phq9_bands_at_every_boundary(instruments, points, band):
    item9 = max(0, points - 24)  # 27 needs every item at 3
    s = summarize(ADULT, [likert("PHQ-9", "2026-01-01", points, item9)], instruments)
    assert s.symptoms["PHQ-9"].band.key == band
    row = report_row(ADULT, s)
    assert (row["phq9_last"], row["phq9_band"]) == (points, band)
    assert (row["gad7_last"], row["gad7_band"]) == (None, None)


@pytest.mark.parametrize(("points", "band"), GAD7_BOUNDARIES)
def test_gad7_bands_at_every_boundary(instruments, points, band):
    s = summarize(ADULT, [likert("GAD-7", "2026-01-01", points)], instruments)
    assert s.symptoms["GAD-7"].band.key == band
    row = report_row(ADULT, s)
    assert (row["gad7_last"], row["gad7_band"]) == (points, band)
    assert s.flags == ()  # the GAD-7 has no risk rule


def test_symptom_measures_leave_the_ors_and_srs_alone(instruments):
    admins = [likert("PHQ-9", "2026-01-01", 20), ors("2026-01-01", *total(30.0))]
    s = summarize(ADULT, admins, instruments)
    assert len(s.ors) == 1 and s.srs == () and s.flags == () and s.status == "insufficient"
    assert report_row(ADULT, s)["ors_last"] == 30.0


def test_symptom_change_is_latest_minus_first_own_ratings(instruments):
    admins = [
        likert("PHQ-9", "2026-01-08", 12),
        likert("PHQ-9", "2026-01-01", 18),
        likert("PHQ-9", "2026-01-15", 24, rater="partner"),
    ]
    phq = summarize(ADULT, admins, instruments).symptoms["PHQ-9"]
    assert phq.change == -60 and phq.latest.total == 120 and phq.band.key == "moderate"
    assert summarize(ADULT, admins[:1], instruments).symptoms["PHQ-9"].change is None


def test_item9_raises_the_flag_first_and_only_from_the_latest(instruments):
    s = summarize(
        ADULT,
        [srs("2026-01-01", 8, 8, 8, 8), likert("PHQ-9", "2026-01-01", 1, item9=1)],
        instruments,
    )
    assert s.flags == ("phq9_item9", "srs_below_cutoff", "srs_item_low")
    [alert] = s.alerts
    assert alert.answer == "Several days" and alert.number == 9
    assert alert.headline == (
        "PHQ-9 item 9 (thoughts of death or self-harm) was answered “Several days” on 2026-01-01."
    )
    assert "today" in alert.rule.message
    later_none = [likert("PHQ-9", "2026-01-01", 3, item9=3), likert("PHQ-9", "2026-01-08", 20)]
    assert summarize(ADULT, later_none, instruments).flags == ()
    assert summarize(ADULT, later_none[::-1], instruments).flags == ()  # by date, not entry
    high_total_no_item9 = [likert("PHQ-9", "2026-01-01", 24)]
    assert summarize(ADULT, high_total_no_item9, instruments).flags == ()


def test_item9_from_any_rater_is_never_dropped(instruments):
    admins = [
        likert("PHQ-9", "2026-01-01", 0),
        likert("PHQ-9", "2026-01-01", 2, item9=2, rater="partner"),
    ]
    s = summarize(ADULT, admins, instruments)
    assert s.flags == ("phq9_item9",)
    assert s.alerts[0].headline.endswith("“More than half the days” by the partner on 2026-01-01.")
    assert describe_flag("phq9_item9") == FLAGS["phq9_item9"]
    assert describe_flag("mood_item2")[0] == "⚠mood_item2"


def test_since_last_time_compares_an_instrument_with_itself(instruments):
    phq1, gad, phq2 = (
        likert("PHQ-9", "2026-01-01", 10),
        likert("GAD-7", "2026-01-05", 7),
        likert("PHQ-9", "2026-01-08", 8),
    )
    assert previous_of(phq2, [phq1, gad, phq2], instruments) is phq1
    assert previous_of(gad, [phq1, gad, phq2], instruments) is None


@given(st.lists(st.tuples(st.integers(1, 28), st.integers(0, 3)), min_size=1, max_size=8))
def test_item9_flag_is_exactly_the_latest_answer(sessions):
    from fittui.domain.instruments import load_instruments

    admins = [likert("PHQ-9", f"2026-02-{day:02d}", item9, item9=item9) for day, item9 in sessions]
    admins = [a.replace(id=str(n)) for n, a in enumerate(admins)]  # same-day repeats
    flags = summarize(ADULT, admins, load_instruments()).flags
    latest = sorted(enumerate(sessions), key=lambda p: (p[1][0], p[0]))[-1][1][1]
    assert ("phq9_item9" in flags) == (latest >= 1)


def test_items_all_equal_have_no_lowest_to_ask_about(instruments):
    """Four items at 5.0 have no lowest: no item is named as where the client marked
    lowest. An SRS with every item at 8.0 names none either; the ORS's lowest is asked
    about instead, as when no SRS item is below 9."""

    def low(ratings: list[Administration]):
        found = [p for p in summarize(ADULT, ratings, instruments).patterns if p.key == "low_item"]
        return found[0] if found else None

    assert low([ors("2026-01-01", 5, 5, 5, 5)]) is None
    assert low([ors("2026-01-01", 5, 5, 5, 5), srs("2026-01-01", 8, 8, 8, 8)]) is None
    lowest = low([ors("2026-01-01", 6, 5, 6, 6), srs("2026-01-01", 8, 8, 8, 8)])
    assert lowest is not None and lowest.detail == "Interpersonally was 5.0 in the latest ORS."
    one = low([ors("2026-01-01", 6, 6, 6, 6), srs("2026-01-01", 9, 8, 9, 9)])
    assert one is not None and one.detail == "Goals and topics was 8.0 in the latest SRS."
