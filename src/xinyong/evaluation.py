"""Running a scheme inside the database: one compiled query over every subject in scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from xinyong.compiler import to_sql
from xinyong.ir import Plan

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


def run_plan(
    conn: Connection, resolved: Plan, subject_ids: Sequence[int] | None = None
) -> dict[int, Outcome]:
    """Execute the plan's query on ``conn`` and read the results by subject id."""
    dialect = SQLGLOT_DIALECT.get(conn.dialect.name)
    if dialect is None:
        raise ValueError(f"not supported on {conn.dialect.name}")
    names = [name for name, _ in resolved.lists]
    outcomes = {}
    for row in conn.execute(text(to_sql(resolved, dialect, subject_ids=subject_ids))).mappings():
        outcomes[int(row["subject_id"])] = Outcome(
            subject_id=int(row["subject_id"]),
            score=float(row["score"]),
            grade=row["grade"],
            lists=frozenset(n for n in names if row[f"list_{n.replace('-', '_')}"]),
            measures={
                i: float(row[f"m{i}"]) for i in range(len(resolved.measures)) if f"m{i}" in row
            },
        )
    return outcomes
