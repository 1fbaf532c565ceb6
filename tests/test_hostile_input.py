"""Hostile files, ingested on SQLite and PostgreSQL alike: each row is stored right or refused
with its row and field, never half-written, never a server error."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import penalty, uscc_code
from xinyong.errors import XinyongError
from xinyong.ingest.batches import BatchReport
from xinyong.ingest.pipeline import Ingestor
from xinyong.store.audit import verify
from xinyong.store.database import Database
from xinyong.store.tables import quarantine, records, subjects

HEADER = ["subject_code", "subject_name", "item_code", "decided_on", "reference"]


def _problems(report: BatchReport) -> dict[int, str]:
    return {r.number: "; ".join(str(p) for p in r.problems) for r in report.rejected}


def _stored(db: Database) -> tuple[int, int, int]:
    with db.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (records, subjects, quarantine)
        )


def test_an_xlsx_that_understates_its_size_is_read_whole(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(50):
        row = penalty(uscc_code(i + 1), f"X-{i}")
        sheet.append([row[h] for h in HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    # Rewrite the sheet's stated size to two rows, as some programs write it.
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:E2"', data)
                assert b'ref="A1:E2"' in data
            target.writestr(item, data)
    path = tmp_path / "understated.xlsx"
    path.write_bytes(out.getvalue())
    report = ingestor.ingest_file(path, "市场监管局")
    assert (report.rows_total, report.accepted) == (50, 50)


def test_a_gbk_row_in_a_utf8_file_is_refused_not_misread(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    rows = [penalty(uscc_code(i + 1), f"G-{i}") for i in range(3)]
    lines = [",".join(HEADER).encode()] + [
        ",".join(str(r[h]) for h in HEADER).encode("gbk" if i == 1 else "utf-8")
        for i, r in enumerate(rows)
    ]
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = ingestor.ingest_file(path, "市场监管局")
    assert report.encoding == "utf-8"
    assert report.accepted == 2
    assert "subject_name: is not valid text in the file's encoding" in _problems(report)[3]
    with db.connect() as conn:
        names = set(conn.execute(select(subjects.c.name)).scalars())
    assert names == {"南京恒达建设工程有限公司"}  # no subject under a garbled name


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("subject_name", "南京\x00恒达", "contains a control character"),
        ("reference", "罚" * 300, "is 300 characters; at most 200"),
        ("subject_name", "恒达" * 150, "is 300 characters; at most 200"),
        ("fine_10k_cny", "1e400", "is larger than any amount recorded"),
        ("fine_10k_cny", "9" * 30, "is larger than any amount recorded"),
    ],
)
def test_values_no_column_can_keep_are_refused_naming_the_field(
    ingestor: Ingestor, db: Database, tmp_path: Path, field: str, value: str, problem: str
) -> None:
    good = penalty(uscc_code(1), "OK-1")
    bad = {**penalty(uscc_code(2), "BAD-1"), field: value}
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in [good, bad]) + "\n", encoding="utf-8"
    )
    report = ingestor.ingest_file(path, "市场监管局")
    assert report.accepted == 1
    assert f"{field}: {problem}" in _problems(report)[2], _problems(report)
    assert _stored(db) == (1, 1, 1)
    with db.connect() as conn:
        kept = conn.execute(select(quarantine.c.raw)).scalar_one()
        assert verify(conn).intact
    assert "\x00" not in json.dumps(kept)  # the quarantine keeps NUL as its escape


def test_a_line_separator_inside_a_json_string_keeps_row_numbers(
    ingestor: Ingestor, tmp_path: Path
) -> None:
    rows = [
        penalty(uscc_code(1), "J-1"),
        {**penalty(uscc_code(2), "J-2"), "subject_name": "南京\u2028恒达"},
        {**penalty(uscc_code(3), "J-3"), "decided_on": "not a date"},
    ]
    path = tmp_path / "sep.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = ingestor.ingest_file(path, "市场监管局")
    assert report.rows_total == 3 and report.accepted == 2
    assert list(_problems(report)) == [3]


def test_a_200_character_idempotency_key_is_accepted(db: Database) -> None:
    from xinyong.application import Application
    from xinyong.settings import Settings

    app = Application.build(Settings(database_url=db.url), db=db)
    done = app.records.submit(
        [penalty(uscc_code(1), "K-1")],
        source="市场监管局",
        actor="dept",
        key="k" * 200,
        answer=lambda ingested: {"batch": ingested.report.batch_id},
    )
    assert done.status == 201
    again = app.records.submit(
        [penalty(uscc_code(1), "K-1")],
        source="市场监管局",
        actor="dept",
        key="k" * 200,
        answer=lambda ingested: {"batch": ingested.report.batch_id},
    )
    assert again.replayed and again.body == done.body


@pytest.mark.parametrize(
    "content",
    [b"", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, b'subject_code,"unclosed\n1,2\n'],
    ids=["empty", "binary", "unclosed-quote"],
)
def test_broken_files_are_refused_whole_or_by_row(
    ingestor: Ingestor, db: Database, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    try:
        report = ingestor.ingest_file(path, "市场监管局")
    except XinyongError as refused:
        assert str(refused)  # says why
        assert _stored(db) == (0, 0, 0)
        return
    assert report.accepted == 0 and report.rejected
    assert _stored(db)[:2] == (0, 0)


def test_a_truncated_xlsx_is_refused_with_a_reason(ingestor: Ingestor, tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(XinyongError, match=r"not a readable \.xlsx"):
        ingestor.ingest_file(path, "市场监管局")


def test_two_corrections_of_one_record_in_one_batch_keep_one_version(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    from helpers import write_jsonl

    code = uscc_code(1)
    ingestor.ingest_file(write_jsonl(tmp_path / "a.jsonl", [penalty(code, "C-1")]), "市场监管局")
    fix = {"action": "correct", "target_reference": "C-1"}
    report = ingestor.ingest_file(
        write_jsonl(
            tmp_path / "b.jsonl",
            [
                {**penalty(code, "C-1", fine_10k_cny="1"), **fix},
                {**penalty(code, "C-1", fine_10k_cny="2"), **fix},
            ],
        ),
        "市场监管局",
    )
    assert report.accepted == 1
    assert "is already changed (correction) by row 1 of this batch" in _problems(report)[2]
    with db.connect() as conn:
        newest = conn.execute(
            select(func.count())
            .select_from(records)
            .where(
                records.c.id.not_in(
                    select(records.c.supersedes_id).where(records.c.supersedes_id.is_not(None))
                )
            )
        ).scalar_one()
    assert newest == 1  # one version in effect


def test_an_old_business_registration_number_is_not_taken_for_a_person(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    from helpers import write_jsonl

    old = "410102000101123"  # 15 digits; read as a first-generation ID it would be born 1900
    rows = [
        {**penalty(uscc_code(1), "R-1"), "subject_code": old},
        {**penalty(uscc_code(1), "R-2"), "subject_code": "410102850101123", "subject_kind": "企业"},
    ]
    report = ingestor.ingest_file(write_jsonl(tmp_path / "old.jsonl", rows), "市场监管局")
    problems = _problems(report)
    assert report.accepted == 0
    assert "birth year 1900" in problems[1] and "工商注册号" in problems[1]
    assert "subject_code: 15 digits for a firm are its old business registration" in problems[2]
    assert _stored(db)[:2] == (0, 0)  # nobody registered as an individual born in 1900
