"""Double random, one open: the plans, a draw's commitment and seed, verifying a draw, the
targets and their results. Each use case is one transaction under the application's clock;
entering a result is one record through the ordinary ingest, so it re-grades its subject."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from xinyong.application.base import Core
from xinyong.application.records import Records
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.ingest.profiles import load_profile
from xinyong.ingest.readers import read_bytes
from xinyong.inspection import draws as store
from xinyong.inspection.draw import verify
from xinyong.inspection.pool import Loaded, PoolFile, load_pool, read_pool
from xinyong.inspection.results import Target, link_result, result_target, targets
from xinyong.inspection.roster import build_inputs
from xinyong.reference.regions import region_prefix
from xinyong.reference.workdays import WorkCalendar
from xinyong.schemes.model import Scheme, SchemeType

Draw = store.Draw


@dataclass(frozen=True, slots=True)
class Preview:
    """What a draw of the plan would start from today: the roster by class and status."""

    plan: Scheme
    on: date
    counts: dict[str, dict[str, int]]
    pool: int


def _official(principal: Principal | None, plan: Scheme, what: str) -> None:
    """Only a credit office (or the operator, ``None``) of the plan's region acts on a draw."""
    if principal is None:
        return
    if principal.role is not Role.OFFICIAL:
        raise Forbidden(f"{what} is for officials of the plan's authority")
    mine = region_prefix(principal.region_code) or ""
    theirs = region_prefix(plan.definition.scheme.region) or ""
    if not theirs.startswith(mine):
        raise Forbidden(f"{plan.key} is a plan of region {plan.definition.scheme.region}")


class Inspections:
    """Use cases of inspection plans and their draws."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def plans(self) -> list[Scheme]:
        return self.core.library.plans()

    def plan(self, reference: str, on: date | None = None) -> Scheme:
        found = self.core.library.get(reference, on=on)
        if found.definition.scheme.type is not SchemeType.INSPECTION:
            raise NotFound(f"{found.key} is not an inspection plan")
        return found

    def preview(self, reference: str, on: date | None = None) -> Preview:
        day = on or self.core.today()
        plan = self.plan(reference, on=day)
        with self.core.reading() as conn:
            inputs = build_inputs(
                conn, plan, self.core.library, self.core.catalog, self.core.policies, day
            )
        counts: dict[str, dict[str, int]] = {}
        for entry in inputs.document["roster"]:
            by_status = counts.setdefault(entry["class"], {})
            by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
        return Preview(plan, day, counts, len(inputs.document["pool"]))

    def commit(
        self,
        reference: str,
        actor: str,
        *,
        on: date | None = None,
        principal: Principal | None = None,
    ) -> Draw:
        """Publish the commitment of a draw of the plan with the roster and pool as of ``on``
        (default today; never a day to come, whose records may still arrive)."""
        today = self.core.today()
        day = on or today
        if day > today:
            raise InvalidInput(f"a draw's roster is as of a day that has passed, not {day}")
        plan = self.plan(reference, on=day)
        _official(principal, plan, "committing a draw")
        with self.core.transaction() as conn:
            inputs = build_inputs(
                conn, plan, self.core.library, self.core.catalog, self.core.policies, day
            )
            return store.commit(conn, plan, inputs, actor)

    def draw(
        self,
        draw_id: int,
        seed: str,
        source: str,
        actor: str,
        *,
        principal: Principal | None = None,
    ) -> Draw:
        """Enter the seed and run the draw: its targets, their inspectors and cases."""
        with self.core.reading() as conn:
            found = store.get_draw(conn, draw_id)
        plan = self.core.library.get(found.plan_key)
        _official(principal, plan, "entering a draw's seed")
        with self.core.transaction() as conn:
            calendar = WorkCalendar.from_database(conn)
            return store.enter_seed(conn, plan, draw_id, seed, source, actor, calendar)

    def get(self, draw_id: int) -> Draw:
        with self.core.reading() as conn:
            return store.get_draw(conn, draw_id)

    def draws(self, plan_id: str | None = None, limit: int = 100) -> list[Draw]:
        with self.core.reading() as conn:
            return store.draws(conn, plan_id, limit)

    def verify(self, draw_id: int) -> list[str]:
        """What does not agree in a stored draw (empty: the commitment and result hold)."""
        found = self.get(draw_id)
        result = found.result()
        if result is None:
            raise InvalidInput(f"draw {found.reference} has no seed yet: nothing to verify")
        return verify(found.inputs(), result, found.commitment)

    def targets(
        self, draw_id: int, subject_code: str | None = None, limit: int | None = None
    ) -> list[Target]:
        with self.core.reading() as conn:
            store.get_draw(conn, draw_id)
            return targets(conn, draw_id, subject_code, limit)

    def load_pool(self, source: Path | PoolFile, actor: str) -> Loaded:
        """Add a pool file's inspectors and their declared relations (a file, or one read)."""
        pool = read_pool(source) if isinstance(source, Path) else source
        with self.core.transaction() as conn:
            return load_pool(conn, pool, actor)

    def verifier_source(self) -> str:
        """The standalone verifier, as the portal and the API serve it."""
        return resources.files("xinyong.inspection").joinpath("draw.py").read_text("utf-8")

    def enter_result(
        self,
        draw_id: int,
        subject_code: str,
        result: str,
        inspector: str,
        actor: str,
        *,
        decided_on: date | None = None,
        note: str | None = None,
        principal: Principal | None = None,
    ) -> int:
        """Store one inspection's result as a record of the plan's result item (checked and
        re-graded like any record); the target's case closes in the same transaction."""
        today = self.core.today()
        day = decided_on or today
        with self.core.reading() as conn:
            found = store.get_draw(conn, draw_id)
            early = result_target(conn, found, subject_code, inspector)  # re-checked below
        if principal is not None and principal.region_code:
            mine = region_prefix(principal.region_code) or ""
            if not (early.region_code or "").startswith(mine):
                raise Forbidden(f"{subject_code} is outside the token's region")
        plan = self.core.library.get(found.plan_key)
        spec = plan.definition.inspection
        assert spec is not None
        if found.seeded_at is not None and not found.seeded_at.date() <= day <= today:
            raise InvalidInput(
                f"an inspection of {found.reference} is decided between its draw "
                f"({found.seeded_at.date()}) and today, not on {day}"
            )
        row = {
            "subject_code": subject_code,
            "item_code": spec.results.item,
            "decided_on": day.isoformat(),
            "reference": f"{found.reference}/{subject_code}",
            "result": result,
            "plan": plan.key,
            "draw": found.reference,
            "inspectors": inspector,
        }
        raw = read_bytes(json.dumps(row, ensure_ascii=False).encode(), "inspection", "jsonl")
        linked: list[int] = []

        def link(conn: Any, report: Any) -> None:
            if report.batch_id is None or report.rejected:
                return
            target = result_target(conn, found, subject_code, inspector)
            linked.append(link_result(conn, target, report.batch_id, today, actor, result, note))

        done = Records(self.core).ingest(
            raw, f"inspection:{found.plan_id}", load_profile("canonical"), within=link
        )
        if linked:
            return linked[0]
        with self.core.reading() as conn:
            (now,) = targets(conn, found.id, subject_code)
        if now.record_id is not None:  # another inspector's result landed first
            raise Conflict(
                f"the result of {subject_code} in {found.reference} was entered already "
                f"(record {now.record_id}); a correction is a new record that amends it"
            )
        problems = done.report.rejected[0].problems if done.report.rejected else []
        raise InvalidInput(
            "; ".join(f"{p.field or 'row'}: {p.message}" for p in problems)
            or "the result was not stored"
        )
