"""A draw's roster and pool sizes, kept beside its inputs: a list of draws shows them without
reading each draw's published inputs (80 MB at a million subjects). Draws stored before this
revision get them from their inputs.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspection_draws") as table:
        table.add_column(
            sa.Column("roster_size", sa.Integer, comment="subjects on the roster (0014)")
        )
        table.add_column(
            sa.Column("pool_size", sa.Integer, comment="inspectors in the pool (0014)")
        )
    conn = op.get_bind()
    draws = sa.table(
        "inspection_draws",
        sa.column("id"),
        sa.column("inputs"),
        sa.column("roster_size"),
        sa.column("pool_size"),
    )
    for draw_id, text in conn.execute(sa.select(draws.c.id, draws.c.inputs)).all():
        inputs = json.loads(text)
        conn.execute(
            draws.update()
            .where(draws.c.id == draw_id)
            .values(roster_size=len(inputs["roster"]), pool_size=len(inputs["pool"]))
        )
    with op.batch_alter_table("inspection_draws") as table:
        for name, what in (
            ("roster_size", "subjects on the roster"),
            ("pool_size", "inspectors in the pool"),
        ):
            table.alter_column(
                name, existing_type=sa.Integer, nullable=False, comment=f"{what} (0014)"
            )


def downgrade() -> None:
    with op.batch_alter_table("inspection_draws") as table:
        table.drop_column("pool_size")
        table.drop_column("roster_size")
