"""Encrypted backups and exports in the age format, so a copy can leave the laptop safely.

age (https://age-encryption.org) is a small, standard file format with tools on every
system, so a therapist's encrypted backup can be opened in ten years without fittui: a file
made here is read by ``age -d``, and one made by ``age -p`` is read here. Two kinds:

* a passphrase (age's scrypt recipient) for ``fittui backup --encrypt`` and ``fittui export
  --encrypt``: asked for on the terminal, or taken from ``FITTUI_PASSPHRASE`` in scripts;
* a public key (an X25519 recipient, ``age1...``) for the daily backups, set in
  settings.toml: a save needs no secret to encrypt, and the secret key to read them can be
  kept away from the laptop (``fittui backup-key`` makes one).

No Textual here; pyrage is imported only when a file is sealed or opened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fittui.domain.model import InputError
from fittui.storage.journal import StorageError, snapshot_lines

AGE_HEADER = b"age-encryption.org/v1\n"
AGE_SUFFIX = ".age"


class SealError(InputError):
    """An encrypted file cannot be opened or made; nothing was changed."""


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` is an age file (its first line says so)."""
    return data.startswith(AGE_HEADER)


def needs_passphrase(data: bytes) -> bool:
    """Whether an age file was sealed with a passphrase (rather than to a public key)."""
    first_stanza = data[len(AGE_HEADER) :].split(b"\n", 1)[0]
    return first_stanza.startswith(b"-> scrypt ")


def seal_with_passphrase(data: bytes, passphrase: str) -> bytes:
    import pyrage

    if not passphrase:
        raise SealError("an empty passphrase protects nothing; choose one")
    sealed: bytes = pyrage.passphrase.encrypt(data, passphrase)
    return sealed


def open_with_passphrase(data: bytes, passphrase: str, name: str) -> bytes:
    import pyrage

    try:
        opened: bytes = pyrage.passphrase.decrypt(data, passphrase)
        return opened
    except pyrage.DecryptError:
        raise SealError(
            f"{name}: wrong passphrase, or the file is damaged; nothing was changed"
        ) from None


def read_recipient(text: str, where: str) -> object:
    """An age public key (``age1...``) as pyrage's recipient; SealError says what is wrong."""
    import pyrage

    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, ValueError):
        raise SealError(
            f"{where}: {text!r} is not an age public key (age1...); "
            "make one with: fittui backup-key FILE"
        ) from None


def open_with_identity(data: bytes, identity_file: Path, name: str) -> bytes:
    """Decrypt with the secret keys (``AGE-SECRET-KEY-1...`` lines) in ``identity_file``."""
    import pyrage

    try:
        lines = identity_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SealError(f"{identity_file}: cannot be read ({exc})") from None
    try:
        keys = [
            pyrage.x25519.Identity.from_str(line.strip())
            for line in lines
            if line.strip().startswith("AGE-SECRET-KEY-")
        ]
    except (pyrage.IdentityError, ValueError):
        raise SealError(f"{identity_file}: holds a damaged secret key") from None
    if not keys:
        raise SealError(f"{identity_file}: holds no age secret key (AGE-SECRET-KEY-1...)")
    try:
        opened: bytes = pyrage.decrypt(data, keys)
        return opened
    except pyrage.DecryptError:
        raise SealError(
            f"{name}: the key in {identity_file} does not open it, or the file is damaged; "
            "nothing was changed"
        ) from None


def backup_sealer(recipient: str, where: str) -> Callable[[bytes], bytes]:
    """The function the store uses to encrypt each daily backup to ``recipient``."""
    import pyrage

    key = read_recipient(recipient, where)

    def seal(data: bytes) -> bytes:
        sealed: bytes = pyrage.encrypt(data, [key])
        return sealed

    return seal


def make_backup_key(target: Path) -> str:
    """Write a new secret key to ``target`` (0600, never over a file) and return its public
    key, the line for settings.toml.

    The key is written whole under a temporary name, then given its name by a hard link,
    which fails when the name was taken meanwhile: a key file made at that moment by another
    ``backup-key`` keeps its key (whose public half may already be in settings.toml, with
    backups encrypted to it), where a look and a rename would replace it.
    """
    import os

    import pyrage

    from fittui.storage.atomic import fsync_folder
    from fittui.storage.backup import claim

    taken = SealError(f"{target} already exists; choose a new file for the key")
    if os.path.lexists(target):
        raise taken
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    text = f"# fittui backup key, made {datetime.now():%Y-%m-%d}\n# public key: {public}\n"
    staged = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    try:
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(staged, flags, 0o600), "wb") as f:
                f.write((text + str(identity) + "\n").encode())
                f.flush()
                os.fsync(f.fileno())
            claim(staged, target)
        finally:
            staged.unlink(missing_ok=True)
        fsync_folder(target.parent, os)
    except FileExistsError:
        raise taken from None
    except OSError as exc:
        raise SealError(f"cannot write {target}: {exc.strerror or exc}") from None
    return public


def sealed_backup(db: Path, now: datetime, folder: Path | None, passphrase: str) -> Path:
    """A dated, complete copy of the database, encrypted with ``passphrase`` (0600), in
    ``folder`` or else ``backups/`` beside the database (never through a link there).

    Named ``<name>-YYYY-MM-DD-HHMMSS.json.age``: the daily backups' pruning never removes
    it, and the plain database never touches the disk on its way in. As a plain copy, it
    never replaces a file (``backup.write_new``): a name taken that same second, even
    while this one is written, gives ``...-2.json.age``.
    """
    from fittui.storage.backup import sweep_staged, write_new
    from fittui.storage.journal import private_folder
    from fittui.storage.locations import backups_dir, make_private_dir
    from fittui.storage.store import Store

    if not (db.exists() or db.with_name(db.name + ".journal").exists()):
        raise StorageError(f"no database at {db}: nothing to back up")
    tables = Store(db, read_only=True).storage.read()
    data = seal_with_passphrase(b"".join(snapshot_lines(tables)), passphrase)
    stem = f"{db.stem}-{now:%Y-%m-%d-%H%M%S}"
    own, folder = folder is None, folder or backups_dir(db)
    try:
        if own:
            private_folder(folder)
        else:
            make_private_dir(folder)
        sweep_staged(folder, db)
        return write_new(folder, stem, data, f".json{AGE_SUFFIX}")
    except OSError as exc:
        raise StorageError(
            f"could not write an encrypted backup {stem}.json{AGE_SUFFIX} into {folder}: "
            f"{exc.strerror or exc}"
        ) from None
