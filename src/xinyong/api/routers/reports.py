"""Credit reports: issue a public report of any subject, or a subject its own full report; read
one from the register; download its PDF; verify a downloaded PDF or JSON file. Each report is
registered with the SHA-256 of its content (and of its PDF, once rendered), and carries the
address where anyone can verify it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import In, Moment, Out, links
from xinyong.api.problems import ERRORS
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission
from xinyong.disclosure.reports import MAX_FILE, Report, Scope
from xinyong.errors import InvalidInput

router = APIRouter(tags=["reports"], responses=ERRORS)
ReportId = Annotated[
    str,
    Path(max_length=40, description="a report's number", examples=["R20261123-3F2A9C01B7"]),
]


class ReportIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": "91410100MA4000001N",
                    "purpose": "招标资格审查",
                    "legal_basis": "《招标投标法实施条例》第三十八条",
                }
            ]
        },
    )

    subject: str = Field(max_length=18, description="the subject's USCC (or resident ID)")
    purpose: str = Field(min_length=1, max_length=500, description="why the report is wanted")
    legal_basis: str = Field(
        default="公共信用信息依法公开",
        max_length=500,
        description="the rule that allows the use; public information needs none of its own",
    )


class OwnReportIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"purpose": "申请银行贷款"}]}
    )

    purpose: str = Field(min_length=1, max_length=500, description="why the report is wanted")


class ReportOut(Out):
    id: str = Field(examples=["R20261123-3F2A9C01B7"])
    scope: Scope
    as_of: date
    issued_at: Moment
    issued_by: str
    purpose: str
    legal_basis: str
    content_sha256: str = Field(description="SHA-256 of the report's canonical JSON content")
    pdf_sha256: str | None = Field(description="SHA-256 of its PDF, once rendered")
    verify_url: str = Field(description="where anyone can verify it (also in its QR code)")
    content: dict[str, Any] = Field(description="the report: subject, records, grades, lists")


class VerificationOut(Out):
    valid: bool
    reason: str = Field(examples=["the PDF is the one issued"])
    report: ReportOut | None = Field(
        default=None, description="the register's entry, when the file names a known report"
    )


def report_out(call: Call, report: Report, *, content: bool = True) -> ReportOut:
    letterhead = call.service.reports.letterhead
    return ReportOut(
        id=report.id,
        scope=report.scope,
        as_of=report.as_of,
        issued_at=report.issued_at,
        issued_by=report.issued_by,
        purpose=report.purpose,
        legal_basis=report.legal_basis,
        content_sha256=report.content_sha256,
        pdf_sha256=report.pdf_sha256,
        verify_url=letterhead.verify_url(report.id),
        content=report.content if content else {},
    )


LINKS = links(201, report=("report_entry", {"report_id": "$response.body#/id"}))


@router.post(
    "/reports",
    response_model=ReportOut,
    status_code=201,
    responses=LINKS,
    summary="Issue a public credit report",
    description="A report of what anyone may see of a subject on today's date: its public "
    "records within their publication period, its grades and list memberships, identifiers "
    "masked as on the public profile. Registered with its hash; anyone can verify it.",
)
def issue_public(call: Annotated[Call, Depends(Public())], body: ReportIn) -> ReportOut:
    purpose = access.Purpose.declared(body.purpose, body.legal_basis)
    report, _ = call.service.reports.issue(
        body.subject, scope=Scope.PUBLIC, purpose=purpose, by="public (api)"
    )
    return report_out(call, report)


@router.post(
    "/me/reports",
    response_model=ReportOut,
    status_code=201,
    responses=LINKS,
    tags=["self-service"],
    summary="Issue my full credit report",
    description="The signed-in subject's whole file as a report (records the public does not "
    "see included), for the purpose it states; the read is written to its access log.",
)
def issue_own(
    call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))], body: OwnReportIn
) -> ReportOut:
    who = call.principal
    purpose = access.Purpose.declared(body.purpose, access.OWN.legal_basis)
    report, _ = call.service.reports.issue(
        who.subject_code or "", scope=Scope.FULL, purpose=purpose, by=who.actor, principal=who
    )
    return report_out(call, report)


@router.get(
    "/reports/register/{report_id}",
    response_model=ReportOut,
    summary="A report from the register",
    description="A public report to anyone who has its number; a full report only to its own "
    "subject, signed in with its token.",
)
def report_entry(
    call: Annotated[Call, Depends(Allow(Permission.PUBLIC))], report_id: ReportId
) -> ReportOut:
    return report_out(call, call.service.reports.readable(report_id, call.principal))


@router.get(
    "/reports/register/{report_id}/pdf",
    response_class=Response,
    summary="A report's PDF",
    description="Rendered once, in the language of the first download, and kept: the same "
    "bytes every time, so the hash in the register stays true.",
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The PDF",
        }
    },
)
def report_pdf(
    call: Annotated[Call, Depends(Allow(Permission.PUBLIC))],
    report_id: ReportId,
    lang: Annotated[
        Literal["zh", "en"], Query(description="the language, if it is rendered now")
    ] = "zh",
) -> Response:
    svc = call.service
    found = svc.reports.readable(report_id, call.principal)
    return Response(
        svc.reports.pdf(found, lang),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.id}.pdf"'},
    )


@router.post(
    "/reports/verification",
    response_model=VerificationOut,
    summary="Verify a downloaded report",
    description="Upload a report's PDF or its JSON download: the answer says whether the "
    "platform issued exactly that file (a PDF by its bytes, a JSON file by its content).",
)
def verify_report(
    call: Annotated[Call, Depends(Public())],
    file: Annotated[UploadFile, File(description="the report's PDF or JSON file")],
) -> VerificationOut:
    data = file.file.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise InvalidInput("file: a report is never larger than 20 MB", field="file")
    verdict = call.service.reports.verify(data)
    registered = None
    if verdict.report is not None:  # a full report's content goes to its subject only
        registered = report_out(call, verdict.report, content=verdict.report.scope is Scope.PUBLIC)
    return VerificationOut(valid=verdict.valid, reason=verdict.reason, report=registered)
