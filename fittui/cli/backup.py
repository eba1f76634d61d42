"""Backups: ``fittui backup`` writes a dated copy (encrypted when asked), ``backup-key``
makes the key that the daily backups can be encrypted to, ``restore`` puts a copy back."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fittui.cli.arguments import add_encrypt, add_identity
from fittui.cli.commands import Commands
from fittui.cli.common import EXIT_OK, CliError, database, exists, passphrase, unsealed
from fittui.cli.output import say_if_created

if TYPE_CHECKING:
    from fittui.storage.backup import Restored


def register(commands: Commands) -> None:
    """The backup commands and their arguments."""
    p = commands.add("backup", cmd_backup, writes=True)
    p.add_argument("--to", metavar="DIR", help="folder for the copy (default: backups/)")
    add_encrypt(p, "the copy")

    p = commands.add("backup-key", cmd_backup_key, writes=True)
    p.add_argument("file", metavar="FILE", help="where to write the secret key (a new file)")

    p = commands.add("restore", cmd_restore, writes=True)
    p.add_argument("file", metavar="FILE", help="a backup, e.g. from backups/")
    add_identity(p, "a backup")


def cmd_backup(args: argparse.Namespace) -> int:
    from fittui.storage.backup import backup_database
    from fittui.storage.locations import db_path

    folder = Path(args.to).expanduser() if args.to else None
    db = db_path(args.db)
    if args.encrypt:
        from fittui.storage.sealed import sealed_backup

        if not exists(db):
            raise CliError(f"no database at {db}: nothing to back up")
        secret = passphrase(confirm=True)
        target = sealed_backup(db, datetime.now(), folder, secret)
        print(f"Backed up {db} to {target}, encrypted with your passphrase.")
        print("Without the passphrase nobody can read it, you included: keep it safe.")
        return EXIT_OK
    target = backup_database(db, datetime.now(), folder)
    print(f"Backed up {db} to {target}.")
    return EXIT_OK


def cmd_backup_key(args: argparse.Namespace) -> int:
    import shlex

    from fittui.storage.locations import config_dir
    from fittui.storage.sealed import make_backup_key

    target = Path(args.file).expanduser()
    public = make_backup_key(target)
    print(f"Wrote a new secret backup key to {target} (readable by you only).")
    print("Keep a copy away from this laptop: without it the encrypted backups cannot be read.")
    print(f"To encrypt the daily backups, add to {config_dir() / 'settings.toml'}:")
    print(f'\n[backups]\nencrypt_to = "{public}"\n')
    print(f"Restore one with: fittui restore BACKUP --identity {shlex.quote(str(target))}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from fittui.storage.backup import restore_database

    if args.read_only:
        raise CliError("restore replaces the database; it cannot run with --read-only")
    db = database(args, creates=True)
    existed = exists(db)
    source = Path(args.file).expanduser()
    done = _restore(
        db, source, args.identity, lambda file: restore_database(db, file, datetime.now())
    )
    say_if_created(db, existed)
    clients = "client" if done.clients == 1 else "clients"
    ratings = "administration" if done.administrations == 1 else "administrations"
    print(
        f"Restored {done.clients} {clients} and {done.administrations} {ratings} "
        f"from {args.file} into {db}."
    )
    if done.kept:
        print(f"The database as it was is kept in {done.kept}.")
    return EXIT_OK


def _restore(
    db: Path, source: Path, identity: str | None, restore: Callable[[Path], Restored]
) -> Restored:
    """``restore(source)``; an age file is opened first, into a private folder beside the
    database (no new place on the disk sees the data) that is removed afterwards."""
    import shutil
    import tempfile

    from fittui.storage.errors import StorageError
    from fittui.storage.journal import write_file_atomically
    from fittui.storage.locations import make_private_dir
    from fittui.storage.sealed import is_sealed

    try:  # never waiting on a FIFO for a writer that may never come
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            sealed = stat.S_ISREG(os.fstat(fd).st_mode) and is_sealed(f.read(64))
    except OSError:
        sealed = False  # restore_database says what is wrong with the file
    if not sealed:
        return restore(source)
    plain = unsealed(source.read_bytes(), source, identity)
    made = [f for f in (db.parent, *db.parent.parents) if not os.path.lexists(f)]
    make_private_dir(db.parent)
    _sweep_opened(db.parent)
    folder = Path(tempfile.mkdtemp(prefix=_OPENED, dir=db.parent))
    done = None
    try:
        opened = folder / "fittui.json"
        write_file_atomically(opened, plain)
        try:
            done = restore(opened)
        except StorageError as exc:
            raise StorageError(str(exc).replace(str(opened), str(source))) from None
        return done
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for empty in made if done is None else ():
            try:  # a refused restore into a new place leaves no folder behind (deepest first)
                os.rmdir(empty)
            except OSError:
                break


_OPENED = ".fittui-restore-"  # the private folder an encrypted backup is opened into


def _sweep_opened(parent: Path) -> None:
    """Remove the opened backups a restore killed before it could remove them left beside
    the database (a plain copy of an encrypted backup, which no one would find and delete):
    those an hour old, as a restore at work now takes seconds."""
    import shutil

    from fittui.storage.backup import stale_entries

    opened = stale_entries(
        parent, lambda e: e.name.startswith(_OPENED) and e.is_dir(follow_symlinks=False)
    )
    for path in opened:
        shutil.rmtree(path, ignore_errors=True)
