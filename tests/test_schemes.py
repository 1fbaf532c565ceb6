"""Scheme files: checks at load time, shipped schemes' own test cases on every backend, and the
compiled SQL of the shipped schemes as golden files."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from xinyong.catalog.items import Catalog
from xinyong.evaluation.scheme_cases import run_tests
from xinyong.schemes.compiler import DIALECTS, to_sql
from xinyong.schemes.ir import plan
from xinyong.schemes.library import Library, shipped_scheme_files
from xinyong.schemes.loading import load_scheme
from xinyong.schemes.model import InvalidScheme, Scheme
from xinyong.schemes.roster import roster_scheme
from xinyong.store.database import Database

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_AS_OF = date(2025, 6, 30)

HEADER = """\
scheme:
  id: test-rating
  version: 1
  type: rating
  title: {zh: 测试, en: Test}
  authority: 测试局
  region: "320000"
  legal_basis: [{document: 测试〔2025〕1号}]
  effective_from: 2025-01-01
  published_on: 2024-12-01
window: 3Y
"""
BODY = """\
score:
  base: 100
  rules:
    - {id: general, when: {item: ADM_PENALTY_GENERAL}, per_record: -5, cap: 30}
  total: {min: 0, max: 100}
grades:
  bands: [{grade: A, min: 90}, {grade: B, min: 60}, {grade: C}]
"""


MEASURES = """\
measures:
  fines: {aggregate: sum, attribute: fine_10k_cny, records: {item: ADM_PENALTY_GENERAL}}
  awards: {aggregate: count, records: {item: HON_AWARD}}
"""


def write(tmp_path: Path, body: str = BODY) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


LANGUAGE = Path(__file__).parent / "schemes"


def all_schemes(catalog: Catalog, bench_catalog: Catalog) -> list[tuple[Scheme, Catalog]]:
    """The shipped schemes, the benchmark's and the language tests' (tests/schemes), each with
    the catalog it reads."""
    shipped = [(s, catalog) for s in Library.load(catalog)]
    language = Catalog.load([LANGUAGE / "catalog.yaml"])
    paths = sorted(p for p in LANGUAGE.glob("*.yaml") if p.name != "catalog.yaml")
    tests = [(load_scheme(path, language), language) for path in paths]
    bench = [
        (load_scheme(BENCH / name, bench_catalog), bench_catalog)
        for name in ("reference-scheme.yaml", "measures-scheme.yaml")
    ]
    return [*shipped, *bench, *tests]


def test_a_good_scheme_loads(tmp_path: Path, catalog: Catalog) -> None:
    scheme = load_scheme(write(tmp_path), catalog)
    assert scheme.key == "test-rating@1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            BODY.replace("per_record: -5", "per_record: -5, colour: red"),
            r"s\.yaml:15: unknown key 'score\.rules\.0\.colour'",
        ),
        (
            BODY.replace("ADM_PENALTY_GENERAL", "PENALTY_UNLISTED"),
            r"s\.yaml:15: item PENALTY_UNLISTED is not in the catalog",
        ),
        (
            BODY.replace("item: ADM_PENALTY_GENERAL", "item: HON_AWARD"),
            r"deducts points for positive-only item HON_AWARD; a positive item can only add",
        ),
        (
            BODY.replace("{grade: A, min: 90}", "{grade: A, min: 120}"),
            r"s\.yaml:18: band A needs 120 but the score is capped at 100",
        ),
        (
            BODY.replace("{grade: B, min: 60}", "{grade: B, min: 95}"),
            r"band minimums must strictly decrease",
        ),
        (BODY.replace("{grade: C}", "{grade: C, min: 0}"), r"only the last has no 'min'"),
        (
            BODY.replace("per_record: -5", "per_unit: -5, of: sum(violation)"),
            r"has no number attribute 'violation' to sum",
        ),
        (BODY.split("grades:")[0], r"a rating scheme needs 'grades'"),
        (BODY.replace("per_record: -5", "per_record: many"), r"score\.rules\.0\.per_record"),
        (
            MEASURES
            + BODY.replace(
                "{grade: C}]",
                "{grade: C}]\n  overrides: [{grade: C, when: "
                "{compare: [{measure: nope, above: 1}]}}]",
            ),
            r"s\.yaml:\d+: no measure 'nope' \(measures: awards, fines\)",
        ),
        (
            MEASURES.replace(
                "aggregate: sum, attribute: fine_10k_cny", "aggregate: mean, attribute: violation"
            )
            + BODY,
            r"s\.yaml:13: mean of ADM_PENALTY_GENERAL\.violation: it is text, not a number",
        ),
        (
            MEASURES
            + BODY.replace(
                "{grade: C}]",
                "{grade: C}]\n  overrides: [{grade: C, when: "
                "{compare: [{measure: fines, above: lots}]}}]",
            ),
            r"grades\.overrides\.0\.when\.compare\.0\.above",
        ),
        (
            MEASURES
            + BODY.replace(
                "{grade: C}]",
                "{grade: C}]\n  bars: [{highest: B, when: "
                "{compare: [{measure: awards, below: 1}]}}]",
            ),
            r"holds when measure 'awards' of positive item HON_AWARD is small or absent",
        ),
        (
            MEASURES
            + BODY.replace(
                "{grade: C}]",
                "{grade: C}]\n  overrides: [{grade: C, when: "
                "{compare: [{measure: fines, at_least: {measure: awards, times: 2}}]}}]",
            ),
            r"holds when measure 'awards' of positive item HON_AWARD is small",
        ),
        (
            BODY.replace(
                "when: {item: ADM_PENALTY_GENERAL}",
                "when: {item: ADM_PENALTY_GENERAL, "
                "attribute: {fine_10k_cny: {at_least: {attribute: violation}}}}",
            ),
            r"compared with 'violation', which is not a number attribute",
        ),
        (
            MEASURES.replace("{aggregate: count,", "{aggregate: count, attribute: honour,") + BODY,
            r"count reads no attribute",
        ),
        (
            MEASURES
            + BODY.replace(
                "when: {item: ADM_PENALTY_GENERAL}, per_record: -5", "measure: fine, per_unit: -5"
            ),
            r"no measure 'fine' \(measures: awards, fines\)",
        ),
    ],
)
def test_bad_schemes_are_refused_with_file_and_line(
    tmp_path: Path, catalog: Catalog, body: str, message: str
) -> None:
    with pytest.raises(InvalidScheme, match=message):
        load_scheme(write(tmp_path, body), catalog)


# On SQLite (and DuckDB) each shipped case is its own test, collected from the scheme files by
# xinyong.evaluation.pytest_plugin; here they run once more, on PostgreSQL.
@pytest.mark.parametrize(
    "db", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_shipped_scheme_cases_pass_on_postgresql(
    db: Database, catalog: Catalog, bench_catalog: Catalog
) -> None:
    results = [r for s, c in all_schemes(catalog, bench_catalog) for r in run_tests(db, s, c)]
    assert results, "no scheme test cases ran"
    failures = [f"{r.scheme} / {r.name}: {'; '.join(r.problems)}" for r in results if not r.passed]
    assert failures == []


def test_a_wrong_expectation_fails(db: Database, tmp_path: Path, catalog: Catalog) -> None:
    body = (
        'scope: {region: "320000"}\n'
        + BODY
        + """\
