"""Schemes: the catalog of published schemes by type, industry and location, the dated feed, a
scheme in plain words, its own test cases run on request, and the act of publishing a version
(written to the audit log with the file's hash)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import Day, In, Out, SchemeRef
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission
from xinyong.errors import NotFound
from xinyong.evaluation.reviews import Review
from xinyong.evaluation.scheme_cases import uncovered
from xinyong.schemes.model import Scheme
from xinyong.schemes.plain import render

router = APIRouter(prefix="/schemes", tags=["schemes"], responses=ERRORS)


class SchemeOut(Out):
    id: str = Field(examples=["zhengzhou-environment"])
    version: int
    key: str = Field(examples=["zhengzhou-environment@1"])
    type: str = Field(examples=["rating"])
    title_zh: str
    title_en: str
    authority: str
    region: str = Field(description="GB/T 2260; 000000 for national")
    industry: str | None
    legal_basis: list[str]
    effective_from: date
    effective_to: date | None
    published_on: date
    supersedes: int | None
    sha256: str = Field(description="of the scheme file, as published")


def scheme_out(scheme: Scheme) -> SchemeOut:
    meta = scheme.definition.scheme
    return SchemeOut(
        id=meta.id,
        version=meta.version,
        key=scheme.key,
        type=meta.type.value,
        title_zh=meta.title.zh,
        title_en=meta.title.en,
        authority=meta.authority,
        region=meta.region,
        industry=meta.industry,
        legal_basis=[b.cite() for b in meta.legal_basis],
        effective_from=meta.effective_from,
        effective_to=meta.effective_to,
        published_on=meta.published_on,
        supersedes=meta.supersedes,
        sha256=scheme.sha256,
    )


@router.get(
    "", response_model=list[SchemeOut], summary="Schemes filed by type, industry and location"
)
def filed(
    call: Annotated[Call, Depends(Public())],
    type: Annotated[str | None, Query(description="rating, list, points or measures")] = None,
    industry: Annotated[str | None, Query(description="GB/T 4754 section or division")] = None,
    region: Annotated[str | None, Query(description="GB/T 2260 code")] = None,
) -> list[SchemeOut]:
    """Every published version of every scheme, filtered by type, industry (a GB/T 4754 section
    matches its divisions) and location (a province matches its cities and counties; national
    schemes match everywhere)."""
    return [scheme_out(s) for s in call.service.library.filed(type, industry, region)]


class PublicationOut(Out):
    published_on: date
    kind: str = Field(examples=["new scheme", "new version"])
    replaces: int | None
    scheme: SchemeOut


@router.get(
    "/latest", response_model=list[PublicationOut], summary="The dated feed of publications"
)
def latest(
    call: Annotated[Call, Depends(Public())],
    limit: Annotated[int, Query(ge=1, le=200, description="at most this many publications")] = 20,
) -> list[PublicationOut]:
    """Publications newest first: a new scheme, or a new version that replaces an earlier one."""
    return [
        PublicationOut(
            published_on=p.published_on,
            kind=p.kind,
            replaces=p.replaces,
            scheme=scheme_out(p.scheme),
        )
        for p in call.service.library.latest(limit)
    ]


class SectionOut(Out):
    heading: str
    lines: list[str]


class SchemeDetail(SchemeOut):
    plain: list[SectionOut] = Field(
        description="the scheme in plain words, generated from the file"
    )


@router.get("/{reference}", response_model=SchemeDetail, summary="A scheme, in plain words")
def show(
    call: Annotated[Call, Depends(Public())],
    reference: SchemeRef,
    lang: Annotated[
        Literal["zh", "en"], Query(description="the language of the plain words")
    ] = "zh",
) -> SchemeDetail:
    """The scheme's metadata and the scheme in plain words, generated from its file in the language
    asked for."""
    svc = call.service
    scheme = svc.library.get(reference)
    sections = render(scheme, svc.catalog, lang, svc.library)
    return SchemeDetail(
        **scheme_out(scheme).model_dump(),
        plain=[SectionOut(heading=s.heading, lines=list(s.lines)) for s in sections],
    )


class CaseResultOut(Out):
    name: str
    passed: bool
    problems: list[str]


class TestReport(Out):
    scheme: str
    passed: int
    failed: int
    cases: list[CaseResultOut]
    not_exercised: list[str] = Field(description="what no case exercises")


@router.post(
    "/{reference}/tests", response_model=TestReport, summary="Run a scheme's own test cases"
)
def test(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))], reference: SchemeRef
) -> TestReport:
    """Runs every test case the scheme file ships, on the reference evaluator and the compiled
    query, and says what no case exercises."""
    svc = call.service
    scheme = svc.library.get(reference)
    results = svc.schemes.test(scheme)
    return TestReport(
        scheme=scheme.key,
        passed=sum(r.passed for r in results),
        failed=sum(not r.passed for r in results),
        cases=[
            CaseResultOut(name=r.name, passed=r.passed, problems=list(r.problems)) for r in results
        ],
        not_exercised=uncovered(scheme, results),
    )


class PublishedOut(Out):
    scheme: str
    sha256: str
    audit_seq: int
    published_by: str


class ReviewOut(Out):
    id: int
    scheme: str
    sha256: str = Field(description="the file submitted")
    against: str | None = Field(description="the version its impact was measured against")
    as_of: date = Field(description="the day its impact was measured on")
    cases_passed: int
    cases_total: int
    submitted_by: str
    submitted_at: datetime
    state: str = Field(description="submitted, approved or superseded")
    decided_by: str | None
    decided_at: datetime | None
    impact: ImpactOut = Field(description="the impact report stored with the review")


class ReviewIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{}, {"against": "shenzhen-rental-bike@1"}]},
    )

    against: str | None = Field(
        default=None, description="id@version to measure against (default: the one it replaces)"
    )
    as_of: Day | None = Field(default=None, description="default: today")


def _review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        scheme=review.scheme,
        sha256=review.sha256,
        against=review.against,
        as_of=review.as_of,
        cases_passed=review.cases_passed,
        cases_total=review.cases_total,
        submitted_by=review.submitted_by,
        submitted_at=review.submitted_at,
        state=review.state,
        decided_by=review.decided_by,
        decided_at=review.decided_at,
        impact=ImpactOut.model_validate(review.impact),
    )


@router.post(
    "/{reference}/review",
    response_model=ReviewOut,
    status_code=201,
    summary="Submit a scheme version for review",
    description="Runs its own test cases (all must pass) and measures its impact beside the "
    "version it would replace; both are stored with the file's SHA-256 for a second person "
    "to approve. A newer submission of the same version supersedes an open one.",
)
def submit_review(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))],
    reference: SchemeRef,
    body: ReviewIn,
) -> ReviewOut:
    review = call.service.schemes.submit(
        reference,
        by=call.principal.actor,
        against=body.against,
        as_of=body.as_of,
        principal=call.principal,
    )
    return _review_out(review)


@router.get(
    "/{reference}/review",
    response_model=ReviewOut,
    summary="A scheme version's newest review",
    description="Its state, who submitted and who approved it, and the stored impact report.",
)
def read_review(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))], reference: SchemeRef
) -> ReviewOut:
    review = call.service.schemes.review(reference, call.principal)
    if review is None:
        raise NotFound(f"{reference} has not been submitted for review")
    return _review_out(review)


@router.post(
    "/{reference}/publication",
    response_model=PublishedOut,
    status_code=201,
    summary="Approve and publish a scheme version",
    description="The version's review must be open, for the file now in the library, and "
    "submitted by someone else (403 to the submitter); its own test cases run again. The "
    "publication, with the file's SHA-256 and the review, goes to the audit log. A version "
    "is published once (409).",
)
def publish(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))], reference: SchemeRef
) -> PublishedOut:
    done = call.service.schemes.publish(
        reference, by=call.principal.actor, principal=call.principal
    )
    return PublishedOut(
        scheme=done.scheme,
        sha256=done.sha256,
        audit_seq=done.audit_seq,
        published_by=done.published_by,
    )


class GroupRateOut(Out):
    group: str = Field(
        description="a prefecture's code, an industry section, a subject kind, a size band"
    )
    subjects: int
    count: int = Field(description="subjects of the group with the outcome")
    rate: float
    interval: list[float] = Field(description="the rate's 95% bootstrap interval")
    difference: float = Field(description="the rate minus the whole population's")
    difference_interval: list[float]
    ratio: float | None = Field(description="the rate over the whole population's")
    ratio_interval: list[float] | None
    before: float | None = Field(description="the rate under the version it replaces")


class MetricOut(Out):
    name: str = Field(description="grade:G, list:L, worse or better (against a version)")
    subjects: int
    count: int
    rate: float
    before: float | None
    by: dict[str, list[GroupRateOut]] = Field(description="by region, industry, kind and size")


class TransitionOut(Out):
    from_: str | None = Field(alias="from", description="the grade under the older version")
    to: str | None
    subjects: int


class ListChangeOut(Out):
    before: int
    after: int


class ImpactOut(Out):
    scheme: str
    against: str | None
    as_of: date
    subjects: int = Field(description="subjects in the new version's scope")
    left_scope: int = Field(description="in the older version's scope only")
    transitions: list[TransitionOut]
    lists: dict[str, ListChangeOut]
    metrics: list[MetricOut]


@router.get(
    "/{reference}/impact",
    response_model=ImpactOut,
    response_model_by_alias=True,
    summary="A version's impact before it takes effect",
    description="Runs the version and the one it replaces (by default the version in force on "
    "the day, or else the one before) over every record as of the day, keeps nothing, and "
    "reports grade transitions, list memberships, and each outcome's rate by region, industry, "
    "subject kind and size band against the whole population's, with 95% bootstrap intervals.",
)
def impact(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))],
    reference: SchemeRef,
    against: Annotated[
        str | None, Query(description="id@version of the version it replaces")
    ] = None,
    as_of: Annotated[Day | None, Query(description="default: today")] = None,
) -> ImpactOut:
    found = call.service.simulations.impact(
        reference, against, as_of=as_of, principal=call.principal
    )
    return ImpactOut.model_validate(found.to_json())
