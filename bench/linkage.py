"""Record linkage on generated data with known truth: precision, recall and time at a registry
of N firms, against an exact-name lookup measured in the same run.

Run by ``make bench``. Generates N firms (``xinyong.samples.linkage``: names with a region, a
trade name, an industry word and a legal form; a fifth with a former name; a representative,
a county, an old registration number) and M mentions of them as records without a code would
name them (10% of firms that are not registered; the region left out, traditional characters,
a typo, a former name, another legal form, fields missing). Then:

- the baseline: a dictionary from every folded name (current and former) to its firms, and a
  mention linked when its folded name names exactly one firm;
- the model (``xinyong.linkage.model.link``): Splink on DuckDB, trained on the same data;
- with ``--spark``, the same model on Spark SQL too (a local session of ``--spark-master``),
  with its time as a ratio to DuckDB's in the same run.

Prints a Markdown table: seconds, peak memory, precision and recall at thresholds 0.5, 0.9
(the default) and 0.99, and recall by the variation a mention carries.

    python bench/linkage.py --registry 100000 --records 10000 [--spark]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from xinyong.linkage.model import link
from xinyong.linkage.names import Places, folded
from xinyong.reference.regions import Regions
from xinyong.samples.linkage import LinkageData, sides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registry", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spark", action="store_true", help="also run the model on Spark")
    parser.add_argument("--spark-master", default="local[2]")
    args = parser.parse_args()

    data = LinkageData(seed=args.seed)
    started = time.perf_counter()
    firms = data.firms(args.registry)
    mentions = data.mentions(firms, args.records)
    generated = time.perf_counter() - started
    truth = {m.key: m.truth for m in mentions}
    positives = sum(1 for t in truth.values() if t)
    codes = [f.code for f in firms]

    # the baseline: exact folded names
    started = time.perf_counter()
    by_name: dict[str, set[int]] = {}
    for i, firm in enumerate(firms):
        for name in (firm.name, *firm.former_names):
            by_name.setdefault(folded(name) or "", set()).add(i)
    exact = {}
    for m in mentions:
        hits = by_name.get(folded(m.name) or "", set())
        if len(hits) == 1:
            exact[m.key] = codes[next(iter(hits))]
    baseline = time.perf_counter() - started
    exact_right = sum(truth[k] == code for k, code in exact.items())

    started = time.perf_counter()
    places = Places(Regions.load())
    incoming, registry = sides(places, firms, mentions)
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    matches, trained = link(incoming, registry, threshold=0.5)
    linked = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"## Record linkage, {args.registry:,} firms, {args.records:,} records without a code")
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {platform.processor() or '?'}; "
        f"generation {generated:.1f} s (not counted); peak memory {peak_mb:,.0f} MB; "
        f"prior {trained.prior:.2e}; skipped: {trained.skipped or 'none'}"
    )
    print()
    print("| method | threshold | seconds | ratio to baseline | proposed | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| exact folded name (baseline) | - | {baseline:.2f} | 1.00 | {len(exact):,} | "
        f"{exact_right / max(1, len(exact)):.4f} | {exact_right / positives:.4f} |"
    )

    def rows(label: str, found: list[Any], seconds: float) -> None:
        for threshold in (0.5, 0.9, 0.99):
            chosen = [m for m in found if m.probability >= threshold]
            right = sum(truth[m.key] == codes[m.subject_id] for m in chosen)
            print(
                f"| {label} | {threshold} | {seconds:.2f} | {seconds / baseline:.1f} | "
                f"{len(chosen):,} | {right / max(1, len(chosen)):.4f} | {right / positives:.4f} |"
            )

    rows(
        f"Splink (prepare {prepared:.1f} s + train and predict {linked:.1f} s)",
        matches,
        prepared + linked,
    )
    if args.spark:
        from xinyong.backends.spark import session

        spark = session(master=args.spark_master)
        started = time.perf_counter()
        on_spark, spark_trained = link(incoming, registry, threshold=0.5, spark=spark)
        spark_seconds = time.perf_counter() - started
        rows(
            f"Splink on Spark {args.spark_master} ({spark_seconds / linked:.1f}x DuckDB's "
            f"train and predict; skipped: {spark_trained.skipped or 'none'})",
            on_spark,
            prepared + spark_seconds,
        )
        spark.stop()
    print()
    found = {m.key for m in matches if m.probability >= 0.9 and truth[m.key] == codes[m.subject_id]}
    exact_found = {k for k, code in exact.items() if truth[k] == code}
    carried: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    hit_exact: Counter[str] = Counter()
    for m in mentions:
        if not m.truth:
            continue
        for v in m.variations or ["none"]:
            carried[v] += 1
            hit[v] += m.key in found
            hit_exact[v] += m.key in exact_found
    print("| variation | mentions | recall at 0.9 | recall of the baseline |")
    print("|---|---|---|---|")
    for v, n in carried.most_common():
        print(f"| {v} | {n:,} | {hit[v] / n:.3f} | {hit_exact[v] / n:.3f} |")


if __name__ == "__main__":
    main()
