"""Running a scheme's own test cases: each case is loaded into the database inside a
transaction that is rolled back, evaluated by the compiled query and by the reference
evaluator, and both must give the expected score, grade and lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, insert
from stdnum.cn import ric, uscc

from xinyong import clock
from xinyong.backends import duckdb as duckdb_backend
from xinyong.backends import spark as spark_backend
from xinyong.backends.base import Outcome
from xinyong.backends.sql import run_plan
from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.reference.identifiers import SubjectKind
from xinyong.schemes.inspection import roster_status
from xinyong.schemes.ir import Plan, period_start, plan
from xinyong.schemes.model import Scheme, SchemeType, TestCase
from xinyong.schemes.oracle import Result, Tables, evaluate, facts, holds, rule_points
from xinyong.schemes.roster import roster_scheme
from xinyong.store.database import Database
from xinyong.store.tables import (
    batches,
    evaluation_results,
    evaluation_runs,
    record_events,
    records,
    subjects,
)

_PREFIX = {SubjectKind.ENTERPRISE: "91", SubjectKind.ORGANISATION: "51", SubjectKind.AGENCY: "11"}


@dataclass(frozen=True, slots=True)
class CaseResult:
    scheme: str
    name: str
    problems: tuple[str, ...]
    covered: frozenset[str] = frozenset()

    @property
    def passed(self) -> bool:
        return not self.problems


def _code(kind: SubjectKind, region: str, born: date | None = None) -> str:
    if kind is SubjectKind.INDIVIDUAL:
        body = f"{region}{(born or date(1980, 1, 1)):%Y%m%d}001"
        return body + ric.calc_check_digit(body + "0")
    body = f"{_PREFIX[kind]}{region}000000001"
    return body + uscc.calc_check_digit(body)


def _load(conn: Connection, case: TestCase, scheme: Scheme) -> int:
    now = clock.now()
    subject = case.subject
    subject_id = conn.execute(
        insert(subjects).returning(subjects.c.id),
        {
            "code": _code(subject.kind, subject.region, subject.born_on),
            "id_scheme": "resident_id" if subject.kind is SubjectKind.INDIVIDUAL else "uscc",
            "kind": subject.kind.value,
            "name": case.name[:200],
            "region_code": subject.region,
            "industry_code": subject.industry,
            "registered_on": subject.registered_on
            or (
                (subject.born_on or date(1980, 1, 1))
                if subject.kind is SubjectKind.INDIVIDUAL
                else None
            ),
            "status": subject.status,
            "source": "scheme test",
            "created_at": now,
        },
    ).scalar_one()
    batch_id = conn.execute(
        insert(batches).returning(batches.c.id),
        {
            "source": "scheme test",
            "batch_key": case.name[:200],
            "content_sha256": "-",
            "file_format": "test",
            "received_at": now,
            "rows_total": len(case.records),
            "rows_accepted": len(case.records),
            "rows_quarantined": 0,
        },
    ).scalar_one()
    for number, record in enumerate(case.records, start=1):
        record_id = conn.execute(
            insert(records).returning(records.c.id),
            {
                "subject_id": subject_id,
                "item_code": record.item,
                "decided_on": record.decided_on,
                "severity": record.severity,
                "decided_in": record.decided_in,
                "source": "scheme test",
                "batch_id": batch_id,
                "row_number": number,
                "attributes": record.attributes,
                "recorded_at": now,
            },
        ).scalar_one()
        for kind, effective_on in (
            ("revocation", record.revoked_on),
            ("repair", record.repaired_on),
        ):
            if effective_on is None:
                continue
            conn.execute(
                insert(record_events),
                {
                    "record_id": record_id,
                    "kind": kind,
                    "effective_on": effective_on,
                    "source": "scheme test",
                    "batch_id": batch_id,
                    "row_number": number,
                    "recorded_at": now,
                },
            )
    if case.previous is not None:
        _previous(conn, scheme, case, int(subject_id))
    return int(subject_id)


def _previous(conn: Connection, scheme: Scheme, case: TestCase, subject_id: int) -> None:
    """The case's earlier result, stored as a run of the scheme with that one result."""
    assert case.previous is not None
    now = clock.now()
    as_of = case.previous.as_of or (
        period_start(case.as_of, scheme.definition.scheme.cadence) - timedelta(days=1)
    )
    run_id = conn.execute(
        insert(evaluation_runs).returning(evaluation_runs.c.id),
        {
            "scheme_id": scheme.id,
            "scheme_version": scheme.version,
            "scheme_sha256": scheme.sha256,
            "as_of": as_of,
            "kind": "full",
            "subjects": 1,
            "started_at": now,
            "finished_at": now,
        },
    ).scalar_one()
    conn.execute(
        insert(evaluation_results),
        {
            "run_id": run_id,
            "subject_id": subject_id,
            "score": 0.0,
            "grade": case.previous.grade,
            "lists": "",
        },
    )


def _compare(label: str, got: Outcome | Result | None, case: TestCase) -> list[str]:
    expect = case.expect
    if got is None:
        return [] if not expect.in_scope else [f"{label}: the subject is not in scope"]
    if not expect.in_scope:
        return [f"{label}: the subject is in scope, expected it not to be"]
    problems = _roster(label, got, case)
    if expect.score is not None and abs(got.score - expect.score) > 1e-6:
        problems.append(f"{label}: score {got.score:g}, expected {expect.score:g}")
    if expect.grade is not None and got.grade != expect.grade:
        problems.append(f"{label}: grade {got.grade}, expected {expect.grade}")
    if expect.lists is not None and set(got.lists) != set(expect.lists):
        problems.append(f"{label}: lists {sorted(got.lists)}, expected {sorted(expect.lists)}")
    return problems


