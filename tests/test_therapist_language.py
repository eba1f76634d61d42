"""The therapist's screens in the therapist's language: the ``language`` setting, else LANG
and LC_MESSAGES; every therapist screen in Spanish and German with nothing left from the
English catalog; the footers' and the help's key words, made at import, translated where
they are drawn; German snapshots of two screens."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_catalogs import SAME_IN_BOTH, SAME_IN_THERAPIST
from textual.app import App
from textual.widgets import DataTable

from conftest import quick_pin
from fittui.domain.flags import FLAGS
from fittui.domain.instruments import load_instruments
from fittui.domain.language import ENGLISH, therapist_language, use_therapist_language
from fittui.domain.model import (
    MODE_SHORT,
    REPLACED_SAME_DAY,
    VOID_REASONS,
    Administration,
    InputError,
)
from fittui.locales import extract
from fittui.storage.demo import make_demo_database
from fittui.storage.settings import Settings, load_settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.cells import MODE_WORDS, taken_words
from fittui.ui.look import RISK_MESSAGES
from fittui.ui.palette import TEXTUAL_WORDS
from fittui.ui.screens.correct import SAVED_REASONS
from fittui.ui.screens.result import ResultScreen, describe
from fittui.ui.screens.too_small import TooSmallScreen
from fittui.ui.widgets.row_table import REST_AFTER

TODAY = date(2026, 11, 23)
SIZES = [(80, 24), (60, 20)]
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch) -> Iterator[None]:
    """No language from the machine the tests run on; English again for the next test."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    use_therapist_language(ENGLISH)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo_database(tmp_path / "demo", TODAY)


def app_in(path: Path, language: str | None):
    return make_app(path, settings=Settings(pin=quick_pin(), language=language), today=TODAY)


