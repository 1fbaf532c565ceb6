"""Seals over stored records, kept in the audit chain: an edit of a record in place is found.

Records and record events are never updated: a correction, a revocation or a repair is a new
fact. When a batch is accepted, its audit entry carries a seal of the rows it stored, read back
from the database: the SHA-256 of all of them and a short digest per group of rows (one row per
group for a batch of up to 1,000 rows, larger groups beyond). :func:`check` reads the rows
again; a row edited, deleted or slipped into the batch afterwards no longer matches, and the
problem names the record (or, in a large batch, the group of records) that changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, func, select

from xinyong.store.tables import record_events, records

#: At most this many group digests per batch.
GROUPS = 1000
#: Hex characters kept of each group's digest (64 bits: enough to see a change).
SHORT = 16

_RECORD_FIELDS = (
    "id",
    "subject_id",
    "item_code",
    "decided_on",
    "valid_from",
    "valid_to",
    "severity",
    "reference",
    "source",
    "batch_id",
    "row_number",
    "attributes",
    "supersedes_id",
)
_EVENT_FIELDS = ("id", "record_id", "kind", "effective_on", "reason", "source", "batch_id")


#: Fields sealed only where set, so that the seals of rows stored before they existed still hold.
_SET_ONLY = ("decided_in",)

_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str).encode


def _encode(
    kind: str, values: Iterable[tuple[str, Any]], set_only: Iterable[tuple[str, Any]]
) -> bytes:
    """The canonical bytes of a sealed row: its kind, its sealed fields (dates as ISO text)
    and those of ``set_only`` that are set, as sorted JSON."""
    body: dict[str, Any] = {"kind": kind}
    for name, value in values:
        body[name] = value.isoformat() if isinstance(value, date) else value
    for name, value in set_only:
        if value is not None:
            body[name] = value
    return _ENCODE(body).encode("utf-8")


def _canonical(kind: str, row: Any, fields: tuple[str, ...]) -> bytes:
    """The canonical bytes of a whole stored row."""
    extra = _SET_ONLY if kind == "record" else ()
    return _encode(
        kind, ((f, getattr(row, f)) for f in fields), ((f, getattr(row, f, None)) for f in extra)
    )


_SOURCES: list[tuple[str, Table, tuple[str, ...], str]] = [
    ("record", records, _RECORD_FIELDS, "id"),
    ("event", record_events, _EVENT_FIELDS, "record_id"),
]


def _stream(conn: Connection, batch_id: int) -> Iterator[tuple[int, bytes]]:
    """(record id, canonical bytes) of every record and record event the batch stored, read
    a few thousand at a time (a server-side cursor on PostgreSQL): never the batch whole.
    The same bytes as :func:`_canonical` gives, from the sealed columns alone, by position."""
    for kind, table, fields, about in _SOURCES:
        extra = _SET_ONLY if kind == "record" else ()
        names = (*fields, *extra)
        at = names.index(about)
        query = (
            select(*(table.c[name] for name in names))
            .where(table.c.batch_id == batch_id)
            .order_by(table.c.id)
        )
        for row in conn.execute(query.execution_options(yield_per=5000)):
            values = zip(fields, row, strict=False)
            yield int(row[at]), _encode(kind, values, zip(extra, row[len(fields) :], strict=True))


def _count(conn: Connection, batch_id: int) -> int:
    return sum(
        int(
            conn.execute(
                select(func.count()).select_from(table).where(table.c.batch_id == batch_id)
            ).scalar_one()
        )
        for _, table, _, _ in _SOURCES
    )


def _rows(conn: Connection, batch_id: int) -> list[tuple[int, bytes]]:
    return list(_stream(conn, batch_id))


def _group_size(count: int) -> int:
    return max(1, -(-count // GROUPS))


def _seal(rows: Iterable[tuple[int, bytes]], count: int) -> dict[str, str | int]:
    size = _group_size(count)
    whole = hashlib.sha256()
    groups = []
    part = hashlib.sha256()
    taken = 0
    for _record, body in rows:
        whole.update(body)
        part.update(body)
        taken += 1
        if taken % size == 0:
            groups.append(part.hexdigest()[:SHORT])
            part = hashlib.sha256()
    if taken % size:
        groups.append(part.hexdigest()[:SHORT])
    return {
        "sealed_rows": taken,
        "seal_group": size,
        "seal_sha256": whole.hexdigest(),
        "seal_groups": "".join(groups),
    }


def seal(conn: Connection, batch_id: int) -> dict[str, str | int]:
    """The seal of the rows batch ``batch_id`` stored, for its audit entry."""
    return _seal(_stream(conn, batch_id), _count(conn, batch_id))


def check(conn: Connection, batch_id: int, kept: Mapping[str, Any]) -> list[str]:
    """What changed in batch ``batch_id`` since its seal was kept (nothing: an empty list)."""
    if "seal_sha256" not in kept:
        return []  # accepted before batches were sealed
    rows = _rows(conn, batch_id)
    if _seal(rows, len(rows))["seal_sha256"] == kept["seal_sha256"]:
        return []
    if len(rows) != kept["sealed_rows"]:
        return [
            f"batch #{batch_id} stored {kept['sealed_rows']} rows and now has {len(rows)} "
            "(a record or record event was deleted or added in place)"
        ]
    size = int(kept["seal_group"])
    old = str(kept["seal_groups"])
    problems = []
    for index, start in enumerate(range(0, len(rows), size)):
        digest = hashlib.sha256(b"".join(body for _r, body in rows[start : start + size]))
        if digest.hexdigest()[:SHORT] != old[index * SHORT : (index + 1) * SHORT]:
            ids = sorted({r for r, _body in rows[start : start + size]})
            which = f"record #{ids[0]}" if len(ids) == 1 else f"one of records #{ids[0]}-#{ids[-1]}"
            problems.append(f"batch #{batch_id}: {which} was edited in place")
    return problems or [f"batch #{batch_id}: its stored rows no longer match their seal"]
