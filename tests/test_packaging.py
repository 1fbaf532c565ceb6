"""`import xinyong` needs only the core dependencies; optional ones stay optional."""

from __future__ import annotations

import subprocess
import sys

BLOCK_OPTIONAL = """
import sys
for name in ("psycopg", "pytest", "hypothesis", "weasyprint", "pyspark", "duckdb"):
    sys.modules[name] = None  # importing any of these now fails
import xinyong, xinyong.cli.main, xinyong.ingest.pipeline, xinyong.samples.files
import xinyong.evaluation.runs, xinyong.evaluation.explain
from xinyong import Catalog, Database
Catalog.load()
Database("sqlite://").migrate()
print("ok")
"""


def test_core_imports_without_optional_dependencies() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_OPTIONAL], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "ok", result.stderr
