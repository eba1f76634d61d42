"""The domain never imports Textual, and `fittui record` imports neither Textual nor plotext."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN = [
    "fittui.domain.instruments",
    "fittui.domain.model",
    "fittui.domain.scoring",
    "fittui.domain.etr",
    "fittui.storage.journal",
    "fittui.storage.store",
    "fittui.formats.importing",
    "fittui.domain.overview",
    "fittui.domain.outcomes",
    "fittui.domain.episodes",
    "fittui.formats.export",
    "fittui.storage.backup",
    "fittui.formats.chart",
    "fittui.storage.demo",
    "fittui.storage.locations",
    "fittui.cli.main",
]


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_does_not_import_textual(module):
    code = (
        f"import sys, {module}; "
        "print(any(m.split('.')[0] in ('textual', 'plotext') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_record_does_not_import_textual(tmp_path):
    code = (
        "import sys; from fittui.cli.main import main; db = sys.argv[1];"
        "main(['--db', db, 'add-client', 'C1']);"
        "main(['--db', db, 'record', 'C1', 'ORS', '1', '1', '1', '1']);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'plotext', 'rich'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "f.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
