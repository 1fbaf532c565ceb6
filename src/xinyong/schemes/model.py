"""Scheme files: a credit scheme as one YAML file, checked when it is loaded.

The file is parsed into the models below (unknown keys are refused with their line);
:func:`xinyong.schemes.loading.load_scheme` then checks it against the catalog and for sense.
``docs/schemes.md`` documents every key with an example.
"""

from __future__ import annotations

import enum
import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from xinyong.catalog.terms import LegalBasis, Names, Period
from xinyong.errors import InvalidCatalog
from xinyong.reference.identifiers import SubjectKind
from xinyong.schemes.conditions import (
    AttributeRef,
    AttributeTerm,
    Compare,
    Condition,
    MeasureCompare,
    MeasureDef,
    MeasureRef,
    PreviousResult,
    RecordCondition,
    SubjectCondition,
    period_or_window,
)
from xinyong.schemes.inspection import InspectionDef
from xinyong.yamlsource import FileModel, line_of

__all__ = [
    "AttributeRef",
    "AttributeTerm",
    "Compare",
    "Condition",
    "MeasureCompare",
    "MeasureDef",
    "MeasureRef",
    "PreviousResult",
    "RecordCondition",
    "SubjectCondition",
]

_HAN = re.compile(r"[\u3400-\u9fff]")


class InvalidScheme(InvalidCatalog):
    """A scheme file that breaks a rule; says the file, the line and what to do."""

    title = "Invalid scheme"


class SchemeType(enum.StrEnum):
    RATING = "rating"
    LIST = "list"
    POINTS = "points"
    MEASURES = "measures"
    INSPECTION = "inspection"
    SCREENING = "screening"  # flags per service category, read only by a consent check


_period = period_or_window


class Meta(FileModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    version: int = Field(ge=1)
    type: SchemeType
    title: Names
    authority: str = Field(min_length=2)
    region: str = Field(pattern=r"^\d{6}$", description="GB/T 2260; 000000 for national")
    industry: str | None = None
    legal_basis: list[LegalBasis] = Field(min_length=1)
    effective_from: date
    effective_to: date | None = None
    published_on: date
    supersedes: int | None = None
    own_modelling: Names | str | None = Field(
        default=None, description="what is our own modelling rather than the source's, zh and en"
    )
    cadence: Literal["daily", "monthly", "quarterly", "yearly"] | None = Field(
        default=None, description="how often the authority evaluates and publishes"
    )

    @model_validator(mode="after")
    def _dates(self) -> Meta:
        if self.effective_to and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        if self.supersedes is not None and self.supersedes >= self.version:
            raise ValueError("supersedes must name an earlier version")
        return self


class Scope(FileModel):
    kinds: list[SubjectKind] = Field(default_factory=lambda: list(SubjectKind))
    region: str | None = Field(default=None, pattern=r"^\d{2,6}$")
    industry: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=lambda: ["active"])
    registered_at_least: Period | None = None
    operating_in_region: bool = Field(
        default=False,
        description="also subjects registered outside the region that have a record of an "
        "item the scheme reads decided in it (by the record's decided_in), by the as-of date",
    )
    minimum_age: int | None = Field(
        default=None,
        ge=1,
        le=120,
        description="individuals younger than this on the as-of date (by the birth date in "
        "their resident ID) are out of scope; other kinds of subject are not affected",
    )

    _p = field_validator("registered_at_least", mode="before")(
        lambda v: None if v is None else Period.parse(v)
    )


