"""A scheme version's impact before it takes effect: what it does to grades and list
memberships beside the version it replaces, and whether it falls harder on some groups.

Both versions are run over every record (two stored runs, normally in a transaction that is
rolled back); the database then counts subjects by group and by outcome in one grouped query,
so the report costs one pass over the results whatever the population. For each outcome (each
grade, each list, and against an older version: moved to a worse grade, to a better one) it
gives, for the whole population and for each group of each dimension (region at prefecture
level, industry section, subject kind, size band), the rate, its difference from the whole
population's rate and their ratio, each with a bootstrap confidence interval, as Fairlearn's
MetricFrame reports a metric by group against the overall value.

The bootstrap resamples subjects: a resampled group's count of an outcome is then binomial in
the group's size and rate, drawn exactly (by inversion) where the group is small and by its
normal approximation where the variance is large (n p (1-p) of at least 25); the rest of the
population is resampled alike, so the whole population's rate varies with the group's. The
seed is the report's own (scheme, version, as-of date): the same report twice gives the same
intervals.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select

from xinyong.catalog.items import Catalog
from xinyong.evaluation.runs import store_run
from xinyong.reference.industries import Industries
from xinyong.schemes.model import Scheme
from xinyong.store.tables import evaluation_results, subjects

#: Resamples per interval.
RESAMPLES = 400
#: Groups smaller than this are pooled as "other" (their rates say too little alone).
MIN_GROUP = 20
#: The interval's coverage.
LEVEL = 0.95
DIMENSIONS = ("region", "industry", "kind", "size")


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class GroupRate:
    """One group's rate of one outcome, against the whole population's."""

    group: str
    n: int
    count: int
    rate: float
    interval: Interval
    difference: float  # rate - the whole population's rate
    difference_interval: Interval
    ratio: float | None  # rate / the whole population's rate (None: that rate is 0)
    ratio_interval: Interval | None
    before: float | None = None  # the rate under the version it replaces


@dataclass(frozen=True, slots=True)
class Metric:
    """One outcome: ``grade:G``, ``list:L``, ``worse`` or ``better``."""

    name: str
    n: int
    count: int
    rate: float
    before: float | None
    by: dict[str, list[GroupRate]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Impact:
    scheme: str
    against: str | None
    as_of: date
    subjects: int
    left_scope: int  # in the older version's scope, not in the new one's
    transitions: dict[tuple[str | None, str | None], int]
    lists: dict[str, tuple[int, int]]  # list -> (members before, members after)
    metrics: list[Metric]

    def to_json(self) -> dict[str, Any]:
        def interval(i: Interval | None) -> list[float] | None:
            return None if i is None else [round(i.low, 6), round(i.high, 6)]

        return {
            "scheme": self.scheme,
            "against": self.against,
            "as_of": self.as_of.isoformat(),
            "subjects": self.subjects,
            "left_scope": self.left_scope,
            "transitions": [
                {"from": a, "to": b, "subjects": n}
                for (a, b), n in sorted(self.transitions.items(), key=lambda kv: str(kv[0]))
            ],
            "lists": {k: {"before": a, "after": b} for k, (a, b) in sorted(self.lists.items())},
            "metrics": [
                {
                    "name": m.name,
                    "subjects": m.n,
                    "count": m.count,
                    "rate": round(m.rate, 6),
                    "before": None if m.before is None else round(m.before, 6),
                    "by": {
                        dim: [
                            {
                                "group": g.group,
                                "subjects": g.n,
                                "count": g.count,
                                "rate": round(g.rate, 6),
                                "interval": interval(g.interval),
                                "difference": round(g.difference, 6),
                                "difference_interval": interval(g.difference_interval),
                                "ratio": None if g.ratio is None else round(g.ratio, 6),
                                "ratio_interval": interval(g.ratio_interval),
                                "before": None if g.before is None else round(g.before, 6),
                            }
                            for g in groups
                        ]
                        for dim, groups in m.by.items()
                    },
                }
                for m in self.metrics
            ],
        }


@dataclass(frozen=True, slots=True)
class Cell:
    """Subjects alike in their groups and their outcomes under both versions."""

    groups: dict[str, str]
    new_grade: str | None
    new_lists: frozenset[str]
    old_grade: str | None
    old_lists: frozenset[str]
    in_old: bool
    n: int


def measure(
    conn: Connection, scheme: Scheme, against: Scheme | None, catalog: Catalog, as_of: date
) -> Impact:
    """Run both versions over every record as of ``as_of`` in ``conn`` (the runs are stored:
    roll the transaction back to keep nothing) and report the impact of ``scheme``."""
    new_run = store_run(conn, scheme, catalog, as_of).id
    old_run = store_run(conn, against, catalog, as_of).id if against is not None else None
    return of_runs(conn, scheme, against, new_run, old_run, as_of)


def of_runs(
    conn: Connection,
    scheme: Scheme,
    against: Scheme | None,
    new_run: int,
    old_run: int | None,
    as_of: date,
) -> Impact:
    """The impact report from two stored runs (of ``scheme`` and of ``against``)."""
    grades = scheme.definition.grades
    return report(
        cells(conn, new_run, old_run),
        scheme=scheme.key,
        against=against.key if against else None,
        as_of=as_of,
        grades=[b.grade for b in grades.bands] if grades else [],
        lists=[d.id for d in scheme.definition.lists],
        left=left_scope(conn, new_run, old_run) if old_run is not None else 0,
    )


def cells(conn: Connection, new_run: int, old_run: int | None) -> list[Cell]:
    """The grouped counts: one row per combination of groups and outcomes."""
    industries = Industries.load()
    new = evaluation_results.alias("new")
    old = evaluation_results.alias("old")
    region = func.substr(func.coalesce(subjects.c.region_code, "??????"), 1, 4)
    columns = [
        region.label("region"),
        subjects.c.industry_code,
        subjects.c.kind,
        subjects.c.size_band,
        new.c.grade.label("new_grade"),
        new.c.lists.label("new_lists"),
    ]
    query = select(*columns).select_from(new.join(subjects, subjects.c.id == new.c.subject_id))
    if old_run is not None:
        query = query.add_columns(
            old.c.grade.label("old_grade"),
            old.c.lists.label("old_lists"),
            old.c.run_id.label("old_run"),
        ).outerjoin(old, and_(old.c.subject_id == new.c.subject_id, old.c.run_id == old_run))
    keys = [region, subjects.c.industry_code, subjects.c.kind, subjects.c.size_band]
    keys += [new.c.grade, new.c.lists]
    if old_run is not None:
        keys += [old.c.grade, old.c.lists, old.c.run_id]
    query = query.add_columns(func.count().label("n")).where(new.c.run_id == new_run)
    query = query.group_by(*keys)
    found = []
    for row in conn.execute(query).mappings():
        section = industries.section_of(row["industry_code"]) if row["industry_code"] else None
        prefecture = row["region"]
        found.append(
            Cell(
                {
                    "region": "unknown" if "?" in prefecture else f"{prefecture}00",
                    "industry": section or "unknown",
                    "kind": row["kind"],
                    "size": row["size_band"] or "unknown",
                },
                row["new_grade"],
                frozenset((row["new_lists"] or "").split()),
                row.get("old_grade"),
                frozenset((row.get("old_lists") or "").split()),
                row.get("old_run") is not None,
                int(row["n"]),
            )
        )
    return found


def left_scope(conn: Connection, new_run: int, old_run: int) -> int:
    new = evaluation_results.alias("new")
    old = evaluation_results.alias("old")
    query = (
        select(func.count())
        .select_from(
            old.outerjoin(new, and_(new.c.subject_id == old.c.subject_id, new.c.run_id == new_run))
        )
        .where(old.c.run_id == old_run, new.c.subject_id.is_(None))
    )
    return int(conn.execute(query).scalar_one())


def report(
    found: list[Cell],
    *,
    scheme: str,
    against: str | None,
    as_of: date,
    grades: Iterable[str],
    lists: Iterable[str],
    left: int = 0,
) -> Impact:
    """The report from the grouped counts (``grades`` best first)."""
    order = list(grades)
    rank = {g: i for i, g in enumerate(order)}
    compared = against is not None

    def outcomes(cell: Cell) -> dict[str, tuple[bool, bool | None]]:
        """Each outcome's (after, before) for a cell (before None: no older result)."""
        out: dict[str, tuple[bool, bool | None]] = {}
        old = cell.in_old if compared else False
        for g in order:
            out[f"grade:{g}"] = (cell.new_grade == g, (cell.old_grade == g) if old else None)
        for name in lists_:
            out[f"list:{name}"] = (
                name in cell.new_lists,
                (name in cell.old_lists) if old else None,
            )
        if compared:
            both = old and cell.new_grade in rank and cell.old_grade in rank
            worse = both and rank[cell.new_grade or ""] > rank[cell.old_grade or ""]
            better = both and rank[cell.new_grade or ""] < rank[cell.old_grade or ""]
            out["worse"] = (bool(worse), None)
            out["better"] = (bool(better), None)
        return out

    lists_ = sorted(lists)
    total = sum(c.n for c in found)
    after: Counter[str] = Counter()
    before: Counter[str] = Counter()
    had_before: Counter[str] = Counter()
    by_group: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    group_n: Counter[tuple[str, str]] = Counter()
    group_before: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    group_had: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    transitions: Counter[tuple[str | None, str | None]] = Counter()
    members: dict[str, list[int]] = {name: [0, 0] for name in lists_}
    names: list[str] = []
    for cell in found:
        transitions[(cell.old_grade if cell.in_old else None, cell.new_grade)] += cell.n
        for name in lists_:
            members[name][1] += cell.n if name in cell.new_lists else 0
            members[name][0] += cell.n if cell.in_old and name in cell.old_lists else 0
        values = outcomes(cell)
        names = names or list(values)
        for dim, group in cell.groups.items():
            group_n[dim, group] += cell.n
        for name, (now, then) in values.items():
            after[name] += cell.n if now else 0
            if then is not None:
                had_before[name] += cell.n
                before[name] += cell.n if then else 0
            for dim, group in cell.groups.items():
                by_group[dim, group][name] += cell.n if now else 0
                if then is not None:
                    group_had[dim, group][name] += cell.n
                    group_before[dim, group][name] += cell.n if then else 0
    names = names or [f"grade:{g}" for g in order] + [f"list:{n}" for n in lists_]
    metrics = []
    for name in names:
        overall = after[name] / total if total else 0.0
        prior = before[name] / had_before[name] if had_before[name] else None
        metric = Metric(name, total, after[name], overall, prior)
        for dim in DIMENSIONS:
            metric.by[dim] = _groups(
                dim, name, total, after[name], group_n, by_group, group_before, group_had, as_of
            )
        metrics.append(metric)
    return Impact(
        scheme,
        against,
        as_of,
        total,
        left,
        dict(transitions),
        {k: (v[0], v[1]) for k, v in members.items()},
        metrics,
    )


