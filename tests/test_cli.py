"""The command line, run as a user runs it: a separate process, its output and exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import bad_check, penalty, uscc_code, write_csv


def run(
    tmp_path: Path, *args: str, ok: bool = True, today: str = "2026-11-23"
) -> subprocess.CompletedProcess[str]:
    """One command; ``today`` is the operator's fixed clock (steps are dated by the clock)."""
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "XINYONG_TODAY": today,
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    run(tmp_path, "init")
    return tmp_path


def test_init_reports_the_migration(tmp_path: Path) -> None:
    from xinyong.store.database import Database

    head = Database("sqlite://").head_revision()
    assert f"is at migration {head}" in run(tmp_path, "init").stdout


def test_ingest_show_and_quarantine(ready: Path) -> None:
    code = uscc_code(21)
    path = write_csv(
        ready / "p.csv",
        [penalty(code, "CLI-1", fine_10k_cny="2"), penalty(bad_check(code), "CLI-2")],
    )
    out = run(ready, "ingest", str(path), "--source", "市场监管局").stdout
    assert "2 rows, 1 accepted, 1 quarantined" in out
    assert "row 3: subject_code: 统一社会信用代码 check character" in out
    again = run(ready, "ingest", str(path), "--source", "市场监管局").stdout
    assert "was already ingested" in again and "nothing changed" in again
    shown = run(ready, "subjects", "show", code).stdout
    assert "南京恒达建设工程有限公司" in shown and "CLI-1" in shown and "in_effect" in shown
    listed = run(ready, "quarantine", "list").stdout
    assert "p.csv" in listed and "check character" in listed
    assert code in run(ready, "subjects", "search", "恒达").stdout


def test_errors_are_one_line_and_a_non_zero_exit(ready: Path) -> None:
    missing = run(ready, "subjects", "show", uscc_code(99), ok=False)
    assert missing.stderr.strip() == f"error: no subject with code {uscc_code(99)}"
    bad = ready / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    refused = run(ready, "ingest", str(bad), "--source", "局", ok=False)
    assert (
        refused.stderr.strip()
        == "error: bad.xls: old .xls workbooks are not read; save it as .xlsx"
    )
    assert len(refused.stderr.strip().splitlines()) == 1


def test_an_uninitialised_database_says_what_to_do(tmp_path: Path) -> None:
    result = run(tmp_path, "quarantine", "list", ok=False)
    assert "run 'xinyong init'" in result.stderr


def test_catalog_commands(tmp_path: Path) -> None:
    listed = run(tmp_path, "catalog", "list", "--category", "honours").stdout
    assert "HON_BLOOD_DONATION" in listed and "ADM_LICENCE" not in listed
    shown = run(tmp_path, "catalog", "show", "ADM_PENALTY_SERIOUS").stdout
    assert "发改办财金〔2019〕527号" in shown
    broken = tmp_path / "broken.yaml"
    broken.write_text("catalog: {}\nitems: []\n", encoding="utf-8")
    assert "broken.yaml" in run(tmp_path, "catalog", "check", str(broken), ok=False).stderr


def test_generate_then_demo(tmp_path: Path) -> None:
    out = run(tmp_path, "generate", "--subjects", "50", "--records", "300", "--out", "s").stdout
    assert "penalties_gbk.csv" in out
    demo = run(tmp_path, "demo", "--folder", "s").stdout
    assert "rows quarantined" in demo and "xinyong subjects show" in demo
    assert "rows sent without a code proposed for review" in demo
    assert "行政处罚信息 (administrative_penalty)" in demo
    # Every engine gives the database's own results on the demo data.
    engines = ["duckdb"]
    try:
        import pyspark  # noqa: F401

        engines.append("spark")
    except ImportError:
        pass
    results = 0
    for scheme in ("shenzhen-rental-bike", "zhengzhou-environment"):
        args = ("evaluate", scheme, "--as-of", "2026-06-30")
        own = run(tmp_path, *args).stdout.splitlines()
        assert own[0].startswith("run #"), own
        results += len(own) - 1
        for engine in engines:
            other = run(tmp_path, *args, "--engine", engine).stdout.splitlines()
            assert other[0].split(":", 1)[1] == own[0].split(":", 1)[1], engine
            assert other[1:] == own[1:], engine
    assert results > 0  # grades or lists to compare, not only empty runs


