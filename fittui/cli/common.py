"""What many commands need: the database they work on, the instruments, the settings, a
passphrase, and the error that ends a command with one line and exit status 1.

fittui's own modules are imported inside the functions, so a command loads only what it
uses (a fresh interpreter pays for every import).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Not typing's: this module is on the quick commands' way, and typing costs them 2 ms to
# import (argparse and datetime another 3). mypy takes any TYPE_CHECKING as typing's.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from datetime import date

    from fittui.domain.instruments import Instrument
    from fittui.storage.derived import Rules
    from fittui.storage.journal import JournalStorage
    from fittui.storage.settings import Settings
    from fittui.storage.store import Store

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report on one line and exit 1."""


def instruments() -> dict[str, Instrument]:
    """The instruments fittui knows, with the user's own definitions."""
    from fittui.domain.instruments import load_instruments
    from fittui.storage.locations import instruments_dir

    return load_instruments(instruments_dir())


def settings() -> Settings:
    """The user's settings.toml (defaults where it says nothing)."""
    from fittui.storage.locations import config_dir
    from fittui.storage.settings import load_settings

    return load_settings(config_dir() / "settings.toml")


def use_the_therapists_language() -> None:
    """The language the app would speak, from settings.toml or the environment: a client
    without a language of their own reads their page, home form and screens in it, as in
    the app. The command line's own lines stay English (none goes through the catalog)."""
    from fittui.domain.language import language_from_environment, use_therapist_language

    use_therapist_language(settings().language or language_from_environment())


def caseload_rules(known: dict[str, Instrument] | None = None, strict: bool = True) -> Rules:
    """What each client's caseload row is derived from besides their ratings: the
    instruments, the practice's expected-path model and the episode gap. ``strict`` False
    (for ``clients``, which shows no score) falls back to fittui's own when the user's
    files cannot be read, as that command always worked without them."""
    from fittui.domain.etr import load_parameters
    from fittui.domain.instruments import load_instruments
    from fittui.storage.derived import Rules
    from fittui.storage.locations import config_dir

    try:
        return Rules(known or instruments(), load_parameters(config_dir()), settings().gap_days)
    except ValueError:  # a user's instrument, model or settings file is wrong
        if strict:
            raise
        return Rules(load_instruments())


def exists(db: Path) -> bool:
    """A database is there when its snapshot or its journal is (young ones are all journal)."""
    return db.exists() or db.with_name(db.name + ".journal").exists()


def database(args: argparse.Namespace, creates: bool = False) -> Path:
    """The database path; a path given with --db or FITTUI_DB must exist, unless the
    command is one that starts a database (a mistyped path never opens an empty practice).
    The default location is created by the first save, on a fresh machine too."""
    return database_at(args.db, creates)


def database_at(given: str | None, creates: bool = False) -> Path:
    """``database`` for a command line read without argparse: ``given`` is --db's value."""
    from fittui.storage.locations import db_path

    db = db_path(given)
    explicit = bool(given or os.environ.get("FITTUI_DB"))
    if explicit and not creates and not exists(db):
        import shlex  # only to say how to start one

        raise CliError(
            f"no database at {db}: check the path (--db or FITTUI_DB); to start a new "
            f"database there, add its first client: fittui --db {shlex.quote(str(db))} "
            "add-client CODE"
        )
    return db


def open_store(args: argparse.Namespace, creates: bool = False) -> Store:
    """The store of the database the command works on, its daily backups sealed when the
    settings ask for it."""
    return store_at(args.db, args.read_only, creates)


def store_at(given: str | None, read_only: bool, creates: bool = False) -> Store:
    """``open_store`` for a command line read without argparse (--db's value, --read-only)."""
    from fittui.storage.store import Store

    store = Store(database_at(given, creates), read_only=read_only)
    if not read_only:
        seal_daily_backups(store.storage)
    return store


def seal_daily_backups(storage: JournalStorage) -> None:
    """Encrypt the daily backups of the database when settings.toml names an age public
    key, the settings read only when a day's backup is written (:class:`SealFromSettings`)."""
    from fittui.storage.locations import config_dir

    storage.seal_backup = SealFromSettings(config_dir() / "settings.toml")


class SealFromSettings:
    """The daily backup's encryption as settings.toml asks for it, read when a backup is
    written (``daily.py``, in the backup's thread) rather than when a command starts.

    Why: most saves write no backup (one a day does), and a save never depends on a
    setting that has nothing to do with it. A settings file that cannot be read, or whose
    ``[backups] encrypt_to`` is not a key, is then the backup's failure, said as every
    other one is (``failure.wait_for_backups``; the app's own way): the rating is saved,
    and no backup is written unencrypted where encryption may have been asked for.
    True only when the backups are to be encrypted: the backup asks that first, and makes
    an unencrypted copy as it makes one without settings (streamed, or by a process of its
    own for a large database), never holding it whole in memory.
    """

    def __init__(self, settings_file: Path) -> None:
        self.settings_file = settings_file
        self._sealer: Callable[[bytes], bytes] | None = None
        self._read = False

    def sealer(self) -> Callable[[bytes], bytes] | None:
        """What encrypts a backup, or None when the settings ask for none (read once)."""
        if not self._read:
            from fittui.storage.settings import load_settings

            recipient = load_settings(self.settings_file).backup_recipient
            if recipient:
                from fittui.storage.sealed import backup_sealer

                where = f"{self.settings_file}: backups.encrypt_to"
                self._sealer = backup_sealer(recipient, where)
            self._read = True
        return self._sealer

    def __bool__(self) -> bool:
        return self.sealer() is not None

    def __call__(self, data: bytes) -> bytes:
        seal = self.sealer()
        return data if seal is None else seal(data)


def day(text: str | None, option: str) -> date | None:
    """The date an option gives (YYYY-MM-DD), or None when it is not given."""
    if text is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def passphrase(confirm: bool) -> str:
    """The passphrase of an encrypted file: FITTUI_PASSPHRASE for scripts, else typed on
    the terminal (twice when encrypting, so a typo cannot lock a backup away). Never an
    argument: those are seen by every user of the machine and kept in shell history."""
    given = os.environ.get("FITTUI_PASSPHRASE")
    if given:
        return given
    if not sys.stdin.isatty():
        raise CliError("a passphrase is needed: run this on a terminal, or set FITTUI_PASSPHRASE")
    import getpass

    first = getpass.getpass("Passphrase: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise CliError("the two passphrases differ; nothing was written")
    return first


def unsealed(data: bytes, source: Path, identity: str | None) -> bytes:
    """The plain content of an age file: with the passphrase, or with --identity's key."""
    from fittui.storage.sealed import needs_passphrase, open_with_identity, open_with_passphrase

    if needs_passphrase(data):
        return open_with_passphrase(data, passphrase(confirm=False), str(source))
    if identity is None:
        raise CliError(
            f"{source} is encrypted to a backup key: add --identity KEYFILE "
            "(the file fittui backup-key wrote)"
        )
    return open_with_identity(data, Path(identity).expanduser(), str(source))


def confirmed(question: str) -> bool:
    """The user said yes at the terminal."""
    return input(question).strip().lower() in {"y", "yes"}
