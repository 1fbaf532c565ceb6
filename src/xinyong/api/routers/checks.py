"""The point-of-service check: may this subject have this service here, and if not, why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call
from xinyong.api.models import Day, In
from xinyong.api.problems import ERRORS
from xinyong.catalog.measures import ServiceAction
from xinyong.disclosure.access import Permission
from xinyong.disclosure.tokens import Role
from xinyong.errors import InvalidInput

router = APIRouter(prefix="/checks", tags=["check"], responses=ERRORS)


class CheckIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "91410100MA4000001N",
                    "action": "government_procurement",
                    "department": "郑州市财政局",
                    "at": "2026-11-23",
                }
            ]
        },
    )

    code: str = Field(description="USCC or resident ID", examples=["91410100MA4000001N"])
    action: ServiceAction = Field(
        description="the service asked for", examples=["government_procurement"]
    )
    department: str | None = Field(
        default=None,
        description="the department granting the service; a department's token gives its own",
    )
    at: Day | None = Field(default=None, description="default: today")


@router.post(
    "",
    summary="Check a subject before granting a service",
    description="Returns each joint measure that applies, with its trigger, legal basis and "
    "period, disputed records behind it and any leniency. The check is logged with an audit "
    "reference, and the read is written to the subject's access log with the service as purpose.",
)
def run_check(
    call: Annotated[Call, Depends(Allow(Permission.CHECK))], body: CheckIn
) -> dict[str, Any]:
    svc = call.service
    principal = call.principal
    department = principal.department if principal.role is Role.DEPARTMENT else body.department
    if not department:
        raise InvalidInput(
            "department: name the department granting the service", field="body.department"
        )
    answer = svc.checks.check(
        body.code, body.action, department, by=principal.actor, at=body.at, principal=principal
    )
    return answer.to_json()
