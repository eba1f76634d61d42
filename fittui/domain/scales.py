"""What a score may be: each built-in instrument's items and range as a table, and the one
rule that reads a typed score into tenths.

Why a table beside the instruments' TOML files: saving one rating from the command line
(``fittui record``) needs only the items and the range of one instrument, and reading
nine TOML files (with the TOML parser and the full ``Instrument``) would cost that command
more than the save itself. The TOML files stay the source of truth: ``BUILTIN_SCALES`` is
what they say, and ``tests/test_scales.py`` fails the moment one of them changes without
the table. A user's own instrument files are read as before (``load_instruments``); the
table is used only where there are none.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from fittui.domain.rating_rules import SCALE_ROWS, format_tenths

AGE_GROUPS = ("adult", "adolescent", "child", "young_child")


class InstrumentError(ValueError):
    """An instrument file, key or score that cannot be used; the message says where."""


class Scale(NamedTuple):
    """An instrument's items and the scores each takes, in tenths: from ``scale_min`` to
    ``scale_max`` in steps of ``step`` (1: tenths on a line; 10: whole answers)."""

    key: str
    items: tuple[str, ...]
    scale_min: int
    scale_max: int
    step: int

    @property
    def whole_numbers(self) -> bool:
        """Scored in whole numbers (a Likert scale), so shown without a decimal."""
        return self.step % 10 == 0

    def format_score(self, tenths: int | None) -> str:
        """A score or total as this instrument is read: '25.5' on a line, '12' on the PHQ-9."""
        return format_tenths(tenths, decimals=not self.whole_numbers)

    def parse_score(self, text: str | float | int) -> int:
        """Turn one score as typed into tenths, or say exactly what is wrong with it."""
        from decimal import Decimal, InvalidOperation  # only here: it costs every start

        raw = str(text).strip()
        try:
            if "_" in raw:  # Decimal reads "1_0" as 10, as Python code would: not a score
                raise InvalidOperation
            value = Decimal(raw)
        except InvalidOperation:
            raise InstrumentError(f"score {raw!r} is not a number") from None
        if not value.is_finite():
            raise InstrumentError(f"score {raw!r} is not a number")
        low, high = self.format_score(self.scale_min), self.format_score(self.scale_max)
        try:
            tenths = value * 10
        except ArithmeticError:  # beyond what a decimal holds ("1E1000000"): out of any range
            tenths = value
        if tenths < self.scale_min or tenths > self.scale_max:
            raise InstrumentError(f"score {raw} is out of range {low} to {high} for {self.key}")
        if tenths != tenths.to_integral_value() or int(tenths) % self.step:
            precision = "one decimal" if self.step == 1 else "whole numbers"
            raise InstrumentError(f"score {raw} is finer than {self.key} allows ({precision})")
        return int(tenths)

    def parse_scores(self, texts: list[str]) -> dict[str, int]:
        """All item scores of one administration, in item order, as tenths."""
        if len(texts) != len(self.items):
            raise InstrumentError(
                f"{self.key} takes {len(self.items)} scores "
                f"({', '.join(self.items)}), got {len(texts)}"
            )
        return {item: self.parse_score(t) for item, t in zip(self.items, texts)}


def find_scale(scales: Mapping[str, Scale], key: str) -> Scale:
    """Look a scale up by its instrument's key, ignoring case; the error lists what there
    is (as ``find_instrument`` does for the instruments)."""
    for known, scale in scales.items():
        if known.lower() == key.strip().lower():
            return scale
    raise InstrumentError(f"unknown instrument {key!r} (known: {', '.join(scales)})")


def user_instrument_files(folder: Path | None) -> list[Path]:
    """The user's instrument files (``*.toml``) in ``folder``, in the order they are read."""
    return sorted(folder.glob("*.toml")) if folder is not None and folder.is_dir() else []


# What the built-in instruments' TOML files say of their items and range, in the order the
# instruments are loaded (``BUILTIN_FILES``), kept as plain rows in ``rating_rules.py`` so
# that ``fittui record`` reads them without this module (checked by a test).
BUILTIN_SCALES = {key: Scale(key, *row) for key, row in SCALE_ROWS.items()}
