"""Spark SQL: the compiled query over temporary views of rows copied in (tests) or of Parquet
files exported from the system of record (national scale). Only loading the tables is Spark's
own; the tables and columns are :data:`xinyong.backends.tables.COLUMNS`."""

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
    "text": "STRING",
    "date": "DATE",
    "json": "STRING",  # read with get_json_object
}
"""Spark SQL's type for each neutral column type."""


def session(app_name: str = "xinyong", master: str = "local[1]") -> Any:
    """A Spark session on ``master`` (default one local core, no UI), or the active one."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # an optional dependency
        raise Unsupported("PySpark is not installed: pip install 'xinyong[spark]'") from None
    from splink.internals.spark.jar_location import similarity_jar_location

    spark = (
        SparkSession.builder.master(master)
        .appName(app_name)
        # Splink's string similarity functions (Jaro-Winkler, Damerau-Levenshtein), which
        # record linkage on Spark calls; a class path is fixed when the session starts
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _schema(name: str) -> str:
    return ", ".join(f"{c.name} {TYPES[c.kind]}" for c in COLUMNS[name])


@dataclass(frozen=True, slots=True)
class Spark:
    """A Spark session with temporary views of the tables a plan reads."""

    spark: Any
    engine: str = "spark"

    @classmethod
    def from_rows(cls, spark: Any, tables: Tables) -> Spark:
        for name, columns in COLUMNS.items():
            rows = [
                tuple(
                    json.dumps(row.get(c.name))
                    if c.kind == "json" and row.get(c.name) is not None
                    else row.get(c.name)
                    for c in columns
                )
                for row in getattr(tables, SOURCES[name])
            ]
            spark.createDataFrame(rows, _schema(name)).createOrReplaceTempView(name)
        return cls(spark)

    @classmethod
    def from_parquet(cls, spark: Any, folder: Path) -> Spark:
        """Views over ``<folder>/<table>.parquet`` (an empty view of an optional table that
        is absent)."""
        for name in COLUMNS:
            path = folder / f"{name}.parquet"
            if path.exists() or name not in OPTIONAL:
                frame = spark.read.parquet(str(path))
            else:
                frame = spark.createDataFrame([], _schema(name))
            frame.createOrReplaceTempView(name)
        return cls(spark)

    def run(self, plan: Plan, subject_ids: Sequence[int] | None = None) -> dict[int, Outcome]:
        rows = self.spark.sql(to_sql(plan, "spark", subject_ids=subject_ids)).collect()
        return outcomes(plan, (row.asDict() for row in rows))


def from_rows(spark: Any, tables: Tables) -> Any:
    return Spark.from_rows(spark, tables).spark


def from_parquet(spark: Any, folder: Path) -> Any:
    return Spark.from_parquet(spark, folder).spark


def run(spark: Any, plan: Plan) -> dict[int, Outcome]:
    """Execute the plan's Spark SQL query in ``spark`` and read the outcomes by subject id."""
    return Spark(spark).run(plan)
