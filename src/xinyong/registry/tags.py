"""Subject tags: dated facts that put a subject in a class a policy names (``epidemic_affected``,
``size:small``). A tag is added by an authority with its basis; it is never edited, only given
an end date by a new tag row or by its own ``valid_to``."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Connection, insert, or_, select

from xinyong import clock
from xinyong.errors import InvalidInput
from xinyong.store.tables import subject_tags

_TAG = re.compile(r"^[a-z][a-z0-9_]*(:[a-z0-9_]+)?$")


def add_tag(
    conn: Connection,
    subject_id: int,
    tag: str,
    valid_from: date,
    *,
    source: str,
    basis: str,
    valid_to: date | None = None,
) -> int:
    if not _TAG.match(tag):
        raise InvalidInput(
            f"tag {tag!r}: use lower-case words, e.g. epidemic_affected or size:small"
        )
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidInput("a tag's valid_to must be after its valid_from")
    if not basis.strip():
        raise InvalidInput("a tag states its basis (the decision or document that gives it)")
    return int(
        conn.execute(
            insert(subject_tags).returning(subject_tags.c.id),
            {
                "subject_id": subject_id,
                "tag": tag,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "source": source,
                "basis": basis,
                "created_at": clock.now(),
            },
        ).scalar_one()
    )


def tags_on(conn: Connection, subject_id: int, at: date) -> set[str]:
    rows = conn.execute(
        select(subject_tags.c.tag).where(
            subject_tags.c.subject_id == subject_id,
            subject_tags.c.valid_from <= at,
            or_(subject_tags.c.valid_to.is_(None), subject_tags.c.valid_to > at),
        )
    )
    return {tag for (tag,) in rows}
