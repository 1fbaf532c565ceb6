"""The tables and columns a compiled scheme reads, in one engine-neutral table, and the two
ways they reach an engine other than the database: copied as rows (:func:`read_tables`, for
tests and one subject's explanation) or exported as Parquet files (:func:`export_parquet`, for
DuckDB and Spark at scale)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from xinyong.schemes.oracle import Tables
from xinyong.store.tables import (
    cases,
    evaluation_results,
    evaluation_runs,
    record_events,
    records,
    subjects,
)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str  # neutral type: bigint, smallint, text, date, json


COLUMNS: dict[str, tuple[Column, ...]] = {
    "subjects": (
        Column("id", "bigint"),
        Column("kind", "text"),
        Column("status", "text"),
        Column("region_code", "text"),
        Column("industry_code", "text"),
        Column("registered_on", "date"),
    ),
    "records": (
        Column("id", "bigint"),
        Column("subject_id", "bigint"),
        Column("item_code", "text"),
        Column("decided_on", "date"),
        Column("severity", "smallint"),
        Column("attributes", "json"),
        Column("supersedes_id", "bigint"),
        Column("decided_in", "text"),
    ),
    "record_events": (
        Column("record_id", "bigint"),
        Column("kind", "text"),
        Column("effective_on", "date"),
    ),
    "cases": (
        Column("record_id", "bigint"),
        Column("kind", "text"),
        Column("opened_on", "date"),
        Column("closed_on", "date"),
    ),
    "evaluation_runs": (
        Column("id", "bigint"),
        Column("scheme_id", "text"),
        Column("as_of", "date"),
    ),
    "evaluation_results": (
        Column("run_id", "bigint"),
        Column("subject_id", "bigint"),
        Column("grade", "text"),
    ),
}
"""The columns the compiled query reads, by table."""

SOURCES = {
    "records": "records",
    "subjects": "subjects",
    "record_events": "events",
    "cases": "objections",
    "evaluation_runs": "runs",
    "evaluation_results": "results",
}
"""Where each table's rows are in :class:`~xinyong.schemes.oracle.Tables`."""

OPTIONAL = frozenset({"cases", "evaluation_runs", "evaluation_results"})
"""Tables that may be absent from an export (none of their rows): read as empty."""


def read_tables(conn: Connection, subject_ids: Sequence[int] | None = None) -> Tables:
    """Every row a plan reads, or only the rows of ``subject_ids``, as plain dicts."""
    people, facts = select(subjects), select(records)
    events = select(record_events)
    objections = select(
        cases.c.record_id, cases.c.kind, cases.c.opened_on, cases.c.closed_on
    ).where(cases.c.kind == "objection", cases.c.record_id.is_not(None))
    runs = select(evaluation_runs.c.id, evaluation_runs.c.scheme_id, evaluation_runs.c.as_of)
    results = select(
        evaluation_results.c.run_id, evaluation_results.c.subject_id, evaluation_results.c.grade
    )
    if subject_ids is not None:
        results = results.where(evaluation_results.c.subject_id.in_(subject_ids))
        people = people.where(subjects.c.id.in_(subject_ids))
        facts = facts.where(records.c.subject_id.in_(subject_ids))
        mine = select(records.c.id).where(records.c.subject_id.in_(subject_ids))
        events = events.where(record_events.c.record_id.in_(mine))
        objections = objections.where(cases.c.subject_id.in_(subject_ids))
    return Tables(
        [dict(r) for r in conn.execute(people).mappings()],
        [dict(r) for r in conn.execute(facts).mappings()],
        [dict(r) for r in conn.execute(events).mappings()],
        [dict(r) for r in conn.execute(objections).mappings()],
        [dict(r) for r in conn.execute(runs).mappings()],
        [dict(r) for r in conn.execute(results).mappings()],
    )


def export_parquet(conn: Connection, folder: Path) -> dict[str, int]:
    """Write the tables a plan reads to ``<folder>/<table>.parquet`` (through DuckDB) and give
    the rows written per table."""
    from xinyong.backends.duckdb import DuckDB

    folder.mkdir(parents=True, exist_ok=True)
    tables = read_tables(conn)
    duck = DuckDB.from_rows(tables)
    written: dict[str, int] = {}
    for name in COLUMNS:
        path = folder / f"{name}.parquet"
        duck.con.execute(f"COPY {name} TO '{path.as_posix()}' (FORMAT PARQUET)")
        written[name] = len(getattr(tables, SOURCES[name]))
    return written
