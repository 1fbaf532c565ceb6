"""A sample inspector pool for the demo: officials of the regions the sample population lives
in, some qualified for road transport, a few with a declared relation to a sample firm."""

from __future__ import annotations

import random
from datetime import date

from xinyong.inspection.pool import InspectorEntry, PoolFile, Relation

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def sample_pool(
    regions: list[str], firms: list[str], *, seed: int = 2019, size: int = 60
) -> PoolFile:
    """``size`` inspectors spread over ``regions`` (and one more of each province, so that the
    plans that recuse inspectors of a subject's own county or city can staff every target)."""
    rng = random.Random(seed)
    places = sorted(set(regions)) or ["110105"]
    provinces = sorted({r[:2] for r in places})
    homes = [rng.choice(places) for _ in range(size)]
    homes += [f"{p}0100" if f"{p}0100" not in places else f"{p}0200" for p in provinces] * 2
    entries = []
    for number, home in enumerate(homes, start=1):
        relations = []
        if firms and rng.random() < 0.1:
            relations.append(
                Relation(
                    subject=rng.choice(firms),
                    kind=rng.choice(["relative", "former_employer", "shareholder"]),
                    declared_on=date(2024, 1, 1),
                )
            )
        qualifications = ["market_regulation"] + (["road_transport"] if number % 3 == 0 else [])
        entries.append(
            InspectorEntry(
                code=f"ZF-{home[:2]}-{number:04d}",
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
                department="市场监督管理局" if number % 3 else "交通运输局",
                region=home,
                qualifications=qualifications,
                active_from=date(2020, 1, 1),
                relations=relations,
            )
        )
    return PoolFile(pool="示例执法检查人员名录", inspectors=entries)
