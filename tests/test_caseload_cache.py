"""The caseload's cache of scored clients is spent when anything a figure reads changes."""

from __future__ import annotations

from datetime import date

from fittui.domain.instruments import load_instruments
from fittui.domain.model import Administration, Client
from fittui.domain.overview import overviews

INSTRUMENTS = load_instruments()


def ors(n: int, each: int, own_session: str | None = None) -> Administration:
    items = {item.key: each for item in INSTRUMENTS["ORS"].items}
    return Administration(f"r{n}", "K1", "ORS", "2026-03-01", items, own_session=own_session)


def test_keeping_a_rating_as_its_own_session_scores_the_client_again():
    # Two ORS on one day: the later replaces the earlier, one ORS so far. Kept as two
    # sessions (the result screen's k), both count: 20.0 to 30.0 is a recovery. The id,
    # date and note of each rating stay the same, and the cache must still see it.
    client = Client("K1", "adult")
    cache: dict = {}
    today = date(2026, 3, 2)
    before = {"K1": [ors(1, 50), ors(2, 75)]}
    (first,) = overviews([client], before, INSTRUMENTS, today, cache=cache)
    assert first.summary.status == "insufficient"
    kept = {"K1": [ors(1, 50), ors(2, 75, own_session="2026-03-01T11:00:00")]}
    (second,) = overviews([client], kept, INSTRUMENTS, today, cache=cache)
    assert second.summary.status == "recovered"
