"""Shared fixtures.

Fixture policy: the smallest data that shows the behaviour, built inline in the test where
possible (a three-row CSV written to ``tmp_path``), generated only where a test is about volume
or distribution. Storage tests take the ``db`` fixture, which runs them on SQLite and, where a
server is reachable, on PostgreSQL: each PostgreSQL test gets a schema of its own, dropped
afterwards, so runs never see each other's rows. ``XINYONG_TEST_POSTGRES_URL`` names the server
(default ``postgresql://postgres@127.0.0.1:5432/test``); with ``XINYONG_REQUIRE_POSTGRES=1`` (CI)
an unreachable server is a failure instead of a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from xinyong.catalog.items import Catalog
from xinyong.ingest.pipeline import Ingestor
from xinyong.settings import Settings
from xinyong.store.database import Database

POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)
TODAY = date(2026, 11, 23)


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, with the reason
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}"[:300]
    return None


_PG_PROBLEM: str | bool | None = False  # False: not probed yet


def postgres_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _postgres_problem()
    return _PG_PROBLEM if isinstance(_PG_PROBLEM, str) else None


@contextmanager
def postgres_schema(prefix: str = "xy_test") -> Iterator[str]:
    """A schema of its own on the test PostgreSQL, dropped afterwards; the test is skipped
    where none is reachable (failed where CI requires one)."""
    problem = postgres_problem()
    if problem:
        if os.environ.get("XINYONG_REQUIRE_POSTGRES") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def schema_url(schema: str) -> str:
    """The test PostgreSQL's URL with ``schema`` first on the search path."""
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'test.db'}")
        database.migrate()
        yield database
        database.dispose()
        return
    with postgres_schema() as schema:
        database = Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
        try:
            database.migrate()
            yield database
        finally:
            database.dispose()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def bench_catalog() -> Catalog:
    """The catalog of the reference scheme in bench/."""
    return Catalog.load([Path(__file__).parent.parent / "bench" / "catalog.yaml"])


@pytest.fixture
def settings() -> Settings:
    return Settings(today=TODAY, database_url="sqlite://")


@pytest.fixture
def ingestor(db: Database, catalog: Catalog, settings: Settings) -> Ingestor:
    return Ingestor(db, catalog, settings)


# -- a tool that CI installs must not be missing there ------------------------------------------
# A test that needs a tool from outside the venv (Debian's chromium, poppler, zbar, a Java
# runtime) or an optional package skips with a reason that starts "needs ...". With
# ``XINYONG_REQUIRE_TOOLS=1`` (CI, where .ci/run installs them all) such a skip fails the run,
# so a tool that went missing can never turn a suite of checks into silent skips.
_MISSING_TOOLS: list[str] = []


def _needs(report: pytest.CollectReport | pytest.TestReport) -> None:
    if report.skipped and os.environ.get("XINYONG_REQUIRE_TOOLS") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if reason.removeprefix("Skipped: ").startswith("needs "):
            _MISSING_TOOLS.append(f"{report.nodeid}: {reason}")


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _needs(report)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _needs(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _MISSING_TOOLS:
        print("\nXINYONG_REQUIRE_TOOLS=1, and these tests skipped for a missing tool:")
        print("\n".join(f"  {line}" for line in dict.fromkeys(_MISSING_TOOLS)))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
