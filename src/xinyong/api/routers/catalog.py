"""The credit-information catalog: what may be recorded, under which law, how long it is public."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from xinyong.api.deps import Call, Public
from xinyong.api.models import ItemCode, Out
from xinyong.api.problems import ERRORS
from xinyong.catalog.items import CatalogItem
from xinyong.errors import NotFound

router = APIRouter(prefix="/catalog", tags=["catalog"], responses=ERRORS)


class ItemOut(Out):
    code: str = Field(examples=["ADM_PENALTY_GENERAL"])
    name_zh: str
    name_en: str
    category: str
    polarity: str
    disclosure: str = Field(description="public, shared or restricted")
    severity: int | None = None
    legal_basis: list[str]
    attributes: dict[str, Any] = Field(default_factory=dict)


def item_out(item: CatalogItem) -> ItemOut:
    return ItemOut(
        code=item.code,
        name_zh=item.name.zh,
        name_en=item.name.en,
        category=item.category.value,
        polarity=item.polarity.value,
        disclosure=item.disclosure.value,
        severity=int(item.severity) if item.severity is not None else None,
        legal_basis=[b.cite() for b in item.legal_basis],
        attributes={
            k: v.model_dump(mode="json", exclude_none=True) for k, v in item.attribute_specs.items()
        },
    )


@router.get("", response_model=list[ItemOut], summary="Catalog items")
def items(
    call: Annotated[Call, Depends(Public())],
    category: Annotated[str | None, Query(description="e.g. administrative_penalty")] = None,
) -> list[ItemOut]:
    """The catalog of credit information: each item's code, names, category, polarity, disclosure,
    severity tier, publication period and legal basis."""
    return [
        item_out(i)
        for i in call.service.catalog
        if category is None or i.category.value == category
    ]


@router.get("/{code}", response_model=ItemOut, summary="One catalog item")
def item(call: Annotated[Call, Depends(Public())], code: ItemCode) -> ItemOut:
    """One catalog item, with its attributes and legal basis."""
    found = call.service.catalog.get(code)
    if found is None:
        raise NotFound(f"no catalog item {code}")
    return item_out(found)
