"""A server killed with SIGKILL in the middle of a batch leaves all of it or none of it, and the
retry with the same Idempotency-Key then stores exactly one copy (PostgreSQL, real processes)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tests.conftest import postgres_schema
from tests.conftest import schema_url as url_of
from tests.helpers import uscc_code

from xinyong.disclosure.tokens import Role, issue
from xinyong.store.database import Database

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
#: Enough rows that the server is still writing (and then re-evaluating) when it is killed.
ROWS = int(os.environ.get("XINYONG_CRASH_ROWS", "10000"))


@pytest.fixture
def schema_url() -> Iterator[str]:
    with postgres_schema("xy_crash") as schema:
        yield url_of(schema)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": "2026-11-23"}
    process = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--port", str(port)],
        env=env,
        stdout=(tmp / "serve.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError((tmp / "serve.log").read_text())


def _batch() -> dict[str, Any]:
    return {
        "rows": [
            {
                "subject_code": uscc_code(1000 + i, "410102"),
                "subject_name": f"郑州批量公司{i}",
                "item_code": "ADM_PENALTY_GENERAL",
                "decided_on": "2026-06-01",
                "reference": f"郑罚〔2026〕{i}号",
            }
            for i in range(ROWS)
        ]
    }


def _counts(db: Database) -> tuple[int, int]:
    with db.connect() as conn:
        records = conn.execute(text("select count(*) from records")).scalar_one()
        subjects = conn.execute(text("select count(*) from subjects")).scalar_one()
    return int(records), int(subjects)


def _writing(db: Database) -> bool:
    """Whether a server backend is inside the batch's transaction, writing."""
    with db.connect() as conn:
        rows = conn.execute(
            text(
                "select query from pg_stat_activity where pid <> pg_backend_pid() "
                "and state in ('active', 'idle in transaction') and query ilike 'insert into%'"
            )
        ).all()
    return bool(rows)


def _sending(schema_url: str, key: str) -> tuple[Database, dict[str, str], dict[str, Any]]:
    """A migrated database, a department's headers under ``key``, and the batch to send."""
    db = Database(schema_url)
    db.migrate()
    with db.begin() as conn:
        token = issue(conn, "王芳", Role.DEPARTMENT, department="郑州市财政局")
    return db, {"Authorization": f"Bearer {token}", "Idempotency-Key": key}, _batch()


def _post_in_background(
    port: int, body: dict[str, Any], headers: dict[str, str], outcome: dict[str, Any]
) -> threading.Thread:
    """Send the batch from a thread; ``outcome`` gets the response or the transport error."""

    def post() -> None:
        try:
            outcome["response"] = httpx.post(
                f"http://127.0.0.1:{port}/records/batches", json=body, headers=headers, timeout=300
            )
        except httpx.TransportError as error:
            outcome["error"] = error

    sender = threading.Thread(target=post)
    sender.start()
    return sender


def test_sigkill_mid_batch_leaves_all_or_nothing(schema_url: str, tmp_path: Path) -> None:
    db, headers, body = _sending(schema_url, "crash-1")
    outcome: dict[str, Any] = {}
    port = _free_port()
    process = _serve(schema_url, port, tmp_path)
    sender = _post_in_background(port, body, headers, outcome)
    deadline = time.monotonic() + 60
    while not _writing(db):
        assert time.monotonic() < deadline, "the server never started writing"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    sender.join()
    assert "error" in outcome, "the server answered before it was killed; make the batch larger"
    time.sleep(0.5)  # the backend notices the closed connection and rolls back
    assert _counts(db) in {(0, 0), (ROWS, ROWS)}
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from idempotency_keys")).scalar_one() == 0

    process = _serve(schema_url, port := _free_port(), tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/records/batches"
        first = httpx.post(url, json=body, headers=headers, timeout=300)
        again = httpx.post(url, json=body, headers=headers, timeout=300)
    finally:
        process.terminate()
        process.wait()
    assert first.status_code == 201, first.text
    assert first.json()["accepted"] == ROWS
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert _counts(db) == (ROWS, ROWS)
    db.dispose()


def _evaluating(db: Database) -> bool:
    """Whether a server backend is re-evaluating the batch's subjects (inside its transaction)."""
    with db.connect() as conn:
        rows = conn.execute(
            text(
                "select query from pg_stat_activity where pid <> pg_backend_pid() "
                "and state in ('active', 'idle in transaction') and query ilike '%evaluation_%'"
            )
        ).all()
    return bool(rows)


def _runs(db: Database) -> int:
    with db.connect() as conn:
        return int(
            conn.execute(
                text("select count(*) from evaluation_runs where kind = 'incremental'")
            ).scalar_one()
        )


def test_sigkill_during_re_evaluation_leaves_no_batch_with_stale_grades(
    schema_url: str, tmp_path: Path
) -> None:
    """The re-evaluation of a batch's subjects is part of the batch's transaction: killed
    while it runs, the batch is not stored either; the retry stores both, so after a restart
    the grades are current. There is no moment at which a batch is stored and not graded."""
    db, headers, body = _sending(schema_url, "crash-2")
    outcome: dict[str, Any] = {}
    port = _free_port()
    process = _serve(schema_url, port, tmp_path)
    sender = _post_in_background(port, body, headers, outcome)
    deadline = time.monotonic() + 120
    while not _evaluating(db):
        assert time.monotonic() < deadline, "the server never started re-evaluating"
        assert sender.is_alive(), f"answered before re-evaluating: {outcome}"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    sender.join()
    time.sleep(0.5)
    assert (*_counts(db), _runs(db)) == (0, 0, 0)
    process = _serve(schema_url, port, tmp_path)
    try:
        answer = httpx.post(
            f"http://127.0.0.1:{port}/records/batches", json=body, headers=headers, timeout=300
        )
    finally:
        process.terminate()
        process.wait()
    assert answer.status_code == 201, answer.text
    assert answer.json()["evaluation_runs"], answer.json()
    assert _counts(db) == (ROWS, ROWS) and _runs(db) >= 1
