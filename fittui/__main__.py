"""Allow ``python -m fittui``."""

from fittui.cli import main

raise SystemExit(main())
