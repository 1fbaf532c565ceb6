"""The reference scheme, compiled by xinyong, beside the hand-written query of
../shared/bench/REFERENCE.md, on the same engine and the same data, in the same run.

Data (deterministic, generated inside DuckDB): N subjects, about 15% without records, skewed
record counts (log-normal weights), items Zipf-like over N01..N40, P01, P02, decision dates
uniform over 2015-2025, severity 1/2/3 at 0.6/0.3/0.1, a log-normal amount, stored in
decision-date order. The same rows are loaded into SQLite and PostgreSQL. Each query's result
is kept in the engine (CREATE TABLE ... AS), and the two results must agree subject by subject.
Prints Markdown rows; `make bench` records them in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import time
import uuid
from datetime import date
from pathlib import Path

import duckdb

from xinyong.catalog.items import Catalog
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import plan
from xinyong.schemes.loading import load_scheme

HERE = Path(__file__).resolve().parent
AS_OF = date(2025, 6, 30)
POSTGRES_URL = os.environ.get(
    "XINYONG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SERIOUS = ("N05", "N12", "N19", "N26", "N33")

HAND_WRITTEN = """
WITH per_code AS (
  SELECT r.subject_id, r.item_code,
         CAST(COUNT(*) AS INTEGER) AS n,
         MAX(CASE WHEN r.severity = 3 THEN 1 ELSE 0 END) AS has_sev3
  FROM records r
  WHERE r.decided_on > '2022-06-30' AND r.decided_on <= '2025-06-30'
  GROUP BY r.subject_id, r.item_code
),
per_subject AS (
  SELECT p.subject_id,
         SUM(CASE WHEN c.is_positive = 0
                  THEN (CASE WHEN p.n * c.deduction > 30 THEN 30 ELSE p.n * c.deduction END)
                  ELSE 0 END) AS deduction,
         SUM(CASE WHEN c.is_positive = 1 THEN p.n ELSE 0 END) AS n_pos,
         MAX(CASE WHEN c.is_serious = 1 THEN p.has_sev3 ELSE 0 END) AS serious
  FROM per_code p JOIN item_rules c ON c.item_code = p.item_code
  GROUP BY p.subject_id
),
scored AS (
  SELECT s.id AS subject_id,
         100 - COALESCE(ps.deduction, 0)
             + (CASE WHEN COALESCE(ps.n_pos, 0) * 5 > 10 THEN 10
                     ELSE COALESCE(ps.n_pos, 0) * 5 END) AS score,
         COALESCE(ps.serious, 0) AS serious
  FROM subjects s LEFT JOIN per_subject ps ON ps.subject_id = s.id
)
SELECT subject_id, score,
       CASE WHEN serious = 1 THEN 'D'
            WHEN score >= 90 THEN 'A'
            WHEN score >= 70 THEN 'B'
            WHEN score >= 40 THEN 'C'
            ELSE 'D' END AS grade
