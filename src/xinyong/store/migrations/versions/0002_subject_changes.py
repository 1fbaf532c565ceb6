"""Subject changes: every change to a subject's registry entry, with who made it and when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "subject_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("batch_id", Id),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subject_changes"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_subject_changes_subject_id_subjects"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_subject_changes_batch_id_batches"
        ),
    )
    op.create_index("ix_subject_changes_subject_id", "subject_changes", ["subject_id"])


def downgrade() -> None:
    op.drop_table("subject_changes")
