"""The expected treatment response: the model at its boundaries, a simulation that the fit
recovers known parameters, the "done when" clients, and the `fittui etr` commands."""

from __future__ import annotations

import math
import random
import stat
from dataclasses import replace
from datetime import date, timedelta

import pytest

from fittui import etr
from fittui.etr import Case, default_parameters, expected_path, fit, zone
from fittui.model import Administration, Client, InputError
from fittui.scoring import summarize

DEFAULT = default_parameters()
CUTOFFS = {"adult": 250, "adolescent": 280, "child": 320}
KEYS = {
    "ORS": ["individually", "interpersonally", "socially", "overall"],
    "CORS": ["me", "family", "school", "everything"],
    "YCORS": ["face"],
}


def rating(n: int, total: int, instrument: str = "ORS") -> Administration:
    """The client's own rating at week n, its total spread over the items."""
    keys = KEYS[instrument]
    base, extra = divmod(total, len(keys))
    items = {k: base + (1 if i < extra else 0) for i, k in enumerate(keys)}
    day = (date(2026, 1, 5) + timedelta(weeks=n)).isoformat()
    return Administration(f"a{n}", "C1", instrument, day, items)


def course(totals: list[int], age_group: str = "adult"):
    """The summary of a client whose ORS-family totals (tenths) are these, week by week."""
    instrument = {"child": "CORS", "young_child": "YCORS"}.get(age_group, "ORS")
    from fittui.instruments import load_instruments

    return summarize(
        Client("C1", age_group),
        [rating(n, t, instrument) for n, t in enumerate(totals)],
        load_instruments(),
    )


# -- the model ------------------------------------------------------------------------------
def test_default_parameters_come_from_the_data_file():
    assert DEFAULT.gain == 8.0 and DEFAULT.reference_session == 10
    assert DEFAULT.centres == {"adult": 200, "adolescent": 230, "child": 270}
    assert not DEFAULT.covers("young_child")
    assert DEFAULT.source.startswith("default")


def test_expected_path_from_intake_20():
    path = expected_path(200, "adult", [1, 2, 4, 8, 10], DEFAULT)
    assert [e for _, e, _ in path] == [200, 224, 248, 272, 280]  # 20 + 8 * log10(n)
    assert all(lower < e for _, e, lower in path[1:])
    # lower intakes gain more, higher ones less; never above the top of the scale
    gains = [expected_path(i, "adult", [10], DEFAULT)[0][1] - i for i in (50, 200, 350)]
    assert gains[0] > gains[1] > gains[2] >= 0
    assert expected_path(395, "adolescent", [40], DEFAULT)[0][1] <= 400
    assert expected_path(0, "adult", [2], DEFAULT)[0][2] >= 0


def test_intake_is_read_against_the_age_groups_cut_off():
    """Five points below the cut-off is the centre in each group: the same expected gain."""
    gains = {
        group: [e - centre for _, e, _ in expected_path(centre, group, [2, 6, 10], DEFAULT)]
        for group, centre in DEFAULT.centres.items()
    }
    assert gains["adult"] == gains["adolescent"] == gains["child"]
    assert {group: CUTOFFS[group] - c for group, c in DEFAULT.centres.items()} == {
        "adult": 50,
        "adolescent": 50,
        "child": 50,
    }


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


def test_no_zone_before_the_second_ors_nor_for_young_children():
    assert course([]).etr_zone is None
    s = course([150])
    assert s.etr_zone is None and s.etr_zones == ()
    assert course([150, 150]).etr_zone is not None
    little = course([20, 20, 20, 20, 20, 20, 20, 20], "young_child")
    assert little.etr_zone is None and "off_track" not in little.flags


def test_only_the_clients_own_ratings_count():
    from fittui.instruments import load_instruments

    own = [rating(n, 200) for n in range(3)]
    parent = replace(rating(1, 100), id="p1", rater="parent")
    s = summarize(Client("C1"), [*own, parent], load_instruments())
    assert [z.session for z in s.etr_zones] == [2, 3]
    assert all(z.administration.by_client for z in s.etr_zones)


