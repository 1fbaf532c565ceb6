"""Where a record was decided: the region (GB/T 2260) of the deciding authority, sent with the
record or read from the authority's USCC. A scheme of one region may include subjects
registered elsewhere through the records decided there. Records stored before this revision
have none.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as table:
        table.add_column(
            sa.Column(
                "decided_in",
                sa.String(6),
                nullable=True,
                comment="the deciding authority's region (GB/T 2260)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("records") as table:
        table.drop_column("decided_in")
