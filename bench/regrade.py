"""One new record until its subject's grades under every scheme in force are stored, on SQLite
and PostgreSQL, next to storing the same record without re-grading, in the same run.

Run by ``make bench``. Generates the sample data of the demo (N subjects, M records, every
shipped scheme's cases), ingests it and stores a full run of every scheme, then sends one-row
batches through the application's ingest use case (the one the HTTP API and the CLI call),
each a new penalty for a random enterprise: first without re-grading (the baseline: check,
store, commit), then with it. Prints per backend the median work per record of each, the
re-grade's share, and the first re-grade in the process (which compiles every scheme's
statement once) beside the later ones (which run the cached statements).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)


def measure(url: str, folder: Path, samples: int, seed: int) -> dict[str, float]:
    from xinyong.application import Application
    from xinyong.application.demo import DEMO_AS_OF
    from xinyong.clock import FixedClock
    from xinyong.evaluation.plans import PLANS
    from xinyong.evaluation.runs import store_run
    from xinyong.ingest.profiles import load_profile
    from xinyong.ingest.readers import read_bytes
    from xinyong.samples.files import read_manifest
    from xinyong.settings import Settings
    from xinyong.store.tables import subjects

    settings = Settings(database_url=url, today=DEMO_AS_OF)
    app = Application.build(settings, clock=FixedClock(DEMO_AS_OF), migrate=True)
    for file in read_manifest(folder):
        app.records.ingest_file(
            folder / file.file, file.source, profile=file.profile, evaluate=False
        )
    with app.transaction() as conn:
        for scheme in app.library.evaluable():
            store_run(conn, scheme, app.catalog, DEMO_AS_OF)
        firms = [
            code
            for (code,) in conn.execute(
                select(subjects.c.code).where(subjects.c.kind == "enterprise")
            )
        ]
    in_force = len(
        [s for s in app.library.evaluable() if s.definition.scheme.effective_from <= DEMO_AS_OF]
    )
    rng = random.Random(seed)
    profile = load_profile("canonical")
    serial = 0

    def one(evaluate: bool) -> float:
        nonlocal serial
        serial += 1
        row = {
            "subject_code": rng.choice(firms),
            "item_code": "ADM_PENALTY_GENERAL",
            "decided_on": "2025-12-01",
            "reference": f"bench〔2025〕{serial}号",
            "fine_10k_cny": "2.5",
        }
        raw = read_bytes(json.dumps(row, ensure_ascii=False).encode(), f"bench:{serial}", "jsonl")
        started = time.perf_counter()
        done = app.records.ingest(raw, "bench", profile, evaluate=evaluate)
        took = time.perf_counter() - started
        assert done.report.accepted == 1, done.report.rejected[:1]
        assert bool(done.runs) == evaluate
        return took

    PLANS.clear()
    first = one(True)
    for _ in range(3):  # warm the store path too
        one(False)
    bare = [one(False) for _ in range(samples)]
    regraded = [one(True) for _ in range(samples)]
    app.db.dispose()
    return {
        "schemes": in_force,
        "bare_ms": statistics.median(bare) * 1000,
        "regrade_ms": statistics.median(regraded) * 1000,
        "first_ms": first * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=5000)
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    from xinyong.catalog.items import Catalog
    from xinyong.samples.files import generate
    from xinyong.schemes.library import Library

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        file=sys.stderr,
    )
    print(
        f"{args.subjects:,} subjects, {args.records:,} records, {args.samples} records each way\n\n"
        "| database | schemes in force | store one record, ms | store and re-grade, ms | "
        "re-grade alone, ms | ratio | first re-grade in the process, ms |\n"
        "|---|---|---|---|---|---|---|"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sample"
        catalog = Catalog.load()
        generate(
            folder,
            catalog,
            subjects=args.subjects,
            records=args.records,
            seed=args.seed,
            library=Library.load(catalog),
        )
        schema = f"xy_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            for name, url in (
                ("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"),
                ("PostgreSQL", f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"),
            ):
                found = measure(url, folder, args.samples, args.seed)
                alone = found["regrade_ms"] - found["bare_ms"]
                print(
                    f"| {name} | {found['schemes']} | {found['bare_ms']:.1f} | "
                    f"{found['regrade_ms']:.1f} | {alone:.1f} | "
                    f"{found['regrade_ms'] / found['bare_ms']:.2f} | {found['first_ms']:.0f} |",
                    flush=True,
                )
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
