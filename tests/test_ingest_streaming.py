"""Property: a file read, checked and written a part at a time stores and quarantines exactly
what the same file does in one part: the same records (and versions of records), the same
revocations and repairs, the same quarantined rows with the same messages, the same report,
whatever the size of the parts and whatever mix of new rows, duplicates, damaged rows,
unknown subjects and changes to records of this or an earlier batch the file holds.

A record is named by the batch and row it came from: its id is the database's, given in the
order rows are written, and a row that waited for a later one (its subject named further
down) is written later."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conftest import postgres_schema, schema_url
from helpers import bad_check, penalty, uscc_code, write_csv
from xinyong.catalog.items import Catalog
from xinyong.errors import UnsupportedFile
from xinyong.ingest.batches import BatchReport
from xinyong.ingest.pipeline import Ingestor
from xinyong.ingest.readers import read_bytes, read_file
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import quarantine, record_events, records, subjects

TODAY = date(2026, 11, 23)
CATALOG = Catalog.load()


def _row(op: tuple[str, int, int, str]) -> dict[str, Any]:
    kind, subject, ref, damage = op
    code = uscc_code(subject)
    if kind == "new":
        row = penalty(code, f"F-{ref}", fine_10k_cny=str(ref + 1))
        if damage == "unnamed":  # a subject not registered, sent without its name
            row.pop("subject_name")
        elif damage == "checksum":
            row["subject_code"] = bad_check(code)
        elif damage == "future":
            row["decided_on"] = "2031-01-01"
        return row
    if kind == "correct":
        row = penalty(uscc_code(ref % 5), f"F-{ref}", fine_10k_cny="9")
        return {**row, "action": "correct", "target_reference": f"F-{ref}"}
    return {"action": kind, "target_reference": f"F-{ref}", "decided_on": "2024-06-01"}


ops = st.tuples(
    st.sampled_from(["new", "new", "new", "correct", "revoke", "repair"]),
    st.integers(0, 6),
    st.integers(0, 9),
    st.sampled_from(["none", "none", "unnamed", "checksum", "future"]),
)


def _named(text_: str, by_id: dict[int, tuple[int, int]]) -> str:
    return re.sub(r"record #(\d+)", lambda m: f"record {by_id.get(int(m[1]))}", text_)


def _stored(db: Database) -> tuple[dict[str, Any], dict[int, tuple[int, int]]]:
    with db.connect() as conn:
        codes = dict(conn.execute(select(subjects.c.id, subjects.c.code)).all())
        rows = conn.execute(select(records).order_by(records.c.id)).all()
        by_id = {r.id: (r.batch_id, r.row_number) for r in rows}
        return {
            "subjects": sorted(codes.values()),
            "records": sorted(
                (
                    r.batch_id,
                    r.row_number,
                    codes[r.subject_id],
                    r.item_code,
                    r.reference,
                    r.decided_on,
                    r.attributes,
                    by_id.get(r.supersedes_id),
                )
                for r in rows
            ),
            "events": sorted(
                (e.batch_id, e.row_number, e.kind, by_id[e.record_id], e.effective_on)
                for e in conn.execute(select(record_events))
            ),
            "quarantine": sorted(
                (q.batch_id, q.row_number, q.field, q.value, _named(q.message, by_id))
                for q in conn.execute(select(quarantine))
            ),
        }, by_id


def _report(report: BatchReport, by_id: dict[int, tuple[int, int]]) -> tuple[Any, ...]:
    return (
        report.rows_total,
        report.accepted,
        report.quarantined,
        report.subjects_registered,
        dict(report.items),
        report.warnings,
        [(r.number, [_named(str(p), by_id) for p in r.problems]) for r in report.rejected],
        sorted((by_id[record], kind) for record, kind in report.amended),
    )


def _ingest(url: str, folder: Path, files: list[Path], part: int) -> tuple[Any, ...]:
    db = Database(url)
    db.migrate()
    ingestor = Ingestor(db, CATALOG, Settings(today=TODAY, ingest_stream_rows=part))
    done = [ingestor.ingest_file(path, "局") for path in files]
    stored, by_id = _stored(db)
    db.dispose()
    return [_report(report, by_id) for report in done], stored


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    earlier=st.lists(ops, max_size=6),
    batch=st.lists(ops, min_size=1, max_size=30),
    part=st.integers(1, 7),
)
def test_a_file_in_parts_is_stored_as_in_one(
    earlier: list[tuple[str, int, int, str]], batch: list[tuple[str, int, int, str]], part: int
) -> None:
    with TemporaryDirectory() as name:
        folder = Path(name)
        files = []
        if earlier:
            files.append(write_csv(folder / "earlier.csv", [_row(op) for op in earlier]))
        files.append(write_csv(folder / "batch.csv", [_row(op) for op in batch]))
        whole = _ingest(f"sqlite:///{folder / 'whole.db'}", folder, files, 10**6)
        parts = _ingest(f"sqlite:///{folder / 'parts.db'}", folder, files, part)
        assert parts == whole


@pytest.mark.postgres
def test_parts_on_postgresql_match_one_part(tmp_path: Path) -> None:
    batch = [
        ("new", 1, 1, "none"),
        ("new", 2, 1, "none"),  # the same decision number again: refused
        ("correct", 0, 3, "none"),  # names a record that comes later in the file
        ("new", 3, 3, "none"),
        ("new", 4, 4, "unnamed"),
        ("revoke", 0, 1, "none"),
        ("new", 5, 5, "future"),
        ("new", 1, 1, "none"),  # refused again, three parts after the first
        ("new", 6, 6, "none"),  # recorded by the earlier batch: refused
    ]
    earlier = [("new", 6, 6, "none")]
    files = [
        write_csv(tmp_path / "earlier.csv", [_row(op) for op in earlier]),
        write_csv(tmp_path / "batch.csv", [_row(op) for op in batch]),
    ]
    found = {}
    for part in (10**6, 2):
        with postgres_schema() as schema:
            found[part] = _ingest(schema_url(schema), tmp_path, files, part)
    assert found[2] == found[10**6]
    reports, _ = found[2]
    assert reports[1][1] == 4  # F-1, F-3, its correction, the revocation of F-1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8", '行政相对人名称,文号\n甲公司,A-1\n\n乙公司,"B,2"\n'.encode()),
        ("bom", "\ufeff名称,文号\r\n甲,A-1\r\n".encode()),
        ("gbk", "名称,文号\n甲公司,A-1\n乙公司,B-2\n".encode("gbk")),
        ("mixed", "名称,文号\n甲公司,A-1\n".encode() + "乙公司,B-2\n".encode("gbk")),
        ("ragged", b'a,b\n1,2,3\n"open,4\n'),
    ],
)
def test_a_file_read_from_disk_reads_as_the_same_bytes_in_memory(
    tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)
    streamed, whole = read_file(path), read_bytes(data, path.name, "csv")
    assert (streamed.columns, streamed.encoding, streamed.sha256) == (
        whole.columns,
        whole.encoding,
        whole.sha256,
    )
    assert list(streamed.iter_rows()) == whole.rows
    assert list(streamed.iter_rows()) == whole.rows  # read again: the same rows


def test_a_file_in_neither_encoding_is_refused_before_any_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,b\n\xff\xfe\x81,1\n")
    with pytest.raises(UnsupportedFile, match="neither UTF-8 nor GB18030"):
        read_file(path)
    with pytest.raises(UnsupportedFile, match="line 2 is not valid utf-8"):
        read_file(path, encoding="utf-8")


@pytest.mark.parametrize(("data", "rows"), [(b"a\n1\n2\n", 2), (b"a\n1\n2", 2), (b"a\n", 0)])
def test_a_streamed_file_knows_about_how_many_rows_it_has(
    tmp_path: Path, data: bytes, rows: int
) -> None:
    path = tmp_path / "n.csv"
    path.write_bytes(data)
    assert read_file(path).size == rows  # the progress bar's total, before any row is read


def test_the_seal_reads_back_the_same_bytes_it_always_sealed(tmp_path: Path) -> None:
    """The seal is hashed from the sealed columns, by position; the bytes are those of each
    whole stored row's canonical form, so that seals kept before still verify."""
    from xinyong.store.seals import _EVENT_FIELDS, _RECORD_FIELDS, _canonical, _stream

    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    db.migrate()
    ingestor = Ingestor(db, CATALOG, Settings(today=TODAY))
    first = write_csv(
        tmp_path / "1.csv", [_row(("new", 1, 1, "none")), _row(("new", 2, 2, "none"))]
    )
    ingestor.ingest_file(first, "局")
    second = write_csv(
        tmp_path / "2.csv",
        [
            {**_row(("new", 3, 3, "none")), "decided_in": "320102"},
            _row(("revoke", 0, 1, "none")),
            _row(("correct", 0, 2, "none")),
        ],
    )
    batch = ingestor.ingest_file(second, "局").batch_id
    with db.connect() as conn:
        expected = [
            (r.id, _canonical("record", r, _RECORD_FIELDS))
            for r in conn.execute(
                select(records).where(records.c.batch_id == batch).order_by(records.c.id)
            )
        ] + [
            (e.record_id, _canonical("event", e, _EVENT_FIELDS))
            for e in conn.execute(
                select(record_events)
                .where(record_events.c.batch_id == batch)
                .order_by(record_events.c.id)
            )
        ]
        assert len(expected) == 3 and b'"decided_in": "320102"' in expected[0][1]
        assert list(_stream(conn, batch)) == expected
    db.dispose()
