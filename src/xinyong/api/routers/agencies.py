"""Registered credit-rating agencies: the public register, and the officials' steps (record a
registration, suspend it, reinstate it). An agency reads files and sends its ratings through the
subjects and records routes, within its registration."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import MAX_ID, In, Out
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission
from xinyong.disclosure.agencies import Registration

router = APIRouter(prefix="/agencies", tags=["agencies"], responses=ERRORS)
RegistrationId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="a registration's id", examples=[1])
]


class AgencyRegistrationOut(Out):
    id: int
    agency_code: str
    agency_name: str
    regulator: str = Field(examples=["中国人民银行"])
    licence: str = Field(examples=["PBOC-2020-007"])
    business_scope: str
    items: list[str] = Field(description="the catalog items the agency may read")
    valid_from: date
    valid_until: date
    status: str = Field(description="active or suspended")
    state: str = Field(description="active, suspended, not_yet_valid or expired, today")
    status_reason: str | None


def _out(found: Registration, today: date) -> AgencyRegistrationOut:
    return AgencyRegistrationOut(
        id=found.id,
        agency_code=found.agency_code,
        agency_name=found.agency_name,
        regulator=found.regulator,
        licence=found.licence,
        business_scope=found.business_scope,
        items=list(found.items),
        valid_from=found.valid_from,
        valid_until=found.valid_until,
        status=found.status,
        state=found.state(today),
        status_reason=found.status_reason,
    )


class AgencyRegistrationIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agency_code": "91110000MA0000001X",
                    "regulator": "中国人民银行",
                    "licence": "PBOC-2020-007",
                    "business_scope": "企业信用评级",
                    "items": ["REG_BASIC", "ADM_PENALTY_GENERAL"],
                    "valid_from": "2026-01-01",
                    "valid_until": "2028-12-31",
                }
            ]
        },
    )

    agency_code: str = Field(max_length=18, description="the agency's USCC")
    regulator: str = Field(min_length=1, max_length=100)
    licence: str = Field(min_length=1, max_length=60, pattern=r"^\S+$")
    business_scope: str = Field(min_length=1, max_length=200)
    items: list[str] = Field(min_length=1, max_length=60)
    valid_from: date
    valid_until: date


class AgencyStatusIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "备案被注销"}]}
    )

    reason: str = Field(min_length=1, max_length=500)


@router.get("/registrations", response_model=list[AgencyRegistrationOut], summary="The register")
def agency_register(call: Annotated[Call, Depends(Public())]) -> list[AgencyRegistrationOut]:
    """Every registered agency with its regulator, licence, scope, validity and state."""
    svc = call.service
    return [_out(r, svc.today()) for r in svc.agencies.register_list()]


@router.post(
    "/registrations",
    status_code=201,
    response_model=AgencyRegistrationOut,
    summary="Record an agency's registration",
)
def register_agency(
    call: Annotated[Call, Depends(Allow(Permission.AGENCIES))], body: AgencyRegistrationIn
) -> AgencyRegistrationOut:
    """As the regulator granted it: the items named are all the agency's token may read."""
    svc = call.service
    made = svc.agencies.register(
        body.agency_code,
        regulator=body.regulator,
        licence=body.licence,
        business_scope=body.business_scope,
        items=body.items,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        by=call.principal.actor,
        principal=call.principal,
    )
    return _out(made, svc.today())


@router.post(
    "/registrations/{registration_id}/suspension",
    response_model=AgencyRegistrationOut,
    summary="Suspend a registration: reads and submissions stop at once",
)
def suspend_agency(
    call: Annotated[Call, Depends(Allow(Permission.AGENCIES))],
    registration_id: RegistrationId,
    body: AgencyStatusIn,
) -> AgencyRegistrationOut:
    """From now on the agency's token reads nothing and sends nothing; its ratings already
    published stay, as records of the subjects rated."""
    svc = call.service
    found = svc.agencies.suspend(registration_id, body.reason, by=call.principal.actor)
    return _out(found, svc.today())


@router.post(
    "/registrations/{registration_id}/reinstatement",
    response_model=AgencyRegistrationOut,
    summary="Reinstate a suspended registration",
)
def reinstate_agency(
    call: Annotated[Call, Depends(Allow(Permission.AGENCIES))],
    registration_id: RegistrationId,
    body: AgencyStatusIn,
) -> AgencyRegistrationOut:
    """The agency's token works again, within its registration's items and validity."""
    svc = call.service
    found = svc.agencies.reinstate(registration_id, body.reason, by=call.principal.actor)
    return _out(found, svc.today())
