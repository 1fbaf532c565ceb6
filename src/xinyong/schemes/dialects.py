"""What differs between the databases a scheme's query runs on, as a table, and the small
expression helpers the compiler builds with.

A :class:`Dialect` says how that database reads one attribute of the JSON ``attributes``
column, what its two-argument greatest and least are called, and whether a small per-item
table is better looked up by a CASE than joined (SQLite scans a joined table once per row).
The compiler reads these facts; it has no if-chain on a dialect's name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from xinyong.errors import Unsupported

Expr = exp.Expr


def json_path(column: Expr, key: str) -> Expr:
    """``column ->> '$.key'`` as each dialect spells it (sqlglot writes the spelling)."""
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=column, expression=path)


def jsonb_text(column: Expr, key: str) -> Expr:
    """PostgreSQL's ``jsonb_extract_path_text``, which uses the column's GIN-friendly type."""
    return exp.func("jsonb_extract_path_text", column, exp.Literal.string(key))


@dataclass(frozen=True, slots=True)
class Dialect:
    """One database's facts, under the name sqlglot knows it by."""

    name: str
    attribute: Callable[[Expr, str], Expr] = json_path
    greatest: str = "GREATEST"
    least: str = "LEAST"
    case_lookup: bool = False


#: Every dialect a scheme compiles to.
DIALECTS: dict[str, Dialect] = {
    "sqlite": Dialect("sqlite", greatest="MAX", least="MIN", case_lookup=True),
    # PostgreSQL estimates the join of ``k`` to the small item table far too low and then
    # hashes the per-subject aggregate in many batches on disk; the CASE on the item keeps
    # ``k``'s order and a streaming aggregate (docs/benchmarks.md, 2026-12-01, measures)
    "postgres": Dialect("postgres", attribute=jsonb_text, case_lookup=True),
    "duckdb": Dialect("duckdb"),
    "spark": Dialect("spark"),
}


def dialect(name: str) -> Dialect:
    """The dialect called ``name``; another name is :class:`~xinyong.errors.Unsupported`."""
    found = DIALECTS.get(name)
    if found is None:
        raise Unsupported(f"no dialect {name!r}; one of {', '.join(DIALECTS)}")
    return found


def bind(name: str) -> Expr:
    """A parameter ``:name`` bound when the statement runs, as SQLAlchemy's ``text()`` reads
    it on every database (sqlglot's own placeholder takes each driver's style instead)."""
    return exp.Var(this=f":{name}")


def bound_subjects(column: Expr, dialect: str) -> Expr:
    """``column`` is one of the subjects bound to ``subjects`` when the statement runs: on
    PostgreSQL ``= ANY(:subjects)`` with an array (one statement text, and so one
    prepared plan, for any number of subjects), elsewhere ``IN :subjects``, an expanding
    parameter."""
    if dialect == "postgres":
        return exp.EQ(this=column, expression=exp.Any(this=exp.Paren(this=bind("subjects"))))
    return exp.In(this=column, field=bind("subjects"))


def lit(value: object) -> Expr:
    """A literal. A whole number is written as an integer even when the scheme gave it as a
    float, and any other number as a DOUBLE: PostgreSQL and DuckDB read ``1.0`` as NUMERIC or
    DECIMAL, whose arithmetic is several times slower than integer or floating point (the
    reference evaluator works in floats, so DOUBLE is also the closer match)."""
    if isinstance(value, bool):
        return exp.Literal.number(int(value))
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return exp.Literal.number(int(value))
    if isinstance(value, float):
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.Type.DOUBLE)
    if isinstance(value, int):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table)


def and_(parts: Sequence[Expr]) -> Expr:
    return exp.and_(*parts) if parts else exp.true()


def case(condition: Expr, then: Expr, otherwise: Expr) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=condition, true=then)], default=otherwise)


def bigint(value: Expr) -> Expr:
    return exp.cast(value, exp.DataType.build("BIGINT"))
