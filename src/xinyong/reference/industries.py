"""Industry classification (GB/T 4754-2017): 20 sections (A-T) and 97 divisions (01-97).

>>> industries = Industries.load()
>>> industries.lookup("48").name_zh
'土木工程建筑业'
>>> industries.section_of("48")
'E'
>>> industries.matches("48", "E")
True
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    level: str  # section | division
    section: str
    name_zh: str
    name_en: str


class Industries:
    def __init__(self, rows: list[Industry]) -> None:
        self._by_code = {row.code: row for row in rows}

    @classmethod
    def load(cls) -> Industries:
        return _load_shipped()

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def lookup(self, code: str) -> Industry | None:
        return self._by_code.get(normalise_industry(code))

    def section_of(self, code: str) -> str | None:
        industry = self.lookup(code)
        return industry.section if industry else None

    def sections(self) -> list[Industry]:
        return [i for i in self._by_code.values() if i.level == "section"]

    def divisions(self, section: str | None = None) -> list[Industry]:
        return [
            i
            for i in self._by_code.values()
            if i.level == "division" and (section is None or i.section == section)
        ]

    def prefixes(self, codes: list[str]) -> tuple[str, ...]:
        """Section letters become their division numbers, so that a prefix test suffices.

        >>> Industries.load().prefixes(["K", "4812"])
        ('70', '4812')
        """
        found: list[str] = []
        for code in codes:
            wanted = normalise_industry(code)
            if wanted.isalpha():
                found += [d.code for d in self.divisions(wanted)]
            else:
                found.append(wanted)
        return tuple(dict.fromkeys(found))

    def matches(self, code: str | None, wanted: str) -> bool:
        """Whether an industry code (a division, or a finer class such as ``4812``)
        falls under ``wanted`` (a section letter or a division number)."""
        if not code:
            return False
        code = normalise_industry(code)
        if wanted.isalpha():
            return self.section_of(code[:2] if code[:2].isdigit() else code) == wanted.upper()
        return code.startswith(wanted)


def normalise_industry(code: str) -> str:
    """``e`` -> ``E``; ``E48`` -> ``48``; ``4812`` stays (a class below the division)."""
    code = code.strip().upper()
    if len(code) > 1 and code[0].isalpha() and code[1:].isdigit():
        return code[1:]
    return code


@cache
def _load_shipped() -> Industries:
    text = resources.files("xinyong.data").joinpath("industries.csv").read_text(encoding="utf-8")
    return Industries([Industry(**row) for row in csv.DictReader(text.splitlines())])