@pytest.mark.parametrize("group", ["adult", "adolescent", "child"])
def test_done_when_no_change_for_eight_sessions_is_off_track(group):
    """From every intake in the clinical range of the group, eight flat sessions."""
    for intake in range(0, CUTOFFS[group], 5):
        s = course([intake] * 8, group)
        assert s.etr_zone == "off_track", (group, intake)
        assert "off_track" in s.flags
        [pattern] = [p for p in s.patterns if p.key == "not_on_track"]
        assert "not a validated prediction" in pattern.detail and pattern.questions


@pytest.mark.parametrize("group", ["adult", "adolescent", "child"])
def test_done_when_ten_points_by_the_fourth_session_is_on_track(group):
    """From 20 points below the group's centre (an adult's intake of 0) up to 30.

    Lower still, an adolescent's or a child's expected gain by session 4 passes 10 points.
    """
    for intake in range(DEFAULT.centres[group] - 200, 301, 5):
        s = course([intake, intake + 40, intake + 70, intake + 100], group)
        assert s.etr_zone == "on_track", (group, intake)
        assert "off_track" not in s.flags


def test_a_practices_own_parameters_change_the_call():
    flat = [200] * 4
    assert course(flat).etr_zone == "off_track"
    modest = replace(DEFAULT, gain=1.0)
    from fittui.instruments import load_instruments

    s = summarize(
        Client("C1"),
        [rating(n, t) for n, t in enumerate(flat)],
        load_instruments(),
        etr_params=modest,
    )
    assert s.etr_zone == "at_risk"


# -- the simulation -------------------------------------------------------------------------
TRUE = replace(DEFAULT, gain=9.0, gain_per_point=-0.3, occasion_spread=2.0, gain_spread=5.0)
# How close the fit must come with 600 simulated clients: about three standard errors.
# Over 60 seeds the standard errors were 0.36, 0.06, 0.16 and 0.27, with a small bias
# from keeping scores within 0-40 (one seed in 60 missed the gain by more than 1.0); the
# seeds below are fixed, so the test gives the same answer every run.
TOLERANCE = {"gain": 1.0, "gain_per_point": 0.2, "occasion_spread": 0.5, "gain_spread": 1.0}


def simulate(seed: int, clients: int, params: etr.Parameters) -> list[Case]:
    """Clients drawn from the model itself: intakes across the clinical range, 3 to 12
    sessions, each client's own gain spread around the expected one, each rating noisy,
    totals rounded to tenths and kept within 0-40 as real ratings are."""
    rng = random.Random(seed)
    cases = []
    for _ in range(clients):
        group = rng.choice(["adult", "adult", "adolescent", "child"])
        centre = params.centres[group] / 10
        intake = round(rng.uniform(centre - 12, centre + 3), 1)
        own_gain = (
            params.gain
            + params.gain_per_point * (intake - centre)
            + rng.gauss(0, params.gain_spread)
        )
        totals = [round(intake * 10)]
        for n in range(2, rng.randint(3, 12) + 1):
            share = math.log(n) / math.log(params.reference_session)
            score = intake + own_gain * share + rng.gauss(0, params.occasion_spread)
            totals.append(min(400, max(0, round(score * 10))))
        cases.append(Case(group, tuple(totals)))
    return cases


def off_track_calls(cases: list[Case], params: etr.Parameters) -> list[bool]:
    calls = []
    for case in cases:
        [(_, expected, lower)] = expected_path(
            case.totals[0], case.age_group, [len(case.totals)], params
        )
        calls.append(zone(case.totals[-1], expected, lower) == "off_track")
    return calls


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_caseloads_are_fitted_back(seed):
    cases = simulate(seed, 600, TRUE)
    result = fit(cases, DEFAULT)
    fitted = result.parameters
    assert result.clients == 600 and result.ratings == sum(len(c.totals) for c in cases)
    for key, tolerance in TOLERANCE.items():
        assert abs(getattr(fitted, key) - getattr(TRUE, key)) <= tolerance, key
    # what is not fitted stays as it was
    assert fitted.reference_session == DEFAULT.reference_session
    assert fitted.centres == DEFAULT.centres and fitted.band_percentile == 20
    # The known truth: the call the generating model itself makes on each client's latest
    # rating. The fitted model must agree for at least 90% of clients.
    truth = off_track_calls(cases, TRUE)
    calls = off_track_calls(cases, fitted)
    agreement = sum(a == b for a, b in zip(truth, calls)) / len(cases)
    assert agreement >= 0.9
    assert 0.05 < sum(truth) / len(truth) < 0.4  # the test is not won by calling no one


