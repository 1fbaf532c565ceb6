"""The HTTP service: an app factory over the library. Each router holds one resource; every
route names exactly one permission through :class:`~xinyong.api.deps.Allow`, and the factory
refuses to build an app with a route that does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from xinyong import __version__
from xinyong.api import problems
from xinyong.api.deps import Allow, Call, Public
from xinyong.api.routers import (
    agencies,
    audit,
    cases,
    catalog,
    checks,
    consents,
    evaluations,
    guidance,
    inspections,
    links,
    listings,
    records,
    reports,
    schemes,
    services,
    shadows,
    subjects,
    webhooks,
)
from xinyong.application import Application
from xinyong.asgi import Headers
from xinyong.disclosure.access import Permission
from xinyong.errors import InvalidInput

DESCRIPTION = """\
Public-credit schemes as versioned policy files, on one engine, with due process built in.

**Signing in.** Public routes need no token. Every other route takes `Authorization: Bearer
<token>`, a token issued by `xinyong tokens issue` for a role (subject, department, agency,
official, auditor) and, for all but a subject, optionally a region: a token for a region sees only
subjects registered under it.

**Purpose.** A read of non-public data states `X-Purpose` and `X-Legal-Basis`, and is written to
the subject's access log before the data is returned; the subject can list who read its file.

**Errors** are RFC 9457 problem details; `errors` names each field at fault.
"""


def guard_of(route: APIRoute) -> list[Permission]:
    """The permissions a route's dependencies demand (exactly one for every route)."""
    return [d.call.permission for d in route.dependant.dependencies if isinstance(d.call, Allow)]


def api_routes(app: FastAPI, routers: list[APIRouter]) -> list[APIRoute]:
    """Every route the app serves: its own and its routers' (mounted without a prefix)."""
    own = [r for r in app.routes if isinstance(r, APIRoute)]
    return own + [r for router in routers for r in router.routes if isinstance(r, APIRoute)]


async def known_query(request: Request) -> None:
    """Refuse a query parameter the route does not declare: a misspelt ``?asof=`` silently
    ignored would answer for today instead of the date asked for."""
    app = request.app
    names: dict[tuple[str, str], set[str]] | None = getattr(app.state, "query_names", None)
    if names is None:
        names = {
            (method.upper(), path): {
                p["name"] for p in op.get("parameters", []) if p["in"] == "query"
            }
            for path, operations in app.openapi()["paths"].items()
            for method, op in operations.items()
        }
        app.state.query_names = names
    route = request.scope.get("route")
    allowed = names.get((request.method, getattr(route, "path", "")), set())
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise InvalidInput(
            f"unknown query parameter {unknown[0]!r}; this route takes: {known}",
            field=f"query.{unknown[0]}",
        )


#: Swagger UI and ReDoc, as the fastapi-offline package ships them: the API's pages work on a
#: machine with no internet (a CDN is the default).
DOCS_ASSETS = "/docs/assets"


def offline_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (Swagger UI) and ``/redoc`` from packaged assets."""
    app.mount(
        DOCS_ASSETS,
        StaticFiles(directory=str(files("fastapi_offline") / "static")),
        name="docs-assets",
    )

    async def swagger(_request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="xinyong API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )

    async def redoc(_request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="xinyong API",
            redoc_js_url=f"{DOCS_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)


def create_api(application: Application) -> FastAPI:
    """The HTTP API over ``application`` (the portal is mounted beside it by
    :func:`xinyong.web.create_app`)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # as many requests in worker threads as the database has connections for them: the
        # rest wait in the event loop, not in a thread holding nothing
        to_thread.current_default_thread_limiter().total_tokens = application.settings.pool_size
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="xinyong",
        version=__version__,
        description=DESCRIPTION,
        dependencies=[Depends(known_query)],
        docs_url=None,
        redoc_url=None,
        # An operation's id is its function's name: stable, readable, unique (checked below).
        generate_unique_id_function=lambda route: route.name,
        openapi_tags=[
            {"name": "subjects", "description": "Search, public profile, full file, readers"},
            {"name": "self-service", "description": "A subject's own file, readers and cases"},
            {"name": "records", "description": "Batches of records from departments"},
            {"name": "schemes", "description": "The scheme catalog, plain words, tests"},
            {"name": "evaluations", "description": "Runs, comparisons, explanations"},
            {"name": "listings", "description": "List memberships and their due process"},
            {"name": "check", "description": "The point-of-service check"},
            {"name": "cases", "description": "Objections and credit repair"},
            {"name": "reports", "description": "Credit reports: issue, read, verify"},
        ],
    )
    app.state.service = application
    problems.install(app)
    offline_docs(app)

    # No content sniffing, no framing, and answers with personal data are not cached.
    app.add_middleware(
        Headers,
        headers={"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"},
        signed_in={"Cache-Control": "no-store"},
    )

    @app.get("/health", tags=["service"], summary="Liveness; touches nothing")
    def health(_call: Annotated[Call, Depends(Public())]) -> dict[str, str]:
        """Answers at once without touching the database: for a load balancer's liveness probe.
        Readiness (the database reachable) shows in any other route's answer."""
        return {"status": "ok"}

    routers = (
        subjects,
        records,
        schemes,
        shadows,
        guidance,  # before evaluations: /evaluations/guidance is not a run's id
        evaluations,
        listings,
        checks,
        consents,
        agencies,
        services,
        cases,
        links,
        reports,
        catalog,
        audit,
        inspections,
    )
    for module in (*routers, webhooks):
        app.include_router(module.router)
    app.state.api_routes = api_routes(app, [m.router for m in (*routers, webhooks)])
    unguarded = [
        f"{sorted(r.methods or ())} {r.path}" for r in app.state.api_routes if len(guard_of(r)) != 1
    ]
    if unguarded:
        raise RuntimeError(f"routes without exactly one permission: {', '.join(unguarded)}")
    names = [r.name for r in app.state.api_routes]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RuntimeError(f"operation ids used twice: {', '.join(twice)}")
    return app
