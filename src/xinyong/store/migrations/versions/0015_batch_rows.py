"""A batch's rows found by the batch: the records and record events a batch stored, looked up
by their batch (its seal, the subjects it touched, its page) without reading every record.
Without these, a one-row batch read the whole records table three times.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_batch_id", "records", ["batch_id", "row_number"])
    op.create_index("ix_record_events_batch_id", "record_events", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_record_events_batch_id", "record_events")
    op.drop_index("ix_records_batch_id", "records")
