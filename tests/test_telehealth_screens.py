"""Ratings over video and from paper in the app: screen share, typed entry, home forms.

Each is reached with ``v`` on the client list; what is saved must carry its mode, and the
shared screen must never show a client's code or label.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Footer

from conftest import one_write, settle
from fittui.domain.instruments import load_instruments
from fittui.domain.language import ENGLISH, use_therapist_language
from fittui.domain.response_code import make_code
from fittui.formats.home_form import write_form
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.keys import KeysScreen, help_sections
from fittui.ui.screens.remote import WAYS, CodeEntryScreen, RemoteScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.score_entry import ScoreEntryScreen
from fittui.ui.screens.share import ShareScreen

TODAY = date(2026, 11, 23)
INSTRUMENTS = load_instruments()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "fittui.json"
    store = Store(path)
    store.add_client("T1", label="Zoom Tuesday")
    store.add_client("T2", label="Other person")
    return path


def app_for(db: Path):
    return make_app(db, settings=Settings(), today=TODAY)


def screen_text(app) -> str:
    """The text drawn on the terminal now: the screenshot's runs of text, tags dropped."""
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


async def choose(pilot, way: str) -> None:
    """On the client list with T1 selected: v, then the way's line of the dialog."""
    await pilot.press("v")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RemoteScreen)
    for _ in range(list(WAYS).index(way)):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_screen_share_saves_once_and_never_names_the_client(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "share")
        assert isinstance(app.screen, ShareScreen)
        shown = []
        for keys in (["right", "right"], ["7"], ["end"], ["home"]):
            await pilot.press(*keys)
            shown.append(screen_text(app))
            await pilot.press("enter")
        await pilot.pause()
        shown.append(screen_text(app))
        await pilot.press("ctrl+p")  # the palette lists clients: it must not open here
        await pilot.pause()
        assert isinstance(app.screen, ShareScreen)
        await pilot.press("enter", "enter", "enter")  # save, then on to the result, in a burst
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
        for text in shown:
            assert "T1" not in text and "Zoom Tuesday" not in text
        assert "I N" not in shown[0] and "▀█▀" in shown[0]  # the label in big letters
    [saved] = Store(db).administrations("T1")
    assert saved.mode == "screen_share" and saved.instrument == "ORS"
    assert saved.items == {"individually": 55, "interpersonally": 70, "socially": 100, "overall": 0}


async def test_screen_share_goes_back_and_leaves_only_on_a_second_escape(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "share")
        await pilot.press("3", "enter", "up")
        assert app.screen.current == 0
        await pilot.press("enter", "enter")  # the second line has no mark yet: stays
        assert app.screen.current == 1
        assert "Put a mark" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ShareScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ShareScreen)
    assert Store(db).administrations() == []


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_v_dialog_footer_shows_its_own_keys(db, size):
    app = app_for(db)
    async with app.run_test(size=size) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, RemoteScreen)
        footer = app.screen.query_one(Footer)
        shown = [(key.key_display, key.description) for key in footer.query("FooterKey")]
        assert shown == [("esc", "Back to list"), ("?", "Keys")]
        assert all(key.region.right <= size[0] for key in footer.query("FooterKey"))
        help_rows = dict(help_sections(app.screen)[0][1])
        assert help_rows["Escape"] == "back to the list" and "Enter" in help_rows
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, (KeysScreen, RemoteScreen))


@pytest.mark.parametrize("way", ["spoken", "paper", "code"])
async def test_typed_entry_and_the_code_show_their_own_keys_in_the_footer(db, way):
    app = app_for(db)
    async with app.run_test(size=(60, 20)) as pilot:
        await choose(pilot, way)
        assert isinstance(app.screen, (ScoreEntryScreen, CodeEntryScreen))
        footer = app.screen.query_one(Footer)
        shown = [(key.key_display, key.description) for key in footer.query("FooterKey")]
        assert shown == [("esc", "Cancel"), ("F1", "Keys")]  # ? types in a field: F1
        assert "Escape" in dict(help_sections(app.screen)[0][1])


