"""Record linkage (migration 0019): a quarantined row that named its party without a code,
proposed as a subject's record with the match's explanation, and what a person decided. A
proposal is a ``link`` case in the inbox; only its acceptance writes the record, and the
link stays beside the record as its provenance."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, String, Table

from xinyong.store.tables.base import Id, Json, metadata

record_links = Table(
    "record_links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "quarantine_id",
        Id,
        ForeignKey("quarantine.id"),
        nullable=False,
        unique=True,
        comment="the refused row; proposed once",
    ),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, unique=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("probability", Float, nullable=False),
    Column("weight", Float, nullable=False, comment="log2 of the match's Bayes factor"),
    Column("explanation", Json, nullable=False, comment="each comparison's level and weight"),
    Column("model", Json, nullable=False, comment="the trained prior and levels, the threshold"),
    Column("state", String(16), nullable=False, comment="proposed, accepted or rejected"),
    Column("record_id", Id, ForeignKey("records.id"), comment="written on acceptance"),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_record_links_record", record_links.c.record_id)
Index("ix_record_links_state", record_links.c.state)
