"""What a route depends on: the service (database, catalog, schemes), the caller, and the purpose
of a non-public read. :class:`Allow` is the one mechanism that guards routes: each route names
exactly one permission, and the app refuses to start if one does not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from xinyong.catalog.items import Catalog
from xinyong.catalog.measures import MeasureCatalog, shipped_measures
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission, Purpose
from xinyong.disclosure.tokens import PUBLIC, Principal, authenticate
from xinyong.dueprocess.leniency import Policy, load_policies
from xinyong.errors import Unauthenticated
from xinyong.reference.identifiers import MaskPolicy
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database


@dataclass
class Service:
    """Everything the routes share; built once per app."""

    settings: Settings
    db: Database
    catalog: Catalog = field(init=False)

    def __post_init__(self) -> None:
        self.catalog = Catalog.load(self.settings.catalog_paths)

    @cached_property
    def library(self) -> Library:
        return Library.load(self.catalog, self.settings.scheme_paths)

    @cached_property
    def measures(self) -> MeasureCatalog:
        return shipped_measures()

    @cached_property
    def policies(self) -> list[Policy]:
        return load_policies()

    @cached_property
    def mask(self) -> MaskPolicy:
        return MaskPolicy.named(self.settings.mask_policy)

    def today(self) -> date:
        return self.settings.current_date()


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


bearer = HTTPBearer(auto_error=False, description="An API token issued by `xinyong tokens issue`")


@dataclass(frozen=True, slots=True)
class Call:
    """One request's caller and the service it calls."""

    principal: Principal
    service: Service


class Allow:
    """A route's guard: signs the caller in (a bearer token, or the public without one) and
    refuses a role that does not hold the route's permission."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(
        self,
        svc: Annotated[Service, Depends(service)],
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Call:
        principal = PUBLIC
        if credentials is not None:
            with svc.db.connect() as conn:
                principal = authenticate(conn, credentials.credentials, svc.today())
        if principal is PUBLIC and not access.holds(principal, self.permission):
            raise Unauthenticated("this route needs a token: Authorization: Bearer <token>")
        access.authorize(principal, self.permission)
        return Call(principal, svc)


class Public(Allow):
    """The guard of a public route: anyone, with or without a token, and no token is read (so
    the route documents no security requirement)."""

    def __init__(self) -> None:
        super().__init__(Permission.PUBLIC)

    def __call__(self, svc: Annotated[Service, Depends(service)]) -> Call:  # type: ignore[override]
        return Call(PUBLIC, svc)


def declared_purpose(
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
