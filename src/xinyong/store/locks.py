"""Locks that make two officials acting at once give one winner.

Every state-changing step runs in a writing transaction (:meth:`Database.begin`). On SQLite that
transaction holds the database's write lock from its start, so steps are one at a time and
these functions do nothing more. On PostgreSQL a step locks what it changes before it reads the
state its rule is checked against: :func:`lock_rows` for rows it will change (``SELECT ... FOR
UPDATE``), :func:`lock_name` for something that has no row yet (the next listing of a subject
on a list, a source's decision numbers). The second step waits, then reads what the first
committed, and its rule refuses what is no longer allowed.

Order, to avoid deadlocks: records before cases before listings; names before rows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, Table, select, text


def lock_rows(conn: Connection, table: Table, ids: Iterable[int]) -> None:
    """Lock the rows of ``table`` with ``ids`` until the transaction ends (in id order)."""
    wanted = sorted(set(ids))
    if not wanted or conn.dialect.name != "postgresql":
        return
    conn.execute(
        select(table.c.id).where(table.c.id.in_(wanted)).order_by(table.c.id).with_for_update()
    ).all()


#: An advisory lock of this schema: PostgreSQL's advisory locks belong to the whole database,
#: so the schema's name is half of the key, and two xinyong databases kept as schemas of one
#: PostgreSQL database (the tests' way, or a test platform beside production) never wait for,
#: or deadlock with, each other's locks.
ADVISORY = text("SELECT pg_advisory_xact_lock(hashtext(current_schema()), :key)")


def advisory(conn: Connection, key: int) -> None:
    """Hold this schema's advisory lock ``key`` (a 32-bit number) until the transaction ends."""
    conn.execute(ADVISORY, {"key": key})


def lock_name(conn: Connection, name: str) -> None:
    """Hold a lock named ``name`` until the transaction ends (a PostgreSQL advisory lock)."""
    if conn.dialect.name != "postgresql":
        return
    advisory(conn, int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True))
