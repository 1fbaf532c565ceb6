"""An individual's registration date is its birth date, read from its resident ID: fill it in
for the individuals registered before the registry did so itself. Codes are stored normalised
(18 characters, the birth date in characters 7 to 14), so the date is read in SQL; an
individual whose date is already set keeps it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIRTH = {
    "sqlite": "substr(code, 7, 4) || '-' || substr(code, 11, 2) || '-' || substr(code, 13, 2)",
    "postgresql": "to_date(substr(code, 7, 8), 'YYYYMMDD')",
}


def upgrade() -> None:
    born = BIRTH[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE subjects SET registered_on = {born} "
        "WHERE kind = 'individual' AND id_scheme = 'resident_id' AND registered_on IS NULL "
        "AND length(code) = 18"
    )


def downgrade() -> None:
    """The dates stay: they are facts the resident IDs carry."""
