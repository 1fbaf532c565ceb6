"""Ingest: every kind of bad input named in the foundation issue, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import bad_check, penalty, resident_id, uscc_code, write_csv, write_jsonl
from xinyong.errors import BatchConflict, BatchRejected, UnsupportedFile
from xinyong.ingest.pipeline import Ingestor, quarantined_rows
from xinyong.registry.records import RecordState, in_effect, subject_records
from xinyong.registry.subjects import get, history
from xinyong.store.database import Database
from xinyong.store.tables import batches, quarantine, record_events, records, subjects


def count(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    with db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_good_rows_are_stored_with_their_subjects(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            penalty(uscc_code(1), "宁市监罚〔2024〕1号", fine_10k_cny="1.5"),
            penalty(uscc_code(2), "宁市监罚〔2024〕2号", severity="serious"),
        ],
    )
    report = ingestor.ingest_file(path, "南京市市场监督管理局")
    assert (report.rows_total, report.accepted, report.quarantined) == (2, 2, 0)
    assert report.subjects_registered == 2
    with db.connect() as conn:
        first = get(conn, uscc_code(1))
        views = subject_records(conn, first.id)
    assert first.name == "南京恒达建设工程有限公司" and first.region_code == "320102"
    assert [(v.item_code, v.severity, v.attributes, v.state) for v in views] == [
        ("ADM_PENALTY_GENERAL", 2, {"fine_10k_cny": 1.5}, RecordState.IN_EFFECT)
    ]
    assert views[0].row_number == 2  # the line in the file, header being line 1


def test_gbk_file_is_read_without_mojibake(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "gbk.csv",
        [penalty(uscc_code(3), "宁罚〔2024〕3号", violation="虚假宣传")],
        encoding="gbk",
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    report = ingestor.ingest_file(path, "市场监管局")
    assert report.encoding == "gb18030" and report.accepted == 1
    with db.connect() as conn:
        subject = get(conn, uscc_code(3))
        (view,) = subject_records(conn, subject.id)
    assert subject.name == "南京恒达建设工程有限公司"
    assert view.attributes["violation"] == "虚假宣传"


def test_a_wrong_encoding_is_an_error_not_mojibake(ingestor: Ingestor, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "gbk.csv", [penalty(uscc_code(3), "宁罚〔2024〕3号")], encoding="gbk"
    )
    with pytest.raises(UnsupportedFile, match="line 2 is not valid utf-8"):
        ingestor.ingest_file(path, "市场监管局", encoding="utf-8")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (penalty(bad_check(uscc_code(4)), "R1"), "subject_code", "check character is"),
        (
            penalty(uscc_code(4), "R1", item_code="PENALTY_UNLISTED"),
            "item_code",
            "is not in the catalog",
        ),
        (
            penalty(uscc_code(4), "R1", decided_on="2027-01-01"),
            "decided_on",
            "is in the future (today is 2026-11-23)",
        ),
        (penalty(uscc_code(4), "R1", decided_on="2024-02-30"), "decided_on", "not a real date"),
        (penalty(uscc_code(4), "R1", decided_on="1900-01-01"), "decided_on", "check the year"),
        ({**penalty(uscc_code(4), "R1"), "decided_on": ""}, "decided_on", "is required"),
        ({**penalty(uscc_code(4), ""), "reference": ""}, "reference", "decision document number"),
        (penalty(uscc_code(4), "R1", fine_10k_cny="很多"), "fine_10k_cny", "expected a number"),
        (penalty(uscc_code(4), "R1", colour="red"), "colour", "is not an attribute of"),
        (penalty(uscc_code(4), "R1", severity="很严重"), "severity", "unknown severity"),
        (
            penalty(uscc_code(4), "R1", valid_to="2024-01-01"),
            "valid_to",
            "before the decision date",
        ),
        (
            {**penalty(uscc_code(4), "R1"), "item_code": "HON_BLOOD_DONATION"},
            "item_code",
            "applies to individual subjects, not to enterprise",
        ),
        ({**penalty(uscc_code(4), "R1"), "item_code": "JUD_DEFAULTER"}, "court", "is required"),
        (penalty(uscc_code(4), "R1", decided_in="3201"), "decided_in", "must be 6 digits"),
        (penalty(uscc_code(4), "R1", decided_in="999999"), "decided_in", "not a region code"),
    ],
)
def test_each_bad_row_goes_to_quarantine_with_field_and_reason(
    ingestor: Ingestor,
    db: Database,
    tmp_path: Path,
    row: dict[str, str],
    field: str,
    message: str,
) -> None:
    good = penalty(uscc_code(5), "GOOD-1")
    path = write_csv(tmp_path / "batch.csv", [good, row])
    report = ingestor.ingest_file(path, "市场监管局")
    assert (report.accepted, report.quarantined) == (1, 1)
    with db.connect() as conn:
        (stored,) = quarantined_rows(conn)
    assert stored["row_number"] == 3 and stored["field"] == field
    assert message in stored["message"]
    assert stored["file_name"] == "batch.csv"
    assert count(db, records) == 1


def test_a_malformed_csv_row_is_quarantined_not_dropped(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    good = penalty(uscc_code(6), "M-1")
    path = write_csv(tmp_path / "m.csv", [good])
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{uscc_code(7)},name,ADM_PENALTY_GENERAL,2024-01-01,M-2,surplus,cells\n")
    report = ingestor.ingest_file(path, "市场监管局")
    assert (report.accepted, report.quarantined) == (1, 1)
    assert report.rejected[0].number == 3
    assert "has 7 cells but the header has 5" in str(report.rejected[0].problems[0])
    with db.connect() as conn:
        raw = conn.execute(select(quarantine.c.raw)).scalar_one()
    assert raw["cell 1"] == uscc_code(7)  # the original cells are kept for the clerk


def test_jsonl_bad_lines_are_quarantined(ingestor: Ingestor, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl",
        [
            {**penalty(uscc_code(8), "J-1"), "attributes": {"fine_10k_cny": 2}},
            "{not json",
            "[1, 2]",
        ],
    )
    report = ingestor.ingest_file(path, "税务局")
    assert report.accepted == 1
    assert [(r.number, str(r.problems[0])[:14]) for r in report.rejected] == [
        (2, "not valid JSON"),
        (3, "each line must"),
    ]


def test_resending_a_batch_changes_nothing_and_says_so(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "b.csv", [penalty(uscc_code(9), "B-1"), penalty(bad_check(uscc_code(9)), "B-2")]
    )
    first = ingestor.ingest_file(path, "市场监管局", batch_key="2024-05")
    again = ingestor.ingest_file(path, "市场监管局", batch_key="2024-05")
    assert not first.already_ingested and again.already_ingested
    assert again.batch_id == first.batch_id and again.accepted == 1
    assert (count(db, records), count(db, quarantine), count(db, batches)) == (1, 1, 1)
    # Without a batch id the content is the id: the same file again is the same batch.
    assert ingestor.ingest_file(path, "市场监管局").already_ingested is False
    assert ingestor.ingest_file(path, "市场监管局").already_ingested is True


def test_same_batch_id_with_other_content_is_refused(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    ingestor.ingest_file(
        write_csv(tmp_path / "a.csv", [penalty(uscc_code(10), "C-1")]), "市场监管局", batch_key="B7"
    )
    other = write_csv(tmp_path / "b.csv", [penalty(uscc_code(10), "C-2")])
    with pytest.raises(BatchConflict, match=r"already received on .* with different content"):
        ingestor.ingest_file(other, "市场监管局", batch_key="B7")
    assert count(db, records) == 1
    # Another department may use the same batch id.
    assert ingestor.ingest_file(other, "税务局", batch_key="B7").accepted == 1


def test_a_decision_number_already_recorded_is_refused(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    ingestor.ingest_file(write_csv(tmp_path / "a.csv", [penalty(uscc_code(11), "D-1")]), "局")
    report = ingestor.ingest_file(
        write_csv(
            tmp_path / "b.csv",
            [
                penalty(uscc_code(11), "D-1", fine_10k_cny=3),
                penalty(uscc_code(11), "D-2"),
                penalty(uscc_code(11), "D-2"),
            ],
        ),
        "局",
    )
    assert report.accepted == 1
    messages = sorted(str(r.problems[0]) for r in report.rejected)
    assert (
        "ADM_PENALTY_GENERAL with this decision number is already record #1 (batch #1)"
        in (messages[0])
    )
    assert "already in row 3" in messages[1]


def test_strict_batch_is_all_or_nothing(ingestor: Ingestor, db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        [penalty(uscc_code(12), "S-1"), penalty(uscc_code(12), "S-2", decided_on="2030-01-01")],
    )
    with pytest.raises(BatchRejected, match=r"1 of 2 rows were rejected.*row 3: decided_on"):
        ingestor.ingest_file(path, "局", strict=True)
    assert (count(db, records), count(db, subjects), count(db, batches)) == (0, 0, 0)
    # The same file, not strict, can still be sent afterwards.
    assert ingestor.ingest_file(path, "局").accepted == 1


def test_unknown_subject_without_a_name_is_refused(ingestor: Ingestor, tmp_path: Path) -> None:
    row = {**penalty(uscc_code(13), "U-1"), "subject_name": ""}
    report = ingestor.ingest_file(write_csv(tmp_path / "u.csv", [row]), "局")
    assert report.accepted == 0
    assert "is not registered; give its name" in str(report.rejected[0].problems[0])


def test_corrections_revocations_and_repairs_are_new_facts(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    code = uscc_code(14)
    ingestor.ingest_file(
        write_csv(
            tmp_path / "1.csv",
            [penalty(code, "F-1", fine_10k_cny="10"), penalty(code, "F-2"), penalty(code, "F-3")],
        ),
        "局",
    )
    report = ingestor.ingest_file(
        write_csv(
            tmp_path / "2.csv",
            [
                {
                    **penalty(code, "F-1", fine_10k_cny="1"),
                    "action": "correct",
                    "target_reference": "F-1",
                },
                {
                    "action": "revoke",
                    "target_reference": "F-2",
                    "decided_on": "2024-06-01",
                    "reason": "复议撤销",
                },
                {"action": "repair", "target_reference": "F-3", "decided_on": "2024-07-01"},
                {"action": "revoke", "target_reference": "F-9", "decided_on": "2024-06-01"},
            ],
        ),
        "局",
    )
    assert (report.accepted, report.quarantined) == (3, 1)
    assert "no record from 局 matches" in str(report.rejected[0].problems[0])
    with db.connect() as conn:
        views = {(v.reference, v.state): v for v in subject_records(conn, get(conn, code).id)}
        original = conn.execute(
            select(records).where(records.c.reference == "F-1", records.c.supersedes_id.is_(None))
        ).one()
        effective = conn.execute(in_effect()).all()
    assert set(views) == {
        ("F-1", RecordState.IN_EFFECT),
        ("F-1", RecordState.SUPERSEDED),
        ("F-2", RecordState.REVOKED),
        ("F-3", RecordState.REPAIRED),
    }
    assert original.attributes == {"fine_10k_cny": 10.0}  # never edited in place
    assert [r.attributes for r in effective] == [{"fine_10k_cny": 1.0}]
    assert count(db, record_events) == 2


def test_only_the_sending_department_may_change_a_record(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    ingestor.ingest_file(write_csv(tmp_path / "1.csv", [penalty(uscc_code(15), "G-1")]), "甲局")
    report = ingestor.ingest_file(
        write_csv(
            tmp_path / "2.csv",
            [{"action": "revoke", "target_record_id": "1", "decided_on": "2024-06-01"}],
        ),
        "乙局",
    )
    assert "only the department that sent a record may change it" in str(
        report.rejected[0].problems[0]
    )


def test_individuals_and_region_warnings(ingestor: Ingestor, db: Database, tmp_path: Path) -> None:
    born_before_merger = resident_id(1, region="110103", born="19700101")  # 崇文区, retired 2009
    unknown_region = resident_id(2, region="119999")
    path = write_csv(
        tmp_path / "i.csv",
        [
            {
                "subject_code": born_before_merger,
                "subject_name": "张三",
                "item_code": "HON_VOLUNTEER",
                "decided_on": "2024-01-01",
                "hours": "12.5",
            },
            {
                "subject_code": unknown_region,
                "subject_name": "李四",
                "item_code": "HON_VOLUNTEER",
                "decided_on": "2024-01-01",
                "hours": "3",
            },
        ],
    )
    report = ingestor.ingest_file(path, "志愿服务联合会")
    assert (report.accepted, report.warnings) == (2, 1)  # unknown region: a warning, not a refusal
    with db.connect() as conn:
        warned = conn.execute(select(records.c.warnings).where(records.c.warnings.is_not(None)))
        (warnings,) = warned.one()
    assert "119999 is not in the GB/T 2260 table" in warnings[0]


def test_subject_registry_file(ingestor: Ingestor, db: Database, tmp_path: Path) -> None:
    code = uscc_code(16)
    path = write_csv(
        tmp_path / "subjects.csv",
        [
            {
                "subject_code": code,
                "subject_name": "苏州新锐科技有限公司",
                "region_code": "320505",
                "industry_code": "65",
                "registered_on": "2016-03-01",
                "status": "存续",
                "former_names": "苏州新锐电子有限公司",
            },
            {"subject_code": uscc_code(17), "subject_name": "无行业", "industry_code": "99"},
        ],
    )
    report = ingestor.ingest_file(path, "市场监管局")
    assert report.profile == "subjects" and (report.accepted, report.quarantined) == (1, 1)
    assert "industry_code" in str(report.rejected[0].problems[0])
    rename = write_csv(
        tmp_path / "rename.csv",
        [
            {
                "subject_code": code,
                "subject_name": "苏州新锐智能科技有限公司",
                "region_code": "320505",
            }
        ],
    )
    ingestor.ingest_file(rename, "市场监管局")
    with db.connect() as conn:
        subject = get(conn, code)
        changes = history(conn, subject.id)
    assert subject.name == "苏州新锐智能科技有限公司" and subject.industry_code == "65"
    assert [(c.field, c.old_value, c.new_value, c.source) for c in changes] == [
        ("name", "苏州新锐科技有限公司", "苏州新锐智能科技有限公司", "市场监管局")
    ]
    assert [(n.name, n.kind.value) for n in subject.names] == [
        ("苏州新锐电子有限公司", "former"),
        ("苏州新锐科技有限公司", "former"),
    ]


def test_the_legal_representative_comes_with_the_registry_and_changes_on_record(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    code = uscc_code(18)
    first = [
        {"统一社会信用代码": code, "主体名称": "苏州恒信科技有限公司", "法定代表人": "王建国"},
        {"统一社会信用代码": resident_id(18), "主体名称": "王某", "法定代表人": "王某"},
    ]
    report = ingestor.ingest_file(write_csv(tmp_path / "a.csv", first), "市场监管局")
    assert (report.accepted, report.quarantined) == (1, 1)
    (refused,) = report.rejected[0].problems
    assert refused.field == "法定代表人" and "individual" in refused.message  # its own column
    later = [{"统一社会信用代码": code, "主体名称": "苏州恒信科技有限公司", "法定代表人": "李敏"}]
    ingestor.ingest_file(write_csv(tmp_path / "b.csv", later), "市场监管局")
    with db.connect() as conn:
        subject = get(conn, code)
        changes = history(conn, subject.id)
    assert subject.legal_representative == "李敏"
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("legal_representative", "王建国", "李敏")
    ]


def test_the_size_band_comes_in_words_or_chinese_and_changes_on_record(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    code = uscc_code(19)
    first = [
        {"统一社会信用代码": code, "主体名称": "苏州小微科技有限公司", "企业规模": "小型"},
        {"统一社会信用代码": uscc_code(20), "主体名称": "苏州某公司", "企业规模": "巨型"},
        {"统一社会信用代码": resident_id(19), "主体名称": "王某", "企业规模": "micro"},
    ]
    report = ingestor.ingest_file(write_csv(tmp_path / "a.csv", first), "统计局")
    assert (report.accepted, report.quarantined) == (1, 2)
    problems = [p for r in report.rejected for p in r.problems]
    assert [p.field for p in problems] == ["企业规模", "企业规模"]  # named by its own column
    assert "large, medium, small, micro" in problems[0].message
    assert "an individual has no size" in problems[1].message
    later = [{"统一社会信用代码": code, "主体名称": "苏州小微科技有限公司", "企业规模": "medium"}]
    ingestor.ingest_file(write_csv(tmp_path / "b.csv", later), "统计局")
    with db.connect() as conn:
        subject = get(conn, code)
        changes = history(conn, subject.id)
    assert subject.size_band == "medium"
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("size_band", "small", "medium")
    ]


def test_nothing_accepted_is_lost_and_nothing_rejected_is_dropped(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    rows = [penalty(uscc_code(100 + i), f"N-{i}") for i in range(40)]
    for i in range(0, 40, 7):
        rows[i] = {**rows[i], "decided_on": "2024-13-01"}
    report = ingestor.ingest_file(write_csv(tmp_path / "n.csv", rows), "局")
    with db.connect() as conn:
        stored = {n for (n,) in conn.execute(select(records.c.row_number))}
        held = {n for (n,) in conn.execute(select(quarantine.c.row_number))}
    assert stored | held == set(range(2, 42)) and not stored & held
    assert len(held) == report.quarantined == 6


def test_double_publicity_penalty_file_unchanged(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    code, person = uscc_code(30), resident_id(30)
    rows = [
        {
            "行政相对人名称": "南京恒达建设工程有限公司",
            "行政相对人类别": "法人及非法人组织",
            "统一社会信用代码": code,
            "法定代表人": "王某",
            "行政处罚决定书文号": "宁市监罚〔2024〕30号",
            "处罚类别": "罚款",
            "罚款金额（万元）": "5",
            "处罚决定日期": "2024/5/6",
            "失信严重程度": "严重",
            "处罚机关": "南京市市场监督管理局",
            "备注": "",
        },
        {
            "行政相对人名称": "张三",
            "行政相对人类别": "自然人",
            "证件号码": person,
            "行政处罚决定书文号": "宁市监罚〔2024〕31号",
            "处罚决定日期": "2024年5月7日",
            "处罚类别": "警告",
        },
        {
            "行政相对人名称": "李四",
            "证件号码": resident_id(31),
            "行政处罚决定书文号": "X",
            "处罚决定日期": "2024-02-30",
        },
    ]
    path = write_csv(tmp_path / "双公示.csv", rows, encoding="gbk")
    report = ingestor.ingest_file(path, "南京市市场监督管理局")
    assert report.profile == "double_publicity_penalty"
    assert (report.accepted, report.quarantined) == (2, 1)
    assert str(report.rejected[0].problems[0]).startswith("处罚决定日期:")  # the clerk's column
    with db.connect() as conn:
        stored = {r.reference: r for r in conn.execute(select(records))}
    first = stored["宁市监罚〔2024〕30号"]
    assert (first.item_code, first.severity, str(first.decided_on)) == (
        "ADM_PENALTY_SERIOUS",
        3,
        "2024-05-06",
    )
    assert first.attributes == {
        "penalty_type": "罚款",
        "fine_10k_cny": 5.0,
        "authority": "南京市市场监督管理局",
    }  # no legal representative
    assert stored["宁市监罚〔2024〕31号"].item_code == "ADM_PENALTY_GENERAL"


def test_where_a_record_was_decided_is_sent_or_read_from_the_authoritys_code(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    """A record's region is its ``decided_in`` where given, else the region in the deciding
    authority's USCC (a state organ's code, 11 + the region + ...), else unknown."""
    authority = uscc_code(1, region="320100", prefix="11")
    rows = [
        penalty(uscc_code(40), "D1", decided_in="330106"),
        penalty(uscc_code(41), "D2", authority_code=authority),
        penalty(uscc_code(42), "D3", decided_in="440305", authority_code=authority),
        penalty(uscc_code(43), "D4"),
    ]
    report = ingestor.ingest_file(write_csv(tmp_path / "where.csv", rows), "局")
    assert (report.accepted, report.quarantined) == (4, 0)
    with db.connect() as conn:
        found = {r.reference: r.decided_in for r in conn.execute(select(records))}
    assert found == {"D1": "330106", "D2": "320100", "D3": "440305", "D4": None}


def test_excel_licence_file(ingestor: Ingestor, db: Database, tmp_path: Path) -> None:
    from datetime import date

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "行政相对人名称",
            "统一社会信用代码",
            "行政许可决定文书号",
            "许可类别",
            "许可决定日期",
            "有效期自",
            "有效期至",
            "许可机关",
        ]
    )
    sheet.append(
        [
            "苏州新锐科技有限公司",
            uscc_code(40),
            "苏许〔2024〕1号",
            "普通",
            date(2024, 3, 1),
            date(2024, 3, 1),
            date(2029, 2, 28),
            "苏州市行政审批局",
        ]
    )
    sheet.append(
        [
            "苏州新锐科技有限公司",
            uscc_code(40),
            "苏许〔2024〕2号",
            "特别",
            date(2024, 3, 2),
            None,
            None,
            "苏州市行政审批局",
        ]
    )
    sheet.append([None] * 8)
    workbook.save(tmp_path / "许可.xlsx")
    report = ingestor.ingest_file(tmp_path / "许可.xlsx", "苏州市行政审批局")
    assert report.profile == "double_publicity_licence"
    assert (report.rows_total, report.accepted, report.quarantined) == (2, 1, 1)
    assert report.rejected[0].number == 3
    assert str(report.rejected[0].problems[0]).startswith("许可类别:")
    with db.connect() as conn:
        (row,) = conn.execute(select(records))
    assert (str(row.valid_from), str(row.valid_to)) == ("2024-03-01", "2029-02-28")


def test_subjects_filter_by_location_and_industry(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    from xinyong.reference.identifiers import SubjectKind
    from xinyong.registry.subjects import filtered

    path = write_csv(
        tmp_path / "s.csv",
        [
            {
                "subject_code": uscc_code(50, "320505"),
                "subject_name": "苏州路桥",
                "industry_code": "48",
            },
            {
                "subject_code": uscc_code(51, "320102"),
                "subject_name": "南京软件",
                "industry_code": "65",
            },
            {
                "subject_code": uscc_code(52, "440305"),
                "subject_name": "深圳建筑",
                "industry_code": "4710",
            },
            {"subject_code": resident_id(53, "320505"), "subject_name": "王五"},
        ],
    )
    ingestor.ingest_file(path, "市场监管局", profile="subjects")
    with db.connect() as conn:

        def names(**kw: object) -> list[str]:
            return sorted(n for _, n, _, _ in filtered(conn, **kw))  # type: ignore[arg-type]

        assert names(region="320000") == ["南京软件", "王五", "苏州路桥"]
        assert names(region="320500") == ["王五", "苏州路桥"]
        assert names(industry="E") == ["深圳建筑", "苏州路桥"]
        assert names(industry="47") == ["深圳建筑"]
        assert names(region="320000", industry="E") == ["苏州路桥"]
        assert names(kind=SubjectKind.INDIVIDUAL) == ["王五"]
