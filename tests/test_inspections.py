"""Double random, one open, end to end on the shipped market-regulation plan: the roster as of
the draw date (classes from the credit-risk scheme, forced in and kept out by the plan's
conditions), the commitment before the seed, the draw re-run by the standalone verifier in a
separate process, and results entered as records that close the targets' cases."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dueprocess import add_records, add_subject
from helpers import uscc_code
from xinyong.application import Application
from xinyong.clock import FixedClock
from xinyong.dueprocess.cases import CaseKind
from xinyong.errors import Conflict, InvalidInput
from xinyong.inspection import draw as algorithm
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import evaluation_runs, records, subjects

PLAN = "samr-double-random"
DAY = date(2026, 10, 9)
SEED = "2026-10-09 福利彩票3D 第2026268期 5 1 7"
SOURCE = "中国福利彩票发行管理中心 开奖公告"
POOL = """
pool: 北京市朝阳区市场监督管理局
inspectors:
  - {code: ZF-0001, name: 王一, department: 市场监管, region: "110101", active_from: 2020-01-01}
  - {code: ZF-0002, name: 李二, department: 市场监管, region: "110102", active_from: 2020-01-01}
  - {code: ZF-0003, name: 张三, department: 市场监管, region: "110105", active_from: 2020-01-01}
  - {code: ZF-0004, name: 赵四, department: 市场监管, region: "110106", active_from: 2020-01-01,
     relations: [{subject: "%(related)s", kind: former_employer, declared_on: 2024-01-01}]}
  - {code: ZF-0005, name: 钱五, department: 市场监管, region: "110108", active_from: 2020-01-01,
     active_to: 2026-06-30}
