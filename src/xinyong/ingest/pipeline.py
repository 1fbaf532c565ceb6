"""Batches: read a file, check every row, write what is good in one transaction and put what
is not into quarantine, naming the row, the field and the reason.

A batch is identified by (source department, batch id). Without a batch id the file's SHA-256
is the id, so sending the same file twice changes nothing. The same id with different content is
refused. With ``strict=True`` a batch with any rejected row is refused whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import Connection, insert, select, union, update
from sqlalchemy.exc import IntegrityError

from xinyong import clock
from xinyong.catalog.items import Catalog
from xinyong.errors import BatchConflict, BatchRejected
from xinyong.ingest.batches import BatchReport, Rejected, quarantined_rows
from xinyong.ingest.batchwriter import BatchWriter
from xinyong.ingest.parsed import Problem, RecordRow, SubjectRow
from xinyong.ingest.profiles import Mapper, Profile, choose_profile, load_profile
from xinyong.ingest.readers import RawFile, RawRow, read_file
from xinyong.ingest.rows import RowChecker
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.settings import Settings
from xinyong.store import audit
from xinyong.store.database import Database
from xinyong.store.locks import lock_name
from xinyong.store.seals import seal
from xinyong.store.tables import batches, record_events, records

__all__ = ["BatchReport", "Ingestor", "Rejected", "quarantined_rows"]

Progress = Callable[[int], None]


#: The longest department name a batch, a record and the audit log keep.
SOURCE_LENGTH = 100


def _now() -> datetime:
    return clock.now()


def read_batch(
    path: Path, *, encoding: str | None = None, profile: str | None = None
) -> tuple[RawFile, Profile]:
    """Read a file and the profile that maps its columns (named, or chosen from the header)."""
    raw = read_file(path, encoding=encoding)
    return raw, load_profile(profile) if profile else choose_profile(raw.columns)


class Ingestor:
    """Checks and writes batches into one database."""

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        settings: Settings | None = None,
        regions: Regions | None = None,
        industries: Industries | None = None,
        today: date | None = None,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.settings = settings or Settings()
        self.checker = RowChecker(
            catalog,
            regions or Regions.load(),
            industries or Industries.load(),
            today=today or self.settings.current_date(),
            earliest=self.settings.earliest_decision_date,
        )

    def ingest_file(
        self,
        path: Path,
        source: str,
        *,
        batch_key: str | None = None,
        encoding: str | None = None,
        profile: str | None = None,
        strict: bool = False,
        progress: Progress | None = None,
    ) -> BatchReport:
        raw, chosen = read_batch(path, encoding=encoding, profile=profile)
        return self.ingest(
            raw, source, chosen, batch_key=batch_key, strict=strict, progress=progress
        )

    def ingest(
        self,
        raw: RawFile,
        source: str,
        profile: Profile,
        *,
        batch_key: str | None = None,
        strict: bool = False,
        progress: Progress | None = None,
        within: Callable[[Connection, BatchReport], None] | None = None,
    ) -> BatchReport:
        """Check and write one batch, all or nothing. ``within`` runs inside the batch's own
        transaction after the rows are written (the HTTP service stores its idempotency key
        there), so that it and the batch are committed together or not at all."""
        source = source.strip()
        if not source:
            raise BatchRejected("the source department must be named")
        if len(source) > SOURCE_LENGTH:
            raise BatchRejected(
                f"the source department's name is {len(source)} characters; at most "
                f"{SOURCE_LENGTH} are kept: send a shorter name (or its code)"
            )
        # The profile is part of what was sent: the same bytes read another way are another batch.
        digest = hashlib.sha256(f"{raw.sha256}:{profile.profile}".encode()).hexdigest()
        key = (batch_key or f"sha256:{digest}").strip()
        if not key or len(key) > 200:
            raise BatchRejected("a batch id is 1 to 200 characters")
        if raw.stream is None and not raw.rows:
            raise _no_rows(raw)
        report = BatchReport(source, key, raw.name, raw.format, raw.encoding, profile.profile)
        with self.db.begin() as conn:
            if self._repeat(conn, report, digest):
                return report
        try:
            with self.db.begin() as conn:
                self._write(conn, raw, profile, report, digest, progress)
                if strict and report.rejected:
                    raise BatchRejected(
                        f"{report.quarantined} of {report.rows_total} rows were rejected, "
                        "so none was accepted (strict mode); first: row "
                        f"{report.rejected[0].number}: {report.rejected[0].problems[0]}"
                    )
                if within is not None:
                    within(conn, report)
        except IntegrityError as exc:
            if "batch" in str(exc.orig).lower() and "source" in str(exc.orig).lower():
                raise BatchConflict(
                    f"batch {key!r} from {source} was written by another process just now"
                ) from None
            raise
        return report

    # -- steps -----------------------------------------------------------------------------------
    def _repeat(self, conn: Connection, report: BatchReport, digest: str) -> bool:
        row = (
            conn.execute(
                select(batches).where(
                    batches.c.source == report.source, batches.c.batch_key == report.batch_key
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return False
        if row["content_sha256"] != digest:
            raise BatchConflict(
                f"batch {report.batch_key!r} from {report.source} was already received on "
                f"{row['received_at']:%Y-%m-%d %H:%M} with different content; "
                "send changes as a new batch with correction rows"
            )
        report.already_ingested = True
        report.batch_id = row["id"]
        report.rows_total = row["rows_total"]
        report.accepted = row["rows_accepted"]
        report.warnings = row["warnings"]
        report.received_at = row["received_at"]
        return True

    def _write(
        self,
        conn: Connection,
        raw: RawFile,
        profile: Profile,
        report: BatchReport,
        digest: str,
        progress: Progress | None,
    ) -> None:
        # One batch of a source at a time: its decision numbers are checked against the ones
        # already stored with no other batch of the source half-written beside it.
        lock_name(conn, f"batch-source:{report.source}")
        now = _now()
        report.received_at = now
        batch_id = conn.execute(
            insert(batches).returning(batches.c.id),
            {
                "source": report.source,
                "batch_key": report.batch_key,
                "content_sha256": digest,
                "file_name": raw.name,
                "file_format": raw.format,
                "encoding": raw.encoding,
                "received_at": now,
                "rows_total": 0,
                "rows_accepted": 0,
                "rows_quarantined": 0,
                "profile": profile.profile,
            },
        ).scalar_one()
        report.batch_id = int(batch_id)
        writer = BatchWriter(conn, self.db, report, now, {}, self.settings.ingest_chunk_size)
        tick = _Ticker(progress)
        split = profile.mapper(raw.columns)
        if profile.kind == "subjects":
            rows = list(raw.iter_rows())
            report.rows_total = len(rows)
            writer.raw_values = {row.number: row.values for row in rows}
            writer.subjects(self._check_subjects(rows, split, report, tick))
        else:
            # Read, checked and written a part at a time: memory holds one part, whatever
            # the size of the file. Changes to earlier records wait for the end (a change may
            # name a record that comes later in the same file).
            for part in _parts(raw.iter_rows(), self.settings.ingest_stream_rows):
                report.rows_total += len(part)
                writer.raw_values = {row.number: row.values for row in part}
                writer.records(self._check_records(part, split, profile, report, tick))
            writer.amendments()
        if report.rows_total == 0:
            raise _no_rows(raw)
        tick.flush()
        report.rejected.sort(key=lambda r: r.number)
        _in_clerks_words(report, profile, raw.columns)
        writer.quarantine()
        report.subject_ids = _touched_subjects(conn, report.batch_id)
        conn.execute(
            update(batches)
            .where(batches.c.id == report.batch_id)
            .values(
                rows_total=report.rows_total,
                rows_accepted=report.accepted,
                rows_quarantined=report.quarantined,
                warnings=report.warnings,
            )
        )
        audit.append(
            conn,
            actor=report.source,
            action="batch.accepted",
            target=f"batch:{report.batch_id}",
            details={
                "batch_key": report.batch_key,
                "content_sha256": digest,
                "rows": report.rows_total,
                "accepted": report.accepted,
                "quarantined": report.quarantined,
                **seal(conn, report.batch_id),  # an edit of a stored record in place is found
            },
        )

    def _check_records(
        self,
        rows: list[RawRow],
        split: Mapper,
        profile: Profile,
        report: BatchReport,
        tick: _Ticker,
    ) -> list[RecordRow]:
        good: list[RecordRow] = []
        for row in rows:
            tick()
            if row.problem:
                report.rejected.append(
                    Rejected(row.number, [Problem(None, None, row.problem)], row.values)
                )
                continue
            fields, attributes = split(row.values)
            checked = self.checker.record(row.number, fields, attributes, profile)
            if isinstance(checked, list):
                report.rejected.append(Rejected(row.number, checked, row.values))
            else:
                good.append(checked)
        return good

    def _check_subjects(
        self, rows: list[RawRow], split: Mapper, report: BatchReport, tick: _Ticker
    ) -> list[SubjectRow]:
        good: list[SubjectRow] = []
        for row in rows:
            tick()
            if row.problem:
                report.rejected.append(
                    Rejected(row.number, [Problem(None, None, row.problem)], row.values)
                )
                continue
            fields, extra = split(row.values)
            checked = self.checker.subject(row.number, fields)
            if isinstance(checked, SubjectRow) and extra:
                checked = [
                    Problem(name, str(v), "is not a subject field") for name, v in extra.items()
                ]
            if isinstance(checked, list):
                report.rejected.append(Rejected(row.number, checked, row.values))
            else:
                good.append(checked)
        return good


class _Ticker:
    """Calls a progress callback every ``every`` rows, and once more at the end."""

    def __init__(self, progress: Progress | None, every: int = 1000) -> None:
        self.progress = progress
        self.every = every
        self.pending = 0

    def __call__(self) -> None:
        self.pending += 1
        if self.pending == self.every:
            self.flush()

    def flush(self) -> None:
        if self.progress and self.pending:
            self.progress(self.pending)
        self.pending = 0


def _parts(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    """``rows`` in lists of ``size``."""
    while part := list(islice(rows, size)):
        yield part


def _no_rows(raw: RawFile) -> BatchRejected:
    return BatchRejected(
        f"{raw.name}: no rows after the header; nothing was ingested (an empty sheet, "
        "or the rows are below a blank gap the reader stopped at?)"
    )


def _touched_subjects(conn: Connection, batch_id: int) -> set[int]:
    """Subjects whose records a batch added, corrected, revoked or repaired."""
    added = select(records.c.subject_id).where(records.c.batch_id == batch_id)
    changed = (
        select(records.c.subject_id)
        .join(record_events, record_events.c.record_id == records.c.id)
        .where(record_events.c.batch_id == batch_id)
    )
    return {int(i) for (i,) in conn.execute(union(added, changed))}


def _in_clerks_words(report: BatchReport, profile: Profile, columns: list[str]) -> None:
    """Name each problem's field by the file's own column header (e.g. 处罚决定日期)."""
    for rejected in report.rejected:
        rejected.problems = [
            Problem(profile.header_for(p.field, columns), p.value, p.message) if p.field else p
            for p in rejected.problems
        ]
