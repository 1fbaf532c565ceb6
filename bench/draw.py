"""The double-random draw over a 1M-subject roster: the algorithm that a third party re-runs
(:mod:`xinyong.inspection.draw`), timed beside a baseline measured in the same run: one
SHA-256 per subject and a sort by it, the least work any hash-based verifiable draw does.

Generates a roster of N enterprises in 5 classes (shares as a province's register might have
them) with 2% always inspected and 5% excluded, and a pool of P inspectors over 50 counties,
each with a few declared relations. Times the commitment (canonical JSON and SHA-256), the
draw and the verification (commitment and draw again, compared byte for byte), the median of
R runs each, and prints a Markdown table with the ratio of each to the baseline.

    python bench/draw.py --subjects 1000000 --inspectors 2000 --repeat 3
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from xinyong.inspection.draw import FORMAT, canonical, commitment, run_draw, verify

CLASSES = {"D": 0.02, "C": 0.05, "B": 0.13, "A": 0.75, "unrated": 0.05}
RATES = {"D": "0.30", "C": "0.10", "B": "0.02", "A": "0.01", "unrated": "0.02"}


def inputs(subjects: int, inspectors: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    counties = [f"43{c:04d}" for c in rng.sample(range(100, 9999), 50)]
    names, weights = list(CLASSES), list(CLASSES.values())
    roster = []
    for n in range(subjects):
        roll = rng.random()
        status = "always" if roll < 0.02 else "excluded" if roll < 0.07 else "eligible"
        roster.append(
            {
                "code": f"9143{n:014d}",
                "class": rng.choices(names, weights)[0],
                "status": status,
                "region": rng.choice(counties),
            }
        )
    pool = [
        {
            "code": f"ZF-{n:05d}",
            "department": "市场监管",
            "region": rng.choice(counties),
            "conflicts": sorted(rng.choice(roster)["code"] for _ in range(rng.randint(0, 3))),
        }
        for n in range(inspectors)
    ]
    return {
        "format": FORMAT,
        "plan": {"id": "bench", "version": 1, "sha256": "0" * 64},
        "draw_date": "2026-10-09",
        "rates": RATES,
        "floor": {"share": "0.03", "subjects": None},
        "inspectors_per_target": 2,
        "same_region": "county",
        "roster": roster,
        "pool": pool,
    }


def _median(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    document = inputs(args.subjects, args.inspectors)
    generated = time.perf_counter() - started
    seed = {"value": "0 4 2 7 5", "source": "bench"}
    codes = [s["code"] for s in document["roster"]]

    def baseline() -> None:
        sorted(codes, key=lambda c: hashlib.sha256(c.encode()).digest()[:8])

    result = run_draw(document, seed)
    assert verify(document, result, commitment(document)) == []
    base = _median(baseline, args.repeat)
    rows = [
        ("baseline: one SHA-256 per subject and a sort", base),
        (
            "commitment (canonical JSON + SHA-256)",
            _median(lambda: commitment(document), args.repeat),
        ),
        (
            "draw (targets, floor, inspectors)",
            _median(lambda: run_draw(document, seed), args.repeat),
        ),
        (
            "verify (commitment + draw + byte compare)",
            _median(lambda: verify(document, result), args.repeat),
        ),
    ]
    size = len(canonical(document)) / 1e6
    print(
        f"\n{platform.node()} · {platform.processor() or platform.machine()} · "
        f"Python {platform.python_version()} · {datetime.now(UTC):%Y-%m-%d}"
    )
    print(
        f"roster {args.subjects:,}, pool {args.inspectors:,}, {len(result['targets']):,} "
        f"targets, inputs.json {size:.0f} MB, generated in {generated:.1f} s\n"
    )
    print("| step | seconds (median) | ratio to baseline |")
    print("|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f} |")
    short = sum(1 for t in result["targets"] if t.get("unassigned"))
    print(f"\ntargets without enough inspectors: {short}")


if __name__ == "__main__":
    main()
