"""Due process: listings and their events, cases and their timelines, subject tags, leniency
grants, the notification outbox, the check log and operator-loaded calendar days.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
Stamp = sa.DateTime(timezone=True)

TABLES = (
    "leniency_grants",
    "case_events",
    "listing_records",
    "listing_events",
    "cases",
    "subject_tags",
    "outbox",
    "listings",
    "checks",
    "calendar_days",
)


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    op.create_table(
        "checks",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("answer", Json, nullable=False),
        sa.Column("asked_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_checks_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
        sa.UniqueConstraint("reference", name=op.f("uq_checks_reference")),
    )
    op.create_index(op.f("ix_checks_subject_id"), "checks", ["subject_id"], unique=False)
    op.create_table(
        "listings",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("scheme_id", sa.String(length=64), nullable=False),
        sa.Column("scheme_version", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.String(length=64), nullable=False),
        sa.Column(
            "list_kind",
            sa.String(length=16),
            nullable=False,
            comment="blacklist, key_attention, redlist",
        ),
        sa.Column("run_id", Id, nullable=True),
        sa.Column("period", sa.String(length=8), nullable=False, comment="listing period, e.g. 1Y"),
        sa.Column(
            "notice_period",
            sa.String(length=8),
            nullable=False,
            comment="objection window, e.g. 10D",
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("objection_deadline", sa.Date(), nullable=True),
        sa.Column("signed_off_on", sa.Date(), nullable=True),
        sa.Column("signed_off_by", sa.String(length=100), nullable=True),
        sa.Column("listed_from", sa.Date(), nullable=True),
        sa.Column("listed_until", sa.Date(), nullable=True),
        sa.Column("exited_on", sa.Date(), nullable=True),
        sa.Column("exit_reason", sa.String(length=16), nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.CheckConstraint(
            "listed_from IS NULL OR (notified_on IS NOT NULL AND objection_deadline IS NOT NULL AND signed_off_by IS NOT NULL AND signed_off_on >= objection_deadline AND listed_from >= signed_off_on)",
            name="due_process",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["evaluation_runs.id"], name=op.f("fk_listings_run_id_evaluation_runs")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_listings_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
    )
    op.create_index(op.f("ix_listings_state"), "listings", ["state"], unique=False)
    op.create_index(op.f("ix_listings_subject_id"), "listings", ["subject_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("delivered_at", Stamp, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_outbox_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_delivered_at"), "outbox", ["delivered_at"], unique=False)
    op.create_table(
        "subject_tags",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column(
            "tag",
            sa.String(length=64),
            nullable=False,
            comment="e.g. epidemic_affected, size:small",
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_subject_tags_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_tags")),
    )
    op.create_index(
        op.f("ix_subject_tags_subject_id"), "subject_tags", ["subject_id"], unique=False
    )
    op.create_table(
        "cases",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column(
            "kind", sa.String(length=16), nullable=False, comment="objection, repair or leniency"
        ),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column("record_id", Id, nullable=True),
        sa.Column("listing_id", Id, nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column(
            "state", sa.String(length=16), nullable=False, comment="open, decided or withdrawn"
        ),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("details", Json, nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_cases_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_cases_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_cases_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_record_id"), "cases", ["record_id"], unique=False)
    op.create_index(op.f("ix_cases_state_deadline"), "cases", ["state", "deadline"], unique=False)
    op.create_index(op.f("ix_cases_subject_id"), "cases", ["subject_id"], unique=False)
    op.create_table(
        "listing_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("listing_id", Id, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state_after", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", Json, nullable=True),
        sa.Column("recorded_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_events_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_events")),
        sa.UniqueConstraint("listing_id", "seq", name=op.f("uq_listing_events_listing_id_seq")),
    )
    op.create_table(
        "listing_records",
        sa.Column("listing_id", Id, nullable=False),
        sa.Column("record_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_records_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_listing_records_record_id_records")
        ),
        sa.PrimaryKeyConstraint("listing_id", "record_id", name=op.f("pk_listing_records")),
    )
    op.create_index(
        op.f("ix_listing_records_record_id"), "listing_records", ["record_id"], unique=False
    )
    op.create_table(
        "case_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("case_id", Id, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", Json, nullable=True),
        sa.Column("recorded_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_case_events_case_id_seq")),
    )
    op.create_table(
        "leniency_grants",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("policy_id", sa.String(length=64), nullable=False),
        sa.Column("subject_id", Id, nullable=False),
        sa.Column(
            "grace", sa.String(length=8), nullable=True, comment="the grace period granted, e.g. 2M"
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("case_id", Id, nullable=True),
        sa.Column("created_at", Stamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_leniency_grants_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_leniency_grants_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leniency_grants")),
    )
    op.create_index(
        op.f("ix_leniency_grants_subject_id"), "leniency_grants", ["subject_id"], unique=False
    )


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