def _groups(
    dim: str,
    name: str,
    total: int,
    count: int,
    group_n: Counter[tuple[str, str]],
    by_group: dict[tuple[str, str], Counter[str]],
    group_before: dict[tuple[str, str], Counter[str]],
    group_had: dict[tuple[str, str], Counter[str]],
    as_of: date,
) -> list[GroupRate]:
    """Each group of ``dim`` (small ones pooled as ``other``), largest first."""
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    prior: Counter[str] = Counter()
    had: Counter[str] = Counter()
    for (d, group), n in group_n.items():
        if d != dim:
            continue
        label = group if n >= MIN_GROUP else "other"
        sizes[label] += n
        counts[label] += by_group[d, group][name]
        prior[label] += group_before[d, group][name]
        had[label] += group_had[d, group][name]
    out = []
    for group, n in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        seed = hashlib.sha256(f"{name}|{dim}|{group}|{as_of}".encode()).digest()
        rng = random.Random(seed)
        rate, overall = counts[group] / n, count / total
        low, high, d_low, d_high, r_iv = _bootstrap(rng, n, counts[group], total, count)
        out.append(
            GroupRate(
                group,
                n,
                counts[group],
                rate,
                Interval(low, high),
                rate - overall,
                Interval(d_low, d_high),
                rate / overall if overall else None,
                r_iv,
                prior[group] / had[group] if had[group] else None,
            )
        )
    return out