"""


def _app(db: Database, day: date = DAY) -> Application:
    return Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))


def _firms(db: Database) -> dict[str, str]:
    """Forty firms in Chaoyang: graded A to D by their records, one listed, two inspected."""
    codes: dict[str, str] = {}
    with db.begin() as conn:
        for serial in range(1, 41):
            code = uscc_code(serial, "110105")
            subject_id = add_subject(conn, code, "enterprise", "110105")
            if serial <= 5:  # D
                add_records(conn, subject_id, "ADM_PENALTY_SERIOUS", [date(2026, 1, 5)] * 2)
            elif serial <= 10:  # C
                add_records(conn, subject_id, "ADM_PENALTY_SERIOUS", [date(2026, 1, 5)])
                add_records(conn, subject_id, "ADM_PENALTY_GENERAL", [date(2026, 1, 5)])
            elif serial <= 15:  # B
                add_records(conn, subject_id, "ADM_PENALTY_GENERAL", [date(2026, 1, 5)] * 2)
            if serial == 16:
                add_records(conn, subject_id, "SUL_MARKET", [date(2026, 3, 1)], ground="虚假登记")
            if serial in (17, 18):
                add_records(
                    conn, subject_id, "ADM_INSPECTION", [date(2026, 2, 1)], result="compliant"
                )
            codes[str(serial)] = code
        add_subject(conn, uscc_code(99, "430102"), "enterprise", "430102")
    return codes


def _pool(app: Application, tmp_path: Path, related: str) -> None:
    path = tmp_path / "pool.yaml"
    path.write_text(POOL % {"related": related}, encoding="utf-8")
    loaded = app.inspections.load_pool(path, "人事科")
    assert (loaded.added, loaded.relations) == (5, 1)


def test_a_draw_is_committed_drawn_verified_and_its_results_entered(
    db: Database, tmp_path: Path
) -> None:
    codes = _firms(db)
    app = _app(db)
    _pool(app, tmp_path, codes["3"])
    draw = app.inspections.commit(PLAN, "科长甲")
    inputs = draw.inputs()
    roster = {s["code"]: s for s in inputs["roster"]}
    assert roster[codes["1"]]["class"] == "D" and roster[codes["7"]]["class"] == "C"
    assert roster[codes["12"]]["class"] == "B" and roster[codes["30"]]["class"] == "A"
    assert roster[codes["16"]]["status"] == "always"
    assert roster[codes["16"]]["because"] == ["serious_untrustworthy"]
    assert {roster[codes["17"]]["status"], roster[codes["18"]]["status"]} == {"excluded"}
    assert len(roster) == 41  # the Hunan firm too: the plan is national
    # the inspector who left in June is not in the pool; the declared relation is
    pool = {p["code"]: p for p in inputs["pool"]}
    assert sorted(pool) == ["ZF-0001", "ZF-0002", "ZF-0003", "ZF-0004"]
    assert pool["ZF-0004"]["conflicts"] == [codes["3"]]
    assert draw.commitment == algorithm.commitment(inputs)

    done = app.inspections.draw(draw.id, SEED, SOURCE, "科长乙")
    result = done.result()
    assert result is not None and result["commitment"] == draw.commitment
    targets = {t["code"]: t for t in result["targets"]}
    assert targets[codes["16"]]["why"] == "always"
    assert codes["17"] not in targets and codes["18"] not in targets
    # 3% of the 39 subjects not kept out, rounded up
    assert result["floor"]["required"] == 2 and len(targets) >= 2
    for code, target in targets.items():
        assert len(target["inspectors"]) == 2, target
        assert "ZF-0003" not in target["inspectors"] or not code[2:8].startswith("110105")
        assert "ZF-0004" not in target["inspectors"] or code != codes["3"]
    assert app.inspections.verify(draw.id) == []

    # a second seed is refused: a draw runs once
    with pytest.raises(Conflict, match="a draw is run once"):
        app.inspections.draw(draw.id, "another", SOURCE, "科长丙")

    # each target is an inspection case with the due day, until its result is entered
    code, target = next(iter(sorted(targets.items())))
    inbox = app.cases.inbox(kind=CaseKind.INSPECTION)
    assert len(inbox) == len(targets) and {c.deadline for c in inbox} == {done.due_on}
    # 20 working days from Friday 9 October 2026, Saturday 10 October being a working day
    assert done.due_on == date(2026, 11, 5)
    with pytest.raises(InvalidInput, match="is not an inspector of"):
        app.inspections.enter_result(draw.id, code, "compliant", "ZF-0005", "ZF-0005")
    record_id = app.inspections.enter_result(
        draw.id, code, "ordered_to_rectify", target["inspectors"][0], target["inspectors"][0]
    )
    (entered,) = app.inspections.targets(draw.id, code)
    assert (entered.record_id, entered.result) == (record_id, "ordered_to_rectify")
    assert len(app.cases.inbox(kind=CaseKind.INSPECTION)) == len(targets) - 1
    with pytest.raises(Conflict, match="was entered already"):
        app.inspections.enter_result(
            draw.id, code, "compliant", target["inspectors"][1], target["inspectors"][1]
        )
    # the result is a record like any other, and it re-graded its subject
    with db.connect() as conn:
        stored = conn.execute(select(records).where(records.c.id == record_id)).one()
        regraded = conn.execute(
            select(evaluation_runs.c.scheme_id).where(evaluation_runs.c.kind == "incremental")
        ).scalars()
        assert "samr-enterprise-credit-risk" in set(regraded)
    assert stored.item_code == "ADM_INSPECTION"
    assert stored.attributes["draw"] == done.reference
    assert stored.attributes["result"] == "ordered_to_rectify"


def test_the_standalone_verifier_reproduces_the_draw_in_another_process(
    db: Database, tmp_path: Path
) -> None:
    codes = _firms(db)
    app = _app(db)
    _pool(app, tmp_path, codes["3"])
    draw = app.inspections.draw(app.inspections.commit(PLAN, "科长甲").id, SEED, SOURCE, "乙")
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "inputs.json").write_text(draw.inputs_text, encoding="utf-8")
    (folder / "result.json").write_text(draw.result_text or "", encoding="utf-8")
    # the script alone, outside the package, on a Python without xinyong on its path
    script = folder / "verify_draw.py"
    shutil.copy(Path(algorithm.__file__), script)

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-I", str(script), "inputs.json", "result.json", *extra],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )

    verified = run("--commitment", draw.commitment)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "verified" in verified.stdout and draw.commitment in verified.stdout
    # a roster changed after the commitment hashes to another commitment
    inputs = json.loads(draw.inputs_text)
    inputs["roster"] = inputs["roster"][1:]
    (folder / "inputs.json").write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    changed = run("--commitment", draw.commitment)
    assert changed.returncode == 1 and "not the published" in changed.stdout
    # so does a result that does not follow from the inputs and the seed
    (folder / "inputs.json").write_text(draw.inputs_text, encoding="utf-8")
    result = json.loads(draw.result_text or "")
    result["targets"] = result["targets"][1:]
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    tampered = run()
    assert tampered.returncode == 1 and "1 targets missing" in tampered.stdout


def test_a_new_record_before_the_draw_date_changes_the_commitment(
    db: Database, tmp_path: Path
) -> None:
    codes = _firms(db)
    app = _app(db)
    _pool(app, tmp_path, codes["3"])
    first = app.inspections.preview(PLAN)
    before = app.inspections.commit(PLAN, "甲", on=date(2026, 10, 8))
    with db.begin() as conn:
        add_records(
            conn,
            add_subject(conn, uscc_code(77, "110105"), "enterprise", "110105"),
            "ADM_PENALTY_GENERAL",
            [date(2026, 9, 1)],
        )
    after = app.inspections.commit(PLAN, "甲", on=DAY)
    assert before.commitment != after.commitment
    assert len(after.inputs()["roster"]) == len(before.inputs()["roster"]) + 1
    assert sum(first.counts["A"].values()) + 1 == sum(
        1 for s in after.inputs()["roster"] if s["class"] == "A"
    )
    with pytest.raises(Conflict):
        app.inspections.commit(PLAN, "乙", on=DAY)  # one draw of a plan per day
    with pytest.raises(InvalidInput, match="a day that has passed"):
        app.inspections.commit(PLAN, "乙", on=date(2026, 10, 10))


LENIENT_PLAN = """
scheme:
  id: test-lenient-draw
  version: 1
  type: inspection
  title: {zh: 测试抽查, en: Test draw}
  authority: 测试局
  region: "110000"
  cadence: yearly
  legal_basis: [{document: 国发〔2019〕5号}]
  effective_from: 2020-01-01
  published_on: 2020-01-01
