"""Ingest of a month of government-service ratings: a million rows of the platform's export
layout through the whole use case (records stored, a rectification case opened for each bad
rating, the rated agencies re-graded), beside the bare ingest of the same file (records only)
and, on PostgreSQL, COPY of the same stored rows, in the same run.

Run by ``make bench``. Generates the ratings once (cached in ``bench/out``); each measurement
runs in a fresh process over a fresh database with the agencies registered, so its peak memory
is its own. Prints a Markdown table row per backend.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

from ingest import _database, _open, copy_baseline  # bench/ingest.py: the same databases

HERE = Path(__file__).resolve().parent
MONTH_END = date(2026, 10, 31)


def sample(ratings: int, agencies: int) -> Path:
    from xinyong.samples.services import agencies as make
    from xinyong.samples.services import write_ratings

    path = HERE / "out" / f"ratings-a{agencies}-r{ratings}.csv"
    if not path.exists():
        write_ratings(path, make(agencies), ratings, MONTH_END.replace(day=1))
    return path


def prepare(backend: str, schema: str, agencies: int) -> None:
    from xinyong.registry.subjects import register_many
    from xinyong.samples.services import agencies as make
    from xinyong.samples.services import registrations

    db = _database(backend, schema)
    db.migrate()
    with db.begin() as conn:
        register_many(conn, registrations(make(agencies)), "bench")
    db.dispose()


def measure(backend: str, schema: str, path: Path, whole: bool) -> dict[str, object]:
    from sqlalchemy import func, select

    from xinyong.application import Application
    from xinyong.catalog.items import Catalog
    from xinyong.clock import FixedClock
    from xinyong.ingest.pipeline import Ingestor
    from xinyong.settings import Settings
    from xinyong.store.tables import cases

    db = _open(backend, schema)
    settings = Settings(today=MONTH_END)
    started = time.perf_counter()
    if whole:
        app = Application.build(settings, db=db, clock=FixedClock(MONTH_END))
        report = app.records.ingest_file(path, "全国一体化政务服务平台").report
    else:
        report = Ingestor(db, Catalog.load(), settings).ingest_file(path, "全国一体化政务服务平台")
    seconds = time.perf_counter() - started
    assert report.quarantined == 0, report.reasons().most_common(3)
    with db.connect() as conn:
        opened = conn.execute(select(func.count()).select_from(cases)).scalar_one()
    result: dict[str, object] = {
        "rows": report.accepted,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cases": opened,
    }
    if whole and backend == "postgresql":
        result["copy_seconds"], result["bare_copy_seconds"] = copy_baseline(db, schema)
    return result


def _child(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return dict(json.loads(done.stdout.strip().splitlines()[-1])) if done.stdout.strip() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--schema")
    parser.add_argument("--path", type=Path)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--whole", action="store_true")
    args = parser.parse_args()
    if args.backend:
        if args.prepare:
            prepare(args.backend, args.schema, args.agencies)
        else:
            print(json.dumps(measure(args.backend, args.schema, args.path, args.whole)))
        return
    path = sample(args.ratings, args.agencies)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {date.today().isoformat()}"
    )
    print(
        "| backend | ratings | agencies | whole use case s | ratings/s | peak RSS MB | "
        "rectification cases | records-only ingest s | ratio to records-only | "
        "COPY into records s | ratio to COPY |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgresql"):
        runs = {}
        try:
            for whole in (False, True):
                schema = f"xy_bench_{uuid.uuid4().hex[:8]}"
                common = [
                    "--backend",
                    backend,
                    "--schema",
                    schema,
                    "--agencies",
                    str(args.agencies),
                ]
                _child(*common, "--prepare")
                runs[whole] = _child(*common, "--path", str(path), *(["--whole"] if whole else []))
        except RuntimeError as failed:
            print(f"| {backend} | failed: {failed} ||||||||||")
            continue
        whole, bare = runs[True], runs[False]
        seconds, rows = float(str(whole["seconds"])), int(str(whole["rows"]))
        records_only = float(str(bare["seconds"]))
        copy = float(str(whole["copy_seconds"])) if "copy_seconds" in whole else None
        print(
            f"| {backend} | {rows} | {args.agencies} | {seconds} | {rows / seconds:,.0f} | "
            f"{whole['peak_rss_mb']} | {whole['cases']} | {records_only} | "
            f"{seconds / records_only:.2f} | {copy or ''} | "
            f"{f'{copy / seconds:.3f}' if copy else ''} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
