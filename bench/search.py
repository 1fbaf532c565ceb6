"""Name search over 1M subjects, on SQLite and PostgreSQL: how long the bigram index takes to
build, and how long typical and worst-case searches take through ``name_index.search``.

Run by ``make bench``. Generates N subjects with names shaped like the registry's: enterprises
(city word, a two- or three-character trade name, an industry word, a legal form), individuals
(surname and given name), associations and agencies; 5% of enterprises have a former name. The
characters of trade names are drawn with a Zipf weighting from the characters of China's county
names, so some bigrams are common and most are rare, as in a real register. Inserts them in
bulk, builds the index with ``name_index.rebuild`` (what an operator runs after a bulk load),
then times each kind of query R times (a different subject each time where the kind allows)
and prints a Markdown table: median and 95th percentile in ms, and the candidates the index
left to check.

    python bench/search.py --subjects 1000000 --repeat 30
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, func, select, text
from stdnum.cn import uscc

from xinyong.reference.regions import Regions
from xinyong.registry import name_index
from xinyong.samples.population import FORMS, GIVEN, INDUSTRY_WORDS, SURNAMES
from xinyong.store.database import Database
from xinyong.store.tables import name_grams, subject_names, subjects

POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
).replace("postgresql://", "postgresql+psycopg://", 1)
CHUNK = 50_000


@dataclass(frozen=True, slots=True)
class Person:
    code: str
    kind: str
    name: str
    region: str
    city: str
    trade: str
    former: str | None


class Names:
    """Registry-shaped names, reproducible from a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        regions = Regions.load()
        counties = [r for r in regions.counties() if r.name != "市辖区"]
        self.places: list[tuple[str, str]] = []
        for county in counties:
            path = regions.path(county.code)
            city = path[1] if len(path) > 1 else path[0]
            for suffix in ("市", "地区", "自治州", "盟", "省", "自治区", "县"):
                if city.endswith(suffix) and len(city) > len(suffix) + 1:
                    city = city[: -len(suffix)]
                    break
            self.places.append((county.code, city[:4]))
        # A few big cities hold many more firms than a rural county: Zipf over the counties.
        self.place_weights = _zipf(len(self.places), 0.9, self.rng)
        chars = sorted({c for r in counties for c in r.name} - set("市区县旗自治州盟"))
        self.rng.shuffle(chars)
        self.chars = chars
        self.char_weights = _zipf(len(chars), 1.0, None)
        self.industries = [*INDUSTRY_WORDS.values(), "实业", "贸易", "科技", "电子"]

    def trade(self) -> str:
        n = 2 if self.rng.random() < 0.8 else 3
        return "".join(self.rng.choices(self.chars, self.char_weights, k=n))

    def make(self, i: int) -> Person:
        rng = self.rng
        region, city = rng.choices(self.places, self.place_weights)[0]
        roll = rng.random()
        if roll < 0.20:
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            born = f"{1950 + i % 50}{i % 12 + 1:02d}{i % 28 + 1:02d}"
            code = f"{region}{born}{rng.randrange(1000):03d}X"
            return Person(code, "individual", rng.choice(SURNAMES) + given, region, city, "", None)
        body = f"91{region}{i:09d}" if roll >= 0.05 else f"51{region}{i:09d}"
        code = body + uscc.calc_check_digit(body)
        trade = self.trade()
        if roll < 0.03:
            return Person(code, "organisation", f"{city}{trade}行业协会", region, city, trade, None)
        if roll < 0.05:
            return Person(code, "agency", f"{city}{trade}服务中心", region, city, trade, None)
        name = f"{city}{trade}{rng.choice(self.industries)}{rng.choice(FORMS)}"
        former = f"{city}{self.trade()}有限公司" if rng.random() < 0.05 else None
        return Person(code, "enterprise", name, region, city, trade, former)


def _zipf(n: int, s: float, rng: random.Random | None) -> list[float]:
    weights = [1 / (k + 1) ** s for k in range(n)]
    if rng is not None:
        rng.shuffle(weights)
    return weights


def build(url: str, people: list[Person]) -> tuple[Database, float]:
    """Load the subjects and build the index; returns the database and the seconds the index
    took."""
    now = datetime.now(UTC)
    db = _database(url)
    db.migrate()
    with db.begin() as conn:
        rows: list[dict[str, Any]] = []
        former: list[dict[str, Any]] = []
        for n, p in enumerate(people, start=1):
            rows.append(
                {
                    "id": n,
                    "code": p.code,
                    "id_scheme": "resident_id" if p.kind == "individual" else "uscc",
                    "kind": p.kind,
                    "name": p.name,
                    "region_code": p.region,
                    "status": "active",
                    "source": "bench",
                    "created_at": now,
                }
            )
            if p.former:
                former.append(
                    {
                        "subject_id": n,
                        "name": p.former,
                        "kind": "former",
                        "source": "bench",
                        "created_at": now,
                    }
                )
            if len(rows) == CHUNK:
                db.bulk_insert(conn, subjects, rows)
                rows = []
        db.bulk_insert(conn, subjects, rows)
        db.bulk_insert(conn, subject_names, former)
    started = time.perf_counter()
    with db.begin() as conn:
        name_index.rebuild(conn)
    took = time.perf_counter() - started
    # What an operator does after a bulk load: statistics for the planner and, on PostgreSQL,
    # the visibility map that lets the gram lookups read the index alone.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (subjects, subject_names, name_grams):
            vacuum = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
            conn.execute(text(f"{vacuum} {table.name}"))
    return db, took


