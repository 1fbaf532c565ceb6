"""CLI commands for schemes, evaluations and comparisons (mounted by :mod:`xinyong.cli`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.catalog import Catalog
from xinyong.compiler import DIALECTS, to_sql
from xinyong.database import Database
from xinyong.errors import XinyongError
from xinyong.ir import plan
from xinyong.library import Library
from xinyong.scheme import Scheme, load_scheme
from xinyong.settings import Settings

schemes_app = typer.Typer(
    help="Scheme files: list, show, check, test, compile.", no_args_is_help=True
)
out = Console()

CatalogOption = Annotated[
    list[Path] | None, typer.Option("--catalog", help="Extra catalog file (repeatable).")
]
AsOf = Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today).")]


class Context:
    """Set by the main CLI callback."""

    settings: Settings = Settings()


def _catalog(extra: list[Path] | None) -> Catalog:
    return Catalog.load([*Context.settings.catalog_paths, *(extra or [])])


def _library(catalog: Catalog) -> Library:
    return Library.load(catalog, Context.settings.scheme_paths)


def _as_of(text: str | None) -> date:
    if text is None:
        return Context.settings.current_date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise XinyongError(f"--as-of {text!r} is not a date; write YYYY-MM-DD") from None


def _database() -> Database:
    db = Database(Context.settings.database_url)
    db.require_current()
    return db


@schemes_app.command("list")
def schemes_list(catalog: CatalogOption = None) -> None:
    """Every scheme: id, version, type, region, industry, dates and title."""
    table = Table("id", "version", "type", "region", "industry", "effective", "title")
    for scheme in _library(_catalog(catalog)):
        meta = scheme.definition.scheme
        table.add_row(
            scheme.id,
            str(scheme.version),
            meta.type.value,
            meta.region,
            meta.industry or "",
            f"{meta.effective_from}..{meta.effective_to or ''}",
            meta.title.zh,
        )
    out.print(table)


@schemes_app.command("show")
def schemes_show(reference: str, catalog: CatalogOption = None) -> None:
    """One scheme: metadata, legal basis, rules, grades and lists."""
    scheme = _library(_catalog(catalog)).get(reference)
    d = scheme.definition
    out.print(
        f"[bold]{scheme.key}[/bold] {d.scheme.title.zh} / {d.scheme.title.en} "
        f"({d.scheme.type.value}; {scheme.path})"
    )
    out.print(
        f"issued by {d.scheme.authority}, region {d.scheme.region}, effective "
        f"{d.scheme.effective_from}..{d.scheme.effective_to or ''}"
    )
    for basis in d.scheme.legal_basis:
        out.print(f"basis: {basis.cite()}")
    if d.scheme.own_modelling:
        out.print(f"our own modelling: {d.scheme.own_modelling}")
    out.print(f"base {d.score.base:g}; window {d.window}")
    for rule in d.score.rules:
        if rule.per_record is not None:
            points = f"{rule.per_record:+g} per record"
        elif rule.points is not None:
            points = f"{rule.points:+g} once {rule.at_least} or more records match"
        else:
            points = f"{rule.amount:+g} x {rule.of}"
        out.print(f"  {rule.id}: {points}{f', cap {rule.cap:g}' if rule.cap else ''}")
    if d.grades:
        out.print(
            "bands: "
            + ", ".join(
                f"{b.grade}>={b.min:g}" if b.min is not None else b.grade for b in d.grades.bands
            )
        )
    for entry in d.lists:
        out.print(
            f"list {entry.id} ({entry.name.zh}): period {entry.period}, notice {entry.notice}"
        )


@schemes_app.command("check")
def schemes_check(paths: list[Path], catalog: CatalogOption = None) -> None:
    """Load scheme files and report the first problem, with file and line."""
    used = _catalog(catalog)
    for path in paths:
        scheme = load_scheme(path, used)
        out.print(f"ok: {scheme.key} ({len(scheme.definition.tests)} test cases)")


@schemes_app.command("test")
def schemes_test(
    paths: Annotated[list[Path] | None, typer.Argument(help="Scheme files (default: all).")] = None,
    catalog: CatalogOption = None,
    database: Annotated[
        bool, typer.Option(help="Run in the configured database (rolled back), not in memory.")
    ] = False,
    duckdb: Annotated[
        bool | None, typer.Option(help="Also run every case on DuckDB (default: if installed).")
    ] = None,
) -> None:
    """Run schemes' own test cases with the compiled query and the reference evaluator."""
    import importlib.util

    from xinyong.schemetests import run_tests

    on_duckdb = importlib.util.find_spec("duckdb") is not None if duckdb is None else duckdb
    used = _catalog(catalog)
    schemes: list[Scheme] = [load_scheme(p, used) for p in paths] if paths else list(_library(used))
    db = Database(Context.settings.database_url if database else "sqlite://")
    db.migrate()
    failed = total = 0
    for scheme in schemes:
        for result in run_tests(db, scheme, used, on_duckdb):
            total += 1
            mark = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
            out.print(f"{mark} {result.scheme} / {result.name}")
            for problem in result.problems:
                out.print(f"     {problem}")
            failed += not result.passed
    out.print(f"{total - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@schemes_app.command("compile")
def schemes_compile(
    reference: str,
    dialect: Annotated[str, typer.Option(help=f"One of {', '.join(DIALECTS)}.")] = "sqlite",
    as_of: AsOf = None,
    catalog: CatalogOption = None,
) -> None:
    """Print the one query a scheme compiles to, for a dialect and an as-of date."""
    used = _catalog(catalog)
    scheme = _library(used).get(reference)
    out.print(
        to_sql(plan(scheme, used, _as_of(as_of)), dialect, pretty=True),
        markup=False,
        highlight=False,
    )


def evaluate(
    reference: Annotated[str, typer.Argument(help="SCHEME_ID or SCHEME_ID@VERSION")],
    as_of: AsOf = None,
    explain: Annotated[str | None, typer.Option(help="Explain one subject (code).")] = None,
    publish: Annotated[
        bool, typer.Option(help="Publish the grades as credit-evaluation records.")
    ] = False,
    catalog: CatalogOption = None,
) -> None:
    """Evaluate a scheme inside the database, keep the run, print grades and lists."""
    from xinyong.explain import explain as explain_subject
    from xinyong.runs import grade_distribution, list_counts, publish_run, store_run

    used = _catalog(catalog)
    day = _as_of(as_of)
    scheme = _library(used).get(reference, on=None if "@" in reference else day)
    db = _database()
    with db.begin() as conn:
        run = store_run(conn, scheme, used, day)
        grades = grade_distribution(conn, run.id)
        lists = list_counts(conn, run.id)
        published = publish_run(conn, run) if publish else 0
    out.print(f"run #{run.id}: {run.scheme} as of {run.as_of}, {run.subjects} subjects in scope")
    for grade, n in sorted(grades.items(), key=lambda kv: str(kv[0])):
        if grade is not None:
            out.print(f"  grade {grade}: {n}")
    for name, n in sorted(lists.items()):
        out.print(f"  list {name}: {n}")
    if publish:
        out.print(f"published {published} grades as EVAL_INDUSTRY_GRADE records")
    if explain:
        with db.connect() as conn:
            lines = explain_subject(conn, scheme, used, day, explain).lines()
        out.print("\n".join(lines), markup=False, highlight=False)


def compare(
    first: Annotated[str, typer.Argument(help="SCHEME_ID[@VERSION]")],
    second: Annotated[str, typer.Argument(help="SCHEME_ID[@VERSION]")],
    as_of: AsOf = None,
    second_as_of: Annotated[
        str | None, typer.Option("--second-as-of", help="Compare two dates of one scheme.")
    ] = None,
    catalog: CatalogOption = None,
) -> None:
    """Grade transitions between two scheme versions (or two dates) over the same data."""
    from xinyong.runs import compare_runs, store_run

    used = _catalog(catalog)
    library = _library(used)
    day = _as_of(as_of)
    other_day = _as_of(second_as_of) if second_as_of else day
    db = _database()
    with db.begin() as conn:
        run_a = store_run(conn, library.get(first), used, day)
        run_b = store_run(conn, library.get(second), used, other_day)
        result = compare_runs(conn, run_a.id, run_b.id)
    out.print(
        f"{run_a.scheme} as of {run_a.as_of} (run #{run_a.id}) -> "
        f"{run_b.scheme} as of {run_b.as_of} (run #{run_b.id})"
    )
    grades = sorted({g for pair in result.transitions for g in pair if g is not None})
    table = Table("from \\ to", *grades, "out of scope")
    for source in [*grades, None]:
        cells = [str(result.transitions.get((source, target), "")) for target in [*grades, None]]
        table.add_row(source or "out of scope", *cells)
    out.print(table)
    for code, grade_a, grade_b, score_a, score_b in result.changed:
        out.print(
            f"  {code}: {grade_a or '-'} ({score_a if score_a is not None else '-'}) -> "
            f"{grade_b or '-'} ({score_b if score_b is not None else '-'})"
        )
