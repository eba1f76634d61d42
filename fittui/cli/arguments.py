"""Arguments that several commands take, declared once so they read the same everywhere."""

from __future__ import annotations

import argparse


def add_rater(parser: argparse.ArgumentParser) -> None:
    """--rater: who gave the rating (the client unless said otherwise)."""
    help = "client (default), partner, parent, teacher, ..."
    parser.add_argument("--rater", default="client", metavar="ROLE", help=help)


def add_optional_instrument(parser: argparse.ArgumentParser, default: str) -> None:
    """INSTRUMENT, when the client's own start-of-session instruments are the default."""
    help = f"what to rate (default: {default})"
    parser.add_argument("instrument", metavar="INSTRUMENT", nargs="?", help=help)


def add_identity(parser: argparse.ArgumentParser, what: str) -> None:
    """--identity: the key that opens a file encrypted to the backup key."""
    help = f"the backup key, for {what} encrypted to it (a passphrase is asked for)"
    parser.add_argument("--identity", metavar="KEYFILE", help=help)


def add_encrypt(parser: argparse.ArgumentParser, what: str) -> None:
    """--encrypt: seal what is written with a passphrase."""
    help = f"encrypt {what} with a passphrase (age format; asked for, or FITTUI_PASSPHRASE)"
    parser.add_argument("--encrypt", action="store_true", help=help)
