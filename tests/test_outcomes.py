"""The outcome summary against a set of cases worked out by hand, for all time and periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from math import sqrt

import pytest

from fittui.instruments import load_instruments
from fittui.model import Administration, Client
from fittui.outcomes import Period, outcome_summary, summary_rows

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


# The hand-checked caseload. Adults' ORS cut-off 25.0, reliable change 5.0 (CLINICAL.md).
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


def test_all_time_agrees_with_the_hand_computation():
    # Seen: A to G (7); H has no rating. Statuses, own ratings only:
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
    #   intake deviations -3.6, 2.4, -1.6, 6.4, -3.6; squares sum to 75.2; / 4 = 18.8
    #   effect size 1.6 / sqrt(18.8) = 0.3690 -> 0.37
    # SRS, own, 40-point: 38, 34, 40, 35.5, 36, 39 = 222.5 / 6 = 37.083 -> 37.08;
    #   below 36: 34 and 35.5, 2 / 6 = 0.333. (The partner's 30 and G's YCSRS 7 left out.)
    assert 1.6 / sqrt(18.8) == pytest.approx(0.3690, abs=1e-4)
    assert summary_for() == {
        "clients": 7,
        "clients_with_two_ors": 6,
        "recovered": 1,
        "improved": 2,
        "unchanged": 2,
        "deteriorated": 1,
        "mean_intake": 23.6,
        "mean_change": 1.6,
        "effect_size": 0.37,
        "mean_srs": 37.08,
        "srs_below_cutoff_share": 0.333,
        "seen_once": 1,
    }


def test_a_month_counts_clients_rated_in_it_up_to_its_end():
    # February: A (10th), B (12th), F (5th), G (20th) were rated in it; C, D, E were not.
    #   A 20 -> 26 recovered, B 26 -> 31 improved, F 20 -> 21 unchanged;
    #   G's 9.0 on 20 March is after the period: one ORS by the end of February, seen once.
    #   intakes 20, 26, 20: mean 22.0; changes 6, 5, 1: mean 4.0
    #   deviations -2, 4, -2; squares 4 + 16 + 4 = 24; / 2 = 12; 4.0 / sqrt(12) = 1.1547 -> 1.15
    #   SRS given in February: A 34, B 40, F 39 = 113 / 3 = 37.67; below 36: 1 / 3 = 0.333
    assert 4.0 / sqrt(12) == pytest.approx(1.1547, abs=1e-4)
    assert summary_for(Period(date(2026, 2, 1), date(2026, 2, 28))) == {
        "clients": 4,
        "clients_with_two_ors": 3,
        "recovered": 1,
        "improved": 1,
        "unchanged": 1,
        "deteriorated": 0,
        "mean_intake": 22.0,
        "mean_change": 4.0,
        "effect_size": 1.15,
        "mean_srs": 37.67,
        "srs_below_cutoff_share": 0.333,
        "seen_once": 1,
    }


def test_the_intake_before_the_period_is_the_real_intake():
    # From March: C (1st), E (5th), G (20th). C is measured from its January intake 22.0 to
    # 24.0: unchanged. G 3.0 -> 9.0 improved. One client on the 40-point scale: no effect
    # size (a spread needs two). SRS given in March: E's 36.0, not below 36.
    result = summary_for(Period(date(2026, 3, 1), None))
    assert result == {
        "clients": 3,
        "clients_with_two_ors": 2,
        "recovered": 0,
        "improved": 1,
        "unchanged": 1,
        "deteriorated": 0,
        "mean_intake": 22.0,
        "mean_change": 2.0,
        "effect_size": None,
        "mean_srs": 36.0,
        "srs_below_cutoff_share": 0.0,
        "seen_once": 1,
    }


def test_a_period_before_anyone_came_is_empty():
    result = summary_for(Period(None, date(2025, 11, 30)))
    assert result["clients"] == 0 and result["clients_with_two_ors"] == 0
    assert result["mean_intake"] is None and result["mean_srs"] is None
    assert result["srs_below_cutoff_share"] is None and result["effect_size"] is None


def test_no_effect_size_when_every_intake_is_the_same():
    clients = [Client("P"), Client("Q")]
    by_client = {
        "P": [rating("P", "2026-01-01", "ORS", 20.0), rating("P", "2026-02-01", "ORS", 30.0)],
        "Q": [rating("Q", "2026-01-01", "ORS", 20.0), rating("Q", "2026-02-01", "ORS", 22.0)],
    }
    summary = outcome_summary(clients, by_client, INSTRUMENTS)
    assert summary.to_json()["effect_size"] is None
    assert summary.to_json()["mean_change"] == 6.0
    assert "same" in summary.effect_size_missing_because
    assert ("Effect size", "-", "intakes all equal") in summary_rows(summary)


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
    assert ("With two or more ORS", "6", "86%") in rows  # 6 of the 7 seen
    assert ("Mean change", "+1.6", "of 5 clients") in rows
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

    def figures(ratings, clients=CLIENTS, period=ALL_TIME):
        by_client: dict[str, list[Administration]] = {}
        for a in ratings:
            by_client.setdefault(a.client, []).append(a)
        return outcome_summary(clients, by_client, INSTRUMENTS, period)

    for period in (ALL_TIME, Period(date(2026, 2, 1), date(2026, 2, 28))):
        before = figures(RATINGS, period=period)
        mixed = figures(symptoms + RATINGS + symptoms, period=period)
        assert mixed == before
        assert summary_rows(mixed) == summary_rows(before)
        with_p = figures(RATINGS + alone, [*CLIENTS, Client("P")], period)
        assert with_p.clients == before.clients + 1
        assert with_p.seen_once == before.seen_once + 1
        assert replace(with_p, clients=before.clients, seen_once=before.seen_once) == before


def test_cli_summary_text_and_json(cli):
    for c in CLIENTS:
        cli("add-client", c.code, "--age-group", c.age_group)
    for a in RATINGS:
        scores = [str(v / 10) for v in a.items.values()]
        assert cli("record", a.client, a.instrument, *scores, "--date", a.date, "--rater", a.rater)
    result = cli("report", "--summary", "--json")
    assert result.code == 0
    assert result.json()["effect_size"] == 0.37
    assert result.json()["seen_once"] == 1
    february = cli("report", "--summary", "--from", "2026-02-01", "--to", "2026-02-28", "--json")
    assert february.json()["clients"] == 4
    text = cli("report", "--summary", "--from", "2026-03-01").out
    assert "Outcome summary, from 2026-03-01" in text
    assert "No effect size: it needs two or more clients" in text


def test_cli_summary_bad_dates(cli):
    result = cli("report", "--summary", "--from", "2026-13-01")
    assert result.code == 1 and "--from '2026-13-01' is not a date" in result.err
    result = cli("report", "--summary", "--from", "2026-03-01", "--to", "2026-02-01")
    assert result.code == 1 and "is after --to" in result.err
    with pytest.raises(SystemExit) as exit_info:
        cli("report", "--from", "2026-01-01")
    assert exit_info.value.code == 2
