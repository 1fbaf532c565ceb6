"""The parts of a scheme file that say which records count and when something holds: record
conditions with their attribute tests, named measures (a number per subject read from its
records: a count, a sum, a minimum, a maximum, a mean, a weighted mean, a number of distinct
values), comparisons of a measure with a constant or with a multiple of another measure, and
conditions that combine them. ``docs/schemes.md`` has an example of each."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from xinyong.catalog.terms import Category, Period
from xinyong.reference.identifiers import SubjectKind
from xinyong.yamlsource import FileModel

Aggregate = Literal["count", "sum", "min", "max", "mean", "distinct"]
#: Aggregates whose value over no records is 0 (the others have no value then).
ZERO_WHEN_EMPTY = frozenset({"count", "sum", "distinct"})
ORDERED = ("at_least", "at_most", "above", "below")


def period_or_window(value: object) -> Period | str:
    if value in ("all", "evaluation_year"):
        return str(value)
    return Period.parse(value)


class AttributeRef(FileModel):
    """Another attribute of the same record, times a factor: ``{attribute: amount_due,
    times: 0.1}`` in ``amount_unpaid: {at_least: ...}`` reads "at least 10% of the amount due"."""

    attribute: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    times: float = 1.0


class Compare(FileModel):
    at_least: float | AttributeRef | None = None
    at_most: float | AttributeRef | None = None
    above: float | AttributeRef | None = None
    below: float | AttributeRef | None = None
    equals: str | float | bool | None = None
    one_of: list[str] | None = None

    @model_validator(mode="after")
    def _one(self) -> Compare:
        if sum(v is not None for v in self.__dict__.values()) == 0:
            raise ValueError("say at_least, at_most, above, below, equals or one_of")
        return self

    def others(self) -> list[str]:
        """The other attributes of the record this compares with."""
        return [
            v.attribute
            for v in (getattr(self, op) for op in ORDERED)
            if isinstance(v, AttributeRef)
        ]


class RecordCondition(FileModel):
    """Which records a rule, an override, a list or a measure reads."""

    item: str | list[str] | None = None
    category: Category | list[Category] | None = None
    severity: int | list[int] | Compare | None = None
    attribute: dict[str, Compare] = Field(default_factory=dict)
    window: Period | str | None = None

    _w = field_validator("window", mode="before")(
        lambda v: None if v is None else period_or_window(v)
    )

    def items(self) -> list[str]:
        return [] if self.item is None else [self.item] if isinstance(self.item, str) else self.item

    def categories(self) -> list[Category]:
        if self.category is None:
            return []
        return [self.category] if isinstance(self.category, Category) else self.category


class FirstRecord(FileModel):
    """The subject's first record of an item (``{item: HWY_PROJECT_EVALUATION, within: 3Y}``:
    its first project evaluation was decided less than 3 years ago)."""

    item: str | list[str]
    within: Period

    _p = field_validator("within", mode="before")(lambda v: Period.parse(v))

    def items(self) -> list[str]:
        return [self.item] if isinstance(self.item, str) else self.item


class SubjectCondition(FileModel):
    """Facts of the subject itself: registered within a period (an individual's registration
    is its birth), its first record of an item within a period, of a kind, in an industry."""

    registered_within: Period | None = None
    first_record: FirstRecord | None = Field(
        default=None,
        description="the subject has a record of the item, and the first was decided within "
        "the period",
    )
    measured_at: Literal["as_of", "evaluation_year_end"] = Field(
        default="as_of",
        description="registered_within and first_record count back from the as-of date, or "
        "from the end of the evaluation year (31 December of the year before the as-of date)",
    )
    kind: list[SubjectKind] | None = None
    industry: list[str] | None = None

    _p = field_validator("registered_within", mode="before")(
        lambda v: None if v is None else Period.parse(v)
    )


class MeasureDef(FileModel):
    """A named number per subject, read from its records (``measures:`` of a scheme).

    ``count`` counts the records; ``sum``, ``min``, ``max`` and ``mean`` read a number
    ``attribute``; ``mean`` with a ``weight`` is the mean weighted by another number attribute
    of each record; ``distinct`` counts the different values of an attribute. Over no records
    a count, a sum or a distinct count is 0; a minimum, a maximum or a mean has no value, and a
    comparison with it does not hold."""

    aggregate: Aggregate
    records: RecordCondition
    attribute: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    weight: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")

    @model_validator(mode="after")
    def _reads(self) -> MeasureDef:
        if (self.aggregate == "count") != (self.attribute is None):
            raise ValueError("count reads no attribute; sum, min, max, mean and distinct read one")
        if self.weight is not None and self.aggregate != "mean":
            raise ValueError("weight goes with aggregate: mean (a weighted mean)")
        return self


class MeasureRef(FileModel):
    """Another measure, times a factor: ``{measure: turnover, times: 0.002}`` is "2 per mille
    of the turnover"."""

    measure: str
    times: float = 1.0


