"""Words three rows tall, for a screen shared over a video call.

A video call shrinks and blurs a shared terminal; an item's label in ordinary text is hard
to read at the other end. Each letter here is a 3x5 grid of dots drawn with half blocks, so
it takes three rows and four columns (with the space after it) and reads at a glance.
Characters the font does not have are drawn as they are, in the middle row.
"""

from __future__ import annotations

# Each glyph: five rows of three dots ("#" lit, "." dark), top to bottom.
_GLYPHS = {
    "A": ".#. #.# ### #.# #.#",
    "B": "##. #.# ##. #.# ##.",
    "C": ".## #.. #.. #.. .##",
    "D": "##. #.# #.# #.# ##.",
    "E": "### #.. ##. #.. ###",
    "F": "### #.. ##. #.. #..",
    "G": ".## #.. #.# #.# .##",
    "H": "#.# #.# ### #.# #.#",
    "I": "### .#. .#. .#. ###",
    "J": "..# ..# ..# #.# .#.",
    "K": "#.# #.# ##. #.# #.#",
    "L": "#.. #.. #.. #.. ###",
    "M": "#.# ### #.# #.# #.#",
    "N": "##. #.# #.# #.# #.#",
    "O": ".#. #.# #.# #.# .#.",
    "P": "##. #.# ##. #.. #..",
    "Q": ".#. #.# #.# ##. .##",
    "R": "##. #.# ##. #.# #.#",
    "S": ".## #.. .#. ..# ##.",
    "T": "### .#. .#. .#. .#.",
    "U": "#.# #.# #.# #.# ###",
    "V": "#.# #.# #.# #.# .#.",
    "W": "#.# #.# #.# ### #.#",
    "X": "#.# #.# .#. #.# #.#",
    "Y": "#.# #.# .#. .#. .#.",
    "Z": "### ..# .#. #.. ###",
    "0": "### #.# #.# #.# ###",
    "1": ".#. ##. .#. .#. ###",
    "2": "##. ..# .#. #.. ###",
    "3": "##. ..# .#. ..# ##.",
    "4": "#.# #.# ### ..# ..#",
    "5": "### #.. ##. ..# ##.",
    "6": ".## #.. ### #.# ###",
    "7": "### ..# .#. .#. .#.",
    "8": "### #.# ### #.# ###",
    "9": "### #.# ### ..# ##.",
    " ": "... ... ... ... ...",
    "-": "... ... ### ... ...",
    ".": "... ... ... ... .#.",
    ",": "... ... ... .#. #..",
    "'": ".#. .#. ... ... ...",
    "?": "##. ..# .#. ... .#.",
    "!": ".#. .#. .#. ... .#.",
    "/": "..# ..# .#. #.. #..",
    "&": ".#. #.# .#. #.# .##",
}
GLYPH_WIDTH = 4  # three dots and a space
HEIGHT = 3
_HALVES = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def big_width(text: str) -> int:
    """Columns the big text takes (no space after the last letter)."""
    return max(0, len(text) * GLYPH_WIDTH - 1)


def can_draw(text: str) -> bool:
    """Whether every letter has a big glyph: a label with one that has none ("Persönlich",
    "Relación") is better written in bold than with one small letter among big ones."""
    return all(char in _GLYPHS or char == " " for char in text.upper())


def big_rows(text: str) -> list[str]:
    """The text as three rows of half blocks; letter case does not matter."""
    rows = [""] * HEIGHT
    for char in text.upper():
        glyph = _GLYPHS.get(char)
        if glyph is None:
            for n in range(HEIGHT):
                rows[n] += (char if n == 1 else " ") + " " * (GLYPH_WIDTH - 1)
            continue
        dots = [[c == "#" for c in row] for row in glyph.split()] + [[False] * 3]
        for n in range(HEIGHT):
            top, bottom = dots[2 * n], dots[2 * n + 1]
            rows[n] += "".join(_HALVES[pair] for pair in zip(top, bottom)) + " "
    return [row[:-1] if row else row for row in rows]
