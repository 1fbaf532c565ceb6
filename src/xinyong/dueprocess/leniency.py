"""Leniency policies: dated overlays that defer listing or suspend measures for a class of
subjects.

A policy file (``data/leniency/*.yaml``) says who it covers (subjects carrying a tag, of a kind,
industry or region, or holding an individual grant under it), which lists it concerns, and what
it does: ``defer_listing`` (a fixed grace period, or a range from which each grant picks one) and
``suspend_measures`` (measure codes, or ``"*"``). Listings and check answers consult the policies
in force; a check answer says when a policy changed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy import Connection, insert, or_, select

from xinyong import clock
from xinyong.catalog.terms import LegalBasis, Names, Period
from xinyong.dueprocess.cases import Case, CaseKind, close_case, get_case, open_case, require_open
from xinyong.errors import InvalidInput, NotFound
from xinyong.reference.identifiers import SubjectKind
from xinyong.reference.industries import Industries
from xinyong.reference.regions import region_prefix
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.tags import tags_on
from xinyong.schemes.model import InvalidScheme
from xinyong.store.outbox import enqueue
from xinyong.store.tables import leniency_grants, subjects
from xinyong.yamlsource import FileModel, LineDict, load_yaml, validate


class Grace(FileModel):
    """A range of grace periods; each grant under the policy states the one it gives."""

    min: Period
    max: Period

    _p = field_validator("min", "max", mode="before")(lambda v: Period.parse(v))

    def admits(self, period: Period) -> bool:
        return self.min.approx_days() <= period.approx_days() <= self.max.approx_days()


class AppliesTo(FileModel):
    tags: list[str] = Field(default_factory=list)
    granted: bool = False
    kinds: list[SubjectKind] | None = None
    industry: list[str] = Field(default_factory=list)
    region: str | None = Field(default=None, pattern=r"^\d{2,6}$")
    lists: list[str] = Field(
        default_factory=list,
        description="scheme-id/list-id of each list whose listings it defers (it defers no other)",
    )

    @model_validator(mode="after")
    def _someone(self) -> AppliesTo:
        if not self.tags and not self.granted:
            raise ValueError("say who the policy covers: 'tags' or 'granted: true'")
        return self


class PolicyHeader(FileModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    title: Names
    authority: str
    legal_basis: list[LegalBasis] = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    own_modelling: str | None = None


class PolicyFile(FileModel):
    policy: PolicyHeader
    applies_to: AppliesTo
    defer_listing: Period | Grace | None = None
    suspend_measures: list[str] = Field(default_factory=list)

    @field_validator("defer_listing", mode="before")
    @classmethod
    def _defer(cls, value: object) -> object:
        return Period.parse(value) if isinstance(value, str | int) else value

    @model_validator(mode="after")
    def _does_something(self) -> PolicyFile:
        if self.defer_listing is None and not self.suspend_measures:
            raise ValueError("a policy defers listing, suspends measures, or both")
        if self.defer_listing is not None and not self.applies_to.lists:
            raise ValueError(
                "a policy that defers listing names the lists it applies to "
                "(applies_to.lists: [scheme-id/list-id]); it defers no other list"
            )
        if isinstance(self.defer_listing, Grace) and not self.applies_to.granted:
            raise ValueError("a range of grace periods needs individual grants (granted: true)")
        return self


@dataclass(frozen=True, slots=True)
class Policy:
    definition: PolicyFile
    path: Path

    @property
    def id(self) -> str:
        return self.definition.policy.id

    def in_force(self, on: date) -> bool:
        header = self.definition.policy
        return header.effective_from <= on and (
            header.effective_to is None or on < header.effective_to
        )

    def concerns(self, list_key: str) -> bool:
        """Whether the policy defers listings on this list: only the lists it names."""
        return list_key in self.definition.applies_to.lists

    def cite(self) -> str:
        return "; ".join(b.cite() for b in self.definition.policy.legal_basis)


def load_policies(extra: list[Path] | None = None) -> list[Policy]:
    folder = resources.files("xinyong.data").joinpath("leniency")
    paths = sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))
    for path in extra or []:
        paths += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    loaded = []
    for path in paths:
        document = load_yaml(path, error=InvalidScheme)
        if not isinstance(document, LineDict):
            raise InvalidScheme(
                "a leniency file is a mapping with a 'policy' header", path=str(path)
            )
        loaded.append(Policy(validate(PolicyFile, document, path, error=InvalidScheme), path))
    first: dict[str, Path] = {}
    for policy in loaded:
        if policy.id in first:
            raise InvalidScheme(
                f"policy id {policy.id} is already used by {first[policy.id]}",
                path=str(policy.path),
            )
        first[policy.id] = policy.path
    return loaded


def get_policy(policies: list[Policy], policy_id: str) -> Policy:
    for policy in policies:
        if policy.id == policy_id:
            return policy
    raise NotFound(f"no leniency policy {policy_id}; known: {', '.join(p.id for p in policies)}")


def _grant(conn: Connection, policy: Policy, subject_id: int, on: date) -> Period | None:
    row = conn.execute(
        select(leniency_grants.c.grace)
        .where(
            leniency_grants.c.policy_id == policy.id,
            leniency_grants.c.subject_id == subject_id,
            leniency_grants.c.valid_from <= on,
            or_(leniency_grants.c.valid_to.is_(None), leniency_grants.c.valid_to > on),
        )
        .order_by(leniency_grants.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Period.parse(row.grace) if row.grace else Period(0, "D")


def covers(conn: Connection, policy: Policy, subject: Any, on: date) -> bool:
    """Whether ``policy`` covers the subject (a ``subjects`` row) on ``on``."""
    if not policy.in_force(on):
        return False
    rule = policy.definition.applies_to
    if rule.kinds is not None and subject.kind not in {k.value for k in rule.kinds}:
        return False
    prefix = region_prefix(rule.region)
    if prefix and not (subject.region_code or "").startswith(prefix):
        return False
    if rule.industry:
        prefixes = Industries.load().prefixes(rule.industry)
        if not (subject.industry_code or "").startswith(prefixes):
            return False
    if rule.tags and tags_on(conn, subject.id, on) & set(rule.tags):
        return True
    return rule.granted and _grant(conn, policy, subject.id, on) is not None


@dataclass(frozen=True, slots=True)
class Deferral:
    policy: str
    until: date
    basis: str


def deferral(
    conn: Connection, policies: list[Policy], subject_id: int, list_key: str, proposed_on: date
) -> Deferral | None:
    """The longest listing deferral any policy gives this subject for a listing proposed on
    ``proposed_on``; the grace runs from the proposal."""
    subject = conn.execute(select(subjects).where(subjects.c.id == subject_id)).one()
    best: Deferral | None = None
    for policy in policies:
        grace = policy.definition.defer_listing
        if grace is None or not policy.concerns(list_key):
            continue
        if not covers(conn, policy, subject, proposed_on):
            continue
        period = (
            grace if isinstance(grace, Period) else _grant(conn, policy, subject_id, proposed_on)
        )
        if period is None:
            continue
        until = period.after(proposed_on)
        if best is None or until > best.until:
            best = Deferral(policy.id, until, policy.cite())
    return best


def suspensions(
    conn: Connection, policies: list[Policy], subject: Any, at: date
) -> dict[str, Policy]:
    """Measure code (or ``*``) -> the policy that suspends it for this subject on ``at``."""
    found: dict[str, Policy] = {}
    for policy in policies:
        if policy.definition.suspend_measures and covers(conn, policy, subject, at):
            for code in policy.definition.suspend_measures:
                found.setdefault(code, policy)
    return found


def grant(
    conn: Connection,
    policy: Policy,
    subject_id: int,
    valid_from: date,
    *,
    grace: Period | None = None,
    valid_to: date | None = None,
    case_id: int | None = None,
) -> int:
    """Record an individual grant under a policy that works by grants."""
    if not policy.definition.applies_to.granted:
        raise InvalidInput(f"{policy.id} applies by class, not by individual grants")
    rule = policy.definition.defer_listing
    if isinstance(rule, Grace) and (grace is None or not rule.admits(grace)):
        raise InvalidInput(
            f"{policy.id} gives a grace period from {rule.min} to {rule.max}; "
            f"say which (got {grace})"
        )
    return int(
        conn.execute(
            insert(leniency_grants).returning(leniency_grants.c.id),
            {
                "policy_id": policy.id,
                "subject_id": subject_id,
                "grace": str(grace) if grace else None,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "case_id": case_id,
                "created_at": clock.now(),
            },
        ).scalar_one()
    )


#: Working days within which a leniency application is decided (our own choice: the policies
#: do not set one; the repair plan's 10 working days are used as the model).
APPLICATION_WORKING_DAYS = 10


def apply_for_leniency(
    conn: Connection,
    calendar: WorkCalendar,
    policy: Policy,
    subject_id: int,
    on: date,
    actor: str,
    reason: str,
    grace: Period | None = None,
) -> Case:
    """A subject asks for an individual grant under a policy that works by grants."""
    if not policy.definition.applies_to.granted:
        raise InvalidInput(f"{policy.id} applies by class; nobody needs to apply for it")
    if not policy.in_force(on):
        raise InvalidInput(f"{policy.id} is not in force on {on}")
    if not reason.strip():
        raise InvalidInput("an application says why the subject qualifies")
    deadline = calendar.add(on, APPLICATION_WORKING_DAYS)
    return open_case(
        conn,
        CaseKind.LENIENCY,
        subject_id,
        on,
        deadline.due,
        actor,
        details={
            "policy": policy.id,
            "grace": str(grace) if grace else None,
            "reason": reason,
            "calendar_warnings": list(deadline.warnings),
        },
        note=reason,
    )


def decide_leniency(
    conn: Connection,
    policies: list[Policy],
    case_id: int,
    on: date,
    official: str,
    *,
    granted: bool,
    reasons: str,
    grace: Period | None = None,
) -> Case:
    """Grant (with the grace period given, which may differ from the one asked for) or refuse."""
    case = get_case(conn, case_id)
    if case.kind is not CaseKind.LENIENCY:
        raise InvalidInput(f"case {case.reference} is not a leniency application")
    require_open(case)
    details: dict[str, Any] = {}
    if granted:
        policy = get_policy(policies, str(case.details["policy"]))
        given = grace or (
            Period.parse(case.details["grace"]) if case.details.get("grace") else None
        )
        details["grant"] = grant(conn, policy, case.subject_id, on, grace=given, case_id=case.id)
        details["grace"] = str(given) if given else None
    closed = close_case(
        conn, case, on, official, "granted" if granted else "refused", reasons, details=details
    )
    enqueue(
        conn,
        case.subject_id,
        "leniency_decided",
        {"case": case.reference, "outcome": closed.outcome, "reasons": reasons, **details},
    )
    return closed
