"""The Likert choice: every key, the click, its messages and its look.

Pilot tests drive a tiny app holding three PHQ-9 questions (a short one, the longest, and
item 9); snapshots fix how they look at 80x24 (answers in a row) and 60x20 (in a column).
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from fittui.domain.instruments import Item, load_instruments
from fittui.ui.widgets.choice import CHOSEN, NOT_CHOSEN, Choice

PHQ9 = load_instruments()["PHQ-9"]
ITEMS = [PHQ9.item("item1"), PHQ9.item("item8"), PHQ9.item("item9")]
ANSWERS = list(PHQ9.options)


class ChoiceApp(App[None]):
    """Three PHQ-9 questions, one under the other, recording what the choices post."""

    CSS = """
    #frame { text-style: bold; margin-bottom: 1; }
    Choice { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "record('up')"),
        Binding("down", "record('down')"),
    ]

    def __init__(self, *, show_numbers: bool = False, theme: str | None = None) -> None:
        super().__init__()
        self.show_numbers = show_numbers
        self.start_theme = theme
        self.changed: list[tuple[str | None, int | None]] = []
        self.confirmed: list[tuple[str | None, int | None]] = []
        self.keys_seen: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(PHQ9.frame, id="frame")
        for item in ITEMS:
            yield Choice(
                item,
                PHQ9.options,
                PHQ9.scale_min,
                PHQ9.step,
                number=int(item.key.removeprefix("item")),
                show_numbers=self.show_numbers,
                id=item.key,
            )

    def on_mount(self) -> None:
        if self.start_theme is not None:
            self.theme = self.start_theme

    def on_answer_changed(self, event: Choice.Changed) -> None:
        self.changed.append((event.control.id, event.value))

    def on_answer_confirmed(self, event: Choice.Confirmed) -> None:
        self.confirmed.append((event.control.id, event.value))

    def action_record(self, key: str) -> None:
        self.keys_seen.append(key)


def first(app: App) -> Choice:
    return app.query_one("#item1", Choice)


def rows(choice: Choice) -> list[str]:
    return choice.render().plain.split("\n")


def answer_at(choice: Choice, index: int) -> tuple[int, int]:
    """Where an answer's circle is drawn, in the widget's own coordinates, as a client
    would aim: found in the drawn text."""
    seen = -1
    for y, text in enumerate(rows(choice)):
        for x, char in enumerate(text):
            if char in (CHOSEN, NOT_CHOSEN):
                seen += 1
                if seen == index:
                    return x + choice.gutter.left, y + choice.gutter.top
    raise AssertionError(f"no answer {index} drawn")


def chosen(choice: Choice) -> list[str]:
    """The answers drawn as chosen."""
    text = choice.render().plain
    return [answer for answer in ANSWERS if f"{CHOSEN} {answer}" in text]


async def test_questions_start_unanswered() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for choice in app.query(Choice):
            assert choice.value is None and choice.index is None
            assert CHOSEN not in choice.render().plain
            assert choice.render().plain.count(NOT_CHOSEN) == 4
        assert app.changed == []


@pytest.mark.parametrize("key", ["left", "right"])
async def test_first_arrow_chooses_the_first_answer(key: str) -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert first(app).value == 0 and chosen(first(app)) == ["Not at all"]
        assert app.changed == [("item1", 0)]


async def test_arrows_move_between_answers_and_stop_at_the_ends() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "right")
        assert first(app).value == 10 and chosen(first(app)) == ["Several days"]
        await pilot.press("right", "right", "right")
        assert first(app).value == 30
        await pilot.press("left")
        assert first(app).value == 20
        await pilot.press("left", "left", "left", "left")
        assert first(app).value == 0
        await pilot.pause()
        assert [value for _, value in app.changed] == [0, 10, 20, 30, 20, 10, 0]


@pytest.mark.parametrize("digit", range(4))
async def test_digit_chooses_the_answer_scored_that_number(digit: int) -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(str(digit))
        assert first(app).value == digit * 10
        assert chosen(first(app)) == [ANSWERS[digit]]


async def test_digits_no_answer_has_do_nothing() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", "9")
        assert first(app).value is None
        await pilot.press("2", "7")
        assert first(app).value == 20


async def test_home_and_end_choose_the_first_and_last_answer() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        assert first(app).value == 30
        await pilot.press("home")
        assert first(app).value == 0


def test_a_value_given_in_code_lands_on_an_answer() -> None:
    item = ITEMS[0]
    assert Choice(item, PHQ9.options, value=45).value == 30
    assert Choice(item, PHQ9.options, value=-5).value == 0
    assert Choice(item, PHQ9.options, value=19).value == 10  # between two: the lower one
    assert Choice(item, PHQ9.options).value is None


