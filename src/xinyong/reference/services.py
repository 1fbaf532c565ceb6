"""Service categories: the kinds of service a subject can be checked for with its consent
(``data/services/*.yaml``). A consent names one category; a screening scheme's flags name the
categories they concern; both are checked against this list when they are made or loaded.

>>> domestic = ServiceCategories.load()["domestic-service"]
>>> len(domestic.items), domestic.get("maternity").zh
(7, '母婴护理')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from xinyong.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class ServiceCategory:
    code: str
    zh: str
    en: str

    def name(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True, slots=True)
class CategorySet:
    """One shipped list of categories, with where it comes from (or that it is our modelling)."""

    id: str
    source_zh: str
    source_en: str
    items: tuple[ServiceCategory, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def get(self, code: str) -> ServiceCategory:
        for item in self.items:
            if item.code == code:
                return item
        raise InvalidInput(
            f"category: {code!r} is not one of {', '.join(self.codes)}", field="category"
        )


class ServiceCategories:
    def __init__(self, sets: list[CategorySet]) -> None:
        self._sets = {s.id: s for s in sets}

    @classmethod
    def load(cls) -> ServiceCategories:
        return _load_shipped()

    def __getitem__(self, set_id: str) -> CategorySet:
        return self._sets[set_id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._sets))

    def find(self, code: str) -> ServiceCategory | None:
        """The category with this code in any shipped set."""
        for found in self._sets.values():
            for item in found.items:
                if item.code == code:
                    return item
        return None


@cache
def _load_shipped() -> ServiceCategories:
    folder = resources.files("xinyong.data").joinpath("services")
    sets = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        body = yaml.safe_load(entry.read_text(encoding="utf-8"))["categories"]
        items = tuple(ServiceCategory(i["code"], i["zh"], i["en"]) for i in body["items"])
        codes = [i.code for i in items]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{entry.name}: a category code appears twice")
        source = body["source"]
        sets.append(CategorySet(body["id"], source["zh"], " ".join(source["en"].split()), items))
    return ServiceCategories(sets)
