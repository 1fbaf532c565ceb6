"""Sample data for the grading of government services: agencies (state organs, their USCCs
beginning with 11) in a few regions at three levels, and a month of ratings in the layout of
the ``gov_service_rating`` profile, deterministic for a seed. Each agency has its own quality,
so the month's grades spread over the bands; one in twenty ratings is bad (level 1 or 2) on
average, and those open rectification cases when ingested."""

from __future__ import annotations

import csv
import random
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xinyong.reference.identifiers import parse_identifier
from xinyong.registry.subjects import NewSubject
from xinyong.samples.population import make_uscc

#: (region, the government's name) at province, city and county level.
GOVERNMENTS = (
    ("410000", "河南省"),
    ("410100", "郑州市"),
    ("410102", "郑州市中原区"),
    ("410105", "郑州市金水区"),
    ("320000", "江苏省"),
    ("320100", "南京市"),
    ("320102", "南京市玄武区"),
)
OFFICES = (
    "政务服务中心",
    "市场监督管理局",
    "公安局出入境管理处",
    "人力资源和社会保障局",
    "不动产登记中心",
    "税务局办税服务厅",
)
ITEMS = ("企业开办", "不动产登记", "社保卡办理", "出入境证件", "个体工商户登记", "纳税申报")
CHANNELS = ("政务服务大厅", "政务服务网", "移动端", "12345", "自助终端")
LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
HEADER = (
    "评价编号",
    "评价对象统一社会信用代码",
    "评价对象名称",
    "评价时间",
    "评价等级",
    "政务服务事项名称",
    "评价渠道",
    "差评内容",
)


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    region_code: str
    quality: float  # the chance that a rating is satisfied


def agencies(count: int | None = None, seed: int = 7) -> list[Agency]:
    """One agency per office and government (42), or ``count`` of them cycling through."""
    rng = random.Random(seed)
    pairs = [(g, o) for g in GOVERNMENTS for o in OFFICES]
    total = count or len(pairs)
    found = []
    for number in range(total):
        (region, government), office = pairs[number % len(pairs)]
        suffix = "" if number < len(pairs) else f"第{number // len(pairs) + 1}分中心"
        found.append(
            Agency(
                make_uscc(rng, "11", region),
                f"{government}{office}{suffix}",
                region,
                rng.choice((0.97, 0.93, 0.88, 0.8)),
            )
        )
    return found


def registrations(found: list[Agency]) -> dict[str, NewSubject]:
    return {
        a.code: NewSubject(parse_identifier(a.code), a.name, region_code=a.region_code)
        for a in found
    }


def _levels(rng: random.Random, quality: float) -> str:
    draw = rng.random()
    if draw < quality:
        return LEVELS[0] if rng.random() < 0.6 else LEVELS[1]
    if draw < quality + (1 - quality) * 0.55:
        return LEVELS[2]
    return LEVELS[3] if rng.random() < 0.6 else LEVELS[4]


def ratings(
    found: list[Agency], count: int, month: date, seed: int = 11
) -> Iterator[tuple[str, ...]]:
    """``count`` ratings of the agencies in the month of ``month``, as rows of :data:`HEADER`."""
    rng = random.Random(seed)
    days = monthrange(month.year, month.month)[1]
    for number in range(count):
        agency = found[rng.randrange(len(found))]
        level = _levels(rng, agency.quality)
        bad = level in LEVELS[3:]
        yield (
            f"HCP{month:%Y%m}{number:08d}",
            agency.code,
            agency.name,
            f"{month:%Y-%m}-{rng.randrange(1, days + 1):02d}",
            level,
            rng.choice(ITEMS),
            rng.choice(CHANNELS),
            "等候时间过长，材料要求不一致" if bad and rng.random() < 0.5 else "",
        )


def write_ratings(path: Path, found: list[Agency], count: int, month: date, seed: int = 11) -> Path:
    """A CSV (UTF-8) of the month's ratings in the platform's export layout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(ratings(found, count, month, seed))
    return path