tests:
  - name: one general penalty
    as_of: 2025-06-30
    subject: {region: "320102"}
    records: [{item: ADM_PENALTY_GENERAL, decided_on: 2025-01-01}]
    expect: {score: 100, grade: A}
  - name: outside the region
    as_of: 2025-06-30
    subject: {region: "440305"}
    expect: {in_scope: false}
"""
    )
    scheme = load_scheme(write(tmp_path, body), catalog)
    wrong, outside = run_tests(db, scheme, catalog)
    assert wrong.problems == (
        "compiled: score 95, expected 100",
        "reference: score 95, expected 100",
    )
    assert outside.passed


def golden_cases() -> list[tuple[str, str]]:
    names = [p.stem for p in shipped_scheme_files()] + ["bench-reference", "bench-measures"]
    return [(name, dialect) for name in names for dialect in DIALECTS]


@pytest.mark.parametrize(("name", "dialect"), golden_cases())
def test_golden_sql(name: str, dialect: str, catalog: Catalog, bench_catalog: Catalog) -> None:
    if name.startswith("bench-"):
        file = "reference-scheme.yaml" if name == "bench-reference" else "measures-scheme.yaml"
        scheme, used = load_scheme(BENCH / file, bench_catalog), bench_catalog
    else:
        scheme = load_scheme(next(p for p in shipped_scheme_files() if p.stem == name), catalog)
        used = catalog
    if scheme.definition.inspection is not None:  # a plan compiles to its roster's query
        scheme = roster_scheme(scheme)
    sql = to_sql(plan(scheme, used, GOLDEN_AS_OF), dialect, pretty=True) + "\n"
    path = GOLDEN / f"{name}.{dialect}.sql"
    if os.environ.get("XINYONG_UPDATE_GOLDEN") == "1" or not path.exists():
        path.write_text(sql, encoding="utf-8")
        if os.environ.get("CI"):
            pytest.fail(f"golden file {path.name} was missing in CI; it has been written")
    assert sql == path.read_text(encoding="utf-8"), (
        f"compiled SQL changed; review and run with XINYONG_UPDATE_GOLDEN=1 to accept ({path})"
    )


def test_subject_conditions_by_industry_section(
    db: Database, tmp_path: Path, catalog: Catalog
) -> None:
    body = (
        BODY
        + """\
  bars:
    - {highest: B, when: {subject: {industry: [E]}}}
tests:
  - name: construction (section E, division 48) is held at B
    as_of: 2025-06-30
    subject: {region: "320102", industry: "4812"}
    expect: {score: 100, grade: B}
  - name: software (section I) is not
    as_of: 2025-06-30
    subject: {region: "320102", industry: "65"}
    expect: {score: 100, grade: A}
