"""Command palette entries (Ctrl+P): jump to a client, start an ORS or SRS, the caseload."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP
from fittui.ui.access import FitAppAccess


class ClientCommands(Provider, FitAppAccess):
    """One entry per action and active client, so typing part of a code finds it."""

    def _commands(self) -> list[tuple[str, Callable[[], None], str]]:
        app = self.fit_app
        commands: list[tuple[str, Callable[[], None], str]] = [
            ("Open the caseload", app.action_caseload, "Every active client, with filters"),
            ("Outcome summary", app.action_outcomes, "The practice's outcomes, for a period"),
        ]
        for client in app.store.clients(include_archived=False):
            who = f"{client.code} {client.label}".strip()
            commands.append(
                (
                    f"History of {who}",
                    partial(app.open_history, client.code),
                    "Chart, patterns, notes",
                )
            )
            # By the instrument the age group rates: "Start CORS" for a child, never "ORS".
            names = DEFAULTS_BY_AGE_GROUP[client.age_group]
            for family, name in zip(("ors", "srs"), names):
                commands.append(
                    (
                        f"Start {name} for {who}",
                        partial(app.rate_default, client.code, family),
                        "Client mode: hand the laptop to the client",
                    )
                )
        return commands

    async def discover(self) -> Hits:
        """Before anything is typed: the caseload and each client's history."""
        for text, command, help_text in self._commands():
            if not text.startswith("Start"):
                yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)
