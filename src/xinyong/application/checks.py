"""The point-of-service check: may this subject have this service from this department? The
answer names each measure that applies, why and on what basis; the check is audited and, asked
over the HTTP service, the read is written to the subject's access log with the service as its
purpose, in the same transaction (and, on PostgreSQL, in the same statement as the check's own
row)."""

from __future__ import annotations

from datetime import date
from typing import Any

from xinyong.application.base import Core
from xinyong.disclosure import access
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.dueprocess.checks import CheckAnswer, check

#: What a check writes to the subject's access log as its purpose and basis.
CHECK_PURPOSE = "check before {action} at {department}"
CHECK_BASIS = "the joint-measures memoranda in force"


class Checks:
    """The check use case."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def check(
        self,
        code: str,
        action: str,
        department: str,
        *,
        by: str,
        at: date | None = None,
        principal: Principal | None = None,
    ) -> CheckAnswer:
        core = self.core
        admit = None
        if principal is not None:
            caller = principal
            purpose = Purpose(
                CHECK_PURPOSE.format(action=action, department=department), CHECK_BASIS
            )

            def admit(subject: Any) -> dict[str, object]:
                access.reach(caller, subject)
                return access.entry(caller, subject.id, "check", purpose)

        with core.transaction() as conn:
            return check(
                conn,
                core.library,
                code,
                action,
                department,
                at or core.today(),
                actor=by,
                policies=core.policies,
                measures=core.measures,
                admit=admit,
            )
