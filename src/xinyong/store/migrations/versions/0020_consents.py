"""Consents and consent checks: a worker's consent to one employer's check for one service
category, limited in time and revocable, and every check asked under it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "worker_id", Id, sa.ForeignKey("subjects.id"), nullable=False, comment="who consents"
        ),
        sa.Column(
            "employer_id",
            Id,
            sa.ForeignKey("subjects.id"),
            nullable=False,
            comment="who may check",
        ),
        sa.Column("category_set", sa.String(40), nullable=False, comment="data/services/*.yaml"),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column(
            "valid_until", sa.Date, nullable=False, comment="the last day a check may be made"
        ),
        sa.Column("granted_at", _AT, nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", _AT),
        sa.Column("revoked_by", sa.String(100)),
    )
    op.create_index("ix_consents_worker", "consents", ["worker_id"])
    op.create_index("ix_consents_employer", "consents", ["employer_id"])
    op.create_table(
        "consent_checks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("worker_id", Id, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("employer_id", Id, sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("at", sa.Date, nullable=False),
        sa.Column("asked_at", _AT, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False, comment="answered or refused"),
        sa.Column("refusal", sa.String(200), comment="why no answer was given"),
        sa.Column("consent_ids", Json, nullable=False, comment="the consents the answer stood on"),
        sa.Column("answer", Json, comment="pass or flag per category, with the reasons' kinds"),
        sa.Column(
            "run_id",
            Id,
            sa.ForeignKey("evaluation_runs.id"),
            comment="the evaluation it read",
        ),
    )
    op.create_index("ix_consent_checks_worker", "consent_checks", ["worker_id"])
    op.create_index("ix_consent_checks_employer", "consent_checks", ["employer_id"])


def downgrade() -> None:
    op.drop_index("ix_consent_checks_employer", "consent_checks")
    op.drop_index("ix_consent_checks_worker", "consent_checks")
    op.drop_table("consent_checks")
    op.drop_index("ix_consents_employer", "consents")
    op.drop_index("ix_consents_worker", "consents")
    op.drop_table("consents")
