"""Evaluation runs and their per-subject results (append-only).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evaluation_runs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("scheme_id", sa.String(64), nullable=False),
        sa.Column("scheme_version", sa.Integer, nullable=False),
        sa.Column("scheme_sha256", sa.String(64), nullable=False, comment="of the scheme file"),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="full or incremental"),
        sa.Column("subjects", sa.Integer, nullable=False),
        sa.Column("started_at", Stamp, nullable=False),
        sa.Column("finished_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation_runs"),
    )
    op.create_index("ix_evaluation_runs_scheme_id_as_of", "evaluation_runs", ["scheme_id", "as_of"])
    op.create_table(
        "evaluation_results",
        sa.Column("run_id", Id, nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("grade", sa.String(8)),
        sa.Column("lists", sa.String(500), nullable=False, comment="space-separated list ids"),
        sa.PrimaryKeyConstraint("run_id", "subject_id", name="pk_evaluation_results"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_runs.id"], name="fk_evaluation_results_run_id_evaluation_runs"
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_evaluation_results_subject_id_subjects"
        ),
    )
    op.create_index("ix_evaluation_results_subject_id", "evaluation_results", ["subject_id"])


def downgrade() -> None:
    op.drop_table("evaluation_results")
    op.drop_table("evaluation_runs")
