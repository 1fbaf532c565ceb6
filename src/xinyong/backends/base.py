"""One protocol for every engine that runs a compiled scheme: the database that holds the
records (SQLite, PostgreSQL), DuckDB over Parquet, Spark SQL. A backend answers one question,
"run this plan", and gives each subject's :class:`Outcome`; what SQL to write is the compiler's
(:mod:`xinyong.schemes.compiler`), the only thing a backend owns is how to run it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from xinyong.errors import Unsupported
from xinyong.schemes.ir import Plan

ENGINES = ("sqlite", "postgres", "duckdb", "spark")
"""Every engine ``--engine`` names; each is a dialect of the compiler."""


def list_column(name: str) -> str:
    """The compiled query's 0/1 column of a list."""
    return f"list_{name.replace('-', '_')}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One subject's result from the compiled query."""

    subject_id: int
    score: float
    grade: str | None
    lists: frozenset[str]
    # the measures the query returns as columns, by index (None: a mean of no records, say)
    measures: dict[int, float | None]
    # what set the grade: band, override, bar or new_subject (None: the scheme has no grades)
    decided_by: str | None = None

    @classmethod
    def of_row(cls, plan: Plan, row: Mapping[Any, Any]) -> Outcome:
        """A row of the compiled query (any engine) by column name."""
        return cls(
            subject_id=int(row["subject_id"]),
            score=float(row["score"]),
            grade=row["grade"],
            lists=frozenset(name for name, _ in plan.lists if row[list_column(name)]),
            measures={
                i: None if row[f"m{i}"] is None else float(row[f"m{i}"])
                for i in range(len(plan.measures))
                if f"m{i}" in row
            },
            decided_by=row["decided_by"],
        )


class Backend(Protocol):
    """An engine holding the tables a compiled scheme reads."""

    @property
    def engine(self) -> str:
        """The engine's name, one of :data:`ENGINES` (and the compiler's dialect)."""
        ...

    def run(self, plan: Plan, subject_ids: Sequence[int] | None = None) -> dict[int, Outcome]:
        """Run the plan's one query (for every subject in scope, or only ``subject_ids``) and
        give the outcomes by subject id."""
        ...


def outcomes(plan: Plan, rows: Any) -> dict[int, Outcome]:
    """Outcomes by subject id from mappings of the compiled query's rows."""
    found = (Outcome.of_row(plan, row) for row in rows)
    return {outcome.subject_id: outcome for outcome in found}


def check_engine(name: str) -> str:
    """``name`` if it is an engine xinyong knows, else :class:`Unsupported`."""
    if name not in ENGINES:
        raise Unsupported(f"no engine {name!r}; use one of {', '.join(ENGINES)}")
    return name
