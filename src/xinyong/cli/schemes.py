"""CLI commands for schemes, evaluations and comparisons (mounted by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.cli import common
from xinyong.cli.common import AsOf, By, CatalogOption, application, out, scratch
from xinyong.errors import XinyongError
from xinyong.schemes.compiler import DIALECTS, to_sql
from xinyong.schemes.ir import plan
from xinyong.schemes.loading import load_scheme
from xinyong.schemes.model import Scheme

schemes_app = typer.Typer(
    help="Scheme files: list, show, check, test, compile.", no_args_is_help=True
)


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
    found = common.library(common.catalog(catalog)).filed(
        type=type, industry=industry, region=region
    )
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
    for entry in common.library(common.catalog(catalog)).latest(limit):
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
    used = common.catalog(catalog)
    library = common.library(used)
    scheme = library.get(reference)
    text = render_text(render(scheme, used, "zh" if lang == "zh" else "en", library))
    out.print(text, markup=False, highlight=False)
    out.print(f"(file: {scheme.path})", markup=False, highlight=False)


@schemes_app.command("check")
def schemes_check(paths: list[Path], catalog: CatalogOption = None) -> None:
    """Load scheme files and report the first problem, with file and line; then what static
    analysis finds (unreachable rules and bands, shadowed overrides, a redlist and a blacklist
    that can hold at once, lists that outlast their records' publication)."""
    used = common.catalog(catalog)
    for path in paths:
        scheme = load_scheme(path, used)
        out.print(f"ok: {scheme.key} ({len(scheme.definition.tests)} test cases)")
        for finding in scheme.findings:
            out.print(f"  finding: {finding}", markup=False, highlight=False)


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

    from xinyong.evaluation.scheme_cases import uncovered

    on_duckdb = importlib.util.find_spec("duckdb") is not None if duckdb is None else duckdb
    runner = application(catalog) if database else scratch(catalog)
    used = runner.catalog
    schemes: list[Scheme] = [load_scheme(p, used) for p in paths] if paths else list(runner.library)
    failed = total = 0
    with runner.schemes.spark() if spark else nullcontext() as session:
        for scheme in schemes:
            results = runner.schemes.test(scheme, duckdb=on_duckdb, spark=session)
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
    used = common.catalog(catalog)
    scheme = common.library(used).get(reference)
    out.print(
        to_sql(plan(scheme, used, common.as_of(as_of)), dialect, pretty=True),
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
    app = application(catalog)
    day = common.as_of(as_of)
    evaluated = app.evaluations.evaluate(reference, as_of=day, engine=engine, publish=publish)
    run, grades, lists, published = (
        evaluated.run,
        evaluated.grades,
        evaluated.lists,
        evaluated.published,
    )
    out.print(f"run #{run.id}: {run.scheme} as of {run.as_of}, {run.subjects} subjects in scope")
    if run.trial:
        out.print(
            f"  a trial run: {run.scheme} is not in force on {run.as_of}; "
            "no check, file or listing reads it"
        )
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
    day = common.as_of(as_of)
    other_day = common.as_of(second_as_of) if second_as_of else day
    run_a, run_b, result = application(catalog).evaluations.compare(
        first, second, as_of=day, second_as_of=other_day
    )
    out.print(
        f"{run_a.scheme} as of {run_a.as_of} (run #{run_a.id}{', trial' * run_a.trial}) -> "
        f"{run_b.scheme} as of {run_b.as_of} (run #{run_b.id}{', trial' * run_b.trial})"
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


@schemes_app.command("impact")
def schemes_impact(
    scheme: Annotated[str, typer.Argument(help="SCHEME_ID[@VERSION]: the new version")],
    against: Annotated[
        str | None,
        typer.Option(help="The version it replaces (default: in force, or the one before)."),
    ] = None,
    as_of: AsOf = None,
    json_out: Annotated[bool, typer.Option("--json", help="The whole report as JSON.")] = False,
    catalog: CatalogOption = None,
) -> None:
    """What a version does before it takes effect: grade transitions, list memberships, and
    the rate of each outcome by region, industry, kind and size, with bootstrap intervals."""
    import json

    report = application(catalog).simulations.impact(scheme, against, as_of=common.as_of(as_of))
    if json_out:
        out.print_json(json.dumps(report.to_json(), ensure_ascii=False))
        return
    out.print(
        f"{report.scheme} against {report.against or 'nothing (a first version)'} as of "
        f"{report.as_of}: {report.subjects} subjects in scope"
        + (f", {report.left_scope} leave its scope" if report.left_scope else "")
    )
    moves = Table("from", "to", "subjects")
    for (old, new), n in sorted(report.transitions.items(), key=lambda kv: -kv[1]):
        moves.add_row(old or "-", new or "-", str(n))
    if any(new for _, new in report.transitions):
        out.print(moves)
    for name, (members, now) in report.lists.items():
        out.print(f"list {name}: {members} -> {now}")
    for metric in report.metrics:
        if not metric.count and not metric.before:
            continue
        prior = "" if metric.before is None else f" (before {metric.before:.1%})"
        table = Table(
            "group",
            "subjects",
            "rate [95%]",
            "difference",
            "ratio",
            title=f"{metric.name}: {metric.rate:.1%}{prior}",
        )
        for dim, groups in metric.by.items():
            for g in groups:
                ratio = "-" if g.ratio is None else f"{g.ratio:.2f}"
                table.add_row(
                    f"{dim} {g.group}",
                    str(g.n),
                    f"{g.rate:.1%} [{g.interval.low:.1%}, {g.interval.high:.1%}]",
                    f"{g.difference:+.1%}",
                    ratio,
                )
        out.print(table)


@schemes_app.command("submit")
def schemes_submit(
    scheme: Annotated[str, typer.Argument(help="SCHEME_ID@VERSION")],
    by: By,
    against: Annotated[
        str | None, typer.Option(help="Measure its impact against this version.")
    ] = None,
    as_of: AsOf = None,
    catalog: CatalogOption = None,
) -> None:
    """Submit a version for review: its cases must pass; its impact report is stored with it
    for a second person to approve (xinyong schemes publish)."""
    review = application(catalog).schemes.submit(
        scheme, by=by, against=against, as_of=common.as_of(as_of)
    )
    out.print(
        f"review #{review.id} of {review.scheme} submitted by {review.submitted_by}: "
        f"{review.cases_passed}/{review.cases_total} cases pass, impact against "
        f"{review.against or 'nothing (a first version)'} as of {review.as_of} stored; "
        "a second person approves it with 'xinyong schemes publish'"
    )


@schemes_app.command("publish")
def schemes_publish(
    scheme: Annotated[str, typer.Argument(help="SCHEME_ID@VERSION")],
    by: By,
    catalog: CatalogOption = None,
) -> None:
    """Approve a submitted version and publish it (not by its submitter; once)."""
    done = application(catalog).schemes.publish(scheme, by=by)
    out.print(f"{done.scheme} published by {done.published_by} (audit #{done.audit_seq})")


export_app = typer.Typer(help="Export the tables compiled schemes read.", no_args_is_help=True)


@export_app.command("parquet")
def export_parquet(
    folder: Annotated[Path, typer.Argument(help="Where the .parquet files go.")],
) -> None:
    """Write subjects, records, record events and objections as Parquet files, for DuckDB and
    Spark SQL (``from_parquet``) at scale."""
    written = application().evaluations.export_parquet(folder)
    for table, rows in written.items():
        out.print(f"{folder / f'{table}.parquet'}: {rows} rows")
