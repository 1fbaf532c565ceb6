"""The name index behind search: every two-character piece ("bigram") of every name a subject
has had, in ``name_grams`` keyed by (gram, subject). A search for part of a name counts how
many subjects have each of the query's bigrams (each count stops early), reads the subjects
that have the rarest one and keeps those that also have the next rarest (primary-key lookups),
then checks the candidates with a substring match and ranks them. The cost follows the rarest
bigram, not the most common one, so a query with one unusual character pair is fast however
common its other pieces are.

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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    Select,
    String,
    Table,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from xinyong.errors import InvalidInput
from xinyong.reference.identifiers import SubjectKind, parse_identifier
from xinyong.store.database import BULK_INSERT, append_rows
from xinyong.store.tables import name_grams, subject_names, subjects

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


def _rows(names: Mapping[int, Iterable[str]]) -> list[dict[str, Any]]:
    """Index rows for subjects' names, in index order."""
    rows = [
        {"gram": g, "subject_id": subject_id}
        for subject_id, subject_names_ in names.items()
        for g in set().union(*(grams(n) for n in subject_names_))
    ]
    rows.sort(key=lambda row: (row["gram"], row["subject_id"]))
    return rows


def index(
    conn: Connection, names: Mapping[int, Iterable[str]], chunk: int = 5000, *, fresh: bool = False
) -> int:
    """Index more names of subjects (id -> names); grams already indexed are skipped. Returns
    how many index rows were added. ``fresh``: the subjects were registered in this
    transaction, so none of their grams can be indexed yet, and the rows are appended in bulk
    (COPY on PostgreSQL) with no test for each."""
    rows = _rows(names)
    if fresh:
        append_rows(conn, name_grams, rows)
        return len(rows)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    added = 0
    # RETURNING (one row per gram added, none for one already there) lets the driver send
    # thousands of rows per statement; a row count would cost one statement a row
    statement = insert(name_grams).on_conflict_do_nothing().returning(name_grams.c.subject_id)
    for start in range(0, len(rows), chunk):
        added += len(conn.execute(statement, rows[start : start + chunk]).all())
    return added