class MeasureCompare(FileModel):
    """A measure compared with a number or with (a multiple of) another measure; every given
    comparison must hold."""

    measure: str
    at_least: float | MeasureRef | None = None
    at_most: float | MeasureRef | None = None
    above: float | MeasureRef | None = None
    below: float | MeasureRef | None = None
    equals: float | MeasureRef | None = None

    @model_validator(mode="after")
    def _one(self) -> MeasureCompare:
        if all(getattr(self, op) is None for op in (*ORDERED, "equals")):
            raise ValueError("say at_least, at_most, above, below or equals")
        return self

    def tests(self) -> list[tuple[str, float | MeasureRef]]:
        """(comparison, what it compares with) in file order."""
        return [
            (op, value) for op in (*ORDERED, "equals") if (value := getattr(self, op)) is not None
        ]


class PreviousResult(FileModel):
    """The subject's result in this scheme's previous evaluation: its newest stored result
    from the previous period (the year before for a yearly scheme, the quarter or month before
    for a quarterly or monthly one), read from the stored runs and never published by it. A
    subject that was not evaluated then has no previous result, and the condition does not
    hold."""

    grade: list[str] = Field(min_length=1, description="its grade was one of these")


class AttributeTerm(FileModel):
    """A listing term the deciding authority set in its decision: the greatest value of a
    number attribute among the ground's records, in days, months or years (``{attribute:
    term_years, unit: Y}``); a ground whose records carry none takes the list's period."""

    attribute: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    unit: Literal["D", "M", "Y"]


def term_of(value: object) -> Period | str | AttributeTerm:
    """A term as a file gives it: a period, ``open`` (until an exit event) or an attribute."""
    if value == "open" or isinstance(value, AttributeTerm):
        return value
    if isinstance(value, dict):
        return AttributeTerm.model_validate(value)
    return Period.parse(value)


class Condition(FileModel):
    """A condition on a subject's records (at least N matching), on its measures, or on the
    subject itself; every given part must hold."""

    records: RecordCondition | None = None
    at_least: int = Field(default=1, ge=1)
    subject: SubjectCondition | None = None
    score_below: float | None = None
    score_at_least: float | None = None
    compare: list[MeasureCompare] = Field(
        default_factory=list, description="measures compared with numbers or other measures"
    )
    previous: PreviousResult | None = Field(
        default=None, description="the subject's result in this scheme's previous evaluation"
    )
    term: Period | str | AttributeTerm | None = Field(
        default=None,
        description="on a ground of a list (its 'enter' or one of its 'any'): the listing term "
        "when this ground holds, a period, 'open' (until the exit event) or an attribute",
    )
    alternatives: list[Condition] = Field(
        default_factory=list,
        alias="any",
        description="at least one of these conditions must hold as well (any of the grounds)",
    )

    _t = field_validator("term", mode="before")(lambda v: None if v is None else term_of(v))

    @model_validator(mode="after")
    def _something(self) -> Condition:
        if not any(
            (
                self.records,
                self.subject,
                self.score_below is not None,
                self.score_at_least is not None,
                self.compare,
                self.previous,
                self.alternatives,
            )
        ):
            raise ValueError(
                "a condition needs records, subject, score_below, score_at_least, compare, "
                "previous or any"
            )
        return self
