"""The visual-analogue line a client marks for one item, as on the paper ORS and SRS.

A long line with the item's label, a one-line description and the words at its two ends;
the client puts one mark on it with the arrow keys, a digit or a click. An item starts
with no mark, so no pre-set position anchors the answer. Numbers are hidden unless asked
for: on paper the client responds to the line, not to a number. The mark is a glyph of
its own and focus shows in the text (a "▶" and a heavier line), so the slider reads the
same in 16 colours, in 256, and to a client who does not tell colours apart.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual.binding import BindingType
from textual.content import Content
from textual.events import Click

from fittui.ui.widgets.answer import GUTTER, Answer, move_bindings

MARK = "█"
LINE = ("├", "─", "┤")
FOCUS_LINE = ("┣", "━", "┫")
FULL_HEIGHT = 4
"""Rows needed to show the description; with fewer rows it is the one row left out."""


class LineGeometry(NamedTuple):
    """Where the line sits within the content area, for drawing and for mapping clicks."""

    row: int
    start: int
    length: int


class Slider(Answer):
    """One 0-10 visual-analogue item: a line the client marks.

    The value is in integer tenths (55 is 5.5) and None until the client marks the line.
    The rows, top to bottom: the label, the description, the line, the end words. Given
    fewer than four rows (the `-compact` class sets three), the description is left out.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *move_bindings(5, "Move"),
        *move_bindings(1, "Move a little", keys=("shift+left", "shift+right"), show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | left, right | Move the mark by 0.5; on an unmarked line, put it in the middle. |
    | shift+left, shift+right | Move the mark by 0.1; on an unmarked line, put it in the middle. |

    A digit puts the mark at that whole number, and a click where it was clicked; Home, End
    and Enter are :class:`Answer`'s.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "slider--label",
        "slider--description",
        "slider--line",
        "slider--mark",
        "slider--ends",
        "slider--numbers",
    }
    """
    | Class | Description |
    | :- | :- |
    | `slider--label` | The item's label, with the "▶" of focus. |
    | `slider--description` | The one-line description under the label. |
    | `slider--line` | The line itself. |
    | `slider--mark` | The client's mark on the line. |
    | `slider--ends` | The words under the two ends of the line. |
    | `slider--numbers` | The scale numbers and the value, when `show_numbers` is on. |
    """

    DEFAULT_CSS = """
    Slider {
        height: 4;
        &.-compact {
            height: 3;
        }
        & > .slider--label {
            text-style: bold;
        }
        & > .slider--description {
            color: $text-muted;
        }
        & > .slider--line {
            color: $foreground-muted;
        }
        & > .slider--mark {
            color: $accent;
            text-style: bold;
        }
        & > .slider--ends {
            color: $text-muted;
        }
        & > .slider--numbers {
            color: $text-muted;
        }
        &:focus {
            & > .slider--label {
                color: $accent;
            }
            & > .slider--line {
                color: $foreground;
            }
            & > .slider--numbers {
                color: $foreground;
            }
        }
    }
    """

    @property
    def midpoint(self) -> int:
        """Where the first arrow key puts the mark: the middle of the line (5.0)."""
        return (self.scale_min + self.scale_max) // 2

    def action_move(self, tenths: int) -> None:
        """Move the mark; the first move on an unmarked line puts it in the middle.

        Putting it in the middle, rather than moving from one end, means the client's first
        key press never lands the mark on an extreme they did not choose.
        """
        self.value = self.midpoint if self.value is None else self.value + tenths

    async def _on_click(self, event: Click) -> None:
        """Put the mark where the line was clicked; a click past an end lands on that end."""
        offset = event.get_content_offset(self)
        geometry = self._line_geometry()
        if offset is None or not self._on_line(offset.y, geometry):
            return
        event.stop()
        cell = max(0, min(geometry.length - 1, offset.x - geometry.start))
        self.value = self._value_at(cell, geometry.length)

    def _on_line(self, row: int, geometry: LineGeometry) -> bool:
        """Whether a click on this row of the content is a click on the line."""
        return row == geometry.row

    def _value_at(self, cell: int, length: int) -> int:
        """The tenths a cell of the line stands for, rounded half up, the ends exact."""
        span = self.scale_max - self.scale_min
        return self.scale_min + (2 * cell * span + length - 1) // (2 * (length - 1))

    def _cell_of(self, value: int, length: int) -> int:
        """The cell of the line that shows a value: the inverse of `_value_at`."""
        span = self.scale_max - self.scale_min
        return (2 * (value - self.scale_min) * (length - 1) + span) // (2 * span)

    def _number_widths(self) -> tuple[int, int]:
        """Cells taken left and right of the line by the scale numbers and the value."""
        if not self.show_numbers:
            return 0, 0
        low = self.tr.score(self.scale_min, decimals=False)
        high = self.tr.score(self.scale_max, decimals=False)
        value_width = len(self.tr.score(self.scale_max))
        return len(low) + 1, 1 + len(high) + 2 + value_width

    def _line_geometry(self) -> LineGeometry:
        """The line's row and span for the current size: as wide as the content allows.

        The length is odd, so that the middle of the scale (5.0) has a cell of its own,
        centred, which a click can hit and where the first arrow key visibly puts the mark.
        """
        left, right = self._number_widths()
        row = 2 if self.size.height >= FULL_HEIGHT else 1
        start = len(GUTTER) + left
        room = max(3, self.size.width - start - right)
        return LineGeometry(row, start, room if room % 2 else room - 1)

    def render(self) -> Content:
        """Draw the label, the description, the line with its mark, and the end words."""
        width = self.size.width
        geometry = self._line_geometry()
        label = Content.assemble(
            self.focus_mark,
            (self.item.label, self.get_visual_style("slider--label")),
        )
        rows = [label]
        if geometry.row == 2:
            description = self.get_visual_style("slider--description")
            rows.append(Content.assemble(GUTTER, (self.item.description, description)))
        rows.append(self._render_line(geometry))
        rows.append(self._render_ends(geometry))
        return Content("\n").join(row.truncate(width, ellipsis=True) for row in rows)

    def _render_line(self, geometry: LineGeometry) -> Content:
        """The line, heavier when focused, with the mark and, if shown, the numbers."""
        first, middle, last = FOCUS_LINE if self.has_focus else LINE
        plain = first + middle * (geometry.length - 2) + last
        line = Content.styled(plain, self.get_visual_style("slider--line"))
        if self.value is not None:
            cell = self._cell_of(self.value, geometry.length)
            mark = (MARK, self.get_visual_style("slider--mark"))
            line = Content.assemble(line[:cell], mark, line[cell + 1 :])
        if not self.show_numbers:
            return Content.assemble(GUTTER, line)
        numbers = self.get_visual_style("slider--numbers")
        value = "" if self.value is None else self.tr.score(self.value)
        return Content.assemble(
            GUTTER,
            (f"{self.tr.score(self.scale_min, decimals=False)} ", numbers),
            line,
            (f" {self.tr.score(self.scale_max, decimals=False)}  ", numbers),
            (value.rjust(len(self.tr.score(self.scale_max))), numbers),
        )

    def _render_ends(self, geometry: LineGeometry) -> Content:
        """The low words under the left end of the line, the high words under the right.

        On a line too short for both, each gets half and is cut with an ellipsis.
        """
        room = geometry.length
        low, high = Content(self.item.low), Content(self.item.high)
        if low.cell_length + 1 + high.cell_length > room:
            half = (room - 1) // 2
            low = low.truncate(half, ellipsis=True)
            high = high.truncate(room - 1 - half, ellipsis=True)
        gap = room - low.cell_length - high.cell_length
        words = Content.assemble(low, " " * gap, high)
        return Content.assemble(
            " " * geometry.start, words.stylize(self.get_visual_style("slider--ends"))
        )
