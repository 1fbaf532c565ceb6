"""Credit reports on the portal: issue one (a public report of any subject, or the full report
of one's own file), read it as HTML, download it as PDF or JSON, and verify a downloaded one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.disclosure import access
from xinyong.disclosure.reports import MAX_FILE, Report, Scope
from xinyong.disclosure.tokens import PUBLIC
from xinyong.errors import InvalidInput
from xinyong.portal.context import Ctx, Page

router = APIRouter()


def _issue(ctx: Page, code: str, scope: Scope, purpose: access.Purpose) -> RedirectResponse:
    svc = ctx.svc
    actor = ctx.principal.actor if ctx.signed_in else "public (portal)"
    report, _ = svc.reports.issue(
        code, scope=scope, purpose=purpose, by=actor, at=ctx.today, principal=ctx.principal
    )
    return RedirectResponse(f"/reports/{report.id}", status_code=303)


def _purpose(purpose: str, legal_basis: str) -> access.Purpose:
    return access.Purpose.declared(purpose.strip() or None, legal_basis.strip() or None)


@router.post("/profile/{subject_id}/report")
def public_report(
    ctx: Ctx,
    subject_id: int,
    purpose: Annotated[str, Form(max_length=500)],
    legal_basis: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    ctx.check_csrf(csrf)  # a report is issued from this site's own page, not from elsewhere
    basis = legal_basis or ctx.t("public_basis")
    return _issue(ctx, ctx.code_of(subject_id), Scope.PUBLIC, _purpose(purpose, basis))


@router.post("/account/report")
def own_report(
    ctx: Ctx,
    purpose: Annotated[str, Form(max_length=500)],
    csrf: Annotated[str, Form()],
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    return _issue(ctx, ctx.subject_code(), Scope.FULL, _purpose(purpose, access.OWN.legal_basis))


def _readable(ctx: Page, report_id: str) -> Report:
    principal = ctx.principal if ctx.signed_in else PUBLIC
    return ctx.svc.reports.readable(report_id, principal)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(ctx: Ctx, report_id: str) -> HTMLResponse:
    report = _readable(ctx, report_id)
    return ctx.html("report.html", report=report)


#: The report document is the PDF's HTML: its own styles, no script; framed by the report's
#: page on this site only.
DOCUMENT_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; "
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
}


@router.get("/reports/{report_id}/document", response_class=HTMLResponse)
def report_document(ctx: Ctx, report_id: str) -> HTMLResponse:
    """The report as the document it is (the HTML its PDF is made from), for the page's
    frame."""
    report = _readable(ctx, report_id)
    response = HTMLResponse(ctx.svc.reports.html(report, ctx.lang), headers=DOCUMENT_HEADERS)
    ctx.keep(response)
    return response


@router.get("/reports/{report_id}/pdf")
def report_pdf_download(ctx: Ctx, report_id: str) -> Response:
    """The PDF is rendered once, in the language of the first download, and kept: the same
    bytes are served every time, so their hash in the register stays true."""
    report = _readable(ctx, report_id)
    pdf = ctx.svc.reports.pdf(report, ctx.lang)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report_id}.pdf"'},
    )


@router.get("/reports/{report_id}/json")
def report_json(ctx: Ctx, report_id: str) -> Response:
    report = _readable(ctx, report_id)
    return Response(
        report.download(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{report_id}.json"'},
    )


@router.get("/verify", response_class=HTMLResponse)
def verify_form(ctx: Ctx, id: str = "") -> HTMLResponse:
    registered = None
    if id.strip():
        registered = ctx.svc.reports.get(id.strip())
    return ctx.html("verify.html", outcome=None, registered=registered, asked=id)


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(ctx: Ctx, file: Annotated[UploadFile, File()]) -> HTMLResponse:
    data = await file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise InvalidInput("a report is never larger than 20 MB", field="file").saying(
            "report_too_large"
        )
    outcome = ctx.svc.reports.verify(data)
    return ctx.html("verify.html", status=200, outcome=outcome, registered=outcome.report, asked="")
