"""Idempotency keys: a request sent again with the same key gets the first answer, not a second
copy of its effect.

The key is scoped to the caller (two departments may both use ``batch-1``), and the stored row
holds a digest of the request: the same key with a different request is refused rather than
answered with an unrelated response. The row is written in the same transaction as the effect,
so a crash leaves either both or neither; two concurrent first sends race on the unique
(actor, key) index and the loser's transaction, effect included, rolls back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from xinyong import clock
from xinyong.errors import Conflict, InvalidInput
from xinyong.store.tables import idempotency_keys


@dataclass(frozen=True, slots=True)
class Stored:
    status_code: int
    response: dict[str, Any]


def digest(request: Any) -> str:
    """A stable digest of a JSON-able request (key order does not matter)."""
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise InvalidInput("Idempotency-Key: 1 to 200 printable characters")
    return key


def batch_key(key: str) -> str:
    """The batch key a request under ``key`` is stored with: the key itself where it fits the
    column beside its prefix, else its SHA-256 (a 200-character key is allowed)."""
    plain = f"idempotency:{key}"
    if len(plain) <= BATCH_KEY_LENGTH:
        return plain
    return f"idempotency:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


#: The length of ``batches.batch_key``.
BATCH_KEY_LENGTH = 200


def recall(conn: Connection, actor: str, key: str, request_sha256: str) -> Stored | None:
    """The stored answer for this key, or None; :class:`Conflict` if the key was used for a
    different request."""
    row = conn.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.actor == actor, idempotency_keys.c.key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_sha256 != request_sha256:
        raise Conflict(
            f"Idempotency-Key {key!r} was used on {row.created_at:%Y-%m-%d %H:%M} for a "
            "different request; use a new key for a new request"
        )
    return Stored(row.status_code, dict(row.response))


def remember(
    conn: Connection,
    actor: str,
    key: str,
    request_sha256: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    conn.execute(
        insert(idempotency_keys),
        {
            "actor": actor,
            "key": key,
            "request_sha256": request_sha256,
            "status_code": status_code,
            "response": response,
            "created_at": clock.now(),
        },
    )
