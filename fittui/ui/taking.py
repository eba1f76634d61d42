"""What every screen that takes one rating is made with: the instrument, the client, who rates.

A rating is taken three ways: on the laptop in client mode (the rating screen), over a
shared screen, and typed in from what the client said aloud or wrote on paper (the score
entry). Each of those screens is made for one instrument, one client's code and one rater,
and keeps them under the same names, so the flows that open them and the code that saves
what they took read alike. The two the client reads the scale on also know whether its
numbers are shown and which language the client reads.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from fittui.domain.instruments import Instrument
from fittui.domain.language import Translator
from fittui.ui.access import FitAppAccess
from fittui.ui.client_mode import client_speaks

if TYPE_CHECKING:
    from textual.app import App


class TakesOneRating:
    """Mixed in before the Textual screen class, whose constructor it then calls."""

    def __init__(self, instrument: Instrument, client_code: str, rater: str) -> None:
        super().__init__()
        self.instrument = instrument
        self.client_code = client_code
        self.rater = rater
        """Who rates: "client", or another rater named in the m dialog ("partner")."""


class ShowsTheScale(TakesOneRating, FitAppAccess):
    """A screen that takes one rating on a scale the client reads (on the laptop, over a
    shared screen): also whether the scale's numbers are shown, and the client's language."""

    if TYPE_CHECKING:
        app: App[Any]  # given by the Textual screen class this is mixed into

    def __init__(
        self, instrument: Instrument, client_code: str, rater: str, show_numbers: bool
    ) -> None:
        super().__init__(instrument, client_code, rater)
        self.show_numbers = show_numbers

    @cached_property
    def tr(self) -> Translator:
        """The client's language (their own, else the therapist's): the scale is in it; what
        is saved is the same in every language."""
        return client_speaks(self.fit_app.store, self.client_code)
