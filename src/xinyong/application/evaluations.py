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
from xinyong.disclosure import access
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.errors import Forbidden, InvalidInput, Unsupported
from xinyong.evaluation.explain import Explanation, explain
from xinyong.evaluation.guidance import Guidance, guidances
from xinyong.evaluation.runs import (
    Comparison,
    Run,
    compare_runs,
    get_run,
    grade_distribution,
    list_counts,
    publish_run,
    store_run,
)
from xinyong.registry.subjects import get
from xinyong.schemes.model import SchemeType


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
        ``publish`` also records its grades for other schemes to read. A version that is not
        the one in force on the day gives a trial run: kept and comparable, never read by a
        check, a file or a listing, and never published."""
        core = self.core
        day = as_of or core.today()
        scheme = core.library.get(reference, on=None if "@" in reference else day)
        trial = not core.library.is_in_force(scheme, day)
        if trial and publish:
            raise InvalidInput(
                f"{scheme.key} is not in force on {day}: its grades are not published"
            )
        with core.transaction() as conn:
            backend = self.backend(conn, engine)
            run = store_run(conn, scheme, core.catalog, day, engine=backend, trial=trial)
            published = publish_run(conn, run, scheme) if publish else 0
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
        sides = [(core.library.get(first), day), (core.library.get(second), second_as_of or day)]
        with core.transaction() as conn:
            run_a, run_b = (
                store_run(conn, s, core.catalog, d, trial=not core.library.is_in_force(s, d))
                for s, d in sides
            )
            return run_a, run_b, compare_runs(conn, run_a.id, run_b.id)

    def summary(self, run_id: int, principal: Principal | None = None) -> Evaluated:
        """A stored run with its grade distribution and list counts."""
        with self.core.reading() as conn:
            run = get_run(conn, run_id)
            self._reach(principal, run.scheme)
            return Evaluated(run, grade_distribution(conn, run.id), dict(list_counts(conn, run.id)))

    def compare_stored(
        self, first: int, second: int, principal: Principal | None = None
    ) -> Comparison:
        """How grades moved between two stored runs."""
        with self.core.reading() as conn:
            for run_id in (first, second):
                self._reach(principal, get_run(conn, run_id).scheme)
            return compare_runs(conn, first, second)

    def explain(
        self,
        reference: str,
        code: str,
        as_of: date | None = None,
        *,
        principal: Principal | None = None,
        purpose: Purpose | None = None,
    ) -> Explanation:
        """Which records and rules gave one subject its result; read with a token, it needs a
        purpose and is written to the subject's access log."""
        core = self.core
        day = as_of or core.today()
        scheme = core.library.get(reference, on=None if "@" in reference else day)
        with core.transaction() as conn:
            if principal is not None:
                if purpose is None:
                    raise Forbidden("an explanation is read for a declared purpose")
                subject = get(conn, code)
                access.reach(principal, subject)
                access.log_read(conn, principal, subject.id, f"explain {scheme.key}", purpose)
            return explain(conn, scheme, core.catalog, day, code)

    def guidance(
        self,
        code: str,
        reference: str | None = None,
        as_of: date | None = None,
        *,
        principal: Principal | None = None,
        purpose: Purpose | None = None,
    ) -> list[Guidance]:
        """What would change the subject's grade or list status: under one scheme, or under
        each scheme in force that has the subject in scope. Read with a token, it needs a
        purpose (the subject reading its own needs none) and is written to the access log."""
        core = self.core
        day = as_of or core.today()
        if reference:
            schemes = [core.library.get(reference, on=None if "@" in reference else day)]
        else:
            graded = (SchemeType.RATING, SchemeType.LIST, SchemeType.POINTS)
            schemes = [s for s in core.library.in_force(day) if s.definition.scheme.type in graded]
        with core.transaction() as conn:
            subject = get(conn, code)
            if principal is not None:
                own = principal.subject_code == subject.code
                if purpose is None and not own:
                    raise Forbidden("what would change a grade is read for a declared purpose")
                access.reach(principal, subject)
                access.log_read(conn, principal, subject.id, "guidance", purpose or access.OWN)
            found = guidances(conn, schemes, core.catalog, day, subject.code)
        return found if reference else [g for g in found if g.in_scope]

    def _reach(self, principal: Principal | None, reference: str) -> None:
        """A regional office works with schemes of its own region or below."""
        if principal is not None:
            scheme = self.core.library.get(reference)
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)

    def export_parquet(self, folder: Path) -> dict[str, int]:
        """The tables a compiled scheme reads, as Parquet files for DuckDB and Spark."""
        with self.core.reading() as conn:
            return export_parquet(conn, folder)
