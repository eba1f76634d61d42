"""Extract the two message templates and bring every catalog up to date, with Babel.

``python -m fittui.locales`` (or ``python -m fittui.locales --check``, which changes nothing
and exits 1 when a template is out of date) does what a contributor needs after changing a
string:

* ``client.pot``: every string marked ``tr.c_("...")``, ``tr.cn_("one", "many", n)`` or
  ``cN_("...")`` (a table's entry, translated where shown) in the code, and the
  client-facing wording of the built-in instrument files (titles, the question framing
  each scale, items' short labels and descriptions, the words at the ends of the lines,
  answer options), read by :func:`extract_instruments`;
* ``therapist.pot``: every string marked ``_()``, ``n_()`` or ``N_()``, and the words of
  the therapist screens' keys (``ui/screens/keys.toml``), read by :func:`extract_keys`;
* each ``client/<code>.po`` and ``therapist/<code>.po`` updated from its template as
  ``pybabel update`` does: translations kept, new messages added empty, a changed message
  kept as a fuzzy guess (shown in English until a translator confirms it).

Only the gettext markers named here count (no default keywords), so a stray ``gettext()``
never slips into a catalog. Locations are written without line numbers and messages in
order, so that editing code does not rewrite the catalogs; a template whose messages did
not change keeps its creation date, so running the command twice changes nothing.

An instrument file listing ``languages`` ships a validated questionnaire's exact published
wording (the PHQ-9, the GAD-7): its wording is never extracted, since a translation of a
validated questionnaire has to be its official one, not ours.
"""

from __future__ import annotations

import argparse
import io
import sys
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent
LOCALES = Path(__file__).resolve().parent
CATALOGS = ("client", "therapist")
KEYWORDS: Mapping[str, Mapping[str, Any]] = {
    "client": {"c_": None, "cn_": (1, 2), "cN_": None},
    "therapist": {"_": None, "n_": (1, 2), "N_": None},
}
METHODS: Mapping[str, list[tuple[str, str]]] = {
    "client": [
        ("**/instruments/*.toml", "fittui.locales.extract:extract_instruments"),
        ("**.py", "python"),
    ],
    "therapist": [
        ("**/screens/keys.toml", "fittui.locales.extract:extract_keys"),
        ("**.py", "python"),
    ],
}
COMMENT_TAG = "TRANSLATORS:"
NEW_HEADER = """\
# {name} translation of fittui ({catalog} catalog).
# Written for fittui, in its own words; open to review by a native-speaking clinician.
# Corrections are welcome: see "Languages" in the README.
#"""
DATE_HEADER = "POT-Creation-Date"
_ITEM_FIELDS = {
    "label": "short label",
    "description": "the line under the label",
    "low": "the low (left) end of the line",
    "high": "the high (right) end of the line",
}
HEADERS = {
    "client": """\
# What the client reads in fittui: the rating screens, the hand-back and thank-you screens,
# the client's summary page and the home rating form.
# The scales' wording here is fittui's own (short labels, descriptions, the ends of the
# lines), never the official item wording of the ORS or SRS: translate it as our words.
# Made by python -m fittui.locales; do not edit by hand.
#""",
    "therapist": """\
# What the therapist reads in fittui: every screen of the therapist's own.
# Made by python -m fittui.locales; do not edit by hand.
#""",
}


Shown = Iterator[tuple[object, str]]
"""Strings of a data file that are shown, each with where: (message, where it is shown)."""
ExtractionMethod = Callable[
    [IO[bytes], Mapping[str, Any], Collection[str], Mapping[str, Any]],
    Iterator[tuple[int, str, str, list[str]]],
]


def toml_extraction(keyword: str, shown: Callable[[dict[str, Any]], Shown]) -> ExtractionMethod:
    """A Babel extraction method for a kind of TOML file whose strings ``shown`` names: each
    is extracted as if marked ``keyword``, with a comment saying where it is shown."""

    def extract_method(
        fileobj: IO[bytes],
        keywords: Mapping[str, Any],
        comment_tags: Collection[str],
        options: Mapping[str, Any],
    ) -> Iterator[tuple[int, str, str, list[str]]]:
        text = fileobj.read().decode("utf-8")
        for message, where in shown(tomllib.loads(text)):
            if isinstance(message, str) and message:
                line = text[: max(0, text.find(message))].count("\n") + 1
                yield line, keyword, message, [where]

    return extract_method


def instrument_wording(data: dict[str, Any]) -> Shown:
    """An instrument file's client-facing wording, extracted as if marked ``c_()``.

    Of a file with a ``languages`` list (a validated questionnaire's exact published
    wording) only what is ours is extracted, for the client's summary page: the title, the
    items' short labels and the severity bands, never the questions or answers.
    """
    key = str(data.get("key", "?"))
    yield data.get("name"), f"{key}: the scale's title"
    if data.get("languages"):
        for band in data.get("bands", ()):
            yield band.get("label"), f"{key}: a severity band, on the client's summary page"
        for item in data.get("items", ()):
            where = f"item {item.get('key', '?')}, short label on the client's summary page"
            yield item.get("label"), f"{key}: {where}"
        return
    yield data.get("frame"), f"{key}: the question the whole scale answers"
    for option in data.get("options", ()):
        yield option, f"{key}: an answer option"
    for item in data.get("items", ()):
        for field, what in _ITEM_FIELDS.items():
            yield item.get(field), f"{key}: item {item.get('key', '?')}, {what}"


