"""Series by instrument and rater: a group member, a couple, a family, linked clients, and
each flag and item-level pattern at its threshold."""

from __future__ import annotations

from fittui.domain.flags import describe_flag
from fittui.domain.model import Administration, Client
from fittui.domain.overview import findings_lines, report_row
from fittui.domain.scoring import previous_of, split_alliances, summarize
from fittui.domain.snippet import make_snippet

ADULT = Client("C1", "adult")
KEYS = {
    "ORS": ["individually", "interpersonally", "socially", "overall"],
    "CORS": ["me", "family", "school", "everything"],
    "SRS": ["relationship", "goals_topics", "approach", "overall"],
    "GSRS": ["relationship", "goals_topics", "approach", "overall"],
    "CSRS": ["listening", "how_important", "what_we_did", "overall"],
    "PHQ-9": [f"item{n}" for n in range(1, 10)],
}


def rate(
    instrument: str, day: str, *items: float, rater: str = "client", client: str = "C1"
) -> Administration:
    return Administration(
        f"{client}{instrument}{day}{rater}{items}",
        client,
        instrument,
        day,
        {k: round(v * 10) for k, v in zip(KEYS[instrument], items)},
        rater,
    )


def keys(summary) -> set[str]:
    return {p.key for p in summary.patterns}


# -- a group member ------------------------------------------------------------------------
def test_a_gsrs_after_individual_srs_raises_no_individual_flag(instruments):
    ratings = [
        rate("SRS", "2026-01-01", 9.6, 9.6, 9.5, 9.6),
        rate("SRS", "2026-01-08", 9.6, 9.6, 9.5, 9.6),
        rate("GSRS", "2026-01-15", 9.0, 8.5, 8.5, 9.0),  # 35.0: below 36, and lower than 38.3
    ]
    s = summarize(ADULT, ratings, instruments)
    assert s.srs == tuple(ratings[:2]) and s.gsrs == (ratings[2],)
    assert {"srs_drop", "srs_below_cutoff", "srs_item_low"}.isdisjoint(s.flags)
    assert "sudden_alliance_drop" not in keys(s) and "low_item" not in keys(s)
    # The group's own flags, named as the group's; the first GSRS has no drop.
    assert s.flags == ("gsrs_below_cutoff",)
    assert describe_flag("gsrs_below_cutoff")[0] == "▼GSRS"
    assert "group_alliance" in keys(s)
    # The GSRS is compared only with the group's own earlier rating.
    assert previous_of(ratings[2], ratings, instruments) is None


