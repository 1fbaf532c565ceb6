"""Runs of a scheme version that was not in force on their as-of date are kept as ``trial``
runs, apart from what checks, files and listings read: the kind column says so.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_OLD = "full or incremental"
_NEW = "full, incremental, or trial (a version not in force on as_of)"


def _comment(text: str, before: str) -> None:
    if op.get_bind().dialect.name == "sqlite":  # SQLite keeps no column comments
        return
    op.alter_column(
        "evaluation_runs",
        "kind",
        existing_type=sa.String(16),
        existing_nullable=False,
        comment=text,
        existing_comment=before,
    )


def upgrade() -> None:
    _comment(_NEW, _OLD)


def downgrade() -> None:
    _comment(_OLD, _NEW)