async def test_the_help_over_a_shared_screen_lists_no_shut_command_palette(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = [keys for __, rows in help_sections(app.screen) for keys, __ in rows]
        assert "Ctrl+P" in keys  # on the client list the palette is open
        await choose(pilot, "share")
        keys = [keys for __, rows in help_sections(app.screen) for keys, __ in rows]
        assert "Ctrl+P" not in keys and "Escape" in keys and "Ctrl+Q" in keys
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        assert "Ctrl+P" not in screen_text(app) and "command palette" not in screen_text(app)


async def test_spoken_scores_are_checked_then_saved_with_their_mode(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "spoken")
        assert isinstance(app.screen, ScoreEntryScreen)
        await pilot.press("9", "tab", "9", ".", "5", "tab", "1", "1", "tab", "8", "enter")
        await pilot.pause()
        assert "Socially: score 11 is out of range" in screen_text(app)
        assert Store(db).administrations() == []
        app.screen.query_one("#score-socially").value = "7,5"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    [saved] = Store(db).administrations("T1")
    assert saved.mode == "spoken" and saved.items["socially"] == 75
    assert saved.date[:10] == date.today().isoformat()


@pytest.mark.parametrize("language", ["en", "de"])
async def test_the_typed_form_names_each_line_and_says_what_it_asks_in_the_therapists_words(
    db, language
):
    """Read aloud, each item is its short label and its description (README): the form
    showed the label alone, so there was nothing to read out but "Individually", and in
    English whatever the therapist's language, where the result shows "Persönlich"."""
    app = make_app(db, settings=Settings(language=language), today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await choose(pilot, "spoken")
            assert isinstance(app.screen, ScoreEntryScreen)
            text = " ".join(screen_text(app).split())
    finally:
        use_therapist_language(ENGLISH)
    if language == "en":
        assert "1. Individually" in text and "How you have been feeling in yourself" in text
    else:
        assert "1. Persönlich" in text and "Wie Sie sich selbst gefühlt haben" in text
        assert "Individually" not in text


@pytest.mark.parametrize("way", ["spoken", "paper"])
async def test_typed_scores_are_left_only_on_a_second_escape(db, way):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, way)
        await pilot.press("escape")  # nothing typed: one Escape leaves
        await pilot.pause()
        assert not isinstance(app.screen, ScoreEntryScreen)
        await choose(pilot, way)
        await pilot.press("9", "tab", "8", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ScoreEntryScreen)
        assert "Press Escape or Cancel again to leave without saving" in screen_text(app)
        assert app.screen.query_one("#score-individually").value == "9"
        await pilot.press("5", "escape")  # a score typed after the warning: asked again
        await pilot.pause()
        assert isinstance(app.screen, ScoreEntryScreen)
        assert app.screen.query_one("#score-interpersonally").value == "85"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ScoreEntryScreen)
        # The Cancel button asks as Escape does: a click by mistake loses no score.
        await choose(pilot, way)
        await pilot.press("7")
        app.screen.query_one("#cancel").press()
        await pilot.pause()
        assert isinstance(app.screen, ScoreEntryScreen)
        assert app.screen.query_one("#score-individually").value == "7"
        app.screen.query_one("#cancel").press()
        await pilot.pause()
        assert not isinstance(app.screen, ScoreEntryScreen)
    assert Store(db).administrations() == []


async def test_paper_takes_the_date_on_the_form_and_refuses_the_future(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "paper")
        screen = app.screen
        for item, score in zip(INSTRUMENTS["ORS"].items, ("5", "6", "7", "8")):
            screen.query_one(f"#score-{item.key}").value = score
        date_field = screen.query_one("#date")
        date_field.value = "2026-11-24"
        date_field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "after today" in screen_text(app)
        date_field.value = "2026-11-02"
        await pilot.press("enter")
        await pilot.pause()
    [saved] = Store(db).administrations("T1")
    assert (saved.mode, saved.date) == ("paper", "2026-11-02")


async def test_a_home_form_for_another_client_is_refused_by_name(db):
    store = Store(db)
    ors = INSTRUMENTS["ORS"]
    written = write_form(store, "T2", ors, TODAY, 14)
    code = make_code(ors, {i.key: 60 for i in ors.items}, written.form.form_id)
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "code")  # T1 is selected: the list is in code order
        assert isinstance(app.screen, CodeEntryScreen)
        app.screen.query_one("#code").value = code
        await pilot.press("enter")
        await pilot.pause()
        assert "written for client T2, not T1" in screen_text(app)
    assert Store(db).administrations() == []