def shown(app) -> str:
    """The words on the terminal now, lines joined and spaces collapsed, so that words
    wrapped onto the next line still read as one phrase."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg.replace("</text>", "\n</text>"))
    text = html.unescape(text).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text)


# -- the setting ---------------------------------------------------------------------------
def test_the_setting_is_read_and_an_unknown_code_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('language = "es"\n', encoding="utf-8")
    assert load_settings(path).language == "es"
    assert load_settings(tmp_path / "none.toml").language is None
    path.write_text('language = "xx"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"settings\.toml: unknown language 'xx'.*de.*es"):
        load_settings(path)
    path.write_text("language = 7\n", encoding="utf-8")
    with pytest.raises(InputError, match="language must be a language code"):
        load_settings(path)


async def test_the_setting_gives_spanish_on_the_list_history_caseload_and_keys(
    demo, tmp_path, monkeypatch
):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.toml").write_text('language = "es"\n', encoding="utf-8")
    monkeypatch.setenv("FITTUI_CONFIG", str(config))
    app = make_app(demo, today=TODAY)
    assert therapist_language() == "es"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "Buscar por código o etiqueta" in text and "Estado" in text
        assert "Historia" in text and "Ayuda" in text  # the footer's words
        await pilot.press("question_mark")
        text = shown(app)
        assert "Teclas en la lista de clientes" in text and "Elegir un cliente" in text
        await pilot.press("escape", "enter")
        await pilot.pause(REST_AFTER * 4)
        text = shown(app)
        assert "Admisión" in text or "admisión" in text
        assert "A la lista" in text  # Escape's words, by the place it leads to
        await pilot.press("escape", "c")
        await pilot.pause()
        assert "clientes activos" in shown(app)


async def test_lang_gives_german_when_nothing_is_set(demo, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    app = make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    assert therapist_language() == "de"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "Suche nach Code oder Label" in text and "Verlauf" in text and "Tasten" in text
        await pilot.press("question_mark")
        assert "Tasten: Klientenliste" in shown(app)


async def test_lc_messages_is_read_before_lang_and_the_setting_before_both(demo, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LC_MESSAGES", "es_ES.UTF-8")
    make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    assert therapist_language() == "es"
    make_app(demo, settings=Settings(pin=quick_pin(), language="de"), today=TODAY)
    assert therapist_language() == "de"


async def test_english_without_a_setting_or_a_language_in_the_environment(demo):
    make_app(demo, settings=Settings(pin=quick_pin(), language="de"), today=TODAY)
    make_app(demo, settings=Settings(pin=quick_pin()), today=TODAY)
    assert therapist_language() == ENGLISH


# -- nothing left in English ---------------------------------------------------------------
# Words the check lets through: the raters as they are typed ("client, partner" in the
# dialog's field: names the records keep, shown translated elsewhere, see
# ``test_raters_and_ways_are_shown_translated``), and a word of the scales' own names
# ("Outcome Rating Scale").
# Words a translation writes as English does, used on their own ("b Start", "Episode 2").
SHARED_WORDS = {"de": {"Start", "Episode"}, "es": set()}
ACRONYM = re.compile(r"[A-Z0-9-]+")  # ORS, GSRS, PHQ-9: the same in every language
TYPED_OR_NAMES = {"client", "partner", "parent", "teacher", "Rating"}


def instrument_wording() -> list:
    """The instruments' wording in the client catalog (our titles, short labels, bands): the
    therapist's screens show it in the therapist's language too."""
    template = read_po(extract.template_path("client").open("rb"))
    return [m for m in template if m.id and all(p.endswith(".toml") for p, _ in m.locations)]


@cache
def english_messages(language: str) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """Each message of the therapist catalog, and each of the instruments' wording, with the
    pieces of its English wording that would show it untranslated: the text between
    placeholders and markup, four letters or more, never a piece the language writes the
    same. Each piece as a pattern matching it as whole words, made once per language (the
    check runs on every screen)."""
    same = SAME_IN_THERAPIST.get(language, set()) | TYPED_OR_NAMES
    same |= SAME_IN_BOTH.get(language, set())
    template = read_po(extract.template_path("therapist").open("rb"))
    found = []
    for message in [*template, *instrument_wording()]:
        if not message.id:
            continue
        for text in [message.id] if isinstance(message.id, str) else list(message.id):
            if text in same:
                continue
            bare = re.sub(r"\[/?[a-z ]+\]", "", text)
            pieces = [
                p.strip(" .,:;()·")
                for p in re.split(r"\{[^}]*\}|\$\w+|\n", bare)
                if len(p.strip(" .,:;()·")) >= 4 and not ACRONYM.fullmatch(p.strip(" .,:;()·"))
            ]
            pieces = [p for p in pieces if p not in SHARED_WORDS[language]]
            if pieces:
                patterns = tuple(re.compile(rf"(?<!\w){re.escape(p)}(?!\w)") for p in pieces)
                found.append((text, patterns))
    return tuple(found)


def left_in_english(text: str, language: str) -> list[str]:
    """The messages whose English wording is on the screen; the flags' symbols ("!item")
    are the same in every language and left out."""
    for symbol, _words in FLAGS.values():
        text = text.replace(symbol, " ")
    return [
        message
        for message, patterns in english_messages(language)
        if all(pattern.search(text) for pattern in patterns)
    ]


def record(store: Store, code: str, key: str, value: int, rater: str = "client"):
    instrument = load_instruments()[key]
    items = {item.key: value for item in instrument.items}
    return store.record(code, instrument, items, "2026-11-23T10:00", rater=rater)


# Each step: keys to press from the client list, and what the screen is called.
VISITS = [
    ((), "the client list"),
    (("question_mark",), "the keys of the list"),
    (("a",), "the client form"),
    (("m",), "the rating dialog"),
    (("v",), "the video or paper dialog"),
    (("c",), "the caseload"),
    (("c", "question_mark"), "the keys of the caseload"),
    (("c", "t"), "the caseload's status filter"),
    (("c", "f"), "the caseload's flag filter"),
    (("r",), "the outcome summary"),
    (("r", "question_mark"), "the keys of the outcome summary"),
    (("enter",), "the history"),
    (("enter", "question_mark"), "the keys of the history"),
    (("enter", "end"), "the history's sessions"),
    (("enter", "i"), "the history's ORS items"),
    (("enter", "tab", "n"), "the note"),
    (("enter", "tab", "v"), "the void dialog"),
    (("enter", "tab", "e"), "the correction dialog"),
    (("enter", "x"), "the episode's end"),
    (("down", "down", "enter"), "a couple's history"),
]


def walks() -> list[tuple[str, ...]]:
    """The key sequences that pass through every step above: a step whose keys begin a
    longer step's keys is seen on the way there, in the same app, as a fresh app pressing
    only its own keys would show it (looking at the screen changes nothing)."""
    keys = [k for k, _name in VISITS]
    return [k for k in keys if not any(len(o) > len(k) and o[: len(k)] == k for o in keys)]


async def visit(demo: Path, language: str, size: tuple[int, int]) -> dict[str, str]:
    """What each therapist screen shows, by name."""
    names = dict(VISITS)
    seen = {}
    for walk in walks():
        app = app_in(demo, language)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for pressed in range(len(walk) + 1):
                if pressed:
                    await pilot.press(walk[pressed - 1])
                    await pilot.pause(REST_AFTER * 4)
                name = names.get(walk[:pressed])
                if name is not None and name not in seen:
                    seen[name] = shown(app)
    assert set(seen) == set(names.values())
    app = app_in(demo, language)
    async with app.run_test(size=size) as pilot:
        await pilot.press("down", "enter")  # D06: patterns naming an item
        await pilot.pause(REST_AFTER * 4)
        seen["the history's patterns"] = str(app.screen.query_one("#look").render())
    # The result, in a demo of its own: the ratings it saves would reorder the list above.
    apart = make_demo_database(demo.parent.parent / f"result-{size[0]}", TODAY)
    store = Store(apart)
    saved = [record(store, "D09", "SRS", 95), record(store, "D09", "SRS", 60, "partner")]
    saved += [record(store, "D09", "ORS", 30), record(store, "D09", "PHQ-9", 20)]
    app = app_in(apart, language)
    async with app.run_test(size=size) as pilot:
        app.push_screen(ResultScreen("D09", saved))
        await pilot.pause()
        seen["the result"] = shown(app)
        for _step in range(8):
            await pilot.press("pagedown")
            await pilot.pause()
            seen["the result"] += shown(app)
        await pilot.press("question_mark")
        seen["the keys of the result"] = shown(app)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "60x20"])
@pytest.mark.parametrize("language", ["es", "de"])
async def test_no_therapist_screen_shows_the_english_catalog(demo, language, size):
    problems = []
    for name, text in (await visit(demo, language, size)).items():
        for message in left_in_english(text, language):
            problems.append(f"{size} {name}: {message!r}")
    assert not problems, "\n".join(problems)


async def test_instrument_wording_is_the_therapists_and_a_validated_answer_stays(demo):
    """Our short labels in German on the result screen and in the risk alert; the PHQ-9's
    own answer, which has no official German wording here, stays as published."""
    store = Store(demo)
    saved = [record(store, "D09", "ORS", 30), record(store, "D09", "PHQ-9", 20)]
    app = app_in(demo, "de")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ResultScreen("D09", saved))
        await pilot.pause()
        text = shown(app)
        assert "Gedanken an den Tod oder Selbstverletzung" in text
        assert "More than half the days" in text  # the answer, as published
        ors = describe(saved[0], saved, load_instruments()).plain
        assert "Persönlich" in ors and "Individually" not in ors


async def test_the_terminal_too_small_speaks_the_therapists_language(demo):
    app = app_in(demo, "de")
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = shown(app)
        assert "50×15" in text and not left_in_english(text, "de"), text


async def test_textuals_own_palette_commands_speak_the_therapists_language(demo):
    """Keys, Quit, Theme and the rest: each of Textual's commands is marked for the catalog
    and listed in German, the search field too."""
    app = app_in(demo, "de")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        use_therapist_language(ENGLISH)
        english = list(App.get_system_commands(app, app.screen))
        assert {w for c in english for w in (c.title, c.help)} <= set(TEXTUAL_WORDS)
        use_therapist_language("de")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Farbschema" in titles and "Ende" in titles and "Theme" not in titles
        app.action_command_palette()
        await pilot.pause()
        assert "efehl suchen" in shown(app)  # the placeholder (the cursor parts "B|efehl")
        # Providers answer in no fixed order and the list shows a screenful: ask for one.
        await pilot.press(*"Farb")
        for _wait in range(50):
            await pilot.pause(0.1)
            text = shown(app)
            if "Farbschema" in text:
                break
        assert "Ein anderes Farbschema wählen" in text
        assert not left_in_english(text, "de"), text


async def test_the_check_finds_english_when_it_is_there(demo):
    """The check above can fail: the same screens in English are full of the catalog."""
    app = app_in(demo, ENGLISH)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = shown(app)
    found = left_in_english(text, "de")
    assert "Search by code or label ( / )" in found and "History" in found


async def test_binding_words_follow_the_language_set_after_import(demo):
    """Bindings are made at import, in English; the footer and the help speak German."""
    from fittui.ui.screens.clients import ClientsScreen

    assert any(b.description == "History" for b in ClientsScreen.BINDINGS if hasattr(b, "key"))
    app = app_in(demo, "de")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(DataTable).has_focus
        footer = shown(app)
        assert "⏎ Verlauf" in footer and "b Start" in footer and "History" not in footer


# -- words saved in English, shown translated ------------------------------------------------
def test_raters_and_ways_are_shown_translated() -> None:
    rating = Administration(
        id="x",
        client="C1",
        instrument="ORS",
        date="2026-11-23T10:00",
        items={},
        rater="partner",
        mode="spoken",
    )
    use_therapist_language("de")
    assert taken_words(rating) == "Partner:in · laut gesagt"
    assert set(MODE_WORDS) == {how for how in MODE_SHORT.values() if how}


def test_saved_reasons_are_marked_as_the_model_writes_them() -> None:
    assert set(SAVED_REASONS) == {*VOID_REASONS, REPLACED_SAME_DAY}


def test_every_built_in_risk_message_is_in_the_catalog() -> None:
    messages = {rule.message for i in load_instruments().values() for rule in i.risk_rules}
    assert messages and messages <= set(RISK_MESSAGES)


# -- snapshots in German --------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES)
def test_client_list_in_german(snap_compare, demo, size):
    assert snap_compare(app_in(demo, "de"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_history_in_german(snap_compare, demo, size):
    async def run_before(pilot) -> None:
        await pilot.press("enter")
        await pilot.pause(REST_AFTER * 4)

    assert snap_compare(app_in(demo, "de"), run_before=run_before, terminal_size=size)
