"""Evaluations: a scheme run over every subject in scope and kept, on the database's own engine
or on another one (DuckDB, Spark SQL) over a copy of the tables; two runs compared; one
subject's result explained; the tables exported as Parquet for the columnar engines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from xinyong.application.base import Core
from xinyong.backends.base import Backend, check_engine
from xinyong.backends.sql import dialect_of
from xinyong.backends.tables import export_parquet, read_tables
from xinyong.errors import Unsupported
from xinyong.evaluation.explain import Explanation, explain
from xinyong.evaluation.runs import (
    Comparison,
    Run,
    compare_runs,
    grade_distribution,
    list_counts,
    publish_run,
    store_run,
)


@dataclass(frozen=True, slots=True)
class Evaluated:
    """A stored run, its grade distribution and list counts."""

    run: Run
    grades: dict[str | None, int]
    lists: dict[str, int]
    published: int = 0


class Evaluations:
    """Use cases of evaluation runs."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def backend(self, conn: Connection, engine: str | None) -> Backend | None:
        """The engine to run on: ``None`` for the database's own (``sqlite`` or ``postgres``,
        whichever holds the records), else DuckDB or Spark over a copy of the tables."""
        if engine is None:
            return None
        own = dialect_of(conn)
        if check_engine(engine) == own:
            return None
        if engine == "duckdb":
            from xinyong.backends.duckdb import DuckDB

            return DuckDB.from_rows(read_tables(conn))
        if engine == "spark":
            from xinyong.backends.spark import Spark, session

            spark = session(master=self.core.settings.spark_master)
            return Spark.from_rows(spark, read_tables(conn))
        raise Unsupported(f"the records are in {own}; {engine} is another database")

    def evaluate(
        self,
        reference: str,
        *,
        as_of: date | None = None,
        engine: str | None = None,
        publish: bool = False,
    ) -> Evaluated:
        """Evaluate a scheme (``ID`` in force on the day, or ``ID@VERSION``) and keep the run;
        ``publish`` also records its grades for other schemes to read."""
        core = self.core
        day = as_of or core.today()
        scheme = core.library.get(reference, on=None if "@" in reference else day)
        with core.transaction() as conn:
            run = store_run(conn, scheme, core.catalog, day, engine=self.backend(conn, engine))
            published = publish_run(conn, run) if publish else 0
            return Evaluated(
                run, grade_distribution(conn, run.id), dict(list_counts(conn, run.id)), published
            )

    def compare(
        self,
        first: str,
        second: str,
        *,
        as_of: date | None = None,
        second_as_of: date | None = None,
    ) -> tuple[Run, Run, Comparison]:
        """Two runs over the same records (two versions, or one scheme on two dates)."""
        core = self.core
        day = as_of or core.today()
        with core.transaction() as conn:
            run_a = store_run(conn, core.library.get(first), core.catalog, day)
            run_b = store_run(conn, core.library.get(second), core.catalog, second_as_of or day)
            return run_a, run_b, compare_runs(conn, run_a.id, run_b.id)

    def explain(self, reference: str, code: str, as_of: date | None = None) -> Explanation:
        """Which records and rules gave one subject its result."""
        core = self.core
        day = as_of or core.today()
        scheme = core.library.get(reference, on=None if "@" in reference else day)
        with core.reading() as conn:
            return explain(conn, scheme, core.catalog, day, code)

    def export_parquet(self, folder: Path) -> dict[str, int]:
        """The tables a compiled scheme reads, as Parquet files for DuckDB and Spark."""
        with self.core.reading() as conn:
            return export_parquet(conn, folder)
