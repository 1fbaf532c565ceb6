"""Subjects: public search and profile, a full credit file for a declared purpose, who read it,
and a subject's own file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from xinyong.api.deps import Allow, Call, Declared, Public
from xinyong.api.models import CreditFileOut, Day, Out, ReadOut, SubjectCode, SubjectId, file_out
from xinyong.api.problems import ERRORS
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission

router = APIRouter(tags=["subjects"], responses=ERRORS)
AsOf = Annotated[Day | None, Query(description="The file as of this date (default: today)")]


class PublicHit(Out):
    id: int = Field(description="opens the public profile: /public/subjects/{id}")
    code: str = Field(description="a USCC in full; a resident ID masked")
    name: str = Field(description="an individual's name masked")
    kind: str


@router.get(
    "/public/subjects",
    response_model=list[PublicHit],
    summary="Search subjects",
    description="Ranked: the code, the exact name, names that start with the text, names that "
    "contain it, then former names and aliases. When every two-character piece of the text is "
    "common, only the subjects registered first are ranked and the answer carries the header "
    "`X-Search-Broad: true`; a longer text narrows it.",
    responses={200: {"headers": {"X-Search-Broad": {"schema": {"type": "string"}}}}},
)
def search_public(
    response: Response,
    call: Annotated[Call, Depends(Public())],
    q: Annotated[
        str,
        Query(
            min_length=2,
            max_length=100,
            description="two or more characters of a name, or a USCC",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many subjects")] = 20,
) -> list[PublicHit]:
    mask = call.service.mask
    found = call.service.files.search(q, limit)
    if found.broad:
        response.headers["X-Search-Broad"] = "true"
    return [
        PublicHit(
            id=hit.id,
            code=mask.mask_code(hit.code),
            name=mask.mask_name(hit.name, hit.kind),
            kind=hit.kind.value,
        )
        for hit in found.hits
    ]


@router.get(
    "/public/subjects/{subject_id}",
    response_model=CreditFileOut,
    summary="A subject's public profile",
    description="Public records within their publication period and list memberships in "
    "effect; identifiers masked. Disputed records are marked.",
)
def public_profile(
    call: Annotated[Call, Depends(Public())], subject_id: SubjectId, at: AsOf = None
) -> CreditFileOut:
    svc = call.service
    return file_out(svc.files.public_file(subject_id, at), svc.today(), svc.mask)


@router.get(
    "/subjects/{code}/file",
    response_model=CreditFileOut,
    summary="A subject's full credit file",
    description="Every record with its state, disputes and periods, listings and open cases. "
    "Needs X-Purpose and X-Legal-Basis; the read is written to the subject's access log.",
)
def full_file(
    call: Annotated[Call, Depends(Allow(Permission.FILE))],
    purpose: Declared,
    code: SubjectCode,
    at: AsOf = None,
) -> CreditFileOut:
    svc = call.service
    file = svc.files.file(code, at=at, principal=call.principal, purpose=purpose)
    return file_out(file, svc.today())


@router.get(
    "/subjects/{code}/readers",
    response_model=list[ReadOut],
    summary="Who read a subject's file",
)
def file_readers(
    call: Annotated[Call, Depends(Allow(Permission.READERS))], code: SubjectCode
) -> list[access.Read]:
    """Every logged read of the subject's non-public data: who (actor and role), when (UTC), for
    what purpose and on what legal basis. Reading the log is itself logged."""
    return call.service.files.readers(code, call.principal)


@router.get(
    "/me/file",
    response_model=CreditFileOut,
    tags=["self-service"],
    summary="My own credit file",
)
def own_file(
    call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))], at: AsOf = None
) -> CreditFileOut:
    """The signed-in subject's whole file: every record with its state, disputes and publication
    period, listings and open cases, including what the public does not see."""
    svc = call.service
    return file_out(svc.files.own_file(call.principal, at), svc.today())


@router.get(
    "/me/readers",
    response_model=list[ReadOut],
    tags=["self-service"],
    summary="Who read my file, when, for what purpose and on what legal basis",
)
def own_readers(call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))]) -> list[access.Read]:
    """Reads of my file by others, newest first; my own reads are not listed."""
    return call.service.files.own_readers(call.principal)