"""
    )
    scheme = load_scheme(write(tmp_path, body), catalog)
    assert [r.problems for r in run_tests(db, scheme, catalog, duckdb=True)] == [(), ()]


def test_published_policy_drops_records_past_their_publication_period(
    db: Database, tmp_path: Path, catalog: Catalog
) -> None:
    # ADM_PENALTY_GENERAL is published for at most 1 year; the window is 3 years.
    case = """\
tests:
  - name: a general penalty of two years ago
    as_of: 2025-06-30
    subject: {region: "320102"}
    records: [{item: ADM_PENALTY_GENERAL, decided_on: 2023-06-30}]
    expect: {score: EXPECTED}
"""
    counted = load_scheme(write(tmp_path, BODY + case.replace("EXPECTED", "95")), catalog)
    assert [r.problems for r in run_tests(db, counted, catalog, duckdb=True)] == [()]
    policy = "records: published\n" + BODY + case.replace("EXPECTED", "100")
    dropped = load_scheme(write(tmp_path, policy), catalog)
    assert [r.problems for r in run_tests(db, dropped, catalog, duckdb=True)] == [()]


def test_absence_may_gate_a_favourable_outcome(tmp_path: Path, catalog: Catalog) -> None:
    """No serious penalty in the window may gate the best grade, and a redlist may even ask
    for no honour (it harms nobody); the same comparisons in a bar are refused (above)."""
    body = MEASURES + BODY.replace(
        "{grade: C}]",
        "{grade: C}]\n  overrides: [{grade: A, when: {compare: [{measure: fines, equals: 0}, "
        "{measure: awards, below: 1}]}}]",
    )
    body += (
        "lists:\n  - {id: good, name: {zh: 红名单, en: Redlist}, period: 1Y, severity: redlist,\n"
        "     enter: {compare: [{measure: awards, at_most: 0}, {measure: fines, equals: 0}]}}\n"
    )
    scheme = load_scheme(write(tmp_path, body), catalog)
    assert [o.grade for o in scheme.definition.grades.overrides] == ["A"]  # type: ignore[union-attr]


def test_an_explanation_lists_each_named_measure_with_its_records(db: Database) -> None:
    """The weighted mean that made the score, the count behind the not-rated test and a
    minimum with no records, each with the records it read."""
    from xinyong.evaluation.explain import explain
    from xinyong.evaluation.scheme_cases import _load
    from xinyong.registry.subjects import code_of

    language = Catalog.load([LANGUAGE / "catalog.yaml"])
    scheme = load_scheme(LANGUAGE / "measures.yaml", language)
    case = next(c for c in scheme.definition.tests if "contract-weighted" in c.name)
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            subject_id = _load(conn, case, scheme)
            found = explain(conn, scheme, language, case.as_of, code_of(conn, subject_id))
        finally:
            transaction.rollback()
    measures = {name: (value, len(ids)) for name, value, ids in found.measures}
    assert measures["project_score"] == (85.0, 2) and measures["projects"] == (2.0, 2)
    assert measures["turnover"] == (None, 0)  # a maximum of no records has no value
    assert found.agrees_with_query and found.score == 85.0
    assert "  measure turnover = no value  [no records]" in found.lines()


def test_an_explanation_says_what_each_grade_step_and_list_read(
    db: Database, catalog: Catalog
) -> None:
    """Overrides, bars, the new-subject rule and list entries list what they read, with values
    and records: the provinces counted for a national D, and the previous grade that bars A."""
    from xinyong.evaluation.explain import Reading, explain
    from xinyong.evaluation.scheme_cases import _load
    from xinyong.registry.subjects import code_of
    from xinyong.schemes.library import Library

    library = Library.load(catalog)
    found = {}
    for scheme_id, name in (
        ("national-highway-construction", "direct Ds from two provinces give D nationally"),
        ("national-tax-credit", "a firm graded D in the previous evaluation year cannot be A"),
    ):
        scheme = library.get(scheme_id)
        case = next(c for c in scheme.definition.tests if c.name == name)
        with db.engine.connect() as conn:
            transaction = conn.begin()
            try:
                subject_id = _load(conn, case, scheme)
                found[scheme_id] = explain(
                    conn, scheme, catalog, case.as_of, code_of(conn, subject_id)
                )
            finally:
                transaction.rollback()
    national = {t.step: t for t in found["national-highway-construction"].tests}
    first = national["override 1 -> D"]
    assert first.holds
    (provinces,) = first.readings
    assert (provinces.what, provinces.value, len(provinces.record_ids)) == (
        "measure provinces_direct_d",
        2.0,
        2,
    )
    assert not national["bar 1 -> at best A"].holds
    tax = {t.step: t for t in found["national-tax-credit"].tests}
    assert tax["bar 2 -> at best B"].holds
    assert tax["bar 2 -> at best B"].readings == (Reading("previous grade", "D"),)
    assert not tax["bar 1 -> at best B"].holds
    assert tax["bar 1 -> at best B"].readings == (Reading("registered on", "2010-05-01"),)
    assert not tax["new subject -> M"].holds
    lines = found["national-tax-credit"].lines()
    assert "  bar 2 -> at best B: holds" in lines and "    previous grade = D" in lines
