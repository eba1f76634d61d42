"""A date, a rater or a mode typed on the command line in its plainest form, for ``fittui
record``'s light way (``cli/record_light.py``): apart from ``rating_rules.py`` because most
ratings are recorded as they are taken, by the client in the room, without ``--date``,
``--rater`` or ``--mode``, and a fresh process pays for every line it compiles. Anything
but the plainest form gives None, and the full way reads it and says what is wrong
(``model.parse_when``, ``check_rater``, ``check_mode``).
"""

from __future__ import annotations

from fittui.domain.rating_rules import MODE_WORDS

_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ROLE = _LOWER | {"_", "-"}


def plain_when(text: str) -> str | None:
    """A date ``YYYY-MM-DD`` or date and time ``YYYY-MM-DDTHH:MM`` that exists, as saved;
    None for any other way of writing one, and for what is not one."""
    raw = text.strip()
    if not (
        len(raw) in (10, 16)
        and raw[4] + raw[7] + raw[10:11] + raw[13:14] in ("--", "--T:")
        and (digits := raw[:4] + raw[5:7] + raw[8:10] + raw[11:13] + raw[14:]).isascii()
        and digits.isdigit()
    ):
        return None
    year, month, day = int(raw[:4]), int(raw[5:7]), int(raw[8:10])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    if year < 1000 or not 1 <= month <= 12 or not 1 <= day <= days[month - 1]:
        return None
    if len(raw) == 16 and (int(raw[11:13]) > 23 or int(raw[14:]) > 59):
        return None
    return raw


def plain_rater(text: str) -> str | None:
    """The role who rated, as saved (``partner``); None when it is not a role."""
    role = text.strip().lower()
    return role if 0 < len(role) <= 32 and role[0] in _LOWER and _ROLE.issuperset(role) else None


def plain_mode(text: str) -> str | None:
    """How the rating was taken, one of ``MODE_WORDS`` in any case and with '-' for '_'."""
    key = text.strip().lower().replace("-", "_")
    return key if key in MODE_WORDS else None
