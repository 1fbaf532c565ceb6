"""Shadow runs as use cases: put a version in shadow for a set period, run every shadow due on
a day beside the version in force, stop one early, and read what it would have done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from xinyong.application.base import Core
from xinyong.disclosure import access
from xinyong.disclosure.tokens import Principal
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.evaluation import shadows
from xinyong.evaluation.runs import Run, latest_run, store_run
from xinyong.evaluation.shadows import Shadow, ShadowReport, ShadowRun
from xinyong.schemes.model import Scheme
from xinyong.store import audit

STARTED = "scheme.shadow_started"
STOPPED = "scheme.shadow_stopped"


@dataclass(frozen=True, slots=True)
class ShadowDay:
    """What became of one shadow on one day: its run, or why it did not run."""

    shadow: Shadow
    run: ShadowRun | None
    problem: str | None = None


class Shadows:
    """Use cases of shadow runs."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def start(
        self,
        reference: str,
        *,
        days: int,
        reason: str,
        by: str,
        principal: Principal | None = None,
    ) -> Shadow:
        """Put a version in shadow from today: only a version not yet in force and not yet
        published, whose own cases pass; checked again inside the audit log's lock."""
        from xinyong.application.schemes import PUBLISHED, Schemes

        core = self.core
        scheme = self._scheme(reference, principal)
        today = core.today()
        if scheme.definition.scheme.effective_from <= today:
            raise Conflict(
                f"{scheme.key} is in force since {scheme.definition.scheme.effective_from}: "
                "a shadow is for a version before it takes effect"
            )
        Schemes(core)._passing(scheme)
        with core.transaction() as conn:
            audit.lock(conn)
            done = audit.first(conn, PUBLISHED, f"scheme:{scheme.key}")
            if done is not None:
                raise Conflict(f"{scheme.key} is already published (audit #{done.seq})")
            shadow = shadows.start(conn, scheme, on=today, days=days, reason=reason, by=by)
            audit.append(
                conn,
                actor=by,
                action=STARTED,
                target=f"scheme:{scheme.key}",
                details={
                    "shadow": shadow.id,
                    "sha256": shadow.sha256,
                    "starts_on": shadow.starts_on,
                    "ends_on": shadow.ends_on,
                    "reason": shadow.reason,
                },
            )
        return shadow

    def stop(self, reference: str, *, by: str, principal: Principal | None = None) -> Shadow:
        """End a version's shadow today (it is not evaluated today or after)."""
        scheme = self._scheme(reference, principal)
        with self.core.transaction() as conn:
            audit.lock(conn)
            shadow = shadows.stop(conn, scheme, on=self.core.today(), by=by)
            audit.append(
                conn,
                actor=by,
                action=STOPPED,
                target=f"scheme:{scheme.key}",
                details={"shadow": shadow.id, "stopped_on": shadow.stopped_on},
            )
        return shadow

    def run(self, on: date | None = None) -> list[ShadowDay]:
        """Evaluate every shadow due on the day (by default today), each beside the full run
        of the version in force that day (stored first if that day has none), all in one
        transaction. A shadow whose file changed, or whose scheme has no version in force,
        is reported with its problem and not run."""
        core = self.core
        day = on or core.today()
        done: list[ShadowDay] = []
        with core.on_clock(), core.transaction() as conn:
            audit.lock(conn)
            for shadow in shadows.due(conn, day):
                try:
                    scheme = core.library.get(shadow.scheme)
                    baseline = self._baseline(conn, scheme, day)
                    ran = shadows.store(conn, shadow, scheme, core.catalog, day, baseline)
                except (Conflict, NotFound) as exc:
                    done.append(ShadowDay(shadow, None, str(exc)))
                    continue
                done.append(ShadowDay(shadow, ran))
            if done:
                audit.append(
                    conn,
                    actor="xinyong engine",
                    action="scheme.shadow_run",
                    target=f"day:{day.isoformat()}",
                    details={
                        "as_of": day,
                        "runs": {d.shadow.scheme: (d.run.id if d.run else d.problem) for d in done},
                    },
                )
        return done

    def _baseline(self, conn: Connection, scheme: Scheme, day: date) -> Run | None:
        try:
            current = self.core.library.get(scheme.id, on=day)
        except NotFound:
            return None
        if current.key == scheme.key:
            raise Conflict(f"{scheme.key} is in force on {day}; its shadow is over")
        try:
            return latest_run(conn, current, as_of=day)
        except NotFound:
            return store_run(conn, current, self.core.catalog, day)

    def report(self, reference: str, principal: Principal | None = None) -> ShadowReport:
        """The version's newest shadow and each of its days beside the version in force."""
        scheme = self._scheme(reference, principal)
        with self.core.reading() as conn:
            return shadows.report(conn, shadows.get(conn, scheme))

    def every(self, principal: Principal | None = None) -> list[ShadowReport]:
        """Every shadow (newest first) with its days, in the caller's region."""
        with self.core.reading() as conn:
            found = [shadows.report(conn, s) for s in shadows.every(conn)]
        if principal is None:
            return found
        out = []
        for report in found:
            region = self.core.library.get(report.shadow.scheme).definition.scheme.region
            try:
                access.reach_region(principal, region, report.shadow.scheme)
            except Forbidden:
                continue
            out.append(report)
        return out

    def waiting(self) -> list[Scheme]:
        """The versions that could be put in shadow today: not yet in force."""
        today = self.core.today()
        evaluable = self.core.library.evaluable()
        return [s for s in evaluable if s.definition.scheme.effective_from > today]

    def _scheme(self, reference: str, principal: Principal | None) -> Scheme:
        if "@" not in reference:
            raise InvalidInput(f"name the version: {reference}@VERSION")
        scheme = self.core.library.get(reference)
        if principal is not None:
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)
        return scheme
