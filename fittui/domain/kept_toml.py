"""TOML files fittui ships, kept as parsed beside them: read at the app's start without the
TOML parser.

Why: the built-in instruments (``domain/instruments/*.toml``), the expected path's default
model (``domain/etr_default.toml``) and the screens' keys (``ui/screens/keys.toml``) are read
before the client list's first frame, and importing ``tomllib`` and parsing them costs that
frame about 5 ms; reading their kept forms costs a tenth of it. A kept form
(``etr_default.parsed.json`` beside ``etr_default.toml``) holds the CRC-32 of the TOML's
bytes and the TOML as parsed, and is used only while that CRC still fits: a file changed
since is parsed afresh, and a kept form that is missing or damaged is never believed. The
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
    import orjson

    try:
        crc, data = orjson.loads(kept_path(path).read_bytes())
    except (OSError, ValueError, TypeError):  # none, not JSON, not a pair
        return parse(raw)
    if type(crc) is not int or crc != zlib.crc32(raw) or type(data) is not dict:
        return parse(raw)
    return data


def keep(path: Path) -> Path:
    """Write the kept form of ``path`` anew from the file as it is now. A file with values
    JSON cannot hold as they are (a TOML date or time, a float that is not a number) is
    refused: its kept form would not read back as the file does."""
    import orjson

    raw = path.read_bytes()
    data = parse(raw)
    kept_bytes = orjson.dumps([zlib.crc32(raw), data], option=orjson.OPT_INDENT_2)
    if repr(orjson.loads(kept_bytes)[1]) != repr(data):
        raise ValueError(f"{path}: holds values JSON cannot keep as they are; not kept")
    kept = kept_path(path)
    kept.write_bytes(kept_bytes)
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
