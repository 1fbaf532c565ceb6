"""An inspection plan's roster conditions as a scheme the engine runs: its scope is the plan's,
and each ``always`` or ``never`` condition is one of its lists, so the plan's conditions compile
to the one query (and the reference evaluator checks them) like every other scheme's."""

from __future__ import annotations

from typing import Any

from xinyong.catalog.terms import Period
from xinyong.schemes.inspection import InspectionDef, list_id
from xinyong.schemes.model import ListDef, Scheme, SchemeFile

__all__ = ["RosterScheme", "roster_scheme"]


class RosterScheme(Scheme):
    """A plan's roster scheme: the plan's own file, identity and text, with derived lists."""

    def __init__(self, plan: Scheme, definition: SchemeFile) -> None:
        self.definition = definition
        self.path = plan.path
        self._document = plan._document
        self.text = plan.text
        self.sha256 = plan.sha256
        self.plan = plan


def _forcing(section: str, entries: Any) -> list[ListDef]:
    return [
        ListDef(
            id=list_id(section, entry),
            name=entry.reason,
            enter=entry.when,
            period=Period(1, "D"),
            severity="key_attention" if section == "always" else "redlist",
        )
        for entry in entries
        if entry.when is not None
    ]


def roster_scheme(plan: Scheme) -> RosterScheme:
    """The scheme whose query gives, for each subject in the plan's scope, which of the plan's
    ``always`` and ``never`` conditions hold on the as-of date."""
    inspection = plan.definition.inspection
    assert isinstance(inspection, InspectionDef), f"{plan.key} is not an inspection plan"
    lists = _forcing("always", inspection.always) + _forcing("never", inspection.never)
    return RosterScheme(plan, plan.definition.model_copy(update={"lists": lists}))
