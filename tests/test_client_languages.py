"""The client rates in their own language: every client-facing screen of every instrument in
every language, at 80x24 and 60x20, shows nothing of the English catalog and nothing cut
off; a session runs in two languages at once; the scores saved do not depend on the
language; numbers are written the client's way.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from test_catalogs import SAME_IN_BOTH
from textual.widgets import Button

from conftest import quick_pin, screen_text, until
from fittui.domain.instruments import BUILTIN_FILES, load_instruments
from fittui.domain.language import (
    ENGLISH,
    LANGUAGES,
    therapist_language,
    translator,
    use_therapist_language,
)
from fittui.domain.model import InputError
from fittui.locales import extract
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.rating import RatingScreen
from fittui.ui.screens.result import ResultScreen
from fittui.ui.screens.thanks import ThankYouScreen
from fittui.ui.screens.too_small import TooSmallScreen
from fittui.ui.widgets.slider import Slider

OTHER_LANGUAGES = [code for code in LANGUAGES if code != "en"]
SIZES = [(80, 24), (60, 20)]
THERAPIST = Settings(pin=quick_pin())
EVERY_INSTRUMENT = tuple(load_instruments())
assert len(EVERY_INSTRUMENT) == len(BUILTIN_FILES)


# English messages that are also words of another language, and so may stand on its screens
# ("Me sirvió" is Spanish): an explicit, short list.
HOMOGRAPHS: dict[str, set[str]] = {"es": {"Me"}, "fr": {"client"}}


@cache
def english_messages(code: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each message of the client template, as a pattern matching it as whole words; the
    few a language writes as English does are left out."""
    found = []
    for message in extract.read(extract.template_path("client")):
        ids = [message.id] if isinstance(message.id, str) else list(message.id or ())
        for text in ids:
            allowed = SAME_IN_BOTH.get(code, set()) | HOMOGRAPHS.get(code, set())
            if text and text not in allowed:
                for line in text.split("\n"):
                    if line.strip():
                        found.append((line, re.compile(rf"(?<!\w){re.escape(line)}(?!\w)")))
    return tuple(found)


