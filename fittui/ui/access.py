"""One typed way from a screen or widget to the app and what it holds.

Textual types ``self.app`` as a plain ``App``, which knows nothing of the store, the
instruments or the settings. Every fittui screen and widget runs inside ``FitApp`` (made by
``make_app``), so the cast here is true, and writing it once keeps the rest of the code
honestly typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from fittui.ui.app import FitApp


class _InsideAnApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


class FitAppAccess:
    """Mixed into fittui's screens and widgets: ``self.fit_app`` is the running ``FitApp``."""

    @property
    def fit_app(self: _InsideAnApp) -> FitApp:
        """The app, typed: its store, instruments, settings, ``today()`` and the rest."""
        return cast("FitApp", self.app)
