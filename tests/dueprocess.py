"""Builders for the due-process tests: a subject with records, written straight to the tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, insert

from xinyong.dueprocess.leniency import Policy
from xinyong.store.tables import batches, records, subjects

_batch = 0


def add_subject(
    conn: Connection,
    code: str,
    kind: str = "individual",
    region: str = "440305",
    industry: str | None = None,
) -> int:
    return int(
        conn.execute(
            insert(subjects).returning(subjects.c.id),
            {
                "code": code,
                "id_scheme": "resident_id" if kind == "individual" else "uscc",
                "kind": kind,
                "name": f"subject {code[-4:]}",
                "region_code": region,
                "industry_code": industry,
                "registered_on": date(2010, 1, 1),
                "status": "active",
                "source": "test",
                "created_at": datetime.now(UTC),
            },
        ).scalar_one()
    )


def add_batch(conn: Connection, rows: int) -> int:
    """A batch of ``rows`` accepted rows from the test source."""
    global _batch
    _batch += 1
    now = datetime.now(UTC)
    return int(
        conn.execute(
            insert(batches).returning(batches.c.id),
            {
                "source": "test",
                "batch_key": f"b{_batch}-{now.timestamp()}",
                "content_sha256": "-",
                "file_format": "test",
                "received_at": now,
                "rows_total": rows,
                "rows_accepted": rows,
                "rows_quarantined": 0,
            },
        ).scalar_one()
    )


def add_records(
    conn: Connection, subject_id: int, item: str, days: list[date], **attributes: Any
) -> list[int]:
    now = datetime.now(UTC)
    batch_id = add_batch(conn, len(days))
    ids = []
    for number, day in enumerate(days, start=1):
        ids.append(
            int(
                conn.execute(
                    insert(records).returning(records.c.id),
                    {
                        "subject_id": subject_id,
                        "item_code": item,
                        "decided_on": day,
                        "reference": f"REF-{subject_id}-{day}-{number}",
                        "source": "test",
                        "batch_id": batch_id,
                        "row_number": number,
                        "attributes": dict(attributes),
                        "recorded_at": now,
                    },
                ).scalar_one()
            )
        )
    return ids


def on_list(policy: Policy, key: str) -> Policy:
    """The same policy, applying to the list ``key`` (the shipped ones name the courts' list,
    which the tests stand in for with the rental-bike list)."""
    applies = policy.definition.applies_to.model_copy(update={"lists": [key]})
    return replace(policy, definition=policy.definition.model_copy(update={"applies_to": applies}))
