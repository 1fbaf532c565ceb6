"""The tables of the records: subjects and their names and changes, batches, records and
their events, the quarantine, the name-search index, and evaluation runs
with their results.

Records, record events, subject names, subject changes and quarantine rows are append-only. Two
rows are updated, each with its history kept: a subject row holds the subject's current state,
and every change to it is also a ``subject_changes`` row; a batch row's counters are set inside
the transaction that writes the batch.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from xinyong.store.tables.base import Id, Json, metadata

subjects = Table(
    "subjects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "code", String(18), nullable=False, unique=True, comment="normalised USCC or resident ID"
    ),
    Column("id_scheme", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("region_code", String(6)),
    Column("industry_code", String(8)),
    Column("registered_on", Date),
    Column("status", String(16), nullable=False, server_default="active"),
    Column(
        "legal_representative",
        String(100),
        comment="法定代表人 (or 负责人) as the registration authority publishes it",
    ),
    Column(  # 0017
        "size_band",
        String(8),
        comment="large, medium, small or micro (工信部联企业〔2011〕300号), as the source sends it",
    ),
    Column("registration_number", String(15), comment="工商注册号, before the USCC"),  # 0019
    Column("source", String(100), nullable=False, comment="who first registered the subject"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(None, subjects.c.region_code)
Index(None, subjects.c.industry_code)

subject_names = Table(
    "subject_names",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False, comment="alias or former"),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("source", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subject_id", "name", "kind"),
)
Index(None, subject_names.c.name)

subject_changes = Table(
    "subject_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("field", String(32), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("source", String(100), nullable=False),
    Column("batch_id", Id, ForeignKey("batches.id")),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
Index(None, subject_changes.c.subject_id)

batches = Table(
    "batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(100), nullable=False, comment="submitting department"),
    Column("batch_key", String(200), nullable=False, comment="the department's batch id"),
    Column("content_sha256", String(64), nullable=False),
    Column("file_name", String(500)),
    Column("file_format", String(16), nullable=False),
    Column("encoding", String(32)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("rows_total", Integer, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_quarantined", Integer, nullable=False),
    Column("warnings", Integer, nullable=False, server_default="0"),
    Column("profile", String(64), comment="the column profile"),  # 0019
    UniqueConstraint("source", "batch_key"),
)

records = Table(
    "records",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("item_code", String(64), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("severity", SmallInteger, comment="1 minor, 2 general, 3 serious; negative items only"),
    Column("reference", String(200), comment="the department's decision number"),
    Column("source", String(100), nullable=False),
    Column("decided_in", String(6), comment="the deciding authority's region (GB/T 2260)"),
    Column("batch_id", Id, ForeignKey("batches.id"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("attributes", Json, nullable=False),
    Column("warnings", Json),
    Column("supersedes_id", Id, ForeignKey("records.id"), comment="set on a correction"),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index(None, records.c.subject_id, records.c.decided_on)
Index(None, records.c.item_code, records.c.decided_on)
Index(None, records.c.source, records.c.reference)
Index(None, records.c.supersedes_id)
Index("ix_records_batch_id", records.c.batch_id, records.c.row_number)  # 0015
_CORRECTION = text("supersedes_id IS NOT NULL")
Index(
    "uq_records_corrected_once",
    records.c.supersedes_id,
    unique=True,
    sqlite_where=_CORRECTION,
    postgresql_where=_CORRECTION,
)
# A department's decision number is recorded once per item and subject (migration 0008);
# corrections carry it again and supersede. (One evaluation run's published grades share one.)
_NEW_RECORD = text("supersedes_id IS NULL AND reference IS NOT NULL")
Index(
    "uq_records_decision_number",
    records.c.source,
    records.c.reference,
    records.c.item_code,
    records.c.subject_id,
    unique=True,
    sqlite_where=_NEW_RECORD,
    postgresql_where=_NEW_RECORD,
)

record_events = Table(
    "record_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("record_id", Id, ForeignKey("records.id"), nullable=False),
    Column("kind", String(16), nullable=False, comment="revocation or repair"),
    Column("effective_on", Date, nullable=False),
    Column("reason", Text),
    Column("source", String(100), nullable=False),
    Column("batch_id", Id, ForeignKey("batches.id"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index(None, record_events.c.record_id)
Index("ix_record_events_batch_id", record_events.c.batch_id)  # 0015
Index("uq_record_events_once", record_events.c.record_id, record_events.c.kind, unique=True)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Id, ForeignKey("batches.id"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("field", String(100)),
    Column("value", Text),
    Column("message", Text, nullable=False),
    Column("raw", Json, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(None, quarantine.c.batch_id)

evaluation_runs = Table(
    "evaluation_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("scheme_id", String(64), nullable=False),
    Column("scheme_version", Integer, nullable=False),
    Column("scheme_sha256", String(64), nullable=False, comment="of the scheme file"),
    Column("as_of", Date, nullable=False),
    Column(
        "kind",
        String(16),
        nullable=False,
        comment="full, incremental, or trial (a version not in force on as_of)",
    ),
    Column("subjects", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)
Index(None, evaluation_runs.c.scheme_id, evaluation_runs.c.as_of)

evaluation_results = Table(
    "evaluation_results",
    metadata,
    Column("run_id", Id, ForeignKey("evaluation_runs.id"), primary_key=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), primary_key=True),
    Column("score", Float, nullable=False),
    Column("grade", String(8)),
    Column("lists", String(500), nullable=False, comment="space-separated list ids"),
    Column(
        "decided_by",
        String(12),
        comment="band, override, bar or new_subject: what set the grade",
    ),
)
Index(None, evaluation_results.c.subject_id)

name_grams = Table(
    "name_grams",
    metadata,
    Column("gram", String(8), primary_key=True, comment="two characters of a normalised name"),
    Column("subject_id", Id, ForeignKey("subjects.id"), primary_key=True),
    sqlite_with_rowid=False,
    comment="the search index: every two-character piece of every name a subject has had",
)