scope: {kinds: [enterprise], region: "110000"}
inspection:
  classes:
    scheme: samr-enterprise-credit-risk
    rates: {A: 1, B: 1, C: 1, D: 1}
    default: {name: unrated, rate: 1}
  never:
    - id: hit_by_the_epidemic
      reason: {zh: 受疫情影响, en: hit by the epidemic}
      leniency: [spc-2020-epidemic-grace]
  commit_before: 1D
  conflicts: {same_region: none, inspected_within: 1Y}
"""


def test_leniency_keeps_subjects_out_and_the_seed_waits_for_the_commitment(
    db: Database, tmp_path: Path
) -> None:
    from xinyong.registry.tags import add_tag

    codes = _firms(db)
    plan = tmp_path / "plan.yaml"
    plan.write_text(LENIENT_PLAN, encoding="utf-8")
    settings = Settings(database_url=db.url, scheme_paths=[plan])
    app = Application.build(settings, db=db, clock=FixedClock(DAY))
    _pool(app, tmp_path, codes["3"])
    with db.connect() as conn:
        subject_id = conn.execute(
            select(subjects.c.id).where(subjects.c.code == codes["20"])
        ).scalar_one()
    with db.begin() as conn:
        add_tag(conn, subject_id, "epidemic_affected", date(2026, 1, 1), source="t", basis="t")
    draw = app.inspections.commit("test-lenient-draw", "甲")
    roster = {s["code"]: s for s in draw.inputs()["roster"]}
    assert roster[codes["20"]]["status"] == "excluded"
    assert roster[codes["20"]]["because"] == ["hit_by_the_epidemic"]
    assert len(roster) == 40  # Beijing's firms only
    with pytest.raises(Conflict, match="may be entered from 2026-10-10"):
        app.inspections.draw(draw.id, SEED, SOURCE, "乙")
    assert isinstance(app.clock, FixedClock)
    app.clock.day = date(2026, 10, 10)
    done = app.inspections.draw(draw.id, SEED, SOURCE, "乙")
    targets = {t["code"] for t in (done.result() or {})["targets"]}
    assert targets == {code for code, s in roster.items() if s["status"] != "excluded"}


def test_over_http_a_draw_is_committed_seeded_published_verified_and_answered(
    db: Database, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from xinyong.disclosure.tokens import Role, issue
    from xinyong.web import create_app

    codes = _firms(db)
    with db.begin() as conn:
        official = issue(conn, "李科长", Role.OFFICIAL, region_code="110000")
        elsewhere = issue(conn, "张科长", Role.OFFICIAL, region_code="430000")
        hunan_dept = issue(conn, "某局", Role.DEPARTMENT, region_code="430000", department="x")
        department = issue(conn, "王检查员", Role.DEPARTMENT, region_code="110000", department="x")
    _pool(_app(db), tmp_path, codes["3"])

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    app = create_app(Settings(today=DAY, database_url=db.url), db)
    with TestClient(app, raise_server_exceptions=False) as c:
        refused = c.post(
            "/inspections/draws", json={"plan": "hunan-double-random"}, headers=bearer(official)
        )
        assert refused.status_code == 403 and "region" in refused.json()["detail"]
        dated = c.post(
            "/inspections/draws", json={"plan": PLAN, "on": "2026-01-01"}, headers=bearer(elsewhere)
        )
        assert dated.status_code == 422  # the server dates the roster
        made = c.post("/inspections/draws", json={"plan": PLAN}, headers=bearer(elsewhere))
        assert made.status_code == 403  # a national plan is not a province's to draw
        with db.begin() as conn:
            national = issue(conn, "国家局", Role.OFFICIAL)
        made = c.post("/inspections/draws", json={"plan": PLAN}, headers=bearer(national))
        assert made.status_code == 201, made.text
        draw_id = made.json()["id"]
        assert made.json()["state"] == "committed" and made.json()["seed"] is None
        inputs = c.get(f"/inspections/draws/{draw_id}/inputs.json")
        assert hashlib.sha256(inputs.content).hexdigest() == made.json()["commitment"]
        seeded = c.post(
            f"/inspections/draws/{draw_id}/seed",
            json={"seed": SEED, "source": SOURCE},
            headers=bearer(national),
        )
        assert seeded.status_code == 200, seeded.text
        again = c.post(
            f"/inspections/draws/{draw_id}/seed",
            json={"seed": "x", "source": SOURCE},
            headers=bearer(national),
        )
        assert again.status_code == 409
        result = c.get(f"/inspections/draws/{draw_id}/result.json")
        assert hashlib.sha256(result.content).hexdigest() == seeded.json()["result_sha256"]
        folder = tmp_path / "download"
        folder.mkdir()
        (folder / "inputs.json").write_bytes(inputs.content)
        (folder / "result.json").write_bytes(result.content)
        (folder / "verifier.py").write_bytes(c.get("/inspections/verifier.py").content)
        checked = subprocess.run(
            [
                sys.executable,
                "-I",
                "verifier.py",
                "inputs.json",
                "result.json",
                "--commitment",
                made.json()["commitment"],
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        targets = c.get(f"/inspections/draws/{draw_id}/targets").json()
        assert len(targets) == seeded.json()["targets"] and all(t["deadline"] for t in targets)
        first = targets[0]
        body = {
            "subject": first["subject"],
            "result": "compliant",
            "inspector": first["inspectors"][0],
        }
        far = c.post(f"/inspections/draws/{draw_id}/results", json=body, headers=bearer(hunan_dept))
        assert far.status_code == 403
        entered = c.post(
            f"/inspections/draws/{draw_id}/results", json=body, headers=bearer(department)
        )
        assert entered.status_code == 201, entered.text
        twice = c.post(
            f"/inspections/draws/{draw_id}/results", json=body, headers=bearer(department)
        )
        assert twice.status_code == 409
        bad = c.post(
            f"/inspections/draws/{draw_id}/results",
            json={
                **body,
                "subject": targets[1]["subject"],
                "result": "fine",
                "inspector": targets[1]["inspectors"][0],
            },
            headers=bearer(department),
        )
        assert bad.status_code == 422 and "result" in bad.text
        listed = c.get(f"/inspections/draws/{draw_id}/targets").json()
        assert listed[0]["result"] == "compliant"


def test_the_plans_rotation_rule_keeps_last_draws_inspectors_away(
    db: Database, tmp_path: Path
) -> None:
    codes = _firms(db)
    plan = tmp_path / "plan.yaml"
    plan.write_text(LENIENT_PLAN, encoding="utf-8")
    settings = Settings(database_url=db.url, scheme_paths=[plan])
    app = Application.build(settings, db=db, clock=FixedClock(date(2026, 10, 12)))
    _pool(app, tmp_path, codes["3"])
    assert isinstance(app.clock, FixedClock)
    first = app.inspections.commit("test-lenient-draw", "甲", on=date(2026, 10, 9))
    app.clock.day = date(2026, 10, 13)  # the plan publishes a commitment a day before its seed
    first = app.inspections.draw(first.id, SEED, SOURCE, "乙")
    second = app.inspections.commit("test-lenient-draw", "甲")
    pool = {p["code"]: set(p["conflicts"]) for p in second.inputs()["pool"]}
    before = {t["code"]: t["inspectors"] for t in (first.result() or {})["targets"]}
    for code, inspectors in before.items():
        assert all(code in pool[i] for i in inspectors)  # each steps aside for its subject
    app.clock.day = date(2026, 10, 14)
    second = app.inspections.draw(second.id, "another seed", SOURCE, "乙")
    after = {t["code"]: t for t in (second.result() or {})["targets"]}
    for code, target in after.items():
        assert not set(target["inspectors"]) & set(before.get(code, [])), code
    # subject 3 has one inspector left: ZF-0004 declared a relation, two went last time
    assert len(after[codes["3"]]["inspectors"]) == 1 and after[codes["3"]]["unassigned"]


SHIPPED_POOL = """
pool: 测试名录
inspectors:
  - {code: ZF-1001, name: 甲, department: 市场监管, region: "430202", active_from: 2020-01-01,
     qualifications: [market_regulation, road_transport]}
  - {code: ZF-1002, name: 乙, department: 市场监管, region: "430302", active_from: 2020-01-01,
     qualifications: [market_regulation, road_transport]}
  - {code: ZF-1003, name: 丙, department: 交通运输, region: "120101", active_from: 2020-01-01,
     qualifications: [road_transport]}
  - {code: ZF-1004, name: 丁, department: 交通运输, region: "120102", active_from: 2020-01-01,
     qualifications: [road_transport]}
