"""Allow ``python -m fittui``."""

from fittui.cli.main import main

raise SystemExit(main())
