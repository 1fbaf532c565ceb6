"""The tamper-evident audit log: every state-changing action (a batch of records accepted, a
listing step, a case step, an evaluation stored or published) appends one row, in the same
transaction as the change, to a hash chain.

Each row's hash covers its sequence number, time, actor, action, object and details and the
hash of the row before it, so an edited row no longer matches its hash, a deleted or reordered
row breaks the chain, and a truncated tail is caught against a checkpoint kept elsewhere
(:func:`checkpoint`, optionally signed with an HMAC key). Rows get their sequence numbers from
one sequencer: on PostgreSQL an advisory lock held to the end of the appending transaction; on
SQLite the database's single writer. The primary key on the sequence number refuses a fork even
if the lock were bypassed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from xinyong import clock
from xinyong.errors import InvalidInput
from xinyong.store import seals
from xinyong.store.locks import advisory
from xinyong.store.tables import audit_log

#: The longest actor name the log keeps (the column's length).
ACTOR_LENGTH = 100
#: The hash the first row links to.
GENESIS = "0" * 64
#: Key of the PostgreSQL advisory lock that makes appends one at a time.
LOCK_KEY = 0x78696E79  # "xiny"


def _stamp(moment: datetime) -> str:
    """A time in one spelling whatever the engine gives back (naive on SQLite means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(
    seq: int,
    recorded_at: datetime,
    actor: str,
    action: str,
    target: str,
    subject_id: int | None,
    details: Mapping[str, Any],
    prev_hash: str,
) -> str:
    body = json.dumps(
        {
            "seq": seq,
            "at": _stamp(recorded_at),
            "actor": actor,
            "action": action,
            "object": target,
            "subject": subject_id,
            "details": details,
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _plain(details: Mapping[str, Any] | None) -> dict[str, str | int | bool | None]:
    """Details as text, whole numbers, yes/no or null, so that every engine's JSON gives back
    exactly what was hashed (no float or date spellings that could differ)."""
    out: dict[str, str | int | bool | None] = {}
    for key, value in (details or {}).items():
        out[str(key)] = (
            value if value is None or isinstance(value, bool | int | str) else str(value)
        )
    return out


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    recorded_at: datetime
    actor: str
    action: str
    object: str
    subject_id: int | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


def _head(conn: Connection) -> tuple[int, str]:
    """The last row's number and hash (0 and the genesis hash for an empty log)."""
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (0, GENESIS) if last is None else (int(last.seq), str(last.hash))


def lock(conn: Connection) -> None:
    """Hold the audit log's lock until the transaction ends (PostgreSQL; SQLite serialises
    writers itself): appends are numbered in order, and a rule checked against the log under
    the lock (publish a version once) holds when the row is written."""
    if conn.dialect.name == "postgresql":
        advisory(conn, LOCK_KEY)


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target: str,
    subject_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the chain, inside the caller's transaction."""
    if not actor.strip():
        raise InvalidInput("every audited action names who took it")
    if len(actor) > ACTOR_LENGTH:
        # Stored and hashed as given, never cut: a shortened name would read as an edit.
        raise InvalidInput(f"a name in the audit log is at most {ACTOR_LENGTH} characters")
    lock(conn)
    last_seq, prev = _head(conn)
    seq = last_seq + 1
    now = clock.now()
    plain = _plain(details)
    digest = _digest(seq, now, actor, action, target, subject_id, plain, prev)
    conn.execute(
        audit_log.insert(),
        {
            "seq": seq,
            "recorded_at": now,
            "actor": actor,
            "action": action,
            "object": target,
            "subject_id": subject_id,
            "details": plain,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    return AuditEntry(seq, now, actor, action, target, subject_id, plain, prev, digest)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The head of the chain at a moment, to be kept outside the database."""

    seq: int
    hash: str
    taken_at: str
    signature: str | None = None

    def payload(self) -> str:
        return f"{self.seq}:{self.hash}:{self.taken_at}"

    def sign(self, key: bytes) -> Checkpoint:
        mac = hmac.new(key, self.payload().encode(), hashlib.sha256).hexdigest()
        return Checkpoint(self.seq, self.hash, self.taken_at, mac)

    def signed_by(self, key: bytes) -> bool:
        return self.signature is not None and hmac.compare_digest(
            self.signature, self.sign(key).signature or ""
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, data: str) -> Checkpoint:
        try:
            raw = json.loads(data)
            return cls(
                int(raw["seq"]), str(raw["hash"]), str(raw["taken_at"]), raw.get("signature")
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"not an audit checkpoint: {exc}") from None


def checkpoint(conn: Connection, key: bytes | None = None) -> Checkpoint:
    """The current head (sequence number and hash), signed with ``key`` when one is given."""
    seq, digest = _head(conn)
    head = Checkpoint(seq, digest, _stamp(clock.now()))
    return head.sign(key) if key else head


@dataclass(frozen=True, slots=True)
class AuditReport:
    rows: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(
    conn: Connection, against: Checkpoint | None = None, key: bytes | None = None
) -> AuditReport:
    """Walk the chain from the first row: every row must be the next number, link to the hash
    of the row before it and match its own content; with a checkpoint, the chain must still
    reach it and pass through the same hash (a truncated tail or a rewritten past fails). The
    records each accepted batch stored must still match the seal its entry keeps."""
    problems: list[str] = []
    expected, prev, rows = 1, GENESIS, 0
    at_checkpoint: str | None = None  # the hash of the row the checkpoint names, if reached
    sealed: list[tuple[int, dict[str, Any]]] = []
    for row in conn.execute(select(audit_log).order_by(audit_log.c.seq)):
        rows += 1
        if row.action == "batch.accepted" and str(row.object).startswith("batch:"):
            sealed.append((int(str(row.object).removeprefix("batch:")), dict(row.details or {})))
        if row.seq != expected:
            problems.append(
                f"row {expected} is missing (deleted?): the next row is {row.seq}"
                if row.seq > expected
                else f"row {row.seq} appears out of order after {expected - 1}"
            )
        if row.prev_hash != prev:
            problems.append(
                f"row {row.seq} does not link to the row before it "
                "(a row before it was deleted, edited or moved)"
            )
        recomputed = _digest(
            int(row.seq),
            row.recorded_at,
            row.actor,
            row.action,
            row.object,
            row.subject_id,
            row.details or {},
            row.prev_hash,
        )
        if recomputed != row.hash:
            problems.append(
                f"row {row.seq} ({row.action} {row.object}) was edited: its hash differs"
            )
        if against is not None and row.seq == against.seq:
            at_checkpoint = str(row.hash)
        expected, prev = int(row.seq) + 1, str(row.hash)
    head_seq = expected - 1
    for batch_id, details in sealed:
        problems += seals.check(conn, batch_id, details)
    if against is not None:
        if key is not None and not against.signed_by(key):
            problems.append("the checkpoint's signature does not match the key")
        if against.seq > head_seq:
            problems.append(
                f"the log ends at row {head_seq} but the checkpoint names row {against.seq}: "
                "rows were removed from the end"
            )
        elif against.seq and at_checkpoint != against.hash:
            problems.append(f"row {against.seq} is not the one the checkpoint names")
    return AuditReport(rows, head_seq, prev, tuple(problems))


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        row.seq,
        row.recorded_at,
        row.actor,
        row.action,
        row.object,
        row.subject_id,
        dict(row.details),
        row.prev_hash,
        row.hash,
    )


def entries(conn: Connection, after: int = 0, limit: int = 100) -> list[AuditEntry]:
    """Up to ``limit`` rows of the chain after row ``after``, in order."""
    rows = conn.execute(
        select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(limit)
    )
    return [_entry(r) for r in rows]


def first(conn: Connection, action: str, target: str) -> AuditEntry | None:
    """The first row recording ``action`` on ``target``, if any."""
    row = conn.execute(
        select(audit_log)
        .where(audit_log.c.action == action, audit_log.c.object == target)
        .order_by(audit_log.c.seq)
        .limit(1)
    ).first()
    return None if row is None else _entry(row)
