"""Rules the database itself keeps, so that two writers at once can never both win: one open
objection per record, one decision per case, a department's decision number recorded once per
item and subject, a record corrected once (one newer version) and revoked or repaired once.

A database that already breaks a rule (two open objections to one record, say, from before
the rule) is not changed silently: the migration stops and names the rows to resolve.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPEN_OBJECTION = "kind = 'objection' AND state = 'open' AND record_id IS NOT NULL"
DECISION = "action IN ('decide', 'withdraw')"
NEW_RECORD = "supersedes_id IS NULL AND reference IS NOT NULL"
CORRECTION = "supersedes_id IS NOT NULL"

CHECKS = {
    "two open objections to one record (close one)": (
        f"SELECT record_id, COUNT(*) FROM cases WHERE {OPEN_OBJECTION} "
        "GROUP BY record_id HAVING COUNT(*) > 1"
    ),
    "a case decided twice": (
        f"SELECT case_id, COUNT(*) FROM case_events WHERE {DECISION} "
        "GROUP BY case_id HAVING COUNT(*) > 1"
    ),
    "a decision number recorded twice by one source for one item and subject": (
        f"SELECT source, reference, item_code, subject_id, COUNT(*) FROM records "
        f"WHERE {NEW_RECORD} GROUP BY source, reference, item_code, subject_id HAVING COUNT(*) > 1"
    ),
    "a record corrected twice (two versions in effect)": (
        f"SELECT supersedes_id, COUNT(*) FROM records WHERE {CORRECTION} "
        "GROUP BY supersedes_id HAVING COUNT(*) > 1"
    ),
    "a record revoked or repaired twice": (
        "SELECT record_id, kind, COUNT(*) FROM record_events "
        "GROUP BY record_id, kind HAVING COUNT(*) > 1"
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    problems = []
    for rule, query in CHECKS.items():
        rows = bind.execute(sa.text(query)).all()
        problems += [f"{rule}: {tuple(row)}" for row in rows[:20]]
    if problems:
        raise RuntimeError(
            "the database breaks rules this version enforces; resolve these rows, then run "
            "'xinyong init' again:\n  " + "\n  ".join(problems)
        )
    op.create_index(
        "uq_cases_one_open_objection",
        "cases",
        ["record_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_OBJECTION),
        postgresql_where=sa.text(OPEN_OBJECTION),
    )
    op.create_index(
        "uq_case_events_one_decision",
        "case_events",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text(DECISION),
        postgresql_where=sa.text(DECISION),
    )
    op.create_index(
        "uq_records_decision_number",
        "records",
        ["source", "reference", "item_code", "subject_id"],
        unique=True,
        sqlite_where=sa.text(NEW_RECORD),
        postgresql_where=sa.text(NEW_RECORD),
    )

    op.create_index(
        "uq_records_corrected_once",
        "records",
        ["supersedes_id"],
        unique=True,
        sqlite_where=sa.text(CORRECTION),
        postgresql_where=sa.text(CORRECTION),
    )
    op.create_index("uq_record_events_once", "record_events", ["record_id", "kind"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_record_events_once", table_name="record_events")
    op.drop_index("uq_records_corrected_once", table_name="records")
    op.drop_index("uq_records_decision_number", table_name="records")
    op.drop_index("uq_case_events_one_decision", table_name="case_events")
    op.drop_index("uq_cases_one_open_objection", table_name="cases")
