"""A subject's size band: large, medium, small or micro, as the statistics office classifies
enterprises (工信部联企业〔2011〕300号) and the source sends it; a dimension of a scheme's
impact report.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite takes it as is): rebuilding the table, as a batch does, would
    # drop a table that every record and listing refers to
    op.add_column(
        "subjects",
        sa.Column(
            "size_band",
            sa.String(8),
            comment="large, medium, small or micro (工信部联企业〔2011〕300号), as the source "
            "sends it",
        ),
    )


def downgrade() -> None:
    op.drop_column("subjects", "size_band")  # SQLite 3.35 and later drop a column in place
