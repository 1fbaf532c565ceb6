"""The credit-information catalog: which kinds of record may exist, and on what legal basis.

Catalog files are YAML (``data/catalog/*.yaml`` ships the national base catalog). One loader
reads every file, checks each item against :class:`CatalogItem`, then checks the set as a whole
(no duplicate codes). Any problem raises :class:`~xinyong.errors.InvalidCatalog` naming the file
and the line; nothing is half-loaded.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinyong.errors import InvalidCatalog
from xinyong.reference.identifiers import SubjectKind
from xinyong.yamlsource import LineDict, LineList, load_yaml, validate


class Category(enum.StrEnum):
    """Categories of the national public credit information base catalog."""

    REGISTRATION = "registration"
    JUDICIAL = "judicial"
    ADMINISTRATIVE_LICENSING = "administrative_licensing"
    ADMINISTRATIVE_PENALTY = "administrative_penalty"
    ADMINISTRATIVE_COERCION = "administrative_coercion"
    ADMINISTRATIVE_INSPECTION = "administrative_inspection"
    QUALIFICATION = "qualification"
    ABNORMAL_OPERATION = "abnormal_operation"
    SERIOUS_UNTRUSTWORTHY = "serious_untrustworthy"
    CONTRACT_PERFORMANCE = "contract_performance"
    CREDIT_COMMITMENT = "credit_commitment"
    CREDIT_EVALUATION = "credit_evaluation"
    STATUTORY_OBLIGATIONS = "statutory_obligations"
    HONOURS = "honours"
    VOLUNTARY = "voluntary"

    @property
    def zh(self) -> str:
        return CATEGORY_NAMES[self][0]

    @property
    def en(self) -> str:
        return CATEGORY_NAMES[self][1]


CATEGORY_NAMES: dict[Category, tuple[str, str]] = {
    Category.REGISTRATION: ("登记注册基本信息", "Registration"),
    Category.JUDICIAL: ("司法裁判及执行信息", "Court judgments and enforcement"),
    Category.ADMINISTRATIVE_LICENSING: ("行政许可信息", "Administrative licensing"),
    Category.ADMINISTRATIVE_PENALTY: ("行政处罚信息", "Administrative penalties"),
    Category.ADMINISTRATIVE_COERCION: ("行政强制信息", "Administrative coercion"),
    Category.ADMINISTRATIVE_INSPECTION: ("行政检查信息", "Administrative inspections"),
    Category.QUALIFICATION: ("职称和职业资格信息", "Titles and professional qualifications"),
    Category.ABNORMAL_OPERATION: ("经营（活动）异常名录信息", "Abnormal-operation lists"),
    Category.SERIOUS_UNTRUSTWORTHY: ("严重失信主体名单信息", "Serious-untrustworthy lists"),
    Category.CONTRACT_PERFORMANCE: ("合同履行信息", "Contract performance"),
    Category.CREDIT_COMMITMENT: ("信用承诺及履行情况信息", "Credit commitments and performance"),
    Category.CREDIT_EVALUATION: ("信用评价结果信息", "Credit evaluation results"),
    Category.STATUTORY_OBLIGATIONS: (
        "依法履行法定义务情况信息",
        "Performance of statutory obligations (tax, social insurance)",
    ),
    Category.HONOURS: ("诚实守信相关荣誉信息", "Honours for trustworthiness"),
    Category.VOLUNTARY: ("自愿提供的信用信息", "Information supplied voluntarily"),
}


class Polarity(enum.StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    NEUTRAL = "neutral"


class Disclosure(enum.StrEnum):
    PUBLIC = "public"  # 公开
    SHARED = "shared"  # 政务共享: between departments only
    RESTRICTED = "restricted"  # 有条件共享: named purposes only


class Severity(enum.IntEnum):
    """Severity tier of negative information (轻微 / 一般 / 严重)."""

    MINOR = 1
    GENERAL = 2
    SERIOUS = 3

    @classmethod
    def parse(cls, value: object) -> Severity:
        text = str(value).strip().lower()
        if text in _SEVERITY_WORDS:
            return _SEVERITY_WORDS[text]
        raise ValueError(f"unknown severity {value!r}; use minor/general/serious or 1/2/3")


_SEVERITY_WORDS = {
    **{s.name.lower(): s for s in Severity},
    **{str(s.value): s for s in Severity},
    "轻微": Severity.MINOR,
    "一般": Severity.GENERAL,
    "严重": Severity.SERIOUS,
}

_PERIOD = re.compile(r"^\s*(\d+)\s*([DMY])\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Period:
    """A length of time in whole days, months or years, e.g. ``3M`` or ``1Y``.

    >>> Period.parse("3M").after(date(2024, 11, 30))
    datetime.date(2025, 2, 28)
    """

    amount: int
    unit: Literal["D", "M", "Y"]

    @classmethod
    def parse(cls, value: object) -> Period:
        if value in (0, "0"):
            return cls(0, "D")
        match = _PERIOD.match(str(value))
        if not match:
            raise ValueError(f"period {value!r} must look like 90D, 3M or 1Y")
        return cls(int(match.group(1)), match.group(2).upper())  # type: ignore[arg-type]

    def after(self, start: date) -> date:
        from datetime import timedelta

        if self.unit == "D":
            return start + timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == "Y" else 1)
        year, month = divmod(start.month - 1 + months, 12)
        year, month = start.year + year, month + 1
        for day in (start.day, 30, 29, 28):  # clamp 31 Jan + 1M to the end of February
            try:
                return date(year, month, day)
            except ValueError:
                continue
        raise AssertionError("unreachable")

    def before(self, end: date) -> date:
        """The date this period before ``end`` (month ends clamped).

        >>> Period.parse("3Y").before(date(2025, 6, 30))
        datetime.date(2022, 6, 30)
        """
        return Period(-self.amount, self.unit).after(end)

    def approx_days(self) -> int:
        return self.amount * {"D": 1, "M": 30, "Y": 365}[self.unit]

    def __str__(self) -> str:
        return "0" if self.amount == 0 else f"{self.amount}{self.unit}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class LegalBasis(_Strict):
    """A document that authorises collecting, publishing or using a kind of information."""

    document: str = Field(
        min_length=2, description="Document number or title, e.g. 国办发〔2020〕49号"
    )
    title: str | None = None
    article: str | None = None

    def cite(self) -> str:
        parts = [self.title, self.document] if self.title else [self.document]
        return " ".join(parts) + (f" {self.article}" if self.article else "")


class Publication(_Strict):
    min: Period
    max: Period | None = None  # None: published while the fact holds (e.g. registration)

    @field_validator("min", "max", mode="before")
    @classmethod
    def _period(cls, value: object) -> Period | None:
        return None if value is None else Period.parse(value)

    @model_validator(mode="after")
    def _ordered(self) -> Publication:
        if self.max is not None and self.min.approx_days() > self.max.approx_days():
            raise ValueError(f"publication min {self.min} is longer than max {self.max}")
        return self


AttributeType = Literal["integer", "decimal", "text", "boolean", "date", "choice"]


class AttributeSpec(_Strict):
    """A typed attribute a record of an item may or must carry (amount, count, ...)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: AttributeType
    required: bool = False
    unit: str | None = None
    label: Names | None = None
    choices: list[str] | None = None
    choice_labels: dict[str, Names] = Field(
        default_factory=dict, description="zh and en names of choices, for plain-language views"
    )
    minimum: float | None = None

    @model_validator(mode="after")
    def _choices(self) -> AttributeSpec:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("'choices' is required for type choice and only for it")
        unknown = sorted(set(self.choice_labels) - set(self.choices or []))
        if unknown:
            raise ValueError(f"choice_labels names choices that are not declared: {unknown}")
        return self

    def choice_name(self, value: str, language: str) -> str:
        """The choice in the language asked for, or the code where no label is given."""
        label = self.choice_labels.get(value)
        return value if label is None else str(getattr(label, language))

    def parse(self, value: Any) -> Any:
        """Convert a raw cell to this attribute's type; ValueError says what was expected."""
        if isinstance(value, str):
            value = value.strip()
        converted = _CONVERTERS[self.type](value, self)
        if self.minimum is not None and converted < self.minimum:
            raise ValueError(f"must be at least {self.minimum:g}, got {converted}")
        return converted


