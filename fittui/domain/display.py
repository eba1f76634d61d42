"""How figures are written for people to read, the same on every screen, page and command.

A change carries its sign ("+5.0", "-6.5"), a score is written as its instrument is read
("25.5" on a line, "12" on the PHQ-9), and a date with a time reads "2026-11-09 10:00".
Each is written once here, so a screen, the client's page and ``fittui history`` never
drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

from fittui.domain.instruments import Instrument, format_tenths
from fittui.domain.model import Administration

ScoreFormat = Callable[[int | None], str]


def score_format(administration: Administration, instruments: dict[str, Instrument]) -> ScoreFormat:
    """How this rating's scores are written: as its instrument is read ("7.5" on a line, "2"
    on the PHQ-9), or to one decimal when its instrument is not known here."""
    instrument = instruments.get(administration.instrument)
    return instrument.format_score if instrument else format_tenths


def signed(tenths: int | None, score: ScoreFormat = format_tenths) -> str:
    """A change with its sign, "+5.0", "-6.5" or "0.0" (``score`` writes the number); "-"
    when there is no change to show."""
    return ("+" if tenths is not None and tenths > 0 else "") + score(tenths)


def date_text(stamp: str) -> str:
    """A stored date, or date and time, as people read it: "2026-11-09T10:00" is shown
    "2026-11-09 10:00"."""
    return stamp.replace("T", " ")