async def test_a_home_form_code_is_shown_then_saved_on_a_second_enter(db, tmp_path, monkeypatch):
    monkeypatch.setattr("fittui.ui.screens.remote.forms_folder", lambda: tmp_path)
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "form")
        [page] = tmp_path.glob("fittui-form-ORS-*.html")
        form_id = page.stem.rsplit("-", 1)[1]
        ors = INSTRUMENTS["ORS"]
        code = make_code(ors, {i.key: 40 for i in ors.items}, form_id)
        await choose(pilot, "code")
        app.screen.query_one("#code").value = code
        await pilot.press("enter")
        await pilot.pause()
        assert "ORS for T1 (Zoom Tuesday)" in screen_text(app)
        assert Store(db).administrations() == []
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    [saved] = Store(db).administrations("T1")
    assert saved.mode == "remote_form" and saved.total == 160


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (60, 20)])
def test_snapshot_screen_share(snap_compare, db, size):
    async def run_before(pilot):
        await choose(pilot, "share")
        await pilot.press("right", "right", "right")

    assert snap_compare(app_for(db), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_snapshot_screen_share_questionnaire(snap_compare, db, size):
    async def run_before(pilot):
        await pilot.press("v")
        await pilot.pause()
        pilot.app.screen.query_one("#remote-instrument").value = "GAD-7"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right", "right")

    assert snap_compare(app_for(db), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_snapshot_paper_entry(snap_compare, db, size):
    async def run_before(pilot):
        await choose(pilot, "paper")
        await pilot.press("9", "tab", "8", ".", "5")

    assert snap_compare(app_for(db), run_before=run_before, terminal_size=size)


async def test_the_m_dialog_takes_a_couple_over_a_shared_screen(db):
    app = make_app(db, settings=Settings(mode="screen_share"), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#how").value == "screen_share"  # the setting's mode
        dialog.query_one("#raters").value = "client, partner"
        dialog.query_one("#raters").focus()
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(2):  # each person's SRS in turn, on the shared screen
            assert isinstance(app.screen, ShareScreen)
            for key in ("8", "9", "7", "9"):
                await pilot.press(key, "enter")
            await pilot.press("enter")  # save
            await pilot.pause()
            # The partner's scale comes next, on the screen still shared: no "stop sharing"
            # until the result is the next thing Enter shows.
            said = screen_text(app)
            assert ("Stop sharing" in said) == (app.screen.rater == "partner")
            assert ("next rating" in said) == (app.screen.rater == "client")
            await pilot.press("enter")  # past "stop sharing"
            await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
        assert "client · screen share" in screen_text(app)
    saved = Store(db).administrations("T1")
    assert [(a.rater, a.mode, a.total) for a in saved] == [
        ("client", "screen_share", 330),
        ("partner", "screen_share", 330),
    ]


async def test_the_mode_setting_sends_o_to_typed_entry(db):
    app = make_app(db, settings=Settings(mode="spoken"), today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ScoreEntryScreen) and app.screen.mode == "spoken"


def test_the_mode_setting_is_checked(tmp_path):
    from fittui.domain.model import InputError
    from fittui.storage.settings import load_settings

    path = tmp_path / "settings.toml"
    path.write_text('[rating]\nmode = "paper"\n')
    assert load_settings(path).mode == "paper"
    path.write_text('[rating]\nmode = "remote_form"\n')
    with pytest.raises(InputError, match="rating.mode must be one of"):
        load_settings(path)


async def test_a_click_on_any_row_of_the_thick_line_marks_it(db):
    from fittui.ui.widgets.share_line import LINE_TOP, ShareLine

    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "share")
        line = app.screen.query(ShareLine).first()
        await pilot.click(line, offset=(4, LINE_TOP - 1))  # the blank row above: no mark
        assert line.value is None
        await pilot.click(line, offset=(4, LINE_TOP))  # the line's top row, its left end
        assert line.value == 0


async def test_keys_on_the_all_marked_page_change_no_hidden_mark(db):
    """Past the last item the lines are hidden: a key pressed there (the client says
    "wait, less"), must not move a mark nobody sees, and what is saved is what was shown."""
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "share")
        # In one read, as a fast hand or a slow link sends them: the last line's focus was
        # still on its way when Enter hid it.
        one_write(app, "7", "enter", "3", "enter", "5", "enter", "end", "enter")
        await settle(pilot)
        assert "All 4 marked" in screen_text(app)
        await pilot.press("home", "left", "2", "shift+left", "tab", "right")
        assert [line.value for line in app.screen.lines] == [70, 30, 50, 100]
        await pilot.press("up", "3", "enter")  # ↑ still goes back to change the last mark
        await pilot.press("enter")  # save
        await pilot.pause()
    [saved] = Store(db).administrations("T1")
    assert list(saved.items.values()) == [70, 30, 50, 30]


async def test_escape_after_saving_keeps_the_shared_screen_free_of_the_client(db):
    """The saved page asks the therapist to stop sharing before Enter shows the result: an
    Escape there (to leave, as everywhere else) must not put the client's result on the
    shared screen."""
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "share")
        await pilot.press("7", "enter", "3", "enter", "5", "enter", "8", "enter", "enter")
        await pilot.pause()
        assert "Stop sharing" in screen_text(app)
        for key in ("escape", "escape", "f2", "ctrl+p", "q", "left", "tab"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ShareScreen)
            text = screen_text(app)
            assert "T1" not in text and "Zoom Tuesday" not in text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    assert len(Store(db).administrations("T1")) == 1


