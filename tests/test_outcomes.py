"""The outcome summary against a set of cases worked out by hand, for all time and periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from fittui.domain.episodes import EpisodeEvent
from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration, Client
from fittui.domain.outcomes import (
    Period,
    default_reference,
    estimate,
    outcome_summary,
    reference_with,
    rounded,
    summary_rows,
    symptom_change,
    t_quantile,
)

INSTRUMENTS = load_instruments()
ALL_TIME = Period()
KEYS = {key: [i.key for i in inst.items] for key, inst in INSTRUMENTS.items()}


def rating(code: str, day: str, instrument: str, total: float, rater: str = "client"):
    """An administration whose total is ``total``, spread over the items (first takes the rest)."""
    keys = KEYS[instrument]
    tenths = round(total * 10)
    share = tenths // len(keys)
    items = {k: share for k in keys}
    items[keys[0]] += tenths - share * len(keys)
    return Administration(f"{code}-{day}-{instrument}-{rater}", code, instrument, day, items, rater)


# The hand-checked caseload. Adults' ORS cut-off 25.0, reliable change 5.0 (README, How
# fittui scores).
CLIENTS = [
    Client("A", "adult"),
    Client("B", "adult"),
    Client("C", "adult"),
    Client("D", "adult", archived=True),  # finished cases count
    Client("E", "adult"),
    Client("F", "adult"),
    Client("G", "young_child"),
    Client("H", "adult"),  # never rated: not seen in any period
]
RATINGS = [
    rating("A", "2026-01-10", "ORS", 20.0),
    rating("A", "2026-01-10", "SRS", 38.0),
    rating("A", "2026-02-10", "ORS", 26.0),
    rating("A", "2026-02-10", "SRS", 34.0),
    rating("B", "2026-01-12", "ORS", 26.0),
    rating("B", "2026-02-12", "ORS", 31.0),
    rating("B", "2026-02-12", "SRS", 40.0),
    rating("C", "2026-01-15", "ORS", 22.0),
    rating("C", "2026-01-15", "SRS", 35.5),
    rating("C", "2026-03-01", "ORS", 24.0),
    rating("D", "2025-12-01", "ORS", 30.0),
    rating("D", "2026-01-20", "ORS", 24.0),
    rating("E", "2026-03-05", "ORS", 18.0),
    rating("E", "2026-03-05", "SRS", 36.0),
    rating("F", "2026-01-05", "ORS", 10.0, rater="partner"),
    rating("F", "2026-01-05", "ORS", 20.0),
    rating("F", "2026-02-05", "ORS", 35.0, rater="partner"),
    rating("F", "2026-02-05", "ORS", 21.0),
    rating("F", "2026-02-05", "SRS", 39.0),
    rating("F", "2026-02-05", "SRS", 30.0, rater="partner"),
    rating("G", "2026-02-20", "YCORS", 3.0),
    rating("G", "2026-02-20", "YCSRS", 7.0),
    rating("G", "2026-03-20", "YCORS", 9.0),
]


def summary_for(period: Period = ALL_TIME):
    by_client: dict[str, list[Administration]] = {}
    for a in RATINGS:
        by_client.setdefault(a.client, []).append(a)
    return outcome_summary(CLIENTS, by_client, INSTRUMENTS, period).to_json()


def figures(result: dict, expected: dict) -> dict:
    """The keys of ``result`` that ``expected`` names, to compare the two."""
    return {key: result[key] for key in expected}


def test_all_time_agrees_with_the_hand_computation():
    # Seen: A to G (7), one episode each (no gap over 90 days); H has no rating. Statuses,
    # own ratings only:
    #   A 20.0 -> 26.0, +6.0, from below 25 to above: recovered
    #   B 26.0 -> 31.0, +5.0 (exactly the threshold), started above 25: improved
    #   C 22.0 -> 24.0, +2.0: unchanged
    #   D 30.0 -> 24.0, -6.0: deteriorated
    #   E one ORS: insufficient, and seen once only
    #   F 20.0 -> 21.0, +1.0 (the partner's 10 -> 35 is shown, never counted): unchanged
    #   G YCORS 3.0 -> 9.0, +6.0, no cut-off: improved
    # Means on the 40-point scales (A, B, C, D, F; G's 0-10 face scale left out):
    #   intakes 20, 26, 22, 30, 20: mean 118 / 5 = 23.6
    #   changes +6, +5, +2, -6, +1: mean 8 / 5 = 1.6
    # Intake below the cut-off of 25: A, C, F (n = 3, below the minimum of 10: no effect
    #   size). Reliably improved: A, 1 of 3; reached the cut-off: A, 1 of 3.
    # SRS, own, 40-point: 38, 34, 40, 35.5, 36, 39 = 222.5 / 6 = 37.083 -> 37.08;
    #   below 36: 34 and 35.5, 2 / 6 = 0.333. (The partner's 30 and G's YCSRS 7 left out.)
    # No episode has ended (no therapist's end, and no today to lapse them against).
    expected = {
        "clients": 7,
        "episodes": 7,
        "episodes_with_two_ors": 6,
        "recovered": 1,
        "improved": 2,
        "unchanged": 2,
        "deteriorated": 1,
        "mean_intake": 23.6,
        "mean_change": 1.6,
        "clinical_episodes": 3,
        "effect_size": None,
        "effect_size_ci": None,
        "effect_size_n": 3,
        "effect_size_adjusted": None,
        "reliably_improved": 1,
        "reliable_improvement_share": 0.333,
        "reached_cutoff": 1,
        "cutoff_reached_share": 0.333,
        "closed_episodes": 0,
        "dropout_rate": None,
        "mean_sessions": None,
        "mean_srs": 37.08,
        "srs_below_cutoff_share": 0.333,
        "seen_once": 1,
    }
    result = summary_for()
    assert figures(result, expected) == expected
    assert result["reasons"] == {
        "effect_size": "n = 3 is below the minimum of 10",
        "effect_size_adjusted": "n = 3 is below the minimum of 10",
        "dropout_rate": "no episode had ended",
        "mean_sessions": "no episode had ended",
    }


def test_a_month_counts_clients_rated_in_it_up_to_its_end():
    # February: A (10th), B (12th), F (5th), G (20th) were rated in it; C, D, E were not.
    #   A 20 -> 26 recovered, B 26 -> 31 improved, F 20 -> 21 unchanged;
    #   G's 9.0 on 20 March is after the period: one ORS by the end of February, seen once.
    #   intakes 20, 26, 20: mean 22.0; changes 6, 5, 1: mean 4.0
    #   SRS given in February: A 34, B 40, F 39 = 113 / 3 = 37.67; below 36: 1 / 3 = 0.333
    expected = {
        "clients": 4,
        "episodes": 4,
        "episodes_with_two_ors": 3,
        "recovered": 1,
        "improved": 1,
        "unchanged": 1,
        "deteriorated": 0,
        "mean_intake": 22.0,
        "mean_change": 4.0,
        "clinical_episodes": 2,
        "mean_srs": 37.67,
        "srs_below_cutoff_share": 0.333,
        "seen_once": 1,
    }
    result = summary_for(Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert figures(result, expected) == expected


def test_the_intake_before_the_period_is_the_real_intake():
    # From March: C (1st), E (5th), G (20th). C is measured from its January intake 22.0 to
    # 24.0: unchanged. G 3.0 -> 9.0 improved. SRS given in March: E's 36.0, not below 36.
    expected = {
        "clients": 3,
        "episodes": 3,
        "episodes_with_two_ors": 2,
        "recovered": 0,
        "improved": 1,
        "unchanged": 1,
        "deteriorated": 0,
        "mean_intake": 22.0,
        "mean_change": 2.0,
        "mean_srs": 36.0,
        "srs_below_cutoff_share": 0.0,
        "seen_once": 1,
    }
    result = summary_for(Period(date(2026, 3, 1), None))
    assert figures(result, expected) == expected


def test_a_period_before_anyone_came_is_empty():
    result = summary_for(Period(None, date(2025, 11, 30)))
    assert result["clients"] == 0 and result["episodes_with_two_ors"] == 0
    assert result["mean_intake"] is None and result["mean_srs"] is None
    assert result["srs_below_cutoff_share"] is None and result["effect_size"] is None
    assert result["reasons"]["effect_size"] == (
        "no episode with an intake below the cut-off and two ORS"
    )
    assert result["reasons"]["mean_srs"] == "no SRS in the period"


def test_means_round_half_up_exactly():
    # Intakes 20.0, 20.0, 20.0 and 20.1: mean 80.1 / 4 = 20.025, which rounds half up to
    # 20.03 by hand; in binary floating point round(80.1 / 4, 2) gives 20.02.
    clients = [Client(code) for code in "PQRS"]
    by_client = {
        c.code: [
            rating(c.code, "2026-01-01", "ORS", 20.1 if c.code == "S" else 20.0),
            rating(c.code, "2026-02-01", "ORS", 25.0),
        ]
        for c in clients
    }
    assert outcome_summary(clients, by_client, INSTRUMENTS).to_json()["mean_intake"] == 20.03


def test_rows_show_numbers_and_percentages():
    by_client: dict[str, list[Administration]] = {}
    for a in RATINGS:
        by_client.setdefault(a.client, []).append(a)
    rows = summary_rows(outcome_summary(CLIENTS, by_client, INSTRUMENTS))
    assert ("  Improved", "2", "33%") in rows  # 2 of the 6 with two ORS
    assert ("With two or more ORS", "6", "86% of 7") in rows  # 6 of the 7 episodes
    assert ("Mean change", "+1.6", "of 5 episodes") in rows
    assert ("Effect size", "-", "n 3, below minimum 10") in rows
    assert ("Reliably improved", "1", "33% of 3") in rows
    assert ("Dropout rate", "-", "no episode ended") in rows
    assert ("SRS below 36", "2", "33%") in rows


def test_phq9_and_gad7_never_move_the_ors_and_srs_figures():
    # A severe PHQ-9 (item 9 answered, so a risk flag) and a GAD-7 at every session of
    # every client, dated like the ORS they came with: only the ORS and SRS may count.
    symptoms = [
        rating(a.client, a.date, key, total, a.rater)
        for a in RATINGS
        if a.instrument in ("ORS", "YCORS")
        for key, total in (("PHQ-9", 27.0), ("GAD-7", 0.0))
    ]
    # ... and a client who has only ever rated the PHQ-9: seen, on one day, nothing else.
    alone = [rating("P", "2026-02-02", "PHQ-9", 9.0)]

    def summary(ratings, clients=CLIENTS, period=ALL_TIME):
        by_client: dict[str, list[Administration]] = {}
        for a in ratings:
            by_client.setdefault(a.client, []).append(a)
        return outcome_summary(clients, by_client, INSTRUMENTS, period)

    for period in (ALL_TIME, Period(date(2026, 2, 1), date(2026, 2, 28))):
        before = summary(RATINGS, period=period)
        mixed = summary(symptoms + RATINGS + symptoms, period=period)
        assert replace(mixed, symptoms=before.symptoms) == before
        assert [row for row in summary_rows(mixed) if not row[0].startswith(("PHQ", "GAD"))] == (
            summary_rows(before)
        )
        with_p = summary(RATINGS + alone, [*CLIENTS, Client("P")], period)
        assert with_p.clients == before.clients + 1
        assert with_p.seen_once == before.seen_once + 1
        assert with_p.episodes == before.episodes + 1
        assert (
            replace(
                with_p,
                clients=before.clients,
                seen_once=before.seen_once,
                episodes=before.episodes,
            )
            == before
        )


def test_cli_summary_text_and_json(cli):
    for c in CLIENTS:
        cli("add-client", c.code, "--age-group", c.age_group)
    for a in RATINGS:
        scores = [str(v / 10) for v in a.items.values()]
        assert cli("record", a.client, a.instrument, *scores, "--date", a.date, "--rater", a.rater)
    result = cli("report", "--summary", "--json")
    assert result.code == 0
    assert result.json()["effect_size"] is None  # 3 episodes in the clinical range
    assert result.json()["effect_size_n"] == 3
    assert result.json()["seen_once"] == 1
    assert (result.json()["from"], result.json()["to"]) == (None, None)  # all time
    february = cli("report", "--summary", "--from", "2026-02-01", "--to", "2026-02-28", "--json")
    assert february.json()["clients"] == 4
    assert (february.json()["from"], february.json()["to"]) == ("2026-02-01", "2026-02-28")
    text = cli("report", "--summary", "--from", "2026-03-01").out
    assert "Outcome summary, from 2026-03-01" in text
    assert "Effect size" in text and "n 1, below minimum 10" in text
    assert "the reference SD of 8.7 points, with a 95% confidence interval" in text


def test_cli_summary_bad_dates(cli):
    result = cli("report", "--summary", "--from", "2026-13-01")
    assert result.code == 1 and "--from '2026-13-01' is not a date" in result.err
    result = cli("report", "--summary", "--from", "2026-03-01", "--to", "2026-02-01")
    assert result.code == 1 and "is after --to" in result.err
    with pytest.raises(SystemExit) as exit_info:
        cli("report", "--from", "2026-01-01")
    assert exit_info.value.code == 2


def test_cli_summary_refuses_wide(cli, capsys):
    """--wide widens the report of clients; with --summary it did nothing, unsaid."""
    with pytest.raises(SystemExit) as exit_info:
        cli("report", "--summary", "--wide")
    assert exit_info.value.code == 2
    assert "--wide goes with the report of clients, not with --summary" in capsys.readouterr().err


def likert(code: str, day: str, instrument: str, total: int) -> Administration:
    """A PHQ-9 or GAD-7 whose total is ``total``: 3s from the first item, then the rest."""
    items = {}
    left = total
    for key in KEYS[instrument]:
        items[key] = min(3, left) * 10
        left -= min(3, left)
    return Administration(f"{code}-{day}-{instrument}", code, instrument, day, items)


def test_three_unchanged_clients_give_no_absurd_effect_size():
    # Intakes 20.0, 20.1 and 20.2, each +3.0: the sample's own intake SD is 0.1, which
    # once gave "effect size 30.00". Against the reference SD of 8.7 the mean change of 3.0
    # would be 0.34, and with n = 3 below the minimum of 10 no figure is given at all.
    clients = [Client(code) for code in "PQR"]
    by_client = {
        c.code: [
            rating(c.code, "2026-01-05", "ORS", intake),
            rating(c.code, "2026-02-05", "ORS", intake + 3.0),
        ]
        for c, intake in zip(clients, (20.0, 20.1, 20.2))
    }
    result = outcome_summary(clients, by_client, INSTRUMENTS).to_json()
    assert result["effect_size"] is None and result["effect_size_adjusted"] is None
    assert result["effect_size_n"] == 3 and result["mean_change"] == 3.0
    assert result["reasons"]["effect_size"] == "n = 3 is below the minimum of 10"
    assert result["reference_sd"] == 8.7 and result["minimum_n"] == 10
    # With the minimum lowered to 3 (a practice's own choice), the figure is sane.
    low = replace(default_reference(), minimum_n=3)
    lowered = outcome_summary(clients, by_client, INSTRUMENTS, reference=low).to_json()
    assert lowered["effect_size"] == 0.34  # 3.0 / 8.7 = 0.3448


# The worked example: ten adults with an intake below 25, one above it. Reference SD 8.7,
# expected change 8.0 - 0.4 * (intake - 20), minimum n 10.
WORKED = [  # code, intake, change, how the episode ended
    ("W01", 20.0, 8.0, "planned"),
    ("W02", 20.0, 4.0, "planned"),
    ("W03", 15.0, 10.0, "planned"),
    ("W04", 15.0, 6.0, "planned"),
    ("W05", 10.0, 12.0, "dropout"),
    ("W06", 10.0, 2.0, "referred"),
    ("W07", 22.0, 0.0, None),  # rated in November and December, then no contact
    ("W08", 22.0, 4.0, None),
    ("W09", 18.0, 6.0, None),
    ("W10", 18.0, 8.0, None),
    ("W11", 30.0, 3.0, None),  # intake above the cut-off: not in the effect sizes
]


def worked_example():
    clients = [Client(code) for code, *_ in WORKED]
    by_client: dict[str, list[Administration]] = {}
    events: dict[str, list[EpisodeEvent]] = {}
    for code, intake, change, ending in WORKED:
        first, last = (
            ("2025-11-01", "2025-12-01") if code == "W07" else ("2026-01-05", "2026-03-02")
        )
        mine = [rating(code, first, "ORS", intake), rating(code, last, "ORS", intake + change)]
        if code == "W01":  # a third session, with an SRS only
            mine.append(rating(code, "2026-02-02", "SRS", 38.0))
        if code == "W02":  # two ORS on the last day, one session: the later is the latest
            mine[1:] = [
                rating(code, last + "T09:00", "ORS", 22.0),
                rating(code, last + "T10:00", "ORS", 24.0),
            ]
        by_client[code] = mine
        if ending:
            events[code] = [EpisodeEvent("end", last, ending)]
    return clients, by_client, events


def test_worked_example_by_hand():
    # Changes of the ten below the cut-off: 8 4 10 6 12 2 0 4 6 8, sum 60, mean 6.0.
    #   effect size 6.0 / 8.7 = 0.6897 -> 0.69
    #   SD of the changes: deviations 2 -2 4 0 6 -4 -6 -2 0 2, squares sum 120, / 9 = 13.33,
    #   SD 3.6515; standard error 3.6515 / sqrt(10) = 1.1547; t(9) = 2.262, half 2.6119;
    #   CI (6.0 -+ 2.6119) / 8.7 = 0.3894 to 0.9899 -> 0.39 to 0.99
    # Expected changes 8 8 10 10 12 12 7.2 7.2 8.8 8.8; residuals 0 -4 0 -4 0 -10 -7.2
    #   -3.2 -2.8 -0.8, sum -32, mean -3.2; reference effect size 8.0 / 8.7 = 0.9195;
    #   severity-adjusted -3.2 / 8.7 + 0.9195 = 4.8 / 8.7 = 0.5517 -> 0.55
    #   residual deviations 3.2 -0.8 3.2 -0.8 3.2 -6.8 -4 0 0.4 2.4, squares sum 100.16,
    #   / 9 = 11.129, SD 3.3360; half 2.262 * 3.3360 / sqrt(10) = 2.3863;
    #   CI (-3.2 -+ 2.3863) / 8.7 + 0.9195 = 0.2774 to 0.8260 -> 0.28 to 0.83
    # Reliably improved (+5.0 or more): W01 W03 W04 W05 W09 W10, 6 of 10 = 0.6.
    # Reached 25: W01 (28) W03 (25) W08 (26) W10 (26), 4 of 10 = 0.4.
    # Closed by 2026-04-15: W01-W06 by the therapist, W07 lapsed (no contact since
    #   2025-12-01, over 90 days): 7. Dropouts W05 and W07: 2 / 7 = 0.286.
    #   Sessions 3 (W01) + 2 * 6 = 15, / 7 = 2.14.
    clients, by_client, events = worked_example()
    result = outcome_summary(
        clients, by_client, INSTRUMENTS, events_by_client=events, today=date(2026, 4, 15)
    ).to_json()
    expected = {
        "episodes": 11,
        "episodes_with_two_ors": 11,
        "clinical_episodes": 10,
        "effect_size": 0.69,
        "effect_size_ci": [0.39, 0.99],
        "effect_size_n": 10,
        "effect_size_adjusted": 0.55,
        "effect_size_adjusted_ci": [0.28, 0.83],
        "effect_size_adjusted_n": 10,
        "reference_sd": 8.7,
        "reference_effect_size": 0.92,
        "minimum_n": 10,
        "reliably_improved": 6,
        "reliable_improvement_share": 0.6,
        "reached_cutoff": 4,
        "cutoff_reached_share": 0.4,
        "closed_episodes": 7,
        "dropouts": 2,
        "dropout_rate": 0.286,
        "mean_sessions": 2.14,
    }
    assert figures(result, expected) == expected
    assert result["reasons"] == {}


def test_a_reference_sd_from_settings_is_used():
    clients, by_client, events = worked_example()
    result = outcome_summary(
        clients, by_client, INSTRUMENTS, events_by_client=events, reference=reference_with(6.0)
    ).to_json()
    assert result["effect_size"] == 1.0  # 6.0 / 6.0
    assert result["reference_sd"] == 6.0


def test_a_finished_period_ignores_later_endings():
    # Up to the end of February the ends of W01-W06 (2 March) had not happened, and W07's
    # last contact (1 December) was 89 days before: not yet past the gap of 90. By 3 March
    # all six had ended and W07 had lapsed (92 days).
    clients, by_client, events = worked_example()

    def closed(end: date) -> tuple:
        result = outcome_summary(
            clients,
            by_client,
            INSTRUMENTS,
            Period(None, end),
            events_by_client=events,
            today=date(2026, 4, 15),
        ).to_json()
        return result["closed_episodes"], result["dropouts"], result["dropout_rate"]

    assert closed(date(2026, 2, 28)) == (0, 0, None)
    assert closed(date(2026, 3, 3)) == (7, 2, 0.286)


def test_a_client_back_after_a_long_gap_counts_as_two_episodes():
    clients = [Client("P")]
    by_client = {
        "P": [
            rating("P", "2024-01-05", "ORS", 30.0),
            rating("P", "2024-02-05", "ORS", 32.0),
            rating("P", "2026-01-05", "ORS", 12.0),
            rating("P", "2026-02-05", "ORS", 18.0),
        ]
    }
    result = outcome_summary(clients, by_client, INSTRUMENTS).to_json()
    assert (result["episodes"], result["episodes_with_two_ors"]) == (2, 2)
    assert (result["improved"], result["unchanged"]) == (1, 1)  # +6.0 and +2.0
    assert (result["closed_episodes"], result["dropouts"]) == (1, 1)  # the first lapsed
    assert (result["clinical_episodes"], result["reliably_improved"]) == (1, 1)


@pytest.mark.parametrize(
    ("instrument", "first", "last", "improved", "recovered", "reliably_recovered"),
    [
        ("PHQ-9", 10, 5, False, True, False),  # a fall of 5: recovery, not reliable
        ("PHQ-9", 10, 4, True, True, True),  # a fall of 6 from caseness to below it
        ("PHQ-9", 16, 10, True, False, False),  # still a case at 10
        ("PHQ-9", 9, 3, True, False, False),  # not a case at the start
        ("GAD-7", 8, 4, True, True, True),  # a fall of 4 from 8, the caseness line
        ("GAD-7", 8, 5, False, True, False),
        ("GAD-7", 12, 8, True, False, False),  # still a case at 8
        ("GAD-7", 7, 3, True, False, False),
        ("GAD-7", 5, 9, False, False, False),  # worse
    ],
)
def test_phq9_and_gad7_change_at_the_boundaries(
    instrument, first, last, improved, recovered, reliably_recovered
):
    ratings = [
        likert("P", "2026-01-05", instrument, first),
        likert("P", "2026-02-05", instrument, last),
    ]
    change = symptom_change(ratings, INSTRUMENTS[instrument])
    assert (change.reliable_improvement, change.recovery, change.reliable_recovery) == (
        improved,
        recovered,
        reliably_recovered,
    )
    assert symptom_change(ratings[:1], INSTRUMENTS[instrument]) is None


def test_phq9_and_gad7_in_the_summary():
    # PHQ-9 15 -> 8 (reliable recovery), 12 -> 9 (recovery only), 8 -> 2 (reliable
    # improvement, not a case at the start); GAD-7 only once: nothing to say.
    clients = [Client(code) for code in "PQR"]
    by_client = {
        code: [likert(code, "2026-01-05", "PHQ-9", a), likert(code, "2026-02-05", "PHQ-9", b)]
        for code, a, b in (("P", 15, 8), ("Q", 12, 9), ("R", 8, 2))
    }
    by_client["P"].append(likert("P", "2026-01-05", "GAD-7", 12))
    summary = outcome_summary(clients, by_client, INSTRUMENTS)
    result = summary.to_json()
    assert result["phq9"] == {
        "episodes": 3,
        "reliable_improvement": 2,
        "at_caseness": 2,
        "recovery": 2,
        "reliable_recovery": 1,
        "reliable_improvement_share": 0.667,
        "recovery_share": 1.0,
        "reliable_recovery_share": 0.5,
        "reasons": {},
    }
    assert result["gad7"]["episodes"] == 0
    assert result["gad7"]["reliable_improvement_share"] is None
    assert result["gad7"]["reasons"]["recovery_share"] == "no episode started at GAD-7 caseness"
    rows = summary_rows(summary)
    assert ("PHQ-9 reliably improved", "2", "67% of 3 rated twice") in rows
    assert ("PHQ-9 reliably recovered", "1", "50% of 2 at caseness") in rows
    assert not any(label.startswith("GAD-7") for label, _, _ in rows)


def test_t_quantiles():
    assert t_quantile(9) == 2.262
    assert t_quantile(30) == 2.042
    assert t_quantile(40) == pytest.approx(2.021, abs=0.001)
    assert t_quantile(120) == pytest.approx(1.980, abs=0.001)


def test_a_period_ending_after_today_is_judged_on_today():
    # Last seen 15 September; on 1 December that is 77 days, not past the gap of 90. A
    # period to 31 December is still running: judged on its end (107 days) the episode
    # would already count as a dropout.
    clients = [Client("Q", "adult")]
    by_client = {
        "Q": [rating("Q", "2026-09-01", "ORS", 20.0), rating("Q", "2026-09-15", "ORS", 28.0)]
    }

    def closed(period: Period, today: date) -> tuple:
        result = outcome_summary(clients, by_client, INSTRUMENTS, period, today=today).to_json()
        return result["closed_episodes"], result["dropouts"]

    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert closed(year, date(2026, 12, 1)) == (0, 0)
    assert closed(Period(date(2026, 1, 1)), date(2026, 12, 1)) == (0, 0)
    assert closed(year, date(2026, 12, 15)) == (1, 1)  # 91 days: lapsed by today
    assert closed(year, date(2027, 3, 1)) == (1, 1)  # the year is over: judged on its end


def test_a_bound_that_rounds_to_zero_is_never_minus_zero():
    # Ten changes whose interval starts at -0.0004: "-0.00" on screen and -0.0 in JSON
    # read as a sign where there is none.
    changes = [10.0, 1.0, 11.0, 0.0, -8.0, 8.0, 1.0, 6.0, 6.5, 5.1]
    found = estimate(changes, default_reference())
    assert found.low is not None and -0.001 < found.low < 0
    assert str(rounded(found.low, 2)) == "0.0"
    assert rounded(-0.004, 2) == 0.0 and str(rounded(Fraction(-1, 1000), 2)) == "0.0"


def test_another_raters_rating_alone_does_not_make_a_client_seen():
    # T's own sessions were in 2025; a teacher's CORS in January 2026 is the only rating
    # of 2026. The client was not seen in 2026, and their episode's change (+8.0) is not
    # one of 2026's outcomes. U came once in 2026; a parent's rating another day does not
    # make it two visits.
    clients = [Client("T", "child"), Client("U", "child")]
    by_client = {
        "T": [
            rating("T", "2025-11-01", "CORS", 20.0),
            rating("T", "2025-12-01", "CORS", 28.0),
            rating("T", "2026-01-10", "CORS", 25.0, rater="teacher"),
        ],
        "U": [
            rating("U", "2026-02-01", "CORS", 20.0),
            rating("U", "2026-02-20", "CORS", 22.0, rater="parent"),
        ],
    }
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    result = outcome_summary(clients, by_client, INSTRUMENTS, year, today=date(2027, 1, 5))
    summary = result.to_json()
    assert (summary["clients"], summary["episodes"], summary["seen_once"]) == (1, 1, 1)
    assert summary["episodes_with_two_ors"] == 0
    everything = outcome_summary(clients, by_client, INSTRUMENTS, ALL_TIME).to_json()
    assert (everything["clients"], everything["episodes"], everything["improved"]) == (2, 2, 1)
