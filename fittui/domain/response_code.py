"""The response code a client reads out after filling in a rating form at home.

A home form is a file with no server behind it, so the scores come back the way a person
can carry them: a short line to read aloud or paste into a video call's chat, such as
``ORS 5.5 7.0 10.0 0.0 · K7Q2-9F``. The scores stand in plain sight (nothing is hidden
from the client); ``K7Q2`` is the form's id, which the therapist's database ties to the
client and the instrument the form was made for; ``9F`` is a check.

The check is a weighted sum modulo the prime 1021 over every symbol of the code (the
instrument's letters, each score in tenths, each character of the form id), written as two
characters. Because 1021 is prime and every weight and symbol is smaller, any one changed
symbol and any two symbols swapped always change the sum: a misheard score, a mistyped id
or two scores read in the wrong order is refused, never saved. The same sum is computed by
the form page's script (``formats``' form page), so the two must stay in step; the tests
check them against each other in a real browser.

Pure functions: no I/O, no Textual.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from fittui.domain.instruments import Instrument, InstrumentError, find_instrument

# Crockford's base 32: no I, L, O or U, so nothing reads as another character aloud.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
FORM_ID_LENGTH = 4
CHECK_MODULUS = 1021
SEPARATOR = "·"
MAX_SYMBOL = CHECK_MODULUS - 1


class ResponseCodeError(ValueError):
    """A response code that cannot be used; the message says what to do about it."""


@dataclass(frozen=True)
class Response:
    """What a response code says: which instrument, the scores in tenths, which form."""

    instrument: str
    items: dict[str, int]
    form_id: str


def new_form_id(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A form id no other open form in the database uses (about a million to pick from)."""
    while True:
        form_id = "".join(secrets.choice(ALPHABET) for _ in range(FORM_ID_LENGTH))
        if form_id not in taken:
            return form_id


def _symbols(instrument_key: str, scores: list[int], form_id: str) -> list[int]:
    symbols = [ord(c) for c in instrument_key.upper()]
    symbols += scores
    symbols += [ALPHABET.index(c) for c in form_id]
    if any(not 0 <= s <= MAX_SYMBOL for s in symbols):
        raise ResponseCodeError("a score or character is outside what a response code carries")
    return symbols


def check_value(instrument_key: str, scores: list[int], form_id: str) -> int:
    """The weighted sum, modulo 1021, with weights 1, 2, 3... in reading order."""
    symbols = _symbols(instrument_key, scores, form_id)
    return sum((n + 1) * s for n, s in enumerate(symbols)) % CHECK_MODULUS


def check_text(value: int) -> str:
    """The check as two characters of the alphabet."""
    high, low = divmod(value, len(ALPHABET))
    return ALPHABET[high] + ALPHABET[low]


def fits_a_code(instrument: Instrument) -> bool:
    """Whether an instrument's scores fit in a response code (every built-in one does)."""
    return 0 <= instrument.scale_min and instrument.scale_max <= MAX_SYMBOL


def make_code(instrument: Instrument, items: dict[str, int], form_id: str) -> str:
    """The line the form page shows after Done; the same one ``parse_code`` reads."""
    scores = [items[item.key] for item in instrument.items]
    shown = " ".join(instrument.format_score(s) for s in scores)
    check = check_text(check_value(instrument.key, scores, form_id))
    return f"{instrument.key} {shown} {SEPARATOR} {form_id}-{check}"


def _normalise(token: str) -> str:
    return "".join(_READ_AS.get(c, c) for c in token.upper())


_TAIL = re.compile(rf"^([0-9A-Z]{{{FORM_ID_LENGTH}}})-?([0-9A-Z]{{2}})$")
# The id and check as a person types them on hearing them ("K7Q2 9F", "K7Q2 - 9F") or a
# chat app passes them on (its hyphen made a dash): joined back into one "K7Q2-9F".
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_SPLIT_TAIL = re.compile(
    rf"(?<![^\s·|;])([0-9A-Za-z]{{{FORM_ID_LENGTH}}})\s*-?\s*([0-9A-Za-z]{{2}})\s*$"
)


def parse_code(text: str, instruments: dict[str, Instrument]) -> Response:
    """Read a response code as typed or pasted, or say exactly what is wrong with it.

    Spaces, the middle dot and letter case do not matter, nor a space or a dash for the
    hyphen between the form id and the check; a decimal comma is read as a point (``5,5``);
    O, I and L in the form id are read as 0, 1 and 1.
    """
    text = _SPLIT_TAIL.sub(r"\1-\2", text.translate(_DASHES).strip())
    tokens = [t for t in re.split(r"[\s·|;]+", text) if t]
    if len(tokens) < 3:
        raise ResponseCodeError(
            "a response code looks like 'ORS 5.5 7.0 10.0 0.0 · K7Q2-9F': "
            "the instrument, one score per item, then the form id and check"
        )
    try:
        instrument = find_instrument(instruments, tokens[0])
    except InstrumentError:
        raise ResponseCodeError(f"the code starts with {tokens[0]!r}, not an instrument") from None
    tail = _TAIL.match(_normalise(tokens[-1]))
    if not tail or any(c not in ALPHABET for c in tail.group(1) + tail.group(2)):
        raise ResponseCodeError(
            f"the code should end with the form id and check, like K7Q2-9F, not {tokens[-1]!r}"
        )
    form_id, check = tail.groups()
    texts = [t.replace(",", ".") for t in tokens[1:-1]]
    if len(texts) != len(instrument.items):
        raise ResponseCodeError(
            f"{instrument.key} has {len(instrument.items)} items but the code has "
            f"{len(texts)} scores; read the code again"
        )
    try:
        scores = [instrument.parse_score(t) for t in texts]
    except InstrumentError as exc:
        raise ResponseCodeError(f"{exc}; read the code again") from None
    if check_text(check_value(instrument.key, scores, form_id)) != check:
        raise ResponseCodeError(
            "the check does not match: a score or a character was misread or changed; "
            "read the code again, exactly as the form shows it"
        )
    return Response(
        instrument.key, {item.key: s for item, s in zip(instrument.items, scores)}, form_id
    )
