"""A draw's life: committed (its inputs and their hash stored and published), then drawn (the
seed entered, the algorithm run, the targets stored with their inspectors, and one inspection
case per target whose deadline is the results' due day), then its results entered one by one.

Every step is dated by the server's clock, locks the draw it changes and re-checks its state
inside the lock: two officials entering a seed at once give one draw and a clean conflict."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.catalog.terms import Period
from xinyong.dueprocess.cases import CaseKind, CaseState
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.inspection.draw import canonical, commitment, run_draw
from xinyong.inspection.roster import Inputs, definition, subject_ids
from xinyong.reference.workdays import WorkCalendar
from xinyong.schemes.model import Scheme
from xinyong.store import audit
from xinyong.store.locks import lock_rows
from xinyong.store.tables import case_events, cases, inspection_draws, inspection_targets

COMMITTED, DRAWN = "committed", "drawn"


@dataclass(frozen=True, slots=True)
class Draw:
    id: int
    plan_id: str
    plan_version: int
    plan_sha256: str
    draw_date: date
    state: str
    commitment: str
    committed_by: str
    committed_at: Any
    seed_value: str | None
    seed_source: str | None
    seeded_at: Any
    seeded_by: str | None
    result_sha256: str | None
    due_on: date | None
    roster_size: int
    pool_size: int
    # the published files; a draw read by draws() (a listing) carries no inputs
    inputs_text: str | None
    result_text: str | None

    @property
    def plan_key(self) -> str:
        return f"{self.plan_id}@{self.plan_version}"

    @property
    def reference(self) -> str:
        return f"DRW-{self.id:06d}"

    def inputs(self) -> dict[str, Any]:
        assert self.inputs_text is not None, "a listed draw carries no inputs: read it whole"
        loaded: dict[str, Any] = json.loads(self.inputs_text)
        return loaded

    def result(self) -> dict[str, Any] | None:
        return None if self.result_text is None else dict(json.loads(self.result_text))


def _draw(row: Any) -> Draw:
    return Draw(
        id=int(row.id),
        plan_id=row.plan_id,
        plan_version=row.plan_version,
        plan_sha256=row.plan_sha256,
        draw_date=row.draw_date,
        state=row.state,
        commitment=row.commitment,
        committed_by=row.committed_by,
        committed_at=row.committed_at,
        seed_value=row.seed_value,
        seed_source=row.seed_source,
        seeded_at=row.seeded_at,
        seeded_by=row.seeded_by,
        result_sha256=row.result_sha256,
        due_on=row.due_on,
        roster_size=row.roster_size,
        pool_size=row.pool_size,
        inputs_text=getattr(row, "inputs", None),
        result_text=row.result,
    )


def get_draw(conn: Connection, draw_id: int) -> Draw:
    row = conn.execute(select(inspection_draws).where(inspection_draws.c.id == draw_id)).first()
    if row is None:
        raise NotFound(f"no draw {draw_id}")
    return _draw(row)


def draws(conn: Connection, plan_id: str | None = None, limit: int = 100) -> list[Draw]:
    """The newest draws, without their inputs (a roster's worth each)."""
    shown = [c for c in inspection_draws.c if c.name != "inputs"]
    query = select(*shown).order_by(inspection_draws.c.id.desc()).limit(limit)
    if plan_id is not None:
        query = query.where(inspection_draws.c.plan_id == plan_id)
    return [_draw(r) for r in conn.execute(query)]


def commit(conn: Connection, plan: Scheme, inputs: Inputs, actor: str) -> Draw:
    """Store the inputs and their commitment; a second draw of the plan on the same day is a
    conflict (the database's own unique rule)."""
    if not actor.strip():
        raise InvalidInput("a commitment names who published it")
    text = canonical(inputs.document).decode("utf-8")
    committed = commitment(inputs.document)
    draw_id = conn.execute(
        insert(inspection_draws).returning(inspection_draws.c.id),
        {
            "plan_id": plan.id,
            "plan_version": plan.version,
            "plan_sha256": plan.sha256,
            "draw_date": date.fromisoformat(inputs.document["draw_date"]),
            "state": COMMITTED,
            "inputs": text,
            "roster_size": len(inputs.document["roster"]),
            "pool_size": len(inputs.document["pool"]),
            "commitment": committed,
            "committed_at": clock.now(),
            "committed_by": actor,
        },
    ).scalar_one()
    audit.append(
        conn,
        actor=actor,
        action="inspection.commit",
        target=f"draw:{draw_id}",
        details={
            "plan": plan.key,
            "commitment": committed,
            "roster": len(inputs.document["roster"]),
            "pool": len(inputs.document["pool"]),
        },
    )
    return get_draw(conn, int(draw_id))


def _seed_allowed(plan: Scheme, draw: Draw, today: date) -> None:
    wait: Period = definition(plan).commit_before
    earliest = wait.after(draw.committed_at.date())
    if today < earliest:
        raise Conflict(
            f"the plan publishes the commitment {wait} before the seed: the seed may be entered "
            f"from {earliest}"
        )


def enter_seed(
    conn: Connection,
    plan: Scheme,
    draw_id: int,
    seed: str,
    source: str,
    actor: str,
    calendar: WorkCalendar,
) -> Draw:
    """Run the draw with ``seed`` and store its result, targets and inspection cases."""
    if not seed.strip() or not source.strip():
        raise InvalidInput("a seed is a value and the source that published it")
    if len(seed) > 200:
        raise InvalidInput("a seed is at most 200 characters")
    lock_rows(conn, inspection_draws, [draw_id])
    draw = get_draw(conn, draw_id)
    if draw.state != COMMITTED:
        raise Conflict(
            f"draw {draw.reference} was drawn by {draw.seeded_by} with seed {draw.seed_value!r}; "
            "a draw is run once"
        )
    if plan.key != draw.plan_key or plan.sha256 != draw.plan_sha256:
        raise Conflict(f"draw {draw.reference} was committed under another text of {plan.key}")
    today = clock.today()
    _seed_allowed(plan, draw, today)
    result = run_draw(draw.inputs(), {"value": seed.strip(), "source": source.strip()})
    text = canonical(result).decode("utf-8")
    due = calendar.add(today, definition(plan).results.within_working_days)
    ids = subject_ids(conn, [t["code"] for t in result["targets"]])
    _store_targets(conn, draw, result, ids, today, due.due, actor)
    conn.execute(
        update(inspection_draws)
        .where(inspection_draws.c.id == draw_id)
        .values(
            state=DRAWN,
            seed_value=seed.strip(),
            seed_source=source.strip(),
            seeded_at=clock.now(),
            seeded_by=actor,
            result=text,
            result_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            due_on=due.due,
        )
    )
    audit.append(
        conn,
        actor=actor,
        action="inspection.draw",
        target=f"draw:{draw_id}",
        details={
            "seed": seed.strip(),
            "source": source.strip(),
            "targets": len(result["targets"]),
            "due_on": due.due.isoformat(),
            "warnings": list(due.warnings),
        },
    )
    return get_draw(conn, draw_id)


def _store_targets(
    conn: Connection,
    draw: Draw,
    result: dict[str, Any],
    subject_ids: dict[str, int],
    today: date,
    due: date,
    actor: str,
) -> None:
    """One inspection case per target (its deadline: the results' due day), in bulk."""
    now = clock.now()
    targets = result["targets"]
    missing = [t["code"] for t in targets if t["code"] not in subject_ids]
    if missing:
        raise Conflict(f"{missing[0]} of the roster is no longer in the registry")
    case_rows = [
        {
            "kind": CaseKind.INSPECTION.value,
            "subject_id": subject_ids[t["code"]],
            "opened_on": today,
            "deadline": due,
            "state": CaseState.OPEN.value,
            "details": {"draw": draw.id, "plan": draw.plan_key, "inspectors": t["inspectors"]},
            "created_at": now,
        }
        for t in targets
    ]
    if not case_rows:
        return
    returned = conn.execute(
        insert(cases).returning(cases.c.id, cases.c.subject_id, sort_by_parameter_order=True),
        case_rows,
    )
    opened = {int(r.subject_id): int(r.id) for r in returned}
    conn.execute(
        insert(case_events),
        [
            {
                "case_id": opened[subject_ids[t["code"]]],
                "seq": 1,
                "action": "open",
                "effective_on": today,
                "actor": actor,
                "note": f"drawn for inspection ({t['why']}) in {draw.reference}",
                "details": None,
                "recorded_at": now,
            }
            for t in targets
        ],
    )
    conn.execute(
        insert(inspection_targets),
        [
            {
                "draw_id": draw.id,
                "subject_id": subject_ids[t["code"]],
                "risk_class": t["class"],
                "why": t["why"],
                "inspectors": t["inspectors"],
                "unassigned": t.get("unassigned"),
                "case_id": opened[subject_ids[t["code"]]],
            }
            for t in targets
        ],
    )
