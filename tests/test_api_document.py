"""The API as a client developer meets it: every operation described, every parameter explained,
every request body with an example that the schema accepts and the server takes; Swagger UI and
ReDoc served without internet; and a client generated from the document (openapi-python-client)
without a warning, that parses the answers and the problem details of the running app."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from tests.dueprocess import add_subject

from xinyong.disclosure.tokens import Role, issue
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.web import create_app

EXAMPLE_FIRM = "91410100MA4000001N"  # the code the documented examples use


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("document")
    db = Database(f"sqlite:///{folder / 'api.db'}")
    db.migrate()
    with db.begin() as conn:
        add_subject(conn, EXAMPLE_FIRM, "enterprise", "410100")
        tokens = {
            "department": issue(conn, "王芳", Role.DEPARTMENT, department="郑州市生态环境局"),
            "official": issue(conn, "李明", Role.OFFICIAL),
        }
    app = create_app(Settings(today=date(2026, 11, 23), database_url=db.url), db)
    with TestClient(app) as client:
        yield client, tokens
    db.dispose()


@pytest.fixture(scope="module")
def document(served: tuple[TestClient, dict[str, str]]) -> dict[str, Any]:
    client, _ = served
    found: dict[str, Any] = client.get("/openapi.json").json()
    return found


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]


def test_every_operation_and_parameter_is_described(document: dict[str, Any]) -> None:
    silent = [
        f"{m} {p}"
        for m, p, op in _operations(document)
        if not op.get("summary") or not op.get("description")
    ]
    assert not silent, f"operations without a summary and a description: {silent}"
    unexplained = [
        f"{m} {p} {param['name']}"
        for m, p, op in _operations(document)
        for param in op.get("parameters", [])
        if not (param.get("description") or param.get("schema", {}).get("description"))
    ]
    assert not unexplained, f"parameters without a description: {unexplained}"


def _body_schemas(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for m, p, op in _operations(document):
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:  # a file upload's example would be a file
            found[f"{m} {p}"] = {"$ref": content["application/json"]["schema"]["$ref"]}
    return found


def test_every_uploaded_file_is_described(document: dict[str, Any]) -> None:
    uploads = [
        (f"{m} {p}", media["schema"]["$ref"].rsplit("/", 1)[-1])
        for m, p, op in _operations(document)
        for kind, media in op.get("requestBody", {}).get("content", {}).items()
        if kind == "multipart/form-data"
    ]
    assert uploads
    for where, name in uploads:
        fields = document["components"]["schemas"][name]["properties"]
        silent = [f for f, spec in fields.items() if not spec.get("description")]
        assert not silent, f"{where}: {silent} undescribed"


def test_every_request_body_has_an_example_its_schema_accepts(document: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry().with_resource(
        "urn:api", DRAFT202012.create_resource(document)
    )
    bodies = _body_schemas(document)
    assert len(bodies) >= 15
    for where, ref in bodies.items():
        name = ref["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
        examples = schema.get("examples")
        assert examples, f"{where}: the body {name} has no example"
        validator = OAS31Validator({"$ref": f"urn:api{ref['$ref']}"}, registry=registry)
        for example in examples:
            problems = [e.message for e in validator.iter_errors(example)]
            assert not problems, f"{where}: its example breaks its own schema: {problems}"


def test_the_documented_examples_work_against_the_server(
    served: tuple[TestClient, dict[str, str]], document: dict[str, Any]
) -> None:
    """The batch example, sent as the department it names, is taken row by row; the check
    example is answered. An example that only looks right would fail here."""
    client, tokens = served
    schemas = document["components"]["schemas"]
    department = {"Authorization": f"Bearer {tokens['department']}"}
    earlier = {
        "rows": [
            {
                "subject_code": EXAMPLE_FIRM,
                "item_code": "ADM_PENALTY_GENERAL",
                "decided_on": "2025-05-06",
                "reference": "郑环罚〔2025〕7号",
            }
        ]
    }
    first = client.post(
        "/records/batches", json=earlier, headers={**department, "Idempotency-Key": "earlier"}
    )
    assert first.status_code == 201, first.text
    (batch,) = schemas["BatchIn"]["examples"]
    sent = client.post(
        "/records/batches", json=batch, headers={**department, "Idempotency-Key": "example"}
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["rejected"] == [], sent.json()["rejected"]
    (check,) = schemas["CheckIn"]["examples"]
    official = {"Authorization": f"Bearer {tokens['official']}"}
    answered = client.post("/checks", json=check, headers=official)
    assert answered.status_code == 200, answered.text


def test_swagger_ui_and_redoc_load_from_this_server(
    served: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = served
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        assert "cdn.jsdelivr.net" not in html.text and "fonts.googleapis" not in html.text
        assets = [
            line.split('"')[1]
            for line in html.text.replace("'", '"').split()
            if line.startswith(("src=", "href=")) and "/docs/assets/" in line
        ]
        assert assets, f"{page} names no local asset"
        for asset in assets:
            got = client.get(asset)
            assert got.status_code == 200 and len(got.content) > 1000, asset


@pytest.mark.slow
def test_a_generated_client_has_no_warning_and_reads_answers_and_problems(
    served: tuple[TestClient, dict[str, str]], document: dict[str, Any], tmp_path: Path
) -> None:
    pytest.importorskip("openapi_python_client", reason="needs openapi-python-client (pip)")
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    config = tmp_path / "config.json"
    # A PDF is a file to the generator (its documented override for such media types).
    settings = {
        "project_name_override": "xyclient",
        "post_hooks": [],
        "content_type_overrides": {"application/pdf": "application/octet-stream"},
    }
    config.write_text(json.dumps(settings))
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(spec),
            "--config",
            str(config),
            "--meta",
            "none",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    output = made.stdout + made.stderr
    assert made.returncode == 0, output
    assert "Warning" not in output and "warning" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        generated = importlib.import_module("xyclient")
        public = importlib.import_module("xyclient.api.catalog.item")
        problem = importlib.import_module("xyclient.models.problem_details").ProblemDetails
        http, _ = served
        client = generated.Client(base_url=str(http.base_url))
        client.set_httpx_client(http)
        found = public.sync_detailed(client=client, code="ADM_PENALTY_GENERAL")
        assert found.status_code == 200 and found.parsed.code == "ADM_PENALTY_GENERAL"
        missing = public.sync_detailed(client=client, code="NO_SUCH_ITEM")
        assert missing.status_code == 404
        assert isinstance(missing.parsed, problem), missing.parsed
        assert missing.parsed.status == 404
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "xyclient" or n.startswith("xyclient.")]:
            del sys.modules[name]


def test_no_api_route_hides_a_portal_page(served: tuple[TestClient, dict[str, str]]) -> None:
    """The API is matched first: a path it serves never reaches the portal's page of the
    same shape (a report's page once answered JSON this way)."""
    import re

    from fastapi.routing import APIRoute
    from starlette.routing import Mount

    client, _ = served
    app = client.app
    portal = next(r.app for r in app.routes if isinstance(r, Mount) and r.name == "portal")  # type: ignore[attr-defined]
    shape = re.compile(r"\{[^}]+\}")

    def flat(routes: Any, prefix: str = "") -> list[tuple[str, APIRoute]]:
        found = []
        for r in routes:
            if isinstance(r, APIRoute):
                found.append((prefix, r))
            elif hasattr(r, "original_router"):  # a router included into an app
                inner = r.original_router
                found += flat(inner.routes, prefix + getattr(inner, "prefix", ""))
        return found

    def paths(routes: Any) -> set[tuple[str, str]]:
        return {
            (m, shape.sub("{}", r.path if r.path.startswith(prefix) else prefix + r.path))
            for prefix, r in flat(routes)
            for m in r.methods or ()
        }

    api, pages = paths(app.routes), paths(portal.routes)  # type: ignore[attr-defined]
    assert len(api) > 40 and len(pages) > 20
    hidden = api & pages
    assert not hidden, hidden
