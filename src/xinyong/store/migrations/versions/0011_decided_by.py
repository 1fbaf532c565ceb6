"""Each stored result says how its grade was reached: by the score's band, by an override that
forced it, by a bar that held it down, or as a new subject. A scheme that composes published
grades reads it ("graded D directly by a province" is an override's D, not a band's); results
stored before this revision have none.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation_results") as table:
        table.add_column(
            sa.Column(
                "decided_by",
                sa.String(12),
                nullable=True,
                comment="band, override, bar or new_subject: what set the grade",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluation_results") as table:
        table.drop_column("decided_by")
