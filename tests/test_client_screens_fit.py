"""The client's screens show every word of what they say, in every language, at 80x24 and
60x20: a sentence wider than the terminal wraps instead of running off its right edge."""

from __future__ import annotations

import pytest

from conftest import quick_pin
from fittui.domain.language import LANGUAGES, rater_name, translator
from fittui.storage.settings import Settings
from fittui.storage.store import Store
from fittui.ui.app import make_app
from fittui.ui.screens.thanks import ThankYouScreen

SIZES = [(80, 24), (60, 20)]
THERAPIST = Settings(pin=quick_pin())


def shown_words(app) -> list[str]:
    """The words on the terminal now, in reading order (a sentence wrapped is whole)."""
    lines = [strip.text for strip in app.screen._compositor.render_strips()]
    return [word for word in " ".join(lines).split() if not set(word) <= set("╭╮╰╯─│")]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("code", list(LANGUAGES))
@pytest.mark.parametrize("next_rater", [None, "partner"])
async def test_the_hand_back_screen_shows_every_word(db, code, size, next_rater):
    """German's "hand the laptop back" ran off the right edge at 80 columns ("…zurüc"),
    and English's "hand the laptop to the next person" at 60: the box was as wide as its
    longest line, whatever the terminal's width."""
    Store(db).add_client("C1", language=code)
    app = make_app(db, settings=THERAPIST)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.push_screen(ThankYouScreen(next_rater, "C1"))
        await pilot.pause()
        await pilot.pause()
        tr = translator(code)
        if next_rater:
            said = tr.c_(
                "Please hand the laptop to the next person ({rater}).\n\nPress Enter to begin."
            ).format(rater=rater_name(tr, next_rater))
        else:
            said = tr.c_("Please hand the laptop back to your therapist.")
        words = tr.c_("Thank you.").split() + said.split()
        shown = shown_words(app)
        assert shown == words, f"{code} at {size}: {' '.join(shown)}"
