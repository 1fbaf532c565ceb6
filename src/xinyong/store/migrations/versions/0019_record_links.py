"""Record linkage: proposed links of quarantined rows to subjects, each with its explanation
and decision; the column profile a batch was read with (to read a refused row again as it
was read); a firm's old registration number (工商注册号), which records of old files carry.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("batches", sa.Column("profile", sa.String(64), comment="the column profile"))
    op.add_column(
        "subjects",
        sa.Column("registration_number", sa.String(15), comment="工商注册号, before the USCC"),
    )
    op.create_table(
        "record_links",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "quarantine_id",
            Id,
            sa.ForeignKey("quarantine.id"),
            nullable=False,
            unique=True,
            comment="the refused row; proposed once",
        ),
        sa.Column("case_id", Id, sa.ForeignKey("cases.id"), nullable=False, unique=True),
        sa.Column("subject_id", Id, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("weight", sa.Float, nullable=False, comment="log2 of the match's Bayes factor"),
        sa.Column(
            "explanation", Json, nullable=False, comment="each comparison's level and weight"
        ),
        sa.Column(
            "model", Json, nullable=False, comment="the trained prior and levels, the threshold"
        ),
        sa.Column("state", sa.String(16), nullable=False, comment="proposed, accepted or rejected"),
        sa.Column("record_id", Id, sa.ForeignKey("records.id"), comment="written on acceptance"),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", _AT),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_index("ix_record_links_record", "record_links", ["record_id"])
    op.create_index("ix_record_links_state", "record_links", ["state"])


def downgrade() -> None:
    op.drop_index("ix_record_links_state", "record_links")
    op.drop_index("ix_record_links_record", "record_links")
    op.drop_table("record_links")
    op.drop_column("subjects", "registration_number")
    op.drop_column("batches", "profile")
