"""The published inputs of a draw: the roster (every subject in the plan's scope, its class and
whether it is eligible, always inspected or excluded) and the inspector pool (each inspector's
department, region and the roster subjects it declared a relation with), as of the draw date.

The plan's conditions and the class scheme's grades come from the compiled query, run in the
database that holds the records; leniency is read as a set, not subject by subject."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, or_, select, text

from xinyong.backends.base import list_column
from xinyong.backends.sql import dialect_of
from xinyong.catalog.items import Catalog
from xinyong.dueprocess.leniency import Policy, get_policy
from xinyong.dueprocess.memberships import in_effect_on
from xinyong.errors import NotFound
from xinyong.inspection.draw import FORMAT
from xinyong.reference.regions import region_prefix
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.inspection import InspectionDef, list_id, roster_status
from xinyong.schemes.ir import Plan
from xinyong.schemes.ir import plan as resolve
from xinyong.schemes.library import Library
from xinyong.schemes.model import Scheme
from xinyong.schemes.roster import roster_scheme
from xinyong.store.tables import (
    inspection_draws,
    inspection_targets,
    inspector_relations,
    inspectors,
    leniency_grants,
    listings,
    subject_tags,
    subjects,
)


@dataclass(frozen=True, slots=True)
class Inputs:
    """A draw's inputs document and, for storing its targets, the subjects' ids by code."""

    document: dict[str, Any]
    subject_ids: dict[str, int]


def definition(plan: Scheme) -> InspectionDef:
    found = plan.definition.inspection
    assert found is not None, f"{plan.key} is not an inspection plan"
    return found


def _lenient(conn: Connection, policies: list[Policy], wanted: Iterable[str], on: date) -> set[int]:
    """Subjects that a leniency policy in force covers on ``on``, by grant or by tag."""
    found: set[int] = set()
    for policy_id in sorted(set(wanted)):
        policy = get_policy(policies, policy_id)
        if not policy.in_force(on):
            continue
        rule = policy.definition.applies_to
        ids: set[int] = set()
        if rule.granted:
            ids |= set(
                conn.execute(
                    select(leniency_grants.c.subject_id).where(
                        leniency_grants.c.policy_id == policy.id,
                        leniency_grants.c.valid_from <= on,
                        or_(leniency_grants.c.valid_to.is_(None), leniency_grants.c.valid_to > on),
                    )
                ).scalars()
            )
        if rule.tags:
            ids |= set(
                conn.execute(
                    select(subject_tags.c.subject_id).where(
                        subject_tags.c.tag.in_(rule.tags),
                        subject_tags.c.valid_from <= on,
                        or_(subject_tags.c.valid_to.is_(None), subject_tags.c.valid_to > on),
                    )
                ).scalars()
            )
        prefix = region_prefix(rule.region)
        kinds = {k.value for k in rule.kinds} if rule.kinds is not None else None
        for row in conn.execute(
            select(subjects.c.id, subjects.c.kind, subjects.c.region_code).where(
                subjects.c.id.in_(sorted(ids))
            )
        ):
            if kinds is not None and row.kind not in kinds:
                continue
            if prefix and not (row.region_code or "").startswith(prefix):
                continue
            found.add(int(row.id))
    return found


def _run(conn: Connection, resolved: Plan) -> dict[int, tuple[str | None, frozenset[str]]]:
    """Each subject's grade and the lists whose conditions hold, from the compiled query, read
    by position (a roster needs neither the score nor the measures, and 1M outcome objects
    cost more than the query)."""
    result = conn.execute(text(to_sql(resolved, dialect_of(conn))))
    keys = list(result.keys())
    at_id, at_grade = keys.index("subject_id"), keys.index("grade")
    lists = [(keys.index(list_column(name)), name) for name, _ in resolved.lists]
    return {
        int(row[at_id]): (row[at_grade], frozenset(name for at, name in lists if row[at]))
        for row in result
    }


def _classes(
    conn: Connection, spec: InspectionDef, library: Library, catalog: Catalog, on: date
) -> dict[int, str]:
    """Each subject's class on ``on``: its grade by the compiled query of the class scheme in
    force, or the first of the classes' lists it is on (listings in effect)."""
    if spec.classes.by == "list":
        order = list(spec.classes.rates)
        found: dict[int, str] = {}
        rows = conn.execute(
            select(listings.c.subject_id, listings.c.list_id).where(
                listings.c.scheme_id == spec.classes.scheme,
                listings.c.list_id.in_(order),
                in_effect_on(on),
            )
        )
        for subject_id, list_id in rows:
            held = found.get(int(subject_id))
            if held is None or order.index(list_id) < order.index(held):
                found[int(subject_id)] = list_id
        return found
    try:
        source = library.get(spec.classes.scheme, on=on)
    except NotFound:  # no version of the class scheme in force: every subject is default
        return {}
    graded = _run(conn, resolve(source, catalog, on))
    return {i: grade for i, (grade, _) in graded.items() if grade is not None}