class Rule(FileModel):
    """Points for records: ``per_record`` for each, ``per_unit`` times a sum or a number of
    distinct values (``of``), a fixed number of ``points`` once ``at_least`` records match, or
    ``per_unit`` times a named ``measure`` (a mean of project scores, say)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    when: RecordCondition | None = None
    measure: str | None = Field(
        default=None, description="a named measure; the rule gives per_unit times its value"
    )
    per_record: float | None = None
    per_unit: float | None = None
    of: str | None = Field(default=None, description="sum(attr) or distinct(attr) with per_unit")
    points: float | None = None
    at_least: int = Field(default=1, ge=1)
    cap: float | None = Field(default=None, gt=0)
    basis: LegalBasis | None = None

    @model_validator(mode="after")
    def _points(self) -> Rule:
        given = [v is not None for v in (self.per_record, self.per_unit, self.points)]
        if sum(given) != 1:
            raise ValueError(
                "a rule gives points in one way: per_record, per_unit (with 'of' or 'measure'), "
                "or points (with at_least)"
            )
        if (self.when is None) == (self.measure is None):
            raise ValueError("a rule reads records ('when') or a named measure ('measure')")
        if self.measure is not None:
            if self.per_unit is None or self.of is not None:
                raise ValueError("a rule on a measure gives per_unit points per unit of it")
        elif (self.per_unit is None) != (self.of is None):
            raise ValueError("per_unit needs 'of: sum(attribute)' or 'of: distinct(attribute)'")
        if self.at_least != 1 and self.points is None:
            raise ValueError("at_least goes with points")
        return self

    @property
    def amount(self) -> float:
        value = next(v for v in (self.per_record, self.per_unit, self.points) if v is not None)
        return float(value)


class Total(FileModel):
    min: float | None = None
    max: float | None = None


class Score(FileModel):
    base: float = 0
    rules: list[Rule] = Field(default_factory=list)
    total: Total = Field(default_factory=Total)


class Band(FileModel):
    grade: str = Field(min_length=1, max_length=8)
    min: float | None = None  # None: the lowest band, below every other


class Override(FileModel):
    grade: str
    when: Condition
    reason: str | None = None


class Bar(FileModel):
    highest: str
    when: Condition
    reason: str | None = None


class Grades(FileModel):
    bands: list[Band] = Field(min_length=1)
    overrides: list[Override] = Field(default_factory=list)
    bars: list[Bar] = Field(default_factory=list)
    new_subject: Override | None = None
    names: dict[str, Names] = Field(
        default_factory=dict,
        description="each grade's name in Chinese and English where its code is not the same "
        "in both (a code in Chinese, such as 环保诚信, needs one)",
    )
    unrated: list[str] = Field(
        default_factory=list,
        description="grades that say no judgement was made (未评价, not rated): shown apart "
        "from the bands' scale, never as its worst end",
    )

    def rated_bands(self) -> list[str]:
        """The bands' grades best first, without the ones that mean "not rated"."""
        return [b.grade for b in self.bands if b.grade not in self.unrated]

    def codes(self) -> set[str]:
        """Every grade this scheme can give."""
        found = {b.grade for b in self.bands} | {o.grade for o in self.overrides}
        found |= {b.highest for b in self.bars}
        return found | ({self.new_subject.grade} if self.new_subject else set())

    @model_validator(mode="after")
    def _named(self) -> Grades:
        codes = self.codes()
        unknown = sorted(set(self.names) - codes)
        if unknown:
            raise ValueError(f"names: {', '.join(unknown)} is not a grade of this scheme")
        unknown = sorted(set(self.unrated) - codes)
        if unknown:
            raise ValueError(f"unrated: {', '.join(unknown)} is not a grade of this scheme")
        unnamed = sorted(c for c in codes if _HAN.search(c) and c not in self.names)
        if unnamed:
            raise ValueError(
                f"names: the grade {', '.join(unnamed)} is written in Chinese; give its "
                "names in Chinese and English (names: {grade: {zh: ..., en: ...}})"
            )
        return self

    def name_of(self, code: str, language: str) -> str:
        """A grade as readers of ``language`` see it (its code where it has no name)."""
        names = self.names.get(code)
        return code if names is None else str(getattr(names, language))


class ExitOn(FileModel):
    """A listing ends when a record of these arrives (the obligation performed): the authority
    deletes it within ``within_working_days`` of the record's decision, and xinyong exits it on
    the day the record is stored. The records that listed the subject never list it again."""

    records: RecordCondition
    within_working_days: int = Field(default=3, ge=1, le=60)


class ExtendOn(FileModel):
    """A later record of these extends a listing in effect instead of a second listing: by a
    period, or by the term the record itself sets (``{attribute: years, unit: Y}``), from the
    listing's current end. The record becomes one of the listing's records."""

    records: RecordCondition
    by: Period | AttributeTerm

    _b = field_validator("by", mode="before")(
        lambda v: v if isinstance(v, dict | AttributeTerm) else Period.parse(v)
    )


class ListDef(FileModel):
    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: Names
    enter: Condition
    period: Period | Literal["open"] = Field(
        description="how long a listing lasts: a period, or 'open' (until its exit event); a "
        "ground's own 'term' takes its place where the ground holds"
    )
    notice: Period = Field(default_factory=lambda: Period(10, "D"))
    severity: Literal["blacklist", "key_attention", "redlist"] = "blacklist"
    exit: ExitOn | None = None
    extend: ExtendOn | None = None
    screens: list[str] = Field(
        default_factory=list,
        description="a screening scheme's flag: the service categories it concerns (codes "
        "of the scheme's category set); only a screening scheme's lists have them",
    )

    _p = field_validator("period", mode="before")(lambda v: v if v == "open" else Period.parse(v))
    _n = field_validator("notice", mode="before")(lambda v: Period.parse(v))

    def grounds(self) -> list[Condition]:
        """The entry condition and its alternatives, each a ground that may set a term."""
        return [self.enter, *self.enter.alternatives]


class GradeTrigger(FileModel):
    scheme: str
    grades: list[str] = Field(alias="in", min_length=1)


