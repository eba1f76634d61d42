"""The therapist's screens, driven with Pilot on the demo database: the client list, a
client's history, the caseload, the command palette, read-only use and small terminals."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from conftest import THERAPIST_PIN, history_filled, quick_pin, until
from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.palette import ClientCommands
from fittui.ui.screens.caseload import CaseloadScreen
from fittui.ui.screens.client_form import ClientFormScreen
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.history import HistoryScreen
from fittui.ui.screens.note import NoteArea, NoteScreen
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.too_small import TooSmallScreen

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


def app_for(path: Path, read_only: bool = False, settings: Settings | None = None):
    settings = settings or Settings(pin=quick_pin())
    return make_app(path, read_only=read_only, settings=settings, today=TODAY)


def codes(screen) -> list[str]:
    table = screen.query_one(DataTable)
    return [table.coordinate_to_cell_key((row, 0))[0].value for row in range(table.row_count)]


async def test_client_list_puts_who_needs_attention_first_and_hides_archived(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        listed = codes(app.screen)
        # Off track first, then four flags at once, then the couple's split alliance, then
        # the alliance dip, then flat progress (behind, not yet off track after five
        # sessions), then the rest.
        assert listed[:5] == ["D04", "D06", "D09", "D02", "D03"]
        assert listed[5:] == ["D05", "D10", "D01", "D07", "D08"]
        await pilot.press("h")
        assert "D11" in codes(app.screen)
        await pilot.press("h")
        assert "D11" not in codes(app.screen)


async def test_search_as_you_type_then_enter_opens_the_history(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "c", "o", "u", "p")  # part of a label, any case
        assert codes(app.screen) == ["D09"]
        await pilot.press("escape")
        assert len(codes(app.screen)) == 10 and isinstance(app.focused, DataTable)
        await pilot.press("slash", "d", "0", "4", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and app.screen.code == "D04"
        await pilot.press("escape")
        await pilot.press("slash", "z", "z")
        assert codes(app.screen) == []
        assert "No client matches" in str(app.screen.query_one("#empty").render())


async def test_add_edit_and_archive_a_client_from_the_keyboard(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, ClientFormScreen)
        await pilot.press(*"D01", "enter")  # a code that exists: said, nothing saved
        await pilot.pause()
        assert "already exists" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#code", Input).value = "N1"
        app.screen.query_one("#age-group", Select).value = "child"
        app.screen.query_one("#label", Input).value = "[b]x[/b]"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        n1 = Store(demo).client("N1")
        assert (n1.age_group, n1.label) == ("child", "[b]x[/b]")
        assert app.screen.selected_code() == "N1"
        table = app.screen.query_one(DataTable)
        assert table.get_row("N1")[-1].plain.startswith("[b]")  # a label is text, never markup

        await pilot.press("e")
        assert app.screen.query_one("#code", Input).disabled  # ratings are filed under it
        app.screen.query_one("#label", Input).value = "Fri 9am"
        await pilot.press("enter")
        await pilot.pause()
        assert Store(demo).client("N1").label == "Fri 9am"

        await pilot.press("x")
        assert Store(demo).client("N1").archived and "N1" not in codes(app.screen)
        await pilot.press("h")
        app.screen.query_one(DataTable).move_cursor(row=codes(app.screen).index("N1"))
        await pilot.press("x")
        assert not Store(demo).client("N1").archived


async def test_read_only_refuses_every_change(demo):
    before = demo.with_name("fittui.json.journal").read_bytes()
    app = app_for(demo, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("a", "e", "x", "o", "s", "m"):
            await pilot.press(key)
            assert isinstance(app.screen, ClientsScreen), key
        await pilot.press("enter")
        await pilot.press("n")
        assert not isinstance(app.screen, NoteScreen)
    assert demo.with_name("fittui.json.journal").read_bytes() == before


async def test_history_shows_chart_patterns_snippet_and_every_rating(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D06")
        await history_filled(pilot)
        screen = app.screen
        legend = str(screen.query_one("#legend").render())
        assert "cut-off 25" in legend and "intake ±5" in legend and "SRS 36" in legend
        look = str(screen.query_one("#look").render())
        assert "Sudden alliance drop" in look and "→" in look
        assert screen.snippet.startswith("ORS 22.6/40 (below the cut-off of 25.0; +1.6")
        assert "Felt too structured" in screen.snippet
        assert screen.query_one("#sessions", DataTable).row_count == 4

        await pilot.press("i")
        assert "Individually" in str(screen.query_one("#legend").render())
        await pilot.press("i")
        assert "item 9" in str(screen.query_one("#legend").render())
        await pilot.press("i")
        assert "cut-off" in str(screen.query_one("#legend").render())

        await pilot.press("y")
        assert app.clipboard == screen.snippet


async def test_history_writes_a_note_on_the_chosen_rating(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D03")
        await history_filled(pilot)
        table = app.screen.query_one("#sessions", DataTable)
        table.move_cursor(row=1)  # newest first: the latest ORS
        await pilot.press("n")
        assert isinstance(app.screen, NoteScreen)
        app.screen.query_one(NoteArea).text = "Wants to talk about work next time"
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, HistoryScreen)
                and "Wants to talk about work" in app.screen.snippet
            ),
        )
        assert isinstance(app.screen, HistoryScreen)
        latest_ors = [a for a in Store(demo).administrations("D03") if a.instrument == "ORS"][-1]
        assert latest_ors.note == "Wants to talk about work next time"
        assert "Wants to talk about work" in app.screen.snippet  # the latest session's notes


async def test_rating_from_the_history_comes_back_to_it(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D07")
        await history_filled(pilot)
        await pilot.press("o")  # a child: the CORS
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == "CORS"
        await pilot.press("5", "down", "5", "down", "5", "down", "5", "enter")
        await pilot.press("f2", *THERAPIST_PIN, "enter", "escape")
        await history_filled(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one("#sessions", DataTable).row_count == 9


async def test_caseload_filters_by_status_and_flag(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        assert len(codes(screen)) == 10
        row = screen.query_one(DataTable).get_row("D04")
        # At 80 columns every flag is in view, wrapped two to a line, beside the status.
        assert [str(c) for c in row] == [
            "D04", "deteriorated", "⚠item9 ✗ETR\n▼ORS",
            "24.0", "17.5", "-6.5", "off track", "37.9", "3", "1",
        ]  # fmt: skip
        screen.query_one("#status", Select).value = "recovered"
        await pilot.pause()
        assert codes(screen) == ["D01", "D07"]
        screen.query_one("#status", Select).clear()
        screen.query_one("#flag", Select).value = "srs_drop"
        await pilot.pause()
        assert codes(screen) == ["D06", "D02"]
        screen.query_one("#flag", Select).value = "off_track"
        await pilot.pause()
        assert codes(screen) == ["D04"]
        screen.query_one("#flag", Select).value = "any_flag"
        await pilot.pause()
        assert "D01" not in codes(screen) and "D06" in codes(screen)
        await pilot.press("r")
        assert len(codes(screen)) == 10
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and app.screen.code == "D04"


async def test_command_palette_finds_clients_and_actions(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        provider = ClientCommands(app.screen)
        hits = [hit async for hit in provider.search("history d05")]
        assert hits and "D05" in str(hits[0].text)
        hits = [hit.text async for hit in provider.search("start srs d02")]
        assert "Start SRS for D02 Fictional: improving, alliance dip" in hits
        assert not [h async for h in provider.search("D11")]  # archived
        discovered = [hit.text async for hit in provider.discover()]
        assert discovered[0] == "Open the caseload"
        await pilot.press("ctrl+p")
        await pilot.press(*"caseload", "enter")
        await until(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        assert isinstance(app.screen, CaseloadScreen)


async def test_read_only_shows_another_process_save_within_two_seconds(demo):
    app = app_for(demo, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D10")
        await history_filled(pilot)
        assert app.screen.query_one("#sessions", DataTable).row_count == 1
        other = Store(demo)  # as `fittui record` in another shell would
        ors = load_instruments()["ORS"]
        other.record("D10", ors, {i.key: 60 for i in ors.items}, "2026-11-23T10:00")
        for _ in range(20):
            await asyncio.sleep(0.1)
            if app.screen.query_one("#sessions", DataTable).row_count == 2:
                break
        assert app.screen.query_one("#sessions", DataTable).row_count == 2
        await pilot.press("escape")
        await pilot.pause()
        assert str(app.screen.query_one(DataTable).get_row("D10")[2]) == "24.0"


async def test_a_terminal_too_small_gets_a_message_until_it_grows(demo):
    app = app_for(demo)
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "50×15" in str(app.screen.query_one("#too-small").render())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)


async def test_a_screen_pushed_over_the_too_small_notice_gets_the_notice_over_it(demo):
    """A dialog a save or a worker opens while the terminal is too small was drawn broken
    over the notice; the notice now comes over it, and each goes when it should."""
    from fittui.ui.screens.keys import KeysScreen

    app = app_for(demo)
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        app.push_screen(KeysScreen(app.screen_stack[-2]))
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert isinstance(app.screen_stack[-2], KeysScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)


async def test_history_draws_the_expected_path_as_decision_support(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D04")
        await history_filled(pilot)
        legend = str(app.screen.query_one("#legend").render())
        assert "expected" in legend and "lower edge" in legend
        note = str(app.screen.query_one("#etr-note").render())
        assert note.startswith("Off track against the expected path.")
        assert "not a validated prediction" in note
        assert "Not on track" in str(app.screen.query_one("#look").render())
        await pilot.press("i")  # the items have no expected path
        assert not app.screen.query_one("#etr-note").display


async def test_outcome_summary_opens_from_the_client_list(demo):
    from fittui.ui.screens.outcomes import OutcomesScreen

    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        assert isinstance(app.screen, OutcomesScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_history_leads_with_the_risk_alert_and_charts_symptom_measures(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("D04")
        await history_filled(pilot)
        screen = app.screen
        alert = screen.query_one("#alert")
        assert alert.display and "PHQ-9 item 9" in str(alert.render())
        assert screen.views() == ["totals", "ors", "srs", "PHQ-9", "GAD-7"]
        await pilot.press("i", "i", "i")
        assert screen.view == "PHQ-9"
        assert "PHQ-9" in str(screen.query_one("#legend").render())
        table = screen.query_one("#sessions", DataTable)
        phq9 = next(
            row
            for row in (table.get_row_at(n) for n in range(table.row_count))
            if str(row[1]) == "PHQ-9"
        )
        assert "." not in str(phq9[3]) and "." not in str(phq9[4])  # whole numbers
        app.open_history("D06")
        await history_filled(pilot)
        assert not app.screen.query_one("#alert").display


async def test_a_client_who_rates_only_a_symptom_measure_opens_on_its_chart(tmp_path):
    """A PHQ-9-only client's history opened on an empty ORS and SRS chart; it opens on the
    PHQ-9 now. A client with an ORS still opens on the totals, and a view chosen with i
    stays when the history is drawn again (a save)."""
    instruments = load_instruments()
    db = tmp_path / "fittui.json"
    store = Store(db)
    phq9, ors = instruments["PHQ-9"], instruments["ORS"]
    for code, instrument, scores in (("P1", phq9, ["2"] * 9), ("O1", ors, ["6"] * 4)):
        store.add_client(code)
        store.record(code, instrument, instrument.parse_scores(scores), "2026-11-16")
    store.record("O1", phq9, phq9.parse_scores(["1"] * 9), "2026-11-16")
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_history("P1")
        screen = await history_filled(pilot)
        assert screen.view == "PHQ-9" and "PHQ-9" in str(screen.query_one("#legend").render())
        await pilot.press("i")  # round to the totals, empty: chosen, so kept
        store.record("P1", phq9, phq9.parse_scores(["1"] * 9), "2026-11-23")
        await until(pilot, lambda: len(screen.record) == 2)
        assert screen.view == "totals"
        await pilot.press("escape")
        app.open_history("O1")
        screen = await history_filled(pilot)
        assert screen.view == "totals"


async def test_a_new_episode_leaves_the_risk_alert_raised(demo):
    """D04 answered PHQ-9 item 9 in its current episode; a new episode started today
    leaves that rating out of the figures, but the alert stays on the list and leads the
    history until a later PHQ-9 clears it."""
    today = date.today().isoformat()
    Store(demo).add_episode_events("D04", [("end", today, "other"), ("start", today, None)])
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        list_row = str(app.screen.query_one("#clients", DataTable).get_row("D04"))
        assert "item9" in list_row
        app.open_history("D04")
        await history_filled(pilot)
        assert app.screen.episodes[-1].start == today
        alert = app.screen.query_one("#alert")
        assert alert.display and "PHQ-9 item 9" in str(alert.render())


async def test_begin_session_runs_the_clients_own_instruments_in_order(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")  # D04, first: it has the risk answer
        assert app.screen.query_one("#instruments", Input).value == "PHQ-9, GAD-7, ORS"
        app.screen.query_one("#instruments", Input).value = "gad-7, ors"
        await pilot.press("enter")
        await pilot.pause()
        assert Store(demo).client("D04").instruments == ("GAD-7", "ORS")
        await pilot.press("e")
        app.screen.query_one("#instruments", Input).value = "ORS, XYZ"
        await pilot.press("enter")
        assert "unknown instrument" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        await pilot.press("b")
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == "GAD-7"
        assert app.client_mode


async def test_a_longer_label_saved_elsewhere_is_shown_whole_on_a_wide_list(demo):
    """The label column took the width of the labels the list was first filled with: a
    longer one saved afterwards (``fittui edit-client``, another copy of fittui) was cut to
    that width on a 120-column terminal with room to spare, until fittui was restarted."""
    app = app_for(demo)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        label = "Fictional: new client, rated twice now"  # longer than any shown, fits
        other = Store(demo)
        other.update_client("D10", label=label)
        other.close()
        app.look_for_saves()
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.get_row("D10")[-1].plain == label)
        await pilot.pause()
        lines = table.render_lines(table.region.reset_offset)
        assert any(label in line.text for line in lines if "D10" in line.text)
