"""CLI commands that bring records in: write sample files, ingest a department's file, and the
demo that does both and walks one subject through due process (mounted by
:mod:`xinyong.cli.main`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from xinyong.cli.common import application, catalog, err, library, out, settings


@contextmanager
def _progress() -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:

        def factory(label: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(label, total=total)
            return lambda n: progress.advance(task, n)

        yield factory


def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the files into.")],
    subjects: Annotated[int, typer.Option(min=1, help="Number of subjects.")] = 1000,
    records: Annotated[int, typer.Option(min=0, help="Number of records.")] = 10000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same files.")] = 0,
    bad_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Share of rows broken on purpose.")
    ] = 0.002,
    single_file: Annotated[
        bool, typer.Option(help="All records in one canonical records.csv.")
    ] = False,
    scheme_cases: Annotated[
        bool,
        typer.Option(help="Also turn every scheme's test cases into subjects and records."),
    ] = True,
) -> None:
    """Write deterministic sample subjects and records as departments send them."""
    from xinyong.samples.files import generate as write

    used = catalog()
    schemes = library(used) if scheme_cases else None
    with _progress() as progress:
        files = write(
            out_dir,
            used,
            library=schemes,
            subjects=subjects,
            records=records,
            seed=seed,
            bad_rate=bad_rate,
            single_file=single_file,
            progress=progress("generating", records),
        )
    for f in files:
        out.print(f"{out_dir / f.file}: {f.rows} rows, source {f.source}, profile {f.profile}")


def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV, JSONL or XLSX")],
    source: Annotated[str, typer.Option(help="The submitting department.")],
    batch_id: Annotated[
        str | None, typer.Option(help="The department's batch id (default: file hash).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding, e.g. gbk (default: detect).")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Column profile (default: chosen from the header).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Refuse the whole batch if any row is bad.")] = False,
    evaluate: Annotated[
        bool, typer.Option(help="Re-evaluate the subjects it touched under schemes in force.")
    ] = True,
) -> None:
    """Check and store one batch; bad rows go to quarantine with the reason."""
    with _progress() as progress:
        done = application().records.ingest_file(
            file,
            source,
            batch_key=batch_id,
            encoding=encoding,
            profile=profile,
            strict=strict,
            evaluate=evaluate,
            progress=lambda rows: progress(f"ingesting {file.name}", rows),
        )
    report, runs = done.report, done.runs
    if report.already_ingested:
        out.print(
            f"batch {report.batch_key} from {report.source} was already ingested "
            f"(batch #{report.batch_id}, {report.accepted} rows accepted); nothing changed"
        )
        return
    out.print(
        f"batch #{report.batch_id} ({report.file_format}, {report.encoding or 'binary'}, "
        f"profile {report.profile}): {report.rows_total} rows, {report.accepted} accepted, "
        f"{report.quarantined} quarantined, {report.warnings} warnings, "
        f"{report.subjects_registered} new subjects"
    )
    if runs:
        out.print(
            f"re-evaluated {len(report.subject_ids)} subjects under {len(runs)} "
            f"schemes in force: " + ", ".join(f"{r.scheme} (run #{r.id})" for r in runs)
        )
    for rejected in report.rejected[:10]:
        out.print(f"  row {rejected.number}: " + "; ".join(str(p) for p in rejected.problems))
    if report.quarantined > 10:
        out.print(f"  ... and {report.quarantined - 10} more: xinyong quarantine list")


def demo(
    folder: Annotated[Path, typer.Option(help="Where the sample files go.")] = Path("sample"),
    subjects: Annotated[int, typer.Option(min=1)] = 5000,
    records: Annotated[int, typer.Option(min=1)] = 50000,
    seed: int = 2019,
) -> None:
    """Generate sample data, ingest it, and summarise what was stored and what was refused."""
    from xinyong.application.demo import run_demo

    with _progress() as progress:
        result = run_demo(
            settings(),
            folder,
            subjects=subjects,
            records=records,
            seed=seed,
            progress=progress,
        )
    s = result.summary
    out.print(f"\n[bold]database[/bold] {settings().database_url}")
    out.print(
        "[bold]subjects[/bold] " + ", ".join(f"{k} {v}" for k, v in sorted(s.subjects.items()))
    )
    table = Table("category", "records in effect")
    for category, n in sorted(s.records.items(), key=lambda kv: -kv[1]):
        table.add_row(f"{category.zh} ({category.value})", str(n))
    out.print(table)
    out.print(
        f"[bold]{s.batches} batches[/bold], {s.records_total} records, "
        f"{s.quarantined} rows quarantined:"
    )
    for reason, n in s.quarantine_reasons.most_common(10):
        out.print(f"  {n:>5}  {reason}")
    for outcome in result.schemes:
        run = outcome.run
        grades = ", ".join(
            f"{g} {n}" for g, n in sorted(outcome.grades.items(), key=str) if g is not None
        )
        lists = ", ".join(f"{name} {n}" for name, n in sorted(outcome.lists.items()))
        out.print(
            f"[bold]{run.scheme}[/bold] as of {run.as_of}: {run.subjects} subjects"
            + (f"; grades {grades}" if grades else "")
            + (f"; lists {lists}" if lists else "")
        )
    if result.explanation:
        out.print("\n".join(result.explanation.lines()), markup=False, highlight=False)
    if result.walkthrough:
        out.print("\n[bold]due process, one rider[/bold]")
        out.print("\n".join(result.walkthrough), markup=False, highlight=False)
    if result.listed:
        listed = ", ".join(f"{key} {n}" for key, n in sorted(result.listed.items()))
        out.print(f"\n[bold]listed after notice and sign-off[/bold]: {listed}")
    if result.draws:
        out.print("\n[bold]double random draws[/bold] (verify: xinyong inspections verify ID)")
        for line in result.draws:
            out.print(f"  {line}")
    if result.linked:
        out.print(
            f"\n[bold]record linkage[/bold]: {result.linked} rows sent without a code proposed "
            "for review (xinyong link list; accept or reject each on the workbench)"
        )
    if result.services:
        out.print(
            f"\n[bold]government services[/bold]: {result.services} "
            "(xinyong services ranking 41; /services in the portal)"
        )
    if s.busiest_subject:
        code, name, n = s.busiest_subject
        out.print(f"\nNext: [bold]xinyong subjects show {code}[/bold]  ({name}, {n} records)")
    out.print("      [bold]xinyong quarantine list[/bold]  (every refused row and why)")
    out.print("      [bold]xinyong catalog list[/bold]  (what may be recorded, and on what basis)")
    out.print("      [bold]xinyong schemes list[/bold]  (every scheme by type, industry, region)")
    out.print(
        "      [bold]xinyong schemes show cac-internet-blacklist --lang zh[/bold]"
        "  (a scheme in plain words)"
    )
    out.print("      [bold]xinyong cases inbox --on 2026-01-31[/bold]  (open and overdue cases)")
    out.print("      [bold]xinyong listings show 1[/bold]  (a listing and every step of it)")
