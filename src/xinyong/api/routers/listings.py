"""Listings: propose from a run, then notice, sign-off, listing and exit, each a dated step that
the lifecycle refuses out of order; and the public members of a list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import (
    BodyId,
    Day,
    In,
    ListId,
    ListingId,
    ListingOut,
    Offset,
    SchemeId,
    links,
    listing_out,
)
from xinyong.api.problems import ERRORS
from xinyong.application.base import Backdate
from xinyong.disclosure.access import Permission
from xinyong.dueprocess.lifecycle import ExitReason

router = APIRouter(tags=["listings"], responses=ERRORS)


class StepIn(In):
    """A step is dated by the server's clock; a body that names a day is refused."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "通知书已于当日送达"}]}
    )

    note: str = Field(default="", max_length=2000)


class ExitIn(StepIn):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "performed",
                    "effective_on": "2026-10-09",
                    "because": "被执行人已于当日履行完毕",
                    "note": "",
                }
            ]
        },
    )

    reason: ExitReason
    effective_on: Day | None = Field(
        default=None,
        description="an earlier day the listing ends from, where the law allows one (the day "
        "a defaulter performed its obligations): never in the future, never before the "
        "listing's last step, and only with `because`",
    )
    because: str = Field(default="", max_length=2000, description="why the earlier day")


class DropIn(StepIn):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "objection upheld", "note": ""}]}
    )

    reason: str = Field(min_length=1, max_length=200, examples=["objection upheld"])


class ProposeIn(In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"run": 12}]})

    run: BodyId = Field(description="a stored run of a list scheme")


@router.get(
    "/public/lists/{scheme_id}/{list_id}",
    response_model=list[ListingOut],
    summary="Who is on a list",
    description="Members in effect on a date, with their periods; identifiers masked.",
)
def public_members(
    call: Annotated[Call, Depends(Public())],
    scheme_id: SchemeId,
    list_id: ListId,
    at: Annotated[
        Day | None, Query(description="members in effect on this day (default: today)")
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many members")] = 100,
) -> list[ListingOut]:
    svc = call.service
    found = svc.listings.members(f"{scheme_id}/{list_id}", at)
    return [listing_out(m, svc.mask) for m in found[offset : offset + limit]]


@router.post(
    "/listings/proposals",
    response_model=list[ListingOut],
    status_code=201,
    responses=links(201, first=("listing", {"listing_id": "$response.body#/0/id"})),
    summary="Propose listings from a run",
)
def proposals(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], body: ProposeIn
) -> list[ListingOut]:
    """Proposes a listing for each subject a stored run of a list scheme puts on a list. A proposal
    lists no one: notice, the objection window and a named official's sign-off must follow."""
    _run, made = call.service.listings.propose(
        body.run, by=call.principal.actor, principal=call.principal
    )
    return [listing_out(m) for m in made]


@router.get(
    "/listings/{listing_id}",
    response_model=ListingOut,
    summary="A listing and its state",
)
def listing(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: ListingId
) -> ListingOut:
    """A listing with its lifecycle: each dated step, who took it, and what may come next."""
    return listing_out(call.service.listings.listing(listing_id, call.principal))


@router.post(
    "/listings/{listing_id}/notice", response_model=ListingOut, summary="Notify the subject"
)
def notice(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: ListingId, body: StepIn
) -> ListingOut:
    """Records that the subject was told the reasons, the legal basis and its rights; the objection
    window opens on the server's date."""
    steps, who = call.service.listings, call.principal
    return listing_out(steps.notify(listing_id, by=who.actor, principal=who))


@router.post(
    "/listings/{listing_id}/sign-off",
    response_model=ListingOut,
    summary="Sign off a listing",
    description="A named official signs off, after the notice and the objection window, with "
    "no objection open; the token's holder is the official.",
)
def sign(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: ListingId, body: StepIn
) -> ListingOut:
    steps, who = call.service.listings, call.principal
    return listing_out(steps.sign_off(listing_id, by=who.holder, principal=who))


@router.post(
    "/listings/{listing_id}/listing",
    response_model=ListingOut,
    summary="Put a signed-off listing into effect",
)
def take_effect(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: ListingId, body: StepIn
) -> ListingOut:
    """Puts a signed-off listing into effect on the server's date; its period runs from then."""
    steps, who = call.service.listings, call.principal
    return listing_out(steps.put_on_list(listing_id, by=who.actor, principal=who))


@router.post("/listings/{listing_id}/exit", response_model=ListingOut, summary="End a listing")
def end(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: ListingId, body: ExitIn
) -> ListingOut:
    """Ends a listing in effect: expiry, repair, revocation or performance of the obligations, with
    an earlier effective day only where the law allows one."""
    steps, who = call.service.listings, call.principal
    effective = None
    if body.effective_on is not None:
        effective = Backdate(body.effective_on, body.because)
    ended = steps.exit(
        listing_id, body.reason, by=who.actor, note=body.note, effective=effective, principal=who
    )
    return listing_out(ended)


@router.post(
    "/listings/{listing_id}/drop",
    response_model=ListingOut,
    summary="Drop a proposal before it takes effect",
)
def dropped(
    call: Annotated[Call, Depends(Allow(Permission.LISTINGS))], listing_id: ListingId, body: DropIn
) -> ListingOut:
    """Drops a proposal or a notified listing before it takes effect (for instance when an objection
    was upheld)."""
    steps, who = call.service.listings, call.principal
    dropped = steps.drop(listing_id, body.reason, by=who.actor, note=body.note, principal=who)
    return listing_out(dropped)
