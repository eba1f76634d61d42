"""``python -m fittui.locales``: extract both templates and update every catalog."""

from fittui.locales.extract import main

raise SystemExit(main())
