"""Keys a therapist can find, and the small things that go wrong in a session: the help
screen (? and F1), the footers at 80 and 60 columns, where Escape says it goes, the m
dialog, the result screen's top and its note boxes, the status words, the list's cursor
through a re-sort, and the caseload's flags."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer, Input, Select

from conftest import THERAPIST_PIN, quick_pin
from fittui.domain.flags import describe_flag
from fittui.domain.instruments import load_instruments
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.caseload import CaseloadScreen
from fittui.ui.screens.clients import ClientsScreen
from fittui.ui.screens.history import HistoryScreen
from fittui.ui.screens.keys import KeysScreen, help_sections
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.start import StartRatingScreen
from fittui.ui.widgets.note_area import NoteArea
from fittui.ui.widgets.row_table import FIRST_ROWS, REST_AFTER

TODAY = date(2026, 11, 23)
SIZES = [(80, 24), (60, 20)]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


def app_for(path: Path, **kw):
    return make_app(path, settings=Settings(pin=quick_pin()), today=TODAY, **kw)


def codes(screen) -> list[str]:
    table = screen.query_one(DataTable)
    return [table.coordinate_to_cell_key((row, 0))[0].value for row in range(table.row_count)]


def footer_keys(screen) -> list[tuple[str, str]]:
    """(key shown, words) of each key in the screen's footer, in order."""
    return [(w.key_display, w.description) for w in screen.query_one(Footer).query("FooterKey")]


def sections(screen) -> dict[str, dict[str, str]]:
    return {title: dict(rows) for title, rows in help_sections(screen)}


# -- the help screen ---------------------------------------------------------------------


async def test_question_mark_opens_the_keys_of_the_screen_grouped_and_escape_closes(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysScreen)
        assert app.screen.place == "the client list"
        found = {title: dict(rows) for title, rows in app.screen.sections}
        assert list(found) == [
            "Choosing a client",
            "Rating, in client mode",
            "Over video or on paper",
            "Clients",
            "Looking wider",
            "Anywhere",
        ]
        assert found["Rating, in client mode"]["b"].startswith("begin the session")
        assert found["Rating, in client mode"]["m"].startswith("another instrument")
        assert found["Looking wider"]["q or Ctrl+Q"] == "quit fittui"
        assert "Ctrl+P" in found["Anywhere"] and "? or F1" in found["Anywhere"]
        # Every key the screen binds is in the help, none twice.
        listed = [keys for rows in found.values() for keys in rows]
        for key in ("Enter", "/", "o", "s", "a", "e", "x", "h", "n", "c", "r"):
            assert key in listed, key
        assert len(listed) == len(set(listed))
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, KeysScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, ClientsScreen)
        # From the search field ? is typed, F1 opens the same keys, and the search stays.
        await pilot.press("slash", "question_mark")
        search = app.screen.query_one("#search", Input)
        assert search.value == "?" and app.focused is search
        await pilot.press("f1")
        assert isinstance(app.screen, KeysScreen)
        assert "b" in dict(app.screen.sections[1][1])
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is search
        await pilot.press("1")
        assert search.value == "?1"  # typing goes on where it was


async def test_every_therapist_screen_has_its_keys(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        caseload = sections(app.screen)
        assert caseload["Filters"]["t"] == "filter by status"
        assert caseload["Reading the caseload"]["Escape"] == "back to the list"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        history = sections(app.screen)
        assert history["Reading"]["Escape"] == "back to the caseload"
        assert history["Notes"]["y"].startswith("copy the snippet")
        assert history["Correcting the record"]["v"].startswith("mark the rating")
        assert history["Episodes of care"]["+"].startswith("start a new episode")
        assert "More keys" not in history
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysScreen) and app.screen.place == "the history"
        await pilot.press("escape", "escape", "escape", "r")
        assert sections(app.screen)["The period"]["y"] == "this year, from 1 January"
        await pilot.press("escape", "m")
        assert isinstance(app.screen, StartRatingScreen)
        await pilot.press("question_mark")  # the dialog binds it itself
        assert isinstance(app.screen, KeysScreen) and app.screen.place == "the rating dialog"
        await pilot.press("escape")
        assert isinstance(app.screen, StartRatingScreen)


