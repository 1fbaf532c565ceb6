"""What a route depends on: the application (its use cases, database, catalog, schemes), the caller,
and the purpose
of a non-public read. :class:`Allow` is the one mechanism that guards routes: each route names
exactly one permission, and the app refuses to start if one does not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import unquote

from anyio import to_thread
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xinyong.application import Application
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission, Purpose
from xinyong.disclosure.tokens import PUBLIC, Principal
from xinyong.errors import Unauthenticated


async def service(request: Request) -> Application:
    found: Application = request.app.state.service
    return found


bearer = HTTPBearer(auto_error=False, description="An API token issued by `xinyong tokens issue`")


@dataclass(frozen=True, slots=True)
class Call:
    """One request's caller and the service it calls."""

    principal: Principal
    service: Application


class Allow:
    """A route's guard: signs the caller in (a bearer token, or the public without one) and
    refuses a role that does not hold the route's permission."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(
        self,
        request: Request,
        svc: Annotated[Application, Depends(service)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Call:
        principal = PUBLIC
        if credentials is not None:
            client = request.client.host if request.client else "-"
            # the one step here that reads the database, and the one that leaves the loop
            principal = await to_thread.run_sync(svc.authenticate, credentials.credentials, client)
        if principal is PUBLIC and not access.holds(principal, self.permission):
            raise Unauthenticated("this route needs a token: Authorization: Bearer <token>")
        access.authorize(principal, self.permission)
        return Call(principal, svc)


class Public(Allow):
    """The guard of a public route: anyone, with or without a token, and no token is read (so
    the route documents no security requirement)."""

    def __init__(self) -> None:
        super().__init__(Permission.PUBLIC)

    async def __call__(self, svc: Annotated[Application, Depends(service)]) -> Call:  # type: ignore[override]
        return Call(PUBLIC, svc)


async def declared_purpose(
    x_purpose: Annotated[
        str | None,
        Header(
            description="Why this non-public data is read (written to the access log); "
            "non-ASCII text percent-encoded as UTF-8",
            examples=["review before awarding a procurement contract"],
        ),
    ] = None,
    x_legal_basis: Annotated[
        str | None,
        Header(
            description="The law or rule that allows this read; percent-encoded as UTF-8",
            examples=["Government Procurement Law, art. 22"],
        ),
    ] = None,
) -> Purpose:
    # HTTP header values are Latin-1: Chinese text is sent percent-encoded as UTF-8.
    return Purpose.declared(
        unquote(x_purpose) if x_purpose else None,
        unquote(x_legal_basis) if x_legal_basis else None,
    )


Declared = Annotated[Purpose, Depends(declared_purpose)]
