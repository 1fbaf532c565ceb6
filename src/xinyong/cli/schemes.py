"""CLI commands for schemes, evaluations and comparisons (mounted by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.application import Application
from xinyong.catalog.items import Catalog
from xinyong.errors import XinyongError
from xinyong.schemes.compiler import DIALECTS, to_sql
from xinyong.schemes.ir import plan
from xinyong.schemes.library import Library
from xinyong.schemes.model import Scheme, load_scheme
from xinyong.settings import Settings
from xinyong.store.database import Database

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


def _app(extra_catalog: list[Path] | None = None) -> Application:
    """The application over the settings of this command line (and any extra catalog)."""
    settings = Context.settings
    if extra_catalog:
        paths = [*settings.catalog_paths, *extra_catalog]
        settings = settings.model_copy(update={"catalog_paths": paths})
    return Application.build(settings)


def _day(text: str | None) -> date | None:
    """A date option as given, or None for the application clock's today."""
    return None if text is None else _as_of(text)


def _database() -> Database:
    db = Database(Context.settings.database_url)
    db.require_current()
    return db


@schemes_app.command("list")
def schemes_list(
    type: Annotated[
        str | None, typer.Option("--type", help="SCS type: rating, list, points, measures.")
    ] = None,
    industry: Annotated[
        str | None, typer.Option(help="GB/T 4754 section or division, e.g. E or 48.")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="GB/T 2260 code; finds schemes above and below it.")
    ] = None,
    catalog: CatalogOption = None,
) -> None:
    """The scheme catalog, filed by SCS type, industry and location."""
    from xinyong.reference.regions import Regions

    regions = Regions.load()
    table = Table("scheme", "type", "industry", "region", "in force", "title")
    found = _library(_catalog(catalog)).filed(type=type, industry=industry, region=region)
    for scheme in found:
        meta = scheme.definition.scheme
        place = "全国" if meta.region == "000000" else "".join(regions.path(meta.region))
        table.add_row(
            scheme.key,
            meta.type.value,
            meta.industry or "all",
            f"{meta.region} {place}",
            f"{meta.effective_from}..{meta.effective_to or ''}",
            meta.title.zh,
        )
    for column in table.columns[:-1]:
        column.no_wrap = True
    Console(width=max(out.width, 150)).print(table)
    out.print(f"{len(found)} schemes")


@schemes_app.command("latest")
def schemes_latest(
    limit: Annotated[int, typer.Option(help="How many entries.")] = 20,
    catalog: CatalogOption = None,
) -> None:
    """The dated feed of scheme publications and new versions, newest first."""
    for entry in _library(_catalog(catalog)).latest(limit):
        out.print(entry.describe(), markup=False, highlight=False)


@schemes_app.command("show")
def schemes_show(
    reference: str,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "en",
    catalog: CatalogOption = None,
) -> None:
    """One scheme in plain words: what counts, for how much, what follows, on what basis."""
    from xinyong.schemes.plain import render, render_text

    if lang not in ("zh", "en"):
        raise XinyongError(f"--lang {lang!r}: use zh or en")
    used = _catalog(catalog)
    library = _library(used)
    scheme = library.get(reference)
    text = render_text(render(scheme, used, "zh" if lang == "zh" else "en", library))
    out.print(text, markup=False, highlight=False)
    out.print(f"(file: {scheme.path})", markup=False, highlight=False)


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
    spark: Annotated[
        bool, typer.Option(help="Also run every case on Spark SQL (needs pyspark and Java).")
    ] = False,
) -> None:
    """Run schemes' own test cases with the compiled query and the reference evaluator."""
    import importlib.util

    from xinyong.evaluation.scheme_cases import run_tests, uncovered

    on_duckdb = importlib.util.find_spec("duckdb") is not None if duckdb is None else duckdb
    used = _catalog(catalog)
    schemes: list[Scheme] = [load_scheme(p, used) for p in paths] if paths else list(_library(used))
    db = Database(Context.settings.database_url if database else "sqlite://")
    db.migrate()
    session = None
    if spark:
        from xinyong.backends import spark as spark_backend

        session = spark_backend.session()
    failed = total = 0
    try:
        for scheme in schemes:
            results = run_tests(db, scheme, used, on_duckdb, session)
            for result in results:
                total += 1
                mark = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
                out.print(f"{mark} {result.scheme} / {result.name}")
                for problem in result.problems:
                    out.print(f"     {problem}")
                failed += not result.passed
            missing = uncovered(scheme, results)
            if missing:
                out.print(f"[yellow]{scheme.key}: no test case for[/yellow] {', '.join(missing)}")
    finally:
        if session is not None:
            session.stop()
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
    engine: Annotated[
        str | None,
        typer.Option(
            help="sqlite, postgres, duckdb or spark (default: the database's own engine); "
            "duckdb and spark run over a copy of the tables and the run is kept here."
        ),
    ] = None,
    catalog: CatalogOption = None,
) -> None:
    """Evaluate a scheme inside the database, keep the run, print grades and lists."""
    app = _app(catalog)
    day = _as_of(as_of)
    evaluated = app.evaluations.evaluate(reference, as_of=day, engine=engine, publish=publish)
    run, grades, lists, published = (
        evaluated.run,
        evaluated.grades,
        evaluated.lists,
        evaluated.published,
    )
    out.print(f"run #{run.id}: {run.scheme} as of {run.as_of}, {run.subjects} subjects in scope")
    for grade, n in sorted(grades.items(), key=lambda kv: str(kv[0])):
        if grade is not None:
            out.print(f"  grade {grade}: {n}")
    for name, n in sorted(lists.items()):
        out.print(f"  list {name}: {n}")
    if publish:
        out.print(f"published {published} grades as EVAL_INDUSTRY_GRADE records")
    if explain:
        lines = app.evaluations.explain(run.scheme, explain, day).lines()
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
    from xinyong.evaluation.runs import compare_runs, store_run

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


export_app = typer.Typer(help="Export the tables compiled schemes read.", no_args_is_help=True)


@export_app.command("parquet")
def export_parquet(
    folder: Annotated[Path, typer.Argument(help="Where the .parquet files go.")],
) -> None:
    """Write subjects, records, record events and objections as Parquet files, for DuckDB and
    Spark SQL (``from_parquet``) at scale."""
    written = _app().evaluations.export_parquet(folder)
    for table, rows in written.items():
        out.print(f"{folder / f'{table}.parquet'}: {rows} rows")
