"""One item drawn large, for a screen shared over video while the therapist moves the mark.

Over a video call the client cannot reach the keys, so they direct the mark aloud ("a bit
more to the left") while the therapist presses them. The keys, the value and the messages
are the slider's own; only the drawing differs: the label in letters three rows tall, a
line three rows thick with a mark as tall, and nothing thin or pale that a compressed video
would lose.
"""

from __future__ import annotations

from textual.content import Content

from fittui.ui.widgets.big_text import big_rows, big_width, can_draw
from fittui.ui.widgets.slider import GUTTER, LineGeometry, Slider

LINE_TOP, LINE_ROW, LINE_BOTTOM = 5, 6, 7  # under three rows of label and a description


class ShareLine(Slider):
    """A slider for a shared screen: the same keys and messages, drawn large.

    Rows: the label three rows tall (or in bold when too wide for big letters), the
    description, a blank row, the thick line with its mark, and the words at its ends.
    """

    DEFAULT_CSS = """
    ShareLine {
        height: 9;
        padding: 0 2;
        & > .slider--label { text-style: bold; color: $foreground; }
        & > .slider--description { text-style: bold; color: $foreground; }
        & > .slider--line { color: $foreground; }
        & > .slider--mark { color: $accent; }
        & > .slider--ends { text-style: bold; color: $foreground; }
        & > .slider--numbers { text-style: bold; color: $foreground; }
        &:focus { background: $background; }
    }
    """

    def _line_geometry(self) -> LineGeometry:
        left, right = self._number_widths()
        start = len(GUTTER) + left
        room = max(3, self.size.width - start - right)
        return LineGeometry(LINE_ROW, start, room if room % 2 else room - 1)

    def _on_line(self, row: int, geometry: LineGeometry) -> bool:
        """A click anywhere on the thick line marks it, not only on its middle row."""
        return LINE_TOP <= row <= LINE_BOTTOM

    def _label_rows(self, width: int) -> list[Content]:
        style = self.get_visual_style("slider--label")
        label = self.item.label
        if big_width(label) <= width and can_draw(label):
            pad = (width - big_width(label)) // 2
            return [Content.styled(" " * pad + row, style) for row in big_rows(label)]
        return [Content(""), Content.styled(label.center(width), style), Content("")]

    def _thick_line(self, geometry: LineGeometry) -> list[Content]:
        line_style = self.get_visual_style("slider--line")
        mark_style = self.get_visual_style("slider--mark")
        length = geometry.length
        cell = None if self.value is None else self._cell_of(self.value, length)
        rows = []
        for n, (end, middle) in enumerate((("▐", " "), ("█", "━"), ("▐", " "))):
            plain = end + middle * (length - 2) + end
            row = Content.styled(plain, line_style)
            if cell is not None:  # three cells wide, so a blurred video still shows it
                left, right = max(0, cell - 1), min(length, cell + 2)
                row = Content.assemble(row[:left], ("█" * (right - left), mark_style), row[right:])
            if self.show_numbers and n == 1:
                numbers = self.get_visual_style("slider--numbers")
                value = "" if self.value is None else self.tr.score(self.value)
                row = Content.assemble(
                    (f"{self.tr.score(self.scale_min, decimals=False)} ", numbers),
                    row,
                    (f" {self.tr.score(self.scale_max, decimals=False)}  ", numbers),
                    (value.rjust(len(self.tr.score(self.scale_max))), numbers),
                )
            elif self.show_numbers:
                left, _ = self._number_widths()
                row = Content.assemble(" " * (left - len(GUTTER)), row)
            rows.append(Content.assemble(GUTTER, row))
        return rows

    def render(self) -> Content:
        width = self.size.width
        geometry = self._line_geometry()
        rows = self._label_rows(width)
        description = self.get_visual_style("slider--description")
        rows.append(Content.styled(self.item.description.center(width), description))
        rows.append(Content(""))
        rows.extend(self._thick_line(geometry))
        rows.append(self._render_ends(geometry))
        return Content("\n").join(row.truncate(width, ellipsis=True) for row in rows)
