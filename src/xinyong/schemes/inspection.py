"""Inspection plans (``type: inspection``): "double random, one open" (双随机、一公开) as a
scheme file. A plan names its roster (the scheme's ``scope``, less the subjects it excludes),
the sampling rate of each class (a rating scheme's grade on the draw date; a default class for
subjects without one), a floor, the conditions that force a subject in (``always``) or keep it
out (``never``), the inspector pool, how many inspectors each target gets, what counts as a
conflict of interest, and how soon results are due. The draw itself is
:mod:`xinyong.inspection.draw`; this module only reads and checks the file.

For the engine a plan's ``always`` and ``never`` conditions are the lists of a derived scheme
(:func:`roster_scheme`), so they compile to the same one query, and the reference evaluator
checks them, as every other condition does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from xinyong.catalog.terms import LegalBasis, Names, Period
from xinyong.schemes.conditions import Condition
from xinyong.yamlsource import FileModel

Relation = Literal["relative", "household", "former_employer", "shareholder", "other"]
RELATIONS: tuple[Relation, ...] = (
    "relative",
    "household",
    "former_employer",
    "shareholder",
    "other",
)
"""The kinds of relation an inspector declares with a subject."""

ROSTER_STATUSES = ("eligible", "always", "excluded")


class DefaultClass(FileModel):
    name: str = Field(min_length=1, max_length=16)
    rate: Decimal = Field(ge=0, le=1)


class Classes(FileModel):
    """Sampling rates by class: the class is the subject's grade under ``scheme`` on the draw
    date (``by: grade``), or the first of the scheme's lists, in the order of ``rates``, that it
    is on that day (``by: list``, listings in effect after due process); a subject with none
    takes ``default``."""

    scheme: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    by: Literal["grade", "list"] = "grade"
    rates: dict[str, Decimal] = Field(min_length=1)
    default: DefaultClass

    @field_validator("rates")
    @classmethod
    def _shares(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for name, rate in value.items():
            if not Decimal(0) <= rate <= Decimal(1):
                raise ValueError(f"the rate of {name} is a share between 0 and 1")
        return value

    def rate_of(self, name: str) -> Decimal:
        return self.default.rate if name == self.default.name else self.rates[name]


class Floor(FileModel):
    """At least this many targets overall: a share of the roster, or a number of subjects."""

    share: Decimal | None = Field(default=None, gt=0, le=1)
    subjects: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> Floor:
        if self.share is None and self.subjects is None:
            raise ValueError("a floor is a share (share: 0.05) or a number (subjects: 20)")
        return self


class Forced(FileModel):
    """A condition that always brings a subject in, or keeps it out, with the reason."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    reason: Names
    when: Condition | None = None
    leniency: list[str] = Field(
        default_factory=list,
        description="(never only) subjects with a grant of one of these leniency policies in "
        "effect on the draw date",
    )
    basis: LegalBasis | None = None

    @model_validator(mode="after")
    def _something(self) -> Forced:
        if self.when is None and not self.leniency:
            raise ValueError("say 'when' (a condition) or 'leniency' (policy ids)")
        return self


class Pool(FileModel):
    """Which officials may be drawn: by department, region and qualification."""

    departments: list[str] = Field(default_factory=list, description="none listed: any")
    region: str | None = Field(
        default=None, pattern=r"^\d{2,6}$", description="default: the plan's region"
    )
    qualifications: list[str] = Field(
        default_factory=list, description="an inspector needs one of these; none listed: any"
    )


class Conflicts(FileModel):
    """When an inspector steps aside: a declared relation of these kinds with the subject, or
    the subject being of the inspector's own region at this level."""

    declared: list[Relation] = Field(default_factory=lambda: list(RELATIONS))
    same_region: Literal["none", "province", "city", "county"] = "county"
    inspected_within: Period | None = Field(
        default=None,
        description="the plan's own rule: an inspector assigned to the subject in a draw of "
        "this plan within this period before the draw date steps aside (rotation)",
    )

    _i = field_validator("inspected_within", mode="before")(
        lambda v: None if v is None else Period.parse(v)
    )


class Results(FileModel):
    """The outcome of each inspection: a record of ``item``, due within working days of the
    draw, and then published."""

    item: str = "ADM_INSPECTION"
    within_working_days: int = Field(default=20, ge=1, le=120)


class InspectionDef(FileModel):
    classes: Classes
    floor: Floor | None = None
    always: list[Forced] = Field(default_factory=list)
    never: list[Forced] = Field(default_factory=list)
    pool: Pool = Field(default_factory=Pool)
    inspectors_per_target: int = Field(default=2, ge=2, le=10)
    conflicts: Conflicts = Field(default_factory=Conflicts)
    results: Results = Field(default_factory=Results)
    commit_before: Period = Field(
        default_factory=lambda: Period(0, "D"),
        description="the commitment is published at least this long before the seed is entered",
    )

    _c = field_validator("commit_before", mode="before")(lambda v: Period.parse(v))

    @model_validator(mode="after")
    def _unique(self) -> InspectionDef:
        ids = [f.id for f in self.always + self.never]
        if len(set(ids)) != len(ids):
            raise ValueError("the ids of 'always' and 'never' entries must be unique")
        if any(f.leniency for f in self.always):
            raise ValueError("'leniency' keeps subjects out: it belongs under 'never'")
        if self.classes.default.name in self.classes.rates:
            raise ValueError("the default class must differ from the graded classes")
        return self

    def class_names(self) -> list[str]:
        """Every class, the default last."""
        return [*self.classes.rates, self.classes.default.name]


def roster_status(always: bool, never: bool) -> str:
    """A subject's place on the roster: an ``always`` condition wins over a ``never``."""
    return "always" if always else "excluded" if never else "eligible"


def list_id(section: str, forced: Forced) -> str:
    """The derived scheme's list that says whether a forcing condition holds."""
    return f"{section}-{forced.id}".replace("_", "-")
