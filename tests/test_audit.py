"""The tamper-evident audit log: actions append to a hash chain in their own transaction;
verify catches an edited, a deleted and a reordered row, and a truncated tail against a
checkpoint; one sequencer keeps the chain whole under concurrent writers."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, select, update

from helpers import penalty, uscc_code, write_csv
from xinyong.catalog.items import Catalog
from xinyong.evaluation.runs import store_run
from xinyong.ingest.pipeline import Ingestor
from xinyong.schemes.library import Library
from xinyong.store.audit import GENESIS, Checkpoint, append, checkpoint, verify
from xinyong.store.database import Database
from xinyong.store.tables import audit_log


def _chain(conn: Connection, n: int = 4) -> None:
    for i in range(n):
        append(conn, actor="王科长", action="test.step", target=f"thing:{i}", details={"i": i})


def test_actions_append_to_the_chain(
    ingestor: Ingestor, db: Database, catalog: Catalog, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv", [penalty(uscc_code(1), "A-1"), penalty(uscc_code(2), "A-2")]
    )
    ingestor.ingest_file(path, "市场监管局")
    ingestor.ingest_file(path, "市场监管局")  # a repeat changes nothing, so is not audited
    with db.begin() as conn:
        store_run(
            conn,
            Library.load(catalog).get("jiangsu-highway-construction"),
            catalog,
            date(2025, 3, 31),
        )
    with db.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.seq)).all()
        report = verify(conn)
    assert [(r.seq, r.action, r.actor) for r in rows] == [
        (1, "batch.accepted", "市场监管局"),
        (2, "evaluation.stored", "xinyong engine"),
    ]
    assert rows[0].prev_hash == GENESIS and rows[1].prev_hash == rows[0].hash
    assert rows[0].details["accepted"] == 2
    assert report.intact and report.rows == 2 and report.head_hash == rows[1].hash


def test_an_edited_row_is_caught(db: Database) -> None:
    with db.begin() as conn:
        _chain(conn)
        assert verify(conn).intact
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(actor="someone else"))
        problems = verify(conn).problems
    assert problems == ("row 2 (test.step thing:1) was edited: its hash differs",)


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(db: Database) -> None:
    """Rewriting a row and its hash is not enough: the next row still links to the old hash."""
    from xinyong.store.audit import _digest

    with db.begin() as conn:
        _chain(conn)
        row = conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()
        forged = _digest(
            2,
            row.recorded_at,
            "someone else",
            row.action,
            row.object,
            None,
            row.details,
            row.prev_hash,
        )
        conn.execute(
            update(audit_log).where(audit_log.c.seq == 2).values(actor="someone else", hash=forged)
        )
        problems = verify(conn).problems
    assert problems == (
        "row 3 does not link to the row before it (a row before it was deleted, edited or moved)",
    )


def test_a_deleted_row_is_caught(db: Database) -> None:
    with db.begin() as conn:
        _chain(conn)
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
        problems = verify(conn).problems
    assert "row 2 is missing (deleted?): the next row is 3" in problems
    assert any(p.startswith("row 3 does not link") for p in problems)


def test_reordered_rows_are_caught(db: Database) -> None:
    with db.begin() as conn:
        _chain(conn)
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(seq=100))
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(seq=2))
        conn.execute(update(audit_log).where(audit_log.c.seq == 100).values(seq=3))
        problems = verify(conn).problems
    assert any("row 2" in p and "edited" in p for p in problems)
    assert any(p.startswith("row 2 does not link") for p in problems)


def test_a_truncated_tail_is_caught_against_a_checkpoint(db: Database) -> None:
    key = b"kept in the vault"
    with db.begin() as conn:
        _chain(conn)
        kept = Checkpoint.from_json(checkpoint(conn, key).to_json())
        assert kept.seq == 4 and kept.signed_by(key)
        assert verify(conn, kept, key).intact
        _chain(conn, 2)  # the log grows past the checkpoint: still fine
        assert verify(conn, kept, key).intact
        conn.execute(delete(audit_log).where(audit_log.c.seq >= 4))
        assert verify(conn).intact  # without a checkpoint a cut tail cannot be seen
        problems = verify(conn, kept, key).problems
    assert problems == (
        "the log ends at row 3 but the checkpoint names row 4: rows were removed from the end",
    )


def test_a_forged_checkpoint_fails_its_signature(db: Database) -> None:
    key = b"kept in the vault"
    with db.begin() as conn:
        _chain(conn)
        kept = checkpoint(conn, key)
        forged = Checkpoint(3, kept.hash, kept.taken_at, kept.signature)
        problems = verify(conn, forged, key).problems
    assert "the checkpoint's signature does not match the key" in problems
    assert "row 3 is not the one the checkpoint names" in problems


def test_one_sequencer_under_concurrent_writers(db: Database) -> None:
    """Writers in parallel transactions: every append lands, in one unbroken chain."""
    if db.dialect == "sqlite":
        pytest.skip("SQLite has a single writer; the advisory-lock sequencer is PostgreSQL's")
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(20):
                with db.begin() as conn:
                    append(conn, actor=name, action="test.concurrent", target=f"{name}:{i}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.connect() as conn:
        report = verify(conn)
        seqs = list(conn.execute(select(audit_log.c.seq).order_by(audit_log.c.seq)).scalars())
    assert report.intact and report.rows == 80 and seqs == list(range(1, 81))


def _penalties(ingestor: Ingestor, tmp_path: Path, n: int, source: str = "市场监管局") -> int:
    rows = [penalty(uscc_code(100 + i), f"S-{n}-{i}") for i in range(n)]
    report = ingestor.ingest_file(write_csv(tmp_path / f"s{n}.csv", rows), source)
    assert report.accepted == n
    return report.batch_id


def test_a_record_edited_in_place_is_named_by_verify(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    from xinyong.store.tables import records

    batch = _penalties(ingestor, tmp_path, 3)
    with db.connect() as conn:
        assert verify(conn).intact
        target = (
            conn.execute(
                select(records.c.id).where(records.c.batch_id == batch).order_by(records.c.id)
            )
            .scalars()
            .all()[1]
        )
    with db.begin() as conn:  # an UPDATE in place, as a careless or dishonest operator would
        conn.execute(
            update(records).where(records.c.id == target).values(item_code="ENV_VIOLATION")
        )
    with db.connect() as conn:
        report = verify(conn)
    assert not report.intact
    assert report.problems == (f"batch #{batch}: record #{target} was edited in place",)


def test_a_record_deleted_from_a_large_batch_is_found(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    from xinyong.store.tables import records

    batch = _penalties(ingestor, tmp_path, 30)
    with db.begin() as conn:
        last = (
            conn.execute(
                select(records.c.id)
                .where(records.c.batch_id == batch)
                .order_by(records.c.id.desc())
            )
            .scalars()
            .first()
        )
        conn.execute(delete(records).where(records.c.id == last))
    with db.connect() as conn:
        (problem,) = verify(conn).problems
    assert problem.startswith(f"batch #{batch} stored 30 rows and now has 29")


def test_a_long_department_name_is_refused_not_cut(
    ingestor: Ingestor, db: Database, tmp_path: Path
) -> None:
    from xinyong.errors import BatchRejected

    long_name = "某某省" + "市场监督管理局" * 16
    assert len(long_name) > 100
    path = write_csv(tmp_path / "p.csv", [penalty(uscc_code(1), "L-1")])
    with pytest.raises(BatchRejected, match="at most 100 are kept"):
        ingestor.ingest_file(path, long_name)
    with db.connect() as conn:
        assert verify(conn).intact


def test_an_audited_name_is_kept_whole_or_refused(db: Database) -> None:
    from xinyong.errors import InvalidInput

    with db.begin() as conn:
        append(conn, actor="王" * 100, action="test.step", target="thing:1")
        with pytest.raises(InvalidInput, match="at most 100 characters"):
            append(conn, actor="王" * 101, action="test.step", target="thing:2")
    with db.connect() as conn:
        assert verify(conn).intact
