"""Scheme reviews: a version submitted for approval with its own cases' result and its impact
report, approved (and so published) only by a person other than the one who submitted it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "scheme_reviews",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("scheme_id", sa.String(64), nullable=False),
        sa.Column("scheme_version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, comment="the file submitted"),
        sa.Column("against", sa.String(80), comment="the version its impact is measured against"),
        sa.Column("as_of", sa.Date, nullable=False, comment="the day the impact was measured on"),
        sa.Column("cases_passed", sa.Integer, nullable=False),
        sa.Column("cases_total", sa.Integer, nullable=False),
        sa.Column("impact", Json, nullable=False, comment="the impact report, as reported"),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("submitted_at", _AT, nullable=False),
        sa.Column(
            "state", sa.String(16), nullable=False, comment="submitted, approved, superseded"
        ),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", _AT),
    )
    op.create_index("ix_scheme_reviews_scheme", "scheme_reviews", ["scheme_id", "scheme_version"])


def downgrade() -> None:
    op.drop_index("ix_scheme_reviews_scheme", "scheme_reviews")
    op.drop_table("scheme_reviews")
