"""Composition and incremental evaluation: a national grade read from published provincial
grades, and a new record re-evaluating its subject under the schemes in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers import penalty, uscc_code, write_csv
from xinyong.catalog.items import Catalog
from xinyong.evaluation.runs import publish_run, reevaluate, result_for, store_run
from xinyong.ingest.pipeline import Ingestor
from xinyong.registry.subjects import get
from xinyong.schemes.loading import load_scheme
from xinyong.store.database import Database

HEADER = """\
scheme:
  id: {id}
  version: 1
  type: rating
  title: {{zh: 测试, en: Test}}
  authority: 测试局
  region: "{region}"
  legal_basis: [{{document: 测试〔2025〕1号}}]
  effective_from: 2020-01-01
  published_on: 2019-12-01
window: 3Y
"""
PROVINCIAL = (
    HEADER
    + """\
score:
  base: 100
  rules: [{{id: p, when: {{item: ADM_PENALTY_GENERAL}}, per_record: -{deduction}}}]
grades:
  bands: [{{grade: A, min: 90}}, {{grade: B, min: 70}}, {{grade: C, min: 50}}, {{grade: D}}]
"""
)
NATIONAL = (
    HEADER
    + """\
grades:
  bands: [{{grade: A, min: 0}}, {{grade: C, min: -1}}, {{grade: D}}]
  overrides:
    - grade: D
      when: {{records: {{item: EVAL_INDUSTRY_GRADE, window: 1Y,
                        attribute: {{grade: {{one_of: [D]}}}}}}, at_least: 2}}
    - grade: C
      when: {{records: {{item: EVAL_INDUSTRY_GRADE, window: 1Y,
                        attribute: {{grade: {{one_of: [D]}}}}}}}}
