"""The user's settings file, ``<config dir>/settings.toml``: small, optional, read at start.

language = "de"       # the therapist's screens in German (default: LANG / LC_MESSAGES)
theme = "ansi-dark"   # any Textual theme; the ansi ones use the terminal's own colours
[rating]
show_numbers = true   # show the numbers on the lines in client mode (default: hidden)
mode = "screen_share" # how o, s, b and m take a rating: in_person (default, client mode),
                      # screen_share, spoken or paper
[notes]
snippet = "{risk} {ors} {srs} {lowest} {patterns} {note}"   # the snippet (snippet.py)
[backups]
encrypt_to = "age1..."   # encrypt the daily backups to this age public key (sealed.py)
[episodes]
gap_days = 90         # a rating after more days than this without any starts a new episode
[outcomes]
reference_sd = 8.7    # the intake ORS spread the effect sizes divide by (outcomes.py)
[forms]
days = 14             # how long a home rating form can be entered after it was written
[therapist]
pin = { kdf = "scrypt", n = 16384, r = 8, p = 1, salt = "...", hash = "..." }

The therapist's PIN (what leaves client mode) is kept only as a salted scrypt hash with its
parameters, so the file never holds the PIN itself and a stronger cost can come later
without breaking a PIN already set. fittui writes that one line and leaves the rest of the
file as the therapist wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fittui.domain.episodes import DEFAULT_GAP_DAYS
from fittui.domain.frozen import Frozen
from fittui.domain.language import check_language
from fittui.domain.model import STARTED_MODES, InputError, Mode
from fittui.domain.snippet import DEFAULT_TEMPLATE, check_template
from fittui.storage.journal import write_file_atomically
from fittui.storage.locations import make_private_dir

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
PIN_RULE = "a PIN is 4 to 8 digits"
# scrypt's cost: about 16 MiB and a few tens of milliseconds per try, so a copied settings
# file cannot be searched through quickly, while the therapist does not notice the wait.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_SCRYPT_MEMORY = 128 * 1024 * 1024
# The most work a PIN check may take: 16 times fittui's own cost, still under a second or so.
MAX_SCRYPT_WORK = 16 * SCRYPT_N * SCRYPT_R * SCRYPT_P
SALT_SIZES = range(SALT_BYTES, 65)


def check_pin(pin: str) -> str:
    """The PIN if it is 4 to 8 digits; an InputError that says so otherwise."""
    if not PIN_PATTERN.fullmatch(pin):
        raise InputError(PIN_RULE)
    return pin


class PinHash(Frozen):
    """A salted scrypt hash of the therapist's PIN, with the parameters that made it."""

    __slots__ = ("salt", "digest", "n", "r", "p")
    salt: bytes
    digest: bytes
    n: int
    r: int
    p: int

    def __init__(
        self, salt: bytes, digest: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
    ) -> None:
        self._fill(salt, digest, n, r, p)

    @classmethod
    def make(cls, pin: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> PinHash:
        """Hash a new PIN with a fresh random salt."""
        import secrets

        salt = secrets.token_bytes(SALT_BYTES)
        return cls(salt, _scrypt(check_pin(pin), salt, n, r, p), n, r, p)

    def matches(self, pin: str) -> bool:
        """Whether this is the PIN, compared in constant time; False too when the hash
        cannot be computed (see :meth:`verdict`)."""
        return self.verdict(pin) is True

    def verdict(self, pin: str) -> bool | None:
        """True for the PIN, False for another; None when scrypt cannot compute this hash
        with its parameters (a settings file changed by hand), so the PIN can never be
        checked until ``fittui pin set``: never an exception, since client mode asks it."""
        import hmac

        if not PIN_PATTERN.fullmatch(pin):
            return False
        try:
            computed = _scrypt(pin, self.salt, self.n, self.r, self.p)
        except (ValueError, MemoryError, OverflowError):
            return None
        return hmac.compare_digest(computed, self.digest)

    def toml_line(self) -> str:
        """The ``pin = {...}`` line of the ``[therapist]`` table."""
        return (
            f'pin = {{ kdf = "scrypt", n = {self.n}, r = {self.r}, p = {self.p}, '
            f'salt = "{self.salt.hex()}", hash = "{self.digest.hex()}" }}'
        )

    @classmethod
    def from_toml(cls, value: Any, where: str) -> PinHash:
        """Read the table written by :meth:`toml_line`; anything else is a clear error."""
        problem = f"{where}: therapist.pin is not a PIN fittui set (run 'fittui pin set')"
        if not isinstance(value, dict) or value.get("kdf") != "scrypt":
            raise InputError(problem)
        try:
            n, r, p = (value[k] for k in ("n", "r", "p"))
            salt, digest = bytes.fromhex(value["salt"]), bytes.fromhex(value["hash"])
        except (KeyError, TypeError, ValueError):
            raise InputError(problem) from None
        valid_cost = all(type(x) is int and x > 0 for x in (n, r, p)) and n & (n - 1) == 0
        if not valid_cost or n < 2 or len(salt) not in SALT_SIZES or len(digest) != HASH_BYTES:
            raise InputError(problem)
        if not computable(n, r, p):
            raise InputError(
                f"{where}: therapist.pin has a cost (n = {n}, r = {r}, p = {p}) fittui cannot "
                "check a PIN with (run 'fittui pin set')"
            )
        return cls(salt, digest, n, r, p)


def computable(n: int, r: int, p: int) -> bool:
    """Whether scrypt can check a PIN with these parameters within fittui's memory limit
    and in about a second at most: what scrypt needs is about 128·r·(n + p + 2) bytes."""
    return 128 * r * (n + p + 2) <= MAX_SCRYPT_MEMORY and n * r * p <= MAX_SCRYPT_WORK


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    import hashlib  # here, not at the top: most commands read the settings but no PIN

    return hashlib.scrypt(
        pin.encode(), salt=salt, n=n, r=r, p=p, maxmem=MAX_SCRYPT_MEMORY, dklen=HASH_BYTES
    )


class Settings(Frozen):
    """What the settings file says, or its defaults (see the module)."""

    __slots__ = (
        "show_numbers",
        "theme",
        "snippet",
        "backup_recipient",
        "gap_days",
        "reference_sd",
        "form_days",
        "pin",
        "mode",
        "language",
    )
    show_numbers: bool
    theme: str | None
    snippet: str
    backup_recipient: str | None
    gap_days: int
    reference_sd: float | None  # None: the reference in outcomes_reference.toml
    form_days: int
    pin: PinHash | None
    mode: Mode  # how o, s, b and the m dialog take a rating unless told
    language: str | None  # the therapist's screens; None: from LANG / LC_MESSAGES

    def __init__(
        self,
        show_numbers: bool = False,
        theme: str | None = None,
        snippet: str = DEFAULT_TEMPLATE,
        backup_recipient: str | None = None,
        gap_days: int = DEFAULT_GAP_DAYS,
        reference_sd: float | None = None,
        form_days: int = 14,
        pin: PinHash | None = None,
        mode: Mode = "in_person",
        language: str | None = None,
    ) -> None:
        self._fill(
            show_numbers,
            theme,
            snippet,
            backup_recipient,
            gap_days,
            reference_sd,
            form_days,
            pin,
            mode,
            language,
        )


def _named(path: Path, check: Callable[[str], object], value: str) -> None:
    """One of the domain's checks on a value from the file; its error names the file."""
    try:
        check(value)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def load_settings(path: Path) -> Settings:
    """Read the settings file; a missing file means the defaults (and no TOML parser is
    loaded for it: the app's start reads its other files without one, ``kept_toml.py``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    show = data.get("rating", {}).get("show_numbers", False)
    if not isinstance(show, bool):
        raise InputError(f"{path}: rating.show_numbers must be true or false")
    mode = data.get("rating", {}).get("mode", "in_person")
    if mode not in STARTED_MODES:
        raise InputError(f"{path}: rating.mode must be one of {', '.join(STARTED_MODES)}")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise InputError(f'{path}: theme must be the name of a theme, e.g. "ansi-dark"')
    language = data.get("language")
    if language is not None:
        if not isinstance(language, str):
            raise InputError(f'{path}: language must be a language code, e.g. "de"')
        _named(path, check_language, language)
    snippet = data.get("notes", {}).get("snippet", DEFAULT_TEMPLATE)
    if not isinstance(snippet, str):
        raise InputError(f"{path}: notes.snippet must be text")
    _named(path, check_template, snippet)
    recipient = data.get("backups", {}).get("encrypt_to")
    if recipient is not None and not isinstance(recipient, str):
        raise InputError(f'{path}: backups.encrypt_to must be an age public key, "age1..."')
    gap_days = data.get("episodes", {}).get("gap_days", DEFAULT_GAP_DAYS)
    if type(gap_days) is not int or not 1 <= gap_days <= 3650:
        raise InputError(f"{path}: episodes.gap_days must be a whole number of days, 1 to 3650")
    reference_sd = data.get("outcomes", {}).get("reference_sd")
    if reference_sd is not None and (
        type(reference_sd) not in (int, float) or not 1 <= reference_sd <= 20
    ):
        raise InputError(f"{path}: outcomes.reference_sd must be a number of points, 1 to 20")
    form_days = data.get("forms", {}).get("days", 14)
    if type(form_days) is not int or not 1 <= form_days <= 365:
        raise InputError(f"{path}: forms.days must be a whole number of days from 1 to 365")
    stored_pin = data.get("therapist", {}).get("pin")
    pin = None if stored_pin is None else PinHash.from_toml(stored_pin, str(path))
    return Settings(
        show_numbers=show,
        theme=theme,
        snippet=snippet,
        backup_recipient=recipient,
        gap_days=gap_days,
        reference_sd=None if reference_sd is None else float(reference_sd),
        form_days=form_days,
        pin=pin,
        mode=mode,
        language=language,
    )


_TABLE_HEADER = re.compile(r"\s*\[\s*therapist\s*\]\s*(#.*)?")
_ANY_HEADER = re.compile(r"\s*\[")
_PIN_LINE = re.compile(r"\s*pin\s*=")


def save_pin(path: Path, pin: PinHash) -> None:
    """Put the PIN's hash into the settings file, keeping every other line as it was.

    The file is replaced atomically with mode 0600: a crash leaves the old file or the new
    one, and no other user can read the hash. A file that cannot be read or understood is
    not written over.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc}); the PIN was not saved") from None
    if text:
        load_settings(path)  # a file with a mistake in it is reported, never written over
    lines = text.splitlines()
    header = next((n for n, line in enumerate(lines) if _TABLE_HEADER.fullmatch(line)), None)
    if header is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines += ["[therapist]", pin.toml_line()]
    else:
        end = next(
            (n for n in range(header + 1, len(lines)) if _ANY_HEADER.match(lines[n])), len(lines)
        )
        old = [n for n in range(header + 1, end) if _PIN_LINE.match(lines[n])]
        if old:
            lines[old[0]] = pin.toml_line()
        else:
            lines.insert(header + 1, pin.toml_line())
    new_text = "\n".join(lines) + "\n"
    import tomllib

    try:
        saved = tomllib.loads(new_text).get("therapist", {}).get("pin")
    except tomllib.TOMLDecodeError:
        saved = None
    if saved is None or PinHash.from_toml(saved, str(path)) != pin:
        raise InputError(
            f"{path}: the [therapist] table is written in a way fittui cannot change; "
            "remove its pin line and try again"
        )
    make_private_dir(path.parent)
    try:
        write_file_atomically(path, new_text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: the PIN could not be saved ({exc.strerror or exc})") from None
