"""Running compiled schemes on DuckDB: over rows copied in (tests), or over Parquet files
exported from the system of record (analysis at scale, ``bench``). The query is the one the
compiler emits for the ``duckdb`` dialect; only loading the tables is DuckDB's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xinyong.backends.sql import Outcome
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import Plan
from xinyong.schemes.oracle import Tables

#: The columns the compiled query reads, with DuckDB types.
COLUMNS: dict[str, dict[str, str]] = {
    "subjects": {
        "id": "BIGINT",
        "kind": "VARCHAR",
        "status": "VARCHAR",
        "region_code": "VARCHAR",
        "industry_code": "VARCHAR",
        "registered_on": "DATE",
    },
    "records": {
        "id": "BIGINT",
        "subject_id": "BIGINT",
        "item_code": "VARCHAR",
        "decided_on": "DATE",
        "severity": "SMALLINT",
        "attributes": "JSON",
        "supersedes_id": "BIGINT",
    },
    "record_events": {"record_id": "BIGINT", "kind": "VARCHAR", "effective_on": "DATE"},
    "cases": {"record_id": "BIGINT", "kind": "VARCHAR", "opened_on": "DATE", "closed_on": "DATE"},
}
#: Where each table's rows are in :class:`Tables`.
SOURCES = {
    "records": "records",
    "subjects": "subjects",
    "record_events": "events",
    "cases": "objections",
}


def connect() -> Any:
    try:
        import duckdb
    except ImportError:  # an optional dependency
        raise RuntimeError("DuckDB is not installed: pip install 'xinyong[duckdb]'") from None
    return duckdb.connect()


def from_rows(tables: Tables) -> Any:
    """An in-memory DuckDB holding ``tables``."""
    con = connect()
    for name, columns in COLUMNS.items():
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
        rows = [
            tuple(json.dumps(row.get(c)) if t == "JSON" else row.get(c) for c, t in columns.items())
            for row in getattr(tables, SOURCES[name])
        ]
        if rows:
            marks = ", ".join("?" for _ in columns)
            con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
    return con


def from_parquet(folder: Path) -> Any:
    """A DuckDB whose tables are views over ``<folder>/<table>.parquet``."""
    con = connect()
    for name, columns in COLUMNS.items():
        path = folder / f"{name}.parquet"
        if not path.exists() and name == "cases":  # no objections exported: an empty table
            con.execute(
                f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})"
            )
            continue
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path.as_posix()}')")
    return con


def run(con: Any, plan: Plan) -> dict[int, Outcome]:
    """Execute the plan's DuckDB query and read the outcomes by subject id."""
    cursor = con.execute(to_sql(plan, "duckdb"))
    names = [d[0] for d in cursor.description]
    rows = (dict(zip(names, values, strict=True)) for values in cursor.fetchall())
    outcomes = (Outcome.of_row(plan, row) for row in rows)
    return {outcome.subject_id: outcome for outcome in outcomes}
