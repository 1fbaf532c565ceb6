"""The draw algorithm itself (:mod:`xinyong.inspection.draw`), without a database: over a
fixed set of seeds each class is drawn at its rate and every member of a class equally often
(chi-square tests at the 0.001 level, deterministic because the seeds are fixed); for any
roster and pool, forced subjects are always drawn, excluded ones never, and no inspector is
assigned to a subject they conflict with, while every target gets the inspectors it needs or
says why it cannot."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.inspection.draw import FORMAT, LEVELS, commitment, run_draw, verify

ALPHA = 0.001
SEEDS = [f"beacon-{n:04d}" for n in range(400)]
SIZES = {"high": 37, "medium_high": 53, "medium": 101, "low": 211, "unrated": 7}
RATES = {"high": "0.30", "medium_high": "0.10", "medium": "0.02", "low": "0.01", "unrated": "0.05"}


def _inputs(
    roster: list[dict[str, Any]], pool: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "plan": {"id": "test-plan", "version": 1, "sha256": "0" * 64},
        "draw_date": "2026-10-09",
        "rates": extra.get("rates", RATES),
        "floor": extra.get("floor"),
        "inspectors_per_target": extra.get("per_target", 2),
        "same_region": extra.get("same_region", "none"),
        "roster": sorted(roster, key=lambda s: s["code"]),
        "pool": sorted(pool, key=lambda p: p["code"]),
    }


def _classed_roster() -> list[dict[str, Any]]:
    return [
        {"code": f"{name}-{i:03d}", "class": name, "status": "eligible", "region": "110105"}
        for name, size in SIZES.items()
        for i in range(size)
    ]


def _pool(n: int = 6) -> list[dict[str, Any]]:
    return [
        {"code": f"ZF-{i}", "department": "d", "region": "120101", "conflicts": []}
        for i in range(n)
    ]


def upper_tail(statistic: float, df: int) -> float:
    """P(X >= statistic) for chi-square with ``df`` degrees of freedom (Wilson-Hilferty)."""
    k = float(df)
    z = ((statistic / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    return 0.5 * math.erfc(z / math.sqrt(2))


def test_each_class_is_drawn_at_its_rate_over_many_seeds() -> None:
    inputs = _inputs(_classed_roster(), _pool())
    drawn: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    for seed in SEEDS:
        result = run_draw(inputs, {"value": seed, "source": "test"})
        for row in result["classes"]:
            expected = Fraction(row["rate"]) * row["eligible"]
            # the count is the whole part of rate x count, or one more
            assert math.floor(expected) <= row["drawn"] <= math.ceil(expected)
            drawn[row["class"]] += row["drawn"]
            extra[row["class"]] += row["drawn"] - math.floor(expected)
    statistic, df = 0.0, 0
    for name, size in SIZES.items():
        expected = Fraction(RATES[name]) * size
        fraction = float(expected - math.floor(expected))
        if fraction == 0:
            continue
        # whether the one more was drawn is a Bernoulli trial with p = the fractional part
        wanted = len(SEEDS) * fraction
        statistic += (extra[name] - wanted) ** 2 / (wanted * (1 - fraction))
        df += 1
    assert df == 5
    assert upper_tail(statistic, df) > ALPHA, (statistic, dict(extra))
    for name, size in SIZES.items():  # and so the share drawn is the rate
        share = drawn[name] / (len(SEEDS) * size)
        assert abs(share - float(RATES[name])) < 0.01, (name, share)


def test_every_member_of_a_class_is_drawn_equally_often() -> None:
    inputs = _inputs(_classed_roster(), _pool())
    times: Counter[str] = Counter()
    for seed in SEEDS:
        result = run_draw(inputs, {"value": seed, "source": "test"})
        times.update(t["code"] for t in result["targets"] if t["class"] == "medium_high")
    members = [f"medium_high-{i:03d}" for i in range(SIZES["medium_high"])]
    total = sum(times[m] for m in members)
    wanted = total / len(members)
    statistic = sum((times[m] - wanted) ** 2 / wanted for m in members)
    assert upper_tail(statistic, len(members) - 1) > ALPHA, statistic
    assert min(times[m] for m in members) > 0


def test_the_draw_depends_on_the_seed_and_the_commitment_on_every_input() -> None:
    inputs = _inputs(_classed_roster(), _pool())
    first = run_draw(inputs, {"value": "a", "source": "test"})
    assert run_draw(inputs, {"value": "a", "source": "test"}) == first
    assert run_draw(inputs, {"value": "b", "source": "test"})["targets"] != first["targets"]
    assert verify(inputs, first, commitment(inputs)) == []
    changed = _inputs(_classed_roster()[1:], _pool())
    assert commitment(changed) != commitment(inputs)
    assert verify(changed, first, commitment(inputs)) != []
    moved = _inputs(_classed_roster(), _pool(7))
    assert commitment(moved) != commitment(inputs)


CODES = [f"S{i:02d}" for i in range(30)]
REGIONS = ["110101", "110105", "120101"]


@st.composite
def draws(draw: st.DrawFn) -> dict[str, Any]:
    size = draw(st.integers(0, 30))
    roster = [
        {
            "code": CODES[i],
            "class": draw(st.sampled_from(["a", "b", "c"])),
            "status": draw(st.sampled_from(["eligible", "eligible", "always", "excluded"])),
            "region": draw(st.sampled_from(REGIONS)),
        }
        for i in range(size)
    ]
    pool = [
        {
            "code": f"ZF-{i}",
            "department": "d",
            "region": draw(st.sampled_from(REGIONS)),
            "conflicts": sorted(draw(st.sets(st.sampled_from(CODES[: max(size, 1)]), max_size=5))),
        }
        for i in range(draw(st.integers(0, 8)))
    ]
    rates = {name: draw(st.sampled_from(["0", "0.1", "0.5", "1"])) for name in ("a", "b", "c")}
    floor = draw(
        st.sampled_from([None, {"share": "0.5", "subjects": None}, {"share": None, "subjects": 4}])
    )
    return _inputs(
        roster,
        pool,
        rates=rates,
        floor=floor,
        per_target=draw(st.integers(2, 3)),
        same_region=draw(st.sampled_from(sorted(LEVELS))),
    )


@given(inputs=draws(), seed=st.text(min_size=1, max_size=20))
@settings(max_examples=300, deadline=None)
def test_no_inspector_is_assigned_against_a_conflict(inputs: dict[str, Any], seed: str) -> None:
    result = run_draw(inputs, {"value": seed, "source": "property"})
    level = LEVELS[inputs["same_region"]]
    subjects = {s["code"]: s for s in inputs["roster"]}
    targets = {t["code"]: t for t in result["targets"]}
    wanted = inputs["inspectors_per_target"]
    for subject in inputs["roster"]:
        if subject["status"] == "always":
            assert subject["code"] in targets
        if subject["status"] == "excluded":
            assert subject["code"] not in targets
    for code, target in targets.items():
        subject = subjects[code]
        free = [
            p["code"]
            for p in inputs["pool"]
            if code not in p["conflicts"]
            and not (level and p["region"][:level] == subject["region"][:level])
        ]
        assert set(target["inspectors"]) <= set(free)
        assert len(set(target["inspectors"])) == len(target["inspectors"])
        if len(free) >= wanted:
            assert len(target["inspectors"]) == wanted and "unassigned" not in target
        else:  # it cannot: it says so, with every inspector that is free
            assert sorted(target["inspectors"]) == sorted(free) and target["unassigned"]
    required = result["floor"]["required"]
    eligible = sum(1 for s in inputs["roster"] if s["status"] == "eligible")
    always = sum(1 for s in inputs["roster"] if s["status"] == "always")
    assert len(targets) >= min(required, eligible + always)
    assert verify(inputs, result) == []
