"""Compile a :class:`~xinyong.schemes.ir.Plan` into one relational query (sqlglot expressions).

The query has the shape of a hand-written one:

1. ``rec``: the record versions in effect on the as-of date, for the items the scheme reads;
2. ``k``: one row per (subject, item) with a count, and a count, sum or flag for each other kind
   of record a measure reads (a severity, a narrower window, attribute tests);
3. ``w``: one row per item the scheme reads, with what the scheme says of it: the points and
   cap of the rule that gives points per record of it, and a 0/1 flag per set of items that a
   measure reads;
4. ``p``: one row per subject, from ``k`` joined to ``w`` on the item (the hand-written query's
   join to its table of item rules; on SQLite a CASE on the item instead): the capped points
   of the per-record rules, and every other measure as a conditional aggregate, in one pass;
5. ``scored``, ``ranked`` and ``graded``: every subject in scope, with its score, the index of
   its band and of the override that forced a grade, and the index of its grade after bars;
6. the final select: score, grade, what set the grade (``decided_by``), one 0/1 column per
   list, and the measures for explanations.

Sums of whole numbers (counts, and points when every per-record rule's points and cap are
whole) are cast to BIGINT: without it PostgreSQL sums them as NUMERIC and DuckDB as HUGEINT.

What differs between databases is a table (:mod:`xinyong.schemes.dialects`), not an if-chain;
dates are literals, resolved when the plan was made. The record stages (1 to 4) are built by
:class:`~xinyong.schemes.stages.Stages`; this module adds scope, scoring, grading and lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from xinyong.schemes.dialects import DIALECTS, Expr, and_, case, col, lit
from xinyong.schemes.ir import EPSILON, ConditionNode, Plan
from xinyong.schemes.stages import ORDER, Stages

__all__ = ["DIALECTS", "Compiler", "compile_plan", "to_sql"]


class Compiler(Stages):
    """A plan's one query: the record stages, then scope, score, grade and lists."""

    def scope(self) -> Expr:
        scope = self.plan.scope
        s = "s"
        parts: list[Expr] = [
            exp.In(this=col("kind", s), expressions=[lit(k) for k in sorted(scope.kinds)]),
            exp.In(this=col("status", s), expressions=[lit(k) for k in sorted(scope.statuses)]),
        ]
        if scope.region_prefix:
            registered: Expr = exp.Like(
                this=col("region_code", s), expression=lit(f"{scope.region_prefix}%")
            )
            if scope.operating_prefix:
                registered = exp.paren(exp.or_(registered, self.operating()))
            parts.append(registered)
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
        if scope.individuals_born_on_or_before:
            born = scope.individuals_born_on_or_before.isoformat()
            parts.append(
                exp.paren(
                    exp.or_(
                        exp.NEQ(this=col("kind", s), expression=lit("individual")),
                        exp.LTE(this=col("registered_on", s), expression=lit(born)),
                    )
                )
            )
        if scope.existing_on:
            registered = col("registered_on", s)
            parts.append(
                exp.or_(
                    exp.Is(this=registered, expression=exp.Null()),
                    exp.LTE(this=registered.copy(), expression=lit(scope.existing_on.isoformat())),
                )
            )
        return and_(parts)

    def previous(self) -> exp.Select:
        """Each subject's previous result: its newest stored result under the scheme from a
        run as of a day in the previous period (latest as-of date first, then latest run)."""
        previous = self.plan.previous
        assert previous is not None
        order = exp.Order(
            expressions=[
                exp.Ordered(this=col("as_of", "u"), desc=True),
                exp.Ordered(this=col("id", "u"), desc=True),
            ]
        )
        rank = exp.Window(this=exp.RowNumber(), partition_by=[col("subject_id", "e")], order=order)
        where: list[Expr] = [
            exp.EQ(this=col("scheme_id", "u"), expression=lit(previous.scheme_id)),
            exp.LT(this=col("as_of", "u"), expression=lit(previous.before.isoformat())),
        ]
        if previous.since is not None:
            since = lit(previous.since.isoformat())
            where.append(exp.GTE(this=col("as_of", "u"), expression=since))
        if self.subject_ids is not None:
            where.append(self.only(col("subject_id", "e")))
        ranked = (
            exp.select(col("subject_id", "e"), col("grade", "e"), exp.alias_(rank, "n"))
            .from_(exp.table_("evaluation_results", alias="e"))
            .join(
                exp.table_("evaluation_runs", alias="u"),
                on=exp.EQ(this=col("id", "u"), expression=col("run_id", "e")),
            )
            .where(and_(where))
        )
        return (
            exp.select(col("subject_id", "h"), exp.alias_(col("grade", "h"), "previous_grade"))
            .from_(exp.alias_(exp.Subquery(this=ranked), "h"))
            .where(exp.EQ(this=col("n", "h"), expression=lit(1)))
        )

    def operating(self) -> Expr:
        """The subject has a record of the scheme's items decided in the region by the as-of
        date (whatever became of it since: it operated there)."""
        scope = self.plan.scope
        items = sorted(scope.operating_items) or [""]
        where: list[Expr] = [
            exp.Like(this=col("decided_in", "o"), expression=lit(f"{scope.operating_prefix}%")),
            exp.In(this=col("item_code", "o"), expressions=[lit(i) for i in items]),
            exp.LTE(this=col("decided_on", "o"), expression=lit(self.plan.as_of.isoformat())),
        ]
        if self.subject_ids is not None:
            where.append(self.only(col("subject_id", "o")))
        there = exp.select(col("subject_id", "o")).from_(exp.table_("records", alias="o"))
        return exp.In(this=col("id", "s"), query=exp.Subquery(this=there.where(and_(where))))

    def scored(self) -> exp.Select:
        plan = self.plan
        # a count, a sum or a distinct count of no records is 0; a minimum, a maximum or a mean
        # of none has no value (NULL), and a comparison with it does not hold
        measures = [
            exp.alias_(
                exp.func("COALESCE", col(f"m{i}", "p"), lit(0))
                if plan.measures[i].zero_when_empty
                else col(f"m{i}", "p"),
                f"m{i}",
            )
            for i in self.pivot
        ]
        score: Expr = lit(float(plan.base))
        if self.long_rules:
            points = col("points", "p")
            score = exp.Add(this=score, expression=exp.func("COALESCE", points, lit(0.0)))
        for rule in plan.rules:
            if rule in self.long_rules:
                continue
            measured = exp.func("COALESCE", col(f"m{rule.measure}", "p"), lit(0))
            value: Expr
            if rule.threshold is not None:
                value = case(
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
        query = (
            exp.select(
                exp.alias_(col("id", "s"), "subject_id"),
                *subject,
                *measures,
                exp.alias_(score, "score"),
            )
            .from_(exp.table_("subjects", alias="s"))
            .join(exp.table_("p"), on=join, join_type="left")
        )
        if plan.previous is not None:
            query = query.select(col("previous_grade", "h")).join(
                exp.table_("prev", alias="h"),
                on=exp.EQ(this=col("subject_id", "h"), expression=col("id", "s")),
                join_type="left",
            )
        return query.where(self.scope())

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
        for c in condition.comparisons:
            right: Expr = (
                lit(c.value)
                if c.right is None
                else exp.Mul(this=lit(float(c.times)), expression=col(f"m{c.right}"))
            )
            parts.append(ORDER[c.op](this=col(f"m{c.left}"), expression=right))
        if condition.previous is not None:
            grades = [lit(g) for g in sorted(condition.previous)]
            parts.append(exp.In(this=col("previous_grade"), expressions=grades))
        if condition.alternatives:
            parts.append(exp.paren(exp.or_(*[self.holds(a) for a in condition.alternatives])))
        return and_(parts)

    def ranked(self) -> exp.Select:
        """The band's index (0 best) and, where an override holds, the index of the first one
        that does (``forced_index``, NULL otherwise)."""
        plan = self.plan
        order = plan.grades
        band_ifs = [
            exp.If(
                this=exp.GTE(this=col("score"), expression=lit(minimum - EPSILON)),
                true=lit(position),
            )
            for position, (_, minimum) in enumerate(plan.bands)
            if minimum is not None
        ]
        band: Expr = exp.Case(ifs=band_ifs, default=lit(len(order) - 1)) if band_ifs else lit(0)
        columns: list[Expr] = [exp.Star(), exp.alias_(band, "band_index")]
        if plan.overrides:
            forced = exp.Case(
                ifs=[
                    exp.If(this=self.holds(c), true=lit(order.index(g))) for g, c in plan.overrides
                ]
            )
            columns.append(exp.alias_(forced, "forced_index"))
        return exp.select(*columns).from_("scored")

    def graded(self) -> exp.Select:
        """The grade as an index into the bands (0 best): the band, or the first override that
        holds, then bars (each keeps the grade at or below its limit); -1 for a new subject."""
        plan = self.plan
        order = plan.grades
        index = self.before_bars()
        for grade, condition in plan.bars:
            limit = case(self.holds(condition), lit(order.index(grade)), lit(0))
            index = exp.Anonymous(this=self.dialect.greatest, expressions=[index, limit])
        if plan.new_subject is not None:
            index = case(self.holds(plan.new_subject[1]), lit(-1), index)
        return exp.select(exp.Star(), exp.alias_(index, "grade_index")).from_("ranked")

    def before_bars(self) -> Expr:
        if not self.plan.overrides:
            return col("band_index")
        return exp.func("COALESCE", col("forced_index"), col("band_index"))

    def decided_by(self) -> Expr:
        """What set the grade: ``new_subject``, a ``bar`` that held it below the band or the
        override, an ``override``, or the score's ``band``."""
        ifs = [
            exp.If(
                this=exp.EQ(this=col("grade_index"), expression=lit(-1)), true=lit("new_subject")
            )
        ]
        if self.plan.bars:
            lowered = exp.GT(this=col("grade_index"), expression=self.before_bars())
            ifs.append(exp.If(this=lowered, true=lit("bar")))
        if self.plan.overrides:
            forced = exp.Not(this=exp.Is(this=col("forced_index"), expression=exp.Null()))
            ifs.append(exp.If(this=forced, true=lit("override")))
        return exp.Case(ifs=ifs, default=lit("band"))

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
        decided = (
            self.decided_by() if plan.bands else exp.cast(exp.null(), exp.DataType.build("TEXT"))
        )
        columns.append(exp.alias_(decided, "decided_by"))
        for name, condition in plan.lists:
            columns.append(
                exp.alias_(
                    case(self.holds(condition), lit(1), lit(0)), f"list_{name.replace('-', '_')}"
                )
            )
        columns += [col(f"m{i}") for i in self.pivot]
        query = exp.select(*columns).from_("graded")
        ctes: list[tuple[str, exp.Select]] = [("rec", self.rec()), ("k", self.k())]
        ctes += [("w", self.w())] if self.reads_w else []
        ctes += [("p", self.p())]
        ctes += [("prev", self.previous())] if plan.previous is not None else []
        ctes += [("scored", self.scored()), ("ranked", self.ranked()), ("graded", self.graded())]
        for name, body in ctes:
            query = query.with_(name, as_=body)
        # No ORDER BY: every reader keys the rows by subject, and sorting a million of them
        # cost DuckDB a twentieth of the query.
        return query


def compile_plan(
    plan: Plan,
    dialect: str = "sqlite",
    subject_ids: Sequence[int] | None = None,
    *,
    bound: bool = False,
) -> exp.Select:
    """The plan's query; with ``subject_ids``, only for those subjects; ``bound``, only for
    the subjects bound to ``:subjects`` when it runs (compiled once, run for any)."""
    return Compiler(plan, dialect, subject_ids, bound=bound).query()


def to_sql(
    plan: Plan,
    dialect: str = "sqlite",
    pretty: bool = False,
    subject_ids: Sequence[int] | None = None,
) -> str:
    return compile_plan(plan, dialect, subject_ids).sql(dialect=dialect, pretty=pretty)
