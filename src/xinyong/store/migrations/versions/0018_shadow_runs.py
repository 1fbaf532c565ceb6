"""Shadow runs: a scheme version evaluated for a set period before approval, its results in
tables of their own that no check, profile, listing, report or other scheme reads.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scheme_shadows",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("scheme_id", sa.String(64), nullable=False),
        sa.Column("scheme_version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, comment="the file put in shadow"),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False, comment="the last day it is evaluated"),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("started_at", _AT, nullable=False),
        sa.Column("stopped_on", sa.Date, comment="set when stopped before its end"),
        sa.Column("stopped_by", sa.String(100)),
    )
    op.create_index("ix_scheme_shadows_scheme", "scheme_shadows", ["scheme_id", "scheme_version"])
    op.create_table(
        "shadow_runs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("shadow_id", Id, sa.ForeignKey("scheme_shadows.id"), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column(
            "baseline_run_id",
            Id,
            sa.ForeignKey("evaluation_runs.id"),
            comment="the full run of the version in force that day, compared with this one",
        ),
        sa.Column("subjects", sa.Integer, nullable=False),
        sa.Column("started_at", _AT, nullable=False),
        sa.Column("finished_at", _AT, nullable=False),
        sa.UniqueConstraint("shadow_id", "as_of", name="uq_shadow_runs_day"),
    )
    op.create_table(
        "shadow_results",
        sa.Column("run_id", Id, sa.ForeignKey("shadow_runs.id"), primary_key=True),
        sa.Column("subject_id", Id, sa.ForeignKey("subjects.id"), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("grade", sa.String(8)),
        sa.Column("lists", sa.String(500), nullable=False, comment="space-separated list ids"),
        sa.Column("decided_by", sa.String(12)),
    )


def downgrade() -> None:
    op.drop_table("shadow_results")
    op.drop_table("shadow_runs")
    op.drop_index("ix_scheme_shadows_scheme", "scheme_shadows")
    op.drop_table("scheme_shadows")
