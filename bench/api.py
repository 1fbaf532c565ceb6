"""Throughput and latency of the check endpoint over HTTP, next to a bare endpoint on the same
server in the same run (PostgreSQL, 1M subjects).

Run by ``make bench``. Builds the database of ``bench/check.py`` (subjects, a stored rating run,
listings in effect, open objections) in a schema of its own, issues a department token, starts
``xinyong serve`` with N worker processes, and drives it from this process with a closed-loop
load generator (httpx over asyncio, C requests in flight) for S seconds per endpoint: first
``GET /health`` (the bare endpoint: routing, no database), then ``POST /checks`` for random
subjects and actions (token lookup, access-log row, check, audit reference, commit). Prints a
Markdown table row per endpoint: requests, requests per second, median and p99 latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
from check import AT, POSTGRES_URL, build


async def _load(
    url: str, make: Any, concurrency: int, seconds: float
) -> tuple[int, list[float], int]:
    timings: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            nonlocal errors
            rng = random.Random(n)
            while time.perf_counter() < stop:
                method, path, kwargs = make(rng)
                t0 = time.perf_counter()
                response = await client.request(method, path, **kwargs)
                timings.append(time.perf_counter() - t0)
                errors += response.status_code >= 400

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return len(timings), timings, errors


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        file=sys.stderr,
    )
    from xinyong.disclosure.tokens import Role, issue

    started = time.perf_counter()
    (db, schema), codes = build(POSTGRES_URL, args.subjects, args.seed)
    with db.begin() as conn:
        token = issue(conn, "bench", Role.DEPARTMENT, department="bike_operator")
    db.dispose()
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    port = _port()
    env = {**os.environ, "XINYONG_DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"}
    command = [sys.executable, "-m", "xinyong", "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", str(args.workers)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        headers = {"Authorization": f"Bearer {token}"}
        actions = ["rental", "government_procurement", "inspection", "honours"]
        endpoints = {
            "GET /health (bare)": lambda rng: ("GET", "/health", {}),
            "POST /checks": lambda rng: (
                "POST",
                "/checks",
                {
                    "headers": headers,
                    "json": {
                        "code": rng.choice(codes),
                        "action": rng.choice(actions),
                        "at": AT.isoformat(),
                    },
                },
            ),
        }
        print(
            "| endpoint | subjects | workers | in flight | requests | errors | req/s | "
            "median ms | p99 ms |\n|---|---|---|---|---|---|---|---|---|"
        )
        for name, make in endpoints.items():
            asyncio.run(_load(base, make, args.concurrency, 2.0))  # warm up
            count, timings, errors = asyncio.run(_load(base, make, args.concurrency, args.seconds))
            timings.sort()
            print(
                f"| {name} | {args.subjects:,} | {args.workers} | {args.concurrency} | {count:,} | "
                f"{errors} | {count / args.seconds:,.0f} | "
                f"{statistics.median(timings) * 1000:.1f} | "
                f"{timings[int(len(timings) * 0.99) - 1] * 1000:.1f} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
