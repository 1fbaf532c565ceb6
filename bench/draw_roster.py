"""A whole double-random draw from the database at 1M subjects: the commitment (the plan's
roster query and its class scheme's query, compiled and run in the database, then the inputs
document and its hash) and the seed (the draw, then its targets and their inspection cases
stored), through the application as an official runs them, on SQLite and PostgreSQL.

The baseline, measured in the same run on the same database, is reading every subject's code
and region (``SELECT code, region_code FROM subjects``): the least any roster read does.
Subjects are enterprises; 5% have a serious penalty, 4% two general ones, 2% an inspection in
the last year (kept out) and 0.5% a serious-untrustworthy listing record (always inspected).

    python bench/draw_roster.py --subjects 1000000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from stdnum.cn import uscc

from xinyong.application import Application
from xinyong.clock import FixedClock
from xinyong.samples.pool import sample_pool
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import batches, records, subjects

POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)
CHUNK = 100_000
DAY = date(2026, 10, 9)
REGIONS = ["430102", "430103", "430202", "430302", "110105", "320102", "440305", "410105"]


def build(url: str, n: int) -> tuple[Database, str | None]:
    schema = None
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        schema = f"xy_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        connect_args = {"options": f"-csearch_path={schema}"}
    db = Database(url, connect_args=connect_args)
    db.migrate()
    rng = random.Random(11)
    now = datetime.now(UTC)
    with db.begin() as conn:
        batch = conn.execute(
            batches.insert().returning(batches.c.id),
            {
                "source": "bench",
                "batch_key": "bench",
                "content_sha256": "-",
                "file_format": "bench",
                "received_at": now,
                "rows_total": 0,
                "rows_accepted": 0,
                "rows_quarantined": 0,
            },
        ).scalar_one()
        people: list[dict[str, Any]] = []
        facts: list[dict[str, Any]] = []
        for i in range(1, n + 1):
            region = REGIONS[i % len(REGIONS)]
            body = f"91{region}{i:09d}"
            people.append(
                {
                    "id": i,
                    "code": body + uscc.calc_check_digit(body),
                    "id_scheme": "uscc",
                    "kind": "enterprise",
                    "name": f"企业{i}",
                    "region_code": region,
                    "status": "active",
                    "source": "bench",
                    "created_at": now,
                }
            )
            roll = rng.random()
            found = (
                [("ADM_PENALTY_SERIOUS", {})] * 2
                if roll < 0.05
                else [("ADM_PENALTY_GENERAL", {})] * 2
                if roll < 0.09
                else [("ADM_INSPECTION", {"result": "compliant"})]
                if roll < 0.11
                else [("SUL_MARKET", {"ground": "bench"})]
                if roll < 0.115
                else []
            )
            for item, attributes in found:
                facts.append(
                    {
                        "subject_id": i,
                        "item_code": item,
                        "decided_on": date(2026, 3, 1),
                        "source": "bench",
                        "batch_id": batch,
                        "row_number": len(facts) + 1,
                        "attributes": attributes,
                        "recorded_at": now,
                    }
                )
            if len(people) == CHUNK:
                db.bulk_insert(conn, subjects, people)
                people = []
        db.bulk_insert(conn, subjects, people)
        for start in range(0, len(facts), CHUNK):
            db.bulk_insert(conn, records, facts[start : start + CHUNK])
    if url.startswith("postgresql"):
        with db.begin() as conn:
            conn.execute(text("ANALYZE"))
    return db, schema


def measure(url: str, n: int) -> dict[str, float]:
    started = time.perf_counter()
    db, schema = build(url, n)
    loaded = time.perf_counter() - started
    try:
        app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(DAY))
        with db.connect() as conn:
            firms = [c for (c,) in conn.execute(select(subjects.c.code).limit(1000))]
        app.inspections.load_pool(sample_pool(REGIONS, firms, size=2000), "bench")
        started = time.perf_counter()
        with db.connect() as conn:
            conn.execute(select(subjects.c.code, subjects.c.region_code)).all()
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        committed = app.inspections.commit("samr-double-random", "bench")
        commit_s = time.perf_counter() - started
        started = time.perf_counter()
        drawn = app.inspections.draw(committed.id, "0 4 2 7 5", "bench", "bench")
        draw_s = time.perf_counter() - started
        targets = len((drawn.result() or {})["targets"])
        assert app.inspections.verify(drawn.id) == []
        return {
            "load": loaded,
            "baseline": baseline,
            "commit": commit_s,
            "draw": draw_s,
            "targets": targets,
        }
    finally:
        db.dispose()
        if schema:
            admin = create_engine(url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    print(
        f"\n{platform.node()} · Python {platform.python_version()} · {datetime.now(UTC):%Y-%m-%d}"
    )
    print(f"{args.subjects:,} enterprises, samr-double-random, pool of 2,000+\n")
    print(
        "| database | read codes s (baseline) | commit s | ratio | seed and draw s | ratio | "
        "targets | load s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for engine in args.engines.split(","):
        if engine == "sqlite":
            folder = Path(tempfile.mkdtemp())
            url = f"sqlite:///{folder / 'draw.db'}"
        else:
            url = POSTGRES_URL
        m = measure(url, args.subjects)
        print(
            f"| {engine} | {m['baseline']:.2f} | {m['commit']:.2f} | "
            f"{m['commit'] / m['baseline']:.1f} | {m['draw']:.2f} | "
            f"{m['draw'] / m['baseline']:.1f} | {int(m['targets']):,} | {m['load']:.0f} |"
        )


if __name__ == "__main__":
    main()
