"""Text from outside is data, never drawing.

A label, a note or a code comes from a person's typing, a file or a database that anyone
with access to the laptop could have edited. Written raw to a terminal, an escape sequence
in it could change the window title, write the clipboard (OSC 52), clear the screen or hide
a risk alert; a bidirectional override (U+202E) makes it show other text than it holds.
So control characters (C0, DEL, C1) and the bidirectional overrides and isolates
(U+202A-U+202E, U+2066-U+2069) are refused where such text comes in,
and shown as visible escapes (``\\x1b``) wherever stored text goes out, so old data is safe
too. Pure functions: no I/O, no Textual.
"""

from __future__ import annotations

import re

from fittui.domain.model import InputError
from fittui.domain.rating_rules import NOTE_CONTROL

# C0 (including tab and newline), DEL and C1: every character a terminal may act on; and
# the bidirectional overrides and isolates, which reorder what follows them on screen (a
# note or label could show other text than it holds, or push a warning out of sight).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A note may span lines (a CSV cell, say); the rest is refused there too.
_CONTROL_IN_NOTE = re.compile(NOTE_CONTROL)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def shown(text: str) -> str:
    """``text`` with every control character written out (``\\x1b``), safe to print."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_visible, text)


def shown_note(text: str) -> str:
    """A note as it may be shown in a multi-line place: line breaks and tabs kept, every
    other control character written out."""
    if _CONTROL_IN_NOTE.search(text) is None:
        return text
    return _CONTROL_IN_NOTE.sub(_visible, text)


def check_plain(text: str, what: str) -> str:
    """Refuse a code or label holding a control character; say which and where."""
    found = _CONTROL.search(text)
    if found is not None:
        raise InputError(
            f"{what} '{shown(text)}' holds a control character ({_visible(found)} at "
            f"position {found.start() + 1}); type it again without it"
        )
    return text


def check_note(text: str) -> str:
    """Refuse a note holding a control character other than a line break or a tab."""
    found = _CONTROL_IN_NOTE.search(text)
    if found is not None:
        raise InputError(
            f"note '{shown(text)}' holds a control character ({_visible(found)} at "
            f"position {found.start() + 1}); type it again without it"
        )
    return text
