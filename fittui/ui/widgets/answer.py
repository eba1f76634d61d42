"""What every widget that answers one item has in common, as Textual's ``ToggleButton`` is
for ``Checkbox`` and ``RadioButton``.

A line of the ORS (:class:`~fittui.ui.widgets.slider.Slider`) and a question of the PHQ-9
(:class:`~fittui.ui.widgets.choice.Choice`) are the same kind of thing: an answer, in integer
tenths, that starts empty so nothing is suggested, changes by a key or a click, and is
confirmed with Enter. The value, its two messages, the keys they share, the "▶" gutter
of focus and the look they share (the full width, the panel behind the one in focus) live
here; the subclasses only say how their answers move and how they are drawn.
"""

from __future__ import annotations

from typing import ClassVar, TypedDict, Unpack

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from fittui.domain.instruments import Item
from fittui.domain.language import ENGLISH, Translator, translator

FOCUS_GUTTER = "▶ "
GUTTER = "  "


def move_bindings(
    step: int,
    description: str,
    keys: tuple[str, str] = ("left", "right"),
    action: str = "move",
    show: bool = True,
) -> list[BindingType]:
    """Two keys that move the answer back and forth by `step` (Left and Right unless told),
    shown in the footer as one key."""
    group = Binding.Group(description, compact=True)
    back, forth = keys
    return [
        Binding(back, f"{action}({-step})", description, show=show, group=group),
        Binding(forth, f"{action}({step})", description, show=show, group=group),
    ]


class WidgetOptions(TypedDict, total=False):
    """What every Textual widget takes: passed on to it untouched."""

    name: str | None
    id: str | None
    classes: str | None
    disabled: bool


class AnswerOptions(WidgetOptions, total=False):
    """What every answer widget takes besides its item and scale, so that a subclass
    passes them on without writing them out again."""

    show_numbers: bool
    value: int | None
    tr: Translator | None


class Answer(Widget, can_focus=True):
    """The client's answer to one item, in integer tenths, None until given.

    Up, Down and Tab are not bound here, so that the screen can use them to move between
    items.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "lowest", "Lowest", show=False),
        Binding("end", "highest", "Highest", show=False),
        *(Binding(str(digit), f"number({digit})", str(digit), show=False) for digit in range(10)),
        Binding("enter", "confirm", "Done", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | 0-9 | The answer at that whole number, where the scale has one. |
    | home, end | The lowest or the highest answer. |
    | enter | Post `Confirmed`: the client is done with this item. |
    """

    ALLOW_SELECT = False

    DEFAULT_CSS = """
    Answer {
        width: 1fr;
        padding: 0 1;
        pointer: pointer;
        &:focus {
            background: $panel;
        }
    }
    """

    value: reactive[int | None] = reactive(None, init=False)
    """The answer in tenths, kept on the scale; None while the item is unanswered."""

    show_numbers: reactive[bool] = reactive(False, layout=True)
    """Show the scale's numbers beside the answer."""

    class _Message(Message):
        """What both messages carry: the widget and its answer."""

        def __init__(self, answer: Answer, value: int | None) -> None:
            super().__init__()
            self.answer: Answer = answer
            self.value: int | None = value
            """The answer in tenths, or None while the item is unanswered."""

        @property
        def control(self) -> Answer:
            """The widget, so that `@on(Answer.Changed, "#item9")` works."""
            return self.answer

    class Changed(_Message):
        """Posted when the answer is given or changed, by a key, a click or code."""

    class Confirmed(_Message):
        """Posted on Enter: the client is done with this item. Also posted while the item
        is unanswered (`value` is None): whether it may be skipped is the screen's call."""

    def __init__(
        self,
        item: Item,
        scale_min: int = 0,
        scale_max: int = 100,
        *,
        show_numbers: bool = False,
        value: int | None = None,
        tr: Translator | None = None,
        **widget: Unpack[WidgetOptions],
    ) -> None:
        """Make the widget for one item.

        Args:
            item: The item: its label, description and the words at the scale's ends.
            scale_min: The lowest answer, in tenths.
            scale_max: The highest answer, in tenths.
            show_numbers: Show the scale's numbers beside the answer.
            value: An answer already given, in tenths (when a rating is resumed); kept on
                the scale.
            tr: The client's language, for the numbers (English when not given).
            **widget: The widget's name, id, classes and whether it is disabled.
        """
        if scale_min >= scale_max:
            raise ValueError(f"scale_min ({scale_min}) must be below scale_max ({scale_max})")
        super().__init__(**widget)
        self.item = item
        self.tr = tr or translator(ENGLISH)
        """The client's language, for numbers (5,5 in German) and the widget's own words."""
        self.scale_min = scale_min
        self.scale_max = scale_max
        self.set_reactive(Answer.value, self.validate_value(value))
        self.set_reactive(Answer.show_numbers, show_numbers)

    @property
    def focus_mark(self) -> str:
        """What goes before the first row: the "▶" of focus, which reads without colour."""
        return FOCUS_GUTTER if self.has_focus else GUTTER

    def validate_value(self, value: int | None) -> int | None:
        """Keep an answer on the scale: past an end lands on that end."""
        if value is None:
            return None
        return self.on_scale(max(self.scale_min, min(self.scale_max, value)))

    def on_scale(self, value: int) -> int:
        """The nearest value the widget can hold to one within the scale's ends."""
        return value

    def watch_value(self, value: int | None) -> None:
        """Tell the screen of every change, whether made by a key, a click or code."""
        self.post_message(self.Changed(self, value))

    def action_lowest(self) -> None:
        """The lowest answer."""
        self.value = self.scale_min

    def action_highest(self) -> None:
        """The highest answer."""
        self.value = self.scale_max

    def action_number(self, number: int) -> None:
        """The answer at a whole number ("7" gives 7.0); see :meth:`value_for_number`."""
        value = self.value_for_number(number)
        if value is not None:
            self.value = value

    def value_for_number(self, number: int) -> int | None:
        """What a digit key gives: here that number, a digit past an end landing on it."""
        return number * 10

    def action_confirm(self) -> None:
        """Tell the screen the client is done with this item."""
        self.post_message(self.Confirmed(self, self.value))
