"""Shadow runs (migration 0018): a scheme version evaluated for a set period before it is
approved, its results kept apart from every run that checks, profiles, listings, reports and
other schemes read. Nothing outside :mod:`xinyong.evaluation.shadows` reads these tables, so a
version in shadow cannot reach a decision about anyone."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from xinyong.store.tables.base import Id, metadata

scheme_shadows = Table(
    "scheme_shadows",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("scheme_id", String(64), nullable=False),
    Column("scheme_version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, comment="the file put in shadow"),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False, comment="the last day it is evaluated"),
    Column("reason", String(500), nullable=False),
    Column("started_by", String(100), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("stopped_on", Date, comment="set when stopped before its end"),
    Column("stopped_by", String(100)),
)
Index("ix_scheme_shadows_scheme", scheme_shadows.c.scheme_id, scheme_shadows.c.scheme_version)

shadow_runs = Table(
    "shadow_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("shadow_id", Id, ForeignKey("scheme_shadows.id"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column(
        "baseline_run_id",
        Id,
        ForeignKey("evaluation_runs.id"),
        comment="the full run of the version in force that day, compared with this one",
    ),
    Column("subjects", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("shadow_id", "as_of", name="uq_shadow_runs_day"),
)

shadow_results = Table(
    "shadow_results",
    metadata,
    Column("run_id", Id, ForeignKey("shadow_runs.id"), primary_key=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), primary_key=True),
    Column("score", Float, nullable=False),
    Column("grade", String(8)),
    Column("lists", String(500), nullable=False, comment="space-separated list ids"),
    Column("decided_by", String(12)),
)
