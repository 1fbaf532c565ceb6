"""Webhooks fed from the outbox: every wanted event offered once per subscription, signed, retried
with backoff until a 2xx or the last attempt; a real HTTP round trip to a local receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select
from tests.dueprocess import add_subject
from tests.helpers import resident_id

from xinyong.disclosure.webhooks import (
    MAX_ATTEMPTS,
    backoff,
    deliver,
    fan_out,
    http_sender,
    register,
    verify_signature,
)
from xinyong.errors import InvalidInput
from xinyong.store.database import Database
from xinyong.store.outbox import enqueue
from xinyong.store.tables import webhook_deliveries

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Receiver:
    """Records what arrives; answers with the statuses it is given, then 200."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.got: list[tuple[str, dict[str, str], bytes]] = []

    def __call__(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        self.got.append((url, dict(headers), body))
        return self.statuses.pop(0) if self.statuses else 200


def _events(db: Database) -> int:
    with db.begin() as conn:
        subject = add_subject(conn, resident_id(21, "440305"))
        enqueue(conn, subject, "listing_notice", {"listing": 1})
        enqueue(conn, subject, "objection_received", {"case": 2})
        enqueue(conn, None, "evaluation_stored", {"run": 3}, channel="event")
    return subject


def test_each_wanted_event_is_delivered_once_and_signed(db: Database) -> None:
    with db.begin() as conn:
        hook, secret = register(conn, "https://dept.example/hook", ["listing", "evaluation"], "t")
    _events(db)
    receiver = Receiver()
    with db.begin() as conn:
        assert fan_out(conn, START) == 2  # the objection is a case event: not wanted
        assert fan_out(conn, START) == 0  # offered once
        report = deliver(conn, receiver, START)
    assert report.delivered == 2
    kinds = [json.loads(body)["kind"] for _, _, body in receiver.got]
    assert kinds == ["listing_notice", "evaluation_stored"]
    for _, headers, body in receiver.got:
        assert verify_signature(secret, headers["Xinyong-Signature"], body, START)
        assert not verify_signature("another secret", headers["Xinyong-Signature"], body, START)
        assert not verify_signature(secret, headers["Xinyong-Signature"], body + b" ", START)
        late = START + timedelta(minutes=10)  # a replayed request is too old
        assert not verify_signature(secret, headers["Xinyong-Signature"], body, late)
        assert headers["Xinyong-Event-Id"] == json.loads(body)["id"]
    listing = json.loads(receiver.got[0][2])
    assert listing["subject"] == resident_id(21, "440305") and listing["data"] == {"listing": 1}
    with db.begin() as conn:
        assert deliver(conn, receiver, START + timedelta(days=1)).delivered == 0
    assert len(receiver.got) == 2
    assert hook > 0


def test_a_failed_delivery_is_retried_with_backoff_then_given_up(db: Database) -> None:
    with db.begin() as conn:
        register(conn, "https://dept.example/hook", ["listing_notice"], "t")
    _events(db)
    failing = Receiver([500, 503])
    now = START
    with db.begin() as conn:
        fan_out(conn, now)
        assert deliver(conn, failing, now).failed == 1
        # not due again until its wait has passed
        assert deliver(conn, failing, now + backoff(1) - timedelta(seconds=1)).failed == 0
        assert deliver(conn, failing, now + backoff(1)).failed == 1
        assert deliver(conn, failing, now + backoff(1) + backoff(2)).delivered == 1
        row = conn.execute(select(webhook_deliveries)).one()
    assert row.attempts == 3 and row.last_status == 200 and row.last_error is None
    assert len(failing.got) == 3

    def down(url: str, headers: Mapping[str, str], body: bytes) -> int:
        raise ConnectionRefusedError("connection refused")

    with db.begin() as conn:
        enqueue(conn, None, "listing_notice", {"listing": 9})
        fan_out(conn, now)
        moment, gave_up = now, 0
        for _ in range(MAX_ATTEMPTS):
            moment += timedelta(days=1)
            gave_up += deliver(conn, down, moment).gave_up
        stuck = conn.execute(
            select(webhook_deliveries).where(webhook_deliveries.c.delivered_at.is_(None))
        ).one()
    assert gave_up == 1 and stuck.attempts == MAX_ATTEMPTS
    assert stuck.gave_up_at is not None and "refused" in stuck.last_error


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(30) == timedelta(hours=6)


def test_unknown_events_and_addresses_are_refused(db: Database) -> None:
    with db.begin() as conn, pytest.raises(InvalidInput, match="unknown event 'listings'"):
        register(conn, "https://x.example/h", ["listings"], "t")
    with db.begin() as conn, pytest.raises(InvalidInput, match="not an http"):
        register(conn, "ftp://x.example/h", ["listing"], "t")


@pytest.fixture
def server() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    got: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", got
    httpd.shutdown()


def test_a_real_http_round_trip(db: Database, server: tuple[str, list]) -> None:  # type: ignore[type-arg]
    url, got = server
    with db.begin() as conn:
        _, secret = register(conn, url, ["case"], "t")
    _events(db)
    now = datetime.now(UTC)
    with db.begin() as conn:
        fan_out(conn, now)
        assert deliver(conn, http_sender(timeout=5), now).delivered == 1
    ((headers, body),) = got
    assert json.loads(body)["kind"] == "objection_received"
    assert verify_signature(secret, headers["Xinyong-Signature"], body, datetime.now(UTC))
