"""Adding a client, or changing one's label, age group and start-of-session instruments,
from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from fittui.domain.instruments import AGE_GROUPS, InstrumentError, parse_instrument_list
from fittui.domain.language import LANGUAGES, available_in, therapist_language
from fittui.domain.model import Client, InputError
from fittui.storage.journal import StorageError
from fittui.ui.access import FitAppAccess
from fittui.ui.form import FormScreen
from fittui.ui.screens.keys import KEYS_BINDINGS

AGE_GROUP_NAMES = {
    "adult": "adult (18 and over)",
    "adolescent": "adolescent (13 to 17)",
    "child": "child (6 to 12)",
    "young_child": "young child (under 6)",
}

THERAPISTS_LANGUAGE = "yours (the therapist's)"


class ClientFormScreen(FormScreen[Client], FitAppAccess):
    """Saves the client and dismisses with it, or with None when cancelled.

    With ``client`` given it edits that client (its code stays: ratings are filed under
    it); otherwise it adds a new one.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="close without saving"),
        *KEYS_BINDINGS,  # a dialog keeps the app's keys out, so it binds ? itself
    ]
    KEYS_TITLE = "the client form"

    def __init__(self, client: Client | None = None) -> None:
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        client = self.client
        with VerticalScroll(id="form"):
            yield Static(f"Edit {client.code}" if client else "Add a client", id="form-title")
            yield Label("Code (no names: a code you will recognise)")
            yield Input(
                value=client.code if client else "",
                placeholder="e.g. A17",
                disabled=client is not None,
                id="code",
            )
            yield Label("Age group (picks the instruments and the cut-off)")
            yield Select(
                [(AGE_GROUP_NAMES[g], g) for g in AGE_GROUPS],
                value=client.age_group if client else "adult",
                allow_blank=False,
                id="age-group",
            )
            yield Label("Label (optional, shown only to you)")
            yield Input(
                value=client.label if client else "", placeholder="e.g. Tue 10am", id="label"
            )
            yield Label("Language the client rates in")
            yield Select(
                [(THERAPISTS_LANGUAGE, ""), *((name, code) for code, name in LANGUAGES.items())],
                value=client.language if client and client.language in LANGUAGES else "",
                allow_blank=False,
                id="language",
            )
            yield Label("Start of session, in order (empty: the ORS)")
            yield Input(
                value=", ".join(client.instruments) if client else "",
                placeholder="e.g. PHQ-9, GAD-7, ORS",
                id="instruments",
            )
            yield Label("Seen with (linked clients' codes: a couple or family as one case)")
            yield Input(
                value=", ".join(client.linked) if client else "",
                placeholder="e.g. A18",
                id="linked",
            )
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#label" if self.client else "#code", Input).focus()

    def _save(self) -> None:
        store = self.fit_app.store
        age_group = str(self.query_one("#age-group", Select).value)
        label = self.query_one("#label", Input).value
        language = str(self.query_one("#language", Select).value)
        try:
            instruments = parse_instrument_list(
                self.fit_app.instruments, self.query_one("#instruments", Input).value
            )
            text = self.query_one("#linked", Input).value
            linked = [code for code in (c.strip() for c in text.split(",")) if code]
            for code in linked:  # checked before anything is saved
                store.client(code)
            if self.client:
                saved = store.update_client(
                    self.client.code,
                    age_group=age_group,
                    label=label.strip(),
                    instruments=instruments,
                    language=language,
                )
            else:
                saved = store.add_client(
                    self.query_one("#code", Input).value, age_group, label, instruments, language
                )
            saved = self._link(saved, linked)
        except (InputError, InstrumentError, StorageError) as exc:
            self.query_one("#error", Static).update(Text(str(exc)))
            return
        self._warn_unavailable(saved)
        self.dismiss(saved)

    def _warn_unavailable(self, client: Client) -> None:
        """Tell the therapist which chosen questionnaires the client cannot read in their
        language: the client will be told so on the screen instead of rating them."""
        language = client.language or therapist_language()
        missing = [
            key
            for key in client.instruments
            if key in self.fit_app.instruments
            and not available_in(self.fit_app.instruments[key], language)
        ]
        if missing:
            self.fit_app.notify(
                f"{', '.join(missing)}: not available in {LANGUAGES[language]}; "
                f"{client.code} will be told so instead of rating it.",
                severity="warning",
                timeout=15,
            )

    def _link(self, client: Client, wanted: list[str]) -> Client:
        """Link the client with the codes named, unlink those no longer named."""
        store = self.fit_app.store
        for code in wanted:
            if code not in client.linked:
                client = store.link(client.code, code)[0]
        for code in client.linked:
            if code not in wanted:
                client = store.unlink(client.code, code)[0]
        return client
