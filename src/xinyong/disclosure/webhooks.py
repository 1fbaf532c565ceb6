"""Webhooks: listing, case and evaluation events pushed to departments' systems.

They are fed from the notification outbox, so an event is offered only for a fact that was
committed, and never lost. Delivery is at least once: each (subscription, event) pair is one
``webhook_deliveries`` row, retried with exponential backoff until the receiver answers 2xx or
:data:`MAX_ATTEMPTS` is reached. Each request carries the event id (``Xinyong-Event-Id``, for the
receiver to drop repeats) and an HMAC-SHA256 signature over the timestamp and the body
(``Xinyong-Signature: t=<unix time>,v1=<hex>``), which :func:`verify_signature` checks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, and_, insert, select, update

from xinyong import clock
from xinyong.errors import InvalidInput, NotFound
from xinyong.store.tables import outbox, subjects, webhook_deliveries, webhooks

EVENT_GROUPS: dict[str, frozenset[str]] = {
    "listing": frozenset({"listing_notice", "listed", "extended", "exited"}),
    "case": frozenset(
        {
            "objection_received",
            "objection_decided",
            "repair_received",
            "repair_decided",
            "leniency_decided",
        }
    ),
    "evaluation": frozenset({"evaluation_stored"}),
}
KINDS = frozenset().union(*EVENT_GROUPS.values())
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)

Sender = Callable[[str, Mapping[str, str], bytes], int]
"""Posts ``body`` to ``url`` with ``headers``; returns the HTTP status, raises if none came."""


def kinds_for(events: Iterable[str]) -> frozenset[str]:
    """The event kinds a subscription's list names: groups (``listing``) or single kinds."""
    wanted: set[str] = set()
    for name in events:
        if name in EVENT_GROUPS:
            wanted |= EVENT_GROUPS[name]
        elif name in KINDS:
            wanted.add(name)
        else:
            known = ", ".join(sorted(EVENT_GROUPS) + sorted(KINDS))
            raise InvalidInput(f"events: unknown event {name!r}; known: {known}")
    if not wanted:
        raise InvalidInput("events: name at least one event or group")
    return frozenset(wanted)


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    url: str
    events: tuple[str, ...]
    holder: str
    created_at: datetime
    active: bool


def register(conn: Connection, url: str, events: Iterable[str], holder: str) -> tuple[int, str]:
    """Subscribe ``url`` to events; returns the id and the signing secret (shown once)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(f"url: {url!r} is not an http(s) address")
    names = sorted(set(events))
    kinds_for(names)
    secret = secrets.token_hex(32)
    webhook_id = conn.execute(
        insert(webhooks).returning(webhooks.c.id),
        {
            "url": url,
            "secret": secret,
            "events": names,
            "holder": holder,
            "created_at": clock.now(),
            "active": True,
        },
    ).scalar_one()
    return int(webhook_id), secret


def subscriptions(conn: Connection) -> list[Webhook]:
    rows = conn.execute(select(webhooks).order_by(webhooks.c.id))
    return [Webhook(r.id, r.url, tuple(r.events), r.holder, r.created_at, r.active) for r in rows]


def deactivate(conn: Connection, webhook_id: int) -> None:
    done = conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(active=False))
    if done.rowcount == 0:
        raise NotFound(f"no webhook {webhook_id}")


def fan_out(conn: Connection, now: datetime, limit: int = 1000) -> int:
    """Create a delivery for each outbox event a subscription wants and has not got yet."""
    created = 0
    for hook in conn.execute(select(webhooks).where(webhooks.c.active)).all():
        wanted = kinds_for(hook.events)
        done = select(webhook_deliveries.c.outbox_id).where(
            webhook_deliveries.c.webhook_id == hook.id
        )
        rows = conn.execute(
            select(outbox.c.id)
            .where(
                outbox.c.created_at >= hook.created_at,
                outbox.c.kind.in_(sorted(wanted)),
                outbox.c.id.not_in(done),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        ).all()
        if rows:
            conn.execute(
                insert(webhook_deliveries),
                [
                    {
                        "webhook_id": hook.id,
                        "outbox_id": r.id,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for r in rows
                ],
            )
            created += len(rows)
    return created


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """What a receiver runs: the signature matches the body and is recent (no replays)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failures: 30 s, 1 min, 2 min, ... at most 6 h."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_WAIT)


def envelope(row: Any, subject_code: str | None) -> dict[str, Any]:
    return {
        "id": f"evt_{row.id}",
        "kind": row.kind,
        "created_at": row.created_at.isoformat(),
        "subject": subject_code,
        "data": row.payload,
    }


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    delivered: int
    failed: int
    gave_up: int


def deliver(conn: Connection, send: Sender, now: datetime, limit: int = 100) -> DeliveryReport:
    """Try each delivery that is due once; returns what happened."""
    due = conn.execute(
        select(
            webhook_deliveries.c.id.label("delivery_id"),
            webhook_deliveries.c.attempts,
            webhooks.c.url,
            webhooks.c.secret,
            outbox.c.id,
            outbox.c.kind,
            outbox.c.created_at,
            outbox.c.payload,
            subjects.c.code,
        )
        .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
        .join(outbox, outbox.c.id == webhook_deliveries.c.outbox_id)
        .outerjoin(subjects, subjects.c.id == outbox.c.subject_id)
        .where(
            and_(
                webhooks.c.active,
                webhook_deliveries.c.delivered_at.is_(None),
                webhook_deliveries.c.gave_up_at.is_(None),
                webhook_deliveries.c.next_attempt_at <= now,
            )
        )
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    ).all()
    delivered = failed = gave_up = 0
    for row in due:
        body = json.dumps(envelope(row, row.code), ensure_ascii=False, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "Xinyong-Event-Id": f"evt_{row.id}",
            "Xinyong-Signature": sign(row.secret, int(now.timestamp()), body),
        }
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts}
        try:
            status = send(row.url, headers, body)
        except Exception as error:  # a refused connection, a timeout: retried later
            status, values["last_error"] = None, f"{type(error).__name__}: {error}"[:500]
        values["last_status"] = status
        if status is not None and 200 <= status < 300:
            values.update(delivered_at=now, next_attempt_at=None, last_error=None)
            delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            values.update(gave_up_at=now, next_attempt_at=None)
            values.setdefault("last_error", f"HTTP {status}")
            gave_up += 1
        else:
            values["next_attempt_at"] = now + backoff(attempts)
            values.setdefault("last_error", f"HTTP {status}")
            failed += 1
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id == row.delivery_id)
            .values(**values)
        )
    return DeliveryReport(delivered, failed, gave_up)


def http_sender(timeout: float = 10.0) -> Sender:
    """A :data:`Sender` over httpx."""
    import httpx

    def send(url: str, headers: Mapping[str, str], body: bytes) -> int:
        return httpx.post(url, content=body, headers=dict(headers), timeout=timeout).status_code

    return send