def _all_names(conn: Connection, chunk: int) -> Iterator[dict[int, list[str]]]:
    """Every subject's names (current, former, aliases), ``chunk`` subjects at a time."""
    last = 0
    while True:
        rows = conn.execute(
            select(subjects.c.id, subjects.c.name)
            .where(subjects.c.id > last)
            .order_by(subjects.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        names: dict[int, list[str]] = {r.id: [r.name] for r in rows}
        for subject_id, name in conn.execute(
            select(subject_names.c.subject_id, subject_names.c.name).where(
                subject_names.c.subject_id.between(rows[0].id, last)
            )
        ):
            names[subject_id].append(name)
        yield names


def rebuild(conn: Connection, chunk: int = 20000) -> int:
    """Index every name of every subject (after a bulk load that bypassed the registry, and in
    the migration that made the index); grams already indexed are kept. Returns how many index
    rows were added.

    On PostgreSQL the rows are copied into a temporary table and inserted in one statement in
    index order, which fills the B-tree's pages in turn instead of at random."""
    if conn.dialect.name != "postgresql" or conn.engine.driver not in BULK_INSERT:
        return sum(index(conn, names) for names in _all_names(conn, chunk))
    staging = Table(
        "name_grams_staging",
        MetaData(),
        Column("gram", String(8), nullable=False),
        Column("subject_id", BigInteger, nullable=False),
        prefixes=["TEMPORARY"],
    )
    staging.create(conn)
    copy = BULK_INSERT[conn.engine.driver]
    for names in _all_names(conn, chunk):
        rows = _rows(names)
        if rows:
            copy(conn, staging, rows)
    ordered = select(staging.c.gram, staging.c.subject_id).order_by(
        staging.c.gram, staging.c.subject_id
    )
    statement = pg_insert(name_grams).from_select(["gram", "subject_id"], ordered)
    statement = statement.on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    added = conn.execute(statement).rowcount
    staging.drop(conn)
    conn.execute(sql(f"ANALYZE {name_grams.name}"))  # the planner's counts of the new rows
    return added


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


#: A gram's index entries are counted up to this many when a search picks which grams to look
#: up; a gram with fewer is "rare" and bounds the candidates by itself.
PROBE = 1000
#: The rarest grams a search looks up (the substring check catches the rest).
LOOKUPS = 4
#: A query whose every gram is common (a city, an industry word, a legal form) is ranked among
#: this many candidates, the subjects registered first, and says so.
CANDIDATES = 5000


@dataclass(frozen=True, slots=True)
class Found:
    """What a search found. ``ranked_among`` is set when more subjects share the query's pieces
    than a search ranks: the hits were ranked among that many subjects, those registered first,
    and a longer query narrows it."""

    hits: list[Hit]
    ranked_among: int | None = None

    @property
    def broad(self) -> bool:
        return self.ranked_among is not None


def _code_query(text: str) -> str | None:
    """The normalised identifier if ``text`` is one, else None."""
    try:
        return parse_identifier(text).code
    except InvalidInput:
        return None


def gram_counts(conn: Connection, wanted: list[str], probe: int = PROBE) -> dict[str, int]:
    """How many index entries each gram has, counted up to ``probe``: one query, each count an
    index range that stops after ``probe`` entries."""
    columns = []
    for n, g in enumerate(wanted):
        entries = (
            select(name_grams.c.subject_id)
            .where(name_grams.c.gram == g)
            .order_by(name_grams.c.subject_id)  # the index's order: a range read, not a scan
            .limit(probe)
        )
        count = select(func.count()).select_from(entries.subquery()).scalar_subquery()
        columns.append(count.label(f"g{n}"))
    row = conn.execute(select(*columns)).one()
    return {g: int(row[n]) for n, g in enumerate(wanted)}


def candidates(
    conn: Connection, query: str, probe: int = PROBE
) -> tuple[Select[tuple[int]], int] | None:
    """The subjects whose names have the query's rarest grams, oldest first, as a query, with
    the rarest gram's count (up to ``probe``); None when a gram is in no name, so nothing can
    match. The plan is an index range over the rarest gram, each entry checked against the next
    rarest by primary-key lookups, so a LIMIT on it stops the reading early."""
    counts = gram_counts(conn, lookup_grams(query), probe)
    chosen = sorted(counts, key=lambda g: (counts[g], g))[:LOOKUPS]
    if counts[chosen[0]] == 0:
        return None
    first = name_grams.alias("g0")
    found = select(first.c.subject_id).where(first.c.gram == chosen[0])
    for n, g in enumerate(chosen[1:], start=1):
        other = name_grams.alias(f"g{n}")
        probe_row = select(other.c.subject_id).where(
            other.c.gram == g, other.c.subject_id == first.c.subject_id
        )
        # OFFSET 0 keeps PostgreSQL from turning the EXISTS into a join planned on the guess
        # that bigrams are independent (those of one place name always come together); as a
        # sub-plan it stays a primary-key probe per entry of the ordered range.
        found = found.where(probe_row.offset(0).exists())
    return found.order_by(first.c.subject_id), counts[chosen[0]]


def search(
    conn: Connection,
    text: str,
    limit: int = 20,
    *,
    offset: int = 0,
    resident_ids: bool = False,
    probe: int = PROBE,
    most: int = CANDIDATES,
) -> Found:
    """Subjects whose code is ``text``, or whose name or any other name contains it; ranked:
    the code, the exact name, names that start with it, names that contain it, then former names
    and aliases; shorter names first within a rank.

    The index narrows the subjects to those whose names have the query's rarest bigrams, and a
    substring match on the names checks each. When even the rarest bigram is common (``probe``
    entries or more) and more than ``most`` subjects have the bigrams looked up, only the first
    ``most`` registered are checked and ranked, and the result is marked ``broad``.

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
            return Found([])
        hit = Hit(row.id, row.code, row.name, SubjectKind(row.kind), row.region_code, Match.CODE)
        return Found([hit])
    if len(fold(query)) < 2:
        raise InvalidInput("type at least two characters of a name", field="query.q").saying(
            "search_too_short"
        )
    if conn.dialect.name == "postgresql":
        # The planner costs a gram's whole index range although the LIMIT stops early, which
        # crosses the JIT threshold: compiling then takes longer than the lookups it speeds up.
        conn.execute(sql("SET LOCAL jit = off"))
    narrowed = candidates(conn, query, probe)
    if narrowed is None:
        return Found([])
    pool, rarest = narrowed
    broad = False
    if rarest >= probe:  # every gram is common: count the candidates, up to one past the most
        counted = select(func.count()).select_from(pool.limit(most + 1).subquery())
        broad = conn.execute(counted).scalar_one() > most
        pool = pool.limit(most)
    ids = select(pool.subquery().c.subject_id)
    other = (
        select(subject_names.c.subject_id)
        .where(subject_names.c.subject_id == subjects.c.id)
        .where(subject_names.c.name.contains(query, autoescape=True))
        .exists()
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
        .where(subjects.c.id.in_(ids))
        .where(or_(subjects.c.name.contains(query, autoescape=True), other))
        .order_by(rank, func.length(subjects.c.name), subjects.c.name, subjects.c.id)
        .offset(offset)
        .limit(limit)
    )
    hits = [
        Hit(r.id, r.code, r.name, SubjectKind(r.kind), r.region_code, Match(int(r.rank)))
        for r in conn.execute(found)
    ]
    return Found(hits, most if broad else None)


def count_unindexed(conn: Connection) -> int:
    """Subjects without a single index row (should be none; a check for operators)."""
    indexed = select(name_grams.c.subject_id)
    return int(
        conn.execute(
            select(func.count()).select_from(subjects).where(subjects.c.id.not_in(indexed))
        ).scalar_one()
    )