FROM scored
"""


def _items(first: int, last: int) -> str:
    return ", ".join(f"'N{i:02d}'" for i in range(first, last + 1))


# The logic of bench/measures-scheme.yaml, written by hand: named measures compared with each
# other (fines above three times the recent amounts), a weighted mean that deducts points, per-
# record deductions with a cap, and a list on either of two grounds. ``{number}`` reads a number
# attribute in the engine's own way.
HAND_WRITTEN_MEASURES = f"""
WITH r AS (
  SELECT subject_id, item_code, decided_on, severity,
         {{amount}} AS amount, {{contract}} AS contract
  FROM records
  WHERE decided_on > '2022-06-30' AND decided_on <= '2025-06-30'
),
per_code AS (
  SELECT subject_id, item_code, COUNT(*) AS n, SUM(amount) AS amount,
         SUM(CASE WHEN decided_on > '2024-06-30' THEN amount END) AS recent,
         SUM(amount * contract) AS weighted,
         SUM(CASE WHEN amount IS NOT NULL THEN contract END) AS weights,
         COUNT(CASE WHEN severity = 3 THEN 1 END) AS serious
  FROM r GROUP BY subject_id, item_code
),
per_subject AS (
  SELECT subject_id,
         SUM(CASE WHEN item_code IN ({_items(1, 10)}) THEN amount END) AS fines,
         SUM(CASE WHEN item_code IN ({_items(31, 40)}) THEN recent END) AS recent,
         SUM(CASE WHEN item_code IN ({_items(11, 20)}) THEN weighted END)
           / NULLIF(SUM(CASE WHEN item_code IN ({_items(11, 20)}) THEN weights END), 0)
           AS quality,
         SUM(CASE WHEN item_code = 'N05' THEN serious ELSE 0 END) AS serious,
         SUM(CASE WHEN item_code IN ({_items(21, 25)})
                  THEN (CASE WHEN n * 3 > 30 THEN 30 ELSE n * 3 END) ELSE 0 END) AS deduction,
         SUM(CASE WHEN item_code IN ('P01', 'P02') THEN n ELSE 0 END) AS positive
  FROM per_code GROUP BY subject_id
),
scored AS (
  SELECT s.id AS subject_id,
         100 - 2 * COALESCE(p.quality, 0) - COALESCE(p.deduction, 0)
             + (CASE WHEN COALESCE(p.positive, 0) * 5 > 10 THEN 10
                     ELSE COALESCE(p.positive, 0) * 5 END) AS score,
         COALESCE(p.fines, 0) AS fines, COALESCE(p.recent, 0) AS recent,
         COALESCE(p.serious, 0) AS serious
  FROM subjects s LEFT JOIN per_subject p ON p.subject_id = s.id
),
banded AS (
  SELECT *, CASE WHEN fines > 3 * recent THEN 3
                 WHEN score >= 90 - 1e-9 THEN 0
                 WHEN score >= 70 - 1e-9 THEN 1
                 WHEN score >= 40 - 1e-9 THEN 2 ELSE 3 END AS band
  FROM scored
)
SELECT subject_id, score,
       CASE WHEN serious >= 2 AND band < 1 THEN 'B'
            WHEN band = 0 THEN 'A' WHEN band = 1 THEN 'B' WHEN band = 2 THEN 'C'
            ELSE 'D' END AS grade,
       CASE WHEN serious >= 1 OR fines >= 40 THEN 1 ELSE 0 END AS listed
FROM banded
"""

#: How each engine reads a number attribute, for the hand-written query.
NUMBER = {
    "duckdb": "CAST(attributes->>'{name}' AS DOUBLE)",
    "sqlite": "CAST(json_extract(attributes, '$.{name}') AS REAL)",
    "postgresql": "CAST(attributes->>'{name}' AS DOUBLE PRECISION)",
    "spark": "CAST(get_json_object(attributes, '$.{name}') AS DOUBLE)",
}


def hand_written(scheme: str, engine: str) -> str:
    if scheme == "reference":
        return HAND_WRITTEN
    number = NUMBER[engine]
    return HAND_WRITTEN_MEASURES.format(
        amount=number.format(name="amount"), contract=number.format(name="contract")
    )


#: Rows of the two results that differ (score, grade, and the list where there is one).
DIFFER = {
    "reference": "h.grade IS DISTINCT FROM o.grade OR abs(h.score - o.score) > 1e-9",
    "measures": "h.grade IS DISTINCT FROM o.grade OR abs(h.score - o.score) > 1e-6 "
    "OR h.listed <> o.list_blacklist",
}

GENERATE = """
SELECT setseed(0.42);
CREATE TABLE subjects AS
  SELECT i AS id, 'enterprise' AS kind, 'active' AS status, '110105' AS region_code,
         '48' AS industry_code, DATE '2000-01-01' AS registered_on
  FROM range(1, {subjects} + 1) t(i);
CREATE TABLE weights AS
  SELECT id, CASE WHEN random() < 0.15 THEN 0.0
                  ELSE exp(1.2 * sqrt(-2 * ln(random())) * cos(2 * pi() * random())) END AS w
  FROM subjects;
CREATE TABLE counts AS
  SELECT id, CAST(round(w * {records} / (SELECT sum(w) FROM weights)) AS INTEGER) AS n
  FROM weights;