async def test_a_code_or_label_with_brackets_is_shown_as_written(db):
    """What was pasted (a chat's "[/quote]") and the client's label ("Smith [paid]") are
    words, never markup: they are shown as written, and the app does not stop."""
    store = Store(db)
    store.update_client("T1", label="Smith [paid] [/]")
    ors = INSTRUMENTS["ORS"]
    written = write_form(store, "T1", ors, TODAY, 14)
    code = make_code(ors, {i.key: 50 for i in ors.items}, written.form.form_id)
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "code")
        field = app.screen.query_one("#code")
        field.value = "[/quote] 5 5 5 5 · K7Q2-00"
        await pilot.press("enter")
        await pilot.pause()
        assert "the code starts with '[/quote]'" in screen_text(app)
        field.value = code
        await pilot.press("enter")
        await pilot.pause()
        assert "ORS for T1 (Smith [paid] [/])" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    assert len(Store(db).administrations("T1")) == 1


async def test_a_questionnaire_over_a_shared_screen_saves_only_its_answers(db):
    """The PHQ-9 shared: each question with its answers, chosen by arrow or number. On a
    line, the first → put the mark at 1.5, "not an answer of PHQ-9", and the database that
    took it could no longer be opened."""
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        app.screen.query_one("#remote-instrument").value = "PHQ-9"
        await pilot.press("enter")  # the first way: share
        await pilot.pause()
        assert isinstance(app.screen, ShareScreen)
        await pilot.press("right", "right")
        assert "Several days" in screen_text(app)
        await pilot.press("enter")
        for keys in (["right"], ["3"], ["end", "left"], ["2"], ["0"], ["1"], ["home"], ["2"]):
            await pilot.press(*keys, "enter")
        text = screen_text(app)
        assert "All 9 marked" in text and "T1" not in text
        await pilot.press("enter")
        await pilot.pause()
    [saved] = Store(db).administrations("T1")  # the database reads back
    assert list(saved.items.values()) == [10, 0, 30, 20, 20, 0, 10, 0, 20]
    assert saved.mode == "screen_share"


@pytest.mark.parametrize(
    "key, scores",
    [("PHQ-9", [15, 0, 0, 0, 0, 0, 0, 0, 0]), ("ORS", [50, 50, 50, 101]), ("GAD-7", [0] * 6)],
)
def test_a_score_the_database_would_refuse_to_read_is_never_written(db, key, scores):
    """A screen that offered a score between two answers saved it, and the next start said
    the database could not be read: the store now refuses it, and the database still opens."""
    from fittui.domain.model import InputError

    instrument = INSTRUMENTS[key]
    items = {item.key: score for item, score in zip(instrument.items, scores)}
    with pytest.raises(InputError, match=key):
        Store(db).record("T1", instrument, items)
    assert Store(db).administrations("T1") == []


async def test_a_message_raised_while_sharing_waits_until_the_sharing_ends(db):
    """A toast over the shared screen (the database that cannot be read now, upkeep that
    failed) could name a client: it waits, as in client mode, across the turns of a round,
    and shows once the round is over."""
    from textual.widgets._toast import Toast

    app = make_app(db, settings=Settings(mode="screen_share"), today=TODAY)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#raters").value = "client, partner"
        app.screen.query_one("#raters").focus()
        await pilot.press("enter")
        await pilot.pause()
        for turn in range(2):
            app.notify(f"Record of client T2 number {turn}")
            await pilot.pause()
            assert not app.screen.query(Toast)
            for key in ("8", "9", "7", "9"):
                await pilot.press(key, "enter")
            await pilot.press("enter")  # save
            await pilot.pause()
            assert not app.screen.query(Toast)
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
        await pilot.pause()
        shown = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("number 0" in t for t in shown) and any("number 1" in t for t in shown)