def screen_lines(app) -> list[str]:
    """The terminal's rows as plain text."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def check_screen(pilot, code: str, where: str) -> None:
    """Nothing in English (of the client catalog) and nothing cut off on the screen."""
    app = pilot.app
    await pilot.pause()
    await pilot.pause()  # the key line is set after the first refresh
    text = "\n".join(screen_lines(app))
    english = [line for line, pattern in english_messages(code) if pattern.search(text)]
    assert not english, f"{where}: English on a {code} screen: {english}\n{text}"
    assert "…" not in text, f"{where}: something is cut off\n{text}"
    if isinstance(app.screen, RatingScreen):
        assert app.screen.query_one("#help").size.height == 1, f"{where}: help wraps\n{text}"


def store_with_client(db: Path, language: str, instruments=EVERY_INSTRUMENT) -> Store:
    store = Store(db)
    store.add_client("C1", instruments=tuple(instruments), language=language)
    return store


async def answer_every_item(pilot) -> None:
    """First Done with nothing marked (the screen names what is missing), then an answer
    for every item, then Done."""
    screen = pilot.app.screen
    await press_done(pilot)
    for widget in screen.item_widgets:
        widget.value = widget.scale_max
    await press_done(pilot)


async def press_done(pilot) -> None:
    """The Done (or Continue) button, wherever the list has scrolled to."""
    pilot.app.screen.query_one("#done", Button).press()
    await pilot.pause()


async def check_too_small(pilot, code: str, size: tuple[int, int]) -> None:
    """The terminal shrinks under the client's scale: the message is in the client's
    language; when it grows again the scale is back as it was."""
    app = pilot.app
    rating = app.screen
    await pilot.resize_terminal(size[0] - 10, size[1] - 5)
    await pilot.pause()
    assert isinstance(app.screen, TooSmallScreen)
    await check_screen(pilot, code, f"the terminal too small at {size}")
    text = "\n".join(screen_lines(app))
    said = translator(code).c_(
        "This terminal is {width}×{height}.\n"
        "fittui needs at least {min_width}×{min_height}:\n"
        "make the window larger or the font smaller."
    )
    first = said.format(width=size[0] - 10, height=size[1] - 5, min_width=60, min_height=20)
    assert first.split("\n")[0] in text, text
    await pilot.resize_terminal(*size)
    await pilot.pause()
    assert app.screen is rating


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("code", OTHER_LANGUAGES)
async def test_every_instrument_in_every_language(db, code, size):
    """A session of every instrument, each screen checked: unmarked, with the message
    naming what is missing, the terminal too small over the first, then the hand-back
    screen."""
    store_with_client(db, code)
    app = make_app(db, settings=THERAPIST, session="C1")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        seen = []
        while isinstance(app.screen, RatingScreen):
            screen = app.screen
            key = screen.instrument.key
            seen.append(key)
            await check_screen(pilot, code, f"{key} at {size}")
            if len(seen) == 1:
                await check_too_small(pilot, code, size)
            if screen.available:
                await press_done(pilot)
                assert str(screen.query_one("#message").render()), key
                await check_screen(pilot, code, f"{key}, nothing marked, at {size}")
                for widget in screen.item_widgets:
                    widget.value = widget.scale_max
            await press_done(pilot)
        assert seen == list(EVERY_INSTRUMENT)
        assert isinstance(app.screen, ThankYouScreen)
        await check_screen(pilot, code, f"the hand-back screen at {size}")
    saved = {a.instrument for a in Store(db).administrations("C1")}
    assert saved == {key for key in EVERY_INSTRUMENT if key not in ("PHQ-9", "GAD-7")}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("code", OTHER_LANGUAGES)
async def test_the_hand_on_and_closing_screens_of_fittui_rate(db, code, size):
    """`fittui rate` with two raters: the hand-on screen, then the one that closes."""
    store_with_client(db, code, ("ORS",))
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client", "partner"]))
    async with app.run_test(size=size) as pilot:
        await answer_every_item(pilot)
        assert isinstance(app.screen, ThankYouScreen) and app.screen.next_rater == "partner"
        await check_screen(pilot, code, "the hand-on screen")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen) and app.screen.rater == "partner"
        await answer_every_item(pilot)
        assert isinstance(app.screen, ThankYouScreen) and app.screen.next_rater is None
        await check_screen(pilot, code, "the closing screen")


@pytest.mark.slow
async def test_a_german_client_in_an_english_session_saves_what_english_saves(tmp_path):
    """The client rates in German while the therapist's result screen is in English; the
    same keys save the same scores as an English rating."""
    assert therapist_language() == "en"
    keys = ["right", "right", "down", "7", "down", "end", "down", "home", "enter"]
    saved = {}
    for code in ("de", "en"):
        db = tmp_path / code / "fittui.json"
        store_with_client(db, "" if code == "en" else code, ("ORS", "SRS"))
        app = make_app(db, settings=THERAPIST, session="C1")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            lines = "\n".join(screen_lines(app))
            if code == "de":
                assert "Persönlich" in lines and "Gar nicht gut" in lines
                assert "Individually" not in lines
            await pilot.press(*keys)
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            assert isinstance(app.screen, ThankYouScreen)
            thanks = screen_text(app)
            assert ("Danke." if code == "de" else "Thank you.") in thanks
            await pilot.press("f2", "2", "4", "6", "8", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ResultScreen)
            assert "Danke" not in screen_text(app)  # the therapist's screen is English
        saved[code] = [(a.instrument, a.items, a.rater) for a in Store(db).administrations("C1")]
    assert saved["de"] == saved["en"]
    assert [items for _, items, _ in saved["de"]][0] == {
        "individually": 55,
        "interpersonally": 70,
        "socially": 100,
        "overall": 0,
    }


async def test_numbers_on_the_line_are_written_the_clients_way(db):
    store_with_client(db, "es", ("ORS",))
    settings = Settings(pin=quick_pin(), show_numbers=True)
    app = make_app(db, settings=settings, rate=("C1", "ORS", ["client"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "shift+right")
        await pilot.pause()
        assert app.focused is app.screen.query(Slider).first()
        line = "\n".join(screen_lines(app))
        assert "5,1" in line and "10,0" not in line.replace(" 10  ", "")


def test_a_client_without_a_language_reads_the_therapists(db):
    from fittui.domain.language import client_translator

    assert client_translator("").code == therapist_language()
    assert client_translator("xx").code == therapist_language()  # a newer fittui's language
    assert translator("de").score(255) == "25,5"
    assert translator("es").score(55) == "5,5"
    assert translator("en").score(55) == "5.5"


def test_the_language_from_the_command_line(cli, db):
    assert cli("add-client", "C7", "--language", "de", "--instruments", "ORS,PHQ-9").code == 0
    assert Store(db).client("C7").language == "de"
    result = cli("add-client", "C8", "--language", "xx")
    assert result.code == 1 and "unknown language 'xx'" in result.err
    assert [c.code for c in Store(db).clients()] == ["C7"]
    changed = cli("edit-client", "C7", "--language", "es")
    assert changed.code == 0 and "PHQ-9 not available in Español" in changed.out
    assert cli("clients", "--json").json()[0]["language"] == "es"
    assert cli("edit-client", "C7", "--language", "").code == 0
    assert Store(db).client("C7").language == ""


def test_the_command_line_writes_for_a_client_without_a_language_in_the_therapists(
    cli, db, tmp_path
):
    """With language = "de" in settings.toml, a client without a language of their own
    rates in German in the app and in fittui rate; fittui form and export --format html
    wrote English for them all the same (and a PHQ-9 form, which the app refuses in
    German), and add-client did not say the PHQ-9 could not be rated. The command line's
    own lines stay English."""
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "settings.toml").write_text('language = "de"\n')
    form = tmp_path / "form.html"
    try:
        added = cli("add-client", "C1", "--instruments", "PHQ-9,ORS")
        assert cli("record", "C1", "ORS", "5", "6", "7", "8").code == 0
        page = cli("export", "--format", "html", "--client", "C1").out
        wrote = cli("form", "C1", "ORS", "-o", form)
        refused = cli("form", "C1", "PHQ-9", "-o", tmp_path / "phq9.html")
    finally:
        use_therapist_language(ENGLISH)
    assert "PHQ-9 not available in Deutsch" in added.out
    assert "Persönlich" in page and "Individually" not in page
    assert wrote.code == 0 and wrote.out.startswith("Wrote the ORS form")
    assert "Persönlich" in form.read_text() and "Individually" not in form.read_text()
    assert refused.code == 1 and not (tmp_path / "phq9.html").exists()


async def test_the_client_form_sets_the_language(db):
    from textual.widgets import Select

    from fittui.ui.screens.client_form import ClientFormScreen

    Store(db).add_client("C1")
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        form = ClientFormScreen(Store(db).client("C1"))
        app.push_screen(form)
        await pilot.pause()
        form.query_one("#language", Select).value = "nb"
        form.query_one("#instruments").value = "GAD-7, ORS"
        form.query_one("#save").press()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("GAD-7: not available in Norsk bokmål" in m for m in said), said
    assert Store(db).client("C1").language == "nb"


def test_the_language_goes_out_and_comes_back_in_csv_and_json(db):
    from fittui.formats.export import export_csv, export_json
    from fittui.formats.importing import ImportFailed, plan_import, plan_import_json

    instruments = load_instruments()
    store = store_with_client(db, "pt", ("ORS",))
    store.add_client("C2")
    marks = {item.key: 50 for item in instruments["ORS"].items}
    for code in ("C1", "C2"):
        store.record(code, instruments["ORS"], marks, "2026-11-02T10:00")
    clients, ratings = store.clients(), store.administrations()
    csv_text = export_csv(clients, ratings, instruments)
    assert csv_text.splitlines()[0].endswith(",language,own_session")
    plan = plan_import(csv_text.encode(), "out.csv", instruments, {})
    assert {c.code: c.language for c in plan.new_clients} == {"C1": "pt", "C2": ""}
    plan = plan_import_json(export_json(clients, ratings).encode(), "out.json", instruments, {})
    assert {c.code: c.language for c in plan.new_clients} == {"C1": "pt", "C2": ""}
    bad = csv_text.replace(",pt,\r\n", ",klingon,\r\n")
    with pytest.raises(ImportFailed) as failed:
        plan_import(bad.encode(), "bad.csv", instruments, {})
    assert "unknown language 'klingon'" in str(failed.value.errors)


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_the_summary_page_in_the_clients_language(db, code):
    import html as html_module
    from datetime import date

    from fittui.domain.scoring import summarize
    from fittui.formats.export import client_page

    instruments = load_instruments()
    store = store_with_client(db, code, ("ORS", "SRS"))
    ors, srs, phq9 = instruments["ORS"], instruments["SRS"], instruments["PHQ-9"]
    store.record("C1", ors, dict.fromkeys((i.key for i in ors.items), 50), "2026-10-05T10:00")
    store.record("C1", srs, dict.fromkeys((i.key for i in srs.items), 85), "2026-10-05T10:50")
    store.record("C1", ors, dict.fromkeys((i.key for i in ors.items), 65), "2026-11-02T10:00")
    store.record("C1", phq9, dict.fromkeys((i.key for i in phq9.items), 10), "2026-11-02T10:05")
    store.record(
        "C1",
        ors,
        {"individually": 65, "interpersonally": 60, "socially": 61, "overall": 70},
        "2026-11-09T10:00",
        rater="partner",
    )
    client = store.client("C1")
    ratings = store.administrations("C1")
    page = client_page(
        client, ratings, instruments, summarize(client, ratings, instruments), date(2026, 11, 10)
    )
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", page))
    english = [line for line, pattern in english_messages(code) if pattern.search(text)]
    assert not english, english
    assert f'<html lang="{code}">' in page
    decimal = translator(code).number(0.5)[1]
    assert f"26{decimal}0" in text  # the latest ORS total, written the client's way
    assert translator(code).date(date(2026, 11, 10)) in text
    assert translator(code).c_("Down, depressed or hopeless") in text


@pytest.mark.parametrize("code", ["de", "es"])
def test_the_home_form_in_the_clients_language(db, code):
    from datetime import date

    from fittui.formats.home_form import write_form

    instruments = load_instruments()
    store_with_client(db, code, ("ORS",))
    written = write_form(Store(db), "C1", instruments["SRS"], date(2026, 11, 10), 7)
    text = written.html
    assert f'<html lang="{code}">' in text
    tr = translator(code)
    for words in ("Relationship", "Suits me", "Done"):
        assert tr.c_(words) in text
    assert tr.date(date(2026, 11, 17)) in text
    assert "Put one mark on each line" not in text
    with pytest.raises(InputError, match="PHQ-9 is not available in"):
        write_form(Store(db), "C1", instruments["PHQ-9"], date(2026, 11, 10), 7)


@pytest.mark.parametrize(
    "code, key, size",
    [
        ("de", "ORS", (80, 24)),
        ("de", "SRS", (80, 24)),
        ("es", "ORS", (80, 24)),
        ("es", "SRS", (80, 24)),
        ("de", "ORS", (60, 20)),
        ("es", "SRS", (60, 20)),
    ],
    ids=lambda value: f"{value[0]}x{value[1]}" if isinstance(value, tuple) else value,
)
def test_snapshot_of_a_rating_in_another_language(snap_compare, db, code, key, size):
    """The ORS and SRS in German and Spanish, one line marked (numbers shown, so the
    decimal comma is on screen)."""
    store_with_client(db, code, (key,))
    settings = Settings(pin=quick_pin(), show_numbers=True)
    app = make_app(db, settings=settings, rate=("C1", key, ["client"]))
    assert snap_compare(app, press=["right", "shift+right"], terminal_size=size)


async def test_a_shared_screen_shows_the_scale_in_the_clients_language(db):
    """Over video the client reads the shared scale: in their language, numbers too."""
    from fittui.ui.screens.share import ShareScreen

    store_with_client(db, "de", ("ORS",))
    app = make_app(db, settings=Settings(pin=quick_pin(), show_numbers=True))
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(ShareScreen(load_instruments()["ORS"], "C1", show_numbers=True))
        await pilot.pause()
        await pilot.press("right", "shift+right")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        for words in ("Outcome Rating Scale", "Individually", "Not well at all"):
            assert words not in text
        assert "Skala zur Einschätzung des Befindens · 1 von 4" in text
        assert "Persönlich" in text and "Gar nicht gut" in text and "5,1" in text
        await pilot.press("enter", "7", "enter", "7", "enter", "7", "enter", "enter")
        await pilot.pause()
    [saved] = Store(db).administrations("C1")
    assert saved.items == {"individually": 51, "interpersonally": 70, "socially": 70, "overall": 70}


async def test_something_going_wrong_is_said_in_the_clients_language(db, tmp_path, monkeypatch):
    from fittui.ui.screens.trouble import CalmScreen

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("FITTUI_CONFIG", str(tmp_path / "config"))
    store_with_client(db, "sv", ("ORS",))
    app = make_app(db, settings=THERAPIST, rate=("C1", "ORS", ["client"]))
    with pytest.raises(RuntimeError):  # Pilot re-raises it at the end; no user sees it
        async with app.run_test(size=(60, 20)) as pilot:
            rating = app.screen
            for widget in rating.item_widgets:
                widget.value = 50

            def unexpected(*args, **kwargs):
                raise RuntimeError("an error no one foresaw")

            app.store.record = unexpected
            rating.query_one("#done").press()
            await until(pilot, lambda: isinstance(app.screen, CalmScreen))
            assert isinstance(app.screen, CalmScreen)
            await check_screen(pilot, "sv", "the calm screen")
            assert "Dina svar finns kvar" in "\n".join(screen_lines(app))


def test_a_count_takes_the_plural_form_of_the_language(tmp_path, monkeypatch):
    """cn_ picks the form by the catalog's own rule: Polish has three."""
    from fittui.domain import language

    (tmp_path / "client").mkdir()
    (tmp_path / "client" / "pl.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && '
        '(n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n'
        'msgid "{n} session"\nmsgid_plural "{n} sessions"\n'
        'msgstr[0] "{n} sesja"\nmsgstr[1] "{n} sesje"\nmsgstr[2] "{n} sesji"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(language, "LOCALES", tmp_path)
    language._load.cache_clear()
    try:
        polish = language.Translator("pl", "client")
        said = [polish.cn_("{n} session", "{n} sessions", n) for n in (1, 2, 5, 22, 112)]
    finally:
        language._load.cache_clear()
    assert said == ["{n} sesja", "{n} sesje", "{n} sesji", "{n} sesje", "{n} sesji"]
    english = translator("en")
    assert [english.cn_("{n} session", "{n} sessions", n) for n in (1, 2)] == [
        "{n} session",
        "{n} sessions",
    ]


def test_an_official_translation_from_a_users_file_makes_a_questionnaire_available(tmp_path):
    from fittui.domain.instruments import load_instruments as load
    from fittui.domain.language import available_in

    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "phq9-de.toml").write_text(
        'key = "PHQ-9"\nlanguages = ["de"]\nframe = "(the official German wording)"\n',
        encoding="utf-8",
    )
    phq9 = load(folder)["PHQ-9"]
    assert available_in(phq9, "de") and not available_in(phq9, "en")
    assert not available_in(load_instruments()["PHQ-9"], "de")