def _bootstrap(
    rng: random.Random, n: int, k: int, total: int, count: int
) -> tuple[float, float, float, float, Interval | None]:
    """Percentile intervals of a group's rate, its difference from the whole population's
    and their ratio, over :data:`RESAMPLES` resamples of the group and of the rest."""
    rest_n, rest_k = total - n, count - k
    rates, differences, ratios = [], [], []
    for _ in range(RESAMPLES):
        group = binomial(rng, n, k / n)
        rest = binomial(rng, rest_n, rest_k / rest_n) if rest_n else 0
        rate = group / n
        overall = (group + rest) / total
        rates.append(rate)
        differences.append(rate - overall)
        if overall > 0:
            ratios.append(rate / overall)
    low, high = _percentiles(rates)
    d_low, d_high = _percentiles(differences)
    ratio = Interval(*_percentiles(ratios)) if len(ratios) == RESAMPLES else None
    return low, high, d_low, d_high, ratio


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    tail = (1 - LEVEL) / 2
    last = len(ordered) - 1
    return ordered[round(tail * last)], ordered[round((1 - tail) * last)]


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A draw from Binomial(n, p): by inversion of its distribution function where the
    variance is small, else from the normal approximation, rounded and kept in [0, n]."""
    if n == 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    variance = n * p * (1 - p)
    if variance >= 25:
        return min(n, max(0, round(rng.gauss(n * p, math.sqrt(variance)))))
    # inversion from the smaller tail: the expected number of steps is about n * min(p, 1-p)
    flip = p > 0.5
    q = 1 - p if flip else p
    u = rng.random()
    mass = (1 - q) ** n
    cumulative, k = mass, 0
    while u > cumulative and k < n:
        mass *= (n - k) / (k + 1) * q / (1 - q)
        k += 1
        cumulative += mass
    return n - k if flip else k
