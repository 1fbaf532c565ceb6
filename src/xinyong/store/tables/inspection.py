"""The tables of "double random, one open" inspections (migration 0013): the inspector pool
and the relations inspectors declare, the draws with their published inputs, commitments,
seeds and results, and each draw's targets."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xinyong.store.tables.base import Id, Json, metadata

inspectors = Table(
    "inspectors",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True, comment="law-enforcement badge no."),
    Column("name", String(100), nullable=False),
    Column("department", String(100), nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("qualifications", Json, nullable=False),
    Column("active_from", Date, nullable=False),
    Column("active_to", Date, comment="left the pool on (none: still in it)"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

inspector_relations = Table(
    "inspector_relations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("inspector_id", Id, ForeignKey("inspectors.id"), nullable=False),
    Column("subject_code", String(18), nullable=False),
    Column("kind", String(16), nullable=False, comment="relative, household, former_employer…"),
    Column("declared_on", Date, nullable=False),
    Column("ended_on", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "inspector_id",
        "subject_code",
        "kind",
        "declared_on",
        name="uq_inspector_relations_declared",
    ),
)
Index(None, inspector_relations.c.inspector_id)

inspection_draws = Table(
    "inspection_draws",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("plan_id", String(64), nullable=False),
    Column("plan_version", Integer, nullable=False),
    Column("plan_sha256", String(64), nullable=False),
    Column("draw_date", Date, nullable=False, comment="the roster and pool are as of this day"),
    Column("state", String(16), nullable=False, comment="committed, drawn"),
    Column("inputs", Text, nullable=False, comment="the canonical JSON the commitment hashes"),
    Column("roster_size", Integer, nullable=False, comment="subjects on the roster (0014)"),
    Column("pool_size", Integer, nullable=False, comment="inspectors in the pool (0014)"),
    Column("commitment", String(64), nullable=False, unique=True),
    Column("committed_at", DateTime(timezone=True), nullable=False),
    Column("committed_by", String(100), nullable=False),
    Column("seed_value", String(200)),
    Column("seed_source", Text),
    Column("seeded_at", DateTime(timezone=True)),
    Column("seeded_by", String(100)),
    Column("result", Text, comment="the canonical JSON of the draw's result"),
    Column("result_sha256", String(64)),
    Column("due_on", Date, comment="results are due by this day"),
    UniqueConstraint("plan_id", "draw_date"),
)

inspection_targets = Table(
    "inspection_targets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("draw_id", Id, ForeignKey("inspection_draws.id"), nullable=False),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("risk_class", String(16), nullable=False),
    Column("why", String(8), nullable=False, comment="always, drawn or floor"),
    Column("inspectors", Json, nullable=False),
    Column("unassigned", Text, comment="why it has fewer inspectors than the plan requires"),
    Column("case_id", Id, ForeignKey("cases.id"), comment="the inspection's case (its deadline)"),
    Column("record_id", Id, ForeignKey("records.id"), comment="the result, once entered"),
    UniqueConstraint("draw_id", "subject_id"),
)
Index(None, inspection_targets.c.subject_id)
