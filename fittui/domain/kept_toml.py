"""TOML files fittui ships, kept as parsed beside them: read at the app's start without the
TOML parser.

Why: the built-in instruments (``domain/instruments/*.toml``), the expected path's default
model (``domain/etr_default.toml``) and the screens' keys (``ui/screens/keys.toml``) are read
before the client list's first frame, and importing ``tomllib`` and parsing them costs that
frame about 5 ms; reading their kept forms costs a tenth of it. A kept form
(``etr_default.parsed.json`` beside ``etr_default.toml``) holds the TOML as parsed, in JSON,
under a line with the CRC-32 of the TOML's bytes and of that JSON, and is used only while
both still fit: a file changed since is parsed afresh, and a kept form that is missing or
damaged is never believed. The
TOML stays the file a person reads and edits.

``python -m fittui.domain.kept_toml`` writes every kept form anew from its TOML (and
``python -m fittui.domain.kept_toml FILE.toml`` starts keeping another file); a test says
when one is stale.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).parent.parent
KEPT_SUFFIX = ".parsed.json"


def kept_path(path: Path) -> Path:
    """Where the kept form of ``path`` lies: ``keys.toml`` -> ``keys.parsed.json``."""
    return path.with_name(path.name.removesuffix(".toml") + KEPT_SUFFIX)


def parse(raw: bytes) -> dict[str, Any]:
    """A TOML file's bytes as parsed now, its line ends read as ``Path.read_text`` reads
    them. A file that is not UTF-8 or not TOML raises a ``ValueError``
    (``UnicodeDecodeError``, ``tomllib.TOMLDecodeError``)."""
    import tomllib  # only for a file without a kept form that fits

    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return tomllib.loads(text)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file fittui ships, as parsed: its kept form while it fits the file's bytes,
    else the file parsed now. Raises ``OSError`` for a file that cannot be read and a
    ``ValueError`` for one that is not TOML, as reading and parsing it would."""
    raw = path.read_bytes()
    try:
        kept = kept_path(path).read_bytes()
    except OSError:  # none
        return parse(raw)
    head, _, body = kept.partition(b"\n")
    if head != _head(raw, body):  # the TOML changed since, or the kept form is damaged
        return parse(raw)
    import orjson

    try:
        data = orjson.loads(body)
    except ValueError:
        return parse(raw)
    return data if type(data) is dict else parse(raw)


def _head(raw: bytes, body: bytes) -> bytes:
    """A kept form's first line: the CRC-32 of the TOML's bytes, then of the form's own
    body (the TOML as parsed, in JSON), so that neither a changed file nor a damaged body
    is ever believed."""
    return b"%08x %08x" % (zlib.crc32(raw), zlib.crc32(body))


def keep(path: Path) -> Path:
    """Write the kept form of ``path`` anew from the file as it is now. A file with values
    JSON cannot hold as they are (a TOML date or time, a float that is not a number) is
    refused: its kept form would not read back as the file does."""
    import orjson

    raw = path.read_bytes()
    data = parse(raw)
    body = orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
    if repr(orjson.loads(body)) != repr(data):
        raise ValueError(f"{path}: holds values JSON cannot keep as they are; not kept")
    kept = kept_path(path)
    kept.write_bytes(_head(raw, body) + b"\n" + body)
    return kept


def kept_files() -> list[Path]:
    """The TOML files of the package that have a kept form."""
    return sorted(
        kept.with_name(kept.name.removesuffix(KEPT_SUFFIX) + ".toml")
        for kept in PACKAGE.rglob("*" + KEPT_SUFFIX)
    )


def main(argv: list[str]) -> None:
    for path in dict.fromkeys([*kept_files(), *(Path(name) for name in argv)]):
        print(keep(path))


if __name__ == "__main__":
    main(sys.argv[1:])
