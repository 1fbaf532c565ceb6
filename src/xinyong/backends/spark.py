"""Running compiled schemes on Spark SQL: the query the compiler emits for the ``spark`` dialect,
over temporary views of rows copied in (tests) or of Parquet files exported from the system of
record (national scale). Only loading the tables is Spark's own; the tables and columns are the
ones DuckDB reads (:data:`xinyong.backends.duckdb.COLUMNS`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xinyong.backends.duckdb import COLUMNS, SOURCES
from xinyong.backends.sql import Outcome
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import Plan
from xinyong.schemes.oracle import Tables

#: Spark SQL types for the DuckDB types of :data:`COLUMNS`; JSON stays text, which Spark reads
#: with ``get_json_object``.
TYPES = {
    "BIGINT": "BIGINT",
    "VARCHAR": "STRING",
    "DATE": "DATE",
    "SMALLINT": "SMALLINT",
    "JSON": "STRING",
}


def session(app_name: str = "xinyong") -> Any:
    """A local Spark session (one core, no UI), or the active one."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # an optional dependency
        raise RuntimeError("PySpark is not installed: pip install 'xinyong[spark]'") from None
    spark = (
        SparkSession.builder.master("local[1]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _schema(name: str) -> str:
    return ", ".join(f"{column} {TYPES[kind]}" for column, kind in COLUMNS[name].items())


def from_rows(spark: Any, tables: Tables) -> Any:
    """Temporary views over ``tables`` in ``spark``; returns the session."""
    for name, columns in COLUMNS.items():
        rows = [
            tuple(
                json.dumps(row.get(c)) if kind == "JSON" and row.get(c) is not None else row.get(c)
                for c, kind in columns.items()
            )
            for row in getattr(tables, SOURCES[name])
        ]
        spark.createDataFrame(rows, _schema(name)).createOrReplaceTempView(name)
    return spark


def from_parquet(spark: Any, folder: Path) -> Any:
    """Temporary views over ``<folder>/<table>.parquet`` (an empty ``cases`` when absent)."""
    for name in COLUMNS:
        path = folder / f"{name}.parquet"
        if path.exists():
            frame = spark.read.parquet(str(path))
        else:
            frame = spark.createDataFrame([], _schema(name))
        frame.createOrReplaceTempView(name)
    return spark


def run(spark: Any, plan: Plan) -> dict[int, Outcome]:
    """Execute the plan's Spark SQL query and read the outcomes by subject id."""
    rows = spark.sql(to_sql(plan, "spark")).collect()
    outcomes = (Outcome.of_row(plan, row.asDict()) for row in rows)
    return {outcome.subject_id: outcome for outcome in outcomes}
