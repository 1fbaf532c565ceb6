"""Column-mapping profiles: a department uploads its existing file unchanged, and a profile says
which of its columns means which xinyong field (``data/profiles/*.yaml``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from xinyong.errors import InvalidCatalog, InvalidInput
from xinyong.yamlsource import FileModel, load_yaml, validate

MappedRow = tuple[dict[str, Any], dict[str, Any]]
#: Splits a raw row into (fields, attributes).
Mapper = Callable[[dict[str, Any]], MappedRow]
RECORD_FIELDS = (
    "action",
    "subject_code",
    "subject_name",
    "subject_kind",
    "item_code",
    "decided_on",
    "valid_from",
    "valid_to",
    "severity",
    "reference",
    "decided_in",
    "target_reference",
    "target_record_id",
    "reason",
)
#: Headers that describe a record's party beyond its code and name, in the layouts departments
#: send. A record profile never keeps them (the subject's registry entry holds such facts);
#: they stay in a refused row as it was received, where record linkage
#: (:mod:`xinyong.linkage`) reads them to find the party of a row that came without a code.
PARTY_COLUMNS = {
    "legal_representative": (
        "法定代表人",
        "法定代表人（负责人）",
        "负责人",
        "legal_representative",
    ),
    "address": ("住所", "地址", "注册地址", "经营场所", "住所地", "address"),
    "registration_number": ("注册号", "工商注册号", "营业执照注册号", "registration_number"),
}
SUBJECT_FIELDS = (
    "subject_code",
    "subject_name",
    "subject_kind",
    "region_code",
    "industry_code",
    "registered_on",
    "status",
    "legal_representative",
    "size_band",
    "registration_number",
    "former_names",
    "aliases",
)


class Profile(FileModel):
    profile: str
    kind: Literal["records", "subjects"] = "records"
    title: dict[str, str]
    description: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)
    constants: dict[str, str] = Field(default_factory=dict)
    item_by_severity: dict[str, str] = Field(default_factory=dict)
    codes: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="per attribute, the layout's words and the values they stand for "
        "(a rating's 非常满意 is level 5); a word not listed is kept, and checked as sent",
    )

    @property
    def fields(self) -> tuple[str, ...]:
        return SUBJECT_FIELDS if self.kind == "subjects" else RECORD_FIELDS

    def mapper(self, columns: list[str]) -> Mapper:
        """A function that splits a raw row of a file with header ``columns`` into (fields,
        attributes). Empty cells count as absent; where several columns map to one field, the
        first non-empty one wins. The header is resolved once, not per row, and a row is
        walked by the cells it has (a wide file's rows are mostly empty), not by the header."""
        ignored = set(self.ignore)
        if self.kind != "subjects":
            ignored |= {h for headers in PARTY_COLUMNS.values() for h in headers}
        plan = [
            (header, target, target in self.fields)
            for header in columns
            if header not in ignored
            for target in [self.columns.get(header, header)]
        ]
        targets = [target for _, target, _ in plan]
        shared = {t for t in targets if targets.count(t) > 1}
        # a column that is the only one for its target: (target, is_field)
        single = {h: (t, f) for h, t, f in plan if t not in shared}
        # targets several columns feed, each with its columns in header order
        several = [
            (t, t in self.fields, [h for h, target, _ in plan if target == t])
            for t in dict.fromkeys(t for t in targets if t in shared)
        ]
        constants = self.constants
        codes = self.codes

        def split(values: dict[str, Any]) -> MappedRow:
            fields: dict[str, Any] = {}
            attributes: dict[str, Any] = {}
            for header, value in values.items():
                found = single.get(header)
                if found is None:
                    continue  # ignored, fed into a shared target, or not in the header
                if value is None or value == "" or (type(value) is str and value.isspace()):
                    continue
                (fields if found[1] else attributes)[found[0]] = value
            for target, is_field, headers in several:
                for header in headers:
                    value = values.get(header)
                    if value is None or value == "" or (type(value) is str and value.isspace()):
                        continue
                    (fields if is_field else attributes)[target] = value
                    break
            for name, value in constants.items():
                fields.setdefault(name, value)
            for name, table in codes.items():
                held = attributes.get(name)
                if held is not None:
                    attributes[name] = table.get(str(held).strip(), held)
            return fields, attributes

        return split

    def map_row(self, values: dict[str, Any]) -> MappedRow:
        """:meth:`mapper` for a single row whose keys are its header."""
        return self.mapper(list(values))(values)

    def header_for(self, name: str, columns: list[str]) -> str:
        """The file's own column for a field, so that errors use the clerk's words."""
        for column in columns:
            if self.columns.get(column) == name:
                return column
        return name

    def unmapped(self, columns: list[str]) -> list[str]:
        """Headers the profile neither maps nor ignores (they are read as attributes)."""
        return [
            c
            for c in columns
            if c and c not in self.columns and c not in set(self.ignore) and c not in self.fields
        ]


def available_profiles() -> list[str]:
    folder = resources.files("xinyong.data").joinpath("profiles")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


@cache
def load_profile(name: str) -> Profile:
    """A shipped profile by name, or a profile file by path."""
    path = Path(name)
    if not path.is_file():
        if name not in available_profiles():
            raise InvalidInput(
                f"unknown profile {name!r}; shipped profiles: {', '.join(available_profiles())}"
            )
        path = Path(str(resources.files("xinyong.data").joinpath("profiles", f"{name}.yaml")))
    return validate(Profile, load_yaml(path), path, error=InvalidCatalog)


def choose_profile(columns: list[str]) -> Profile:
    """The profile for a file whose header is ``columns``, when none was named."""
    for name in available_profiles():
        profile = load_profile(name)
        if name == "canonical":
            continue
        distinctive = [h for h in profile.columns if h not in load_profile("canonical").columns]
        if distinctive and sum(h in columns for h in distinctive) >= min(3, len(distinctive)):
            return profile
    canonical = load_profile("canonical")
    mapped = {canonical.columns.get(c, c) for c in columns}
    if "item_code" not in mapped and {"subject_code", "subject_name"} <= {
        load_profile("subjects").columns.get(c, c) for c in columns
    }:
        return load_profile("subjects")
    return canonical
