"""Evaluation runs: a scheme version evaluated as of a date, its results written by the
database itself (INSERT ... SELECT of the compiled query), kept for good and never overwritten."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, Select, bindparam, func, insert, select, text, update
from sqlglot import exp

from xinyong import clock
from xinyong.backends.base import Backend
from xinyong.backends.sql import dialect_of
from xinyong.catalog.items import Catalog
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.plans import PLANS, results_insert, run_all
from xinyong.schemes.compiler import compile_plan
from xinyong.schemes.ir import plan
from xinyong.schemes.model import Scheme, SchemeType
from xinyong.store import audit
from xinyong.store.outbox import enqueue
from xinyong.store.tables import evaluation_results, evaluation_runs, subjects

#: The kind of a run of a scheme version that was not in force on its as-of date (an
#: ``ID@VERSION`` evaluated ahead of its effective date, or a comparison's other side).
TRIAL = "trial"


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    scheme: str
    as_of: date
    kind: str
    subjects: int

    @property
    def trial(self) -> bool:
        """A run of a version not in force on its date: read by no check, file or listing."""
        return self.kind == TRIAL


def store_run(
    conn: Connection,
    scheme: Scheme,
    catalog: Catalog,
    as_of: date,
    subject_ids: Sequence[int] | None = None,
    engine: Backend | None = None,
    *,
    trial: bool = False,
) -> Run:
    """Evaluate ``scheme`` as of ``as_of`` and keep the results as a new run (``incremental``
    when limited to ``subject_ids``; ``trial`` for a version that is not the one in force on
    ``as_of``: kept and comparable, but never read by checks, files or listings). By default
    the query runs inside the database, results and all; with ``engine`` (DuckDB or Spark over
    a copy of the tables) it runs there and its outcomes are stored here."""
    if scheme.definition.scheme.type is SchemeType.MEASURES:
        raise InvalidInput(
            f"{scheme.key} is a measures memorandum: it is consulted by checks, not evaluated"
        )
    dialect = dialect_of(conn)
    started = clock.now()
    kind = TRIAL if trial else "full" if subject_ids is None else "incremental"
    run_id = conn.execute(
        insert(evaluation_runs).returning(evaluation_runs.c.id),
        {
            "scheme_id": scheme.id,
            "scheme_version": scheme.version,
            "scheme_sha256": scheme.sha256,
            "as_of": as_of,
            "kind": kind,
            "subjects": 0,
            "started_at": started,
            "finished_at": started,
        },
    ).scalar_one()
    if engine is not None:
        resolved = plan(scheme, catalog, as_of)
        found = engine.run(resolved, subject_ids)
        rows = [
            {
                "run_id": run_id,
                "subject_id": o.subject_id,
                "score": o.score,
                "grade": o.grade,
                "lists": "".join(f"{name} " for name, _ in resolved.lists if name in o.lists),
                "decided_by": o.decided_by,
            }
            for o in sorted(found.values(), key=lambda o: o.subject_id)
        ]
        if rows:
            conn.execute(insert(evaluation_results), rows)
        count = len(rows)
    elif subject_ids is not None:  # a re-grade: the statement compiled once, bound now
        regrade = PLANS.regrade(scheme, catalog, as_of, dialect)
        (count,) = run_all(conn, [(regrade, run_id)], subject_ids)
    else:
        resolved = plan(scheme, catalog, as_of)
        query = compile_plan(resolved, dialect)
        names = [name for name, _ in resolved.lists]
        statement = results_insert(query, exp.Literal.number(run_id), names)
        count = conn.execute(text(statement.sql(dialect=dialect))).rowcount
    conn.execute(
        update(evaluation_runs)
        .where(evaluation_runs.c.id == run_id)
        .values(subjects=count, finished_at=clock.now())
    )
    audit.append(
        conn,
        actor="xinyong engine",
        action="evaluation.stored",
        target=f"run:{run_id}",
        details={
            "scheme": scheme.key,
            "as_of": as_of,
            "kind": kind,
            "subjects": int(count),
            "engine": engine.engine if engine is not None else dialect,
        },
    )
    if kind == "full":  # an incremental run follows a record; its subject's file tells of it
        enqueue(
            conn,
            None,
            "evaluation_stored",
            {
                "run": int(run_id),
                "scheme": scheme.key,
                "as_of": as_of.isoformat(),
                "subjects": count,
            },
            channel="event",
        )
    return Run(int(run_id), scheme.key, as_of, kind, int(count))


def get_run(conn: Connection, run_id: int) -> Run:
    row = conn.execute(select(evaluation_runs).where(evaluation_runs.c.id == run_id)).first()
    if row is None:
        raise NotFound(f"no evaluation run {run_id}")
    return Run(row.id, f"{row.scheme_id}@{row.scheme_version}", row.as_of, row.kind, row.subjects)


def latest_run(conn: Connection, scheme: Scheme, as_of: date | None = None) -> Run:
    query = select(evaluation_runs).where(
        evaluation_runs.c.scheme_id == scheme.id,
        evaluation_runs.c.scheme_version == scheme.version,
        evaluation_runs.c.kind == "full",
    )
    if as_of is not None:
        query = query.where(evaluation_runs.c.as_of == as_of)
    row = conn.execute(query.order_by(evaluation_runs.c.id.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"no stored run of {scheme.key}{f' as of {as_of}' if as_of else ''}")
    return Run(row.id, f"{row.scheme_id}@{row.scheme_version}", row.as_of, row.kind, row.subjects)


@dataclass(frozen=True, slots=True)
class Latest:
    """A subject's newest stored result under one scheme: from the run (full, or incremental
    after a record or a decision) with the latest as-of date on or before the day asked."""

    scheme_id: str
    scheme_version: int
    run_id: int
    as_of: date
    score: float
    grade: str | None


def _latest() -> Select[Any]:
    return (
        select(
            evaluation_runs.c.id,
            evaluation_runs.c.scheme_id,
            evaluation_runs.c.scheme_version,
            evaluation_runs.c.as_of,
            evaluation_results.c.score,
            evaluation_results.c.grade,
        )
        .join(evaluation_results, evaluation_results.c.run_id == evaluation_runs.c.id)
        .where(
            evaluation_results.c.subject_id == bindparam("subject_id"),
            evaluation_runs.c.as_of <= bindparam("at", type_=Date),
            evaluation_runs.c.kind != TRIAL,
        )
        .order_by(evaluation_runs.c.as_of.desc(), evaluation_runs.c.id.desc())
    )


#: :func:`latest_results`'s statements, built once (a check at the counter runs one).
_LATEST = _latest()
_LATEST_OF = _latest().where(evaluation_runs.c.scheme_id.in_(bindparam("schemes", expanding=True)))


def latest_results(
    conn: Connection, subject_id: int, at: date, scheme_ids: Sequence[str] | None = None
) -> list[Latest]:
    """The subject's newest result under each scheme (or each of ``scheme_ids``) as of
    ``at``, in one query, sorted by scheme."""
    values: dict[str, Any] = {"subject_id": subject_id, "at": at}
    query = _LATEST
    if scheme_ids is not None:
        query = _LATEST_OF
        values["schemes"] = sorted(set(scheme_ids))
    found: dict[str, Latest] = {}
    for row in conn.execute(query, values):
        if row.scheme_id not in found:
            found[row.scheme_id] = Latest(
                row.scheme_id,
                row.scheme_version,
                row.id,
                row.as_of,
                float(row.score),
                row.grade,
            )
    return [found[k] for k in sorted(found)]


def grade_distribution(conn: Connection, run_id: int) -> dict[str | None, int]:
    rows = conn.execute(
        select(evaluation_results.c.grade, func.count())
        .where(evaluation_results.c.run_id == run_id)
        .group_by(evaluation_results.c.grade)
    )
    return {grade: int(n) for grade, n in rows}


def grade_trend(
    conn: Connection, scheme_id: str, limit: int = 12
) -> list[tuple[Run, dict[str | None, int]]]:
    """The scheme's newest full runs (any version), oldest first, each with its grades: one
    query for the runs, one for their counts."""
    rows = conn.execute(
        select(evaluation_runs)
        .where(evaluation_runs.c.scheme_id == scheme_id, evaluation_runs.c.kind == "full")
        .order_by(evaluation_runs.c.as_of.desc(), evaluation_runs.c.id.desc())
        .limit(limit)
    ).all()
    runs = [
        Run(r.id, f"{r.scheme_id}@{r.scheme_version}", r.as_of, r.kind, r.subjects)
        for r in reversed(rows)
    ]
    counts: dict[int, dict[str | None, int]] = {run.id: {} for run in runs}
    for run_id, grade, n in conn.execute(
        select(evaluation_results.c.run_id, evaluation_results.c.grade, func.count())
        .where(evaluation_results.c.run_id.in_(list(counts)))
        .group_by(evaluation_results.c.run_id, evaluation_results.c.grade)
    ):
        counts[run_id][grade] = int(n)
    return [(run, counts[run.id]) for run in runs]


def subject_grades(
    conn: Connection, subject_id: int, at: date, limit: int = 24
) -> dict[str, list[tuple[date, str | None]]]:
    """Each scheme's grades of one subject, oldest first, up to ``at``: the newest result of
    each evaluation day (a re-evaluation after a decision replaces that day's earlier one)."""
    rows = conn.execute(
        select(evaluation_runs.c.scheme_id, evaluation_runs.c.as_of, evaluation_results.c.grade)
        .join(evaluation_results, evaluation_results.c.run_id == evaluation_runs.c.id)
        .where(
            evaluation_results.c.subject_id == subject_id,
            evaluation_runs.c.as_of <= at,
            evaluation_runs.c.kind != TRIAL,
        )
        .order_by(evaluation_runs.c.scheme_id, evaluation_runs.c.as_of, evaluation_runs.c.id)
    )
    found: dict[str, dict[date, str | None]] = {}
    for scheme_id, as_of, grade in rows:
        found.setdefault(scheme_id, {})[as_of] = grade
    return {s: sorted(days.items())[-limit:] for s, days in found.items()}


def list_counts(conn: Connection, run_id: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for (lists,) in conn.execute(
        select(evaluation_results.c.lists).where(
            evaluation_results.c.run_id == run_id, evaluation_results.c.lists != ""
        )
    ):
        counts.update(lists.split())
    return counts


def result_for(conn: Connection, run_id: int, subject_id: int) -> tuple[float, str | None, str]:
    row = conn.execute(
        select(
            evaluation_results.c.score, evaluation_results.c.grade, evaluation_results.c.lists
        ).where(
            evaluation_results.c.run_id == run_id, evaluation_results.c.subject_id == subject_id
        )
    ).first()
    if row is None:
        raise NotFound(f"subject #{subject_id} has no result in run #{run_id}")
    return float(row.score), row.grade, row.lists


@dataclass(frozen=True, slots=True)
class Comparison:
    """Grades of two runs side by side: (from, to) -> subjects, and who changed."""

    transitions: dict[tuple[str | None, str | None], int]
    changed: list[tuple[str, str | None, str | None, float | None, float | None]]


def compare_runs(conn: Connection, first: int, second: int, limit: int = 50) -> Comparison:
    """Every subject of either run, with its grade in each (None: not in that run's scope)."""
    columns = (
        evaluation_results.c.subject_id,
        evaluation_results.c.grade,
        evaluation_results.c.score,
    )
    a = select(*columns).where(evaluation_results.c.run_id == first).subquery("a")
    b = select(*columns).where(evaluation_results.c.run_id == second).subquery("b")
    rows = conn.execute(
        select(
            func.coalesce(a.c.subject_id, b.c.subject_id).label("subject_id"),
            a.c.grade.label("grade_a"),
            b.c.grade.label("grade_b"),
            a.c.score.label("score_a"),
            b.c.score.label("score_b"),
        ).select_from(a.join(b, a.c.subject_id == b.c.subject_id, full=True))
    ).all()
    transitions: Counter[tuple[str | None, str | None]] = Counter(
        (r.grade_a, r.grade_b) for r in rows
    )
    moved = sorted((r for r in rows if r.grade_a != r.grade_b), key=lambda r: r.subject_id)
    moved = moved[:limit]
    codes = dict(
        conn.execute(
            select(subjects.c.id, subjects.c.code).where(
                subjects.c.id.in_([r.subject_id for r in moved])
            )
        ).all()
    )
    changed = [(codes[r.subject_id], r.grade_a, r.grade_b, r.score_a, r.score_b) for r in moved]
    return Comparison(dict(transitions), changed)


def reevaluate(
    conn: Connection,
    schemes: Sequence[Scheme],
    catalog: Catalog,
    subject_ids: Sequence[int],
    as_of: date,
) -> list[Run]:
    """Re-evaluate ``subject_ids`` under every scheme in force on ``as_of`` (incremental runs,
    one per scheme); each query is the full one, restricted to those subjects, compiled once
    (:mod:`xinyong.evaluation.plans`). The runs are written together: their rows in one
    statement, their results by the statements sent at once, one audit entry for them all."""
    in_force = [
        s
        for s in schemes
        if s.definition.scheme.type not in (SchemeType.MEASURES, SchemeType.INSPECTION)
        and s.definition.scheme.effective_from <= as_of
        and (s.definition.scheme.effective_to is None or as_of < s.definition.scheme.effective_to)
    ]
    if not subject_ids or not in_force:
        return []
    dialect = dialect_of(conn)
    ids = sorted(set(subject_ids))
    started = clock.now()
    run_ids = [
        int(r)
        for r in conn.execute(
            insert(evaluation_runs).returning(evaluation_runs.c.id, sort_by_parameter_order=True),
            [
                {
                    "scheme_id": s.id,
                    "scheme_version": s.version,
                    "scheme_sha256": s.sha256,
                    "as_of": as_of,
                    "kind": "incremental",
                    "subjects": 0,
                    "started_at": started,
                    "finished_at": started,
                }
                for s in in_force
            ],
        ).scalars()
    ]
    statements = [PLANS.regrade(s, catalog, as_of, dialect) for s in in_force]
    counts = run_all(conn, list(zip(statements, run_ids, strict=True)), ids)
    conn.execute(
        update(evaluation_runs)
        .where(evaluation_runs.c.id == bindparam("run"))
        .values(subjects=bindparam("stored"), finished_at=clock.now()),
        [{"run": r, "stored": n} for r, n in zip(run_ids, counts, strict=True)],
    )
    runs = {s.key: r for s, r in zip(in_force, run_ids, strict=True)}
    audit.append(
        conn,
        actor="xinyong engine",
        action="evaluation.stored",
        target=f"runs:{run_ids[0]}-{run_ids[-1]}",
        details={"as_of": as_of, "kind": "incremental", "subjects": len(ids), "runs": runs},
    )
    return [
        Run(r, s.key, as_of, "incremental", n)
        for s, r, n in zip(in_force, run_ids, counts, strict=True)
    ]


def publish_run(
    conn: Connection,
    run: Run,
    scheme: Scheme,
    item_code: str = "EVAL_INDUSTRY_GRADE",
) -> int:
    """Publish a run's grades as credit-evaluation records, so that other schemes can read them
    (composition: e.g. a national grade from provincial ones). Each record names the scheme,
    its authority and the authority's level (by the scheme's region), and how the grade was
    reached (by the score's band or set directly by an override, say). A grade that says no
    judgement was made (the scheme's ``unrated``, such as 未评价) is not published: it is no
    evaluation result. Publishing twice is refused by the batch key. Returns the number of
    records written."""
    from xinyong.store.tables import batches, records

    if run.trial:
        raise InvalidInput(
            f"run #{run.id} is a trial of {run.scheme}, not in force on {run.as_of}: "
            "its grades are not published"
        )
    source = f"xinyong:{run.scheme}"
    now = clock.now()
    found = conn.execute(
        select(
            evaluation_results.c.subject_id,
            evaluation_results.c.grade,
            evaluation_results.c.decided_by,
        ).where(evaluation_results.c.run_id == run.id, evaluation_results.c.grade.is_not(None))
    ).all()
    grades = scheme.definition.grades
    unrated = set(grades.unrated) if grades else set()
    rows = [row for row in found if row.grade not in unrated]
    batch_id = conn.execute(
        insert(batches).returning(batches.c.id),
        {
            "source": source,
            "batch_key": f"run:{run.id}",
            "content_sha256": f"run:{run.id}",
            "file_format": "run",
            "received_at": now,
            "rows_total": len(rows),
            "rows_accepted": len(rows),
            "rows_quarantined": 0,
        },
    ).scalar_one()
    meta = scheme.definition.scheme
    published = {"scheme": meta.id, "authority": meta.authority, "level": level_of(meta.region)}
    if meta.industry:
        published["industry"] = meta.industry
    params = [
        {
            "subject_id": row.subject_id,
            "item_code": item_code,
            "decided_on": run.as_of,
            "severity": None,
            "reference": f"run:{run.id}",
            "source": source,
            "batch_id": batch_id,
            "row_number": number,
            "attributes": {
                "grade": row.grade,
                **published,
                "year": run.as_of.year,
                **({"decided_by": row.decided_by} if row.decided_by else {}),
            },
            "recorded_at": now,
        }
        for number, row in enumerate(rows, start=1)
    ]
    if params:
        conn.execute(insert(records), params)
    audit.append(
        conn,
        actor="xinyong engine",
        action="evaluation.published",
        target=f"run:{run.id}",
        details={"scheme": run.scheme, "records": len(params), "batch": int(batch_id)},
    )
    return len(params)


def level_of(region: str) -> str:
    """The level of an authority of a region (GB/T 2260): national for 000000, provincial for
    a code ending in 0000, prefecture for one ending in 00, county otherwise."""
    if region == "000000":
        return "national"
    if region.endswith("0000"):
        return "provincial"
    return "prefecture" if region.endswith("00") else "county"
