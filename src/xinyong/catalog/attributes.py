"""Typed attributes of records (an amount, a count, a choice): what a catalog item declares
its records carry, and how a department's cell is converted to that type, with an error that
says what was expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field, model_validator

from xinyong.catalog.terms import Names
from xinyong.yamlsource import FileModel

AttributeType = Literal["integer", "decimal", "text", "boolean", "date", "choice"]


class AttributeSpec(FileModel):
    """A typed attribute a record of an item may or must carry (amount, count, ...)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: AttributeType
    required: bool = False
    unit: str | None = None
    label: Names | None = None
    choices: list[str] | None = None
    refers_to: Literal["scheme"] | None = Field(
        default=None, description="the values are scheme ids; plain words show their titles"
    )
    choice_labels: dict[str, Names] = Field(
        default_factory=dict, description="zh and en names of choices, for plain-language views"
    )
    choices_from: str | None = Field(
        default=None,
        description="a shipped set of service categories (data/services) whose codes are the "
        "choices and whose names are their labels; the choices are then not restated",
    )
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_set(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("choices_from") is None:
            return data
        named = data["choices_from"]
        if "choices" in data or "choice_labels" in data:
            raise ValueError(
                f"the choices come from the category set {named!r}: do not restate them"
            )
        from xinyong.reference.services import ServiceCategories

        shipped = ServiceCategories.load()
        try:
            found = shipped[str(named)]
        except KeyError:
            raise ValueError(
                f"no category set {named!r}; known: {', '.join(shipped.ids)}"
            ) from None
        return {
            **data,
            "choices": list(found.codes),
            "choice_labels": {c.code: {"zh": c.zh, "en": c.en} for c in found.items},
        }

    @model_validator(mode="after")
    def _choices(self) -> AttributeSpec:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("'choices' is required for type choice and only for it")
        unknown = sorted(set(self.choice_labels) - set(self.choices or []))
        if unknown:
            raise ValueError(f"choice_labels names choices that are not declared: {unknown}")
        if self.minimum is not None and self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum is below minimum")
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
        if self.maximum is not None and converted > self.maximum:
            raise ValueError(f"must be at most {self.maximum:g}, got {converted}")
        return converted


def _to_integer(value: Any, spec: AttributeSpec) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a whole number, got a yes/no value")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).replace(",", "")
        if not re.fullmatch(r"[+-]?\d{1,20}", text):
            raise ValueError(f"expected a whole number, got {value!r}")
        number = int(text)
    if abs(number) > LARGEST:
        raise ValueError(f"is larger than any count recorded ({LARGEST}), got {value!r}")
    return number


#: The largest magnitude of a number attribute: whole numbers stay exact in every engine's
#: DOUBLE below it (2**53), and no fine, count or amount comes near it.
LARGEST = 2**53


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
    if abs(number) > LARGEST:
        raise ValueError(f"is larger than any amount recorded ({LARGEST}), got {value!r}")
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
