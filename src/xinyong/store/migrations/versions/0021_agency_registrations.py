"""Registrations of credit-rating agencies: regulator, licence, business scope, the catalog
items the agency may read, validity and suspension.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agency_registrations",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subject_id", Id, sa.ForeignKey("subjects.id"), nullable=False, unique=True),
        sa.Column("regulator", sa.String(100), nullable=False),
        sa.Column("licence", sa.String(60), nullable=False, unique=True),
        sa.Column("business_scope", sa.String(200), nullable=False),
        sa.Column("items", Json, nullable=False, comment="the catalog items it may read"),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="active or suspended"),
        sa.Column("status_reason", sa.String(500)),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("changed_at", _AT, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agency_registrations")