def key_wording(data: dict[str, Any]) -> Shown:
    """The words of the therapist screens' keys (``keys.toml``), extracted as if marked
    ``N_()``: each section's heading, each key's word in the footer and its help."""
    for screen, sections in data.items():
        for section in sections:
            yield section["section"], f"{screen}: a heading of the keys screen"
            for row in section["keys"]:
                yield row.get("word"), f"{screen}: a footer key"
                yield row.get("help"), f"{screen}: what a key does, on the keys screen"


extract_instruments = toml_extraction("c_", instrument_wording)
extract_keys = toml_extraction("N_", key_wording)


def extract(catalog: str) -> Catalog:
    """A fresh template of one catalog, from the package's code and instrument files."""
    template = Catalog(
        project="fittui", domain=catalog, header_comment=HEADERS[catalog], fuzzy=False
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE,
        METHODS[catalog],
        keywords=KEYWORDS[catalog],
        comment_tags=(COMMENT_TAG,),
        strip_comment_tags=True,
        directory_filter=lambda path: "__pycache__" not in path,
    ):
        location = f"fittui/{Path(filename).as_posix()}"
        template.add(message, None, [(location, lineno)], auto_comments=comments, context=context)
    return template


def render(catalog: Catalog, lineno: bool = False) -> bytes:
    """A catalog as it is written to disk: messages in order, no line numbers."""
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        sort_output=True,
        ignore_obsolete=True,
        include_lineno=lineno,
    )
    return buffer.getvalue()


def without_date(text: bytes) -> bytes:
    """A template's text without its creation date, to compare two extractions."""
    return b"".join(
        line for line in text.splitlines(keepends=True) if DATE_HEADER.encode() not in line
    )


def template_path(catalog: str) -> Path:
    return LOCALES / f"{catalog}.pot"


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def update_template(catalog: str) -> tuple[Catalog, bool]:
    """Write a fresh template unless its messages are unchanged; whether it changed."""
    fresh = extract(catalog)
    path = template_path(catalog)
    if path.exists():
        old = read(path)
        fresh.creation_date = old.creation_date
        if without_date(render(fresh)) == without_date(path.read_bytes()):
            return old, False
    path.write_bytes(render(fresh))
    return fresh, True


def update_catalogs(catalog: str, template: Catalog) -> list[Path]:
    """Update each language's ``.po`` from the template; the files that changed."""
    changed = []
    for path in sorted((LOCALES / catalog).glob("*.po")):
        translated = read(path, locale=path.stem)
        translated.update(template, update_creation_date=False)
        text = render(translated)
        if text != path.read_bytes():
            path.write_bytes(text)
            changed.append(path)
    return changed


def new_catalog(catalog: str, code: str) -> Path:
    """Start a language's catalog from the template: every message, none translated yet."""
    from babel import Locale

    path = LOCALES / catalog / f"{code}.po"
    if path.exists():
        raise SystemExit(f"{path} exists already")
    template = read(template_path(catalog))
    name = Locale.parse(code).get_display_name("en")
    started = Catalog(
        locale=code,
        domain=catalog,
        project="fittui",
        header_comment=NEW_HEADER.format(name=name, catalog=catalog),
        fuzzy=False,
    )
    started.update(template, update_creation_date=True)
    path.write_bytes(render(started))
    return path


def stale_templates() -> list[str]:
    """The catalogs whose committed template differs from a fresh extraction."""
    stale = []
    for catalog in CATALOGS:
        path = template_path(catalog)
        fresh = without_date(render(extract(catalog)))
        if not path.exists() or fresh != without_date(path.read_bytes()):
            stale.append(catalog)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Extract, update and say what changed; with ``--check``, only say what is stale."""
    parser = argparse.ArgumentParser(
        prog="python -m fittui.locales",
        description="Extract client.pot and therapist.pot and update every .po catalog.",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a template is stale"
    )
    parser.add_argument(
        "--new",
        metavar="CODE",
        help="start a catalog for a new language (client, or therapist with --therapist)",
    )
    parser.add_argument(
        "--therapist", action="store_true", help="with --new: the therapist's catalog"
    )
    args = parser.parse_args(argv)
    if args.new:
        print(f"started {new_catalog('therapist' if args.therapist else 'client', args.new)}")
        return 0
    if args.check:
        stale = stale_templates()
        for catalog in stale:
            print(f"{template_path(catalog)} is out of date: run python -m fittui.locales")
        return 1 if stale else 0
    for catalog in CATALOGS:
        template, changed = update_template(catalog)
        note = " (updated)" if changed else ""
        print(f"{template_path(catalog)}: {len(template)} messages{note}")
        for path in update_catalogs(catalog, template):
            print(f"  updated {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m fittui.locales.extract
    sys.exit(main())
