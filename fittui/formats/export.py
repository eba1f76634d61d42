"""Getting data out: one import for the CLI and the tests, whatever the format.

Each format lives in its own module, meant to come back in or to be read elsewhere
without loss:

* :mod:`fittui.formats.csv_json`: CSV in the import format and fittui's JSON, episode
  starts and ends included;
* :mod:`fittui.formats.fhir`: FHIR R4 for an electronic health record;
* :mod:`fittui.formats.client_html`: one client's page, with the charts of
  :mod:`fittui.formats.svg_chart`.
"""

from __future__ import annotations

from fittui.formats.client_html import client_page
from fittui.formats.csv_json import (
    export_csv,
    export_json,
    guard_formula,
    unguard_formula,
)
from fittui.formats.fhir import (
    MODE_EXTENSION,
    export_fhir,
    fhir_questionnaire,
)
from fittui.formats.svg_chart import chart_svg

__all__ = [
    "MODE_EXTENSION",
    "chart_svg",
    "client_page",
    "export_csv",
    "export_fhir",
    "export_json",
    "fhir_questionnaire",
    "guard_formula",
    "unguard_formula",
]
