"""Webhook subscriptions: listing, case and evaluation events, signed, retried."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call
from xinyong.api.models import In, Moment, Out, WebhookId
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=ERRORS)


class WebhookIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://credit.example.gov.cn/hooks/xinyong",
                    "events": ["listing", "case"],
                }
            ]
        },
    )

    url: str = Field(max_length=2000, examples=["https://credit.example.gov.cn/hooks/xinyong"])
    events: list[str] = Field(
        min_length=1,
        max_length=20,
        description="groups (listing, case, evaluation) or single event kinds",
        examples=[["listing", "case"]],
    )


class WebhookCreated(Out):
    id: int
    secret: str = Field(description="signs each delivery (HMAC-SHA256); shown only now")


class WebhookOut(Out):
    id: int
    url: str
    events: list[str]
    holder: str
    created_at: Moment
    active: bool


@router.post("", response_model=WebhookCreated, status_code=201, summary="Subscribe to events")
def subscribe(
    call: Annotated[Call, Depends(Allow(Permission.WEBHOOKS))], body: WebhookIn
) -> WebhookCreated:
    """Subscribes an http(s) address to the named kinds of event. The answer carries
    the signing secret once."""
    webhook_id, secret = call.service.oversight.subscribe(body.url, body.events, call.principal)
    return WebhookCreated(id=webhook_id, secret=secret)


@router.get("", response_model=list[WebhookOut], summary="Subscriptions")
def subscriptions(call: Annotated[Call, Depends(Allow(Permission.WEBHOOKS))]) -> list[WebhookOut]:
    """The webhook subscriptions and the events each receives; secrets are never shown again."""
    found = call.service.oversight.subscriptions(call.principal)
    return [WebhookOut.model_validate(w) for w in found]


@router.delete("/{webhook_id}", status_code=204, summary="Stop a subscription")
def unsubscribe(
    call: Annotated[Call, Depends(Allow(Permission.WEBHOOKS))], webhook_id: WebhookId
) -> Response:
    """Stops a subscription; nothing more is sent to it."""
    call.service.oversight.unsubscribe(webhook_id, call.principal)
    return Response(status_code=204)
