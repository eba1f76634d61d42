"""Every sentence the client reads on their page (``fittui export --format html``), charts
included, in one table, so the page can be said in the client's language as one set.

Each entry is a template for ``str.format``; the names in braces are filled in by
:mod:`fittui.formats.client_html` and :mod:`fittui.formats.svg_chart`, always with text
that is already escaped for HTML. Scale names (ORS, PHQ-9) and scores stay as they are.
Each is marked ``cN_()`` for the client catalog and said in the client's language by
:func:`page_words`.
"""

from __future__ import annotations

from html import escape

from fittui.domain.language import Translator, cN_

PAGE_WORDS: dict[str, str] = {
    "title": cN_("{code}: how things have been going"),
    "no_ratings": cN_("No ratings yet."),
    "intake": cN_("First {instrument} on {day}: {total}."),
    "latest": cN_(
        "Latest, on {day}: {total} ({change} since the first). A change of 5 points or "
        "more is more than day-to-day ups and downs."
    ),
    "cutoff": cN_(
        "Scores below {cutoff} are in the range where people often look for help; the "
        "dashed line marks it."
    ),
    "srs": cN_(
        "The SRS shows how each session worked for you; below 36 means something could have "
        "gone better, and that is welcome news for us to talk about."
    ),
    "symptom_latest": cN_("Latest {instrument}, on {day}: {total} of {top}"),
    "symptom_band": ", {band}",  # the same in every language: not for translators
    "symptom_change": cN_(" ({change} since the first)"),
    "scales": cN_(
        "ORS: how you have been doing (0 to 40). SRS: how the session worked for you (0 to 40)."
    ),
    "child_scales": cN_(
        "YCORS: how things have been, pointed on the faces (0 to 10). "
        "YCSRS: how the session was, on the faces (0 to 10)."
    ),
    "symptom_scale": cN_("{instrument}: {name}, 0 to {top}; lower is better."),
    "symptom_key": cN_(
        "{instrument} totals; the dotted lines mark where each severity band starts."
    ),
    "column_date": cN_("Date"),
    "column_scale": cN_("Scale"),
    "column_rater": cN_("Rated by"),
    "column_items": cN_("Items"),
    "column_total": cN_("Total"),
    "column_note": cN_("Note"),
    "footer": cN_("Made with fittui on {day}."),
    "chart_title": cN_("ORS and SRS totals by session"),
    "child_chart_title": cN_("Faces, 0 to 10, by session"),
    "chart_cutoff": cN_("ORS cut-off {cutoff}"),
    "chart_srs_line": "SRS 36",
    "symptom_chart_title": cN_("{instrument} totals by session"),
}


def page_words(tr: Translator) -> dict[str, str]:
    """The page's sentences in ``tr``'s language, escaped for HTML (braces kept)."""
    return {key: escape(tr.c_(text), quote=False) for key, text in PAGE_WORDS.items()}
