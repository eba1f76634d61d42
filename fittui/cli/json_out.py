"""Printing JSON text that is already UTF-8 bytes, apart from ``output.py`` so that a kept
output (``fittui history CODE --json`` as kept) is printed without loading the tables'
code: a fresh interpreter pays for every module it compiles."""

from __future__ import annotations

import sys


def write_json(text: bytes | memoryview) -> None:
    """Print JSON text made as UTF-8 bytes (``output.json_bytes``, or kept from a run before)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None and sys.stdout.encoding.lower().replace("-", "") == "utf8":
        sys.stdout.flush()  # what was printed before goes first
        buffer.write(text)  # already UTF-8: megabytes not decoded only to be encoded again
        buffer.flush()
    else:
        print(bytes(text).decode(), end="")
