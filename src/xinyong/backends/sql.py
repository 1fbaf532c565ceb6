"""The database's own engine: the compiled query runs inside SQLite or PostgreSQL, over the
system of record, through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from xinyong.backends.base import Outcome, outcomes
from xinyong.errors import Unsupported
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import Plan

SQLGLOT_DIALECT = {"sqlite": "sqlite", "postgresql": "postgres"}
"""SQLAlchemy dialect name -> the compiler's dialect."""


def dialect_of(conn: Connection) -> str:
    """The compiler's dialect for ``conn``'s database, or :class:`Unsupported`."""
    found = SQLGLOT_DIALECT.get(conn.dialect.name)
    if found is None:
        raise Unsupported(f"compiled schemes are not supported on {conn.dialect.name}")
    return found


@dataclass(frozen=True, slots=True)
class Database:
    """A connection to the database that holds the records."""

    conn: Connection

    @property
    def engine(self) -> str:
        return dialect_of(self.conn)

    def run(self, plan: Plan, subject_ids: Sequence[int] | None = None) -> dict[int, Outcome]:
        query = text(to_sql(plan, self.engine, subject_ids=subject_ids))
        return outcomes(plan, self.conn.execute(query).mappings())


def run_plan(
    conn: Connection, resolved: Plan, subject_ids: Sequence[int] | None = None
) -> dict[int, Outcome]:
    """Execute the plan's query on ``conn`` and read the results by subject id."""
    return Database(conn).run(resolved, subject_ids)