def test_public_view_masks_a_person(ready: Path) -> None:
    from helpers import resident_id

    person = resident_id(7, region="110105", born="19491231")
    path = write_csv(
        ready / "v.csv",
        [
            {
                "subject_code": person,
                "subject_name": "张三丰",
                "item_code": "HON_VOLUNTEER",
                "decided_on": "2024-01-01",
                "hours": "3",
            },
            {
                "subject_code": person,
                "subject_name": "张三丰",
                "item_code": "QUAL_PROFESSIONAL",
                "decided_on": "2024-01-02",
                "qualification": "执业药师",
            },
        ],
    )
    run(ready, "ingest", str(path), "--source", "志愿服务联合会")
    public = run(ready, "subjects", "show", person, "--public").stdout
    assert "110105********" in public and person not in public
    assert "张**" in public and "张三丰" not in public
    assert "HON_VOLUNTEER" not in public  # restricted: not in the public view
    assert "QUAL_PROFESSIONAL" not in public  # shared between departments only
    own = run(ready, "subjects", "show", person).stdout
    assert person in own and "HON_VOLUNTEER" in own


def test_scheme_commands(tmp_path: Path) -> None:
    listed = run(tmp_path, "schemes", "list").stdout
    assert "zhengzhou-environment" in listed and "shenzhen-rental-bike" in listed
    shown = run(tmp_path, "schemes", "show", "zhengzhou-environment").stdout
    assert "环发〔2013〕150号" in shown and "Rule 5: " in shown
    tested = run(tmp_path, "schemes", "test").stdout
    assert tested.strip().endswith(" passed, 0 failed")
    sql = run(
        tmp_path,
        "schemes",
        "compile",
        "shenzhen-rental-bike",
        "--dialect",
        "postgres",
        "--as-of",
        "2025-06-30",
    ).stdout
    # PostgreSQL reads attributes with its own JSONB function; SQLite has no JSONB.
    assert "WITH rec AS" in sql and "JSONB_EXTRACT_PATH_TEXT(" in sql.upper()
    lite = run(tmp_path, "schemes", "compile", "shenzhen-rental-bike", "--dialect", "sqlite")
    assert "JSONB" not in lite.stdout.upper()
    bad = tmp_path / "bad.yaml"
    bad.write_text("scheme: {id: x}\n", encoding="utf-8")
    assert "bad.yaml:1:" in run(tmp_path, "schemes", "check", str(bad), ok=False).stderr


def test_evaluate_explain_and_compare(ready: Path) -> None:
    code = uscc_code(31, region="410105")
    rows = [
        {
            "subject_code": code,
            "subject_name": "郑州化工有限公司",
            "industry_code": "26",
            "registered_on": "2010-01-01",
        }
    ]
    run(ready, "ingest", str(write_csv(ready / "s.csv", rows)), "--source", "市场监管局")
    penalties = [
        {
            "subject_code": code,
            "item_code": "ENV_VIOLATION",
            "decided_on": "2025-03-01",
            "reference": f"郑环罚〔2025〕{i}号",
            "conduct": "exceedance",
        }
        for i in range(2)
    ]
    ingested = run(
        ready, "ingest", str(write_csv(ready / "e.csv", penalties)), "--source", "郑州市生态环境局"
    ).stdout
    assert "re-evaluated 1 subjects under" in ingested and "zhengzhou-environment@1" in ingested
    out = run(
        ready, "evaluate", "zhengzhou-environment", "--as-of", "2025-06-30", "--explain", code
    ).stdout
    assert "grade 环保良好: 1" in out
    assert "rule exceedance: 2 -> -20" in out and "the compiled query agrees" in out
    compared = run(
        ready,
        "compare",
        "zhengzhou-environment",
        "zhengzhou-environment",
        "--as-of",
        "2025-06-30",
        "--second-as-of",
        "2028-01-01",
    ).stdout
    assert f"{code}: 环保良好 (80.0) -> 环保诚信 (100.0)" in compared
    impact = run(ready, "schemes", "impact", "zhengzhou-environment", "--as-of", "2025-06-30")
    assert "against nothing (a first version)" in impact.stdout
    assert "1 subjects in scope" in impact.stdout and "grade:环保良好: 100.0%" in impact.stdout
    as_json = run(
        ready, "schemes", "impact", "zhengzhou-environment", "--as-of", "2025-06-30", "--json"
    ).stdout
    assert '"name": "grade:环保良好"' in as_json and '"interval"' in as_json
    submitted = run(ready, "schemes", "submit", "zhengzhou-environment@1", "--by", "王科员")
    assert "submitted by 王科员" in submitted.stdout and "cases pass" in submitted.stdout
    own = run(ready, "schemes", "publish", "zhengzhou-environment@1", "--by", "王科员", ok=False)
    assert "a second person approves it" in own.stderr
    published = run(ready, "schemes", "publish", "zhengzhou-environment@1", "--by", "李处长")
    assert "published by 李处长" in published.stdout


