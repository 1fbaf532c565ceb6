"""Records from departments: a batch is checked and stored, and the subjects it touched are
re-evaluated under every scheme in force, in the batch's own transaction, so that a grade is
never older than the records it reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from xinyong.application.base import Core
from xinyong.disclosure import agencies
from xinyong.disclosure.tokens import Principal, Role
from xinyong.dueprocess import rectification
from xinyong.dueprocess.lifecycle import ExitReason
from xinyong.dueprocess.listings import end_for_record
from xinyong.dueprocess.terms import follow_later_records
from xinyong.errors import NotFound
from xinyong.evaluation.runs import Run
from xinyong.ingest import idempotency
from xinyong.ingest.batches import BatchReport, quarantined_rows
from xinyong.ingest.pipeline import Ingestor, Progress, read_batch
from xinyong.ingest.profiles import Profile, load_profile
from xinyong.ingest.readers import RawFile, read_bytes
from xinyong.registry.records import newest_version
from xinyong.store.database import refresh_statistics
from xinyong.store.tables import batches

#: Why a listing ends when a batch takes its record out of effect.
ENDS = {
    "revocation": ExitReason.REVOKED,
    "repair": ExitReason.REPAIRED,
    "correction": ExitReason.REVOKED,
}


@dataclass(frozen=True, slots=True)
class Ingested:
    """A batch's report and the evaluation runs it caused (none for a repeat)."""

    report: BatchReport
    runs: list[Run] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Submitted:
    """The answer to a batch sent under an idempotency key: its status, its body, and whether
    it is the stored answer to an earlier sending."""

    status: int
    body: dict[str, Any]
    replayed: bool


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """A stored batch and its refused rows."""

    batch: dict[str, Any]
    refused: list[dict[str, Any]]


class Records:
    """Use cases of records: ingest a batch, read a batch back, list quarantined rows."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def ingestor(self) -> Ingestor:
        core = self.core
        return Ingestor(
            core.db,
            core.catalog,
            core.settings,
            regions=core.regions,
            industries=core.industries,
            today=core.today(),
        )

    def ingest(
        self,
        raw: RawFile,
        source: str,
        profile: Profile,
        *,
        batch_key: str | None = None,
        strict: bool = False,
        evaluate: bool = True,
        progress: Progress | None = None,
        within: Callable[[Connection, BatchReport], None] | None = None,
        runs: list[Run] | None = None,
    ) -> Ingested:
        """Check and store one batch, all or nothing; then, in the same transaction,
        re-evaluate the subjects whose records the batch changed and run ``within`` (an
        interface's own bookkeeping)."""
        runs = [] if runs is None else runs
        as_of = self.core.today()

        def inside(conn: Connection, report: BatchReport) -> None:
            # the queries below are planned for the rows the batch just wrote
            refresh_statistics(conn, report.accepted, ("records", "record_events"))
            # A record the batch revoked, repaired or corrected ends the listings it caused,
            # in the batch's own transaction, as a decision on a case does.
            for record_id, kind in report.amended:
                end_for_record(
                    conn,
                    self.core.library,
                    self.core.catalog,
                    record_id,
                    as_of,
                    source,
                    ENDS[kind],
                    newest_version(conn, record_id) if kind == "correction" else None,
                )
            # a later record extends a listing, or ends it when it performs the obligation
            follow_later_records(
                conn, self.core.library, self.core.catalog, report.subject_ids, as_of, source
            )
            # a bad rating of a government service opens its rectification case
            if report.batch_id is not None:
                rectification.open_for_batch(conn, report.batch_id, as_of)
            if evaluate and report.subject_ids:
                runs.extend(self.core.reevaluate(conn, report.subject_ids, as_of))
            if within is not None:
                within(conn, report)

        with self.core.on_clock():
            report = self.ingestor().ingest(
                raw,
                source,
                profile,
                batch_key=batch_key,
                strict=strict,
                progress=progress,
                within=inside,
            )
        return Ingested(report, runs)

    def submit(
        self,
        rows: list[dict[str, Any]],
        *,
        source: str,
        actor: str,
        key: str,
        answer: Callable[[Ingested], dict[str, Any]],
        profile: str = "canonical",
        strict: bool = False,
        principal: Principal | None = None,
    ) -> Submitted:
        """A batch sent over the network once, under an idempotency key: sent again with the
        same key and content it gives the first answer and stores nothing more; the same key
        with other content is refused. ``answer`` gives the body kept for a replay. A rating
        agency's batch needs a registration in force and holds only its ratings, each named
        with the agency and its licence."""
        key = idempotency.check_key(key)
        agency = principal if principal is not None and principal.role is Role.AGENCY else None
        if agency is not None:
            with self.core.reading() as conn:
                registration = agencies.standing(conn, agency, self.core.today())
            rows = agencies.rating_rows(rows, registration)
        digest = idempotency.digest({"profile": profile, "strict": strict, "rows": rows})
        with self.core.reading() as conn:
            stored = idempotency.recall(conn, actor, key, digest)
        if stored is not None:
            return Submitted(stored.status_code, stored.response, replayed=True)
        lines = "\n".join(json.dumps(row, ensure_ascii=False, default=str) for row in rows)
        raw = read_bytes(lines.encode(), f"api:{key}", "jsonl")
        runs: list[Run] = []

        def remember(conn: Connection, report: BatchReport) -> None:
            if agency is not None:  # the registration still holds, under its lock
                agencies.hold(conn, agency, self.core.today())
            body = answer(Ingested(report, runs))
            idempotency.remember(conn, actor, key, digest, 201, body)

        done = self.ingest(
            raw,
            source,
            load_profile(profile),
            batch_key=idempotency.batch_key(key),
            strict=strict,
            within=remember,
            runs=runs,
        )
        # A batch that landed before without its answer kept is answered 200, not 201.
        return Submitted(200 if done.report.already_ingested else 201, answer(done), False)

    def ingest_file(
        self,
        path: Path,
        source: str,
        *,
        batch_key: str | None = None,
        encoding: str | None = None,
        profile: str | None = None,
        strict: bool = False,
        evaluate: bool = True,
        progress: Callable[[int], Progress] | None = None,
    ) -> Ingested:
        """Read a department's file (its profile named or chosen from the header), then
        :meth:`ingest` it; ``progress`` is given the row count and returns the ticker."""
        raw, chosen = read_batch(path, encoding=encoding, profile=profile)
        return self.ingest(
            raw,
            source,
            chosen,
            batch_key=batch_key,
            strict=strict,
            evaluate=evaluate,
            progress=progress(raw.size) if progress else None,
        )

    def batch(self, batch_id: int, source: str) -> BatchStatus:
        """A batch ``source`` sent, with its refused rows; another source's batch is not named
        as existing."""
        with self.core.reading() as conn:
            row = (
                conn.execute(
                    select(batches).where(batches.c.id == batch_id, batches.c.source == source)
                )
                .mappings()
                .first()
            )
            if row is None:
                raise NotFound(f"no batch {batch_id} from {source}")
            refused = quarantined_rows(conn, source, limit=100000, batch_id=batch_id)
        return BatchStatus(dict(row), refused)

    def quarantined(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Rows refused at ingest, newest batch first."""
        with self.core.reading() as conn:
            return quarantined_rows(conn, source, limit)
