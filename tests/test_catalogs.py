"""Every catalog is complete and current: each language has every message of its template,
translated, with the same placeholders, and the templates match a fresh extraction."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from fittui.locales import extract

PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")

# Words a language writes exactly as English does; any other message translated to its
# own English is a message someone forgot.
SAME_IN_BOTH: dict[str, set[str]] = {
    "da": {"Minimal", "Note", "partner"},
    "de": {"Minimal"},
    "es": {"Total"},
    "fr": {"Concentration", "Date", "Note", "Total", "parent"},
    "nb": {"Mild", "Minimal", "partner"},
    "nl": {"School", "partner"},
    "pt": {"Total"},
    "sv": {"Minimal", "partner"},
}
# The therapist's screens: abbreviations, scale names and words the language shares.
SAME_IN_THERAPIST: dict[str, set[str]] = {
    "de": {
        "(in {path})",
        "Episode {number}",
        "Episode {number}: {how}.",
        "Instrument",
        "Items",
        "Label",
        "ORS",
        "PIN",
        "SRS",
        "Status",
        "Video",
        "{n} SRS",
    },
    "es": {"12m", "ORS", "PIN", "SRS", "Total", "{n} d", "{n} SRS"},
}


def _catalogs() -> list[Path]:
    return sorted(extract.LOCALES.glob("*/*.po"))


def placeholders(text: str) -> tuple[list[str], list[str]]:
    """The ``{name}`` fields and the ``%`` formats of a message, each sorted."""
    fields = sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    return fields, sorted(PERCENT.findall(text))


def test_there_is_a_client_catalog_for_each_language_shipped() -> None:
    found = {path.stem for path in (extract.LOCALES / "client").glob("*.po")}
    assert found >= {"es", "de", "fr", "nl", "nb", "sv", "da", "pt"}


@pytest.mark.parametrize("path", _catalogs(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_message_is_translated_with_the_same_placeholders(path: Path) -> None:
    template = extract.read(extract.template_path(path.parent.name))
    catalog = extract.read(path, locale=path.stem)
    header = catalog.header_comment
    assert "Written for fittui" in header and "native-speaking clinician" in header
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        key = message.id if isinstance(message.id, str) else message.id[0]
        if found is None or found.fuzzy:
            problems.append(f"missing or fuzzy: {key!r}")
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [found.string] if isinstance(found.string, str) else list(found.string)
        if not strings or not all(strings):
            problems.append(f"not translated: {key!r}")
            continue
        if isinstance(message.id, str) and found.string == message.id:
            same = SAME_IN_BOTH.get(path.stem, set())
            if path.parent.name == "therapist":
                same = same | SAME_IN_THERAPIST.get(path.stem, set())
            if message.id not in same:
                problems.append(f"left in English: {key!r}")
        expected = placeholders(ids[-1])
        for text in strings:
            if placeholders(text) != expected:
                problems.append(f"placeholders differ: {key!r} -> {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("catalog", extract.CATALOGS)
def test_the_templates_are_current(catalog: str) -> None:
    """A fresh extraction equals the committed template (the date aside): after changing a
    string, run ``python -m fittui.locales``."""
    fresh = extract.without_date(extract.render(extract.extract(catalog)))
    committed = extract.without_date(extract.template_path(catalog).read_bytes())
    assert fresh == committed, "run python -m fittui.locales"


def test_the_instrument_extraction_skips_exact_published_wording() -> None:
    messages = {m.id for m in extract.extract("client") if m.id}
    assert "Individually" in messages and "Not well at all" in messages
    assert "Feeling down, depressed, or hopeless" not in messages
    assert "Nearly every day" not in messages
    assert "Down, depressed or hopeless" in messages  # our short label, for the summary page


@pytest.mark.slow
def test_running_the_command_twice_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    for catalog in extract.CATALOGS:
        (tmp_path / catalog).mkdir()
        (tmp_path / f"{catalog}.pot").write_bytes(extract.template_path(catalog).read_bytes())
    (tmp_path / "client" / "de.po").write_bytes((extract.LOCALES / "client" / "de.po").read_bytes())
    monkeypatch.setattr(extract, "LOCALES", tmp_path)
    assert extract.main([]) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.po*")}
    assert extract.main([]) == 0
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.po*")} == before
    assert extract.main(["--check"]) == 0