def _recent(conn: Connection, plan_id: str, spec: InspectionDef, on: date) -> list[tuple[str, str]]:
    """(inspector, subject) of this plan's draws within the plan's rotation period."""
    period = spec.conflicts.inspected_within
    if period is None:
        return []
    rows = conn.execute(
        select(inspection_targets.c.inspectors, subjects.c.code)
        .join(inspection_draws, inspection_draws.c.id == inspection_targets.c.draw_id)
        .join(subjects, subjects.c.id == inspection_targets.c.subject_id)
        .where(
            inspection_draws.c.plan_id == plan_id,
            inspection_draws.c.draw_date > period.before(on),
            inspection_draws.c.draw_date <= on,
        )
    )
    return [(inspector, code) for inspectors_of, code in rows for inspector in inspectors_of]


def _pool(
    conn: Connection, plan_id: str, spec: InspectionDef, region: str, codes: set[str], on: date
) -> list[dict[str, Any]]:
    prefix = region_prefix(spec.pool.region or region) or ""
    query = select(inspectors).where(
        inspectors.c.active_from <= on,
        or_(inspectors.c.active_to.is_(None), inspectors.c.active_to > on),
        inspectors.c.region_code.like(f"{prefix}%"),
    )
    if spec.pool.departments:
        query = query.where(inspectors.c.department.in_(spec.pool.departments))
    rows = [
        r
        for r in conn.execute(query.order_by(inspectors.c.code))
        if not spec.pool.qualifications or set(r.qualifications) & set(spec.pool.qualifications)
    ]
    declared: dict[int, set[str]] = {r.id: set() for r in rows}
    relations = conn.execute(
        select(inspector_relations.c.inspector_id, inspector_relations.c.subject_code).where(
            inspector_relations.c.inspector_id.in_(sorted(declared)),
            inspector_relations.c.kind.in_(spec.conflicts.declared),
            inspector_relations.c.declared_on <= on,
            or_(inspector_relations.c.ended_on.is_(None), inspector_relations.c.ended_on > on),
        )
    )
    for inspector_id, code in relations:
        if code in codes:
            declared[inspector_id].add(code)
    by_code = {r.code: r.id for r in rows}
    for inspector, code in _recent(conn, plan_id, spec, on):
        if inspector in by_code and code in codes:
            declared[by_code[inspector]].add(code)
    return [
        {
            "code": r.code,
            "department": r.department,
            "region": r.region_code,
            "conflicts": sorted(declared[r.id]),
        }
        for r in rows
    ]


def build_inputs(
    conn: Connection,
    plan: Scheme,
    library: Library,
    catalog: Catalog,
    policies: list[Policy],
    on: date,
) -> Inputs:
    """The roster and pool of ``plan`` as of ``on``, as the document the commitment hashes."""
    spec = definition(plan)
    flags = _run(conn, resolve(roster_scheme(plan), catalog, on))
    grades = _classes(conn, spec, library, catalog, on)
    always = [(e.id, list_id("always", e)) for e in spec.always if e.when is not None]
    never = {list_id("never", e): e.id for e in spec.never if e.when is not None}
    lenient = _lenient(conn, policies, [p for e in spec.never for p in e.leniency], on)
    lenient_ids = [e.id for e in spec.never if e.leniency]
    rows = conn.execute(
        select(subjects.c.id, subjects.c.code, subjects.c.region_code).where(
            subjects.c.id.in_(sorted(flags))
        )
        if len(flags) < 10_000
        else select(subjects.c.id, subjects.c.code, subjects.c.region_code)
    )
    roster, ids = [], {}
    for subject_id, code, region_code in rows:
        found = flags.get(subject_id)
        if found is None:
            continue
        held = found[1]
        held_always = [e for e, name in always if name in held]
        held_never = [never[name] for name in never if name in held]
        if subject_id in lenient:
            held_never += lenient_ids
        grade = grades.get(subject_id)
        risk = grade if grade in spec.classes.rates else spec.classes.default.name
        status = roster_status(bool(held_always), bool(held_never))
        roster.append(
            {
                "code": code,
                "class": risk,
                "status": status,
                "region": region_code or "",
                "because": held_always if held_always else held_never,
            }
        )
        ids[code] = int(subject_id)
    roster.sort(key=lambda s: s["code"])
    floor = spec.floor
    document = {
        "format": FORMAT,
        "plan": {"id": plan.id, "version": plan.version, "sha256": plan.sha256},
        "draw_date": on.isoformat(),
        "rates": {name: str(spec.classes.rate_of(name)) for name in spec.class_names()},
        "floor": None
        if floor is None
        else {
            "share": None if floor.share is None else str(floor.share),
            "subjects": floor.subjects,
        },
        "inspectors_per_target": spec.inspectors_per_target,
        "same_region": spec.conflicts.same_region,
        "roster": roster,
        "pool": _pool(conn, plan.id, spec, plan.definition.scheme.region, set(ids), on),
    }
    return Inputs(document, ids)


def subject_ids(conn: Connection, codes: list[str]) -> dict[str, int]:
    """The registry ids of subjects by code, read in chunks."""
    found: dict[str, int] = {}
    for start in range(0, len(codes), 5000):
        chunk = codes[start : start + 5000]
        rows = conn.execute(
            select(subjects.c.code, subjects.c.id).where(subjects.c.code.in_(chunk))
        )
        found.update((code, int(subject_id)) for code, subject_id in rows)
    return found