CREATE TABLE records AS
  SELECT row_number() OVER (ORDER BY decided_on, subject_id) AS id, *
  FROM (
    SELECT c.id AS subject_id,
           CASE WHEN u < 0.04 THEN 'P0' || CAST(1 + CAST(u * 50 AS INTEGER) % 2 AS VARCHAR)
                ELSE 'N' || lpad(CAST(LEAST(40, CAST(floor(exp(v * ln(41))) AS INTEGER))
                                      AS VARCHAR), 2, '0')
           END AS item_code,
           DATE '2015-01-01' + CAST(floor(random() * 4018) AS INTEGER) AS decided_on,
           CASE WHEN s < 0.6 THEN 1 WHEN s < 0.9 THEN 2 ELSE 3 END AS severity,
           '{{"amount": ' || CAST(round(exp(random() * 3), 2) AS VARCHAR)
             || ', "contract": ' || CAST(round(1 + random() * 99, 1) AS VARCHAR) || '}}'
             AS attributes,
           CAST(NULL AS BIGINT) AS supersedes_id
    FROM counts c, LATERAL (SELECT random() AS u, random() AS v, random() AS s
                            FROM range(c.n)) g
  )
  ORDER BY decided_on, subject_id;
CREATE TABLE record_events (record_id BIGINT, kind VARCHAR, effective_on DATE);
"""


def item_rules() -> list[tuple[str, int, int, int]]:
    rows = [(f"N{i:02d}", (i - 1) % 20 + 1, 0, int(f"N{i:02d}" in SERIOUS)) for i in range(1, 41)]
    return [*rows, ("P01", 0, 1, 0), ("P02", 0, 1, 0)]


def generate(subjects: int, records: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET threads TO 1")  # random() repeats its sequence only on one thread
    con.execute(GENERATE.format(subjects=subjects, records=records))
    con.execute("RESET threads")
    con.execute(
        "CREATE TABLE item_rules (item_code VARCHAR, deduction INTEGER, "
        "is_positive INTEGER, is_serious INTEGER)"
    )
    con.executemany("INSERT INTO item_rules VALUES (?, ?, ?, ?)", item_rules())
    return con


REPEAT = 3


def timed_pair(hand, ours) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The median of REPEAT runs of each query, taken in turn (hand, ours, hand, ...) so that
    both see the same caches; one run alone varied by a tenth from run to run."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEAT):
        for run, kept in ((hand, times[0]), (ours, times[1])):
            started = time.perf_counter()
            run()
            kept.append(time.perf_counter() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def duckdb_case(
    con: duckdb.DuckDBPyConnection, compiled: str, written: str, differs: str
) -> dict[str, float | int]:
    hand, ours = timed_pair(
        lambda: con.execute(f"CREATE OR REPLACE TABLE hand AS {written}"),
        lambda: con.execute(f"CREATE OR REPLACE TABLE ours AS {compiled}"),
    )
    differ = con.execute(
        "SELECT count(*) FROM hand h FULL JOIN ours o USING (subject_id) "
        f"WHERE {differs} OR h.subject_id IS NULL OR o.subject_id IS NULL"
    ).fetchone()[0]
    return {"hand": hand, "ours": ours, "differ": differ}


def sqlite_case(
    con: duckdb.DuckDBPyConnection, compiled: str, folder: Path, written: str, differs: str
) -> dict[str, float | int]:
    path = folder / "scheme-bench.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE subjects (id INTEGER PRIMARY KEY, kind TEXT, status TEXT, region_code TEXT,"
        " industry_code TEXT, registered_on TEXT);"
        "CREATE TABLE records (id INTEGER PRIMARY KEY, subject_id INTEGER, item_code TEXT,"
        " decided_on TEXT, severity INTEGER, attributes TEXT, supersedes_id INTEGER);"
        "CREATE TABLE record_events (record_id INTEGER, kind TEXT, effective_on TEXT);"
        "CREATE TABLE item_rules (item_code TEXT PRIMARY KEY, deduction INTEGER,"
        " is_positive INTEGER, is_serious INTEGER);"
    )
    load = time.perf_counter()
    for table, columns in (("subjects", 6), ("records", 7), ("item_rules", 4)):
        cursor = con.execute(f"SELECT * FROM {table}")
        marks = ", ".join("?" for _ in range(columns))
        while chunk := cursor.fetchmany(200_000):
            db.executemany(
                f"INSERT INTO {table} VALUES ({marks})",
                [tuple(str(v) if isinstance(v, date) else v for v in row) for row in chunk],
            )
    # The indexes xinyong's own schema has for these queries.
    db.executescript(
        "CREATE INDEX ix_records_subject_id_decided_on ON records (subject_id, decided_on);"
        "CREATE INDEX ix_records_supersedes_id ON records (supersedes_id);"
        "CREATE INDEX ix_record_events_record_id ON record_events (record_id);"
    )
    db.commit()
    load_seconds = time.perf_counter() - load
    hand, ours = timed_pair(
        lambda: db.executescript(f"DROP TABLE IF EXISTS hand; CREATE TABLE hand AS {written}"),
        lambda: db.executescript(f"DROP TABLE IF EXISTS ours; CREATE TABLE ours AS {compiled}"),
    )
    # Without these SQLite compares the two results by a nested loop (10^12 steps at 1M).
    db.execute("CREATE INDEX ix_hand ON hand (subject_id)")
    db.execute("CREATE INDEX ix_ours ON ours (subject_id)")
    differ = db.execute(
        "SELECT count(*) FROM hand h FULL JOIN ours o ON o.subject_id = h.subject_id "
        f"WHERE {differs.replace('IS DISTINCT FROM', 'IS NOT')} "
        "OR h.subject_id IS NULL OR o.subject_id IS NULL"
    ).fetchone()[0]
    db.close()
    return {"hand": hand, "ours": ours, "differ": differ, "load": load_seconds}


def postgres_case(
    con: duckdb.DuckDBPyConnection, compiled: str, folder: Path, written: str, differs: str
) -> dict[str, float | int]:
    import psycopg

    schema = f"xy_scheme_bench_{uuid.uuid4().hex[:8]}"
    csv = folder / "records.csv"
    con.execute(f"COPY (SELECT * FROM records) TO '{csv}' (HEADER false)")
    with psycopg.connect(POSTGRES_URL, autocommit=True) as pg:
        pg.execute(f'CREATE SCHEMA "{schema}"')
        pg.execute(f'SET search_path = "{schema}"')
        pg.execute(
            "CREATE TABLE subjects (id BIGINT PRIMARY KEY, kind VARCHAR(16), status "
            "VARCHAR(16), region_code VARCHAR(6), industry_code VARCHAR(8), registered_on DATE)"
        )
        pg.execute(
            "CREATE TABLE records (id BIGINT PRIMARY KEY, subject_id BIGINT, item_code "
            "VARCHAR(64), decided_on DATE, severity SMALLINT, attributes JSONB, "
            "supersedes_id BIGINT)"
        )
        pg.execute(
            "CREATE TABLE record_events (record_id BIGINT, kind VARCHAR(16), effective_on DATE)"
        )
        pg.execute(
            "CREATE TABLE item_rules (item_code VARCHAR(64) PRIMARY KEY, deduction INTEGER,"
            " is_positive INTEGER, is_serious INTEGER)"
        )
        started = time.perf_counter()
        with pg.cursor() as cur:
            with cur.copy("COPY subjects FROM STDIN") as copy:
                for row in con.execute("SELECT * FROM subjects").fetchall():
                    copy.write_row(row)
            with cur.copy("COPY item_rules FROM STDIN") as copy:
                for row in item_rules():
                    copy.write_row(row)
            with csv.open("rb") as f, cur.copy("COPY records FROM STDIN (FORMAT csv)") as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
        pg.execute("CREATE INDEX ON records (subject_id, decided_on)")
        pg.execute("CREATE INDEX ON records (supersedes_id)")
        pg.execute("CREATE INDEX ON record_events (record_id)")
        pg.execute("ANALYZE")
        load_seconds = time.perf_counter() - started
        hand, ours = timed_pair(
            lambda: pg.execute(f"DROP TABLE IF EXISTS hand; CREATE TABLE hand AS {written}"),
            lambda: pg.execute(f"DROP TABLE IF EXISTS ours; CREATE TABLE ours AS {compiled}"),
        )
        differ = pg.execute(
            "SELECT count(*) FROM hand h FULL JOIN ours o USING (subject_id) "
            f"WHERE {differs} OR h.subject_id IS NULL OR o.subject_id IS NULL"
        ).fetchone()[0]
        pg.execute(f'DROP SCHEMA "{schema}" CASCADE')
    csv.unlink()
    return {"hand": hand, "ours": ours, "differ": differ, "load": load_seconds}


def spark_case(
    con: duckdb.DuckDBPyConnection, compiled: str, folder: Path, written: str, differs: str
) -> dict[str, float | int]:
    """Spark SQL on local[2] over Parquet files of the same rows (the layout `xinyong schemes
    export-parquet` writes); each query's result is written to Parquet, as a job would."""
    from xinyong.backends.spark import session

    spark = session("xinyong-bench", master="local[2]")
    spark.conf.set("spark.sql.shuffle.partitions", "4")
    started = time.perf_counter()
    tables = ("subjects", "records", "record_events", "item_rules")
    for table in tables:
        path = folder / f"{table}.parquet"
        con.execute(f"COPY {table} TO '{path}' (FORMAT PARQUET)")
        spark.read.parquet(str(path)).createOrReplaceTempView(table)
    load_seconds = time.perf_counter() - started

    def run(sql: str, name: str) -> None:
        spark.sql(sql).write.mode("overwrite").parquet(str(folder / f"{name}.out.parquet"))

    hand, ours = timed_pair(lambda: run(written, "hand"), lambda: run(compiled, "ours"))
    for name in ("hand", "ours"):
        spark.read.parquet(str(folder / f"{name}.out.parquet")).createOrReplaceTempView(name)
    differ = spark.sql(
        "SELECT count(*) AS n FROM hand h FULL JOIN ours o ON o.subject_id = h.subject_id "
        f"WHERE {differs} "
        "OR h.subject_id IS NULL OR o.subject_id IS NULL"
    ).collect()[0]["n"]
    return {"hand": hand, "ours": ours, "differ": int(differ), "load": load_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--engines", default="duckdb,sqlite,postgresql,spark")
    parser.add_argument(
        "--scheme",
        choices=["reference", "measures"],
        default="reference",
        help="the reference rating, or the scheme of measures compared with measures",
    )
    args = parser.parse_args()
    folder = HERE / "out"
    folder.mkdir(exist_ok=True)
    catalog = Catalog.load([HERE / "catalog.yaml"])
    scheme = load_scheme(HERE / f"{args.scheme}-scheme.yaml", catalog)
    resolved = plan(scheme, catalog, AS_OF)
    differs = DIFFER[args.scheme]
    started = time.perf_counter()
    con = generate(args.subjects, args.records)
    n = con.execute("SELECT count(*) FROM records").fetchone()[0]
    print(
        f"scheme {scheme.key}; data: {args.subjects} subjects, {n} records, generated in "
        f"{time.perf_counter() - started:.0f} s; {date.today()}, {os.cpu_count()} cores"
    )
    print("| engine | hand-written s | xinyong compiled s | ratio | rows that differ | load s |")
    print("|---|---|---|---|---|---|")
    cases = {
        "duckdb": lambda: duckdb_case(
            con, to_sql(resolved, "duckdb"), hand_written(args.scheme, "duckdb"), differs
        ),
        "sqlite": lambda: sqlite_case(
            con, to_sql(resolved, "sqlite"), folder, hand_written(args.scheme, "sqlite"), differs
        ),
        "postgresql": lambda: postgres_case(
            con,
            to_sql(resolved, "postgres"),
            folder,
            hand_written(args.scheme, "postgresql"),
            differs,
        ),
        "spark": lambda: spark_case(
            con, to_sql(resolved, "spark"), folder, hand_written(args.scheme, "spark"), differs
        ),
    }
    for engine in args.engines.split(","):
        r = cases[engine]()
        print(
            f"| {engine} | {r['hand']:.2f} | {r['ours']:.2f} | {r['ours'] / r['hand']:.2f} | "
            f"{r['differ']} | {r.get('load', 0):.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
