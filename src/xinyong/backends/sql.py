"""Running a scheme inside the database: one compiled query over every subject in scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import Plan

#: SQLAlchemy dialect name -> sqlglot dialect name.
SQLGLOT_DIALECT = {"sqlite": "sqlite", "postgresql": "postgres", "duckdb": "duckdb"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One subject's result from the compiled query."""

    subject_id: int
    score: float
    grade: str | None
    lists: frozenset[str]
    measures: dict[int, float]  # the measures the query returns as columns, by index

    @classmethod
    def of_row(cls, plan: Plan, row: Mapping[Any, Any]) -> Outcome:
        """A row of the compiled query (any engine) by column name."""
        return cls(
            subject_id=int(row["subject_id"]),
            score=float(row["score"]),
            grade=row["grade"],
            lists=frozenset(
                name for name, _ in plan.lists if row[f"list_{name.replace('-', '_')}"]
            ),
            measures={i: float(row[f"m{i}"]) for i in range(len(plan.measures)) if f"m{i}" in row},
        )


def run_plan(
    conn: Connection, resolved: Plan, subject_ids: Sequence[int] | None = None
) -> dict[int, Outcome]:
    """Execute the plan's query on ``conn`` and read the results by subject id."""
    dialect = SQLGLOT_DIALECT.get(conn.dialect.name)
    if dialect is None:
        raise ValueError(f"not supported on {conn.dialect.name}")
    query = text(to_sql(resolved, dialect, subject_ids=subject_ids))
    outcomes = (Outcome.of_row(resolved, row) for row in conn.execute(query).mappings())
    return {outcome.subject_id: outcome for outcome in outcomes}