def _database(url: str) -> Database:
    if not url.startswith("postgresql"):
        return Database(url)
    schema = f"xy_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    db.bench_schema = schema  # type: ignore[attr-defined]
    return db


def drop(db: Database, url: str) -> None:
    schema = getattr(db, "bench_schema", None)
    db.dispose()
    if schema:
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def queries(people: list[Person], rng: random.Random) -> dict[str, Callable[[], str]]:
    """Each kind of query a portal user types, as a function that picks one."""
    firms = [p for p in people if p.kind == "enterprise"]
    renamed = [p for p in firms if p.former]
    persons = [p for p in people if p.kind == "individual"]
    city_counts: dict[str, int] = {}
    for p in firms:
        city_counts[p.city] = city_counts.get(p.city, 0) + 1
    biggest = max(city_counts, key=city_counts.__getitem__)
    return {
        "USCC": lambda: rng.choice(firms).code,
        "full name": lambda: rng.choice(firms).name,
        "trade name (2-3 chars)": lambda: rng.choice(firms).trade,
        "city + trade name": lambda: (lambda p: p.city + p.trade)(rng.choice(firms)),
        "part of a former name": lambda: (lambda p: p.former[-8:-4])(rng.choice(renamed)),
        "person's name": lambda: rng.choice(persons).name,
        f"biggest city alone ({biggest})": lambda: biggest,
        "industry word alone (科技)": lambda: "科技",
        "legal form alone (有限公司)": lambda: "有限公司",
    }


def candidates(db: Database, query: str) -> int:
    """How many subjects the gram lookups leave for the substring check (at most the number a
    broad query is ranked among)."""
    with db.connect() as conn:
        narrowed = name_index.candidates(conn, query)
        if narrowed is None:
            return 0
        pool = narrowed[0].limit(name_index.CANDIDATES).subquery()
        return int(conn.execute(select(func.count()).select_from(pool)).scalar_one())


def time_queries(
    db: Database, people: list[Person], repeat: int, seed: int
) -> list[tuple[str, float, float, int, int, int]]:
    rng = random.Random(seed)
    out = []
    with db.connect() as conn:
        for label, pick in queries(people, rng).items():
            name_index.search(conn, pick())  # warm the cache for this kind
            timings: list[float] = []
            sizes: list[int] = []
            hits = broad = 0
            for _ in range(repeat):
                q = pick()
                t0 = time.perf_counter()
                found = name_index.search(conn, q, limit=20)
                timings.append((time.perf_counter() - t0) * 1000)
                hits += bool(found.hits)
                broad += found.broad
                if len(sizes) < 3 and not q[:2].isdigit():
                    sizes.append(candidates(db, q))
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
            size = int(statistics.median(sizes)) if sizes else 1
            out.append((label, statistics.median(timings), p95, size, hits, broad))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    names = Names(args.seed)
    people: list[Person] = []
    seen: set[str] = set()
    i = 0
    while len(people) < args.subjects:
        i += 1
        p = names.make(i)
        if p.code not in seen:  # a generated resident ID can repeat; a register holds it once
            seen.add(p.code)
            people.append(p)
    took = time.perf_counter() - t0
    print(f"generated {len(people):,} subjects in {took:.0f} s", file=sys.stderr)
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as folder:
            url = POSTGRES_URL if backend == "postgresql" else f"sqlite:///{folder}/search.db"
            t0 = time.perf_counter()
            db, took = build(url, people)
            with db.connect() as conn:
                grams = conn.execute(select(func.count()).select_from(name_grams)).scalar_one()
            print(
                f"\n{backend}: {len(people):,} subjects loaded in {time.perf_counter() - t0:.0f} s;"
                f" index of {grams:,} rows built in {took:.0f} s"
            )
            print("| query | median ms | p95 ms | candidates | found | broad |")
            print("|---|---:|---:|---:|---:|---:|")
            try:
                for label, median, p95, size, hits, broad in time_queries(
                    db, people, args.repeat, args.seed
                ):
                    print(
                        f"| {label} | {median:.1f} | {p95:.1f} | {size:,} |"
                        f" {hits}/{args.repeat} | {broad}/{args.repeat} |"
                    )
            finally:
                drop(db, url)


if __name__ == "__main__":
    main()
