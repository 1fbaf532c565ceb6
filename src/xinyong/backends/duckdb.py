"""DuckDB: the compiled query over rows copied in (tests), or over Parquet files exported from
the system of record (analysis at scale, ``bench``). Only loading the tables is DuckDB's own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinyong.backends.base import Outcome, outcomes
from xinyong.backends.tables import COLUMNS, OPTIONAL, SOURCES
from xinyong.errors import Unsupported
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import Plan
from xinyong.schemes.oracle import Tables

TYPES = {
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "text": "VARCHAR",
    "date": "DATE",
    "json": "JSON",
}
"""DuckDB's type for each neutral column type."""


def connect() -> Any:
    try:
        import duckdb
    except ImportError:  # an optional dependency
        raise Unsupported("DuckDB is not installed: pip install 'xinyong[duckdb]'") from None
    return duckdb.connect()


def _create(con: Any, name: str) -> None:
    columns = ", ".join(f"{c.name} {TYPES[c.kind]}" for c in COLUMNS[name])
    con.execute(f"CREATE TABLE {name} ({columns})")


@dataclass(frozen=True, slots=True)
class DuckDB:
    """A DuckDB connection holding the tables a plan reads."""

    con: Any
    engine: str = "duckdb"

    @classmethod
    def from_rows(cls, tables: Tables) -> DuckDB:
        """An in-memory DuckDB holding ``tables``."""
        con = connect()
        for name, columns in COLUMNS.items():
            _create(con, name)
            rows = [
                tuple(
                    json.dumps(row.get(c.name)) if c.kind == "json" else row.get(c.name)
                    for c in columns
                )
                for row in getattr(tables, SOURCES[name])
            ]
            if rows:
                marks = ", ".join("?" for _ in columns)
                con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        return cls(con)

    @classmethod
    def from_parquet(cls, folder: Path) -> DuckDB:
        """A DuckDB whose tables are views over ``<folder>/<table>.parquet``."""
        con = connect()
        for name in COLUMNS:
            path = folder / f"{name}.parquet"
            if not path.exists() and name in OPTIONAL:  # none of its rows exported: empty
                _create(con, name)
                continue
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path.as_posix()}')")
        return cls(con)

    def run(self, plan: Plan, subject_ids: Sequence[int] | None = None) -> dict[int, Outcome]:
        cursor = self.con.execute(to_sql(plan, "duckdb", subject_ids=subject_ids))
        names = [d[0] for d in cursor.description]
        return outcomes(plan, (dict(zip(names, v, strict=True)) for v in cursor.fetchall()))


def from_rows(tables: Tables) -> Any:
    """The DuckDB connection of :meth:`DuckDB.from_rows` (for callers that query it)."""
    return DuckDB.from_rows(tables).con


def from_parquet(folder: Path) -> Any:
    return DuckDB.from_parquet(folder).con


def run(con: Any, plan: Plan) -> dict[int, Outcome]:
    """Execute the plan's DuckDB query on ``con`` and read the outcomes by subject id."""
    return DuckDB(con).run(plan)
