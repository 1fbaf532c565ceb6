"""schemathesis over every route of the in-process app: generated requests, valid and invalid,
as an official (who may call almost everything), a department (batches and checks) and a
subject (its own routes). No answer may be a server error, every answer must match the
documented schema and status codes, and invalid data must be refused. The app runs on
PostgreSQL where a server is reachable (CI requires one), in a schema of its own; else on
SQLite."""

from __future__ import annotations

import atexit
import os
import tempfile
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine, text
from tests.conftest import POSTGRES_URL, postgres_problem
from tests.dueprocess import add_records, add_subject
from tests.helpers import resident_id, uscc_code

from xinyong.disclosure.tokens import Role, issue
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.web import create_app


def _database() -> Database:
    if postgres_problem() is None:
        schema_name = f"xy_schemathesis_{uuid.uuid4().hex[:10]}"
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))

        def drop() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
            admin.dispose()

        atexit.register(drop)
        return Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema_name}"})
    if os.environ.get("XINYONG_REQUIRE_POSTGRES") == "1":
        raise RuntimeError(postgres_problem())
    folder = Path(tempfile.mkdtemp(prefix="xinyong-schemathesis-"))
    return Database(f"sqlite:///{folder / 'api.db'}")


_db = _database()
_db.migrate()
with _db.begin() as _conn:
    _rider = add_subject(_conn, resident_id(3, "440305"), "individual", "440305")
    _firm = add_subject(_conn, uscc_code(5, "410102"), "enterprise", "410102")
    add_records(_conn, _rider, "BIKE_VIOLATION", [date(2026, 2, 1)], conduct="damage")
    add_records(_conn, _firm, "ADM_PENALTY_GENERAL", [date(2026, 3, 1)])
    TOKENS = {
        "official": issue(_conn, "李明", Role.OFFICIAL),
        "subject": issue(_conn, "骑行者", Role.SUBJECT, subject_code=resident_id(3, "440305")),
        "department": issue(_conn, "王芳", Role.DEPARTMENT, department="郑州市财政局"),
    }
app = create_app(Settings(today=date(2026, 11, 23), database_url=_db.url), _db)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,  # the same cases on every run: CI stays reproducible
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_route_answers_as_documented(case: schemathesis.Case) -> None:
    for token in TOKENS.values():
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


class _Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls that follow the documented links (a batch, then reading it; a run,
    then reading it; an objection, then its case), as an official."""

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"headers": {"Authorization": f"Bearer {TOKENS['official']}"}}

    def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
        case.validate_response(response, checks=[not_a_server_error, status_code_conformance])


TestStatefulWorkflows = _Workflow.TestCase
TestStatefulWorkflows.settings = settings(
    max_examples=40,
    stateful_step_count=5,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def test_the_openapi_document_is_valid_and_every_reference_resolves() -> None:
    import json
    import re

    from openapi_spec_validator import validate

    document = app.openapi()
    validate(document)  # OpenAPI 3.1, as openapi-spec-validator reads it
    text = json.dumps(document)
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert refs <= set(document["components"]["schemas"]), refs - set(
        document["components"]["schemas"]
    )
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert "run_check" in ids and not any(i.endswith(("_get", "_post")) for i in ids), ids
    # every documented error is a problem details body, never a dropped reference
    errors = [
        r["content"]["application/problem+json"]["schema"]["$ref"]
        for op in operations
        for status, r in op["responses"].items()
        if status.startswith(("4", "5")) and "application/problem+json" in r.get("content", {})
    ]
    assert errors and set(errors) == {"#/components/schemas/ProblemDetails"}
