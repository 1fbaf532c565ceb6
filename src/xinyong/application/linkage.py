"""Record linkage as use cases: propose links for the quarantined rows that named their party
without a code, list and show the proposals, accept one (the row becomes the subject's record,
read again as its batch was read, with the subject's code) or reject it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Connection, select

from xinyong.application.base import Core
from xinyong.application.records import Records
from xinyong.disclosure import access
from xinyong.disclosure.tokens import Principal
from xinyong.errors import Conflict, InvalidInput, Unsupported
from xinyong.evaluation.runs import Run
from xinyong.ingest.batches import BatchReport
from xinyong.ingest.profiles import choose_profile, load_profile
from xinyong.ingest.readers import read_bytes
from xinyong.linkage import links
from xinyong.linkage.candidates import candidates, registry
from xinyong.linkage.links import Link
from xinyong.linkage.model import link
from xinyong.linkage.names import Places
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.subjects import get
from xinyong.store import audit
from xinyong.store.tables import batches, records

#: The least match probability a proposal needs (our own choice, from the measured
#: precision and recall: docs/benchmarks.md).
THRESHOLD = 0.9


@dataclass(frozen=True, slots=True)
class Proposed:
    """One proposal run: the rows examined, the registry's rows, the proposals made."""

    examined: int
    registry: int
    proposed: list[Link]
    prior: float


@dataclass(frozen=True, slots=True)
class Accepted:
    link: Link
    record_id: int
    runs: list[Run]


class Linkage:
    """Use cases of record linkage."""

    def __init__(self, core: Core) -> None:
        self.core = core

    @cached_property
    def places(self) -> Places:
        return Places(self.core.regions)

    def propose(
        self,
        *,
        threshold: float = THRESHOLD,
        limit: int | None = None,
        by: str = "xinyong",
        engine: str = "duckdb",
    ) -> Proposed:
        """Train the model on the candidates and the registry, and propose each candidate's
        best subject at ``threshold`` or above as a ``link`` case. The model runs outside the
        transaction, on DuckDB in this process or on Spark (``engine``; the session from the
        settings' Spark master); the proposals are stored in one transaction, under the audit
        log's lock, skipping a row another run proposed meanwhile."""
        if not 0.5 <= threshold < 1:
            raise InvalidInput("a threshold is a probability from 0.5 up to (not including) 1")
        if engine not in ("duckdb", "spark"):
            raise Unsupported(f"the linkage model runs on duckdb or spark, not {engine!r}")
        core = self.core
        with core.reading() as conn:
            found = candidates(conn, self.places, limit)
            sides = list(registry(conn, self.places)) if found else []
        spark = None
        if engine == "spark" and found:
            from xinyong.backends.spark import session

            spark = session(master=core.settings.spark_master)
        incoming = [c.side(self.places) for c in found]
        matches, trained = link(incoming, sides, threshold=threshold, spark=spark)
        model = links.model_summary(trained, threshold, len(sides), engine)
        with core.on_clock(), core.transaction() as conn:
            audit.lock(conn)
            sent = {f"q{c.quarantine_id}": c.name for c in found}
            calendar = WorkCalendar.from_database(conn)
            made = links.propose(conn, matches, model, calendar, core.today(), by, sent)
            audit.append(
                conn,
                actor=by,
                action="linkage.proposed",
                target=f"links:{made[0].id}-{made[-1].id}" if made else "links:none",
                details={
                    "examined": len(found),
                    "proposed": len(made),
                    "threshold": threshold,
                    "engine": engine,
                },
            )
        return Proposed(len(found), len(sides), made, trained.prior)

    def pending(self, principal: Principal | None = None, limit: int = 100) -> list[Link]:
        """Proposals waiting for a decision, strongest first (in the caller's region)."""
        with self.core.reading() as conn:
            found = links.pending(conn, limit)
            if principal is None:
                return found
            return [k for k in found if self._reaches(conn, principal, k)]

    def show(self, link_id: int, principal: Principal | None = None) -> Link:
        with self.core.reading() as conn:
            found = links.get(conn, link_id)
            if principal is not None:
                access.reach(principal, get(conn, found.subject_code))
            return found

    def of_case(self, case_id: int, principal: Principal | None = None) -> Link | None:
        """The proposal a ``link`` case is about."""
        with self.core.reading() as conn:
            found = links.of_case(conn, case_id)
            if found is not None and principal is not None:
                access.reach(principal, get(conn, found.subject_code))
            return found

    @staticmethod
    def _reaches(conn: Connection, principal: Principal, found: Link) -> bool:
        try:
            access.reach(principal, get(conn, found.subject_code))
        except Exception:
            return False
        return True

    def accept(self, link_id: int, *, by: str, principal: Principal | None = None) -> Accepted:
        """Make the row the subject's record: the row as it was received, with the subject's
        code put in its code column, ingested as a batch of one (strict; keyed by the link,
        so it is written once) from the row's own department; the link is marked accepted
        and its case decided inside that batch's transaction, after locking the link and
        checking again that it is still proposed."""
        found = self.show(link_id, principal)
        if found.state != links.PROPOSED:
            raise Conflict(f"link #{found.id} was already {found.state} by {found.decided_by}")
        with self.core.reading() as conn:
            batch = conn.execute(
                select(batches.c.source, batches.c.profile).where(batches.c.id == found.batch_id)
            ).one()
        profile = load_profile(batch.profile) if batch.profile else choose_profile(list(found.row))
        headers = [h for h, target in profile.columns.items() if target == "subject_code"]
        present = [h for h in headers if h in found.row]
        row = {**found.row, (present or headers or ["subject_code"])[0]: found.subject_code}
        line = json.dumps(row, ensure_ascii=False, default=str).encode()
        raw = read_bytes(line, f"link:{found.id}", "jsonl")
        done: dict[str, int] = {}
        reasons = (
            f"linked by {by}: probability {found.probability:.4f}, weight {found.weight:.2f} "
            f"({found.reference})"
        )

        def inside(conn: Connection, report: BatchReport) -> None:
            record_id = conn.execute(
                select(records.c.id).where(records.c.batch_id == report.batch_id)
            ).scalar_one()
            links.accepted(conn, found.id, record_id, self.core.today(), by, reasons)
            audit.append(
                conn,
                actor=by,
                action="linkage.accepted",
                target=f"link:{found.id}",
                subject_id=found.subject_id,
                details={"record_id": record_id, "quarantine_id": found.quarantine_id},
            )
            done["record"] = record_id

        ingested = Records(self.core).ingest(
            raw, batch.source, profile, batch_key=f"link:{found.id}", strict=True, within=inside
        )
        if ingested.report.already_ingested or "record" not in done:
            raise Conflict(f"link #{found.id} was accepted already")
        with self.core.reading() as conn:
            return Accepted(links.get(conn, found.id), done["record"], ingested.runs)

    def reject(
        self, link_id: int, *, by: str, reasons: str, principal: Principal | None = None
    ) -> Link:
        """Refuse a proposal: its case is decided, the row stays in quarantine."""
        self.show(link_id, principal)
        with self.core.transaction() as conn:
            rejected = links.rejected(conn, link_id, self.core.today(), by, reasons)
            audit.append(
                conn,
                actor=by,
                action="linkage.rejected",
                target=f"link:{link_id}",
                subject_id=rejected.subject_id,
                details={"quarantine_id": rejected.quarantine_id},
            )
        return rejected
