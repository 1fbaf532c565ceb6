"""Credit-rating agencies as use cases: an official records an agency's registration as its
regulator granted it, suspends and reinstates it; anyone reads the register (it is public, as
the regulators publish it). Reads and submissions by an agency check the registration in
:mod:`xinyong.application.files` and :mod:`xinyong.application.records`."""

from __future__ import annotations

from datetime import date

from xinyong.application.base import Core
from xinyong.disclosure import access, agencies
from xinyong.disclosure.agencies import Registration
from xinyong.disclosure.tokens import Principal
from xinyong.registry.subjects import get


class Agencies:
    """The registration use cases."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def register(
        self,
        code: str,
        *,
        regulator: str,
        licence: str,
        business_scope: str,
        items: list[str],
        valid_from: date,
        valid_until: date,
        by: str,
        principal: Principal | None = None,
    ) -> Registration:
        core = self.core
        with core.transaction() as conn:
            agency = get(conn, code)
            if principal is not None:
                access.reach(principal, agency)
            return agencies.register(
                conn,
                core.catalog,
                agency,
                regulator=regulator,
                licence=licence,
                business_scope=business_scope,
                items=items,
                valid_from=valid_from,
                valid_until=valid_until,
                actor=by,
            )

    def suspend(self, registration_id: int, reason: str, *, by: str) -> Registration:
        with self.core.transaction() as conn:
            return agencies.set_status(conn, registration_id, "suspended", reason, by)

    def reinstate(self, registration_id: int, reason: str, *, by: str) -> Registration:
        with self.core.transaction() as conn:
            return agencies.set_status(conn, registration_id, "active", reason, by)

    def register_list(self) -> list[Registration]:
        with self.core.reading() as conn:
            return agencies.every(conn)

    def get(self, registration_id: int) -> Registration:
        with self.core.reading() as conn:
            return agencies.get(conn, registration_id)
