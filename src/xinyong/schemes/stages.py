"""The record stages of a scheme's query (see :mod:`xinyong.schemes.compiler` for the whole):

1. ``rec``: the record versions in effect on the as-of date, for the items the scheme reads;
2. ``k``: one row per (subject, item) with a count, and a count, sum or flag for each other kind
   of record a measure reads (a severity, a narrower window, attribute tests);
3. ``w``: one row per item the scheme reads, with the points and cap of the rule that gives
   points per record of it, and a 0/1 flag per set of items that a measure reads;
4. ``p``: one row per subject, from ``k`` joined to ``w`` on the item (on SQLite a CASE on the
   item instead): the capped points of the per-record rules, and every other measure as a
   conditional aggregate, in one pass.

:class:`Stages` also decides, once per plan, which rules are per-record rules, which measures
are pivoted into ``p``, and which attributes are read and as what type."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from xinyong.schemes.dialects import Expr, and_, bigint, bound_subjects, case, col, lit
from xinyong.schemes.dialects import dialect as dialect_named
from xinyong.schemes.ir import AttrTest, Measure, Plan, RuleNode, Window

#: Aggregates that read a number attribute.
NUMBERS = ("sum", "min", "max", "mean")
ORDER = {">=": exp.GTE, "<=": exp.LTE, ">": exp.GT, "<": exp.LT, "=": exp.EQ}


class Stages:
    """The CTEs from the records to one row of measures per subject."""

    def __init__(
        self,
        plan: Plan,
        dialect: str,
        subject_ids: Sequence[int] | None = None,
        *,
        bound: bool = False,
    ) -> None:
        self.plan = plan
        self.dialect = dialect_named(dialect)
        self.dialect_name = dialect
        # bound: for the subjects a run binds to ``:subjects`` (one query for every re-grade)
        self.bound = bound
        self.subject_ids = () if bound else subject_ids
        starts = [m.records.window.start for m in plan.measures]
        self.widest = Window(
            None if None in starts or not starts else min(s for s in starts if s), plan.as_of
        )
        # Rules that give points per record of one item (each item read by one such rule)
        # take their capped points row by row of the per-(subject, item) counts, joined to a
        # table of (item, points, cap), in the same pass as the other measures, as a
        # hand-written query would; every other measure is a conditional aggregate.
        self.long_rules: list[RuleNode] = []
        taken: set[str] = set()
        for rule in plan.rules:
            items = plan.measures[rule.measure].records.items
            if self._long(rule) and len(items) == 1 and not items & taken:
                self.long_rules.append(rule)
                taken |= items
        conditions = [c for _, c in (*plan.overrides, *plan.bars, *plan.lists)]
        if plan.new_subject:
            conditions.append(plan.new_subject[1])
        read: set[int] = set()
        for condition in conditions:  # with their alternatives ("any of") and comparisons
            read |= condition.measures()
        self.pivot = sorted({r.measure for r in plan.rules if r not in self.long_rules} | read)
        pivoted = [plan.measures[i] for i in self.pivot]
        self.items = sorted({i for m in plan.measures for i in m.records.items})
        # one 0/1 column of ``w`` per set of items that a pivoted measure reads, unless it
        # reads them all
        self.item_sets: dict[frozenset[str], str] = {}
        for measure in pivoted:
            if measure.records.items != frozenset(self.items):
                self.item_sets.setdefault(measure.records.items, f"i{len(self.item_sets)}")
        # SQLite scans a small joined table once per row of ``k`` (or indexes ``k`` instead):
        # there a CASE on the item does the lookup
        self.reads_w = bool(self.long_rules or self.item_sets) and not self.dialect.case_lookup
        self.k_columns: dict[tuple[str, str | None, str | None, str | None], str] = {}
        self.tests = sorted(
            {t for m in pivoted for t in m.records.attrs},
            key=lambda t: (t.name, t.op, str(t.value)),
        )
        others = {t.other for t in self.tests if t.other}
        weights = {m.weight for m in pivoted if m.weight}
        self.attributes = sorted(
            {t.name for t in self.tests}
            | others
            | weights
            | {m.attribute for m in pivoted if m.attribute}
        )
        self.numeric = (
            {t.name for t in self.tests if t.numeric}
            | others
            | weights
            | {m.attribute for m in pivoted if m.kind in NUMBERS and m.attribute}
        )

    def _long(self, rule: RuleNode) -> bool:
        records = self.plan.measures[rule.measure].records
        return (
            self.plan.measures[rule.measure].kind == "count"
            and rule.threshold is None
            and not records.attrs
            and records.severities is None
            and records.window == self.widest
        )

    # -- pieces ----------------------------------------------------------------------------------
    def clamp(self, value: Expr, low: float | None, high: float | None) -> Expr:
        greatest, least = self.dialect.greatest, self.dialect.least
        if high is not None:
            value = exp.Anonymous(this=least, expressions=[value, lit(high)])
        if low is not None:
            value = exp.Anonymous(this=greatest, expressions=[value, lit(low)])
        return value

    def attribute(self, name: str) -> Expr:
        value = self.dialect.attribute(col("attributes", "r"), name)
        if name in self.numeric:
            return exp.cast(value, exp.DataType.build("DOUBLE"))
        return value

    def in_window(self, window: Window, column: Expr) -> Expr:
        parts: list[Expr] = [exp.LTE(this=column.copy(), expression=lit(window.end.isoformat()))]
        if window.start is not None:
            parts.insert(0, exp.GT(this=column.copy(), expression=lit(window.start.isoformat())))
        return and_(parts)

    def attr_test(self, test: AttrTest) -> Expr:
        value = col(f"a_{test.name}")
        if test.other is not None:  # against another attribute of the record, times a factor
            other = exp.Mul(this=lit(float(test.value)), expression=col(f"a_{test.other}"))  # type: ignore[arg-type]
            return ORDER[test.op](this=value, expression=other)
        if test.op == "in":
            assert isinstance(test.value, tuple)
            return exp.In(this=value, expressions=[lit(v) for v in test.value])
        if isinstance(test.value, bool):
            text = exp.Lower(this=exp.cast(value, exp.DataType.build("TEXT")))
            return (
                exp.In(this=text, expressions=[lit("1"), lit("true")])
                if test.value
                else (exp.In(this=text, expressions=[lit("0"), lit("false")]))
            )
        return ORDER[test.op](this=value, expression=lit(test.value))

    def only(self, column: Expr) -> Expr:
        """Restrict to the subjects being re-evaluated (none: an always-false condition), or
        to those bound to ``:subjects`` when the query is run."""
        if self.bound:
            return bound_subjects(column, self.dialect_name)
        ids = sorted(set(self.subject_ids or ()))
        return exp.In(this=column, expressions=[lit(i) for i in ids]) if ids else exp.false()

    # -- CTEs ------------------------------------------------------------------------------------
    def rec(self) -> exp.Select:
        plan = self.plan
        items = self.items
        widest = self.widest
        decided = col("decided_on", "r")
        as_of = lit(plan.as_of.isoformat())
        # Versions that stopped counting by the as-of date: replaced by a correction decided by
        # then, or revoked or repaired with effect by then. One NOT IN over both (the engines
        # hash it), rather than two correlated NOT EXISTS.
        replaced = (
            exp.select(col("supersedes_id", "n"))
            .from_(exp.table_("records", alias="n"))
            .where(
                exp.and_(
                    # ids start at 1: ">= 1" is "is not null" in a form every engine's
                    # planner can answer from the index on supersedes_id
                    exp.GTE(this=col("supersedes_id", "n"), expression=lit(1)),
                    exp.LTE(this=col("decided_on", "n"), expression=as_of.copy()),
                )
            )
        )
        ended = (
            exp.select(col("record_id", "e"))
            .from_(exp.table_("record_events", alias="e"))
            .where(exp.LTE(this=col("effective_on", "e"), expression=as_of.copy()))
        )
        gone = exp.union(replaced, ended, distinct=False)
        if plan.exclude_disputed:
            # under an open objection on the as-of date: lodged by then, not decided by then
            disputed = (
                exp.select(col("record_id", "c"))
                .from_(exp.table_("cases", alias="c"))
                .where(
                    and_(
                        [
                            exp.EQ(this=col("kind", "c"), expression=lit("objection")),
                            exp.GTE(this=col("record_id", "c"), expression=lit(1)),
                            exp.LTE(this=col("opened_on", "c"), expression=as_of.copy()),
                            exp.Paren(
                                this=exp.or_(
                                    exp.Is(this=col("closed_on", "c"), expression=exp.Null()),
                                    exp.GT(this=col("closed_on", "c"), expression=as_of.copy()),
                                )
                            ),
                        ]
                    )
                )
            )
            gone = exp.union(gone, disputed, distinct=False)
        columns: list[Expr] = [
            col("subject_id", "r"),
            col("item_code", "r"),
            col("severity", "r"),
            col("decided_on", "r"),
        ]
        columns += [exp.alias_(self.attribute(a), f"a_{a}") for a in self.attributes]
        where = [
            self.in_window(widest, decided),
            exp.In(this=col("item_code", "r"), expressions=[lit(i) for i in items] or [lit("")]),
            exp.Not(this=exp.In(this=col("id", "r"), query=exp.Subquery(this=gone))),
        ]
        if plan.published_after:
            limited = [code for code, _ in plan.published_after]
            published: list[Expr] = [
                exp.Not(
                    this=exp.In(this=col("item_code", "r"), expressions=[lit(c) for c in limited])
                )
            ]
            published += [
                exp.and_(
                    exp.EQ(this=col("item_code", "r"), expression=lit(code)),
                    exp.GT(this=col("decided_on", "r"), expression=lit(since.isoformat())),
                )
                for code, since in plan.published_after
            ]
            where.append(exp.Paren(this=exp.or_(*published)))
        if self.subject_ids is not None:
            where.append(self.only(col("subject_id", "r")))
        return exp.select(*columns).from_(exp.table_("records", alias="r")).where(and_(where))

    def record_test(self, measure: Measure) -> Expr | None:
        """What a record must satisfy besides its item: severity, window, attribute tests
        (None: nothing more)."""
        rs = measure.records
        parts: list[Expr] = []
        if rs.severities is not None:
            parts.append(
                exp.In(this=col("severity"), expressions=[lit(s) for s in sorted(rs.severities)])
            )
        if rs.window != self.widest:
            parts.append(self.in_window(rs.window, col("decided_on")))
        parts += [self.attr_test(t) for t in rs.attrs]
        return and_(parts) if parts else None

    def k_column(self, measure: Measure, part: str = "") -> str:
        """The column of ``k`` a measure reads: record counts, sums, least or greatest values,
        the two halves of a mean (``part`` "den": its count or weights) or presence flags per
        (subject, item), under the measure's record test."""
        test = self.record_test(measure)
        if measure.kind == "count" and test is None:
            return "n"  # COUNT(*), always there
        key = (
            f"{measure.kind}{part}",
            measure.attribute if measure.kind != "distinct" else None,
            measure.weight,
            None if test is None else test.sql(),
        )
        return self.k_columns.setdefault(key, f"c{len(self.k_columns)}")

    def k_aggregates(self, measure: Measure) -> list[tuple[str, Expr]]:
        """The aggregates over ``rec`` that a measure's ``k`` columns hold."""
        test = self.record_test(measure)

        def when(value: Expr, otherwise: Expr | None = None) -> Expr:
            return value if test is None else case(test, value, otherwise or exp.null())

        if measure.kind == "count":
            # COUNT, not SUM of 1 or 0: an integer on every engine (DuckDB sums into
            # HUGEINT); every group has a row, so the count is never NULL
            assert test is not None
            return [(self.k_column(measure), exp.Count(this=case(test, lit(1), exp.null())))]
        if measure.kind == "distinct":
            flag = lit(1) if test is None else case(test, lit(1), lit(0))
            return [(self.k_column(measure), exp.Max(this=flag))]
        value: Expr = col(f"a_{measure.attribute}")
        if measure.kind == "sum":
            return [(self.k_column(measure), exp.Sum(this=when(value)))]
        if measure.kind in ("min", "max"):
            function = exp.Min if measure.kind == "min" else exp.Max
            return [(self.k_column(measure), function(this=when(value)))]
        if measure.weight is None:  # a mean: the sum of the values and how many there are
            parts: list[Expr] = [exp.Sum(this=when(value)), exp.Count(this=when(value.copy()))]
        else:  # a weighted mean: the sum of value times weight, and of the weights
            weight = col(f"a_{measure.weight}")
            present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
            counted = present if test is None else and_([test.copy(), present])
            parts = [
                exp.Sum(this=when(exp.Mul(this=value, expression=weight))),
                exp.Sum(this=case(counted, weight.copy(), exp.null())),
            ]
        return [(self.k_column(measure), parts[0]), (self.k_column(measure, "den"), parts[1])]

    def k(self) -> exp.Select:
        """One row per (subject, item) (and value, for distinct counts), with one aggregate per
        kind of record a measure reads, as a hand-written query would."""
        keys: list[Expr] = [col("subject_id"), col("item_code")]
        pivoted = [self.plan.measures[i] for i in self.pivot]
        keys += [
            col(f"a_{a}")
            for a in sorted({m.attribute for m in pivoted if m.kind == "distinct" and m.attribute})
        ]
        aggregates: list[Expr] = [exp.alias_(exp.Count(this=exp.Star()), "n")]
        seen = {"n"}
        for measure in pivoted:
            if self.k_column(measure) in seen:
                continue
            for name, aggregate in self.k_aggregates(measure):
                seen.add(name)
                aggregates.append(exp.alias_(aggregate, name))
        return exp.select(*keys, *aggregates).from_("rec").group_by(*keys)

    def w(self) -> exp.Select:
        """The scheme's items, one row each: ``pts`` and ``cap`` of the per-record rule on the
        item (0 where none; a NULL cap where that rule has none), and a 0/1 column per set of
        items a measure reads. A UNION ALL of one-row selects: every engine reads it, where a
        VALUES list with named columns is not portable."""
        per_item = {
            next(iter(self.plan.measures[r.measure].records.items)): r for r in self.long_rules
        }
        capped = any(r.cap is not None for r in self.long_rules)
        rows: list[exp.Select] = []
        for item in self.items:
            rule = per_item.get(item)
            values: list[Expr] = [exp.alias_(lit(item), "item_code")]
            if self.long_rules:
                values.append(exp.alias_(lit(float(rule.per_unit) if rule else 0.0), "pts"))
            if capped:
                if rule is None:
                    cap: Expr = lit(0.0)
                else:
                    cap = exp.null() if rule.cap is None else lit(float(rule.cap))
                values.append(exp.alias_(cap, "cap"))
            for items, name in self.item_sets.items():
                values.append(exp.alias_(lit(int(item in items)), name))
            rows.append(exp.select(*values))
        query: exp.Select = rows[0]
        for row in rows[1:]:
            query = exp.union(query, row, distinct=False)  # type: ignore[assignment]
        return query

    def p(self) -> exp.Select:
        """One row per subject: every pivoted measure and, in one pass, the long-form points."""
        columns: list[Expr] = [col("subject_id", "k")]
        for index in self.pivot:
            measure = self.plan.measures[index]
            flag = self.item_sets.get(measure.records.items)
            items: Expr | None = None
            if flag is not None and self.reads_w:
                items = exp.EQ(this=col(flag, "w"), expression=lit(1))
            elif flag is not None:
                items = exp.In(
                    this=col("item_code", "k"),
                    expressions=[lit(i) for i in sorted(measure.records.items)],
                )
            source = col(self.k_column(measure), "k")

            def only(column: Expr, items: Expr | None = items) -> Expr:
                return column if items is None else case(items.copy(), column, exp.null())

            if measure.kind == "count":
                counted = source if items is None else case(items, source, lit(0))
                value: Expr = bigint(exp.Sum(this=counted))
            elif measure.kind == "sum":
                value = exp.Sum(this=only(source))
            elif measure.kind in ("min", "max"):
                value = (exp.Min if measure.kind == "min" else exp.Max)(this=only(source))
            elif measure.kind == "mean":
                denominator = exp.Sum(this=only(col(self.k_column(measure, "den"), "k")))
                value = exp.Div(
                    this=exp.Sum(this=only(source)),
                    expression=exp.Nullif(this=denominator, expression=lit(0)),
                )
            else:
                present = and_([p for p in (items, exp.EQ(this=source, expression=lit(1))) if p])
                value = exp.Count(
                    this=exp.Distinct(
                        expressions=[case(present, col(f"a_{measure.attribute}", "k"), exp.null())]
                    )
                )
            columns.append(exp.alias_(value, f"m{index}"))
        if self.long_rules:
            points: Expr = exp.Sum(this=self.long_points())
            whole = all(
                float(r.per_unit).is_integer() and (r.cap is None or float(r.cap).is_integer())
                for r in self.long_rules
            )
            columns.append(exp.alias_(bigint(points) if whole else points, "points"))
        query = exp.select(*columns).from_(exp.table_("k", alias="k"))
        if self.reads_w:
            join = exp.EQ(this=col("item_code", "w"), expression=col("item_code", "k"))
            query = query.join(exp.table_("w", alias="w"), on=join)
        return query.group_by(col("subject_id", "k"))

    def long_points(self) -> Expr:
        """The capped points of the per-record rules for one row of ``k`` joined to ``w``."""
        if not self.reads_w:
            return self.case_points()
        value: Expr = exp.Mul(this=col("pts", "w"), expression=col("n", "k"))
        if not any(rule.cap is not None for rule in self.long_rules):
            return value
        greatest, least = self.dialect.greatest, self.dialect.least
        cap = col("cap", "w")
        clamped = exp.Anonymous(
            this=greatest,
            expressions=[
                exp.Anonymous(this=least, expressions=[value, cap]),
                exp.Neg(this=cap.copy()),
            ],
        )
        if all(rule.cap is not None for rule in self.long_rules):
            return clamped
        return case(exp.Is(this=cap.copy(), expression=exp.Null()), value.copy(), clamped)

    def case_points(self) -> Expr:
        """The same by a CASE on the item, one branch per rule, where a join is slow."""
        ifs = []
        for rule in self.long_rules:
            (item,) = self.plan.measures[rule.measure].records.items
            value: Expr = exp.Mul(this=lit(float(rule.per_unit)), expression=col("n", "k"))
            if rule.cap is not None:
                value = self.clamp(value, -rule.cap, rule.cap)
            ifs.append(exp.If(this=lit(item), true=value))
        return exp.Case(this=col("item_code", "k"), ifs=ifs, default=lit(0.0))
