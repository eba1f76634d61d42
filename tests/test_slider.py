"""The visual-analogue slider: every key, the click, its messages and its look.

Pilot tests drive a tiny app holding the four ORS items; snapshots fix how the line
looks at 80x24 and at 60x20 (compact), unmarked and marked.
"""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from fittui.domain.instruments import Item, load_instruments
from fittui.ui.widgets.slider import Slider

ORS = load_instruments()["ORS"]
MARK = "█"


class SliderApp(App[None]):
    """The four ORS items, one under the other, recording what the sliders post."""

    CSS = """
    #frame { text-style: bold; margin-bottom: 1; }
    Slider { margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "record('up')"),
        Binding("down", "record('down')"),
    ]

    def __init__(
        self,
        *,
        compact: bool = False,
        show_numbers: bool = False,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.compact = compact
        self.show_numbers = show_numbers
        self.start_theme = theme
        self.changed: list[tuple[str | None, int | None]] = []
        self.confirmed: list[tuple[str | None, int | None]] = []
        self.keys_seen: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(ORS.frame, id="frame")
        for item in ORS.items:
            yield Slider(
                item,
                ORS.scale_min,
                ORS.scale_max,
                show_numbers=self.show_numbers,
                id=item.key,
                classes="-compact" if self.compact else None,
            )

    def on_mount(self) -> None:
        if self.start_theme is not None:
            self.theme = self.start_theme

    def on_answer_changed(self, event: Slider.Changed) -> None:
        self.changed.append((event.control.id, event.value))

    def on_answer_confirmed(self, event: Slider.Confirmed) -> None:
        self.confirmed.append((event.control.id, event.value))

    def action_record(self, key: str) -> None:
        self.keys_seen.append(key)


def first(app: App) -> Slider:
    return app.query_one("#individually", Slider)


def rows(slider: Slider) -> list[str]:
    return slider.render().plain.split("\n")


def line_span(slider: Slider) -> tuple[int, int, int]:
    """The line's row and its first and last cell, in the slider's own coordinates.

    Found in the drawn text (the line's two end caps), so clicks aim where a client would.
    """
    for row, text in enumerate(rows(slider)):
        caps = [x for x, char in enumerate(text) if char in "├┤┣┫"]
        if caps:
            return (
                row + slider.gutter.top,
                caps[0] + slider.gutter.left,
                caps[-1] + slider.gutter.left,
            )
    raise AssertionError("no line drawn")


async def test_items_start_unmarked() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for slider in app.query(Slider):
            assert slider.value is None
            assert MARK not in slider.render().plain
        assert app.changed == []


@pytest.mark.parametrize("key", ["left", "right", "shift+left", "shift+right"])
async def test_first_move_puts_the_mark_in_the_middle(key: str) -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert first(app).value == 50
        assert app.changed == [("individually", 50)]
        row, left, right = line_span(first(app))
        mark_x = rows(first(app))[row - first(app).gutter.top].index(MARK)
        assert mark_x + first(app).gutter.left == (left + right) // 2


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["right", "right"], 55),
        (["right", "left"], 45),
        (["right", "shift+right"], 51),
        (["right", "shift+left"], 49),
        (["right", "right", "right", "shift+left", "shift+left"], 58),
    ],
)
async def test_arrows_move_by_half_and_shift_arrows_by_a_tenth(
    keys: list[str], expected: int
) -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        assert first(app).value == expected


@pytest.mark.parametrize("digit", range(10))
async def test_digit_puts_the_mark_at_that_whole_number(digit: int) -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(str(digit))
        assert first(app).value == digit * 10


async def test_home_and_end_go_to_the_ends() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("end")
        assert first(app).value == 100
        await pilot.press("home")
        assert first(app).value == 0


async def test_the_mark_stays_on_the_line() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("9", "right", "right", "right")
        assert first(app).value == 100
        await pilot.press("0", "left", "shift+left")
        assert first(app).value == 0
        await pilot.pause()
        assert app.changed == [
            ("individually", 90),
            ("individually", 95),
            ("individually", 100),
            ("individually", 0),
        ]
        first(app).value = 250
        assert first(app).value == 100
        first(app).value = -7
        assert first(app).value == 0


def test_a_value_given_at_construction_is_clamped_and_kept() -> None:
    item = ORS.items[0]
    assert Slider(item, value=130).value == 100
    assert Slider(item, value=37).value == 37
    assert Slider(item).value is None


def test_an_empty_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="scale_min"):
        Slider(ORS.items[0], 100, 100)


async def test_any_scale_works() -> None:
    class HalfScale(App[None]):
        def compose(self) -> ComposeResult:
            yield Slider(Item("mood", "Mood"), 0, 50)

    app = HalfScale()
    async with app.run_test(size=(80, 24)) as pilot:
        slider = app.query_one(Slider)
        await pilot.press("right")
        assert slider.value == 25
        await pilot.press("9")
        assert slider.value == 50


async def test_enter_confirms_the_item() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6", "shift+right", "enter")
        await pilot.pause()
        assert app.confirmed == [("individually", 61)]


async def test_enter_on_an_unmarked_item_confirms_with_no_value() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.confirmed == [("individually", None)]


async def test_up_down_and_tab_are_left_to_the_screen() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("up", "down")
        assert app.keys_seen == ["up", "down"]
        await pilot.press("tab")
        assert app.focused is app.query_one("#interpersonally", Slider)
        assert first(app).value is None


async def test_click_at_the_ends_gives_the_ends() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        row, left, right = line_span(first(app))
        await pilot.click("#individually", offset=(right, row))
        assert first(app).value == 100
        await pilot.click("#individually", offset=(left, row))
        assert first(app).value == 0


async def test_click_maps_the_cell_to_tenths() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        row, left, right = line_span(first(app))
        cells = right - left
        for cell in (1, cells // 3, cells // 2, cells - 1):
            await pilot.click("#individually", offset=(left + cell, row))
            assert first(app).value == math.floor(cell * 100 / cells + 0.5)
            mark_x = rows(first(app))[row - first(app).gutter.top].index(MARK)
            assert mark_x + first(app).gutter.left == left + cell


async def test_click_focuses_the_item_it_marks() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        socially = app.query_one("#socially", Slider)
        row, left, right = line_span(socially)
        await pilot.click("#socially", offset=((left + right) // 2, row))
        assert socially.value == 50
        assert app.focused is socially


async def test_click_off_the_line_leaves_the_mark_alone() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        row, left, _ = line_span(first(app))
        await pilot.click("#individually", offset=(left + 10, row - 2))
        await pilot.click("#individually", offset=(left + 10, row + 1))
        assert first(app).value is None


async def test_click_past_the_end_numbers_lands_on_the_end() -> None:
    app = SliderApp(show_numbers=True)
    async with app.run_test(size=(80, 24)) as pilot:
        row, left, right = line_span(first(app))
        await pilot.click("#individually", offset=(left - 2, row))
        assert first(app).value == 0
        await pilot.click("#individually", offset=(right + 2, row))
        assert first(app).value == 100


async def test_focus_shows_in_the_text_not_only_in_colour() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        focused = rows(first(app))
        await pilot.press("tab")
        unfocused = rows(first(app))
        assert focused != unfocused
        assert focused[0].startswith("▶ Individually")
        assert unfocused[0].startswith("  Individually")
        assert "━" in focused[2] and "─" not in focused[2]
        assert "─" in unfocused[2] and "━" not in unfocused[2]
        assert MARK in focused[2] and MARK in unfocused[2]


async def test_rows_label_description_line_ends() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)):
        label, description, line, ends = rows(first(app))
        item = ORS.items[0]
        assert item.label in label
        assert item.description in description
        assert line.strip().startswith("┣") and line.rstrip().endswith("┫")
        assert ends.strip().startswith(item.low)
        assert ends.rstrip().endswith(item.high)
        assert len(ends.rstrip()) == len(line.rstrip())


async def test_compact_drops_the_description() -> None:
    app = SliderApp(compact=True)
    async with app.run_test(size=(60, 20)):
        slider = first(app)
        assert slider.size.height == 3
        label, line, ends = rows(slider)
        assert ORS.items[0].label in label
        assert ORS.items[0].description not in slider.render().plain
        assert "┣" in line
        assert ORS.items[0].low in ends


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_the_line_uses_most_of_the_width(width: int) -> None:
    app = SliderApp()
    async with app.run_test(size=(width, 24)):
        _, left, right = line_span(first(app))
        assert right - left + 1 >= width - 8
        assert right < first(app).size.width + first(app).gutter.left


async def test_numbers_are_hidden_by_default() -> None:
    app = SliderApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "shift+right")
        text = first(app).render().plain
        assert "5.1" not in text
        assert not any(char.isdigit() for char in text)


async def test_show_numbers_shows_the_value_and_the_scale() -> None:
    app = SliderApp(show_numbers=True)
    async with app.run_test(size=(80, 24)) as pilot:
        line = rows(first(app))[2]
        assert line.strip().startswith("0 ┣") and line.rstrip().endswith("┫ 10")
        await pilot.press("5", "right")
        line = rows(first(app))[2]
        assert line.rstrip().endswith("┫ 10   5.5")
        first(app).show_numbers = False
        assert "5.5" not in first(app).render().plain


async def test_ends_too_long_for_a_narrow_line_are_cut_not_wrapped() -> None:
    item = Item(
        "long", "Long", "", "Not at all well, not even a little", "Very well indeed, all of it"
    )

    class Narrow(App[None]):
        CSS = "Slider { width: 30; }"

        def compose(self) -> ComposeResult:
            yield Slider(item)

    app = Narrow()
    async with app.run_test(size=(80, 24)):
        slider = app.query_one(Slider)
        ends = rows(slider)[3]
        assert len(ends) <= slider.size.width
        assert ends.strip().startswith("Not at") and ends.rstrip().endswith("…")


async def test_mark_is_a_glyph_in_the_ansi_theme() -> None:
    app = SliderApp(theme="ansi-dark")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        assert app.theme == "ansi-dark"
        assert MARK in rows(first(app))[2]


MARKED = ["3", "tab", "right", "right", "tab", "end", "tab", "shift+right"]


def test_snapshot_unmarked_80x24(snap_compare) -> None:
    assert snap_compare(SliderApp(), terminal_size=(80, 24))


def test_snapshot_marked_80x24(snap_compare) -> None:
    assert snap_compare(SliderApp(), press=MARKED, terminal_size=(80, 24))


def test_snapshot_unmarked_compact_60x20(snap_compare) -> None:
    assert snap_compare(SliderApp(compact=True), terminal_size=(60, 20))


def test_snapshot_marked_compact_60x20(snap_compare) -> None:
    assert snap_compare(SliderApp(compact=True), press=MARKED, terminal_size=(60, 20))


def test_snapshot_numbers_80x24(snap_compare) -> None:
    assert snap_compare(SliderApp(show_numbers=True), press=MARKED, terminal_size=(80, 24))


def test_snapshot_ansi_80x24(snap_compare) -> None:
    assert snap_compare(SliderApp(theme="ansi-dark"), press=MARKED, terminal_size=(80, 24))
