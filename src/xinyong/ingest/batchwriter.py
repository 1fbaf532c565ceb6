"""Writing one checked batch inside its transaction: subjects, records, corrections,
revocations and repairs, and quarantine rows. Checks that need the database happen here, and a
row refused by one of them is quarantined like any other."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    select,
    text,
)

from xinyong.ingest.batches import BatchReport, Rejected
from xinyong.ingest.parsed import Action, Problem, RecordRow, SubjectRow, visible
from xinyong.registry.subjects import (
    NameKind,
    NewSubject,
    SubjectStatus,
    add_name,
    change,
    ids_for_codes,
    register_many,
)
from xinyong.store.database import Database
from xinyong.store.tables import quarantine, record_events, records


class BatchWriter:
    """Writes one batch's checked rows inside the batch's transaction."""

    def __init__(
        self,
        conn: Connection,
        db: Database,
        report: BatchReport,
        now: datetime,
        raw_values: dict[int, dict[str, Any]],
        chunk: int,
    ) -> None:
        self.conn = conn
        self.db = db
        self.report = report
        self.now = now
        self.chunk = chunk
        self.raw_values = raw_values
        # changes to earlier records, held until every part of the batch is written, with
        # the raw values their rejection would quarantine
        self.pending: list[RecordRow] = []
        # new rows of an unknown subject sent without its name: a later row may name it
        self.waiting: list[RecordRow] = []
        self.pending_raw: dict[int, dict[str, Any]] = {}
        self.keys = DecisionKeys(conn, db, report)

    def reject(self, row: RecordRow | SubjectRow, problem: Problem) -> None:
        """Reject a row for a reason found only against the database."""
        self.report.rejected.append(Rejected(row.number, [problem], self.raw_values[row.number]))

    # -- subjects --------------------------------------------------------------------------------
    def subjects(self, rows: list[SubjectRow]) -> None:
        codes_seen: dict[str, int] = {}
        unique: list[SubjectRow] = []
        for row in rows:
            first = codes_seen.setdefault(row.identifier.code, row.number)
            if first != row.number:
                self.reject(
                    row,
                    Problem(
                        "subject_code",
                        row.identifier.code,
                        f"the same subject is already in row {first}",
                    ),
                )
            else:
                unique.append(row)
        known = ids_for_codes(self.conn, codes_seen)
        new = {
            r.identifier.code: NewSubject(
                r.identifier,
                r.name,
                r.kind,
                r.region_code,
                r.industry_code,
                r.registered_on,
                r.status or SubjectStatus.ACTIVE,
                r.legal_representative,
                r.size_band,
                r.registration_number,
            )
            for r in unique
            if r.identifier.code not in known
        }
        ids = {**known, **register_many(self.conn, new, self.report.source)}
        self.report.subjects_registered = len(new)
        for row in unique:
            if row.identifier.code in known:
                self._update_subject(row)
            subject_id = ids[row.identifier.code]
            for name in row.former_names:
                add_name(self.conn, subject_id, name, NameKind.FORMER, self.report.source)
            for alias in row.aliases:
                if alias != row.name:
                    add_name(self.conn, subject_id, alias, NameKind.ALIAS, self.report.source)
            self.report.warnings += len(row.warnings)
            self.report.accepted += 1

    def _update_subject(self, row: SubjectRow) -> None:
        change(
            self.conn,
            row.identifier.code,
            {
                "name": row.name,
                "kind": row.kind,
                "region_code": row.region_code,
                "industry_code": row.industry_code,
                "registered_on": row.registered_on,
                "status": row.status,
                "legal_representative": row.legal_representative,
                "size_band": row.size_band,
                "registration_number": row.registration_number,
            },
            self.report.source,
            self.report.batch_id,
        )

    # -- records ---------------------------------------------------------------------------------
    def records(self, rows: list[RecordRow]) -> None:
        """Write one part of a batch's new records; hold its changes to earlier records for
        :meth:`amendments`."""
        new_rows = [r for r in rows if r.action is Action.NEW]
        for row in rows:
            if row.action is not Action.NEW:
                self.pending.append(row)
                self.pending_raw[row.number] = self.raw_values[row.number]
        new_rows = self._drop_duplicates(new_rows)
        subject_ids = self._subjects_for(new_rows, wait=True)
        accepted_new = [r for r in new_rows if r.identifier and r.identifier.code in subject_ids]
        self._insert_records(accepted_new, subject_ids, {})

    def amendments(self) -> None:
        """Write the batch's corrections, revocations and repairs, once its new records are
        all written (a change may name one of them), and end the batch's bookkeeping."""
        self.keys.close()
        rows, self.pending = self.pending, []
        waiting, self.waiting = self.waiting, []
        self.raw_values = self.pending_raw
        # new rows whose subject a later row of the file may have registered since
        subject_ids = self._subjects_for(waiting)
        self._insert_records(
            [r for r in waiting if r.identifier and r.identifier.code in subject_ids],
            subject_ids,
            {},
        )
        subject_ids = self._subjects_for([r for r in rows if r.identifier])
        self._amend(rows, subject_ids)

    def _drop_duplicates(self, rows: list[RecordRow]) -> list[RecordRow]:
        """Refuse a decision number sent twice in the batch, or already recorded earlier."""
        first_here: dict[tuple[str, str], int] = {}
        for row in rows:
            if row.reference and row.item:
                first_here.setdefault((row.reference, row.item.code), row.number)
        existing, earlier = self.keys.look_up(first_here)
        seen: dict[tuple[str, str], int] = dict(earlier)
        kept: list[RecordRow] = []
        for row in rows:
            if row.reference and row.item:
                key = (row.reference, row.item.code)
                if key in existing:
                    record_id, batch = existing[key]
                    self.reject(
                        row,
                        Problem(
                            "reference",
                            row.reference,
                            f"{row.item.code} with this decision number is already record "
                            f"#{record_id} (batch #{batch}); send a correction row instead",
                        ),
                    )
                    continue
                first = seen.setdefault(key, row.number)
                if first != row.number:
                    self.reject(
                        row,
                        Problem(
                            "reference",
                            row.reference,
                            f"the same decision number is already in row {first}",
                        ),
                    )
                    continue
            kept.append(row)
        self.keys.remember(
            {k: n for k, n in first_here.items() if k not in existing and k not in earlier}
        )
        return kept

    def _subjects_for(self, rows: list[RecordRow], wait: bool = False) -> dict[str, int]:
        """Ids of the rows' subjects, registering unknown ones that come with a name. A row of
        a subject still unknown is refused, or with ``wait`` held for the end of the batch."""
        codes = {r.identifier.code for r in rows if r.identifier}
        known = ids_for_codes(self.conn, codes)
        new: dict[str, NewSubject] = {}
        for row in rows:
            assert row.identifier is not None
            code = row.identifier.code
            if code in known or code in new:
                continue
            if row.subject_name:
                new[code] = NewSubject(row.identifier, row.subject_name, row.subject_kind)
        if new:
            known.update(register_many(self.conn, new, self.report.source))
            self.report.subjects_registered += len(new)
        for row in rows:
            assert row.identifier is not None
            if row.identifier.code not in known and wait:
                self.waiting.append(row)
                self.pending_raw[row.number] = self.raw_values[row.number]
            elif row.identifier.code not in known:
                self.reject(
                    row,
                    Problem(
                        "subject_name",
                        None,
                        f"subject {row.identifier.code} is not registered; give its name "
                        "so that it can be",
                    ),
                )
        return known

    def _record_params(
        self, row: RecordRow, subject_id: int, supersedes: int | None
    ) -> dict[str, Any]:
        assert row.item is not None
        return {
            "subject_id": subject_id,
            "item_code": row.item.code,
            "decided_on": row.decided_on,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "severity": row.severity,
            "reference": row.reference,
            "decided_in": row.decided_in,
            "source": self.report.source,
            "batch_id": self.report.batch_id,
            "row_number": row.number,
            "attributes": row.attributes,
            "warnings": row.warnings or None,
            "supersedes_id": supersedes,
            "recorded_at": self.now,
        }

    def _insert_records(
        self, rows: list[RecordRow], subject_ids: dict[str, int], supersedes: dict[int, int]
    ) -> None:
        for start in range(0, len(rows), self.chunk):
            part = rows[start : start + self.chunk]
            params = [
                self._record_params(r, subject_ids[r.identifier.code], supersedes.get(r.number))
                for r in part
                if r.identifier is not None
            ]
            self.db.bulk_insert(self.conn, records, params)
            for row in part:
                self.report.items[row.item.code if row.item else "?"] += 1
                self.report.warnings += len(row.warnings)
            self.report.accepted += len(part)

    def _amend(self, rows: list[RecordRow], subject_ids: dict[str, int]) -> None:
        corrections: list[RecordRow] = []
        supersedes: dict[int, int] = {}
        events: list[dict[str, Any]] = []
        changed: dict[tuple[int, str], int] = {}  # (record, correction or event kind) -> row
        for row in rows:
            target = self._target(row)
            if target is None:
                continue
            change = "correction" if row.action is Action.CORRECT else row.action.value
            first = changed.setdefault((target, change), row.number)
            if first != row.number:
                self.reject(
                    row,
                    Problem(
                        "target_reference" if row.target_reference else "target_record_id",
                        str(row.target_reference or row.target_record_id),
                        f"record #{target} is already changed ({change}) by row {first} of "
                        "this batch; send one such change per record",
                    ),
                )
                continue
            if row.action is Action.CORRECT:
                if row.identifier is None or row.identifier.code not in subject_ids:
                    continue  # already rejected by _subjects_for
                corrections.append(row)
                supersedes[row.number] = target
                self.report.amended.append((target, "correction"))
            else:
                self.report.amended.append(
                    (target, "revocation" if row.action is Action.REVOKE else "repair")
                )
                events.append(
                    {
                        "record_id": target,
                        "kind": "revocation" if row.action is Action.REVOKE else "repair",
                        "effective_on": row.decided_on,
                        "reason": row.reason,
                        "source": self.report.source,
                        "batch_id": self.report.batch_id,
                        "row_number": row.number,
                        "recorded_at": self.now,
                    }
                )
        self._insert_records(corrections, subject_ids, supersedes)
        if events:
            self.conn.execute(insert(record_events), events)
            self.report.items.update(f"({e['kind']})" for e in events)
            self.report.accepted += len(events)

    def _target(self, row: RecordRow) -> int | None:
        """The record a correction, revocation or repair changes: the newest version of it."""
        query = select(records.c.id, records.c.source, records.c.item_code)
        if row.target_record_id is not None:
            query = query.where(records.c.id == row.target_record_id)
            field_name, value = "target_record_id", str(row.target_record_id)
        else:
            query = query.where(
                records.c.source == self.report.source, records.c.reference == row.target_reference
            )
            if row.item is not None:
                query = query.where(records.c.item_code == row.item.code)
            field_name, value = "target_reference", str(row.target_reference)
        newer = select(records.c.supersedes_id).where(records.c.supersedes_id.is_not(None))
        found = self.conn.execute(query.where(records.c.id.not_in(newer))).all()
        if not found:
            superseded = self.conn.execute(query).first()
            message = (
                f"record #{superseded.id} was already corrected; change its newest version"
                if superseded
                else f"no record from {self.report.source} matches"
            )
            self.reject(row, Problem(field_name, value, message))
            return None
        if len(found) > 1:
            self.reject(
                row,
                Problem(
                    field_name,
                    value,
                    f"{len(found)} records match; give item_code or target_record_id",
                ),
            )
            return None
        target = found[0]
        if target.source != self.report.source:
            self.reject(
                row,
                Problem(
                    field_name,
                    value,
                    f"record #{target.id} was sent by {target.source}; only "
                    "the department that sent a record may change it",
                ),
            )
            return None
        if row.action in (Action.REVOKE, Action.REPAIR):
            kind = "revocation" if row.action is Action.REVOKE else "repair"
            done = self.conn.execute(
                select(func.count())
                .select_from(record_events)
                .where(record_events.c.record_id == target.id, record_events.c.kind == kind)
            ).scalar_one()
            if done:
                self.reject(
                    row, Problem(field_name, value, f"record #{target.id} already has a {kind}")
                )
                return None
        return int(target.id)

    # -- quarantine ------------------------------------------------------------------------------
    def quarantine(self) -> None:
        if not self.report.rejected:
            return
        params = []
        for rejected in sorted(self.report.rejected, key=lambda r: r.number):
            first = rejected.problems[0]
            params.append(
                {
                    "batch_id": self.report.batch_id,
                    "row_number": rejected.number,
                    "field": visible(first.field)[:100] if first.field else None,
                    "value": visible(first.value) if first.value is not None else None,
                    "message": visible("; ".join(str(p) for p in rejected.problems)),
                    "raw": _jsonable(rejected.raw),
                    "created_at": self.now,
                }
            )
        for start in range(0, len(params), self.chunk):
            self.conn.execute(insert(quarantine), params[start : start + self.chunk])