"""
)


def test_national_grade_from_provincial_grades(
    ingestor: Ingestor, db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    bad, worse, clean = uscc_code(1), uscc_code(2), uscc_code(3)
    rows = [penalty(bad, f"B{i}") for i in range(3)] + [penalty(worse, f"W{i}") for i in range(6)]
    rows.append({**penalty(clean, "C0"), "item_code": "ADM_LICENCE"})
    ingestor.ingest_file(write_csv(tmp_path / "p.csv", rows), "局")
    files = {}
    for name, text in (
        ("js", PROVINCIAL.format(id="prov-js", region="320000", deduction=10)),
        ("zj", PROVINCIAL.format(id="prov-zj", region="330000", deduction=20)),
        ("cn", NATIONAL.format(id="national", region="000000")),
    ):
        files[name] = tmp_path / f"{name}.yaml"
        files[name].write_text(text, encoding="utf-8")
    js, zj, national = (load_scheme(files[n], catalog) for n in ("js", "zj", "cn"))
    as_of = date(2025, 6, 30)
    with db.begin() as conn:
        for provincial in (js, zj):
            publish_run(conn, store_run(conn, provincial, catalog, as_of), provincial)
        run = store_run(conn, national, catalog, as_of)
        ids = {code: get(conn, code).id for code in (bad, worse, clean)}
        grades = {code: result_for(conn, run.id, i)[1] for code, i in ids.items()}
    # bad: 70 in js (B), 40 in zj (D) -> one provincial D -> C
    # worse: 40 in js (D), -20 in zj (D) -> two -> D; clean: A everywhere -> A
    assert grades == {bad: "C", worse: "D", clean: "A"}


def test_a_new_record_reevaluates_its_subject(
    ingestor: Ingestor, db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "js.yaml"
    path.write_text(
        PROVINCIAL.format(id="prov-js", region="320000", deduction=10), encoding="utf-8"
    )
    scheme = load_scheme(path, catalog)
    code = uscc_code(7)
    first = ingestor.ingest_file(write_csv(tmp_path / "1.csv", [penalty(code, "N1")]), "局")
    as_of = date(2025, 6, 30)
    with db.begin() as conn:
        full = store_run(conn, scheme, catalog, as_of)
        subject_id = get(conn, code).id
        assert result_for(conn, full.id, subject_id)[:2] == (90.0, "A")
    second = ingestor.ingest_file(write_csv(tmp_path / "2.csv", [penalty(code, "N2")]), "局")
    assert first.subject_ids == second.subject_ids == {subject_id}
    with db.begin() as conn:
        (run,) = reevaluate(conn, [scheme], catalog, sorted(second.subject_ids), as_of)
        assert (run.kind, run.subjects) == ("incremental", 1)
        assert result_for(conn, run.id, subject_id)[:2] == (80.0, "B")
        assert result_for(conn, full.id, subject_id)[:2] == (90.0, "A")  # the old run is kept


def test_a_not_rated_grade_is_never_published(db: Database, catalog: Catalog) -> None:
    """A provincial 未评价 is no evaluation result: publishing skips it, so the national
    composite never reads it as a provincial grade."""
    from tests.dueprocess import add_subject

    from xinyong.schemes.library import Library

    library = Library.load(catalog)
    provincial = library.get("jiangsu-highway-construction")
    with db.begin() as conn:
        add_subject(conn, uscc_code(77), "enterprise", "320102", "48")
        run = store_run(conn, provincial, catalog, date(2025, 3, 31))
        assert result_for(conn, run.id, get(conn, uscc_code(77)).id)[1] == "未评价"
        assert publish_run(conn, run, provincial) == 0


def test_the_national_composite_counts_provinces_that_graded_d_directly(
    db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    """Grades published by the shipped Jiangsu scheme and by a second province's copy of it
    carry how they were reached; the shipped national composite counts the provinces whose D
    was set directly (by an override), not the records, and holds a D by the score at C."""
    from tests.dueprocess import add_records, add_subject

    from xinyong.schemes.library import Library

    library = Library.load(catalog)
    jiangsu = library.get("jiangsu-highway-construction")
    # the copy grades firms of any region, and bribery is no direct D there
    copy = (
        jiangsu.text.replace("id: jiangsu-highway-construction", "id: zhejiang-highway-test")
        .replace("江苏省交通运输厅", "浙江省交通运输厅")
        .replace('region: "320000"', 'region: "330000"', 1)
        .replace('  region: "320000"\n', "", 1)
        .replace("  operating_in_region: true\n", "")
        .replace("[collusion, bribery, false_materials]", "[collusion, false_materials]")
    )
    (tmp_path / "zj.yaml").write_text(copy, encoding="utf-8")
    zhejiang = load_scheme(tmp_path / "zj.yaml", catalog)
    national = library.get("national-highway-construction")
    project = {"project": "p", "score": 90, "contract_10k_cny": 100}
    firms = {}
    with db.begin() as conn:
        for name, serial in (("both", 1), ("one", 2), ("score", 3)):
            code = uscc_code(serial)
            firms[name] = add_subject(conn, code, "enterprise", "320102", "48")
            add_records(conn, firms[name], "HWY_PROJECT_EVALUATION", [date(2024, 6, 1)], **project)
        misconduct = [date(2024, 5, 1)]
        add_records(conn, firms["both"], "HWY_BID_MISCONDUCT", misconduct, conduct="collusion")
        add_records(conn, firms["one"], "HWY_BID_MISCONDUCT", misconduct, conduct="bribery")
        add_records(
            conn,
            firms["score"],
            "HWY_PROJECT_EVALUATION",
            [date(2024, 7, 1)],
            project="q",
            score=10,
            contract_10k_cny=10000,
        )
        as_of = date(2025, 3, 31)
        for scheme in (jiangsu, jiangsu, zhejiang):  # Jiangsu publishes twice: one province
            publish_run(conn, store_run(conn, scheme, catalog, as_of), scheme)
        run = store_run(conn, national, catalog, date(2025, 6, 30))
        grades = {name: result_for(conn, run.id, i)[1] for name, i in firms.items()}
    assert grades == {"both": "D", "one": "C", "score": "C"}
