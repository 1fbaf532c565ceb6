"""The legal representative of an organisation (法定代表人, or 负责人 of a branch or other
organisation), as the registration authority publishes it beside the name, status and date of
establishment. Individuals have none; their column stays empty.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(
            sa.Column(
                "legal_representative",
                sa.String(100),
                comment="法定代表人 (or 负责人) as the registration authority publishes it",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("legal_representative")