#: One part's decision numbers, and every decision number the batch has kept so far, each in a
#: temporary table of the batch's connection: the batch's numbers are checked against the
#: records by a join, never by lists of thousands of values, and are not held in memory.
_KEYS = MetaData()
_PART = Table(
    "xy_part_keys",
    _KEYS,
    Column("reference", Text, nullable=False),
    Column("item_code", Text, nullable=False),
    Column("row_number", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
_KEPT = Table(
    "xy_batch_keys",
    _KEYS,
    Column("reference", Text, primary_key=True),
    Column("item_code", Text, primary_key=True),
    Column("row_number", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


class DecisionKeys:
    """The decision numbers (with their item) of one batch, as it is written part by part."""

    def __init__(self, conn: Connection, db: Database, report: BatchReport) -> None:
        self.conn = conn
        self.db = db
        self.report = report
        self.open = False

    def _start(self) -> None:
        # made once per connection and emptied for each batch: a table made and dropped
        # every batch would change the schema each time, and SQLite prepares every
        # statement anew after a schema change
        if not self.open:
            for table in (_PART, _KEPT):
                table.create(self.conn, checkfirst=True)
                self._empty(table)  # left by a batch that failed
            self.open = True

    def look_up(
        self, keys: dict[tuple[str, str], int]
    ) -> tuple[dict[tuple[str, str], tuple[int, int]], dict[tuple[str, str], int]]:
        """Of ``keys`` (key -> its first row in this part): those already recorded by an
        earlier batch of the source (-> record id and batch), and those an earlier part of
        this batch kept (-> that row)."""
        if not keys:
            return {}, {}
        self._start()
        self._empty(_PART)
        self.db.bulk_insert(
            self.conn,
            _PART,
            [{"reference": r, "item_code": i, "row_number": n} for (r, i), n in keys.items()],
        )
        # each of the part's numbers looked up in the records' (source, reference) index: the
        # part drives the lookup, whatever the planner would guess of a table without
        # statistics (SQLite read every record of the source for each part, otherwise)
        found = (
            select(records.c.id)
            .where(
                records.c.source == self.report.source,
                records.c.reference == _PART.c.reference,
                records.c.item_code == _PART.c.item_code,
                records.c.batch_id != self.report.batch_id,
            )
            .limit(1)
            .scalar_subquery()
        )
        each = select(_PART.c.reference, _PART.c.item_code, found.label("record_id")).subquery()
        recorded = self.conn.execute(
            select(each.c.reference, each.c.item_code, each.c.record_id).where(
                each.c.record_id.is_not(None)
            )
        ).all()
        batch_of = dict(
            self.conn.execute(
                select(records.c.id, records.c.batch_id).where(
                    records.c.id.in_([r.record_id for r in recorded])
                )
            ).all()
        )
        existing = {(r, i): (int(id_), int(batch_of[id_])) for r, i, id_ in recorded}
        kept = self.conn.execute(
            select(_KEPT.c.reference, _KEPT.c.item_code, _KEPT.c.row_number).join(
                _PART,
                and_(
                    _PART.c.reference == _KEPT.c.reference,
                    _PART.c.item_code == _KEPT.c.item_code,
                ),
            )
        )
        return existing, {(r, i): int(n) for r, i, n in kept}

    def remember(self, keys: dict[tuple[str, str], int]) -> None:
        """Keep ``keys`` (key -> the row that first sent it) for the parts still to come."""
        if keys:
            self._start()
            self.db.bulk_insert(
                self.conn,
                _KEPT,
                [{"reference": r, "item_code": i, "row_number": n} for (r, i), n in keys.items()],
            )

    def close(self) -> None:
        if self.open:
            for table in (_PART, _KEPT):
                self._empty(table)
            self.open = False

    def _empty(self, table: Table) -> None:
        # PostgreSQL keeps a deleted row until a vacuum, which never comes to a temporary
        # table: each part would scan the dead rows of every part before it
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text(f"TRUNCATE {table.name}"))
        else:
            self.conn.execute(delete(table))


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """The refused row as sent, in JSON every engine keeps (non-finite numbers as text)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        key = visible(str(key))
        if isinstance(value, datetime | date):
            out[key] = value.isoformat()
        elif isinstance(value, str):
            out[key] = visible(value)
        elif isinstance(value, float) and not math.isfinite(value):
            out[key] = str(value)
        elif value is None or isinstance(value, int | float | bool):
            out[key] = value
        else:
            out[key] = json.loads(json.dumps(value, default=str).replace("\\u0000", "\\\\x00"))
    return out
