"""Cells for the client list and the caseload: flags, status and time since last seen.

Every cell is a Rich ``Text`` (a plain string in a DataTable would be read as markup, so a
label like "[x]" would vanish). Colours come from the app's theme, so they follow the ansi
themes and stay readable when SSH drops COLORTERM; the words and symbols carry the meaning
on their own.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color

from fittui.domain.display import signed
from fittui.domain.etr import ZONE_WORDS
from fittui.domain.flags import describe_flag, flag_base
from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP, format_tenths
from fittui.domain.language import N_, _, n_
from fittui.domain.model import MODE_SHORT, Administration, Client

if TYPE_CHECKING:  # the scoring is imported after the list's first paint (``app.py``)
    from fittui.domain.scoring import Summary

# Which theme colour each flag and status is drawn in; anything else keeps the text colour.
FLAG_COLORS = {
    "phq9_item9": "error",
    "off_track": "error",
    "srs_drop": "warning",
    "srs_below_cutoff": "warning",
    "srs_item_low": "warning",
    "ors_below_cutoff": "accent",
    "gsrs_drop": "warning",
    "gsrs_below_cutoff": "warning",
    "split_alliance": "warning",
}
STATUS_COLORS = {"recovered": "success", "improved": "success", "deteriorated": "error"}
ZONE_COLORS = {"on_track": "success", "at_risk": "warning", "off_track": "error"}
STRONG_FLAGS = {"phq9_item9", "off_track"}
FLAG_SYMBOL_WIDTH = 6  # the widest built-in symbol, "⚠item9"


@lru_cache(maxsize=64)
def _style(theme: str, value: str | None, bold: bool) -> Style:
    return Style(color=Color.parse(value).rich_color if value else None, bold=bold)


def theme_style(app: App, name: str | None, bold: bool = False) -> Style:
    """A Rich style in the theme's colour ``name`` (e.g. "error"), or just bold/plain;
    made once per theme, since a list of a thousand clients asks for it thousands of times."""
    return _style(app.theme, app.theme_variables.get(name) if name else None, bold)


MORE_FLAGS = "…"  # after the flags a one-line cell shows: the client has more


def flags_cell(
    app: App, flags: tuple[str, ...], width: int | None = None, room: int | None = None
) -> Text:
    """Each flag's symbol, in its colour; risk flags also bold. With ``width``, the symbols
    wrap onto further lines instead of running past it (never a symbol cut in two). With
    ``room``, one line of at most that many columns: the first flags (the most pressing
    come first) whole, then "…" for those left out, never a symbol cut short, where a
    rater's mark could be lost and a parent's flag read as the client's own."""
    shown = flags if room is None else _flags_within(flags, room)
    text = Text()
    line = 0
    for flag in shown:
        symbol = describe_flag(flag)[0]
        if text:
            wraps = width is not None and line + 1 + len(symbol) > width
            text.append("\n" if wraps else " ")
            line = 0 if wraps else line + 1
        base = flag_base(flag)  # a partner's ▼SRS(pt) in the colour of the client's ▼SRS
        strong = flag in STRONG_FLAGS or base not in FLAG_COLORS and symbol.startswith("⚠")
        color = FLAG_COLORS.get(base, "error" if strong else None)
        text.append(symbol, theme_style(app, color, strong))
        line += len(symbol)
    if len(shown) < len(flags):
        text.append(f" {MORE_FLAGS}" if text else MORE_FLAGS)
    return text


def _flags_within(flags: tuple[str, ...], room: int) -> tuple[str, ...]:
    """The first flags whose symbols fit in ``room`` columns: all of them, or as many as
    leave room for ``MORE_FLAGS`` after them."""
    symbols = [describe_flag(flag)[0] for flag in flags]
    if cell_len(" ".join(symbols)) <= room:
        return flags
    kept, used = 0, cell_len(MORE_FLAGS)
    while kept < len(flags) and used + cell_len(symbols[kept]) + 1 <= room:
        used += cell_len(symbols[kept]) + 1
        kept += 1
    return flags[:kept]


def status_cell(app: App, status: str, words: str | None = None) -> Text:
    """The status in its colour; ``words`` replace the status word (``status_words``)."""
    return Text(words or _(status), theme_style(app, STATUS_COLORS.get(status)))


def status_words(client: Client, summary: Summary) -> str:
    """The status as the therapist reads it. Before a second ORS there is no change to
    judge, so the status says how far the client has got ("1 ORS so far", "no CORS yet")
    rather than a word that reads like a verdict on the client."""
    first = summary.ors[0].instrument if summary.ors else None
    return progress_words(client, summary.status, len(summary.ors), first)


def progress_words(client: Client, status: str, ors_count: int, instrument: str | None) -> str:
    """``status_words`` from the figures a client's row keeps: the status, how many ORS
    (of the family) the episode has and on which instrument."""
    if status != "insufficient":
        return _(status)
    if ors_count and instrument:
        return n_("{n} {key} so far", "{n} {key} so far", ors_count).format(
            n=ors_count, key=instrument
        )
    return _("no {key} yet").format(key=DEFAULTS_BY_AGE_GROUP[client.age_group][0])


# The statuses' words (translated where shown), and the status filter's where they differ.
STATUS_WORDS = (
    N_("recovered"),
    N_("improved"),
    N_("unchanged"),
    N_("deteriorated"),
    N_("insufficient"),
)
STATUS_FILTER_WORDS = {"insufficient": N_("fewer than 2 ORS")}


def zone_cell(app: App, zone: str | None) -> Text:
    """Where the client is against the expected path: on track, behind, off track."""
    if zone is None:
        return Text("-")
    return Text(_(ZONE_WORDS[zone][0]), theme_style(app, ZONE_COLORS[zone], zone == "off_track"))


# How a rating was taken (``model.MODE_SHORT``), marked for the therapist catalog.
MODE_WORDS = (N_("screen share"), N_("aloud"), N_("home form"), N_("paper"))


def taken_words(a: Administration) -> str:
    """Who gave a rating and how, in the therapist's language: "client · aloud"."""
    how = MODE_SHORT[a.mode]
    return f"{_(a.rater)} · {_(how)}" if how else _(a.rater)


def first_upper(words: str) -> str:
    """Words with a capital first letter and the rest as written ("Vom Kurs ab", never
    "Vom kurs ab" as ``str.capitalize`` would make a German noun)."""
    return words[:1].upper() + words[1:]


def plain(value: str) -> Text:
    return Text(value)


def score_cell(tenths: int | None) -> Text:
    return Text(format_tenths(tenths), justify="right")


def change_cell(tenths: int | None) -> Text:
    return Text(signed(tenths), justify="right")


def since_words(days: int | None) -> str:
    """How long ago the client was last seen, for a cell: "today", "6 d", "3 wk"."""
    if days is None:
        return _("never")
    if days <= 0:
        return _("today")
    if days < 14:
        return _("{n} d").format(n=days)
    return _("{n} wk").format(n=days // 7)


def since_same(days: int | None) -> int | None:
    """A number of days ``since_words`` says in the same words as ``days``: the first day of
    its week from two weeks on. A list measures its column from the words of a few dozen
    such days rather than of every day its clients were last seen."""
    return days if days is None or days < 14 else days // 7 * 7
