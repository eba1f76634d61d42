"""One question of a Likert questionnaire (PHQ-9, GAD-7): the question and its answers.

The question is shown in its exact wording, wrapped, with its answers under it in a row,
or in a column when the row does not fit (a phone over SSH). The client chooses with the
arrow keys, the answer's number, or a click. Nothing is chosen at first, so no answer is
suggested. The chosen answer is a filled circle ("●" among "○"), and focus is a "▶" before
the question, so it reads the same in 16 colours and to a client who does not tell
colours apart.

In a column, Up and Down move between the answers, as a client expects of a list going
down the screen; Enter moves on to the next question. In a row they are left to the screen,
which moves between questions with them.

The value, the messages and the keys shared with the slider come from
:class:`fittui.ui.widgets.answer.Answer`, so the rating screen treats every item alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple, Unpack

from textual.binding import BindingType
from textual.content import Content
from textual.events import Click
from textual.geometry import Size

from fittui.domain.instruments import Instrument, Item
from fittui.ui.widgets.answer import GUTTER, Answer, AnswerOptions, move_bindings

if TYPE_CHECKING:
    from fittui.ui.widgets.slider import Slider

CHOSEN = "●"
NOT_CHOSEN = "○"
MIN_GAP = 1
MAX_GAP = 4


class OptionPlace(NamedTuple):
    """Where one answer is drawn within the content area: its row and cell span."""

    row: int
    start: int
    end: int  # one past the last cell a click may hit


class Choice(Answer):
    """One Likert question: the client chooses one of its answers.

    The value is the answer's score in integer tenths (on the PHQ-9, "Several days" is 10)
    and None until the client answers. Up and Down choose only while the answers are in a
    column: in a row they are the screen's, to move between questions.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *move_bindings(1, "Answer"),
        *move_bindings(1, "Answer", keys=("up", "down"), action="move_in_column", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | left, right | The answer before or after; with none chosen, the first answer. |
    | up, down | The same, while the answers are in a column (otherwise not bound). |

    A digit chooses the answer scored that number (0 to 3 on the PHQ-9), and a click the
    answer clicked; Home, End and Enter are :class:`Answer`'s.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "choice--question",
        "choice--option",
        "choice--chosen",
    }
    """
    | Class | Description |
    | :- | :- |
    | `choice--question` | The question, with the "▶" of focus. |
    | `choice--option` | An answer not chosen. |
    | `choice--chosen` | The chosen answer. |
    """

    DEFAULT_CSS = """
    Choice {
        height: auto;
        & > .choice--question {
            text-style: bold;
        }
        & > .choice--option {
            color: $text-muted;
        }
        & > .choice--chosen {
            color: $accent;
            text-style: bold;
        }
        &:focus {
            & > .choice--question {
                color: $accent;
            }
            & > .choice--option {
                color: $foreground;
            }
        }
    }
    """

    def __init__(
        self,
        item: Item,
        options: tuple[str, ...],
        scale_min: int = 0,
        step: int = 10,
        *,
        number: int | None = None,
        **answer: Unpack[AnswerOptions],
    ) -> None:
        """Make the widget for one question.

        Args:
            item: The item: its `description` is the question as the client reads it
                (its `label` when there is no description).
            options: The answers' words, lowest score first.
            scale_min: The score of the first answer, in tenths.
            step: How much each next answer scores more, in tenths.
            number: The question's number, shown before it ("3."), or None.
            **answer: Whether to show each answer's score, an answer already given, and
                the widget's name, id, classes and whether it is disabled (see
                :class:`Answer`).
        """
        if len(options) < 2 or step <= 0:
            raise ValueError("a choice needs at least two answers and a positive step")
        self.options = tuple(options)
        self.step = step
        self.number = number
        super().__init__(item, scale_min, scale_min + step * (len(self.options) - 1), **answer)

    @property
    def index(self) -> int | None:
        """The position of the chosen answer among the options, or None."""
        return None if self.value is None else (self.value - self.scale_min) // self.step

    @property
    def question(self) -> str:
        """The question as shown: its number and its wording."""
        text = self.item.description or self.item.label
        return f"{self.number}. {text}" if self.number is not None else text

    def on_scale(self, value: int) -> int:
        """Between two answers lands on the lower one."""
        return value - (value - self.scale_min) % self.step

    @property
    def in_column(self) -> bool:
        """Whether the answers are drawn one under the other (the row does not fit)."""
        places = self._places(self.size.width)
        return self.size.width > 0 and places[0].row != places[-1].row

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Up and Down choose answers only in a column; in a row they reach the screen."""
        if action == "move_in_column":
            return self.in_column
        return True

    def action_move(self, offset: int) -> None:
        """The answer before or after; with none chosen yet, the first answer, from where
        the client reads on."""
        index = 0 if self.index is None else self.index + offset
        self.action_choose_index(max(0, min(len(self.options) - 1, index)))

    def value_for_number(self, number: int) -> int | None:
        """The answer scored this whole number; a digit no answer has gives nothing."""
        tenths = number * 10
        if tenths > self.scale_max or tenths < self.scale_min:
            return None
        return tenths if self.on_scale(tenths) == tenths else None

    def action_move_in_column(self, offset: int) -> None:
        """Up or Down along the column of answers."""
        self.action_move(offset)

    def action_choose_index(self, index: int) -> None:
        """Choose the answer at a position (negative counts from the end)."""
        self.value = self.scale_min + self.step * (index % len(self.options))

    # -- layout ---------------------------------------------------------------------------
    def _option_texts(self) -> list[str]:
        """Each answer's words, after its score when numbers are shown."""
        if not self.show_numbers:
            return list(self.options)
        return [
            f"{self.tr.score(self.scale_min + n * self.step, decimals=False)} {words}"
            for n, words in enumerate(self.options)
        ]

    def _question_lines(self, width: int) -> list[Content]:
        return Content(self.question).wrap(max(1, width - len(GUTTER)))

    def _places(self, width: int) -> list[OptionPlace]:
        """Where each answer goes: one row when they all fit, else one row each."""
        top = len(self._question_lines(width))
        cells = [len(NOT_CHOSEN) + 1 + len(text) for text in self._option_texts()]
        room = width - len(GUTTER) - sum(cells)
        gaps = len(cells) - 1
        if room < MIN_GAP * gaps:
            return [OptionPlace(top + n, len(GUTTER), width) for n in range(len(self.options))]
        gap = min(MAX_GAP, room // gaps)
        places, x = [], len(GUTTER)
        for cell in cells:
            places.append(OptionPlace(top, x, x + cell + gap))
            x += cell + gap
        return places

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The question's wrapped lines and the answers' row (or rows)."""
        return self._places(width)[-1].row + 1

    async def _on_click(self, event: Click) -> None:
        """Choose the answer that was clicked; a click on the question does nothing."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for index, place in enumerate(self._places(self.size.width)):
            if place.row == offset.y and place.start <= offset.x < place.end:
                event.stop()
                self.action_choose_index(index)
                return

    def render(self) -> Content:
        """Draw the question, then the answers with the chosen one filled in."""
        width = self.size.width
        question = self.get_visual_style("choice--question")
        lines = [
            Content.assemble(self.focus_mark if n == 0 else GUTTER, line).stylize(
                question, len(GUTTER)
            )
            for n, line in enumerate(self._question_lines(width))
        ]
        places = self._places(width)
        rows: dict[int, list[tuple[int, Content]]] = {}
        for index, (place, text) in enumerate(zip(places, self._option_texts())):
            chosen = index == self.index
            style = self.get_visual_style("choice--chosen" if chosen else "choice--option")
            cell = Content.styled(f"{CHOSEN if chosen else NOT_CHOSEN} {text}", style)
            rows.setdefault(place.row, []).append((place.start, cell))
        for row in sorted(rows):
            parts: list[Content | str] = []
            x = 0
            for start, cell in rows[row]:
                parts += [" " * (start - x), cell]
                x = start + cell.cell_length
            lines.append(Content.assemble(*parts))
        return Content("\n").join(line.truncate(width, ellipsis=True) for line in lines)


def answer_for(
    instrument: Instrument,
    item: Item,
    number: int,
    line: type[Slider],
    **answer: Unpack[AnswerOptions],
) -> Answer:
    """The widget an item is answered with: a questionnaire's answers to choose from (its
    scores are whole answers, which a line would put between two), else a ``line`` (the
    client's slider, or the shared screen's large one)."""
    if instrument.kind == "likert":
        scale = instrument.scale_min, instrument.step
        return Choice(item, instrument.options, *scale, number=number, **answer)
    return line(item, instrument.scale_min, instrument.scale_max, **answer)
