"""Point-of-service check latency over 1M subjects, on SQLite and PostgreSQL.

Run by ``make bench``. Builds a database per backend with N subjects (valid resident IDs and USCCs),
one stored Zhengzhou environmental rating run with a grade for every enterprise, listings in effect
for 5% of subjects on the rental-bike and environmental lists (with the notice and sign-off dates
that due process requires, and the records behind them) and open objections on 1% of those records.
Then times ``xinyong.dueprocess.checks.check`` (which also writes its audit log row) for a random
sample of subjects, one committed transaction per check, as a department's request would be, and
prints the median and 99th percentile in a Markdown table row.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from stdnum.cn import ric, uscc

POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)
AT = date(2025, 8, 1)
CHUNK = 100_000


def _code(i: int) -> tuple[str, str]:
    if i % 2:
        body = f"91410105{i:09d}"
        return body + uscc.calc_check_digit(body), "enterprise"
    body = f"440305{1950 + (i // 1_000_000) % 50}{(i // 31) % 12 + 1:02d}{i % 28 + 1:02d}"
    body += f"{(i // 336) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0"), "individual"


def build(url: str, subjects: int, seed: int) -> tuple[Any, list[str]]:
    from xinyong.store.database import Database
    from xinyong.store.tables import (
        batches,
        cases,
        evaluation_results,
        evaluation_runs,
        listing_records,
        listings,
        records,
    )
    from xinyong.store.tables import subjects as subject_table

    rng = random.Random(seed)
    connect_args: dict[str, Any] = {}
    schema = None
    if url.startswith("postgresql"):
        schema = f"xy_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        connect_args = {"options": f"-csearch_path={schema}"}
    db = Database(url, connect_args=connect_args)
    db.migrate()
    now = datetime.now(UTC)
    codes: list[str] = []
    seen: set[str] = set()
    with db.begin() as conn:
        batch_id = conn.execute(
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
        run_id = conn.execute(
            evaluation_runs.insert().returning(evaluation_runs.c.id),
            {
                "scheme_id": "zhengzhou-environment",
                "scheme_version": 1,
                "scheme_sha256": "-",
                "as_of": date(2025, 6, 30),
                "kind": "full",
                "subjects": 0,
                "started_at": now,
                "finished_at": now,
            },
        ).scalar_one()
        rows: list[dict[str, Any]] = []
        kinds: list[str] = []
        i = 0
        while len(codes) < subjects:
            i += 1
            code, kind = _code(i)
            if code in seen:
                continue
            seen.add(code)
            codes.append(code)
            kinds.append(kind)
            rows.append(
                {
                    "id": len(codes),
                    "code": code,
                    "id_scheme": "uscc" if kind == "enterprise" else "resident_id",
                    "kind": kind,
                    "name": f"s{len(codes)}",
                    "region_code": "410105" if kind == "enterprise" else "440305",
                    "industry_code": "26" if kind == "enterprise" else None,
                    "status": "active",
                    "source": "bench",
                    "created_at": now,
                }
            )
            if len(rows) == CHUNK:
                db.bulk_insert(conn, subject_table, rows)
                rows = []
        db.bulk_insert(conn, subject_table, rows)
        grades = ["环保诚信", "环保良好", "环保警示", "环保不良"]
        results = [
            {
                "run_id": run_id,
                "subject_id": n,
                "score": 80.0,
                "grade": rng.choice(grades),
                "lists": "",
            }
            for n in range(1, subjects + 1)
            if kinds[n - 1] == "enterprise"
        ]
        for start in range(0, len(results), CHUNK):
            db.bulk_insert(conn, evaluation_results, results[start : start + CHUNK])
        listed = rng.sample(range(1, subjects + 1), subjects // 20)
        record_rows, listing_rows, link_rows, case_rows = [], [], [], []
        for n, subject_id in enumerate(listed, start=1):
            rider = kinds[subject_id - 1] == "individual"
            item, scheme, list_id = (
                ("BIKE_VIOLATION", "shenzhen-rental-bike", "untrustworthy")
                if rider
                else ("ENV_VIOLATION", "zhengzhou-environment", "blacklist")
            )
            record_rows.append(
                {
                    "id": n,
                    "subject_id": subject_id,
                    "item_code": item,
                    "decided_on": date(2025, 3, 1),
                    "source": "bench",
                    "batch_id": batch_id,
                    "row_number": n,
                    "attributes": {"conduct": "damage" if rider else "exceedance"},
                    "recorded_at": now,
                }
            )
            start = date(2025, 7, 1) + timedelta(days=n % 20)
            listing_rows.append(
                {
                    "id": n,
                    "subject_id": subject_id,
                    "scheme_id": scheme,
                    "scheme_version": 1,
                    "list_id": list_id,
                    "list_kind": "blacklist",
                    "period": "1Y",
                    "notice_period": "10D",
                    "state": "listed",
                    "proposed_on": date(2025, 6, 1),
                    "notified_on": date(2025, 6, 2),
                    "objection_deadline": date(2025, 6, 12),
                    "signed_off_on": date(2025, 6, 20),
                    "signed_off_by": "bench official",
                    "listed_from": start,
                    "listed_until": date(start.year + 1, start.month, start.day),
                    "created_at": now,
                }
            )
            link_rows.append({"listing_id": n, "record_id": n})
            if n % 100 == 0:
                case_rows.append(
                    {
                        "kind": "objection",
                        "subject_id": subject_id,
                        "record_id": n,
                        "opened_on": date(2025, 7, 20),
                        "deadline": date(2025, 8, 9),
                        "state": "open",
                        "details": {},
                        "created_at": now,
                    }
                )
        for table, data in (
            (records, record_rows),
            (listings, listing_rows),
            (listing_records, link_rows),
            (cases, case_rows),
        ):
            for start_at in range(0, len(data), CHUNK):
                db.bulk_insert(conn, table, data[start_at : start_at + CHUNK])
    if url.startswith("postgresql"):
        with db.begin() as conn:
            conn.execute(text("ANALYZE"))
    return (db, schema), codes


def measure(url: str, subjects: int, samples: int, seed: int) -> dict[str, Any]:
    from xinyong.catalog.items import Catalog
    from xinyong.dueprocess.checks import check
    from xinyong.dueprocess.leniency import load_policies
    from xinyong.schemes.library import Library

    started = time.perf_counter()
    (db, schema), codes = build(url, subjects, seed)
    built = time.perf_counter() - started
    library = Library.load(Catalog.load())
    policies = load_policies()
    rng = random.Random(seed + 1)
    actions = ["rental", "government_procurement", "inspection", "honours"]
    timings, applied = [], 0
    for _ in range(samples):
        code = rng.choice(codes)
        action = rng.choice(actions)
        t0 = time.perf_counter()
        with db.begin() as conn:
            answer = check(
                conn, library, code, action, "bike_operator", AT, actor="bench", policies=policies
            )
        timings.append(time.perf_counter() - t0)
        applied += bool(answer.measures)
    db.dispose()
    if schema:
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    timings.sort()
    return {
        "build_s": built,
        "median_ms": statistics.median(timings) * 1000,
        "p99_ms": timings[int(len(timings) * 0.99) - 1] * 1000,
        "with_measures": applied,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        file=sys.stderr,
    )
    print(
        "| backend | subjects | listings | checks | answers with measures | median ms | p99 ms |"
        " build s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        url = (
            f"sqlite:///bench/out/check-{args.subjects}.db" if backend == "sqlite" else POSTGRES_URL
        )
        if backend == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
        result = measure(url, args.subjects, args.samples, args.seed)
        print(
            f"| {backend} | {args.subjects:,} | {args.subjects // 20:,} | {args.samples:,} | "
            f"{result['with_measures']:,} | {result['median_ms']:.2f} | {result['p99_ms']:.2f} | "
            f"{result['build_s']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