def test_the_default_model_would_miss_a_different_practice():
    """The agreement above is earned: a model far from the truth agrees much less."""
    cases = simulate(4, 600, TRUE)
    wrong = replace(TRUE, gain=2.0, gain_spread=1.0)
    truth, calls = off_track_calls(cases, TRUE), off_track_calls(cases, wrong)
    assert sum(a == b for a, b in zip(truth, calls)) / len(cases) < 0.9


def test_fit_refuses_with_too_few_clients():
    cases = simulate(5, etr.MIN_CLIENTS - 1, TRUE)
    with pytest.raises(InputError, match="at least 30 clients.*has 29"):
        fit(cases, DEFAULT)
    short = [Case(c.age_group, c.totals[:2]) for c in simulate(5, 40, TRUE)]
    with pytest.raises(InputError, match="has 0"):
        fit(short, DEFAULT)
    little = [Case("young_child", c.totals) for c in simulate(5, 40, TRUE)]
    with pytest.raises(InputError, match="has 0"):
        fit(little, DEFAULT)


def test_fit_refuses_when_every_intake_is_the_same():
    cases = [Case("adult", (200, 230 + n % 7, 250)) for n in range(40)]
    with pytest.raises(InputError, match="same intake"):
        fit(cases, DEFAULT)


def test_fit_refuses_a_practice_without_average_gain():
    cases = simulate(6, 100, replace(TRUE, gain=-2.0, gain_per_point=0.0))
    with pytest.raises(InputError, match="keeps the default model"):
        fit(cases, DEFAULT)


def test_fit_keeps_variances_at_zero_or_more():
    """Spread that shrinks over sessions would give a negative variance; it stays >= 0."""
    rng = random.Random(8)
    cases = [
        Case("adult", (i, i + 30 + rng.choice((-20, 20)), i + 60, i + 70, i + 80))
        for i in range(100, 300, 5)
    ]
    fitted = fit(cases, DEFAULT).parameters
    assert fitted.gain_spread == 0 and fitted.occasion_spread > 0


