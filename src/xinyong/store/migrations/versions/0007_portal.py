"""What the portal needs: the name index that search looks up (filled here for the subjects
already registered) and the register of issued credit reports, which verification checks.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "name_grams",
        sa.Column(
            "gram",
            sa.String(length=8),
            nullable=False,
            comment="two characters of a normalised name",
        ),
        sa.Column("subject_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_name_grams_subject_id_subjects"
        ),
        sa.PrimaryKeyConstraint("gram", "subject_id", name="pk_name_grams"),
        comment="the search index: every two-character piece of every name a subject has had",
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reports",
        sa.Column(
            "id",
            sa.String(length=32),
            nullable=False,
            comment="printed on the report, e.g. R20261123-…",
        ),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False, comment="public or full"),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column(
            "content",
            sa.Text(),
            nullable=False,
            comment="the canonical JSON the hash is taken over",
        ),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "pdf",
            sa.LargeBinary(),
            comment="the PDF as issued, kept so it can be served again",
        ),
        sa.Column("pdf_sha256", sa.String(length=64)),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_reports_subject_id_subjects"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    op.create_index("ix_reports_subject_id", "reports", ["subject_id"])
    op.create_index("ix_reports_pdf_sha256", "reports", ["pdf_sha256"])
    # Index the names of the subjects registered before this migration.
    from xinyong.registry.name_index import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("name_grams")