def _roster(label: str, got: Outcome | Result, case: TestCase) -> list[str]:
    """An inspection plan's case: the subject's place on the roster, from which of the plan's
    ``always`` and ``never`` conditions held (an ``always`` wins)."""
    expect = case.expect
    if expect.roster is None:
        return []
    held = {name.split("-", 1)[0] for name in got.lists}  # list_id: "always-…", "never-…"
    status = roster_status("always" in held, "never" in held)
    if status != expect.roster:
        return [f"{label}: on the roster as {status}, expected {expect.roster}"]
    return []


def _risk_class(scheme: Scheme, case: TestCase) -> list[str]:
    spec = scheme.definition.inspection
    if spec is None or case.expect.risk_class is None:
        return []
    grade = case.class_grade
    found = grade if grade in spec.classes.rates else spec.classes.default.name
    if found != case.expect.risk_class:
        return [f"class {found}, expected {case.expect.risk_class}"]
    return []


def run_case(
    db: Database,
    scheme: Scheme,
    catalog: Catalog,
    case: TestCase,
    duckdb: bool = False,
    spark: Any = None,
) -> CaseResult:
    """One case on ``db`` (compiled query), the reference evaluator and, with ``duckdb``,
    the DuckDB query over the same rows; with a ``spark`` session, the Spark SQL query too."""
    evaluated = roster_scheme(scheme) if scheme.definition.inspection else scheme
    resolved = plan(evaluated, catalog, case.as_of)
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            subject_id = _load(conn, case, scheme)
            compiled = run_plan(conn, resolved).get(subject_id)
            tables = read_tables(conn, [subject_id])
        finally:
            transaction.rollback()
    reference = evaluate(resolved, tables).get(subject_id)
    problems = _compare("compiled", compiled, case) + _compare("reference", reference, case)
    problems += _risk_class(scheme, case)
    if duckdb:
        on_duckdb = duckdb_backend.run(duckdb_backend.from_rows(tables), resolved)
        problems += _compare("duckdb", on_duckdb.get(subject_id), case)
    if spark is not None:
        on_spark = spark_backend.run(spark_backend.from_rows(spark, tables), resolved)
        problems += _compare("spark", on_spark.get(subject_id), case)
    covered = _covered(resolved, tables, reference, case)
    if case.expect.risk_class is not None and not problems:
        covered |= {f"class {case.expect.risk_class}"}
    return CaseResult(scheme.key, case.name, tuple(problems), covered)


def _covered(
    resolved: Plan, tables: Tables, result: Result | None, case: TestCase
) -> frozenset[str]:
    """What of the scheme a case exercises: the final grade, the override that decided it,
    each bar that lowered it, the new-subject rule, each list entered, each rule that gave
    points, and an exit (a record revoked or repaired, or out of scope)."""
    found = set()
    if any(r.revoked_on or r.repaired_on for r in case.records):
        found.add("exit by revocation or repair")
    if result is None:
        return frozenset(found | {"a subject out of scope"})
    subject, measures, score = facts(resolved, tables)[0], list(result.measures), result.score
    if result.grade is not None:
        found.add(f"grade {result.grade}")
    if resolved.new_subject and holds(resolved.new_subject[1], subject, measures, score):
        found.add("the new-subject grade")
    else:
        for number, (_, condition) in enumerate(resolved.overrides, start=1):
            if holds(condition, subject, measures, score):
                found.add(f"override {number}")
                break
        for number, (_, condition) in enumerate(resolved.bars, start=1):
            if holds(condition, subject, measures, score):
                found.add(f"bar {number}")
    found |= {f"list {name}" for name in result.lists}
    found |= {f"rule {r.id}" for r in resolved.rules if rule_points(r, result.measures)}
    return frozenset(found)


def uncovered(scheme: Scheme, results: list[CaseResult]) -> list[str]:
    """What of ``scheme`` no test case exercises (empty when every band, override, bar, list,
    rule and an exit have a case)."""
    d = scheme.definition
    wanted = [f"rule {r.id}" for r in d.score.rules]
    if d.grades:
        wanted += [f"grade {b.grade}" for b in d.grades.bands]
        wanted += [f"override {n}" for n in range(1, len(d.grades.overrides) + 1)]
        wanted += [f"bar {n}" for n in range(1, len(d.grades.bars) + 1)]
        wanted += ["the new-subject grade"] if d.grades.new_subject else []
    wanted += [f"list {entry.id}" for entry in d.lists]
    if d.inspection is not None:
        wanted += [f"list {entry.id}" for entry in roster_scheme(scheme).definition.lists]
        wanted += [f"class {name}" for name in d.inspection.class_names()]
    if d.lists:
        wanted.append("exit by revocation or repair")
    if d.scheme.type is not SchemeType.MEASURES:
        wanted.append("a subject out of scope")
    done = set().union(*(r.covered for r in results)) if results else set()
    return [w for w in wanted if w not in done]


def run_tests(
    db: Database, scheme: Scheme, catalog: Catalog, duckdb: bool = False, spark: Any = None
) -> list[CaseResult]:
    """Every test case of ``scheme``, in file order."""
    return [run_case(db, scheme, catalog, case, duckdb, spark) for case in scheme.definition.tests]