# -- parameter files ------------------------------------------------------------------------
def test_saved_parameters_load_back_and_reset(tmp_path):
    config = tmp_path / "config"
    assert etr.load_parameters(config) is DEFAULT
    fitted = fit(simulate(9, 60, TRUE), DEFAULT, today="2026-11-23").parameters
    path = etr.save_parameters(fitted, config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    loaded = etr.load_parameters(config)
    for key in (*etr.FITTED, "reference_session", "band_percentile", "centres"):
        assert getattr(loaded, key) == getattr(fitted, key), key
    assert loaded.fitted_clients == 60 and loaded.fitted_on == "2026-11-23"
    assert str(path) in loaded.source
    assert etr.reset_parameters(config) and not etr.reset_parameters(config)
    assert etr.load_parameters(config) is DEFAULT


@pytest.mark.parametrize(
    "text, message",
    [
        ("gain = 8", "reference_session"),
        ("reference_session = 10\n[centres]\nadult = 20.0", "gain must be a number"),
        (
            "reference_session = 10\ngain = 8\ngain_per_point = -0.4\noccasion_spread = -1\n"
            "gain_spread = 6\nband_percentile = 20\n[centres]\nadult = 20.0",
            "occasion_spread must be between 0 and 40",
        ),
        (
            "reference_session = 10\ngain = 8\ngain_per_point = -0.4\noccasion_spread = 2\n"
            "gain_spread = 6\nband_percentile = 20\n[centres]\nadult = 20.05",
            "centres.adult must be a number with at most one decimal",
        ),
        ("reference_session = [", "cannot be read"),
        (
            "reference_session = 10\ngain = 8\ngain_per_point = -0.4\noccasion_spread = 2\n"
            "gain_spread = 6\nband_percentile = 20\n[centres]\nadults = 20.0",
            "unknown age group 'adults'",
        ),
    ],
)
def test_a_broken_parameter_file_is_named(tmp_path, text, message):
    (tmp_path / "etr.toml").write_text(text)
    with pytest.raises(InputError, match=message) as error:
        etr.load_parameters(tmp_path)
    assert str(tmp_path / "etr.toml") in str(error.value)


# -- the chart ------------------------------------------------------------------------------
def test_history_chart_draws_the_expected_path(instruments):
    import plotext

    from fittui.chart import draw_history

    administrations = [rating(n, 200) for n in range(6)]
    s = course([200] * 6)
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
def write_caseload(path, cases: list[Case]) -> None:
    """A CSV for `fittui import` holding these cases, one ORS (or CORS) a week."""
    lines = ["client,age_group,date,instrument,rater,item1,item2,item3,item4"]
    for i, case in enumerate(cases):
        instrument = "CORS" if case.age_group == "child" else "ORS"
        for n, total in enumerate(case.totals):
            items = rating(n, total, instrument).items.values()
            day = (date(2026, 1, 5) + timedelta(weeks=n, days=i % 5)).isoformat()
            scores = ",".join(str(v / 10) for v in items)
            lines.append(f"S{i:03d},{case.age_group},{day},{instrument},,{scores}")
    path.write_text("\n".join(lines) + "\n")


def test_etr_fit_refuses_clearly_when_too_few_clients(cli, tmp_path):
    write_caseload(tmp_path / "few.csv", simulate(10, 12, TRUE))
    assert cli("import", tmp_path / "few.csv").code == 0
    result = cli("etr", "fit", "--yes")
    assert result.code == 1
    assert "at least 30 clients" in result.err and "has 12" in result.err
    assert not (tmp_path / "config" / "etr.toml").exists()


def test_etr_fit_show_reset(cli, tmp_path, monkeypatch):
    write_caseload(tmp_path / "many.csv", simulate(11, 40, TRUE))
    assert cli("import", tmp_path / "many.csv").code == 0
    saved = tmp_path / "config" / "etr.toml"

    shown = cli("etr", "fit")  # not a terminal, no --yes: shows, saves nothing
    assert shown.code == 0 and "Not saved" in shown.out and not saved.exists()
    assert "your practice" in shown.out and "intake" in shown.out
    for intake in ("10.0", "15.0", "20.0", "25.0"):
        assert intake in shown.out
    assert "session 10" in shown.out and "not a validated prediction" in shown.out

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
    assert data["default"]["gain"] == 8.0 and data["fitted"]["fitted_clients"] == 40
    data = cli("etr", "fit", "--json", "--yes").json()
    assert data["saved_to"] == str(saved) and saved.exists()


def test_report_uses_the_practices_model(cli, tmp_path):
    cli("add-client", "C1")
    for week, total in enumerate(["5", "5", "5", "5"]):
        day = (date(2026, 1, 5) + timedelta(weeks=week)).isoformat()
        cli("record", "C1", "ORS", total, total, total, total, "--date", day)
    [row] = cli("report", "--json").json()
    assert row["etr_zone"] == "off_track" and "off_track" in row["flags"]
    assert "off track" in cli("report").out
    assert "off track: below the band" in cli("history", "C1").out

    config = tmp_path / "config"
    etr.save_parameters(replace(DEFAULT, gain=1.0, source="x", fitted_clients=30), config)
    [row] = cli("report", "--json").json()
    assert row["etr_zone"] == "at_risk" and "off_track" not in row["flags"]

    (config / "etr.toml").write_text("gain = [")
    broken = cli("report", "--json")
    assert broken.code == 1 and str(config / "etr.toml") in broken.err
