"""The measures catalog: what a department does to or for a listed or graded subject.

Each measure names the actions it concerns (government procurement, bidding, ...), the
departments that implement it, its effect, its legal basis and how long it lasts. Which list
memberships and grades trigger which measures is said by measures memoranda: scheme files of type
``measures`` (see :class:`xinyong.schemes.model.MemorandumEntry`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import Field, field_validator

from xinyong.catalog.terms import LegalBasis, Names, Period
from xinyong.errors import InvalidCatalog
from xinyong.yamlsource import FileModel, LineDict, LineList, load_yaml, validate


class ServiceAction(enum.StrEnum):
    """What a subject asks a department for, at the point of service."""

    GOVERNMENT_PROCUREMENT = "government_procurement"
    BIDDING = "bidding"
    MARKET_ENTRY = "market_entry"
    HIGH_CONSUMPTION = "high_consumption"
    SUBSIDIES = "subsidies"
    INSPECTION = "inspection"
    APPROVAL = "approval"
    FINANCING = "financing"
    HONOURS = "honours"
    RENTAL = "rental"


class Effect(enum.StrEnum):
    PROHIBIT = "prohibit"  # the service is refused
    RESTRICT = "restrict"  # allowed under conditions or reduced
    MORE_INSPECTION = "more_inspection"
    FEWER_INSPECTIONS = "fewer_inspections"
    FAST_TRACK = "fast_track"
    SUPPORT = "support"  # priority for subsidies, financing, honours


INCENTIVES = {Effect.FEWER_INSPECTIONS, Effect.FAST_TRACK, Effect.SUPPORT}


class Measure(FileModel):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    name: Names
    effect: Effect
    actions: list[ServiceAction] = Field(min_length=1)
    departments: list[str] = Field(min_length=1, description="implementing departments; * = any")
    legal_basis: list[LegalBasis] = Field(min_length=1)
    period: Period | None = Field(
        default=None, description="how long it lasts from the trigger; none: while it holds"
    )

    _p = field_validator("period", mode="before")(lambda v: None if v is None else Period.parse(v))

    @property
    def incentive(self) -> bool:
        return self.effect in INCENTIVES

    def applies_to(self, action: str, department: str) -> bool:
        return action in self.actions and (
            "*" in self.departments or department in self.departments
        )

    def cite(self) -> str:
        return "; ".join(b.cite() for b in self.legal_basis)


class MeasuresHeader(FileModel):
    id: str
    title: Names
    legal_basis: list[LegalBasis] = Field(min_length=1)


class MeasureCatalog:
    def __init__(self, measures: dict[str, Measure]) -> None:
        self._measures = measures

    @classmethod
    def load(cls, extra: Iterable[Path] = ()) -> MeasureCatalog:
        folder = resources.files("xinyong.data").joinpath("measures")
        paths = sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))
        for path in extra:
            paths += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        found: dict[str, Measure] = {}
        for path in paths:
            document = load_yaml(path)
            if not isinstance(document, LineDict) or set(document) != {"measures", "items"}:
                raise InvalidCatalog(
                    "a measures file has two top-level keys, 'measures' and 'items'", path=str(path)
                )
            validate(MeasuresHeader, document["measures"], path, prefix=("measures",))
            items = document["items"]
            if not isinstance(items, LineList):
                raise InvalidCatalog("'items' must be a list", path=str(path))
            for index, raw in enumerate(items):
                measure = validate(Measure, raw, path, prefix=("items", index))
                if measure.code in found:
                    raise InvalidCatalog(
                        f"measure {measure.code} is defined twice",
                        path=str(path),
                        line=items.item_lines[index],
                    )
                found[measure.code] = measure
        return cls(found)

    def __contains__(self, code: object) -> bool:
        return code in self._measures

    def __getitem__(self, code: str) -> Measure:
        return self._measures[code]

    def __iter__(self) -> Iterator[Measure]:
        return iter(self._measures.values())

    def __len__(self) -> int:
        return len(self._measures)


@cache
def shipped_measures() -> MeasureCatalog:
    return MeasureCatalog.load()
