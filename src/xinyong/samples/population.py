"""Deterministic sample data: subjects with valid codes and records in the layouts departments
send (canonical CSV, JSON Lines, a GB18030 double-publicity penalty file, an Excel licence file).

Distributions are skewed as real registries are: most subjects have no negative record, a few
have many (log-normal weights); item frequencies fall off Zipf-like. The same arguments always
produce the same files. A small share of rows can be broken on purpose (``bad_rate``) so that a
demo shows quarantine at work.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from stdnum.cn import ric, uscc

from xinyong.catalog.attributes import AttributeSpec
from xinyong.catalog.items import Catalog, CatalogItem
from xinyong.catalog.terms import Category, Polarity
from xinyong.reference.identifiers import SubjectKind
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯"
    "健俊帆帅旭宁龙林欣佳颖晨阳雪梅琳建国志文海波云飞"
)
TRADE = "恒达华信鑫源宏泰金盛瑞丰永安德润中天正和嘉禾博远新锐宝隆顺通兴业汇丰天成明辉长江东方联创"
FORMS = ("有限公司", "有限责任公司", "股份有限公司")
INDUSTRY_WORDS = {
    "48": "路桥建设",
    "47": "建筑工程",
    "50": "装饰工程",
    "54": "物流运输",
    "51": "商贸",
    "52": "超市",
    "62": "餐饮管理",
    "65": "信息技术",
    "64": "网络科技",
    "26": "化工",
    "27": "医药",
    "30": "建材",
    "72": "企业管理咨询",
    "73": "科技研究院",
    "77": "环保科技",
    "80": "家政服务",
    "71": "车辆租赁",
    "67": "创业投资",
    "44": "能源",
    "14": "食品",
}
DEPARTMENTS = {
    "market": "市场监督管理局",
    "court": "中级人民法院",
    "tax": "税务局",
    "civil": "精神文明建设办公室",
    "transport": "交通运输局",
}
ITEM_SOURCE = {
    Category.JUDICIAL: "court",
    Category.STATUTORY_OBLIGATIONS: "tax",
    Category.CREDIT_EVALUATION: "tax",
    Category.HONOURS: "civil",
    Category.ADMINISTRATIVE_INSPECTION: "transport",
}
TEXT_VALUES = {
    "violation": [
        "虚假宣传",
        "无照经营",
        "价格违法",
        "产品质量不合格",
        "超范围经营",
        "未按规定公示",
    ],
    "penalty_type": ["警告", "罚款", "没收违法所得", "责令停产停业", "暂扣许可证"],
    "authority": ["市场监督管理局", "生态环境局", "交通运输局", "应急管理局"],
    "court": ["第一中级人民法院", "第二中级人民法院", "基层人民法院"],
    "ground": ["逾期未公示年度报告", "提供虚假材料", "严重违法失信行为"],
    "honour": ["守合同重信用企业", "诚信示范单位", "文明单位", "优秀志愿者"],
    "matter": ["依法诚信经营", "按期履行合同", "如实申报"],
    "qualification": ["注册会计师", "一级建造师", "执业药师"],
    "summary": ["自愿公开年度社会责任报告"],
    "scheme": ["公路施工企业信用评价"],
    "grade": ["AA", "A", "B", "C", "D"],
    "facts": ["经查，当事人在经营活动中存在违法行为，事实清楚，证据确凿"],
    "penalty_basis": ["《中华人民共和国行政处罚法》", "《中华人民共和国产品质量法》第四十九条"],
    "penalty_content": ["警告，并处罚款", "没收违法所得，并处罚款"],
    "licence_revoked": ["食品经营许可证"],
    "remarks": ["已履行"],
    "certificate": ["食品经营许可证", "道路运输经营许可证", "排污许可证"],
    "content": ["预包装食品销售", "道路普通货物运输", "排放污染物"],
    "status": ["有效"],
    "licence_number": ["JY13201050012345", "交运管许可字320100001234号"],
}


@dataclass(slots=True)
class SampleSubject:
    code: str
    name: str
    kind: SubjectKind
    region_code: str
    industry_code: str | None
    registered_on: date
    former_names: list[str] = field(default_factory=list)


def legal_representative(subject: SampleSubject) -> str | None:
    """A made-up legal representative of an organisation (None for an individual), drawn from
    the subject's own code so that adding it leaves every other draw of a population as it was."""
    if subject.kind is SubjectKind.INDIVIDUAL:
        return None
    rng = random.Random(subject.code)
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _org_code(rng: random.Random) -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, prefix: str, region: str) -> str:
    body = prefix + region + _org_code(rng)
    return body + uscc.calc_check_digit(body)


