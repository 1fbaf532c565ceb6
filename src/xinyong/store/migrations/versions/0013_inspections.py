"""Double random, one open: the inspector pool and declared relations, the draws (inputs,
commitment, seed, result) and their targets.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inspectors",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(32), nullable=False, comment="law-enforcement badge no."),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("department", sa.String(100), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("qualifications", Json, nullable=False),
        sa.Column("active_from", sa.Date, nullable=False),
        sa.Column("active_to", sa.Date, comment="left the pool on (none: still in it)"),
        sa.Column("created_at", _AT, nullable=False),
        sa.UniqueConstraint("code", name="uq_inspectors_code"),
    )
    op.create_table(
        "inspector_relations",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("inspector_id", Id, sa.ForeignKey("inspectors.id"), nullable=False),
        sa.Column("subject_code", sa.String(18), nullable=False),
        sa.Column(
            "kind", sa.String(16), nullable=False, comment="relative, household, former_employer…"
        ),
        sa.Column("declared_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date),
        sa.Column("created_at", _AT, nullable=False),
        sa.UniqueConstraint(
            "inspector_id",
            "subject_code",
            "kind",
            "declared_on",
            name="uq_inspector_relations_declared",
        ),
    )
    op.create_index("ix_inspector_relations_inspector_id", "inspector_relations", ["inspector_id"])
    op.create_table(
        "inspection_draws",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("plan_version", sa.Integer, nullable=False),
        sa.Column("plan_sha256", sa.String(64), nullable=False),
        sa.Column(
            "draw_date", sa.Date, nullable=False, comment="the roster and pool are as of this day"
        ),
        sa.Column("state", sa.String(16), nullable=False, comment="committed, drawn"),
        sa.Column(
            "inputs", sa.Text, nullable=False, comment="the canonical JSON the commitment hashes"
        ),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("committed_at", _AT, nullable=False),
        sa.Column("committed_by", sa.String(100), nullable=False),
        sa.Column("seed_value", sa.String(200)),
        sa.Column("seed_source", sa.Text),
        sa.Column("seeded_at", _AT),
        sa.Column("seeded_by", sa.String(100)),
        sa.Column("result", sa.Text, comment="the canonical JSON of the draw's result"),
        sa.Column("result_sha256", sa.String(64)),
        sa.Column("due_on", sa.Date, comment="results are due by this day"),
        sa.UniqueConstraint("commitment", name="uq_inspection_draws_commitment"),
        sa.UniqueConstraint("plan_id", "draw_date", name="uq_inspection_draws_plan_id_draw_date"),
    )
    op.create_table(
        "inspection_targets",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("draw_id", Id, sa.ForeignKey("inspection_draws.id"), nullable=False),
        sa.Column("subject_id", Id, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("risk_class", sa.String(16), nullable=False),
        sa.Column("why", sa.String(8), nullable=False, comment="always, drawn or floor"),
        sa.Column("inspectors", Json, nullable=False),
        sa.Column(
            "unassigned", sa.Text, comment="why it has fewer inspectors than the plan requires"
        ),
        sa.Column(
            "case_id",
            Id,
            sa.ForeignKey("cases.id"),
            comment="the inspection's case (its deadline)",
        ),
        sa.Column("record_id", Id, sa.ForeignKey("records.id"), comment="the result, once entered"),
        sa.UniqueConstraint(
            "draw_id", "subject_id", name="uq_inspection_targets_draw_id_subject_id"
        ),
    )
    op.create_index("ix_inspection_targets_subject_id", "inspection_targets", ["subject_id"])


def downgrade() -> None:
    op.drop_table("inspection_targets")
    op.drop_table("inspection_draws")
    op.drop_table("inspector_relations")
    op.drop_table("inspectors")
