"""The notification outbox: every notice xinyong sends is first a row here, written in the same
transaction as the fact it announces, so a notice is never lost and never sent for a fact that was
rolled back. Delivery is a separate step through a pluggable channel; a failed delivery is retried
and its error kept. The outbox is also the event feed that webhooks are fed from
(:mod:`xinyong.disclosure.webhooks`): every row, letters and ``event`` rows alike, is offered to
each subscription whose event kinds match."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.store.tables import outbox


class Channel(Protocol):
    """Delivers one notice; raises to signal a failure that should be retried."""

    def send(self, subject_id: int | None, kind: str, payload: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    subject_id: int | None  # None for an event that concerns no one subject (a run)
    kind: str
    channel: str
    payload: dict[str, Any]
    created_at: datetime
    delivered_at: datetime | None
    attempts: int


def enqueue(
    conn: Connection,
    subject_id: int | None,
    kind: str,
    payload: Mapping[str, Any],
    channel: str = "letter",
) -> int:
    """Record a notice to send; returns its id."""
    return int(
        conn.execute(
            insert(outbox).returning(outbox.c.id),
            {
                "subject_id": subject_id,
                "kind": kind,
                "channel": channel,
                "payload": dict(payload),
                "created_at": clock.now(),
            },
        ).scalar_one()
    )


def notices(conn: Connection, subject_id: int | None = None) -> list[Notice]:
    query = select(outbox).order_by(outbox.c.id)
    if subject_id is not None:
        query = query.where(outbox.c.subject_id == subject_id)
    return [
        Notice(
            r.id,
            r.subject_id,
            r.kind,
            r.channel,
            dict(r.payload),
            r.created_at,
            r.delivered_at,
            r.attempts,
        )
        for r in conn.execute(query)
    ]


def deliver(conn: Connection, channels: Mapping[str, Channel], limit: int = 100) -> int:
    """Send pending notices through their channels; returns how many were delivered. A notice
    whose channel is not configured stays pending."""
    pending = conn.execute(
        select(outbox)
        .where(outbox.c.delivered_at.is_(None), outbox.c.channel.in_(list(channels)))
        .order_by(outbox.c.id)
        .limit(limit)
    ).all()
    delivered = 0
    for row in pending:
        values: dict[str, Any] = {"attempts": row.attempts + 1}
        try:
            channels[row.channel].send(row.subject_id, row.kind, dict(row.payload))
        except Exception as error:  # any failure is kept, and retried next time
            values["last_error"] = f"{type(error).__name__}: {error}"
        else:
            values["delivered_at"] = clock.now()
            values["last_error"] = None
            delivered += 1
        conn.execute(update(outbox).where(outbox.c.id == row.id).values(**values))
    return delivered
