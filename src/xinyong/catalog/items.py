"""The credit-information catalog: which kinds of record may exist, and on what legal basis.

Catalog files are YAML (``data/catalog/*.yaml`` ships the national base catalog). One loader
reads every file, checks each item against :class:`CatalogItem`, then checks the set as a whole
(no duplicate codes). Any problem raises :class:`~xinyong.errors.InvalidCatalog` naming the file
and the line; nothing is half-loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from xinyong.catalog.attributes import AttributeSpec
from xinyong.catalog.terms import (
    Category,
    Disclosure,
    LegalBasis,
    Names,
    Polarity,
    Publication,
    Severity,
)
from xinyong.errors import InvalidCatalog
from xinyong.reference.identifiers import SubjectKind
from xinyong.yamlsource import FileModel, LineDict, LineList, load_yaml, validate


class CatalogItem(FileModel):
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


class CatalogHeader(FileModel):
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
