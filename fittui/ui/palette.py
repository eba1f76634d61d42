"""Command palette entries (Ctrl+P): jump to a client, start an ORS or SRS, the caseload."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import partial

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

from fittui.domain.instruments import DEFAULTS_BY_AGE_GROUP
from fittui.domain.language import N_, _
from fittui.ui.access import FitAppAccess


class ClientCommands(Provider, FitAppAccess):
    """One entry per action and active client, so typing part of a code finds it."""

    def _commands(self) -> list[tuple[str, Callable[[], None], str]]:
        app = self.fit_app
        commands: list[tuple[str, Callable[[], None], str]] = [
            (_("Open the caseload"), app.action_caseload, _("Every active client, with filters")),
            (_("Outcome summary"), app.action_outcomes, _("The practice's outcomes, for a period")),
        ]
        for client in app.store.clients(include_archived=False):
            who = f"{client.code} {client.label}".strip()
            commands.append(
                (
                    _("History of {who}").format(who=who),
                    partial(app.open_history, client.code),
                    _("Chart, patterns, notes"),
                )
            )
            # By the instrument the age group rates: "Start CORS" for a child, never "ORS".
            names = DEFAULTS_BY_AGE_GROUP[client.age_group]
            for family, name in zip(("ors", "srs"), names):
                commands.append(
                    (
                        _("Start {key} for {who}").format(key=name, who=who),
                        partial(app.rate_default, client.code, family),
                        _("Client mode: hand the laptop to the client"),
                    )
                )
        return commands

    async def discover(self) -> Hits:
        """Before anything is typed: the caseload and each client's history."""
        for text, command, help_text in self._commands():
            starts = isinstance(command, partial) and command.func == self.fit_app.rate_default
            if not starts:  # a start of a rating is offered once a code is typed
                yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)


# Textual's own palette commands and search fields, written in English by Textual: marked
# here for the therapist catalog, translated as the palette shows them.
TEXTUAL_WORDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
    N_("Search for commands…"),
    N_("Search for themes…"),
)


def in_therapists_language(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's commands with their titles and help in the therapist's language (a
    command Textual adds in a later version shows in English until it is marked above)."""
    for command in commands:
        yield command._replace(title=_(command.title), help=_(command.help))