def test_rows_without_a_code_linked_from_the_command_line(ready: Path) -> None:
    import csv

    from xinyong.samples.linkage import LinkageData

    data = LinkageData(seed=9, provinces=("32",))
    firms = data.firms(300)
    mentions = [m for m in data.mentions(firms, 20) if m.truth]

    def write(name: str, rows: list[dict[str, str]]) -> str:
        path = ready / name
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return str(path)

    registry = [
        {
            "统一社会信用代码": f.code,
            "主体名称": f.name,
            "行政区划代码": f.region_code,
            "法定代表人": f.legal_representative,
            "注册号": f.registration_number,
        }
        for f in firms
    ]
    run(ready, "ingest", write("registry.csv", registry), "--source", "市场监管局")
    old = [
        {
            "行政相对人名称": m.name,
            "统一社会信用代码": "",
            "法定代表人": m.legal_representative or "",
            "住所": m.address or "",
            "行政处罚决定书文号": f"苏罚〔2019〕{n}号",
            "处罚决定日期": "2019-06-01",
            "处罚机关": "南京市市场监督管理局",
        }
        for n, m in enumerate(mentions, start=1)
    ]
    run(ready, "ingest", write("old.csv", old), "--source", "南京市市场监管局")
    proposed = run(ready, "link", "propose").stdout
    assert f"{len(mentions)} rows without a code examined" in proposed
    assert "[proposed]" in proposed
    listed = run(ready, "link", "list").stdout
    first, second = (int(line.split()[0][1:]) for line in listed.splitlines()[:2])
    shown = run(ready, "link", "show", str(first)).stdout
    assert "name: " in shown and "region: " in shown
    accepted = run(ready, "link", "accept", str(first), "--by", "王科员").stdout
    assert "accepted by 王科员: record #" in accepted
    rejected = run(
        ready, "link", "reject", str(second), "--by", "李科员", "--reason", "同名"
    ).stdout
    assert "rejected by 李科员" in rejected
    again = run(ready, "link", "accept", str(first), "--by", "王科员", ok=False)
    assert "already accepted" in again.stderr


def test_a_version_in_shadow_from_the_command_line(ready: Path) -> None:
    before = "2019-12-01"  # version 2 of the bike lists takes effect on 2020-01-01
    bike = "shenzhen-rental-bike@2"
    started = run(
        ready,
        "schemes",
        "shadow",
        "start",
        bike,
        "--days",
        "2",
        "--reason",
        "试运行",
        "--by",
        "王科员",
        today=before,
    )
    assert "2019-12-01 to 2019-12-02, started by 王科员 (试运行)" in started.stdout
    ran = run(ready, "schemes", "shadow", "run", today=before).stdout
    assert f"{bike} as of 2019-12-01" in ran and "beside run #" in ran
    assert "no shadow is due" in run(ready, "schemes", "shadow", "run", today=before).stdout
    shown = run(ready, "schemes", "shadow", "show", bike, today=before).stdout
    assert "2019-12-01:" in shown
    stopped = run(ready, "schemes", "shadow", "stop", bike, "--by", "李处长", today="2019-12-02")
    assert "stopped on 2019-12-02 by 李处长" in stopped.stdout
    late = run(
        ready,
        "schemes",
        "shadow",
        "start",
        bike,
        "--days",
        "2",
        "--reason",
        "x",
        "--by",
        "王",
        ok=False,
    )
    assert "in force since 2020-01-01" in late.stderr


