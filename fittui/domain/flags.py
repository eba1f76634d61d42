"""The flags' symbols and words: what the client list draws for each flag a client's row
holds, without the scoring that raises them (``scoring.py``, imported after the list's first
paint); the scoring and every screen read them from here."""

from __future__ import annotations

from fittui.domain import language
from fittui.domain.language import N_

# flag -> (a short symbol for lists, words for the therapist); symbols never rely on colour.
# A collateral rater's flag is the same flag named with the rater: "srs_below_cutoff:partner"
# reads "▼SRS(pt)" (describe_flag, rater_mark).
FLAGS = {
    "phq9_item9": (
        "⚠item9",
        N_("PHQ-9 item 9 (thoughts of death or self-harm) above “Not at all”"),
    ),
    "ors_below_cutoff": ("▼ORS", N_("ORS below the clinical cut-off")),
    "srs_below_cutoff": ("▼SRS", N_("SRS below 36")),
    "srs_item_low": ("!item", N_("an SRS item below 9")),
    "srs_drop": ("↓SRS", N_("SRS fell 1 point or more since last time")),
    "gsrs_below_cutoff": ("▼GSRS", N_("the group's SRS (GSRS) below 36")),
    "gsrs_drop": ("↓GSRS", N_("the group's SRS (GSRS) fell 1 point or more since the last group")),
    "split_alliance": ("⇆split", N_("two people's SRS in the latest session differ by 5 or more")),
    "off_track": ("✗ETR", N_("ORS below the band around the expected path")),
}


def describe_flag(flag: str) -> tuple[str, str]:
    """The symbol and words of a flag; a collateral rater's flag carries the rater's mark
    (``rater_mark``) and role; a risk rule from a user's own instrument file gets a warning
    sign and its flag name, so no flag is ever dropped for want of words."""
    base, _, rater = flag.partition(":")
    symbol, words = FLAGS.get(base, (f"⚠{base}", base.replace("_", " ")))
    words = language._(words)  # the therapist's language (English on the command line)
    if rater:
        return f"{symbol}({rater_mark(rater)})", f"{words} ({language._(rater)})"
    return symbol, words


# The usual collateral raters' marks after a flag: a partner and a parent share their first
# letter, so each has a mark of its own, the same on every screen and in every key.
RATER_MARKS = {"partner": "pt", "parent": "pa", "teacher": "t"}


def rater_mark(rater: str) -> str:
    """The short mark of a rater after a flag ("pt" for a partner, "pa" for a parent); any
    other role is written out in full, since a shortened one could read as another."""
    return RATER_MARKS.get(rater, rater)


def flag_base(flag: str) -> str:
    """The flag without its rater: "srs_drop:partner" -> "srs_drop"."""
    return flag.partition(":")[0]
