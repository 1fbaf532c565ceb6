"""The words of the catalog: categories, polarity, disclosure, severity tiers, periods
(``3M``, ``1Y``), names in two languages, legal bases and publication periods. Catalog items,
scheme files and leniency policies are written in these terms."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from xinyong.yamlsource import FileModel


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


class Names(FileModel):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class LegalBasis(FileModel):
    """A document that authorises collecting, publishing or using a kind of information."""

    document: str = Field(
        min_length=2, description="Document number or title, e.g. 国办发〔2020〕49号"
    )
    title: str | None = None
    article: str | None = None

    def cite(self) -> str:
        parts = [self.title, self.document] if self.title else [self.document]
        return " ".join(parts) + (f" {self.article}" if self.article else "")


class Publication(FileModel):
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
