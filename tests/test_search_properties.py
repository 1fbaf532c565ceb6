"""Name search against a plain-Python oracle, on SQLite and PostgreSQL: for generated names
(current, former and aliases over a small alphabet, so that bigrams are shared widely) and for
queries cut from them or made up, the index-backed search finds exactly the subjects whose names
contain the query, ranked exact, start, part, other name, shorter first; and when the search
limits itself to the first candidates of a broad query, it says so and finds nothing false."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert, select
from tests.helpers import uscc_code

from xinyong.registry import name_index
from xinyong.registry.name_index import Match
from xinyong.store.database import Database
from xinyong.store.tables import name_grams, subject_names, subjects

ALPHABET = "甲乙丙丁有限公司"
NOW = datetime(2026, 11, 23, tzinfo=UTC)

names = st.text(ALPHABET, min_size=1, max_size=8)
people = st.lists(
    st.tuples(names, st.lists(names, max_size=2)),  # a name and its other names
    min_size=1,
    max_size=12,
)


def _load(conn: Connection, entries: list[tuple[str, list[str]]]) -> None:
    for n, (name, others) in enumerate(entries, start=1):
        conn.execute(
            insert(subjects),
            {
                "id": n,
                "code": uscc_code(n, "410102"),
                "id_scheme": "uscc",
                "kind": "enterprise",
                "name": name,
                "status": "active",
                "source": "test",
                "created_at": NOW,
            },
        )
        for k, other in enumerate(dict.fromkeys(others)):
            conn.execute(
                insert(subject_names),
                {
                    "subject_id": n,
                    "name": other,
                    "kind": "alias" if k else "former",
                    "source": "test",
                    "created_at": NOW,
                },
            )
    name_index.rebuild(conn)


def _expected(entries: list[tuple[str, list[str]]], query: str) -> dict[int, Match]:
    found: dict[int, Match] = {}
    for n, (name, others) in enumerate(entries, start=1):
        if name == query:
            found[n] = Match.NAME
        elif name.startswith(query):
            found[n] = Match.NAME_START
        elif query in name:
            found[n] = Match.NAME_PART
        elif any(query in other for other in others):
            found[n] = Match.OTHER_NAME
    return found


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[tuple[str, list[str]]], str]:
    entries = draw(people)
    every = [entries[0][0], *(o for _, others in entries for o in others)]
    source = draw(st.sampled_from(every))
    if len(source) >= 2 and draw(st.booleans()):
        start = draw(st.integers(0, len(source) - 2))
        end = draw(st.integers(start + 2, len(source)))
        query = source[start:end]
    else:
        query = draw(st.text(ALPHABET, min_size=2, max_size=4))
    return entries, query


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases(), probe=st.sampled_from([1, 2, 1000]), most=st.sampled_from([1, 3, 5000]))
def test_search_equals_the_oracle(
    db: Database, case: tuple[list[tuple[str, list[str]]], str], probe: int, most: int
) -> None:
    entries, query = case
    expected = _expected(entries, query)
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            _load(conn, entries)
            found = name_index.search(conn, query, limit=100, probe=probe, most=most)
        finally:
            transaction.rollback()
    got = {hit.id: hit.match for hit in found.hits}
    assert all(expected.get(i) == match for i, match in got.items()), (got, expected)
    if not found.broad:
        assert got == expected
    else:
        assert len(got) <= most
    keys = [(hit.match, len(hit.name)) for hit in found.hits]
    assert keys == sorted(keys)


def test_a_broad_query_ranks_the_first_candidates_and_says_so(db: Database) -> None:
    entries = [(f"甲乙{'丙' * (n % 3)}有限公司", []) for n in range(10)]
    with db.begin() as conn:
        _load(conn, entries)
        broad = name_index.search(conn, "有限公司", probe=2, most=3)
        narrow = name_index.search(conn, "有限公司", probe=1000, most=5000)
        none = name_index.search(conn, "丁丁", probe=2, most=3)
    assert broad.broad and {hit.id for hit in broad.hits} == {1, 2, 3}
    assert not narrow.broad and len(narrow.hits) == 10
    assert none.hits == [] and not none.broad


def test_the_rarest_grams_are_looked_up(db: Database) -> None:
    entries = [("甲乙有限公司", [])] * 20 + [("丙丁有限公司", [])]
    with db.begin() as conn:
        _load(conn, entries)
        counts = name_index.gram_counts(conn, ["甲乙", "丙丁", "乙有"], probe=5)
        narrowed = name_index.candidates(conn, "乙有限公", probe=5)
    assert counts == {"甲乙": 5, "丙丁": 1, "乙有": 5}
    assert narrowed is not None and narrowed[1] == 5  # every gram of the query is common


def test_rebuild_adds_only_what_is_missing(db: Database) -> None:
    entries = [("甲乙有限公司", ["丙丁"]), ("乙丙", [])]
    with db.begin() as conn:
        _load(conn, entries)  # rebuilds once
        assert name_index.rebuild(conn) == 0
        conn.execute(name_grams.delete().where(name_grams.c.gram == "丙丁"))
        assert name_index.rebuild(conn) == 1
        assert name_index.count_unindexed(conn) == 0
        rows = conn.execute(select(name_grams.c.gram, name_grams.c.subject_id)).all()
    assert sorted(rows) == sorted(
        [(g, 1) for g in name_index.grams("甲乙有限公司") | {"丙丁"}] + [("乙丙", 2)]
    )
