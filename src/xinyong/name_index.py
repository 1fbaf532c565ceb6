"""The name index behind search: every two-character piece ("bigram") of every name a subject
has had, in ``name_grams`` keyed by (gram, subject). A search for part of a name looks up the
subjects that have all of the query's bigrams (an index range per bigram, intersected in the
database), then checks the candidates with a substring match and ranks them.

Bigrams rather than words, because Chinese names are not separated into words, and a user types
any two or more consecutive characters of a name: "腾讯" must find "深圳市腾讯计算机系统有限公司".
The same index works on SQLite and PostgreSQL with a plain primary-key B-tree. Names are folded
(NFKC, lower case, punctuation and spaces dropped). The bigrams of legal forms (有限公司,
股份有限公司, ...) are indexed but not looked up when a query has other bigrams: nearly every
enterprise has them, so they would scan half the registry and narrow nothing.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, case, func, intersect, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from xinyong.errors import InvalidInput
from xinyong.identifiers import SubjectKind, parse_identifier
from xinyong.tables import name_grams, subject_names, subjects

#: Legal forms at the end of an enterprise's name, longest first (GB/T 4754 firms, the Company
#: Law's two forms and their common variants).
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "合伙企业",
    "分公司",
    "公司",
    "集团",
)
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def fold(name: str) -> str:
    """A name as the index sees it: NFKC, lower case, no spaces or punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", name)).lower()


def grams(name: str) -> set[str]:
    """The bigrams a name is indexed under (a one-character name is its own gram)."""
    folded = fold(name)
    if len(folded) < 2:
        return {folded} if folded else set()
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


#: Bigrams too common to narrow a search: those inside the legal forms.
STOP_GRAMS = frozenset().union(*(grams(form) for form in LEGAL_FORMS))


def lookup_grams(query: str) -> list[str]:
    """The bigrams a search looks up: the query's own, without the legal forms' unless the
    query has no others."""
    found = grams(query)
    selective = found - STOP_GRAMS
    return sorted(selective or found)


def index(conn: Connection, names: Mapping[int, Iterable[str]], chunk: int = 5000) -> int:
    """Index more names of subjects (id -> names); grams already indexed are skipped. Returns
    how many index rows were added."""
    rows = [
        {"gram": g, "subject_id": subject_id}
        for subject_id, subject_names_ in names.items()
        for g in set().union(*(grams(n) for n in subject_names_))
    ]
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), chunk):
        statement = insert(name_grams).on_conflict_do_nothing()
        added += conn.execute(statement, rows[start : start + chunk]).rowcount or 0
    return added


def rebuild(conn: Connection, chunk: int = 20000) -> int:
    """Index every name of every subject (after a bulk load that bypassed the registry)."""
    added = 0
    last = 0
    while True:
        rows = conn.execute(
            select(subjects.c.id, subjects.c.name)
            .where(subjects.c.id > last)
            .order_by(subjects.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return added
        last = rows[-1].id
        names: dict[int, list[str]] = {r.id: [r.name] for r in rows}
        for subject_id, name in conn.execute(
            select(subject_names.c.subject_id, subject_names.c.name).where(
                subject_names.c.subject_id.between(rows[0].id, last)
            )
        ):
            names[subject_id].append(name)
        added += index(conn, names)


class Match(enum.IntEnum):
    """Why a subject was found, best first (the rank of a hit)."""

    CODE = 0
    NAME = 1
    NAME_START = 2
    NAME_PART = 3
    OTHER_NAME = 4


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    code: str
    name: str
    kind: SubjectKind
    region_code: str | None
    match: Match


def _code_query(text: str) -> str | None:
    """The normalised identifier if ``text`` is one, else None."""
    try:
        return parse_identifier(text).code
    except InvalidInput:
        return None


def search(
    conn: Connection,
    text: str,
    limit: int = 20,
    *,
    offset: int = 0,
    resident_ids: bool = False,
) -> list[Hit]:
    """Subjects whose code is ``text``, or whose name or any other name contains it; ranked:
    the code, the exact name, names that start with it, names that contain it, then former names
    and aliases; shorter names first within a rank.

    A resident ID is matched only when ``resident_ids`` is set: a person's ID number opens their
    own file after they sign in, and is never a way for the public to look a person up."""
    query = " ".join(text.split())
    code = _code_query(query)
    if code is not None:
        wanted = select(subjects).where(subjects.c.code == code)
        if not resident_ids:
            wanted = wanted.where(subjects.c.kind != SubjectKind.INDIVIDUAL.value)
        row = conn.execute(wanted).first()
        if row is None:
            return []
        return [Hit(row.id, row.code, row.name, SubjectKind(row.kind), row.region_code, Match.CODE)]
    folded = fold(query)
    if len(folded) < 2:
        raise InvalidInput("type at least two characters of a name", field="query.q")
    lookups = [
        select(name_grams.c.subject_id).where(name_grams.c.gram == g) for g in lookup_grams(query)
    ]
    candidates = (intersect(*lookups) if len(lookups) > 1 else lookups[0]).subquery()
    other = (
        select(subject_names.c.subject_id)
        .where(subject_names.c.name.contains(query, autoescape=True))
        .where(subject_names.c.subject_id.in_(select(candidates.c.subject_id)))
    )
    rank = case(
        (subjects.c.name == query, literal(int(Match.NAME))),
        (subjects.c.name.startswith(query, autoescape=True), literal(int(Match.NAME_START))),
        (subjects.c.name.contains(query, autoescape=True), literal(int(Match.NAME_PART))),
        else_=literal(int(Match.OTHER_NAME)),
    ).label("rank")
    found = (
        select(
            subjects.c.id,
            subjects.c.code,
            subjects.c.name,
            subjects.c.kind,
            subjects.c.region_code,
            rank,
        )
        .where(subjects.c.id.in_(select(candidates.c.subject_id)))
        .where(or_(subjects.c.name.contains(query, autoescape=True), subjects.c.id.in_(other)))
        .order_by(rank, func.length(subjects.c.name), subjects.c.name, subjects.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        Hit(r.id, r.code, r.name, SubjectKind(r.kind), r.region_code, Match(int(r.rank)))
        for r in conn.execute(found)
    ]


def count_unindexed(conn: Connection) -> int:
    """Subjects without a single index row (should be none; a check for operators)."""
    indexed = select(name_grams.c.subject_id)
    return int(
        conn.execute(
            select(func.count()).select_from(subjects).where(subjects.c.id.not_in(indexed))
        ).scalar_one()
    )