def make_resident_id(rng: random.Random, region: str, born: date) -> str:
    body = f"{region}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return body + ric.calc_check_digit(body + "0")


class _Picker:
    """Draws an index with probability proportional to its weight."""

    def __init__(self, weights: list[float]) -> None:
        self.cumulative = list(accumulate(weights))

    def pick(self, rng: random.Random) -> int:
        return bisect(self.cumulative, rng.random() * self.cumulative[-1])

    @staticmethod
    def zipf(items: list[CatalogItem]) -> tuple[list[CatalogItem], _Picker]:
        # Neutral records (licences, inspections) are common; the rest fall off Zipf-like.
        weights = [
            (3.0 if item.polarity is Polarity.NEUTRAL else 1.0) / rank
            for rank, item in enumerate(items, start=1)
        ]
        return items, _Picker(weights)


class SampleGenerator:
    def __init__(self, catalog: Catalog, seed: int = 0, until: date = date(2025, 12, 31)) -> None:
        self.rng = random.Random(seed)
        self.catalog = catalog
        self.until = until
        self.since = date(2015, 1, 1)
        regions = Regions.load()
        self.counties = [r for r in regions.counties() if r.name not in ("市辖区",)]
        self.region_names = regions
        self.focus = {
            city: [r for r in self.counties if r.code.startswith(city[:4])]
            for city in ("410100", "440300")
        }
        self.industries = Industries.load()

    # -- subjects --------------------------------------------------------------------------------
    def subjects(self, n: int) -> list[SampleSubject]:
        rng = self.rng
        out: list[SampleSubject] = []
        seen: set[str] = set()
        while len(out) < n:
            # A few cities are over-represented, so that their shipped schemes have subjects.
            roll_city = rng.random()
            pool = self.counties
            if roll_city < 0.06:
                pool = self.focus["410100"]
            elif roll_city < 0.10:
                pool = self.focus["440300"]
            county = rng.choice(pool)
            roll = rng.random()
            if roll < 0.70:
                subject = self.enterprise(county.code)
            elif roll < 0.75:
                subject = self.organisation(county.code)
            elif roll < 0.78:
                subject = self.agency(county.code)
            else:
                subject = self.person(county.code)
            if subject.code not in seen:
                seen.add(subject.code)
                out.append(subject)
        return out

    def _city_word(self, region: str) -> str:
        path = self.region_names.path(region)
        name = path[1] if len(path) > 1 else path[0]
        if "直辖" in name:  # a county under the province: name it after the county
            name = path[-1]
        for suffix in ("市", "地区", "自治州", "盟", "省", "自治区", "县"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                return name[: -len(suffix)][:4]
        return name[:4]

    def _registered(self) -> date:
        return date(1995, 1, 1) + timedelta(days=self.rng.randrange(0, 365 * 30))

    def enterprise(self, region: str, division: str | None = None) -> SampleSubject:
        rng = self.rng
        division = division or rng.choice(list(INDUSTRY_WORDS))
        prefix = "92" if rng.random() < 0.1 else "91"
        trade = "".join(rng.sample(TRADE, 2))
        word = INDUSTRY_WORDS.get(division, "实业")
        name = f"{self._city_word(region)}{trade}{word}{rng.choice(FORMS)}"
        former = []
        if rng.random() < 0.05:
            former.append(f"{self._city_word(region)}{''.join(rng.sample(TRADE, 2))}有限公司")
        return SampleSubject(
            make_uscc(rng, prefix, region),
            name,
            SubjectKind.ENTERPRISE,
            region,
            division,
            self._registered(),
            former,
        )

    def organisation(self, region: str) -> SampleSubject:
        name = f"{self._city_word(region)}{''.join(self.rng.sample(TRADE, 2))}行业协会"
        return SampleSubject(
            make_uscc(self.rng, "51", region),
            name,
            SubjectKind.ORGANISATION,
            region,
            "95",
            self._registered(),
        )

    def agency(self, region: str) -> SampleSubject:
        office = self.rng.choice(["市场监督管理局", "生态环境局", "交通运输局", "政务服务中心"])
        return SampleSubject(
            make_uscc(self.rng, "11", region),
            f"{self._city_word(region)}{office}",
            SubjectKind.AGENCY,
            region,
            "92",
            self._registered(),
        )

    def person(self, region: str) -> SampleSubject:
        rng = self.rng
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        return SampleSubject(
            make_resident_id(rng, region, born),
            rng.choice(SURNAMES) + given,
            SubjectKind.INDIVIDUAL,
            region,
            None,
            born,
        )

    # -- records ---------------------------------------------------------------------------------
    def records(self, subjects: list[SampleSubject], n: int) -> Iterator[dict[str, Any]]:
        """``n`` record rows in canonical fields, skewed over subjects and items.

        About a third of the records are negative, and they fall on a minority of subjects
        (about one in five) with log-normal weights: most subjects have none, a few have many.
        Neutral and positive records (licences, inspections, honours) spread more widely.
        """
        rng = self.rng
        general = _Picker(
            [rng.lognormvariate(0, 1.0) if rng.random() < 0.85 else 0.0 for _ in subjects]
        )
        offenders = _Picker(
            [rng.lognormvariate(0, 1.3) if rng.random() < 0.2 else 0.0 for _ in subjects]
        )
        pickers = {
            (kind, negative): _Picker.zipf(
                [
                    i
                    for i in self.catalog
                    if kind in i.subject_kinds
                    and i.code != "REG_BASIC"
                    and (i.polarity is Polarity.NEGATIVE) == negative
                ]
            )
            for kind in SubjectKind
            for negative in (True, False)
        }
        counters: dict[str, int] = {}
        span = (self.until - self.since).days
        for _ in range(n):
            negative = rng.random() < 0.35
            subject = subjects[(offenders if negative else general).pick(rng)]
            items, weights = pickers[(subject.kind, negative)]
            item = items[weights.pick(rng)]
            decided = self.since + timedelta(days=rng.randrange(0, span + 1))
            row: dict[str, Any] = {
                "subject_code": subject.code,
                "subject_name": subject.name,
                "item_code": item.code,
                "decided_on": decided.isoformat(),
            }
            if negative:
                row["severity"] = rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]
            if item.reference_required or rng.random() < 0.5:
                source = self.source_of(item)
                counters[source] = counters.get(source, 0) + 1
                row["reference"] = (
                    f"{DEPARTMENTS[source][:2]}〔{decided.year}〕{counters[source]}号"
                )
            for spec in item.attributes:
                if spec.required or rng.random() < 0.5:
                    row[spec.name] = self._attribute(spec, decided)
            yield row

    def source_of(self, item: CatalogItem) -> str:
        return ITEM_SOURCE.get(item.category, "market")

    def _attribute(self, spec: AttributeSpec, decided: date) -> Any:
        rng = self.rng
        kind: Callable[[], Any] = {
            "integer": lambda: (
                max(int(spec.minimum or 0), rng.randrange(1, 3000))
                if spec.name != "year"
                else decided.year
            ),
            "decimal": lambda: round(rng.lognormvariate(0.5, 1.2), 2),
            "text": lambda: rng.choice(TEXT_VALUES.get(spec.name, ["—"])),
            "boolean": lambda: rng.random() < 0.5,
            "date": lambda: (decided + timedelta(days=rng.randrange(30, 1000))).isoformat(),
            "choice": lambda: rng.choice(spec.choices or [""]),
        }[spec.type]
        return kind()
