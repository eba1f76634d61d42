"""Episodes of care from the command line: start, end, list, and what the report says."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import db_bytes


def ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()  # read now: a run may pass midnight


def record(cli, code: str, day: str, *scores: str, instrument: str = "ORS") -> None:
    result = cli("record", code, instrument, *scores, "--date", day)
    assert result.code == 0, result.err


def test_back_after_100_days_is_a_new_episode_with_a_new_intake(cli):
    cli("add-client", "C1")
    record(cli, "C1", ago(140), "8", "8", "8", "8")  # 32.0: the old intake
    record(cli, "C1", ago(120), "8", "8", "8", "8")
    record(cli, "C1", ago(20), "3", "3", "3", "3")  # 100 days later: 12.0, a new intake
    record(cli, "C1", ago(10), "4", "4", "4", "5")  # 17.0
    [row] = cli("report", "--json").json()
    assert (row["ors_count"], row["ors_first"], row["ors_last"]) == (2, 12.0, 17.0)
    assert (row["status"], row["ors_change"]) == ("improved", 5.0)
    assert row["episode"] == {
        "number": 2,
        "start": ago(20),
        "end": None,
        "reason": None,
        "sessions": 2,
    }
    listed = cli("episode", "list", "C1")
    assert listed.code == 0
    assert f"1        {ago(140)}  {ago(120)}  2         no contact for over 90 days" in listed.out
    assert f"2        {ago(20)}  -           2         open" in listed.out


def test_two_ors_on_one_day_are_one_session_and_the_later_counts(cli):
    cli("add-client", "C1")
    record(cli, "C1", ago(14), "5", "5", "5", "5")
    record(cli, "C1", ago(7) + "T09:00", "9", "9", "9", "9")
    record(cli, "C1", ago(7) + "T09:05", "6", "6", "6", "6")  # a second try the same day
    [row] = cli("report", "--json").json()
    assert row["episode"]["sessions"] == 2  # two days, three ORS
    assert (row["ors_last"], row["status"]) == (24.0, "unchanged")  # the later is the latest
    # Voiding the first try (what "replace" does in the app) leaves one ORS that day.
    first_try = cli("history", "C1", "--json").json()["administrations"][1]
    assert first_try["date"] == ago(7) + "T09:00"
    assert cli("void", first_try["id"], "--reason", "second try").code == 0
    [row] = cli("report", "--json").json()
    assert (row["ors_count"], row["episode"]["sessions"]) == (2, 2)


def test_end_and_start_from_the_command_line(cli, db):
    cli("add-client", "C1")
    record(cli, "C1", ago(30), "5", "5", "5", "5")
    record(cli, "C1", ago(7), "7", "7", "7", "7")
    ended = cli("episode", "end", "C1", "--reason", "planned")
    today = date.today()  # as the command read it (a run may pass midnight)
    assert ended.code == 0, ended.err
    assert ended.out == f"Ended episode 1 for C1 on {today}: planned ending.\n"
    started = cli("episode", "start", "C1")
    assert started.out == f"Started episode 2 for C1 on {today}.\n"
    record(cli, "C1", today.isoformat(), "4", "4", "4", "4")  # the new intake
    [row] = cli("report", "--json").json()
    assert (row["ors_count"], row["ors_first"], row["status"]) == (1, 16.0, "insufficient")
    episodes = cli("episode", "list", "C1", "--json").json()["episodes"]
    assert [(e["number"], e["reason"], e["sessions"]) for e in episodes] == [
        (1, "planned", 2),
        (2, None, 1),
    ]
    # A start while the episode is open is refused, and nothing is written.
    before = db_bytes(db)
    refused = cli("episode", "start", "C1")
    assert refused.code == 1
    assert "episode 2 is still open" in refused.err and "end it first" in refused.err
    assert db_bytes(db) == before


def test_an_ending_can_be_changed_and_a_lapsed_episode_named(cli):
    cli("add-client", "C1")
    record(cli, "C1", ago(200), "5", "5", "5", "5")
    record(cli, "C1", ago(150), "6", "6", "6", "6")
    assert cli("episode", "list", "C1", "--json").json()["episodes"][0]["reason"] == "no_contact"
    named = cli("episode", "end", "C1", "--reason", "dropout")
    assert named.code == 0 and "(changed from how it had ended)" in named.out
    [episode] = cli("episode", "list", "C1", "--json").json()["episodes"]
    # How it ended changes, not when: the last contact, not the day it was named.
    assert (episode["end"], episode["reason"]) == (ago(150), "dropout")
    assert named.out.startswith(f"Ended episode 1 for C1 on {ago(150)}: unplanned ending")
    dated = cli("episode", "end", "C1", "--reason", "other", "--date", ago(100))
    assert dated.code == 0, dated.err  # a day given is the day it ended
    [episode] = cli("episode", "list", "C1", "--json").json()["episodes"]
    assert (episode["end"], episode["reason"]) == (ago(100), "other")


def test_bad_episode_commands_say_why_and_change_nothing(cli, db):
    cli("add-client", "C1")
    record(cli, "C1", ago(30), "5", "5", "5", "5")
    record(cli, "C1", ago(3), "6", "6", "6", "6")
    before = db_bytes(db)
    cases = [
        (("episode", "end", "C1", "--reason", "planned", "--date", ago(10)), "ratings after"),
        (("episode", "end", "C1", "--reason", "planned", "--date", "2099-01-01"), "future"),
        (("episode", "end", "C1", "--reason", "planned", "--date", "soon"), "not a date"),
        (("episode", "end", "NOPE", "--reason", "planned"), "unknown client"),
        (("episode", "start", "C1", "--date", ago(40)), "still open"),
    ]
    for args, words in cases:
        result = cli(*args)
        assert result.code == 1 and words in result.err, (args, result.err)
    assert db_bytes(db) == before


def test_an_end_needs_a_known_reason(cli, capsys):
    cli("add-client", "C1")
    with pytest.raises(SystemExit) as exit_info:
        cli("episode", "end", "C1", "--reason", "bored")
    assert exit_info.value.code == 2
    assert "invalid choice: 'bored'" in capsys.readouterr().err


def test_report_json_has_phq9_and_gad7_change(cli):
    cli("add-client", "C1")
    record(cli, "C1", ago(14), "2", "2", "2", "2", "2", "1", "1", "1", "1", instrument="PHQ-9")
    record(cli, "C1", ago(7), "1", "1", "1", "1", "0", "0", "0", "0", "0", instrument="PHQ-9")
    record(cli, "C1", ago(14), "1", "1", "1", "1", "1", "1", "1", instrument="GAD-7")
    record(cli, "C1", ago(7), "1", "1", "1", "1", "1", "0", "0", instrument="GAD-7")
    [row] = cli("report", "--json").json()
    # PHQ-9 14 -> 4: a fall of 10 from caseness to below it; GAD-7 7 -> 5: not a case.
    assert (row["phq9_last"], row["gad7_last"]) == (4, 5)
    assert (
        row["phq9_reliable_improvement"],
        row["phq9_recovery"],
        row["phq9_reliable_recovery"],
    ) == (True, True, True)
    assert (row["gad7_reliable_improvement"], row["gad7_recovery"]) == (False, None)
    summary = cli("report", "--summary", "--json").json()
    assert summary["phq9"]["reliable_recovery"] == 1 and summary["gad7"]["episodes"] == 1


def test_history_lists_the_episodes(cli):
    cli("add-client", "C1")
    record(cli, "C1", ago(200), "5", "5", "5", "5")
    record(cli, "C1", ago(20), "3", "3", "3", "3")
    out = cli("history", "C1").out
    assert f"Episode 1: {ago(200)} to {ago(200)}, no contact for over 90 days" in out
    assert f"Episode 2: since {ago(20)}, open" in out
    assert "Figures are of the current episode; the chart shows the earlier ones before ┆." in out
    chart = out[out.index("ORS and SRS totals") :]
    assert chart.count("┆") >= 5 and chart.count("O") >= 2  # a line down the chart


def test_a_database_from_before_episodes_reads_and_stays_as_it_was(cli, db):
    cli("add-client", "C1")
    record(cli, "C1", ago(200), "5", "5", "5", "5")
    record(cli, "C1", ago(10), "6", "6", "6", "6")
    before = db_bytes(db)
    assert cli("--read-only", "report", "--json").json()[0]["episode"]["number"] == 2
    assert cli("episode", "list", "C1").code == 0
    assert cli("report", "--summary", "--json").json()["closed_episodes"] == 1
    assert db_bytes(db) == before  # reading episodes writes nothing
