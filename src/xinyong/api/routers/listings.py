"""Listings: propose from a run, then notice, sign-off, listing and exit, each a dated step that
the lifecycle refuses out of order; and the public members of a list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import BodyId, Day, ListingOut, PathId, listing_out
from xinyong.api.problems import ERRORS
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission, Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.dueprocess.lifecycle import ExitReason
from xinyong.dueprocess.listings import (
    Listing,
    drop,
    exit_listing,
    get_listing,
    members,
    notify,
    propose,
    put_on_list,
    sign_off,
)
from xinyong.evaluation.runs import get_run
from xinyong.registry.subjects import get

router = APIRouter(tags=["listings"], responses=ERRORS)
HANDLING = Purpose(
    "handling the listing", "the listing procedure of the scheme (国办发〔2020〕49号)"
)


class StepIn(BaseModel):
    on: Day | None = Field(default=None, description="the day of the step (default: today)")
    note: str = Field(default="", max_length=2000)


class ExitIn(StepIn):
    reason: ExitReason


class DropIn(StepIn):
    reason: str = Field(min_length=1, max_length=200, examples=["objection upheld"])


class ProposeIn(BaseModel):
    run: BodyId = Field(description="a stored run of a list scheme")
    on: Day | None = None


def _guarded(conn: Connection, principal: Principal, listing_id: PathId) -> Listing:
    listing = get_listing(conn, listing_id)
    access.reach(principal, get(conn, listing.subject_code))
    return listing


@router.get(
    "/public/lists/{scheme_id}/{list_id}",
    response_model=list[ListingOut],
    summary="Who is on a list",
    description="Members in effect on a date, with their periods; identifiers masked.",
)
def public_members(
    call: Annotated[Call, Depends(Public())],
    scheme_id: str,
    list_id: str,
    at: Day | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ListingOut]:
    svc = call.service
    with svc.db.connect() as conn:
        found = members(conn, f"{scheme_id}/{list_id}", at or svc.today())
    return [listing_out(m, svc.mask) for m in found[offset : offset + limit]]


@router.post(
    "/listings/proposals",
    response_model=list[ListingOut],
    status_code=201,
    summary="Propose listings from a run",
)
def proposals(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], body: ProposeIn
) -> list[ListingOut]:
    svc = call.service
    with svc.db.begin() as conn:
        run = get_run(conn, body.run)
        scheme = svc.library.get(run.scheme)
        access.reach_region(call.principal, scheme.definition.scheme.region, scheme.key)
        made = propose(conn, scheme, svc.catalog, run, body.on or svc.today(), call.principal.actor)
    return [listing_out(m) for m in made]


@router.get("/listings/{listing_id}", response_model=ListingOut, summary="A listing and its state")
def listing(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: PathId
) -> ListingOut:
    with call.service.db.begin() as conn:
        found = _guarded(conn, call.principal, listing_id)
        access.log_read(conn, call.principal, found.subject_id, f"listing {listing_id}", HANDLING)
        return listing_out(found)


def _step(
    call: Call,
    listing_id: int,
    on: date | None,
    take: Callable[[Connection, Listing, date], Listing],
) -> ListingOut:
    """One lifecycle step on a listing the caller may reach, on ``on`` (default: today)."""
    svc = call.service
    with svc.db.begin() as conn:
        found = _guarded(conn, call.principal, listing_id)
        return listing_out(take(conn, found, on or svc.today()))


@router.post(
    "/listings/{listing_id}/notice", response_model=ListingOut, summary="Notify the subject"
)
def notice(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: PathId, body: StepIn
) -> ListingOut:
    svc, actor = call.service, call.principal.actor

    def take(conn: Connection, found: Listing, day: date) -> Listing:
        scheme = svc.library.get(f"{found.scheme_id}@{found.scheme_version}")
        return notify(conn, found.id, day, actor, scheme, svc.catalog)

    return _step(call, listing_id, body.on, take)


@router.post(
    "/listings/{listing_id}/sign-off",
    response_model=ListingOut,
    summary="Sign off a listing",
    description="A named official signs off, after the notice and the objection window, with "
    "no objection open; the token's holder is the official.",
)
def sign(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: PathId, body: StepIn
) -> ListingOut:
    official = call.principal.holder
    return _step(call, listing_id, body.on, lambda c, f, d: sign_off(c, f.id, d, official))


@router.post(
    "/listings/{listing_id}/listing",
    response_model=ListingOut,
    summary="Put a signed-off listing into effect",
)
def take_effect(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: PathId, body: StepIn
) -> ListingOut:
    actor, policies = call.principal.actor, call.service.policies
    return _step(
        call, listing_id, body.on, lambda c, f, d: put_on_list(c, f.id, d, actor, policies)
    )


@router.post("/listings/{listing_id}/exit", response_model=ListingOut, summary="End a listing")
def end(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: PathId, body: ExitIn
) -> ListingOut:
    actor = call.principal.actor
    return _step(
        call,
        listing_id,
        body.on,
        lambda c, f, d: exit_listing(c, f.id, d, actor, body.reason, body.note),
    )


@router.post(
    "/listings/{listing_id}/drop",
    response_model=ListingOut,
    summary="Drop a proposal before it takes effect",
)
def dropped(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: PathId, body: DropIn
) -> ListingOut:
    actor = call.principal.actor
    return _step(
        call, listing_id, body.on, lambda c, f, d: drop(c, f.id, d, actor, body.reason, body.note)
    )
