"""Consents and the checks made under them (migration 0020): a worker lets one employer check
it for one service category until a day, and may withdraw that at any time; each check the
employer asks, answered or refused, is a row here, and an answered one is a read in the
worker's access log too."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, String, Table

from xinyong.store.tables.base import Id, Json, metadata

consents = Table(
    "consents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("worker_id", Id, ForeignKey("subjects.id"), nullable=False, comment="who consents"),
    Column("employer_id", Id, ForeignKey("subjects.id"), nullable=False, comment="who may check"),
    Column("category_set", String(40), nullable=False, comment="data/services/*.yaml"),
    Column("category", String(40), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False, comment="the last day a check may be made"),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Column("granted_by", String(100), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(100)),
)
Index("ix_consents_worker", consents.c.worker_id)
Index("ix_consents_employer", consents.c.employer_id)

consent_checks = Table(
    "consent_checks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reference", String(40), nullable=False, unique=True),
    Column("worker_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("employer_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("at", Date, nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("outcome", String(16), nullable=False, comment="answered or refused"),
    Column("refusal", String(200), comment="why no answer was given"),
    Column("consent_ids", Json, nullable=False, comment="the consents the answer stood on"),
    Column("answer", Json, comment="pass or flag per category, with the reasons' kinds"),
    Column("run_id", Id, ForeignKey("evaluation_runs.id"), comment="the evaluation it read"),
)
Index("ix_consent_checks_worker", consent_checks.c.worker_id)
Index("ix_consent_checks_employer", consent_checks.c.employer_id)