def test_due_process_from_the_command_line(ready: Path) -> None:
    from helpers import resident_id

    rider = resident_id(3)
    rows = [
        {
            "subject_code": rider,
            "subject_name": "张三",
            "item_code": "BIKE_VIOLATION",
            "decided_on": day,
            "reference": f"SZ-BIKE-{n}",
            "conduct": "damage",
        }
        for n, day in enumerate(["2025-01-10", "2025-03-05", "2025-06-01"], start=1)
    ]
    path = write_csv(ready / "bike.csv", rows)
    run(ready, "ingest", str(path), "--source", "深圳市交通运输局")
    proposed = run(
        ready,
        "listings",
        "propose",
        "shenzhen-rental-bike",
        "--as-of",
        "2025-06-30",
        today="2025-07-01",
    ).stdout
    assert "2 proposed" in proposed and "shenzhen-rental-bike/untrustworthy (proposed)" in proposed
    number = proposed.split("#")[2].split()[0]  # the first listing line
    assert (
        "objections until 2025-07-11"
        in run(ready, "listings", "notify", number, today="2025-07-01").stdout
    )
    early = run(
        ready, "listings", "sign-off", number, "--by", "王科长", ok=False, today="2025-07-05"
    )
    assert "objection window is open until 2025-07-11" in early.stderr
    run(ready, "listings", "sign-off", number, "--by", "王科长", today="2025-07-11")
    assert (
        "listed 2025-07-12"
        in run(ready, "listings", "list", number, "--by", "王科长", today="2025-07-12").stdout
    )
    answer = run(
        ready,
        "check",
        rider,
        "--action",
        "rental",
        "--department",
        "bike_operator",
        "--at",
        "2025-08-01",
    ).stdout
    assert "1 measure(s) apply" in answer and "NO_BIKE_RENTAL" in answer
    guidance = run(
        ready, "repair", "guidance", rider, "--scheme", "shenzhen-rental-bike", "--on", "2025-08-01"
    ).stdout
    assert "leaves list untrustworthy: #1 (repair from 2025-08-01)" in guidance, guidance
    assert "with nothing done, on 2026-01-10" in guidance  # the first violation ages out
    assert rider not in answer  # masked
    members = run(
        ready, "listings", "members", "shenzhen-rental-bike/untrustworthy", "--at", "2025-08-01"
    ).stdout
    assert "1 on the list on 2025-08-01" in members and "period 1Y" in members
    opened = run(ready, "objections", "open", "1", "not me", "--by", "张三", today="2025-08-02")
    assert "OBJ-000001" in opened.stdout and "2025-08-22" in opened.stdout
    file = run(ready, "subjects", "show", rider, "--at", "2025-08-03").stdout
    assert "in_effect (disputed)" in file and "on list shenzhen-rental-bike/untrustworthy" in file
    assert "open case OBJ-000001" in file
    before = run(ready, "subjects", "show", rider, "--at", "2025-08-01").stdout
    assert "disputed" not in before
    public = run(ready, "subjects", "show", rider, "--public", "--at", "2025-08-03").stdout
    assert "SZ-BIKE" not in public  # shared between departments, never public
    inbox = run(ready, "cases", "inbox", "--overdue", "--on", "2025-09-01").stdout
    assert "OBJ-000001" in inbox and "1 overdue" in inbox
    shown = run(ready, "listings", "show", number).stdout
    assert "history replays to the stored state" in shown
    assert "2025-10-11" in run(ready, "calendar", "deadline", "2025-09-30", "3").stdout


def test_audit_verify_and_checkpoint(ready: Path) -> None:
    import sqlite3

    path = write_csv(ready / "p.csv", [penalty(uscc_code(31), "AUD-1")])
    run(ready, "ingest", str(path), "--source", "市场监管局")
    run(
        ready,
        "ingest",
        str(write_csv(ready / "q.csv", [penalty(uscc_code(32), "AUD-2")])),
        "--source",
        "市场监管局",
    )
    assert "the audit log is intact" in run(ready, "audit", "verify").stdout
    out = run(ready, "audit", "checkpoint", "--out", "head.json").stdout
    assert "unsigned (no key set)" in out
    with sqlite3.connect(ready / "cli.db") as conn:  # each batch and each re-evaluation
        actions = {a for (a,) in conn.execute("SELECT action FROM audit_log")}
        assert actions == {"batch.accepted", "evaluation.stored"}
        conn.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    assert "intact" in run(ready, "audit", "verify").stdout  # a cut tail needs the checkpoint
    failed = run(ready, "audit", "verify", "--checkpoint", "head.json", ok=False).stdout
    assert "rows were removed from the end" in failed
