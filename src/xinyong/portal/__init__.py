"""The public portal: server-rendered pages over the library, in Chinese and English, that work
without JavaScript. :func:`create_portal` builds it; the HTTP service mounts it at ``/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.application import Application
from xinyong.application.errors import status_of
from xinyong.asgi import Headers
from xinyong.errors import Unauthenticated, XinyongError
from xinyong.portal import (
    account,
    agencies,
    consents,
    desk,
    inspections,
    pages,
    report_pages,
    services,
    simulate,
)
from xinyong.portal.context import page

#: Headers on every portal response. The pages have no inline script or style, so the policy
#: can be strict.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_portal(svc: Application) -> FastAPI:
    portal = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    portal.state.service = svc
    portal.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (
        pages,
        account,
        consents,
        agencies,
        services,
        report_pages,
        desk,
        simulate,
        inspections,
    ):
        portal.include_router(module.router)

    # Every page: no framing by another site, no content sniffing, a referrer that stays
    # here, and scripts, styles and forms from this site only (a page that sets its own keeps it)
    portal.add_middleware(Headers, headers=PAGE_HEADERS)

    async def _page_error(request: Request, status: int, message: str | Markup) -> HTMLResponse:
        ctx = await page(request, svc)
        return ctx.html("error.html", status=status, status_code=status, message=message)

    @portal.exception_handler(XinyongError)
    async def domain_error(request: Request, error: XinyongError) -> Response:
        if isinstance(error, Unauthenticated) and request.method == "GET":
            return RedirectResponse("/signin", status_code=303)
        return await _page_error(request, status_of(error), (await page(request, svc)).told(error))

    @portal.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        """An unknown address or a wrong method is a page in the visitor's language."""
        ctx = await page(request, svc)
        message = ctx.t("no_such_page") if error.status_code == 404 else ctx.t("fault_405")
        return await _page_error(request, error.status_code, message)

    @portal.exception_handler(RequestValidationError)
    async def form_error(request: Request, error: RequestValidationError) -> HTMLResponse:
        ctx = await page(request, svc)
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) for e in error.errors()})
        words = Markup(", ").join(Markup("<code>{}</code>").format(f) for f in fields)
        return await _page_error(request, 422, Markup("{} {}").format(ctx.t("form_invalid"), words))

    return portal
