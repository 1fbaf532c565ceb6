"""Names and places as the linkage compares them.

A party's name in an old file differs from the registry's in ways that follow the language:
traditional characters for simplified ones, full-width brackets, the region written in front
or left out (深圳市腾讯计算机系统有限公司 and 腾讯计算机系统有限公司), the legal form given in
full or shortened, a former name. So each name is compared three ways: folded (NFKC, simplified
characters by OpenCC's table, no spaces or punctuation, lower case), and as its core, the
name without the regions in front of it and the legal form behind it, which is what a firm is
called by. An address gives a region code by the names of the divisions it contains
(:meth:`Places.region`), the county preferred where its prefecture or province agrees.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

import opencc

from xinyong.reference.regions import Regions
from xinyong.registry.name_index import LEGAL_FORMS, fold

#: Endings of a name that say its legal form, longest first (the registry's own, and more).
FORMS = tuple(
    sorted(
        {
            *LEGAL_FORMS,
            "股份合作公司",
            "有限合伙",
            "普通合伙",
            "个人独资企业",
            "个体工商户",
            "专业合作社",
            "农民专业合作社",
            "经营部",
            "商行",
            "厂",
            "店",
        },
        key=len,
        reverse=True,
    )
)
#: Suffixes a division's name may be written without (深圳 for 深圳市).
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters turned simplified (OpenCC's t2s table); others unchanged."""
    return str(_t2s().convert(text))


def folded(name: str | None) -> str | None:
    """A name folded for comparison, or None when nothing is left."""
    if name is None:
        return None
    out = fold(simplified(name))
    return out or None


def short_forms(name: str) -> list[str]:
    """A division's name and its shorter forms (深圳市: 深圳市, 深圳), two characters or more."""
    forms = [name]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name[: -len(suffix)])
            break
    return forms


class Places:
    """Region names of the shipped division codes, for cores and addresses."""

    def __init__(self, regions: Regions) -> None:
        self._names: dict[str, set[str]] = defaultdict(set)  # form -> codes
        divisions = [*regions.provinces(), *regions.prefectures(), *regions.counties()]
        for region in divisions:
            for form in short_forms(fold(simplified(region.name))):
                self._names[form].add(region.code)
        self._by_first: dict[str, list[str]] = defaultdict(list)
        for form in self._names:
            self._by_first[form[0]].append(form)
        for forms in self._by_first.values():
            forms.sort(key=len, reverse=True)

    def _match_at(self, text: str, at: int) -> str | None:
        for form in self._by_first.get(text[at], ()):
            if text.startswith(form, at):
                return form
        return None

    def core(self, name: str | None) -> str | None:
        """The folded name without region names in front and legal forms behind: 深圳市腾讯
        计算机系统有限公司 -> 腾讯计算机系统. A name that would be left empty stays whole."""
        whole = folded(name)
        if whole is None:
            return None
        rest = whole
        while True:
            form = self._match_at(rest, 0) if rest else None
            if form is None or len(rest) - len(form) < 2:
                break
            rest = rest[len(form) :]
        changed = True
        while changed:
            changed = False
            for form in FORMS:
                if rest.endswith(form) and len(rest) - len(form) >= 2:
                    rest = rest[: -len(form)]
                    changed = True
                    break
        return rest or whole

    def region(self, address: str | None) -> str | None:
        """The most specific division code an address names: a county whose prefecture or
        province the address also names wins over a county of the same name elsewhere."""
        text = folded(address)
        if text is None:
            return None
        found: set[str] = set()
        at = 0
        while at < len(text):
            form = self._match_at(text, at)
            if form is None:
                at += 1
                continue
            found |= self._names[form]
            at += len(form)
        if not found:
            return None

        def score(code: str) -> tuple[int, int]:
            level = 2 if not code.endswith("00") else (1 if not code.endswith("0000") else 0)
            agree = (code[:4] + "00" in found) + (code[:2] + "0000" in found)
            return agree, level

        return max(sorted(found), key=score)