def _to_integer(value: Any, spec: AttributeSpec) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number, got a yes/no value")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).replace(",", "")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"expected a whole number, got {value!r}")
    return int(text)


def _to_decimal(value: Any, spec: AttributeSpec) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got a yes/no value")
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise ValueError(f"at most 6 decimal places are kept, got {value!r}")
    return float(number)


def _to_text(value: Any, spec: AttributeSpec) -> str:
    text = str(value)
    if not text:
        raise ValueError("expected text, got an empty value")
    return text


_TRUE = {"true", "yes", "y", "1", "是", "有"}
_FALSE = {"false", "no", "n", "0", "否", "无"}


def _to_boolean(value: Any, spec: AttributeSpec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected yes/no (是/否), got {value!r}")


def _to_date(value: Any, spec: AttributeSpec) -> str:
    from xinyong.reference.dates import parse_date

    return parse_date(value).isoformat()


def _to_choice(value: Any, spec: AttributeSpec) -> str:
    text = str(value)
    if spec.choices and text not in spec.choices:
        raise ValueError(f"expected one of {', '.join(spec.choices)}, got {value!r}")
    return text


_CONVERTERS: dict[str, Callable[[Any, AttributeSpec], Any]] = {
    "integer": _to_integer,
    "decimal": _to_decimal,
    "text": _to_text,
    "boolean": _to_boolean,
    "date": _to_date,
    "choice": _to_choice,
}


class CatalogItem(_Strict):
    """One kind of credit information."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$")
    name: Names
    category: Category
    polarity: Polarity
    disclosure: Disclosure
    severity: Severity | None = None
    publication: Publication
    subject_kinds: list[SubjectKind] = Field(default_factory=lambda: list(SubjectKind))
    legal_basis: list[LegalBasis] = Field(min_length=1)
    attributes: list[AttributeSpec] = Field(default_factory=list)
    reference_required: bool = False
    objection_days: int = Field(
        default=20,
        ge=1,
        description="days to answer an objection (Credit Reporting Regulation art. 25)",
    )
    description: str | None = None

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: object) -> Severity | None:
        return None if value is None else Severity.parse(value)

    @model_validator(mode="after")
    def _consistent(self) -> CatalogItem:
        if self.polarity is Polarity.NEGATIVE and self.severity is None:
            raise ValueError("a negative item needs a severity tier: minor, general or serious")
        if self.polarity is not Polarity.NEGATIVE and self.severity is not None:
            raise ValueError("only negative items have a severity tier")
        names = [a.name for a in self.attributes]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"attribute declared twice: {', '.join(duplicated)}")
        return self

    @cached_property
    def attribute_specs(self) -> dict[str, AttributeSpec]:
        return {a.name: a for a in self.attributes}

    @property
    def positive_only(self) -> bool:
        """Positive items only ever add: their absence never counts against a subject."""
        return self.polarity is Polarity.POSITIVE


class CatalogHeader(_Strict):
    id: str
    title: Names
    version: str
    legal_basis: list[LegalBasis] = Field(min_length=1)
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    line: int | None


class Catalog:
    """The loaded catalog: items by code, with where each came from."""

    def __init__(self, headers: list[CatalogHeader], items: dict[str, tuple[CatalogItem, Source]]):
        self.headers = headers
        self._items = items

    @classmethod
    def load(cls, extra: Iterable[Path] = (), *, shipped: bool = True) -> Catalog:
        """Load the shipped national catalog (unless ``shipped=False``) and ``extra`` files or
        folders of ``*.yaml``; raise :class:`InvalidCatalog` on the first problem."""
        paths: list[Path] = []
        if shipped:
            folder = resources.files("xinyong.data").joinpath("catalog")
            paths += sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))
        for path in extra:
            paths += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        headers: list[CatalogHeader] = []
        items: dict[str, tuple[CatalogItem, Source]] = {}
        for path in paths:
            header, loaded = _load_file(path)
            headers.append(header)
            for item, source in loaded:
                if item.code in items:
                    first = items[item.code][1]
                    raise InvalidCatalog(
                        f"item code {item.code} is already defined at {first.path}:{first.line}; "
                        "codes must be unique across the catalog",
                        path=source.path,
                        line=source.line,
                    )
                items[item.code] = (item, source)
        return cls(headers, items)

    def __contains__(self, code: object) -> bool:
        return code in self._items

    def __getitem__(self, code: str) -> CatalogItem:
        return self._items[code][0]

    def __iter__(self) -> Iterator[CatalogItem]:
        return (item for item, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, code: str) -> CatalogItem | None:
        found = self._items.get(code)
        return found[0] if found else None

    def source(self, code: str) -> Source:
        return self._items[code][1]

    def by_category(self, category: Category) -> list[CatalogItem]:
        return [item for item in self if item.category is category]


def _load_file(path: Path) -> tuple[CatalogHeader, list[tuple[CatalogItem, Source]]]:
    document = load_yaml(path)
    if not isinstance(document, LineDict) or set(document) - {"catalog", "items"}:
        raise InvalidCatalog(
            "a catalog file has two top-level keys, 'catalog' (its header) and 'items'",
            path=str(path),
            line=getattr(document, "line", 1),
        )
    if "catalog" not in document:
        raise InvalidCatalog("'catalog' header is required", path=str(path), line=1)
    header = validate(CatalogHeader, document["catalog"], path, prefix=("catalog",))
    raw_items = document.get("items")
    if not isinstance(raw_items, LineList) or not raw_items:
        raise InvalidCatalog("'items' must be a non-empty list", path=str(path), line=document.line)
    loaded = []
    for index, raw in enumerate(raw_items):
        item = validate(CatalogItem, raw, path, prefix=("items", index))
        loaded.append((item, Source(str(path), raw_items.item_lines[index])))
    return header, loaded
