"""The shapes of requests and answers, documented in OpenAPI with examples."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from xinyong.disclosure.credit_file import CreditFile, FileRecord
from xinyong.dueprocess.memberships import Listing
from xinyong.reference.identifiers import MaskPolicy, SubjectKind


def _iso_day(value: object) -> object:
    """Dates come as YYYY-MM-DD only: not a number of seconds, not another layout."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("write the date as YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day)]
"""A date in a request."""


def _utc(value: datetime) -> datetime:
    # SQLite hands back the stored UTC moments without their offset; say it.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


Moment = Annotated[datetime, AfterValidator(_utc)]
"""A moment in an answer, always with its UTC offset."""


MAX_ID = 2**63 - 1
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a path: 1 to the largest BIGINT."""
RunId = Annotated[int, Path(ge=1, le=MAX_ID, description="a stored run's id", examples=[12])]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="a case's id", examples=[7])]
ListingId = Annotated[int, Path(ge=1, le=MAX_ID, description="a listing's id", examples=[31])]
BatchId = Annotated[int, Path(ge=1, le=MAX_ID, description="a batch's id", examples=[3])]
WebhookId = Annotated[int, Path(ge=1, le=MAX_ID, description="a subscription's id", examples=[1])]
SubjectId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="a subject's id, as search answers it", examples=[42])
]
SubjectCode = Annotated[
    str,
    Path(
        max_length=18,
        description="the subject's Unified Social Credit Code or resident ID",
        examples=["91410100MA4000001N"],
    ),
]
SchemeRef = Annotated[
    str,
    Path(
        max_length=120,
        description="a scheme's id (the version in force today) or id@version",
        examples=["zhengzhou-environment@1"],
    ),
]
SchemeId = Annotated[
    str, Path(max_length=100, description="a scheme's id", examples=["shenzhen-rental-bike"])
]
ListId = Annotated[
    str, Path(max_length=100, description="a list of that scheme", examples=["untrustworthy"])
]
ItemCode = Annotated[
    str, Path(max_length=60, description="a catalog item's code", examples=["ADM_PENALTY_GENERAL"])
]
Offset = Annotated[int, Query(ge=0, description="how many to skip, for the next page")]
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id in a request body."""


