"""The check endpoint and the public profile page over HTTP, each next to a one-lookup FastAPI
endpoint on the same database, served the same way, in the same run (PostgreSQL, 1M subjects).

Run by ``make bench``. Builds the database of ``bench/check.py`` (subjects, a stored rating run,
listings in effect, open objections) in a schema of its own, issues a department token, starts
``xinyong serve`` and the baseline app of ``bench/lookup_app.py`` (one ``SELECT`` of a subject
by code or id) with the same uvicorn and the same number of workers, and drives each endpoint
with wrk (the Debian package ``wrk``: ``apt-get install -y wrk``), C connections over 2
threads, for S seconds after a short warm-up. Prints a Markdown table: requests per second,
median and p99 latency, and each xinyong endpoint's throughput as a ratio of its baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
from check import AT, POSTGRES_URL, build

HERE = Path(__file__).parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(base: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(base, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"the server at {base} did not start")


def wrk(url: str, env: dict[str, str], connections: int, seconds: float) -> dict[str, Any]:
    """One wrk run; its summary as printed by ``bench/wrk/load.lua``."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{round(seconds)}s",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "wrk" / "load.lua"),
        url,
    ]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("XY "))
    found: dict[str, Any] = json.loads(line[3:])
    found["rps"] = found["requests"] / (found["duration_us"] / 1e6)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api.py needs wrk: apt-get install -y wrk")
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
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    env = {**os.environ, "XINYONG_DATABASE_URL": url}
    ours, theirs = _port(), _port()
    workers = ["--workers", str(args.workers)]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "xinyong", "serve", "--port", str(ours), *workers], env=env
        ),
        subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "lookup_app:create", "--factory"),
                *("--app-dir", str(HERE), "--port", str(theirs), "--log-level", "warning"),
                *workers,
            ],
            env=env,
        ),
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(codes))
    common = {"XY_CODES": handle.name, "XY_AT": AT.isoformat(), "XY_SUBJECTS": str(len(codes))}
    ours_url, theirs_url = f"http://127.0.0.1:{ours}", f"http://127.0.0.1:{theirs}"
    runs = [
        ("POST /lookup (baseline)", theirs_url, {"XY_KIND": "check", "XY_PATH": "/lookup"}),
        (
            "POST /checks",
            ours_url,
            {"XY_KIND": "check", "XY_PATH": "/checks", "XY_TOKEN": token},
        ),
        ("GET /lookup/{id} (baseline)", theirs_url, {"XY_KIND": "profile", "XY_PATH": "/lookup/"}),
        ("GET /profile/{id}", ours_url, {"XY_KIND": "profile", "XY_PATH": "/profile/"}),
    ]
    try:
        _wait(f"{ours_url}/health")
        _wait(f"{theirs_url}/lookup/1")
        print(
            f"{args.subjects:,} subjects, {args.workers} workers, {args.connections} connections, "
            f"{args.seconds:.0f} s each\n\n"
            "| endpoint | requests | errors | req/s | median ms | p99 ms | ratio to baseline |\n"
            "|---|---|---|---|---|---|---|"
        )
        baseline = 0.0
        for name, base, extra in runs:
            wrk(base, {**common, **extra}, args.connections, 2.0)  # warm up
            found = wrk(base, {**common, **extra}, args.connections, args.seconds)
            if "baseline" in name:
                baseline = found["rps"]
            ratio = "1" if "baseline" in name else f"{found['rps'] / baseline:.3f}"
            print(
                f"| {name} | {found['requests']:,} | {found['errors']} | {found['rps']:,.0f} | "
                f"{found['p50_us'] / 1000:.1f} | {found['p99_us'] / 1000:.1f} | {ratio} |",
                flush=True,
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        Path(handle.name).unlink()
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