"""


def _shipped_plans() -> list[str]:
    from xinyong.catalog.items import Catalog
    from xinyong.schemes.library import Library

    return [p.id for p in Library.load(Catalog.load()).plans()]


@pytest.mark.parametrize("plan_id", _shipped_plans())
def test_every_shipped_plans_draw_is_reproduced_by_the_verifier(
    db: Database, tmp_path: Path, plan_id: str
) -> None:
    with db.begin() as conn:
        for serial in range(1, 61):
            code = uscc_code(serial, "430102")
            subject_id = add_subject(conn, code, "enterprise", "430102", "54")
            if serial % 7 == 0:
                add_records(conn, subject_id, "ADM_PENALTY_SERIOUS", [date(2026, 1, 5)] * 2)
            if serial % 11 == 0:
                add_records(conn, subject_id, "ROAD_ACCIDENT", [date(2026, 3, 1)], level="major")
    app = _app(db)
    pool = tmp_path / "pool.yaml"
    pool.write_text(SHIPPED_POOL, encoding="utf-8")
    app.inspections.load_pool(pool, "人事科")
    draw = app.inspections.draw(app.inspections.commit(plan_id, "甲").id, SEED, SOURCE, "乙")
    result = draw.result() or {}
    assert result["targets"], plan_id
    assert all(len(t["inspectors"]) == 2 for t in result["targets"]), plan_id
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "inputs.json").write_text(draw.inputs_text, encoding="utf-8")
    (folder / "result.json").write_text(draw.result_text or "", encoding="utf-8")
    (folder / "verifier.py").write_text(app.inspections.verifier_source(), encoding="utf-8")
    checked = subprocess.run(
        [
            sys.executable,
            "-I",
            "verifier.py",
            "inputs.json",
            "result.json",
            "--commitment",
            draw.commitment,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


LIST_PLAN = """
scheme:
  id: test-list-classes
  version: 1
  type: inspection
  title: {zh: 按名单抽查, en: Draw by list}
  authority: 郑州市生态环境局
  region: "410100"
  cadence: yearly
  legal_basis: [{document: 国发〔2019〕5号}]
  effective_from: 2020-01-01
  published_on: 2020-01-01
