"""A version's impact before publishing: the grouped report checked against the reference
evaluator run subject by subject on a small population, and the bootstrap's parts."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import update

from dueprocess import add_records, add_subject
from helpers import resident_id, uscc_code
from xinyong.application import Application
from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.evaluation.impact import Impact, binomial
from xinyong.reference.industries import Industries
from xinyong.schemes.ir import plan
from xinyong.schemes.oracle import evaluate
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import subjects

DAY = date(2025, 6, 30)


def _population(db: Database, seed: int) -> None:
    """Riders in two districts of Shenzhen and firms in Zhengzhou of two industries, with
    violations spread over two years."""
    rng = random.Random(seed)
    with db.begin() as conn:
        for n in range(60):
            district = ["440303", "440305"][n % 2]
            rider = add_subject(conn, resident_id(n, district), "individual", district)
            days = [DAY - timedelta(days=rng.randrange(700)) for _ in range(rng.randrange(5))]
            add_records(conn, rider, "BIKE_VIOLATION", sorted(set(days)), conduct="damage")
        for n in range(90):  # 30 of each size, 45 of each industry: no group is pooled
            industry = ["26", "48"][n % 2]
            firm = add_subject(conn, uscc_code(n, "410105"), "enterprise", "410105", industry)
            size = ["small", "micro", None][n % 3]
            conn.execute(update(subjects).where(subjects.c.id == firm).values(size_band=size))
            for _ in range(rng.randrange(4)):
                conduct = rng.choice(["exceedance", "no_permit", "dust"])
                day = DAY - timedelta(days=rng.randrange(900))
                add_records(conn, firm, "ENV_VIOLATION", [day], conduct=conduct)


def _expected(db: Database, new: str, old: str | None) -> dict[str, Counter[tuple[str, str]]]:
    """Counts by (dimension, group) of each outcome, from the reference evaluator."""
    app_catalog = Catalog.load()
    from xinyong.schemes.library import Library

    library = Library.load(app_catalog)
    industries = Industries.load()
    with db.connect() as conn:
        tables = read_tables(conn)
    after = evaluate(plan(library.get(new), app_catalog, DAY), tables)
    before = evaluate(plan(library.get(old), app_catalog, DAY), tables) if old else {}
    people = {s["id"]: s for s in tables.subjects}
    counts: dict[str, Counter[tuple[str, str]]] = {}
    for sid, result in after.items():
        s = people[sid]
        groups = {
            "region": s["region_code"][:4] + "00",
            "industry": industries.section_of(s["industry_code"]) if s["industry_code"] else None,
            "kind": s["kind"],
            "size": s["size_band"],
        }
        outcomes = [f"list:{name}" for name in result.lists]
        if result.grade:
            outcomes.append(f"grade:{result.grade}")
        prior = before.get(sid)
        outcomes += [f"was-list:{name}" for name in (prior.lists if prior else ())]
        for outcome in [*outcomes, "all"]:
            for dim, group in groups.items():
                counts.setdefault(outcome, Counter())[dim, group or "unknown"] += 1
    return counts


def _check(impact: Impact, expected: dict[str, Counter[tuple[str, str]]]) -> None:
    population = expected["all"]
    assert impact.subjects == sum(n for (dim, _), n in population.items() if dim == "kind")
    for metric in impact.metrics:
        if metric.name in ("worse", "better"):
            continue
        found = expected.get(metric.name, Counter())
        was = expected.get("was-" + metric.name, Counter())
        for dim, groups in metric.by.items():
            for g in groups:
                assert g.n == population[dim, g.group], (metric.name, dim, g.group)
                assert g.count == found[dim, g.group], (metric.name, dim, g.group)
                assert g.rate == g.count / g.n
                assert g.interval.low <= g.rate <= g.interval.high
                assert g.difference == g.rate - metric.rate
                if metric.name.startswith("list:") and g.before is not None:
                    assert g.before == was[dim, g.group] / g.n


def test_impact_of_a_new_version_matches_the_reference_evaluator(db: Database) -> None:
    _population(db, 7)
    app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(DAY))
    impact = app.simulations.impact("shenzhen-rental-bike@2", as_of=DAY)
    assert impact.against == "shenzhen-rental-bike@1"  # the version before, by default
    _check(impact, _expected(db, "shenzhen-rental-bike@2", "shenzhen-rental-bike@1"))
    groups = {g.group for g in impact.metrics[0].by["region"]}
    assert groups == {"440300"}  # both districts are one prefecture
    kinds = {g.group for g in impact.metrics[0].by["kind"]}
    assert kinds == {"individual"}  # no operator in this population
    listed = next(m for m in impact.metrics if m.name == "list:untrustworthy")
    before, after = impact.lists["untrustworthy"]
    assert after == listed.count and before == round(listed.before * impact.subjects)
    # nothing was kept: no run stored
    with db.connect() as conn:
        assert not read_tables(conn).runs


def test_impact_by_industry_and_grade_transitions(db: Database) -> None:
    _population(db, 11)
    app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(DAY))
    impact = app.simulations.impact("zhengzhou-environment", as_of=DAY)
    assert impact.against is None  # a first version: rates, no "before"
    _check(impact, _expected(db, "zhengzhou-environment", None))
    industries = {g.group for g in impact.metrics[0].by["industry"]}
    assert industries == {"C", "E"}  # divisions 26 (manufacturing) and 48 (construction)
    sizes = {g.group for g in impact.metrics[0].by["size"]}
    assert sizes == {"small", "micro", "unknown"}  # a size band as sent, or none
    assert sum(impact.transitions.values()) == impact.subjects
    assert all(old is None for old, _ in impact.transitions)
    again = app.simulations.impact("zhengzhou-environment", as_of=DAY)
    assert again.to_json() == impact.to_json()  # the intervals are seeded by the report


def test_the_binomial_draws_have_the_binomials_mean_and_spread() -> None:
    rng = random.Random(1)
    for n, p in [(10, 0.3), (40, 0.05), (5000, 0.2), (30, 0.97), (7, 0.0), (7, 1.0)]:
        draws = [binomial(rng, n, p) for _ in range(4000)]
        assert all(0 <= d <= n for d in draws)
        assert abs(statistics.fmean(draws) - n * p) <= 4 * (n * p * (1 - p) / 4000) ** 0.5 + 1e-9
        if 0 < p < 1:
            assert abs(statistics.pvariance(draws) / (n * p * (1 - p)) - 1) < 0.15
