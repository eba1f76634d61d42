"""Every sentence the client reads on their page (``fittui export --format html``), charts
included, in one table, so the page can be said in the client's language as one set.

Each entry is a template for ``str.format``; the names in braces are filled in by
:mod:`fittui.formats.client_html` and :mod:`fittui.formats.svg_chart`, always with text
that is already escaped for HTML. Scale names (ORS, PHQ-9) and scores stay as they are.
"""

from __future__ import annotations

PAGE_WORDS: dict[str, str] = {
    "title": "{code}: how things have been going",
    "no_ratings": "No ratings yet.",
    "intake": "First {instrument} on {day}: {total}.",
    "latest": (
        "Latest, on {day}: {total} ({change} since the first). A change of 5 points or "
        "more is more than day-to-day ups and downs."
    ),
    "cutoff": (
        "Scores below {cutoff} are in the range where people often look for help; the "
        "dashed line marks it."
    ),
    "srs": (
        "The SRS shows how each session worked for you; below 36 means something could have "
        "gone better, and that is welcome news for us to talk about."
    ),
    "symptom_latest": "Latest {instrument}, on {day}: {total} of {top}",
    "symptom_band": ", {band}",
    "symptom_change": " ({change} since the first)",
    "scales": (
        "ORS: how you have been doing (0 to 40). SRS: how the session worked for you (0 to 40)."
    ),
    "child_scales": (
        "YCORS: how things have been, pointed on the faces (0 to 10). "
        "YCSRS: how the session was, on the faces (0 to 10)."
    ),
    "symptom_scale": "{instrument}: {name}, 0 to {top}; lower is better.",
    "symptom_key": "{instrument} totals; the dotted lines mark where each severity band starts.",
    "column_date": "Date",
    "column_scale": "Scale",
    "column_rater": "Rated by",
    "column_items": "Items",
    "column_total": "Total",
    "column_note": "Note",
    "footer": "Made with fittui on {day}.",
    "chart_title": "ORS and SRS totals by session",
    "child_chart_title": "Faces, 0 to 10, by session",
    "chart_cutoff": "ORS cut-off {cutoff}",
    "chart_srs_line": "SRS 36",
    "symptom_chart_title": "{instrument} totals by session",
}
