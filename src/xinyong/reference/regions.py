"""Administrative division codes (GB/T 2260) from a vendored, dated table.

The table (``data/regions.csv``) holds every code in use since 1980 with the years it was
created and retired; codes current on :data:`REGIONS_AS_OF` have no end year. It is rebuilt by
``scripts/build_regions.py`` from two MIT-licensed packages, named in that script. Codes created
after the table's date are unknown to it, so an unknown code is a warning, never a rejection.

>>> regions = Regions.load()
>>> regions.lookup("110105").name
'朝阳区'
>>> regions.lookup("110103").current
False
>>> regions.path("110105")
['北京市', '朝阳区']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

REGIONS_AS_OF = "2021-01-04"
# Prefecture-level rows that only group a municipality's districts or counties.
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str  # province | prefecture | county
    from_year: int | None
    to_year: int | None  # None while the code is current

    @property
    def current(self) -> bool:
        return self.to_year is None

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture_code(self) -> str:
        return self.code[:4] + "00"


class Regions:
    """Lookup of region codes, current and retired."""

    def __init__(self, rows: list[Region]) -> None:
        self._by_code: dict[str, Region] = {}
        for row in rows:
            # A code reused over time keeps its latest meaning (current rows come last per code).
            previous = self._by_code.get(row.code)
            if previous is None or previous.to_year is not None:
                self._by_code[row.code] = row

    @classmethod
    def load(cls) -> Regions:
        return _load_shipped()

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def lookup(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def check(self, code: str) -> str | None:
        """None if ``code`` is a known current code, else a warning a clerk understands."""
        region = self._by_code.get(code)
        if region is None:
            return (
                f"region code {code} is not in the GB/T 2260 table of {REGIONS_AS_OF}; "
                "it may be newer than the table"
            )
        if not region.current:
            return f"region code {code} ({region.name}) was retired in {region.to_year}"
        return None

    def path(self, code: str) -> list[str]:
        """Names from province down to ``code`` (only the levels that exist)."""
        names: list[str] = []
        for part in dict.fromkeys((code[:2] + "0000", code[:4] + "00", code)):
            region = self._by_code.get(part)
            if region is not None and region.name not in _PLACEHOLDERS:
                names.append(region.name)
        return names

    def provinces(self) -> list[Region]:
        return [r for r in self._by_code.values() if r.level == "province" and r.current]

    def prefectures(self, province: str | None = None) -> list[Region]:
        return [
            r
            for r in self._by_code.values()
            if r.level == "prefecture"
            and r.current
            and (province is None or r.code[:2] == province[:2])
        ]

    def counties(self, prefix: str = "") -> list[Region]:
        return [
            r
            for r in self._by_code.values()
            if r.level == "county" and r.current and r.code.startswith(prefix)
        ]


def region_prefix(region: str | None) -> str | None:
    """The code prefix of everything under a region, in whole levels.

    >>> region_prefix("320000"), region_prefix("320500"), region_prefix("320505")
    ('32', '3205', '320505')
    """
    if not region:
        return None
    prefix = region.rstrip("0") if region.endswith("00") else region
    return prefix + "0" if len(prefix) % 2 else prefix


def _year(text: str) -> int | None:
    return int(text) if text else None


@cache
def _load_shipped() -> Regions:
    text = resources.files("xinyong.data").joinpath("regions.csv").read_text(encoding="utf-8")
    rows = [
        Region(r["code"], r["name"], r["level"], _year(r["from_year"]), _year(r["to_year"]))
        for r in csv.DictReader(text.splitlines())
    ]
    return Regions(rows)
