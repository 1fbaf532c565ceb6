"""Record linkage: rows sent without a code, proposed as a subject's record by the linkage
model, and a person's decision on each proposal (a ``link`` case)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call
from xinyong.api.models import MAX_ID, In, Out
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission
from xinyong.linkage.links import Link

router = APIRouter(prefix="/links", tags=["cases"], responses=ERRORS)
LinkId = Annotated[int, Path(ge=1, le=MAX_ID, description="a proposal's id", examples=[5])]


class LinkAgreementOut(Out):
    comparison: str = Field(description="name, rep (legal representative), region or regno")
    level: str = Field(examples=["the same name without region and legal form"])
    weight: float = Field(description="what this comparison added to the match weight")
    record: str | None = Field(description="the value the row gave, as compared")
    registry: str | None = Field(description="the subject's value, as compared")


class LinkOut(Out):
    id: int
    reference: str = Field(examples=["LIN-000042"])
    case_id: int
    state: str = Field(description="proposed, accepted or rejected")
    subject_code: str
    subject_name: str
    name_sent: str = Field(description="the party's name as the row gave it")
    probability: float
    weight: float = Field(description="log2 of the Bayes factor of the match")
    agreements: list[LinkAgreementOut]
    row: dict[str, str | None] = Field(description="the refused row as it was received")
    record_id: int | None = Field(description="the record written on acceptance")
    decided_by: str | None
    decided_at: datetime | None


def link_out(found: Link) -> LinkOut:
    return LinkOut(
        id=found.id,
        reference=found.reference,
        case_id=found.case_id,
        state=found.state,
        subject_code=found.subject_code,
        subject_name=found.subject_name,
        name_sent=found.row_name,
        probability=found.probability,
        weight=found.weight,
        agreements=[LinkAgreementOut(**a) for a in found.explanation["agreements"]],
        row={k: None if v is None else str(v) for k, v in found.row.items()},
        record_id=found.record_id,
        decided_by=found.decided_by,
        decided_at=found.decided_at,
    )


class LinkProposeIn(In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"threshold": 0.9}]})

    threshold: float = Field(default=0.9, ge=0.5, lt=1, description="least match probability")


class LinkProposedOut(Out):
    examined: int = Field(description="rows without a code looked at")
    registry: int = Field(description="registry names compared with")
    proposed: list[LinkOut]


class LinkRejectionIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "同名的另一家企业"}]}
    )

    reason: str = Field(min_length=1, max_length=4000)


@router.post(
    "/proposals",
    response_model=LinkProposedOut,
    status_code=201,
    summary="Propose links for the rows sent without a code",
    description="Trains the linkage model on the quarantined rows whose one problem is the "
    "missing code and on the registry, and proposes each row's best subject at the "
    "threshold or above as a link case. Nothing reaches a file until a person accepts.",
)
def propose_links(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], body: LinkProposeIn
) -> LinkProposedOut:
    done = call.service.linkage.propose(threshold=body.threshold, by=call.principal.actor)
    return LinkProposedOut(
        examined=done.examined,
        registry=done.registry,
        proposed=[link_out(k) for k in done.proposed],
    )


@router.get(
    "",
    response_model=list[LinkOut],
    summary="Proposals waiting for review",
    description="The strongest first, in the token's region, each with its explanation.",
)
def pending_links(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 100,
) -> list[LinkOut]:
    return [link_out(k) for k in call.service.linkage.pending(call.principal, limit)]


@router.get(
    "/{link_id}",
    response_model=LinkOut,
    summary="A proposed link and its explanation",
    description="Which fields agreed and the weight of each, the row as it was received, "
    "and what was decided.",
)
def read_link(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], link_id: LinkId
) -> LinkOut:
    return link_out(call.service.linkage.show(link_id, call.principal))


@router.post(
    "/{link_id}/acceptance",
    response_model=LinkOut,
    summary="Accept a proposed link",
    description="The row, with the subject's code, is ingested as a batch of one from its "
    "own department and becomes the subject's record, with the link as its provenance; the "
    "case is decided. 409 when it was decided already; 422 when the row is refused again.",
)
def accept_link(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], link_id: LinkId
) -> LinkOut:
    done = call.service.linkage.accept(link_id, by=call.principal.actor, principal=call.principal)
    return link_out(done.link)


@router.post(
    "/{link_id}/rejection",
    response_model=LinkOut,
    summary="Reject a proposed link",
    description="The case is decided with the reason; the row stays in quarantine. 409 when "
    "it was decided already.",
)
def reject_link(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    link_id: LinkId,
    body: LinkRejectionIn,
) -> LinkOut:
    found = call.service.linkage.reject(
        link_id, by=call.principal.actor, reasons=body.reason, principal=call.principal
    )
    return link_out(found)
