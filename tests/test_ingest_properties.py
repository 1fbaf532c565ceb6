"""Property: whatever mix of good and damaged rows a batch holds, every row ends up exactly once,
either stored or quarantined, and a repeat of the batch changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from helpers import bad_check, penalty, uscc_code, write_csv
from xinyong.catalog.items import Catalog
from xinyong.ingest.pipeline import Ingestor
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import quarantine, records

DAMAGE = {
    "none": lambda row: row,
    "checksum": lambda row: {**row, "subject_code": bad_check(row["subject_code"])},
    "item": lambda row: {**row, "item_code": "NOT_IN_CATALOG"},
    "future": lambda row: {**row, "decided_on": "2031-01-01"},
    "date": lambda row: {**row, "decided_on": "2024-04-31"},
    "missing": lambda row: {**row, "decided_on": ""},
    "amount": lambda row: {**row, "fine_10k_cny": "一万"},
}

batches = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from(sorted(DAMAGE))), min_size=1, max_size=25
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches)
def test_every_row_is_stored_or_quarantined_once(batch: list[tuple[int, str]]) -> None:
    with TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = Database(f"sqlite:///{tmp / 'p.db'}")
        db.migrate()
        ingestor = Ingestor(db, Catalog.load(), Settings(today=date(2026, 11, 23)))
        rows = [
            DAMAGE[damage](penalty(uscc_code(subject), f"P-{n}", fine_10k_cny="1"))
            for n, (subject, damage) in enumerate(batch)
        ]
        path = write_csv(tmp / "batch.csv", rows)
        report = ingestor.ingest_file(path, "局")
        with db.connect() as conn:
            stored = [n for (n,) in conn.execute(select(records.c.row_number))]
            held = [n for (n,) in conn.execute(select(quarantine.c.row_number))]
        assert sorted(stored + held) == list(range(2, len(rows) + 2))
        expected_good = sum(1 for _, damage in batch if damage == "none")
        assert len(stored) == report.accepted == expected_good
        again = ingestor.ingest_file(path, "局")
        assert again.already_ingested
        with db.connect() as conn:
            assert len(conn.execute(select(records.c.id)).all()) == len(stored)
        db.dispose()
