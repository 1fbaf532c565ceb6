"""A subject's credit file as of a date: its records with their state, whether each is disputed,
until when it is public and from when it may be repaired; its listings in effect; its open cases.
The public view is the same file cut down to what the public may see on that date (public items, in
effect, within their publication period), chosen in SQL by
:func:`xinyong.dueprocess.publication.public_condition`. The file and check answers both read
disputes from :func:`xinyong.dueprocess.objections.disputed_ids`, so a disputed record is marked
disputed in each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Names
from xinyong.dueprocess.cases import Case, CaseKind, inbox
from xinyong.dueprocess.memberships import Listing, memberships
from xinyong.dueprocess.objections import disputed_ids
from xinyong.dueprocess.publication import public_condition, window
from xinyong.errors import NotFound
from xinyong.evaluation.runs import latest_results
from xinyong.linkage.links import Link, of_records
from xinyong.registry.records import RecordState, RecordView, in_effect, subject_records
from xinyong.registry.subjects import Subject, get
from xinyong.schemes.library import Library
from xinyong.schemes.model import SchemeType
from xinyong.store.tables import records


@dataclass(frozen=True, slots=True)
class FileRecord:
    record: RecordView
    disputed: bool
    public: bool  # shown to the public on the profile's date
    public_until: date | None
    repair_from: date | None
    link: Link | None = None  # how a record sent without a code was attributed to the subject


@dataclass(frozen=True, slots=True)
class CreditFile:
    subject: Subject
    at: date
    records: tuple[FileRecord, ...]
    listings: tuple[Listing, ...]
    open_cases: tuple[Case, ...]


@lru_cache(maxsize=32)
def _public_ids(catalog: Catalog, at: date) -> Select[Any]:
    """The ids of a subject's records the public sees on ``at``: built once a day per catalog
    (the condition names every public item's cut-off), the subject bound when it runs. The
    cache holds the catalog it was built from, so a catalog loaded anew never matches it."""
    return (
        in_effect(at)
        .where(records.c.subject_id == bindparam("subject_id"), public_condition(catalog, at))
        .with_only_columns(records.c.id)
    )


def credit_file(
    conn: Connection, catalog: Catalog, code: str, at: date, *, public: bool = False
) -> CreditFile:
    subject = get(conn, code)
    disputed = disputed_ids(conn, at, subject.id)
    visible: set[int] | None = None
    if public:  # the public view is one query: in effect, public item, within its period
        query = _public_ids(catalog, at)
        visible = set(conn.execute(query, {"subject_id": subject.id}).scalars())
    rows = []
    views = [v for v in subject_records(conn, subject.id, as_of=at) if v.decided_on <= at]
    linked = {} if public else of_records(conn, [v.id for v in views])
    for view in views:
        if view.decided_on > at:
            continue
        item = catalog.get(view.item_code)
        span = window(item, view.decided_on) if item is not None else None
        shown = span is not None and view.state is RecordState.IN_EFFECT and span.public_on(at)
        if visible is not None and view.id not in visible:
            continue
        rows.append(
            FileRecord(
                view,
                view.id in disputed,
                shown,
                span.public_until if span else None,
                span.repair_from if span else None,
                linked.get(view.id),
            )
        )
    # a proposed link is the reviewers' question, not yet a fact about the subject
    cases = (
        ()
        if public
        else tuple(c for c in inbox(conn, at, subject_id=subject.id) if c.kind is not CaseKind.LINK)
    )
    return CreditFile(subject, at, tuple(rows), tuple(memberships(conn, subject.id, at)), cases)


@dataclass(frozen=True, slots=True)
class Standing:
    """A subject's result under one scheme in force: from the newest stored run of that version
    on or before the date (a full run, or the re-evaluation after a record or a decision)."""

    scheme_id: str
    scheme_version: int
    title: Names
    run_id: int
    run_as_of: date
    score: float
    grade: str | None
    has_grades: bool


def standings(conn: Connection, library: Library, subject_id: int, at: date) -> list[Standing]:
    """The subject's grade or score under every scheme in force on ``at`` that has a stored
    result for it (one query for all schemes); list candidates are not standings, listings
    are."""
    rows = latest_results(conn, subject_id, at)
    found: dict[str, Standing] = {}
    for row in rows:
        try:
            scheme = library.get(row.scheme_id, on=at)
        except NotFound:
            continue
        if scheme.version != row.scheme_version:
            continue
        definition = scheme.definition
        if definition.grades is None and definition.scheme.type is not SchemeType.POINTS:
            continue
        found[row.scheme_id] = Standing(
            scheme.id,
            scheme.version,
            definition.scheme.title,
            row.run_id,
            row.as_of,
            row.score,
            row.grade,
            definition.grades is not None,
        )
    return sorted(found.values(), key=lambda s: s.scheme_id)
