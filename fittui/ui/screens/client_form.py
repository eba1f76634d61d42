"""Adding a client, or changing one's label, age group and start-of-session instruments,
from the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from fittui.domain.instruments import AGE_GROUPS, InstrumentError, parse_instrument_list
from fittui.domain.language import LANGUAGES, N_, _, available_in, therapist_language
from fittui.domain.model import Client, InputError
from fittui.storage.journal import StorageError
from fittui.storage.store import ClientChanged
from fittui.ui.access import FitAppAccess
from fittui.ui.form import FormScreen
from fittui.ui.screens.keys import KEYS_BINDINGS
from fittui.ui.widgets.keys_footer import KeysFooter

AGE_GROUP_NAMES = {
    "adult": N_("adult (18 and over)"),
    "adolescent": N_("adolescent (13 to 17)"),
    "child": N_("child (6 to 12)"),
    "young_child": N_("young child (under 6)"),
}

THERAPISTS_LANGUAGE = N_("yours (the therapist's)")


class ClientFormScreen(FormScreen[Client], FitAppAccess):
    """Saves the client and dismisses with it, or with None when cancelled.

    With ``client`` given it edits that client (its code stays: ratings are filed under
    it); otherwise it adds a new one.
    """

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), tooltip=N_("close without saving")),
        *KEYS_BINDINGS,  # a dialog keeps the app's keys out, so it binds ? itself
    ]
    KEYS_TITLE = N_("the client form")

    def __init__(self, client: Client | None = None) -> None:
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        client = self.client
        with VerticalScroll(id="form"):
            yield Static(
                _("Edit {code}").format(code=client.code) if client else _("Add a client"),
                id="form-title",
            )
            yield Label(_("Code (no names: a code you will recognise)"))
            yield Input(
                value=client.code if client else "",
                placeholder=_("e.g. A17"),
                disabled=client is not None,
                id="code",
            )
            yield Label(_("Age group (picks the instruments and the cut-off)"))
            yield Select(
                [(_(AGE_GROUP_NAMES[g]), g) for g in AGE_GROUPS],
                value=client.age_group if client else "adult",
                allow_blank=False,
                id="age-group",
            )
            yield Label(_("Label (optional, shown only to you)"))
            yield Input(
                value=client.label if client else "", placeholder=_("e.g. Tue 10am"), id="label"
            )
            yield Label(_("Language the client rates in"))
            yield Select(
                [(_(THERAPISTS_LANGUAGE), ""), *((name, code) for code, name in LANGUAGES.items())],
                value=client.language if client and client.language in LANGUAGES else "",
                allow_blank=False,
                id="language",
            )
            yield Label(_("Start of session, in order (empty: the ORS)"))
            yield Input(
                value=", ".join(client.instruments) if client else "",
                placeholder=_("e.g. PHQ-9, GAD-7, ORS"),
                id="instruments",
            )
            yield Label(_("Seen with (linked clients' codes: a couple or family as one case)"))
            yield Input(
                value=", ".join(client.linked) if client else "",
                placeholder=_("e.g. A18"),
                id="linked",
            )
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")
        yield KeysFooter()  # its own keys, over the list's, which do nothing while it is open

    def on_mount(self) -> None:
        self.query_one("#label" if self.client else "#code", Input).focus()

    def _save(self) -> None:
        store = self.fit_app.store
        age_group = str(self.query_one("#age-group", Select).value)
        label = self.query_one("#label", Input).value
        language = str(self.query_one("#language", Select).value)
        instruments_text = self.query_one("#instruments", Input).value
        try:
            text = self.query_one("#linked", Input).value
            linked = [code for code in (c.strip() for c in text.split(",")) if code]
            if self.client:
                saved = self._save_changes(age_group, label, language, instruments_text, linked)
            else:
                instruments = parse_instrument_list(self.fit_app.instruments, instruments_text)
                for code in linked:  # checked before anything is saved
                    store.client(code)
                saved = store.add_client(
                    self.query_one("#code", Input).value, age_group, label, instruments, language
                )
                for code in linked:
                    saved = store.link(saved.code, code)[0]
        except ClientChanged as exc:
            self._say(self._changed_meanwhile(exc))
            return
        except (InputError, InstrumentError, StorageError) as exc:
            self._say(str(exc))
            return
        self._warn_unavailable(saved)
        self.dismiss(saved)

    def _say(self, problem: str) -> None:
        """Show why nothing was saved, scrolled into view with the buttons below it: on a
        small screen the end of the form is below the fold."""
        self.query_one("#error", Static).update(Text(problem))
        form = self.query_one("#form", VerticalScroll)
        form.scroll_end(animate=False)  # once the new text is laid out

    def _save_changes(
        self, age_group: str, label: str, language: str, instruments_text: str, linked: list[str]
    ) -> Client:
        """Save only what the therapist changed since the form opened: another process may
        have changed the rest meanwhile (``fittui edit-client``, ``fittui link``)."""
        opened = self.client
        assert opened is not None
        changes: dict[str, object] = {}
        if age_group != opened.age_group:
            changes["age_group"] = age_group
        if label.strip() != opened.label:
            changes["label"] = label.strip()
        if language != (opened.language if opened.language in LANGUAGES else ""):
            changes["language"] = language
        if instruments_text != ", ".join(opened.instruments):
            instruments = parse_instrument_list(self.fit_app.instruments, instruments_text)
            if instruments != opened.instruments:
                changes["instruments"] = instruments
        added = [code for code in linked if code not in opened.linked]
        for code in added:  # checked before anything is saved
            self.fit_app.store.client(code)
        removed = [code for code in opened.linked if code not in linked]
        return self.fit_app.store.edit_client(opened, changes, added, removed)

    def _changed_meanwhile(self, exc: ClientChanged) -> str:
        """Say which fields changed elsewhere since the form opened, and what they are now."""
        shown = []
        for field, value in exc.now.items():
            if field == "age_group":
                shown.append(
                    _("age group: {value}").format(value=_(AGE_GROUP_NAMES.get(value, value)))
                )
            elif field == "label":
                shown.append(_("label: {value}").format(value=value or "-"))
            elif field == "language":
                name = LANGUAGES.get(value, value) if value else _(THERAPISTS_LANGUAGE)
                shown.append(_("language: {value}").format(value=name))
            else:
                shown.append(_("start of session: {value}").format(value=", ".join(value) or "-"))
        return _(
            "{code} was changed elsewhere since this form opened ({fields}); nothing was "
            "saved. Cancel and open the form again to see it as it is now."
        ).format(code=exc.code, fields="; ".join(shown))

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
                _(
                    "{keys}: not available in {language}; "
                    "{code} will be told so instead of rating it."
                ).format(keys=", ".join(missing), language=LANGUAGES[language], code=client.code),
                severity="warning",
                timeout=15,
            )
