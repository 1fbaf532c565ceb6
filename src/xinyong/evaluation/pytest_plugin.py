"""A pytest plugin that collects scheme files and runs each of their test cases as its own test,
with its own failure report, as OpenFisca's runner does for its YAML tests.

Enable it with ``-p xinyong.evaluation.pytest_plugin`` (xinyong's own ``pyproject.toml`` does),
then point pytest at scheme files or folders: ``pytest -p xinyong.evaluation.pytest_plugin
my-schemes/``. A YAML file is a scheme file when it has a top-level ``scheme:`` key. Each case
runs the compiled query on the database, the reference evaluator and, where it is installed,
DuckDB; a failure lists every way the result differs from the expectation, with the file and
the line of the case.

Options: ``--scheme-database URL`` runs the cases in that database, each in a transaction that
is rolled back (default: a new in-memory SQLite database); ``--scheme-duckdb`` or
``--no-scheme-duckdb`` turns the DuckDB comparison on or off. A ``catalog.yaml`` beside a
scheme file is loaded with the national catalog for it."""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xinyong.catalog.items import Catalog
from xinyong.evaluation.scheme_cases import CaseResult, run_case
from xinyong.schemes.loading import load_scheme
from xinyong.schemes.model import Scheme, SchemeType, TestCase
from xinyong.settings import Settings
from xinyong.store.database import Database

_SCHEME_KEY = re.compile(r"^scheme:", re.MULTILINE)
_DATABASE = pytest.StashKey[Database]()
_CATALOGS = pytest.StashKey[dict[Path | None, Catalog]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("xinyong", "xinyong scheme files")
    group.addoption(
        "--scheme-database",
        default="sqlite://",
        metavar="URL",
        help="database the scheme test cases run in, rolled back (default: in-memory SQLite)",
    )
    group.addoption(
        "--scheme-duckdb",
        action="store_const",
        const=True,
        dest="scheme_duckdb",
        default=None,
        help="also run every case on DuckDB (default: when DuckDB is installed)",
    )
    group.addoption(
        "--no-scheme-duckdb",
        action="store_const",
        const=False,
        dest="scheme_duckdb",
        help="do not run the cases on DuckDB",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    if not _SCHEME_KEY.search(file_path.read_text(encoding="utf-8")):
        return None
    found: SchemeFile = SchemeFile.from_parent(parent, path=file_path)
    return found


def _catalog(config: pytest.Config, folder: Path) -> Catalog:
    """The national catalog, the configured extra files, and a ``catalog.yaml`` in ``folder``."""
    catalogs = config.stash.setdefault(_CATALOGS, {})
    beside = folder / "catalog.yaml"
    key = beside if beside.exists() else None
    if key not in catalogs:
        extra = [*Settings().catalog_paths, *([beside] if key else [])]
        catalogs[key] = Catalog.load(extra)
    return catalogs[key]


def _database(config: pytest.Config) -> Database:
    if _DATABASE not in config.stash:
        database = Database(str(config.getoption("--scheme-database")))
        database.migrate()
        config.stash[_DATABASE] = database
    return config.stash[_DATABASE]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _DATABASE in config.stash:
        config.stash[_DATABASE].dispose()


class SchemeFile(pytest.File):
    """A scheme file: its test cases are its items."""

    def collect(self) -> Iterator[SchemeCase]:
        catalog = _catalog(self.config, self.path.parent)
        scheme = load_scheme(self.path, catalog)
        cases = scheme.definition.tests
        if not cases and scheme.definition.scheme.type is not SchemeType.MEASURES:
            warnings.warn(f"{scheme.key} has no test cases", pytest.PytestWarning, stacklevel=1)
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for case in cases:
            yield SchemeCase.from_parent(
                self,
                name=case.name,
                scheme=scheme,
                case=case,
                catalog=catalog,
                line=_line_of(lines, case.name),
            )


def _line_of(lines: list[str], name: str) -> int:
    """The 0-based line of a case's ``name:`` (0 when it cannot be found)."""
    wanted = re.compile(rf"^\s*-?\s*name:\s*['\"]?{re.escape(name)}['\"]?\s*$")
    return next((i for i, line in enumerate(lines) if wanted.match(line)), 0)


class CaseFailed(Exception):
    """A case's result differs from what it expects."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__("; ".join(result.problems))
        self.result = result


class SchemeCase(pytest.Item):
    """One test case of a scheme file."""

    def __init__(
        self, *, scheme: Scheme, case: TestCase, catalog: Catalog, line: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.scheme = scheme
        self.case = case
        self.catalog = catalog
        self.line = line

    def runtest(self) -> None:
        chosen = self.config.getoption("scheme_duckdb")
        duckdb = importlib.util.find_spec("duckdb") is not None if chosen is None else chosen
        result = run_case(_database(self.config), self.scheme, self.catalog, self.case, duckdb)
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, CaseFailed):
            where = f"{self.path}:{self.line + 1}"
            problems = "\n".join(f"  {p}" for p in excinfo.value.result.problems)
            title = f"{self.scheme.key} / {self.case.name} ({where}), as of {self.case.as_of}"
            return f"{title}:\n{problems}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line, f"{self.scheme.key} / {self.case.name}"
