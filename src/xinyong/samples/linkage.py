"""Generated data with known truth for record linkage: a registry of firms, and mentions of
firms as old files name them (no code; a party's name, perhaps its legal representative, an
address, an old registration number), each mention knowing which firm it is, or that it is
none of the registry's.

The variations are the ones linkage must survive: the region left out of the name or written
differently, traditional characters, a mistyped character, a former name, another legal form,
fields missing. The same arguments always give the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

import opencc

from xinyong.linkage.candidates import side
from xinyong.linkage.model import Side
from xinyong.linkage.names import Places
from xinyong.reference.regions import Regions
from xinyong.samples.population import FORMS, GIVEN, INDUSTRY_WORDS, SURNAMES, make_uscc

#: Characters of trade names (字号): a few hundred, so that names repeat across places as
#: they do in a real registry.
TRADE_CHARS = (
    "安邦宝保北倍本必博彩灿昌长诚成驰创春达大德鼎东恩发丰峰福富港高光广海汉行豪浩和恒宏鸿"
    "华辉汇惠吉佳嘉坚建健江金锦晶精久聚俊凯康科坤蓝朗乐力立利联良林隆龙鲁路伦茂美蒙明铭"
    "南宁诺鹏平普奇启乾强庆秋泉仁荣瑞润森山善尚盛胜世仕顺思泰天通同万旺威伟文沃翔祥鑫信"
    "兴星旭轩雅亚炎扬阳耀业一亿益毅银英盈永优宇元源远悦跃云展振正之志致智中众洲卓紫"
)


@dataclass(slots=True)
class Firm:
    """A registry entry: its code, current and former names, representative, region and the
    15-digit registration number it had before the USCC."""

    code: str
    name: str
    legal_representative: str
    region_code: str
    registration_number: str
    former_names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Mention:
    """A party as a record without a code names it; ``truth`` is the firm's code, or None."""

    key: str
    name: str
    legal_representative: str | None
    address: str | None
    registration_number: str | None
    truth: str | None
    variations: list[str] = field(default_factory=list)


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def sides(
    places: Places, firms: list[Firm], mentions: list[Mention]
) -> tuple[list[Side], list[Side]]:
    """The mentions and the firms (one row per name) as the linkage model compares them."""
    registry = [
        side(
            places,
            f"s{i}n{k}",
            i,
            name,
            f.legal_representative,
            f.region_code,
            f.registration_number,
        )
        for i, f in enumerate(firms)
        for k, name in enumerate([f.name, *f.former_names])
    ]
    incoming = [
        side(
            places,
            m.key,
            None,
            m.name,
            m.legal_representative,
            places.region(m.address),
            m.registration_number,
        )
        for m in mentions
    ]
    return incoming, registry


def traditional(text: str) -> str:
    """The text in traditional characters (OpenCC's s2t table)."""
    return str(_s2t().convert(text))


class LinkageData:
    """Firms spread over the counties of a few provinces, and mentions of them."""

    def __init__(self, seed: int = 0, provinces: tuple[str, ...] = ("44", "32", "33", "41")):
        self.rng = random.Random(seed)
        regions = Regions.load()
        self.counties = [c for p in provinces for c in regions.counties(p) if c.current]
        self.paths = {c.code: regions.path(c.code) for c in self.counties}
        self.industries = list(INDUSTRY_WORDS.values())

    def _trade(self) -> str:
        return "".join(self.rng.choice(TRADE_CHARS) for _ in range(self.rng.choice((2, 2, 3))))

    def _name(self, region: str, trade: str, industry: str, form: str) -> str:
        path = self.paths[region]
        prefix = path[1] if len(path) > 1 else path[0]  # the prefecture, as most names have it
        return f"{prefix}{trade}{industry}{form}"

    def firms(self, n: int) -> list[Firm]:
        rng = self.rng
        out = []
        for _ in range(n):
            county = rng.choice(self.counties).code
            industry, form = rng.choice(self.industries), rng.choice(FORMS)
            name = self._name(county, self._trade(), industry, form)
            rep = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))
            )
            number = f"{county}{rng.randrange(10**9):09d}"
            former = []
            if rng.random() < 0.2:
                former.append(self._name(county, self._trade(), industry, rng.choice(FORMS)))
            code = make_uscc(rng, "91", county)
            out.append(Firm(code, name, rep, county, number, former))
        return out

    def mentions(self, firms: list[Firm], n: int, unknown: float = 0.1) -> list[Mention]:
        """``n`` mentions: most of a firm of ``firms`` (each at most once), some of firms that
        are not there (``unknown``)."""
        rng = self.rng
        chosen = rng.sample(range(len(firms)), min(n, len(firms)))
        strangers = self.firms(max(1, int(n * unknown)))
        out = []
        for k, index in enumerate(chosen):
            firm = firms[index] if rng.random() >= unknown else strangers[k % len(strangers)]
            truth = firm.code if firm is firms[index] else None
            out.append(self._mention(f"m{k}", firm, truth))
        return out

    def _mention(self, key: str, firm: Firm, truth: str | None) -> Mention:
        rng = self.rng
        done: list[str] = []
        name = firm.name
        if firm.former_names and rng.random() < 0.5:
            name = firm.former_names[0]
            done.append("former name")
        path = self.paths[firm.region_code]
        prefix = path[1] if len(path) > 1 else path[0]
        if rng.random() < 0.4 and name.startswith(prefix):
            name = name[len(prefix) :]
            done.append("no region")
        if rng.random() < 0.1:
            for a, b in (("有限责任公司", "有限公司"), ("股份有限公司", "有限公司")):
                if name.endswith(a):
                    name = name[: -len(a)] + b
                    done.append("legal form")
                    break
        if rng.random() < 0.1:
            at = rng.randrange(len(name) - 4) if len(name) > 5 else 0
            name = name[:at] + rng.choice(TRADE_CHARS) + name[at + 1 :]
            done.append("typo")
        if rng.random() < 0.15:
            name = traditional(name)
            done.append("traditional")
        rep: str | None = firm.legal_representative
        if rng.random() < 0.3:
            rep = None
            done.append("no representative")
        elif rng.random() < 0.05:
            rep = firm.legal_representative[:-1] + rng.choice(GIVEN)
            done.append("representative typo")
        shown = rng.random()
        address: str | None = None
        if shown < 0.5:
            address = "".join(path) + "人民路" + str(rng.randrange(1, 300)) + "号"
        elif shown < 0.7:
            address = path[-1] + "建设路" + str(rng.randrange(1, 300)) + "号"
        else:
            done.append("no address")
        number = firm.registration_number if rng.random() < 0.3 else None
        return Mention(key, name, rep, address, number, truth, done)