class Trigger(FileModel):
    """What sets a memorandum entry off: a list membership (``scheme-id/list-id``) in effect, or
    a grade in a scheme's latest evaluation."""

    list: str | None = Field(default=None, pattern=r"^[a-z0-9-]+/[a-z0-9_-]+$")
    grade: GradeTrigger | None = None

    @model_validator(mode="after")
    def _one(self) -> Trigger:
        if (self.list is None) == (self.grade is None):
            raise ValueError("a trigger is either 'list: scheme-id/list-id' or 'grade'")
        return self

    @property
    def scheme(self) -> str:
        """The id of the scheme whose list or grade sets the entry off."""
        if self.list:
            return self.list.split("/")[0]
        assert self.grade is not None
        return self.grade.scheme

    def describe(self) -> str:
        if self.list:
            return f"on list {self.list}"
        assert self.grade is not None
        return f"graded {'/'.join(self.grade.grades)} by {self.grade.scheme}"


class MemorandumEntry(FileModel):
    """Which measures a trigger brings, optionally only for some departments."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    when: Trigger
    measures: list[str] = Field(min_length=1)
    departments: list[str] | None = None
    basis: LegalBasis | None = None


class TestRecord(FileModel):
    item: str
    decided_on: date
    severity: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    revoked_on: date | None = None
    repaired_on: date | None = Field(default=None, description="credit repair granted on")
    decided_in: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="the deciding authority's region"
    )


class TestSubject(FileModel):
    kind: SubjectKind = SubjectKind.ENTERPRISE
    region: str = "110105"
    industry: str | None = None
    registered_on: date | None = None
    born_on: date | None = Field(
        default=None, description="an individual's birth date (default 1980-01-01)"
    )
    status: str = "active"


class Expect(FileModel):
    score: float | None = None
    grade: str | None = None
    lists: list[str] | None = None
    in_scope: bool = True
    roster: Literal["eligible", "always", "excluded"] | None = Field(
        default=None, description="an inspection plan's case: the subject's place on the roster"
    )
    risk_class: str | None = Field(
        default=None, description="an inspection plan's case: the class it is sampled in"
    )


class TestPrevious(FileModel):
    """The subject's stored result of an earlier evaluation under this scheme."""

    grade: str
    as_of: date | None = Field(
        default=None,
        description="the earlier run's as-of date (default: the day before the "
        "case's evaluation period starts)",
    )


class TestCase(FileModel):
    name: str
    as_of: date
    subject: TestSubject = Field(default_factory=TestSubject)
    records: list[TestRecord] = Field(default_factory=list)
    previous: TestPrevious | None = None
    class_grade: str | None = Field(
        default=None,
        description="an inspection plan's case: the subject's grade under the plan's class "
        "scheme on the draw date (none: it has none)",
    )
    expect: Expect


class Screening(FileModel):
    """What a screening scheme screens for: the shipped set of service categories its flags
    name. A consent check answers pass or flag for each category, from these flags alone."""

    categories: str = Field(description="the id of a set in data/services/*.yaml")


class SchemeFile(FileModel):
    scheme: Meta
    scope: Scope = Field(default_factory=Scope)
    records: Literal["in_effect", "published"] = "in_effect"
    disputed: Literal["count", "exclude"] = "count"
    window: Period | str = "all"
    measures: dict[str, MeasureDef] = Field(
        default_factory=dict,
        description="named numbers per subject (count, sum, min, max, mean, distinct) that "
        "rules and conditions read by name",
    )
    score: Score = Field(default_factory=Score)
    grades: Grades | None = None
    lists: list[ListDef] = Field(default_factory=list)
    memorandum: list[MemorandumEntry] = Field(default_factory=list)
    inspection: InspectionDef | None = Field(
        default=None, description="an inspection plan's roster, rates, pool and conflicts"
    )
    screening: Screening | None = Field(
        default=None, description="a screening scheme's category set (data/services/*.yaml)"
    )
    tests: list[TestCase] = Field(default_factory=list)

    _w = field_validator("window", mode="before")(lambda v: _period(v))


class Scheme:
    """A loaded, checked scheme with where it came from."""

    def __init__(self, definition: SchemeFile, path: Path, document: Any) -> None:
        self.definition = definition
        self.path = path
        self._document = document
        # the file as it was loaded: what runs and publications cite, even if the file on
        # disk changes (or, for a simulated draft, is gone) afterwards
        self.text = path.read_text(encoding="utf-8")
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        # what static analysis found odd (xinyong.schemes.analysis), kept by load_scheme
        self.findings: list[Any] = []

    @property
    def id(self) -> str:
        return self.definition.scheme.id

    @property
    def version(self) -> int:
        return self.definition.scheme.version

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def line(self, *loc: int | str) -> int | None:
        return line_of(self._document, loc)
