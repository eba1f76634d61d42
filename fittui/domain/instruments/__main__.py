"""Write the built-in instruments as parsed (``PARSED_FILE``) after changing their TOML:
``python -m fittui.domain.instruments``. A file left stale costs speed, never correctness:
the TOML whose CRC no longer fits is parsed at each start (and a test says so)."""

from __future__ import annotations

import orjson

from fittui.domain.instruments import PARSED_FILE, parsed_builtins


def main() -> int:
    PARSED_FILE.write_bytes(orjson.dumps(parsed_builtins(), option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {PARSED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
