"""The languages fittui speaks: the client's on every screen they see, the therapist's on theirs.

A session can run in two languages at once: the client rates in German while the therapist's
screens stay in English. So there are two gettext catalogs (``fittui/locales/``):

* ``client``: everything a client reads (the scales' short labels, the ends of the lines,
  the hints, the hand-back and thank-you screens, the summary page, the home form). Code
  that shows them holds a :class:`Translator` for the client's language and marks each
  string ``tr.c_("...")`` or ``tr.cn_("one", "many", n)``.
* ``therapist``: the therapist's own screens. Their language is chosen once at start-up
  (:func:`use_therapist_language`), and strings are marked ``_("...")`` or
  ``n_("one", "many", n)``. Strings built at import time (class attributes, tables) are
  marked ``N_("...")``, which only marks them, and translated with ``_()`` where shown.

Catalogs are read from their ``.po`` files with Babel, once per language and catalog, so
there is no compiled file to forget to rebuild. A message missing from a catalog shows in
English rather than not at all. Numbers and dates on the client's screens follow the
client's locale (5,5 in German and Spanish).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.model import InputError

Messages = dict[str, str | tuple[str, ...]]

Catalog = Literal["client", "therapist"]

ENGLISH = "en"

# What a language code looks like (``de``, ``pt_BR``): checked on every client record read.
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")

# Each language by the name its speakers give it: what the client form offers.
NAMES: Mapping[str, str] = {
    "en": "English",
    "es": "Español",
    "de": "Deutsch",
    "fr": "Français",
    "nl": "Nederlands",
    "nb": "Norsk bokmål",
    "sv": "Svenska",
    "da": "Dansk",
    "pt": "Português",
}

LOCALES = Path(__file__).resolve().parent.parent / "locales"


class _Languages(Mapping[str, str]):
    """English and every language with a client catalog (``locales/client/<code>.po``),
    each by its own name: adding a language is adding its file. Looked up on first use,
    so importing this module reads no folder."""

    @cached_property
    def _found(self) -> dict[str, str]:
        codes = sorted(path.stem for path in (LOCALES / "client").glob("*.po"))
        return {ENGLISH: NAMES[ENGLISH]} | {code: _own_name(code) for code in codes}

    def __getitem__(self, code: str) -> str:
        return self._found[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)


def _own_name(code: str) -> str:
    """A language's name in itself: ours for the languages fittui ships, else Babel's."""
    if code in NAMES:
        return NAMES[code]
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(code).get_display_name(code) or code)
    except (ValueError, UnknownLocaleError):
        return code


LANGUAGES: Mapping[str, str] = _Languages()


class UnknownLanguage(InputError):
    """A language code fittui has no catalog for (bad input: said, nothing changed)."""


def check_language(code: str) -> str:
    """The code, if fittui speaks it; otherwise an error that lists the ones it does."""
    if code not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise UnknownLanguage(f"unknown language {code!r} (fittui speaks: {known})")
    return code


def catalog_path(catalog: Catalog, code: str) -> Path:
    """Where the ``.po`` file of one catalog in one language lives."""
    return LOCALES / catalog / f"{code}.po"


class Translator:
    """One catalog in one language: messages, plurals, numbers and dates."""

    def __init__(self, code: str, catalog: Catalog) -> None:
        self.code = code
        self.catalog = catalog
        self._messages, self._plural = _load(catalog, code)

    def _text(self, message: str) -> str:
        found = self._messages.get(message)
        return found if isinstance(found, str) and found else message

    def _plural_text(self, singular: str, plural: str, n: int) -> str:
        found = self._messages.get(singular)
        if isinstance(found, tuple) and all(found):
            return found[min(self._plural(n), len(found) - 1)]
        return singular if n == 1 else plural

    # The client catalog's markers (extracted into client.pot).
    def c_(self, message: str) -> str:
        """A message the client reads, in the client's language."""
        return self._text(message)

    def cn_(self, singular: str, plural: str, n: int) -> str:
        """A message the client reads whose wording depends on a count."""
        return self._plural_text(singular, plural, n)

    # The same lookups, for the therapist catalog (used through _ and n_ below).
    def gettext(self, message: str) -> str:
        """A message in this translator's language (English when not translated)."""
        return self._text(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """A message whose wording depends on a count, by the language's plural rule."""
        return self._plural_text(singular, plural, n)

    def number(self, value: float | Decimal, decimals: int = 1) -> str:
        """A number as this language writes it (5.5 in English, 5,5 in German)."""
        if self.code == ENGLISH:
            return f"{value:.{decimals}f}"
        from babel.numbers import format_decimal

        pattern = "0." + "0" * decimals if decimals else "0"
        return str(format_decimal(value, format=pattern, locale=self.code))

    def score(self, tenths: int | None, decimals: bool = True) -> str:
        """A score held in tenths as this language writes it (25.5, 25,5; '-' for none)."""
        if tenths is None:
            return "-"
        if self.code == ENGLISH:
            return format_tenths(tenths, decimals)
        whole = Decimal(tenths) / 10
        return self.number(whole, 1) if decimals else self.number(whole // 1, 0)

    def short_date(self, day: date) -> str:
        """Day and month only, as this language writes them (Nov 2, 2.11.), for a chart."""
        from babel.dates import format_skeleton

        return str(format_skeleton("Md", day, locale=self.code))

    def date(self, day: date) -> str:
        """A date as this language writes it, in its medium form (1 Dec 2026, 01.12.2026)."""
        from babel.dates import format_date

        return str(format_date(day, format="medium", locale=self.code))


@cache
def _load(
    catalog: Catalog, code: str
) -> tuple[dict[str, str | tuple[str, ...]], Callable[[int], int]]:
    """The messages of one ``.po`` file and its plural rule; English has none to read."""
    path = catalog_path(catalog, code)
    if code == ENGLISH or not path.exists():
        return {}, _english_plural
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        read = read_po(handle, locale=code)
    messages: Messages = {}
    for message in read:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            messages[str(message.id[0])] = tuple(str(form) for form in message.string or ())
        else:
            messages[str(message.id)] = str(message.string or "")
    return messages, _plural_rule(read.plural_expr)


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


def _plural_rule(expression: str) -> Callable[[int], int]:
    """A catalog's plural rule (its ``Plural-Forms`` C expression) as a function."""
    from gettext import c2py

    rule = c2py(expression)
    return lambda n: int(rule(n))


@cache
def translator(code: str, catalog: Catalog = "client") -> Translator:
    """The translator of one catalog in one language (made once, then shared)."""
    return Translator(check_language(code), catalog)


def client_translator(code: str | None) -> Translator:
    """What a client's screens speak: their language, or the therapist's when unset (or
    when this fittui has no catalog for it, as for a language a newer fittui added)."""
    if code and code in LANGUAGES:
        return translator(code, "client")
    return translator(_therapist.code, "client")


_therapist: Translator = Translator(ENGLISH, "therapist")


def translated(instrument: Instrument, tr: Translator) -> Instrument:
    """An instrument with what the client reads in the client's language: the title, the
    question framing it, the items' labels, descriptions and line ends, the answers.

    Only for showing: the keys, the scale and the scoring are the instrument's own, so a
    rating saved from it is the same as one made in English. Wording a user's file
    supplied (not in the catalog) shows as written.
    """

    def c_(text: str) -> str:
        return tr.c_(text) if text else text

    return instrument.replace(
        name=c_(instrument.name),
        frame=c_(instrument.frame),
        options=tuple(c_(option) for option in instrument.options),
        items=tuple(
            item.replace(
                label=c_(item.label),
                description=c_(item.description),
                low=c_(item.low),
                high=c_(item.high),
            )
            for item in instrument.items
        ),
    )


def instrument_words(text: str) -> str:
    """An instrument's wording on the therapist's screens (a title, a short label, a severity
    band), in the therapist's language.

    These are our own words, already translated in the client catalog, so the therapist
    reads the same words the client does. A validated questionnaire's questions and answers
    are never in that catalog (see ``fittui/locales/extract.py``), so they stay as published
    where the language has no official wording; words a user's file supplied show as written.
    """
    return translator(_therapist.code, "client").c_(text) if text else text


def for_therapist(instrument: Instrument) -> Instrument:
    """An instrument as the therapist's screens show it: :func:`translated` into the
    therapist's language, severity bands too (see :func:`instrument_words`)."""
    shown = translated(instrument, translator(_therapist.code, "client"))
    bands = tuple(band.replace(label=instrument_words(band.label)) for band in shown.bands)
    return shown.replace(bands=bands)


def in_sentence(words: str) -> str:
    """A label set inside a sentence: lower case ("thoughts of death or self-harm"), except
    in German, where nouns keep their capital whatever their place."""
    return words if _therapist.code == "de" else words.lower()


def rater_name(tr: Translator, rater: str) -> str:
    """A rater's role as the client reads it: the usual roles translated, others as typed."""
    names = {
        "client": tr.c_("client"),
        "partner": tr.c_("partner"),
        "parent": tr.c_("parent"),
        "teacher": tr.c_("teacher"),
        "carer": tr.c_("carer"),
        "sibling": tr.c_("sibling"),
    }
    return names.get(rater, rater)


def available_in(instrument: Instrument, code: str) -> bool:
    """Whether a client can rate an instrument in a language: any language for one in our
    own words, only its listed languages for a validated questionnaire's exact wording."""
    return not instrument.languages or code in instrument.languages


def use_therapist_language(code: str) -> None:
    """Speak ``code`` on the therapist's screens from now on (set once, at start-up)."""
    global _therapist
    _therapist = translator(code, "therapist")


def therapist_language() -> str:
    """The code of the language the therapist's screens speak."""
    return _therapist.code


def language_from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The therapist's language from the usual variables, as gettext reads them.

    ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` then ``LANG``; the first language fittui
    speaks wins (``de_AT.UTF-8`` is German), and English when none does.
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in environ.get(name, "").split(":"):
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            if code == "no":  # Norwegian without a written standard: Bokmål
                code = "nb"
            if code in LANGUAGES:
                return code
    return ENGLISH


def _(message: str) -> str:
    """A message on the therapist's screens, in the therapist's language."""
    return _therapist.gettext(message)


def n_(singular: str, plural: str, n: int) -> str:
    """A message on the therapist's screens whose wording depends on a count."""
    return _therapist.ngettext(singular, plural, n)


def cN_(message: str) -> str:
    """Mark a message for the client catalog without translating it yet (a table built at
    import time); translated with ``tr.c_()`` where it is shown."""
    return message


def N_(message: str) -> str:
    """Mark a message for the therapist catalog without translating it yet (import time)."""
    return message