scope: {kinds: [enterprise], region: "410100"}
inspection:
  classes:
    scheme: zhengzhou-environment
    by: list
    rates: {blacklist: 1, warning: 0.5, redlist: 0}
    default: {name: other, rate: 0.1}
"""


def test_classes_may_come_from_the_lists_a_subject_is_on(db: Database, tmp_path: Path) -> None:
    from xinyong.dueprocess.listings import notify, propose, put_on_list, sign_off
    from xinyong.evaluation.runs import store_run

    plan = tmp_path / "plan.yaml"
    plan.write_text(LIST_PLAN, encoding="utf-8")
    settings = Settings(database_url=db.url, scheme_paths=[plan])
    app = Application.build(settings, db=db, clock=FixedClock(DAY))
    ids = {}
    with db.begin() as conn:
        for serial, violations in ((1, 5), (2, 2), (3, 0), (4, 1)):
            ids[serial] = add_subject(
                conn, uscc_code(serial, "410102"), "enterprise", "410102", "26"
            )
            days = [date(2026, m, 1) for m in range(1, violations + 1)]
            add_records(conn, ids[serial], "ENV_VIOLATION", days, conduct="no_permit")
        scheme = app.library.get("zhengzhou-environment")
        run = store_run(conn, scheme, app.catalog, date(2026, 8, 31))
        for listing in propose(conn, scheme, app.catalog, run, date(2026, 9, 1)):
            if listing.subject_id == ids[3]:
                continue  # a proposal that is not through due process does not class anyone
            notify(conn, listing.id, date(2026, 9, 1), "科员", scheme, app.catalog)
            sign_off(conn, listing.id, date(2026, 9, 15), "处长")
            put_on_list(conn, listing.id, date(2026, 9, 15), "处长", [])
    roster = {
        s["code"]: s["class"]
        for s in app.inspections.commit("test-list-classes", "甲").inputs()["roster"]
    }
    assert roster == {
        uscc_code(1, "410102"): "blacklist",
        uscc_code(2, "410102"): "warning",
        uscc_code(3, "410102"): "other",
        uscc_code(4, "410102"): "other",
    }
