"""Numbered event streams: each listing and each case has its own history of steps, numbered
1, 2, 3 ... in the order they were taken. A step is appended, never edited; the stored state
of a listing or case is what its steps replay to.

The caller holds the owner's row lock (a listing or case is read ``FOR UPDATE`` before a step
is taken), so two officials acting at once cannot take the same number; the table's unique
(owner, seq) key refuses it if one ever tried."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select

from xinyong import clock


def append_step(
    conn: Connection, table: Table, owner: str, owner_id: int, step: Mapping[str, Any]
) -> int:
    """Append ``step`` to the stream of ``owner_id`` in ``table`` (``owner`` names its key
    column), dated by the clock; returns the step's number."""
    last = conn.execute(
        select(func.coalesce(func.max(table.c.seq), 0)).where(table.c[owner] == owner_id)
    ).scalar_one()
    seq = int(last) + 1
    conn.execute(insert(table), {owner: owner_id, "seq": seq, "recorded_at": clock.now(), **step})
    return seq
