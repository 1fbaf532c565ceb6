"""Foundation: subjects, names, batches, records, record events, quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(18), nullable=False, comment="normalised USCC or resident ID"),
        sa.Column("id_scheme", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(6)),
        sa.Column("industry_code", sa.String(8)),
        sa.Column("registered_on", sa.Date),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column(
            "source", sa.String(100), nullable=False, comment="who first registered the subject"
        ),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subjects"),
        sa.UniqueConstraint("code", name="uq_subjects_code"),
    )
    op.create_index("ix_subjects_region_code", "subjects", ["region_code"])
    op.create_index("ix_subjects_industry_code", "subjects", ["industry_code"])

    op.create_table(
        "subject_names",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="alias or former"),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subject_names"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_subject_names_subject_id_subjects"
        ),
        sa.UniqueConstraint(
            "subject_id", "name", "kind", name="uq_subject_names_subject_id_name_kind"
        ),
    )
    op.create_index("ix_subject_names_name", "subject_names", ["name"])

    op.create_table(
        "batches",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(100), nullable=False, comment="submitting department"),
        sa.Column("batch_key", sa.String(200), nullable=False, comment="the department's batch id"),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(500)),
        sa.Column("file_format", sa.String(16), nullable=False),
        sa.Column("encoding", sa.String(32)),
        sa.Column("received_at", Stamp, nullable=False),
        sa.Column("rows_total", sa.Integer, nullable=False),
        sa.Column("rows_accepted", sa.Integer, nullable=False),
        sa.Column("rows_quarantined", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_batches"),
        sa.UniqueConstraint("source", "batch_key", name="uq_batches_source_batch_key"),
    )

    op.create_table(
        "records",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.Column(
            "severity",
            sa.SmallInteger,
            comment="1 minor, 2 general, 3 serious; negative items only",
        ),
        sa.Column("reference", sa.String(200), comment="the department's decision number"),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("batch_id", Id, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("attributes", Json, nullable=False),
        sa.Column("warnings", Json),
        sa.Column("supersedes_id", Id, comment="set on a correction"),
        sa.Column("recorded_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name="fk_records_subject_id_subjects"
        ),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_records_batch_id_batches"),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["records.id"], name="fk_records_supersedes_id_records"
        ),
    )
    op.create_index("ix_records_subject_id_decided_on", "records", ["subject_id", "decided_on"])
    op.create_index("ix_records_item_code_decided_on", "records", ["item_code", "decided_on"])
    op.create_index("ix_records_source_reference", "records", ["source", "reference"])
    op.create_index("ix_records_supersedes_id", "records", ["supersedes_id"])

    op.create_table(
        "record_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("record_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="revocation or repair"),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("batch_id", Id, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("recorded_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record_events"),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name="fk_record_events_record_id_records"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_record_events_batch_id_batches"
        ),
    )
    op.create_index("ix_record_events_record_id", "record_events", ["record_id"])

    op.create_table(
        "quarantine",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("batch_id", Id, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("field", sa.String(100)),
        sa.Column("value", sa.Text),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("raw", Json, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_quarantine_batch_id_batches"
        ),
    )
    op.create_index("ix_quarantine_batch_id", "quarantine", ["batch_id"])


def downgrade() -> None:
    for table in ("quarantine", "record_events", "records", "batches", "subject_names", "subjects"):
        op.drop_table(table)
