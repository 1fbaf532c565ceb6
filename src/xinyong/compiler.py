"""Compile a :class:`~xinyong.ir.Plan` into one relational query (sqlglot expressions).

The query has the shape of a hand-written one:

1. ``rec``: the record versions in effect on the as-of date, for the items the scheme reads;
2. ``k``: one row per (subject, item, severity, window and attribute flags) with a count and sums;
3. ``p``: one row per subject with every measure, by conditional aggregation over ``k``;
4. ``scored`` and ``graded``: every subject in scope, with its score and the index of its grade;
5. the final select: score, grade, one 0/1 column per list, and the measures for explanations.

What differs between databases is a table (:data:`ATTRIBUTE_ACCESS`), not an if-chain; dates are
literals, resolved when the plan was made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from xinyong.ir import EPSILON, AttrTest, ConditionNode, Measure, Plan, Window

Expr = exp.Expr


def _json_path(column: Expr, key: str) -> Expr:
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=column, expression=path)


def _jsonb_text(column: Expr, key: str) -> Expr:
    return exp.func("jsonb_extract_path_text", column, exp.Literal.string(key))


#: How each dialect reads one attribute of the JSON ``attributes`` column as text.
ATTRIBUTE_ACCESS: dict[str, Callable[[Expr, str], Expr]] = {
    "postgres": _jsonb_text,
}
DIALECTS = ("sqlite", "postgres", "duckdb", "spark")


def lit(value: object) -> Expr:
    if isinstance(value, bool):
        return exp.Literal.number(int(value))
    if isinstance(value, int | float):
        return exp.Literal.number(repr(float(value)) if isinstance(value, float) else value)
    return exp.Literal.string(str(value))


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def _and(parts: Sequence[Expr]) -> Expr:
    return exp.and_(*parts) if parts else exp.true()


def _case(condition: Expr, then: Expr, otherwise: Expr) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=otherwise)


#: Scalar (two-argument) greatest and least of each dialect, for caps.
GREATEST_LEAST: dict[str, tuple[str, str]] = {"sqlite": ("MAX", "MIN")}


class Compiler:
    def __init__(self, plan: Plan, dialect: str, subject_ids: Sequence[int] | None = None) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"not supported: dialect {dialect!r}; one of {', '.join(DIALECTS)}")
        self.plan = plan
        self.dialect = dialect
        self.subject_ids = subject_ids
        self.windows = sorted(
            {m.records.window for m in plan.measures},
            key=lambda w: (w.start is not None, w.start, w.end),
        )
        self.tests = sorted(
            {t for m in plan.measures for t in m.records.attrs},
            key=lambda t: (t.name, t.op, str(t.value)),
        )
        self.attributes = sorted(
            {t.name for t in self.tests} | {m.attribute for m in plan.measures if m.attribute}
        )
        self.numeric = {t.name for t in self.tests if t.numeric} | {
            m.attribute for m in plan.measures if m.kind == "sum" and m.attribute
        }

    # -- pieces ----------------------------------------------------------------------------------
    def clamp(self, value: Expr, low: float | None, high: float | None) -> Expr:
        greatest, least = GREATEST_LEAST.get(self.dialect, ("GREATEST", "LEAST"))
        if high is not None:
            value = exp.Anonymous(this=least, expressions=[value, lit(high)])
        if low is not None:
            value = exp.Anonymous(this=greatest, expressions=[value, lit(low)])
        return value

    def attribute(self, name: str) -> Expr:
        access = ATTRIBUTE_ACCESS.get(self.dialect, _json_path)
        value = access(col("attributes", "r"), name)
        if name in self.numeric:
            return exp.cast(value, exp.DataType.build("DOUBLE"))
        return value

    def in_window(self, window: Window, column: Expr) -> Expr:
        parts: list[Expr] = [exp.LTE(this=column.copy(), expression=lit(window.end.isoformat()))]
        if window.start is not None:
            parts.insert(0, exp.GT(this=column.copy(), expression=lit(window.start.isoformat())))
        return _and(parts)

    def attr_test(self, test: AttrTest) -> Expr:
        value = col(f"a_{test.name}")
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
        right = lit(test.value)
        return {">=": exp.GTE, "<=": exp.LTE, ">": exp.GT, "<": exp.LT, "=": exp.EQ}[test.op](
            this=value, expression=right
        )

    def only(self, column: Expr) -> Expr:
        """Restrict to the subjects being re-evaluated (none: an always-false condition)."""
        ids = sorted(set(self.subject_ids or ()))
        return exp.In(this=column, expressions=[lit(i) for i in ids]) if ids else exp.false()

    def flag_name(self, kind: str, index: int) -> str:
        return f"{kind}{index}"

    # -- CTEs ------------------------------------------------------------------------------------
    def rec(self) -> exp.Select:
        plan = self.plan
        items = sorted({i for m in plan.measures for i in m.records.items})
        starts = [w.start for w in self.windows]
        widest = Window(
            None if None in starts or not starts else min(s for s in starts if s), plan.as_of
        )
        decided = col("decided_on", "r")
        newer = (
            exp.select("1")
            .from_(exp.table_("records", alias="n"))
            .where(
                _and(
                    [
                        exp.EQ(this=col("supersedes_id", "n"), expression=col("id", "r")),
                        exp.LTE(
                            this=col("decided_on", "n"), expression=lit(plan.as_of.isoformat())
                        ),
                    ]
                )
            )
        )
        ended = (
            exp.select("1")
            .from_(exp.table_("record_events", alias="e"))
            .where(
                _and(
                    [
                        exp.EQ(this=col("record_id", "e"), expression=col("id", "r")),
                        exp.LTE(
                            this=col("effective_on", "e"), expression=lit(plan.as_of.isoformat())
                        ),
                    ]
                )
            )
        )
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
            exp.Not(this=exp.Exists(this=newer)),
            exp.Not(this=exp.Exists(this=ended)),
        ]
        if self.subject_ids is not None:
            where.append(self.only(col("subject_id", "r")))
        return exp.select(*columns).from_(exp.table_("records", alias="r")).where(_and(where))

    def k(self) -> exp.Select:
        keys: list[Expr] = [col("subject_id"), col("item_code"), col("severity")]
        for index, window in enumerate(self.windows):
            flag = _case(self.in_window(window, col("decided_on")), lit(1), lit(0))
            keys.append(exp.alias_(flag, self.flag_name("w", index)))
        for index, test in enumerate(self.tests):
            keys.append(
                exp.alias_(_case(self.attr_test(test), lit(1), lit(0)), self.flag_name("t", index))
            )
        distinct = sorted(
            {m.attribute for m in self.plan.measures if m.kind == "distinct" and m.attribute}
        )
        keys += [col(f"a_{a}") for a in distinct]
        sums = sorted({m.attribute for m in self.plan.measures if m.kind == "sum" and m.attribute})
        aggregates = [exp.alias_(exp.Count(this=exp.Star()), "n")]
        aggregates += [exp.alias_(exp.Sum(this=col(f"a_{a}")), f"s_{a}") for a in sums]
        group = [k.unalias() if isinstance(k, exp.Alias) else k for k in keys]
        return exp.select(*keys, *aggregates).from_("rec").group_by(*group)

    def measure_condition(self, measure: Measure) -> Expr:
        rs = measure.records
        parts: list[Expr] = [
            exp.In(this=col("item_code"), expressions=[lit(i) for i in sorted(rs.items)])
        ]
        if rs.severities is not None:
            parts.append(
                exp.In(this=col("severity"), expressions=[lit(s) for s in sorted(rs.severities)])
            )
        parts.append(
            exp.EQ(this=col(self.flag_name("w", self.windows.index(rs.window))), expression=lit(1))
        )
        for test in rs.attrs:
            parts.append(
                exp.EQ(this=col(self.flag_name("t", self.tests.index(test))), expression=lit(1))
            )
        return _and(parts)

    def p(self) -> exp.Select:
        columns: list[Expr] = [col("subject_id")]
        for index, measure in enumerate(self.plan.measures):
            condition = self.measure_condition(measure)
            if measure.kind == "count":
                value: Expr = exp.Sum(this=_case(condition, col("n"), lit(0)))
            elif measure.kind == "sum":
                value = exp.Sum(this=_case(condition, col(f"s_{measure.attribute}"), exp.null()))
            else:
                value = exp.Count(
                    this=exp.Distinct(
                        expressions=[_case(condition, col(f"a_{measure.attribute}"), exp.null())]
                    )
                )
            columns.append(exp.alias_(value, f"m{index}"))
        return exp.select(*columns).from_("k").group_by(col("subject_id"))

    def scope(self) -> Expr:
        scope = self.plan.scope
        s = "s"
        parts: list[Expr] = [
            exp.In(this=col("kind", s), expressions=[lit(k) for k in sorted(scope.kinds)]),
            exp.In(this=col("status", s), expressions=[lit(k) for k in sorted(scope.statuses)]),
        ]
        if scope.region_prefix:
            parts.append(
                exp.Like(this=col("region_code", s), expression=lit(f"{scope.region_prefix}%"))
            )
        if scope.industries:
            parts.append(
                exp.or_(
                    *[
                        exp.Like(this=col("industry_code", s), expression=lit(f"{i}%"))
                        for i in scope.industries
                    ]
                )
            )
        if self.subject_ids is not None:
            parts.append(self.only(col("id", s)))
        if scope.registered_on_or_before:
            parts.append(
                exp.LTE(
                    this=col("registered_on", s),
                    expression=lit(scope.registered_on_or_before.isoformat()),
                )
            )
        return _and(parts)

    def scored(self) -> exp.Select:
        plan = self.plan
        measures = [
            exp.alias_(exp.func("COALESCE", col(f"m{i}", "p"), lit(0)), f"m{i}")
            for i in range(len(plan.measures))
        ]
        score: Expr = lit(float(plan.base))
        for rule in plan.rules:
            measured = exp.func("COALESCE", col(f"m{rule.measure}", "p"), lit(0))
            value: Expr
            if rule.threshold is not None:
                value = _case(
                    exp.GTE(this=measured, expression=lit(rule.threshold)),
                    lit(float(rule.per_unit)),
                    lit(0.0),
                )
            else:
                value = exp.Mul(this=lit(float(rule.per_unit)), expression=measured)
            if rule.cap is not None:
                value = self.clamp(value, -rule.cap, rule.cap)
            score = exp.Add(this=score, expression=value)
        score = self.clamp(score, plan.total_min, plan.total_max)
        subject = [col(c, "s") for c in ("registered_on", "kind", "industry_code")]
        join = exp.EQ(this=col("subject_id", "p"), expression=col("id", "s"))
        return (
            exp.select(
                exp.alias_(col("id", "s"), "subject_id"),
                *subject,
                *measures,
                exp.alias_(score, "score"),
            )
            .from_(exp.table_("subjects", alias="s"))
            .join(exp.table_("p"), on=join, join_type="left")
            .where(self.scope())
        )

    def holds(self, condition: ConditionNode) -> Expr:
        parts: list[Expr] = []
        if condition.measure is not None:
            parts.append(
                exp.GTE(this=col(f"m{condition.measure}"), expression=lit(condition.at_least))
            )
        if condition.subject is not None:
            t = condition.subject
            if t.registered_after is not None:
                parts.append(
                    exp.GT(
                        this=col("registered_on"), expression=lit(t.registered_after.isoformat())
                    )
                )
            if t.kinds is not None:
                parts.append(
                    exp.In(this=col("kind"), expressions=[lit(k) for k in sorted(t.kinds)])
                )
            if t.industries is not None:
                parts.append(
                    exp.or_(
                        *[
                            exp.Like(this=col("industry_code"), expression=lit(f"{i}%"))
                            for i in t.industries
                        ]
                    )
                )
        if condition.score_below is not None:
            parts.append(exp.LT(this=col("score"), expression=lit(condition.score_below - EPSILON)))
        if condition.score_at_least is not None:
            parts.append(
                exp.GTE(this=col("score"), expression=lit(condition.score_at_least - EPSILON))
            )
        return _and(parts)

    def graded(self) -> exp.Select:
        """The grade as an index into the bands (0 best): band, then the first override that
        holds, then bars (each keeps the grade at or below its limit); -1 for a new subject."""
        plan = self.plan
        order = plan.grades
        greatest = GREATEST_LEAST.get(self.dialect, ("GREATEST", "LEAST"))[0]
        band_ifs = [
            exp.If(
                this=exp.GTE(this=col("score"), expression=lit(minimum - EPSILON)),
                true=lit(position),
            )
            for position, (_, minimum) in enumerate(plan.bands)
            if minimum is not None
        ]
        index: Expr = exp.Case(ifs=band_ifs, default=lit(len(order) - 1)) if band_ifs else lit(0)
        if plan.overrides:
            index = exp.Case(
                ifs=[
                    exp.If(this=self.holds(c), true=lit(order.index(g))) for g, c in plan.overrides
                ],
                default=index,
            )
        for grade, condition in plan.bars:
            limit = _case(self.holds(condition), lit(order.index(grade)), lit(0))
            index = exp.Anonymous(this=greatest, expressions=[index, limit])
        if plan.new_subject is not None:
            index = _case(self.holds(plan.new_subject[1]), lit(-1), index)
        return exp.select(exp.Star(), exp.alias_(index, "grade_index")).from_("scored")

    def query(self) -> exp.Select:
        plan = self.plan
        grade: Expr = exp.null()
        if plan.bands:
            ifs = [
                exp.If(this=exp.EQ(this=col("grade_index"), expression=lit(i)), true=lit(g))
                for i, g in enumerate(plan.grades)
            ]
            if plan.new_subject is not None:
                ifs.append(
                    exp.If(
                        this=exp.EQ(this=col("grade_index"), expression=lit(-1)),
                        true=lit(plan.new_subject[0]),
                    )
                )
            grade = exp.Case(ifs=ifs)
        columns: list[Expr] = [col("subject_id"), col("score"), exp.alias_(grade, "grade")]
        for name, condition in plan.lists:
            columns.append(
                exp.alias_(
                    _case(self.holds(condition), lit(1), lit(0)), f"list_{name.replace('-', '_')}"
                )
            )
        columns += [col(f"m{i}") for i in range(len(plan.measures))]
        query = exp.select(*columns).from_("graded")
        for name, body in (
            ("rec", self.rec()),
            ("k", self.k()),
            ("p", self.p()),
            ("scored", self.scored()),
            ("graded", self.graded()),
        ):
            query = query.with_(name, as_=body)
        return query.order_by(col("subject_id"))


def compile_plan(
    plan: Plan, dialect: str = "sqlite", subject_ids: Sequence[int] | None = None
) -> exp.Select:
    """The plan's query; with ``subject_ids``, only for those subjects."""
    return Compiler(plan, dialect, subject_ids).query()


def to_sql(
    plan: Plan,
    dialect: str = "sqlite",
    pretty: bool = False,
    subject_ids: Sequence[int] | None = None,
) -> str:
    return compile_plan(plan, dialect, subject_ids).sql(dialect=dialect, pretty=pretty)
