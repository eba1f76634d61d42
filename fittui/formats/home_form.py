"""Home rating forms, end to end: write one for a client, then take its code back in.

Shared by ``fittui form`` / ``fittui enter`` and the app's keys, so both refuse the same
codes with the same words: a code with a typo, for a form this database never wrote, for
another instrument, entered twice, past its days, or (in the app) for another client than
the one on screen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from fittui.domain.instruments import Instrument
from fittui.domain.language import LANGUAGES, available_in, client_translator
from fittui.domain.model import Administration, Client, InputError, now_when
from fittui.domain.response_code import ResponseCodeError, fits_a_code, parse_code
from fittui.formats.form_page import form_page
from fittui.storage.journal import new_id
from fittui.storage.store import Form, Store


class WrittenForm(NamedTuple):
    """A home form as written: what the store keeps of it, the page to send, its last day."""

    form: Form
    html: str
    use_by: str


@dataclass(frozen=True)
class PendingEntry:
    """A code that passed every check, waiting for the therapist's yes."""

    form: Form
    client: Client
    instrument: Instrument
    items: dict[str, int]

    def describe(self) -> str:
        """One line saying what will be saved for whom, for the question before saving."""
        scores = ", ".join(
            f"{item.label} {self.instrument.format_score(self.items[item.key])}"
            for item in self.instrument.items
        )
        total = self.instrument.format_score(sum(self.items.values()))
        label = f" ({self.client.label})" if self.client.label else ""
        return (
            f"{self.instrument.key} for {self.client.code}{label}, from form {self.form.form_id} "
            f"written {self.form.created}: {scores}; total {total}"
        )


def write_private_text(path: Path, text: str) -> None:
    """Write a form's page readable by its owner only; a link in its place is refused."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with open(fd, "w", encoding="utf-8") as page:
        page.write(text)


def use_by(created: str, days: int) -> str:
    """The last day a form written on ``created`` is taken."""
    return (date.fromisoformat(created) + timedelta(days=days)).isoformat()


def write_form(
    store: Store, code: str, instrument: Instrument, today: date, days: int
) -> WrittenForm:
    """Note a new form for the client in the database and build its page."""
    if not fits_a_code(instrument):
        raise InputError(f"{instrument.key}'s scores do not fit in a response code")
    tr = client_translator(store.client(code).language)
    if not available_in(instrument, tr.code):
        raise InputError(
            f"{instrument.key} is not available in {LANGUAGES[tr.code]}, "
            f"the language {code} rates in"
        )
    form = store.add_form(code, instrument.key, today.isoformat())
    last = use_by(form.created, days)
    return WrittenForm(form, form_page(instrument, form.form_id, last, tr), last)


def read_code(
    store: Store,
    text: str,
    instruments: dict[str, Instrument],
    today: date,
    days: int,
    expect_client: str | None = None,
) -> PendingEntry:
    """Check a response code against the form it names; raise ``InputError`` saying why not."""
    try:
        response = parse_code(text, instruments)
    except ResponseCodeError as exc:
        raise InputError(str(exc)) from None
    form = store.form(response.form_id)
    if form is None:
        raise InputError(
            f"no form {response.form_id} was written from this database; check the id, "
            "or enter it on the computer the form was made on"
        )
    if form.used_at is not None:
        raise InputError(
            f"form {form.form_id} was already entered on {form.used_at}; "
            "each form is entered once, so nothing was saved"
        )
    if response.instrument != form.instrument:
        raise InputError(
            f"form {form.form_id} was written for the {form.instrument}, "
            f"but this code is for the {response.instrument}"
        )
    last = use_by(form.created, days)
    if today.isoformat() > last:
        raise InputError(
            f"form {form.form_id} could be entered until {last} and has expired; "
            "write a new one with fittui form"
        )
    if expect_client is not None and form.client != expect_client:
        raise InputError(
            f"form {form.form_id} was written for client {form.client}, "
            f"not {expect_client}; open {form.client} to enter it"
        )
    return PendingEntry(
        form, store.client(form.client), instruments[form.instrument], response.items
    )


def save_entry(store: Store, entry: PendingEntry) -> Administration:
    """Save the rating with mode ``remote_form`` and mark the form used, as one save."""
    administration = Administration(
        new_id(),
        entry.client.code,
        entry.instrument.key,
        now_when(),
        dict(entry.items),
        mode="remote_form",
    )
    return store.record_form(entry.form.form_id, administration)
