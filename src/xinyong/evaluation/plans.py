"""Re-grade statements compiled once per scheme version, catalog, as-of date and database,
and run for any subjects.

Re-grading the subjects of a new record under every scheme in force used to resolve, compile
and print each scheme's query anew (tens of milliseconds a scheme), while running it takes a
fraction of a millisecond. The statement depends only on the scheme's content, the catalog,
the as-of date and the SQL dialect; the subjects and the run are bound when it runs
(``:subjects``, an expanding list, and ``:run_id``). Entries are keyed by the scheme's
SHA-256, so an edited scheme file never reuses an old statement, and hold the catalog they
were built from, so a catalog loaded anew never matches one gone."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Integer, TextClause, bindparam, text
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlglot import exp

from xinyong.catalog.items import Catalog
from xinyong.schemes.compiler import compile_plan
from xinyong.schemes.dialects import bind
from xinyong.schemes.ir import plan
from xinyong.schemes.model import Scheme

#: The columns a run's results are written to, in the order the statement selects them.
RESULT_COLUMNS = ["run_id", "subject_id", "score", "grade", "lists", "decided_by"]


def lists_expression(names: Sequence[str]) -> exp.Expr:
    """The list memberships of a result row as one space-separated string."""
    parts: list[exp.Expr] = [exp.Literal.string("")]
    for name in names:
        flag = exp.column(f"list_{name.replace('-', '_')}", table="q")
        parts.append(
            exp.Case(
                ifs=[
                    exp.If(
                        this=exp.EQ(this=flag, expression=exp.Literal.number(1)),
                        true=exp.Literal.string(f"{name} "),
                    )
                ],
                default=exp.Literal.string(""),
            )
        )
    joined = parts[0]
    for part in parts[1:]:
        joined = exp.DPipe(this=joined, expression=part)
    return joined


def results_insert(
    query: exp.Select, run: exp.Expr, lists: Sequence[str], table: str = "evaluation_results"
) -> exp.Insert:
    """``INSERT INTO evaluation_results ... SELECT`` of a compiled query's rows for ``run``
    (or into ``table``, which has the same columns: a shadow run's results)."""
    q = query.subquery("q")
    select_results = exp.select(
        run,
        exp.column("subject_id", table="q"),
        exp.column("score", table="q"),
        exp.column("grade", table="q"),
        lists_expression(lists),
        exp.column("decided_by", table="q"),
    ).from_(q)
    return exp.insert(select_results, table, columns=RESULT_COLUMNS)


@dataclass(frozen=True)
class Regrade:
    """One scheme's re-grade statement: bind ``run_id`` and ``subjects`` and run it."""

    sql: str
    dialect: str

    @cached_property
    def statement(self) -> TextClause:
        # on PostgreSQL the subjects are one array (= ANY), elsewhere an expanding list (IN)
        return text(self.sql).bindparams(
            bindparam("run_id", type_=Integer),
            bindparam("subjects", expanding=self.dialect != "postgres"),
        )

    @cached_property
    def driver_sql(self) -> str:
        """The statement as psycopg takes it (``%(name)s``, a literal ``%`` doubled)."""
        return str(self.statement.compile(dialect=psycopg_dialect()))  # type: ignore[no-untyped-call]


def run_all(
    conn: Connection, statements: Sequence[tuple[Regrade, int]], subject_ids: Sequence[int]
) -> list[int]:
    """Run each re-grade statement for its run, in ``conn``'s transaction; how many results
    each stored. On PostgreSQL they go to psycopg prepared (planning these queries costs ten
    times their execution, so each connection plans each once) and are sent together
    (psycopg's pipeline: one round trip for all of them, not one each)."""
    if not statements:
        return []
    values = [{"run_id": run_id, "subjects": list(subject_ids)} for _, run_id in statements]
    if statements[0][0].dialect != "postgres":
        return [
            int(conn.execute(regrade.statement, v).rowcount)
            for (regrade, _), v in zip(statements, values, strict=True)
        ]
    driver: Any = conn.connection.driver_connection
    with driver.pipeline():
        cursors = [
            driver.execute(regrade.driver_sql, v, prepare=True)
            for (regrade, _), v in zip(statements, values, strict=True)
        ]
    return [int(cursor.rowcount) for cursor in cursors]


class PlanCache:
    """The re-grade statements built so far, the least recently used dropped beyond ``size``;
    safe to share between the threads of a server."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, str, int, date, str], tuple[Catalog, Regrade]]
        self._entries = OrderedDict()
        self._lock = threading.Lock()
        self.built = 0

    def regrade(self, scheme: Scheme, catalog: Catalog, as_of: date, dialect: str) -> Regrade:
        key = (scheme.key, scheme.sha256, id(catalog), as_of, dialect)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] is catalog:
                self._entries.move_to_end(key)
                return found[1]
        resolved = plan(scheme, catalog, as_of)
        query = compile_plan(resolved, dialect, bound=True)
        names = [n for n, _ in resolved.lists]
        sql = results_insert(query, bind("run_id"), names).sql(dialect=dialect)
        compiled = Regrade(sql, dialect)
        with self._lock:
            self._entries[key] = (catalog, compiled)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            self.built += 1
        return compiled

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process's cache, shared by every use case that re-grades.
PLANS = PlanCache()
