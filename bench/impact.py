"""A version's impact report, beside evaluating the two versions it compares, in the same run.

Run by ``make bench``. Generates the demo's sample data (N subjects, M records), ingests it
into SQLite, then for each pair of versions times, R times each:

- the baseline: both versions evaluated over every record inside a transaction that is rolled
  back (``store_run`` twice: what any comparison of two versions costs);
- the report: ``Simulations.impact`` (the same two runs, then one grouped query by region,
  industry, kind and size band, and the seeded bootstrap).

Prints a Markdown table of median seconds and the report's ratio to its baseline.

    python bench/impact.py --subjects 100000 --records 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

PAIRS = (
    ("shenzhen-rental-bike@2", "shenzhen-rental-bike@1"),
    ("zhengzhou-environment@1", None),
    ("samr-enterprise-credit-risk@1", None),  # every enterprise in the country
    ("national-tax-credit@1", None),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()

    from xinyong.application import Application
    from xinyong.application.demo import DEMO_AS_OF
    from xinyong.catalog.items import Catalog
    from xinyong.clock import FixedClock
    from xinyong.evaluation.runs import store_run
    from xinyong.samples.files import generate, read_manifest
    from xinyong.schemes.library import Library
    from xinyong.settings import Settings

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
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(database_url=url, today=DEMO_AS_OF)
        app = Application.build(settings, clock=FixedClock(DEMO_AS_OF), migrate=True)
        for file in read_manifest(folder):
            app.records.ingest_file(
                folder / file.file, file.source, profile=file.profile, evaluate=False
            )
        print(
            f"{args.subjects:,} subjects, {args.records:,} records, SQLite; "
            f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.node()}\n\n"
            "| version | against | subjects | two runs, s | impact report, s | ratio |\n"
            "|---|---|---|---|---|---|"
        )
        for new, old in PAIRS:
            runs, reports = [], []
            subjects = 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                with app.db.engine.connect() as conn:
                    trial = conn.begin()
                    store_run(conn, app.library.get(new), app.catalog, DEMO_AS_OF)
                    if old:
                        store_run(conn, app.library.get(old), app.catalog, DEMO_AS_OF)
                    trial.rollback()
                runs.append(time.perf_counter() - started)
                started = time.perf_counter()
                report = app.simulations.impact(new, old, as_of=DEMO_AS_OF)
                reports.append(time.perf_counter() - started)
                subjects = report.subjects
            run, rep = statistics.median(runs), statistics.median(reports)
            print(
                f"| {new} | {old or '(first version)'} | {subjects:,} | {run:.2f} | "
                f"{rep:.2f} | {rep / run:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
