"""What a rating typed on the command line may be: the rules as plain data and small functions.

Why apart from ``model.py`` and ``scales.py``: ``fittui record`` saves one rating in a fresh
process (``cli/record_light.py``), and the record model (datetime, typing, its records) or
the scales (decimal) would cost it more than the save. The model and the scales import
these back, so each rule is written once. The ``plain_*`` readers take only the plainest
form of a value (digits; a date, rater or mode in ``plain_options.py``, loaded only for
one of them given) and give None for anything else, including what is wrong: the full way
then reads it and says what is wrong.
"""

from __future__ import annotations

import time

# No regular expression is compiled here: each costs a fresh process a fraction of a
# millisecond, and ``fittui record`` has few to spare.
DEFAULT_RATER = "client"
MODE_WORDS = ("in_person", "screen_share", "spoken", "remote_form", "paper")
DEFAULT_MODE = MODE_WORDS[0]
# Why a rating is voided when a later one of the same session replaced it.
REPLACED_SAME_DAY = "replaced by a later rating the same day"
# In a note, line breaks and tabs are kept; every other control character is refused, and
# so are the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069).
NOTE_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"

_LINE = ("individually", "interpersonally", "socially", "overall")
_ALLIANCE = ("relationship", "goals_topics", "approach", "overall")
# What each built-in instrument's TOML file says of its items and of its scores in tenths
# (lowest, highest, step), in the order the instruments are loaded: ``scales.BUILTIN_SCALES``.
SCALE_ROWS = {
    "ORS": (_LINE, 0, 100, 1),
    "SRS": (_ALLIANCE, 0, 100, 1),
    "CORS": (("me", "family", "school", "everything"), 0, 100, 1),
    "CSRS": (("listening", "how_important", "what_we_did", "overall"), 0, 100, 1),
    "YCORS": (("face",), 0, 100, 1),
    "YCSRS": (("face",), 0, 100, 1),
    "GSRS": (_ALLIANCE, 0, 100, 1),
    "PHQ-9": (
        ("item1", "item2", "item3", "item4", "item5", "item6", "item7", "item8", "item9"),
        0,
        30,
        10,
    ),
    "GAD-7": (("item1", "item2", "item3", "item4", "item5", "item6", "item7"), 0, 30, 10),
}


def format_tenths(tenths: int | None, decimals: bool = True) -> str:
    """Tenths as the clinician reads them: 255 -> '25.5'."""
    if tenths is None:
        return "-"
    sign = "-" if tenths < 0 else ""
    whole, tenth = divmod(abs(tenths), 10)
    return f"{sign}{whole}.{tenth}" if decimals else f"{sign}{whole}"


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def plain_tenths(text: str, lowest: int, highest: int, step: int) -> int | None:
    """A score written in plain digits (``7``, ``7.3``, ``7.30``) that is one of the scale's
    answers, in tenths; None for anything else."""
    whole, dot, fraction = text.strip().partition(".")
    if not (_digits(whole) and (not dot or _digits(fraction)) and not fraction[1:].strip("0")):
        return None
    tenths = int(whole) * 10 + int(fraction[:1] or "0")
    return tenths if lowest <= tenths <= highest and tenths % step == 0 else None


def now_when() -> str:
    """The present moment as an administration's date and time."""
    return time.strftime("%Y-%m-%dT%H:%M")