async def test_no_help_while_the_client_holds_the_laptop(demo):
    app = app_for(demo, rate=("D01", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark", "f1")
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen) and app.client_mode
        assert not any(isinstance(s, KeysScreen) for s in app.screen_stack)


# -- footers -----------------------------------------------------------------------------


def ends_inside(screen, width: int) -> bool:
    return all(w.region.right <= width for w in screen.query_one(Footer).query("FooterKey"))


@pytest.mark.parametrize("size", SIZES)
async def test_footers_show_whole_words_and_escape_says_where_it_goes(demo, size):
    width = size[0]
    app = app_for(demo)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = footer_keys(app.screen)
        assert ("⏎", "History") in shown and ("b", "Begin") in shown and ("?", "Keys") in shown
        assert ("o", "ORS") in shown and ("m", "Other") in shown
        assert (("c", "Caseload") in shown) == (width >= 80)
        assert ends_inside(app.screen, width)
        await pilot.press("c")
        await pilot.pause()
        assert footer_keys(app.screen)[0] == ("esc", "Back to list")
        assert ends_inside(app.screen, width)
        await pilot.press("enter")
        await pilot.pause()
        assert footer_keys(app.screen)[0] == ("esc", "Back to caseload")
        assert ends_inside(app.screen, width)
        await pilot.press("escape", "escape", "enter")
        await pilot.pause()
        assert footer_keys(app.screen)[0] == ("esc", "Back to list")
        assert (("y", "Copy snippet") in footer_keys(app.screen)) == (width >= 80)
        assert ends_inside(app.screen, width)


async def test_the_footer_changes_with_the_width(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert ("c", "Caseload") in footer_keys(app.screen)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        assert ("c", "Caseload") not in footer_keys(app.screen)
        assert ends_inside(app.screen, 60)


# -- the m dialog ------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_m_dialog_names_the_client_starts_on_the_list_and_keeps_it_inside(demo, size):
    app = app_for(demo)
    async with app.run_test(size=size) as pilot:
        await pilot.press("m")
        dialog = app.screen
        assert isinstance(dialog, StartRatingScreen)
        assert "D04" in str(dialog.query_one("#start-title").render())
        assert app.focused is dialog.query_one("#instrument", Select)
        label = dialog.query_one("#raters-help")
        assert label.region.right <= dialog.query_one("#start").region.right
        await pilot.press("enter")  # opens the list
        await pilot.pause()
        overlay = dialog.query_one("SelectOverlay")
        box = dialog.query_one("#start").region
        assert overlay.region.height > 3
        assert box.y < overlay.region.y and overlay.region.bottom < box.bottom


async def test_m_dialog_remembers_the_last_choice_for_the_session(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        assert app.screen.query_one("#instrument", Select).value == "SRS"
        app.screen.query_one("#instrument", Select).value = "GAD-7"
        app.screen.query_one("#raters", Input).value = "client, partner"
        await pilot.press("tab", "enter")
        assert isinstance(app.screen, RatingScreen) and app.screen.instrument.key == "GAD-7"
        await pilot.press("f2", *THERAPIST_PIN, "enter")  # leave client mode, nothing saved
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("down", "m")
        assert app.screen.query_one("#instrument", Select).value == "GAD-7"
        assert app.screen.query_one("#raters", Input).value == "client, partner"
        await pilot.press("escape")
        assert app.last_start_choice == ("GAD-7", ["client", "partner"], "in_person")


# -- the result screen -------------------------------------------------------------------


def record(store: Store, code: str, key: str, value: int, rater: str = "client"):
    instrument = load_instruments()[key]
    items = {item.key: value for item in instrument.items}
    return store.record(code, instrument, items, "2026-11-23T10:00", rater=rater)


FLOWS = {
    "ORS": [("ORS", 50, "client")],
    "SRS": [("SRS", 80, "client")],
    "session": [("PHQ-9", 10, "client"), ("GAD-7", 20, "client"), ("ORS", 40, "client")],
    "couple": [("SRS", 95, "client"), ("SRS", 60, "partner")],
}


@pytest.mark.parametrize("flow", FLOWS)
async def test_result_opens_at_its_top_whatever_the_flow(demo, flow):
    store = Store(demo)
    saved = [record(store, "D04", key, value, rater) for key, value, rater in FLOWS[flow]]
    app = app_for(demo)
    async with app.run_test(size=(60, 20)) as pilot:
        app.push_screen(ResultScreen("D04", saved))
        await pilot.pause()
        result = app.screen.query_one("#result")
        assert result.scroll_y == 0 and result.max_scroll_y > 0
        assert app.screen.query_one("#who").region.y > 0  # in view, under the alert
        assert app.screen.query_one("#alert").region.height > 0
        assert footer_keys(app.screen)[0] == ("esc", "Back to list")


async def test_result_after_a_whole_session_opens_at_its_top(demo):
    app = app_for(demo, session="D04")  # PHQ-9, GAD-7, ORS in turn
    async with app.run_test(size=(60, 20)) as pilot:
        for count in (9, 7):  # answers in a column at 60 wide: Enter moves on
            await pilot.press(*["1", "enter"] * (count - 1), "1", "enter")
        await pilot.press("5", "down", "5", "down", "5", "down", "5", "enter")
        await pilot.press("f2", *THERAPIST_PIN, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen) and len(app.screen.saved) == 3
        assert app.screen.query_one("#result").scroll_y == 0


async def test_note_boxes_say_whose_words_and_unsaved_words_are_not_left_silently(demo):
    store = Store(demo)
    saved = [record(store, "D09", "SRS", 95), record(store, "D09", "SRS", 60, "partner")]
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ResultScreen("D09", saved))
        await pilot.pause()
        boxes = list(app.screen.query(NoteArea))
        assert [b.border_title for b in boxes] == [
            "Note: the client's words",
            "Note: the partner's words",
        ]
        assert boxes[1].placeholder.startswith("The partner's words")
        await pilot.press("n")
        assert ("F1", "Keys") in footer_keys(app.screen)  # ? now types: F1 still works
        await pilot.press(*"too fast", "enter")
        await pilot.pause()
        assert app.focused is boxes[1]  # on to the partner's box
        await pilot.press(*"not heard")
        await pilot.press("escape")
        assert isinstance(app.screen, ResultScreen)  # warned, words still there
        assert boxes[1].text == "not heard"
        await pilot.press("escape")
        assert isinstance(app.screen, ClientsScreen)
    ids = {a.id for a in saved}
    notes = {a.rater: a.note for a in Store(demo).administrations("D09") if a.id in ids}
    assert notes == {"client": "too fast", "partner": ""}


# -- status words ------------------------------------------------------------------------


async def test_too_few_ors_reads_as_how_far_not_as_a_verdict(demo):
    Store(demo).add_client("N1")
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert str(table.get_row("D10")[1]) == "1 ORS so far"
        assert str(table.get_row("D08")[1]) == "1 YCORS so far"
        assert str(table.get_row("N1")[1]) == "no ORS yet"
        await pilot.press("c")
        await pilot.pause()
        assert str(app.screen.query_one(DataTable).get_row("D10")[1]) == "1 ORS so far"
        app.open_history("D10")
        await pilot.pause()
        assert "1 ORS so far" in str(app.screen.query_one("#who").render())
        for screen in app.screen_stack:
            for widget in screen.query("*"):
                assert "insufficient" not in str(getattr(widget, "renderable", "") or "")


# -- the list keeps its client -----------------------------------------------------------


async def test_the_cursor_stays_on_its_client_when_another_process_reorders_the_list(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=codes(app.screen).index("D01"))
        assert app.screen.selected_code() == "D01"
        before = codes(app.screen)
        # Another process: D07 falls off track and moves up, ahead of D01.
        other = Store(demo)
        record(other, "D07", "ORS", 10)
        record(other, "D07", "ORS", 5)
        app.look_for_saves()
        await pilot.pause()
        after = codes(app.screen)
        assert after != before and after.index("D07") < after.index("D01")
        assert app.screen.selected_code() == "D01"
        # And D01 itself moves: the cursor goes with it.
        record(other, "D01", "ORS", 5)
        record(other, "D01", "ORS", 5)
        app.look_for_saves()
        await pilot.pause()
        assert codes(app.screen).index("D01") != after.index("D01")
        assert app.screen.selected_code() == "D01"
        await pilot.press("o")
        assert isinstance(app.screen, RatingScreen) and app.screen.client_code == "D01"


async def test_the_cursor_is_on_its_client_from_the_moment_a_long_list_refills(tmp_path):
    store = Store(tmp_path / "fittui.json")
    for n in range(FIRST_ROWS * 3):
        store.add_client(f"C{n:03}")
    app = app_for(tmp_path / "fittui.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(REST_AFTER * 4)
        screen = app.screen
        far = f"C{FIRST_ROWS + 30:03}"
        screen.query_one(DataTable).move_cursor(row=codes(screen).index(far))
        record(Store(tmp_path / "fittui.json"), "C000", "ORS", 10)
        app.store.storage.read()
        screen.reload()  # as a save seen by the app would; the rest of the rows come later
        assert screen.query_one(DataTable).row_count < FIRST_ROWS * 3
        assert screen.selected_code() == far


async def test_a_long_list_fits_the_screen_though_its_widest_cell_comes_after_the_paint(
    tmp_path,
):
    # The rows below the first screenful are built after the first paint, but the columns
    # are measured from every row: the label gives way to the longest code from the start.
    store = Store(tmp_path / "fittui.json")
    for n in range(FIRST_ROWS * 3):
        store.add_client(f"C{n:03}", label="a label long enough to need cutting short " * 2)
    store.add_client("Z-a-much-longer-code", label="last")
    app = app_for(tmp_path / "fittui.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(REST_AFTER * 4)
        table = app.screen.query_one(DataTable)
        assert table.row_count == FIRST_ROWS * 3 + 1
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling


async def test_a_client_that_leaves_the_list_leaves_the_cursor_in_place(demo):
    app = app_for(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        listed = codes(app.screen)
        app.screen.query_one(DataTable).move_cursor(row=5)
        Store(demo).update_client(listed[5], archived=True)
        app.look_for_saves()
        await pilot.pause()
        assert app.screen.selected_code() == listed[6]


# -- the caseload ------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_caseload_shows_every_flag_and_keeps_the_code_in_view(demo, size):
    app = app_for(demo)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        table = screen.query_one(DataTable)
        assert table.fixed_columns == 1
        for overview in screen.rows:
            cell = str(table.get_row(overview.client.code)[2])
            for flag in overview.summary.flags:
                assert describe_flag(flag)[0] in cell
        flags = list(table.columns.values())[2]
        left = sum(c.get_render_width(table) for c in list(table.columns.values())[:2])
        assert left + flags.get_render_width(table) <= size[0]
        await pilot.press(*["right"] * 40)
        assert table.scroll_x > 0
        assert codes(screen)[0] == "D04"  # the code column is still drawn first


def test_no_screen_lists_a_section_or_a_key_twice():
    """Each screen's keys, as the help screen shows them: every heading once and every
    key once (two branches once each added their own 'Episodes of care')."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.screen import Screen

    import fittui.ui.screens as package
    from fittui.ui.screens.keys import KeySection

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    screens = [cls for cls in _subclasses(Screen) if "KEYS" in vars(cls)]
    assert HistoryScreen in screens and CaseloadScreen in screens
    for screen in screens:
        sections = [s for s in screen.KEYS if isinstance(s, KeySection)]
        titles = [section.title for section in sections]
        assert len(titles) == len(set(titles)), screen
        entries = [
            e.action if isinstance(e, Binding) else e[0] for s in sections for e in s.entries
        ]
        assert len(entries) == len(set(entries)), (screen, entries)


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_a_row_of_the_keys_file_that_is_none_of_its_kinds_is_refused():
    """A misspelt field in keys.toml ("prority") is said, not dropped without a word."""
    from fittui.ui.screens.keys import key_entry

    row = {"key": "x", "action": "archive", "word": "X", "help": "x"}
    assert len(key_entry(row)) == 1
    with pytest.raises(ValueError, match="prority"):
        key_entry({**row, "prority": True})


def test_a_footer_that_names_a_key_no_section_has_is_refused():
    """A misspelt action in a screen's footer would otherwise leave its key out unseen."""
    from fittui.ui.screens.keys import key_sections, section_bindings

    sections = key_sections("outcomes")
    assert [b.key for b in section_bindings(sections, ("period",)) if b.show] == list("aylp")
    with pytest.raises(ValueError, match="perido"):
        section_bindings(sections, ("perido",))