def test_the_group_drop_compares_groups_only(instruments):
    ratings = [
        rate("GSRS", "2026-01-01", 9.8, 9.8, 9.8, 9.8),
        rate("SRS", "2026-01-05", 9.0, 9.0, 9.0, 9.0),
        rate("GSRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5),  # 38.0, 1.2 below the last group
    ]
    s = summarize(ADULT, ratings, instruments)
    assert s.flags == ("gsrs_drop",)
    assert previous_of(ratings[2], ratings, instruments) == ratings[0]


# -- a couple under one code ---------------------------------------------------------------
def test_a_partners_srs_raises_the_same_flags_named_with_the_partner(instruments):
    ratings = [
        rate("ORS", "2026-01-01", 5, 5, 5, 5),
        rate("ORS", "2026-01-01", 4, 4, 4, 4, rater="partner"),
        rate("SRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5),
        rate("SRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5, rater="partner"),
        rate("ORS", "2026-01-08", 6, 6, 6, 6),
        rate("ORS", "2026-01-08", 5.5, 5.5, 5.5, 5.5, rater="partner"),
        rate("SRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5),
        rate("SRS", "2026-01-08", 6, 6, 6, 6, rater="partner"),  # 24.0
    ]
    s = summarize(ADULT, ratings, instruments)
    assert s.flags == (
        "ors_below_cutoff",
        "split_alliance",
        "srs_below_cutoff:partner",
        "srs_drop:partner",
        "srs_item_low:partner",
    )
    assert describe_flag("srs_below_cutoff:partner") == ("▼SRS(pt)", "SRS below 36 (partner)")
    [partner] = s.raters
    # The partner's own ORS course: intake 16.0, latest 22.0, reliably improved.
    assert (partner.progress.intake.total, partner.progress.latest.total, partner.status) == (
        160,
        220,
        "improved",
    )
    assert s.status == "unchanged"  # the client's own, never mixed with the partner's
    row = report_row(ADULT, s)
    assert row["split_alliance"] is True and row["raters"][0]["status"] == "improved"
    assert "srs_below_cutoff:partner" in row["flags"]
    assert "rater_alliance" not in keys(s)  # the split alliance names the partner's SRS
    snippet = make_snippet(ADULT, s, ratings, instruments)
    assert "Split alliance on 2026-01-08: client 38.0, partner 24.0." in snippet


def test_split_alliance_at_exactly_five_points(instruments):
    pair = [
        rate("SRS", "2026-01-01", 9, 9, 9, 9),
        rate("SRS", "2026-01-01", 8, 8, 8, 7, rater="partner"),
    ]
    assert "split_alliance" in summarize(ADULT, pair, instruments).flags
    pair[1] = rate("SRS", "2026-01-01", 8, 8, 8, 7.1, rater="partner")
    assert "split_alliance" not in summarize(ADULT, pair, instruments).flags


def test_an_old_split_is_no_longer_a_flag(instruments):
    ratings = [
        rate("SRS", "2026-01-01", 9, 9, 9, 9),
        rate("SRS", "2026-01-01", 5, 5, 5, 5, rater="partner"),
        rate("SRS", "2026-01-08", 9, 9, 9, 9),
        rate("SRS", "2026-01-08", 9, 9, 9, 9, rater="partner"),
    ]
    s = summarize(ADULT, ratings, instruments)
    assert "split_alliance" not in s.flags and len(s.alliances) == 1


# -- a couple under two linked codes --------------------------------------------------------
def test_linked_clients_split_alliance(instruments):
    mine = [rate("SRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5)]
    theirs = [rate("SRS", "2026-01-08", 7, 7, 7, 7, client="C2")]
    alone = summarize(ADULT, mine, instruments)
    assert "split_alliance" not in alone.flags
    linked = summarize(ADULT, mine, instruments, linked=theirs)
    assert "split_alliance" in linked.flags
    [(day, people)] = linked.alliances
    assert day == "2026-01-08" and {a.client for a in people} == {"C1", "C2"}
    # The other client's rating counts only for the split, never for this client's flags.
    assert linked.flags == ("split_alliance",)
    assert any("C2 client 28.0" in line for line in findings_lines(linked, instruments))


def test_link_and_unlink_from_the_command_line(cli):
    cli("add-client", "A1")
    cli("add-client", "A2")
    cli("record", "A1", "SRS", "9.5", "9.5", "9.5", "9.5", "--date", "2026-01-08")
    cli("record", "A2", "SRS", "7", "7", "7", "7", "--date", "2026-01-08")
    assert cli("link", "A1", "A2").code == 0
    rows = {r["client"]: r for r in cli("report", "--json").json()}
    assert rows["A1"]["split_alliance"] and rows["A2"]["split_alliance"]
    assert rows["A1"]["linked"] == ["A2"] and rows["A2"]["linked"] == ["A1"]
    assert "⇆split" in cli("report").out
    assert "split_alliance" in cli("history", "A2", "--json").json()["flags"]
    assert cli("link", "A1", "A1").code == 1
    assert cli("link", "A1", "NOPE").code == 1
    assert cli("unlink", "A1", "A2").code == 0
    rows = {r["client"]: r for r in cli("report", "--json").json()}
    assert not rows["A1"]["split_alliance"] and rows["A1"]["linked"] == []
    assert cli("unlink", "A1", "A2").code == 1


# -- a family --------------------------------------------------------------------------------
def test_a_family_parent_and_teacher_are_series_of_their_own(instruments):
    child = Client("K1", "child")
    ratings = [
        rate("CORS", "2026-01-01", 6, 6, 6, 6, client="K1"),
        rate("CORS", "2026-01-01", 5, 5, 5, 5, rater="parent", client="K1"),
        rate("CORS", "2026-01-02", 7, 7, 7, 7, rater="teacher", client="K1"),
        rate("CSRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5, client="K1"),
        rate("CSRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5, rater="parent", client="K1"),
        rate("CORS", "2026-01-08", 7, 7, 7, 7, client="K1"),
        rate("CORS", "2026-01-08", 4, 4, 4, 4, rater="parent", client="K1"),
        rate("CSRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5, client="K1"),
        rate("CSRS", "2026-01-08", 9.5, 9.5, 9.5, 8.0, rater="parent", client="K1"),
    ]
    s = summarize(child, ratings, instruments)
    assert [r.rater for r in s.raters] == ["parent", "teacher"]
    parent, teacher = s.raters
    assert (parent.progress.intake.total, parent.progress.latest.total, parent.status) == (
        200,
        160,
        "unchanged",
    )
    assert parent.flags == ("srs_item_low:parent", "srs_drop:parent")
    assert teacher.status == "insufficient" and teacher.flags == ()
    assert s.progress.change == 40 and s.status == "unchanged"  # the child's own ratings only
    assert "srs_drop" not in s.flags and "srs_drop:parent" in s.flags
    assert describe_flag("srs_drop:parent")[0] == "↓SRS(pa)"
    assert describe_flag("srs_drop:teacher")[0] == "↓SRS(t)"
    [pattern] = [p for p in s.patterns if p.key == "rater_alliance"]
    assert "the parent's SRS 36.5 on 2026-01-08" in pattern.detail
    assert pattern.questions == (
        "Ask the parent what did not fit for them, and what would help next time.",
    )


# -- item-level patterns ---------------------------------------------------------------------
def test_same_item_lowest_in_two_of_the_last_three(instruments):
    ratings = [
        rate("SRS", "2026-01-01", 9.5, 9.8, 9.0, 9.8),
        rate("SRS", "2026-01-08", 9.8, 9.8, 9.8, 9.5),
        rate("SRS", "2026-01-15", 9.6, 9.8, 9.1, 9.8),
    ]
    s = summarize(ADULT, ratings, instruments)
    [pattern] = [p for p in s.patterns if p.key == "same_item_lowest"]
    assert "Approach or method" in pattern.detail and "2 of the last 3" in pattern.detail
    assert "approach" in pattern.questions[0].lower()
    # Once in three is not a pattern; all items equal has no lowest item.
    ratings[2] = rate("SRS", "2026-01-15", 9.0, 9.8, 9.8, 9.8)
    assert "same_item_lowest" not in keys(summarize(ADULT, ratings, instruments))
    equal = [rate("SRS", f"2026-01-0{d}", 9.5, 9.5, 9.5, 9.5) for d in (1, 2, 3)]
    assert "same_item_lowest" not in keys(summarize(ADULT, equal, instruments))


def test_relationship_lowest_again_suggests_what_to_try(instruments):
    ratings = [rate("SRS", f"2026-01-0{d}", 8.0, 9.5, 9.5, 9.5) for d in (1, 2)]
    [pattern] = [
        p for p in summarize(ADULT, ratings, instruments).patterns if p.key == "same_item_lowest"
    ]
    assert "relationship keeps coming out lowest" in pattern.questions[0]


def test_item_dropped_at_exactly_two_points(instruments):
    pair = [
        rate("SRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5),
        rate("SRS", "2026-01-08", 9.5, 9.5, 7.5, 9.5),
    ]
    [pattern] = [p for p in summarize(ADULT, pair, instruments).patterns if p.key == "item_dropped"]
    assert "SRS Approach or method 7.5, was 9.5" in pattern.detail
    assert pattern.questions == ("This one is lower than last time: what changed?",)
    pair[1] = rate("SRS", "2026-01-08", 9.5, 9.5, 7.6, 9.5)
    assert "item_dropped" not in keys(summarize(ADULT, pair, instruments))
    ors = [rate("ORS", "2026-01-01", 6, 6, 6, 6), rate("ORS", "2026-01-08", 6, 6, 4, 6)]
    assert "item_dropped" in keys(summarize(ADULT, ors, instruments))


def test_all_tens_three_times_asks_what_would_make_it_a_nine(instruments):
    tens = [rate("SRS", f"2026-01-0{d}", 10, 10, 10, 10) for d in (1, 2, 3)]
    [pattern] = [
        p for p in summarize(ADULT, tens, instruments).patterns if p.key == "always_at_ceiling"
    ]
    assert "a 9 rather than a 10" in pattern.questions[0]
    assert "always_at_ceiling" not in keys(summarize(ADULT, tens[:2], instruments))


def test_high_and_steady(instruments):
    ratings = [
        rate("ORS", "2026-01-01", 5, 5, 5, 5),
        rate("SRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5),
        rate("ORS", "2026-01-08", 5.5, 5.5, 5.5, 5.5),
        rate("SRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5),  # 38.0
    ]
    s = summarize(ADULT, ratings, instruments)
    [pattern] = [p for p in s.patterns if p.key == "high_and_steady"]
    assert pattern.questions == ("What made today helpful, so we can keep doing it?",)
    ratings[3] = rate("SRS", "2026-01-08", 9.5, 9.5, 9.5, 9.4)  # 37.9
    assert "high_and_steady" not in keys(summarize(ADULT, ratings, instruments))
    ratings[3] = rate("SRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5)
    ratings[2] = rate("ORS", "2026-01-08", 5, 5, 5, 5)  # not improving
    assert "high_and_steady" not in keys(summarize(ADULT, ratings, instruments))


def test_no_srs_this_session(instruments, cli):
    ratings = [
        rate("ORS", "2026-01-01", 5, 5, 5, 5),
        rate("SRS", "2026-01-01", 9.5, 9.5, 9.5, 9.5),
        rate("ORS", "2026-01-08", 5, 5, 5, 5),
    ]
    s = summarize(ADULT, ratings, instruments)
    assert s.missing_srs == ("2026-01-08",) and "no_srs" in keys(s)
    assert "No SRS this session" in make_snippet(ADULT, s, ratings, instruments)
    assert report_row(ADULT, s)["missing_srs"] == 1
    group = [*ratings, rate("GSRS", "2026-01-08", 9.5, 9.5, 9.5, 9.5)]  # a group's counts
    assert "no_srs" not in keys(summarize(ADULT, group, instruments))


# -- the note and the history ----------------------------------------------------------------
def test_snippet_says_phq9_gad7_and_risk_even_when_the_template_leaves_risk_out(instruments):
    ratings = [
        rate("PHQ-9", "2026-01-01", 1, 1, 1, 1, 1, 1, 1, 1, 0),
        rate("PHQ-9", "2026-01-08", 2, 2, 2, 2, 1, 1, 1, 1, 2),
    ]
    s = summarize(ADULT, ratings, instruments)
    default = make_snippet(ADULT, s, ratings, instruments)
    assert default.startswith(
        "PHQ-9 item 9 (thoughts of death or self-harm) was answered “More than half the days” "
        "on 2026-01-08."
    )
    assert "PHQ-9 14/27 (moderate; +6 since the first)." in default
    mine = make_snippet(ADULT, s, ratings, instruments, "{phq9} {note}")
    assert mine.startswith("PHQ-9 item 9") and mine.endswith(
        "PHQ-9 14/27 (moderate; +6 since the first)."
    )


def test_history_prints_the_alert_first_and_json_has_flags_patterns_alerts(cli):
    cli("add-client", "C1")
    cli("record", "C1", "PHQ-9", *"111111111", "--date", "2026-01-01")
    cli("record", "C1", "SRS", "9", "9", "8", "9", "--date", "2026-01-01")
    out = cli("history", "C1").out
    assert out.startswith("⚠ PHQ-9 item 9")
    assert out.index("▼SRS") < out.index("DATE")  # flags, then patterns, then the table
    data = cli("history", "C1", "--json").json()
    assert data["flags"] == ["phq9_item9", "srs_below_cutoff", "srs_item_low"]
    assert data["alerts"][0]["answer"] == "Several days"
    assert {p["key"] for p in data["patterns"]} == {"low_item"}


def test_split_alliances_keep_one_rating_per_person(instruments):
    ratings = [
        rate("SRS", "2026-01-01", 5, 5, 5, 5),
        rate("SRS", "2026-01-01", 9, 9, 9, 9),  # the client's later rating that day counts
        rate("SRS", "2026-01-01", 9, 9, 9, 9, rater="partner"),
    ]
    assert split_alliances(ratings, instruments) == []


async def test_the_client_form_links_and_unlinks(tmp_path):
    from datetime import date

    from textual.widgets import Input

    from fittui.storage.demo import make_demo_database
    from fittui.storage.settings import Settings
    from fittui.storage.store import Store
    from fittui.ui.app import make_app
    from fittui.ui.screens.client_form import ClientFormScreen

    demo = make_demo_database(tmp_path / "demo", date(2026, 11, 23))
    app = make_app(demo, settings=Settings(), today=date(2026, 11, 23))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, ClientFormScreen)
        app.screen.query_one("#code", Input).value = "N1"
        app.screen.query_one("#linked", Input).value = "NOPE"
        await pilot.press("enter")
        await pilot.pause()
        assert "unknown client 'NOPE'" in str(app.screen.query_one("#error").render())
        assert "N1" not in {c.code for c in Store(demo).clients()}  # nothing saved
        app.screen.query_one("#linked", Input).value = "D01"
        await pilot.press("enter")
        await pilot.pause()
        assert Store(demo).client("N1").linked == ("D01",)
        assert Store(demo).client("D01").linked == ("N1",)
        await pilot.press("e")
        app.screen.query_one("#linked", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert Store(demo).client("D01").linked == ()


async def test_the_palette_names_a_childs_own_scales(tmp_path):
    from datetime import date

    from fittui.storage.demo import make_demo_database
    from fittui.storage.settings import Settings
    from fittui.ui.app import make_app
    from fittui.ui.palette import ClientCommands

    demo = make_demo_database(tmp_path / "demo", date(2026, 11, 23))
    app = make_app(demo, settings=Settings(), today=date(2026, 11, 23))
    async with app.run_test(size=(80, 24)):
        provider = ClientCommands(app.screen)
        hits = [str(hit.text) async for hit in provider.search("start d07")]
        assert any(h.startswith("Start CORS for D07") for h in hits)
        assert any(h.startswith("Start CSRS for D07") for h in hits)
        assert not any(h.startswith("Start ORS for D07") for h in hits)


# -- child measures --------------------------------------------------------------------------
def test_a_child_rated_on_the_adult_ors_keeps_the_child_cutoff_with_a_warning(instruments):
    child = Client("K1", "child")
    ratings = [rate("ORS", "2026-01-01", 7, 7, 7, 7, client="K1")]  # 28.0
    s = summarize(child, ratings, instruments)
    assert s.cutoff == 320 and "ors_below_cutoff" in s.flags  # the CORS's child cut-off
    [warning] = s.warnings
    assert "rated on the ORS" in warning and "CORS" in warning and "32.0" in warning
    # The age group's own scale: no warning. An adolescent on the ORS: its own cut-off.
    assert summarize(child, [rate("CORS", "2026-01-01", 7, 7, 7, 7)], instruments).warnings == ()
    teen = summarize(Client("T1", "adolescent"), ratings, instruments)
    assert teen.cutoff == 280 and teen.warnings == ()
    # A young child on the ORS: the face scale has no cut-off, and the 0-10 scale cannot
    # lend one to a 0-40 score; the warning says none applies.
    young = summarize(Client("Y1", "young_child"), ratings, instruments)
    assert young.cutoff is None and "no cut-off applies" in young.warnings[0]


def test_a_cors_result_says_cors(instruments):
    child = Client("K1", "child")
    ratings = [rate("CORS", "2026-01-01", 7, 5, 7, 7, client="K1")]
    s = summarize(child, ratings, instruments)
    [low] = [p for p in s.patterns if p.key == "low_item"]
    assert low.title == "Lowest CORS item" and "latest CORS" in low.detail
    assert make_snippet(child, s, ratings, instruments).startswith("CORS 26.0/40")


async def test_the_caseload_counts_sessions_without_an_srs(tmp_path):
    from datetime import date

    from fittui.storage.demo import make_demo_database
    from fittui.storage.settings import Settings
    from fittui.ui.app import make_app
    from fittui.ui.screens.caseload import CaseloadScreen

    demo = make_demo_database(tmp_path / "demo", date(2026, 11, 23))
    app = make_app(demo, settings=Settings(), today=date(2026, 11, 23))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)
        # D10's first visit: an ORS and no SRS yet.
        assert "clients · 1 no SRS ·" in str(app.screen.query_one("#count").render())


# -- the report ------------------------------------------------------------------------------
def test_report_fits_80_columns_for_the_demo_and_wide_names_items_by_label(cli, tmp_path):
    folder = tmp_path / "demo"
    assert cli("demo", "--path", folder, "--no-open", db_path=None).code == 0
    db = folder / "fittui.json"
    out = cli("report", db_path=db).out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith("CLIENT"))
    assert header.split() == [
        "CLIENT",
        "STATUS",
        "SCALE",
        "LATEST",
        "CHANGE",
        "SRS",
        "PATH",
        "FLAGS",
    ]
    d07 = next(line for line in lines if line.startswith("D07"))
    assert " CORS " in d07 and " 33.5 " in d07  # a child's scale by its name, a score
    d08 = next(line for line in lines if line.startswith("D08"))
    assert " YCORS " in d08
    assert "LATEST: the latest total on SCALE" in out and "(pt) the partner's" in out
    wide = cli("report", "--wide", db_path=db).out
    assert "ORS RATINGS" in wide and "LOWEST SRS ITEM" in wide
    assert "Approach or method" in wide and "How important" in wide
    assert "goals_topics" not in wide and "how_important" not in wide and " face" not in wide


def test_an_ors_of_today_is_not_yet_a_session_without_an_srs(instruments):
    """The SRS comes at the end of the session: right after the ORS, nothing is missing."""
    from datetime import date

    from fittui.domain.model import Administration, Client
    from fittui.domain.scoring import summarize

    ors = instruments["ORS"]
    items = {item.key: 50 for item in ors.items}
    ratings = [Administration("a1", "C1", "ORS", "2026-11-20", items)]
    client = Client("C1")
    later = summarize(client, ratings, instruments, today=date(2026, 11, 21))
    assert later.missing_srs == ("2026-11-20",) and "no_srs" in [p.key for p in later.patterns]
    same_day = summarize(client, ratings, instruments, today=date(2026, 11, 20))
    assert same_day.missing_srs == () and "no_srs" not in [p.key for p in same_day.patterns]


def test_the_caseload_flag_filter_finds_a_raters_flag(instruments):
    """Filtering the caseload on "SRS below 36" also finds a partner's SRS below 36."""
    from fittui.domain.model import Administration, Client
    from fittui.domain.overview import Overview
    from fittui.domain.scoring import summarize
    from fittui.ui.screens.caseload import ANY, matches

    srs = instruments["SRS"]
    low = Administration("p1", "C1", "SRS", "2026-11-20", {i.key: 60 for i in srs.items}, "partner")
    summary = summarize(Client("C1"), [low], instruments)
    assert "srs_below_cutoff:partner" in summary.flags
    row = Overview(Client("C1"), summary, 1, None, None, 0)
    assert matches(row, ANY, "srs_below_cutoff")
    assert not matches(row, ANY, "srs_drop")


def test_a_partners_and_a_parents_flags_differ_in_every_place(db, cli):
    """A partner and a parent share a first letter: each has a mark of its own after a flag,
    in the symbols and in the report's key; a role of no usual mark is written out."""
    marks = {rater: describe_flag(f"srs_below_cutoff:{rater}")[0] for rater in RATERS}
    assert len(set(marks.values())) == len(RATERS)
    assert marks["sibling"] == "▼SRS(sibling)"
    cli("add-client", "C1", db_path=db)
    for rater in ("partner", "parent"):
        cli("record", "C1", "SRS", "6", "6", "6", "6", "--rater", rater, db_path=db)
    out = cli("report", db_path=db).out
    assert "▼SRS(pt)" in out and "▼SRS(pa)" in out
    key = " ".join(out.split())
    assert "A mark after a flag: (pa) the parent's, (pt) the partner's." in key


RATERS = ("partner", "parent", "teacher", "sibling")


def test_the_wide_report_never_splits_a_flag_name(db, cli):
    """``--wide`` is meant to run past 80 columns: its flags stay on the client's line, each
    name whole; the compact report wraps its symbols between flags, never inside one."""
    cli("add-client", "K1", "--age-group", "child", db_path=db)
    cli("record", "K1", "CORS", "7", "7", "7", "7", "--date", "2026-10-01", db_path=db)
    cli("record", "K1", "CSRS", "9", "9", "9", "9", "--date", "2026-10-01", db_path=db)
    for day, score in (("2026-10-01", "9"), ("2026-10-15", "7")):
        cli("record", "K1", "SRS", *[score] * 4, "--rater", "parent", "--date", day, db_path=db)
    flags = "ors_below_cutoff, srs_below_cutoff:parent, srs_drop:parent, srs_item_low:parent"
    wide = cli("report", "--wide", db_path=db).out.splitlines()
    [row] = [line for line in wide if line.startswith("K1")]
    assert row.endswith(flags) and wide[-1] == row  # nothing wrapped under it
    compact = cli("report", db_path=db).out.splitlines()
    table = compact[: compact.index("")]
    assert max(map(len, table)) <= 80
    symbols = " ".join(line.split("  ")[-1].strip() for line in table[1:])
    assert symbols == "▼ORS ▼SRS(pa) ↓SRS(pa) !item(pa)"