def test_a_choice_needs_two_answers() -> None:
    with pytest.raises(ValueError, match="two answers"):
        Choice(ITEMS[0], ("Only",))


async def test_any_scale_works() -> None:
    class FromOne(App[None]):
        def compose(self) -> ComposeResult:
            yield Choice(Item("mood", "Mood"), ("Low", "Middling", "High"), 10, 10)

    app = FromOne()
    async with app.run_test(size=(80, 24)) as pilot:
        choice = app.query_one(Choice)
        await pilot.press("0")
        assert choice.value is None
        await pilot.press("3")
        assert choice.value == 30 and choice.index == 2
        await pilot.press("right")
        assert choice.value == 30
        assert "Mood" in choice.render().plain  # a label stands in for a missing question


async def test_enter_confirms_the_question() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "1", "enter")
        await pilot.pause()
        assert app.confirmed == [("item1", None), ("item1", 10)]


async def test_up_down_and_tab_are_left_to_the_screen() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "down")
        assert app.keys_seen == ["up", "down"]
        await pilot.press("tab")
        assert app.focused is app.query_one("#item8", Choice)
        assert first(app).value is None


@pytest.mark.parametrize(("size", "key"), [((80, 24), "item9"), ((60, 20), "item1")])
async def test_click_chooses_the_answer_and_focuses_the_question(size, key) -> None:
    app = ChoiceApp()
    async with app.run_test(size=size) as pilot:
        await pilot.press("tab")
        choice = app.query_one(f"#{key}", Choice)
        assert app.focused is not choice
        for index in (2, 0, 3, 1):
            await pilot.click(f"#{key}", offset=answer_at(choice, index))
            assert choice.index == index
            assert chosen(choice) == [ANSWERS[index]]
        assert app.focused is choice


async def test_click_beside_the_circle_on_the_words_chooses_too() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        x, y = answer_at(first(app), 2)
        await pilot.click("#item1", offset=(x + 6, y))
        assert first(app).value == 20


async def test_click_on_the_question_chooses_nothing() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#item1", offset=(5, 0))
        assert first(app).value is None


async def test_answers_in_a_row_when_wide_and_a_column_when_narrow() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)):
        lines = rows(first(app))
        assert len(lines) == 2 and all(answer in lines[1] for answer in ANSWERS)
        assert len(rows(app.query_one("#item8", Choice))) == 4  # three lines of question
    app = ChoiceApp()
    async with app.run_test(size=(60, 20)):
        lines = rows(first(app))
        assert len(lines) == 5 and [line.strip()[2:] for line in lines[1:]] == ANSWERS
        assert first(app).size.height == 5
        assert all(len(line) <= first(app).size.width for line in lines)


async def test_the_whole_question_is_shown_wrapped_never_cut() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(60, 20)):
        item8 = app.query_one("#item8", Choice)
        question = [line[2:].strip() for line in rows(item8) if NOT_CHOSEN not in line]
        assert len(question) > 1 and " ".join(question) == f"8. {ITEMS[1].description}"


async def test_focus_shows_in_the_text_not_only_in_colour() -> None:
    app = ChoiceApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        focused = rows(first(app))
        await pilot.press("tab")
        unfocused = rows(first(app))
        assert focused[0].startswith("▶ 1. Little interest")
        assert unfocused[0].startswith("  1. Little interest")
        assert f"{CHOSEN} More than half the days" in focused[1]
        assert f"{CHOSEN} More than half the days" in unfocused[1]


async def test_show_numbers_puts_each_answers_score_before_it() -> None:
    app = ChoiceApp(show_numbers=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        text = first(app).render().plain
        assert f"{NOT_CHOSEN} 0 Not at all" in text and f"{CHOSEN} 3 Nearly every day" in text
        first(app).show_numbers = False
        assert not any(char.isdigit() for char in rows(first(app))[-1])


async def test_chosen_is_a_glyph_in_the_ansi_theme() -> None:
    app = ChoiceApp(theme="ansi-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        assert app.theme == "ansi-dark" and chosen(first(app)) == ["Several days"]


ANSWERED = ["1", "tab", "end", "tab", "right"]


def test_snapshot_unanswered_80x24(snap_compare) -> None:
    assert snap_compare(ChoiceApp(), terminal_size=(80, 24))


def test_snapshot_answered_80x24(snap_compare) -> None:
    assert snap_compare(ChoiceApp(), press=ANSWERED, terminal_size=(80, 24))


def test_snapshot_answered_column_60x20(snap_compare) -> None:
    assert snap_compare(ChoiceApp(), press=ANSWERED, terminal_size=(60, 20))


def test_snapshot_numbers_ansi_80x24(snap_compare) -> None:
    assert snap_compare(
        ChoiceApp(show_numbers=True, theme="ansi-dark"), press=ANSWERED, terminal_size=(80, 24)
    )
