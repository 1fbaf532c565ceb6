"""Ingest throughput and memory: records/s into SQLite and PostgreSQL, beside PostgreSQL COPY of
the same rows, in the same run.

Run by ``make bench``. Generates a deterministic single-file sample (cached in ``bench/out``),
registers its subjects, then times ``Ingestor.ingest_file`` on the records file in a fresh
process, so that its peak memory is the batch's own. For PostgreSQL it then copies the stored
records out and times ``COPY ... FROM STDIN`` of the same rows twice: into xinyong's records
table in an empty schema (same indexes and foreign keys), and into a bare table of the same
columns with no index or constraint (the floor of any loader). Prints a Markdown table row per
backend, with the ratios of the bare COPY's time to xinyong's.
"""

from __future__ import annotations

import argparse
import io
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

HERE = Path(__file__).resolve().parent
POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)


def sample(records: int, subjects: int) -> Path:
    from xinyong.catalog.items import Catalog
    from xinyong.samples.files import generate

    folder = HERE / "out" / f"s{subjects}-r{records}"
    if not (folder / "manifest.json").exists():
        generate(
            folder,
            Catalog.load(),
            subjects=subjects,
            records=records,
            seed=42,
            bad_rate=0.0,
            single_file=True,
        )
    return folder


def _database(backend: str, schema: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text

    from xinyong.store.database import Database

    if backend == "sqlite":
        path = HERE / "out" / f"{schema}.db"
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
        return Database(f"sqlite:///{path}")
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


def prepare(backend: str, folder: Path, schema: str) -> None:
    """The database with the sample's subjects registered (in a process of its own)."""
    from xinyong.catalog.items import Catalog
    from xinyong.ingest.pipeline import Ingestor
    from xinyong.settings import Settings

    db = _database(backend, schema)
    db.migrate()
    ingestor = Ingestor(db, Catalog.load(), Settings(today=date(2026, 11, 23)))
    started = time.perf_counter()
    report = ingestor.ingest_file(folder / "subjects.csv", "bench", profile="subjects")
    seconds = time.perf_counter() - started
    db.dispose()
    print(json.dumps({"subjects": report.accepted, "subject_seconds": round(seconds, 1)}))


def _open(backend: str, schema: str):  # type: ignore[no-untyped-def]
    from xinyong.store.database import Database

    if backend == "sqlite":
        return Database(f"sqlite:///{HERE / 'out' / f'{schema}.db'}")
    return Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


def measure(backend: str, folder: Path, schema: str) -> dict[str, object]:
    """The timed records batch, in this process, into the prepared database."""
    from xinyong.catalog.items import Catalog
    from xinyong.ingest.pipeline import Ingestor
    from xinyong.settings import Settings

    db = _open(backend, schema)
    ingestor = Ingestor(db, Catalog.load(), Settings(today=date(2026, 11, 23)))
    started = time.perf_counter()
    report = ingestor.ingest_file(folder / "records.csv", "bench")
    seconds = time.perf_counter() - started
    assert report.quarantined == 0, report.reasons().most_common(3)
    result: dict[str, object] = {
        "backend": backend,
        "rows": report.accepted,
        "seconds": round(seconds, 1),
        "rows_per_s": round(report.accepted / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if backend == "postgresql":
        result["copy_seconds"], result["bare_copy_seconds"] = copy_baseline(db, schema)
    return result


def copy_baseline(db, schema: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Time COPY of the stored records (same rows) into the same table in an empty schema,
    and into a bare table of the same columns."""
    from sqlalchemy import text

    from xinyong.store.database import Database

    raw = db.engine.raw_connection()
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy("COPY records TO STDOUT") as copy:
        for block in copy:
            buffer.write(block)
    raw.close()
    target = f"{schema}_copy"
    with db.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{target}"'))
    copy_db = Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={target}"})
    copy_db.migrate()
    with copy_db.engine.begin() as conn:  # the rows' subjects and batches must exist (FKs)
        for table in ("subjects", "batches"):
            conn.execute(text(f'INSERT INTO "{target}".{table} SELECT * FROM "{schema}".{table}'))
    raw = copy_db.engine.raw_connection()
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy("COPY records FROM STDIN") as copy:
        copy.write(buffer.getvalue())
    raw.commit()
    seconds = time.perf_counter() - started
    with raw.cursor() as cursor:
        cursor.execute("CREATE TABLE bare (LIKE records)")  # columns only: no index, no key
    raw.commit()
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy("COPY bare FROM STDIN") as copy:
        copy.write(buffer.getvalue())
    raw.commit()
    bare = time.perf_counter() - started
    raw.close()
    copy_db.dispose()
    with db.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{target}" CASCADE'))
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return round(seconds, 2), round(bare, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--schema")
    parser.add_argument("--prepare", action="store_true")
    args = parser.parse_args()
    if args.backend:  # child process: one step, its measurement printed as JSON
        if args.prepare:
            prepare(args.backend, args.folder, args.schema)
        else:
            print(json.dumps(measure(args.backend, args.folder, args.schema)))
        return
    started = time.perf_counter()
    folder = sample(args.records, args.subjects)
    print(f"sample: {folder} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {date.today().isoformat()}"
    )
    print(
        "| backend | records | seconds | records/s | peak RSS MB | COPY into records s | "
        "bare COPY s | ratio to COPY into records | ratio to bare COPY | subjects registered/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for backend in ("sqlite", "postgresql"):
        schema = f"xy_bench_{uuid.uuid4().hex[:8]}"
        common = ["--backend", backend, "--folder", str(folder), "--schema", schema]
        prepared = subprocess.run(
            [sys.executable, __file__, *common, "--prepare"],
            check=True,
            capture_output=True,
            text=True,
        )
        registered = json.loads(prepared.stdout.strip().splitlines()[-1])
        child = subprocess.run([sys.executable, __file__, *common], capture_output=True, text=True)
        if child.returncode != 0:
            print(f"| {backend} | failed: {child.stderr.strip().splitlines()[-1]} ||||||||")
            continue
        r = json.loads(child.stdout.strip().splitlines()[-1])
        copy, bare = r.get("copy_seconds"), r.get("bare_copy_seconds")
        ratios = (
            f"{copy / r['seconds']:.3f} | {bare / r['seconds']:.3f}" if copy and bare else " | "
        )
        print(
            f"| {r['backend']} | {r['rows']} | {r['seconds']} | {r['rows_per_s']} | "
            f"{r['peak_rss_mb']} | {copy or ''} | {bare or ''} | {ratios} | "
            f"{registered['subjects'] / registered['subject_seconds']:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