class In(BaseModel):
    """A request body: a field the API does not know is refused, never silently ignored (a
    client that sends a date for a step learns the server dates steps)."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SubjectHit(Out):
    code: str = Field(
        description="USCC shown whole; a resident ID masked", examples=["91410100MA4000001N"]
    )
    name: str = Field(examples=["郑州某环保科技有限公司"])


class RecordOut(Out):
    id: int
    item_code: str = Field(examples=["ADM_PENALTY_GENERAL"])
    decided_on: date
    severity: int | None = None
    reference: str | None = Field(default=None, examples=["郑环罚〔2025〕12号"])
    source: str = Field(examples=["郑州市生态环境局"])
    attributes: dict[str, Any] = Field(default_factory=dict)
    state: str = Field(
        examples=["in_effect"], description="in_effect, revoked, superseded, repaired"
    )
    disputed: bool = Field(description="an objection against it is open")
    public_until: date | None = None
    repair_from: date | None = None


class ListingOut(Out):
    id: int
    subject: str = Field(description="the subject's code (masked on public routes)")
    list_key: str = Field(examples=["zhengzhou-environment/blacklist"], description="scheme/list")
    scheme_version: int
    state: str = Field(examples=["listed"])
    proposed_on: date
    notified_on: date | None = None
    objection_deadline: date | None = None
    signed_off_on: date | None = None
    signed_off_by: str | None = None
    listed_from: date | None = None
    listed_until: date | None = Field(
        default=None, description="null while not listed, or for a listing with no fixed term"
    )
    period: str = Field(
        default="", examples=["2Y", "open"], description="its term; 'open': until its exit event"
    )
    exited_on: date | None = None
    exit_reason: str | None = None
    record_ids: list[int] = Field(default_factory=list)


class CaseOut(Out):
    id: int
    reference: str = Field(examples=["OBJ-000012"])
    kind: str = Field(examples=["objection"])
    subject: str
    record_id: int | None = None
    listing_id: int | None = None
    opened_on: date
    deadline: date
    state: str
    overdue: bool
    outcome: str | None = None
    closed_on: date | None = None
    decided_by: str | None = None
    reasons: str | None = None


class CreditFileOut(Out):
    code: str
    name: str
    kind: str
    region_code: str | None
    industry_code: str | None
    status: str | None = Field(
        default=None,
        description="registration status of an organisation: active, cancelled or revoked "
        "(none for an individual)",
        examples=["active"],
    )
    registered_on: date | None = Field(
        default=None, description="date of establishment of an organisation"
    )
    legal_representative: str | None = Field(
        default=None,
        description="法定代表人 (or 负责人) of an organisation, as the registry publishes it",
        examples=["王建国"],
    )
    at: date
    records: list[RecordOut]
    listings: list[ListingOut]
    open_cases: list[CaseOut] = Field(default_factory=list)


def record_out(row: FileRecord) -> RecordOut:
    view = row.record
    return RecordOut(
        id=view.id,
        item_code=view.item_code,
        decided_on=view.decided_on,
        severity=view.severity,
        reference=view.reference,
        source=view.source,
        attributes=view.attributes,
        state=view.state.value,
        disputed=row.disputed,
        public_until=row.public_until,
        repair_from=row.repair_from,
    )


def listing_out(listing: Listing, mask: MaskPolicy | None = None) -> ListingOut:
    s = listing.state
    public = mask is not None
    return ListingOut(
        id=listing.id,
        subject=mask.mask_code(listing.subject_code) if mask else listing.subject_code,
        list_key=listing.key,
        scheme_version=listing.scheme_version,
        state=s.state.value,
        proposed_on=s.proposed_on,
        notified_on=s.notified_on,
        objection_deadline=s.objection_deadline,
        signed_off_on=s.signed_off_on,
        signed_off_by=None if public else s.signed_off_by,
        listed_from=s.listed_from,
        listed_until=s.listed_until,
        period=s.period,
        exited_on=s.exited_on,
        exit_reason=s.exit_reason,
        record_ids=[] if public else list(listing.record_ids),
    )


def case_out(case: Any, today: date) -> CaseOut:
    return CaseOut(
        id=case.id,
        reference=case.reference,
        kind=case.kind.value,
        subject=case.subject_code,
        record_id=case.record_id,
        listing_id=case.listing_id,
        opened_on=case.opened_on,
        deadline=case.deadline,
        state=case.state.value,
        overdue=case.overdue(today),
        outcome=case.outcome,
        closed_on=case.closed_on,
        decided_by=case.decided_by,
        reasons=case.reasons,
    )


def file_out(file: CreditFile, today: date, mask: MaskPolicy | None = None) -> CreditFileOut:
    """A credit file as an answer; with ``mask``, the public view (identifiers masked)."""
    subject = file.subject
    individual = subject.kind is SubjectKind.INDIVIDUAL
    return CreditFileOut(
        code=mask.mask_code(subject.code) if mask else subject.code,
        name=mask.mask_name(subject.name, subject.kind) if mask else subject.name,
        kind=subject.kind.value,
        region_code=subject.region_code,
        industry_code=subject.industry_code,
        # what a registration authority publishes of an organisation; of an individual, nothing
        status=None if individual else subject.status.value,
        registered_on=None if individual else subject.registered_on,
        legal_representative=None if individual else subject.legal_representative,
        at=file.at,
        records=[record_out(r) for r in file.records],
        listings=[listing_out(x, mask) for x in file.listings],
        open_cases=[case_out(c, today) for c in file.open_cases],
    )


class ReadOut(Out):
    read_at: Moment
    actor: str = Field(examples=["department:王芳@郑州市财政局"])
    role: str
    resource: str
    purpose: str
    legal_basis: str


def links(status: int, **targets: tuple[str, dict[str, str]]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI links from a response to the operations that read what it made, for clients
    and for stateful API testing: ``name=(operationId, {parameter: runtime expression})``."""
    return {
        status: {
            "links": {
                name: {"operationId": operation, "parameters": parameters}
                for name, (operation, parameters) in targets.items()
            }
        }
    }
