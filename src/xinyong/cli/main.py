"""The ``xinyong`` command: each command is one call into the library, then printing."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError

from xinyong.catalog.items import Catalog, Category
from xinyong.cli.audit import audit_app
from xinyong.cli.dueprocess import (
    calendar_app,
    cases_app,
    check,
    leniency_app,
    listings_app,
    objections_app,
    repair_app,
)
from xinyong.cli.report import report_app
from xinyong.cli.schemes import Context, compare, evaluate, export_app, schemes_app
from xinyong.cli.service import serve, tokens_app, webhooks_app
from xinyong.errors import NotFound, XinyongError
from xinyong.reference.identifiers import MaskPolicy, SubjectKind
from xinyong.settings import Settings
from xinyong.store.database import Database

app = typer.Typer(
    help="xinyong: public-credit schemes as versioned, testable policy files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
subjects_app = typer.Typer(help="The subject registry.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Rows that were refused at ingest.", no_args_is_help=True)
catalog_app = typer.Typer(help="The credit-information catalog.", no_args_is_help=True)
app.add_typer(subjects_app, name="subjects")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(catalog_app, name="catalog")
app.add_typer(schemes_app, name="schemes")
app.add_typer(listings_app, name="listings")
app.add_typer(objections_app, name="objections")
app.add_typer(repair_app, name="repair")
app.add_typer(cases_app, name="cases")
app.add_typer(leniency_app, name="leniency")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(tokens_app, name="tokens")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")
app.command()(serve)
app.command()(evaluate)
app.command()(compare)
app.command("check")(check)

out = Console()
err = Console(stderr=True)


class State:
    settings: Settings = Settings()


@app.callback()
def _options(
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="XINYONG_DATABASE_URL", help="Database URL."),
    ] = None,
) -> None:
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    State.settings = settings
    Context.settings = settings


def _database() -> Database:
    db = Database(State.settings.database_url)
    db.require_current()
    return db


def _catalog() -> Catalog:
    return Catalog.load(State.settings.catalog_paths)


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


@app.command()
def init() -> None:
    """Create or upgrade the database tables (runs the migrations)."""
    db = Database(State.settings.database_url)
    db.migrate()
    out.print(f"database {db.display_url} is at migration {db.current_revision()}")


@app.command()
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
    from xinyong.schemes.library import Library

    catalog = _catalog()
    library = Library.load(catalog, State.settings.scheme_paths) if scheme_cases else None
    with _progress() as progress:
        files = write(
            out_dir,
            catalog,
            library=library,
            subjects=subjects,
            records=records,
            seed=seed,
            bad_rate=bad_rate,
            single_file=single_file,
            progress=progress("generating", records),
        )
    for f in files:
        out.print(f"{out_dir / f.file}: {f.rows} rows, source {f.source}, profile {f.profile}")


@app.command()
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
    from xinyong.cli.schemes import _app

    with _progress() as progress:
        done = _app().records.ingest_file(
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


@subjects_app.command("show")
def subjects_show(
    code: Annotated[str, typer.Argument(help="USCC or resident ID.")],
    public: Annotated[
        bool, typer.Option(help="Only what the public sees on the date, identifiers masked.")
    ] = False,
    at: Annotated[str | None, typer.Option("--at", help="YYYY-MM-DD (default: today).")] = None,
) -> None:
    """A subject's credit file: registry entry, records with their state, disputes,
    publication periods, listings in effect and open cases."""
    from datetime import date as Date

    from xinyong.disclosure.credit_file import credit_file
    from xinyong.reference.regions import Regions
    from xinyong.registry.subjects import history

    db = _database()
    catalog = _catalog()
    policy = MaskPolicy.named(State.settings.mask_policy if public else "none")
    day = Date.fromisoformat(at) if at else State.settings.current_date()
    with db.connect() as conn:
        file = credit_file(conn, catalog, code, day, public=public)
        subject = file.subject
        changes = [] if public else history(conn, subject.id)
    name = policy.mask_name(subject.name, subject.kind)
    out.print(f"[bold]{name}[/bold]  {policy.mask_code(subject.code)}")
    region = " ".join(Regions.load().path(subject.region_code)) if subject.region_code else "-"
    out.print(
        f"kind {subject.kind.value} · region {subject.region_code or '-'} {region} · "
        f"industry {subject.industry_code or '-'} · registered {subject.registered_on or '-'} · "
        f"status {subject.status.value}"
    )
    for other in subject.names:
        out.print(f"{other.kind.value} name: {other.name}")
    for c in changes:
        out.print(
            f"{c.changed_at:%Y-%m-%d} {c.field}: {c.old_value or '-'} -> {c.new_value} "
            f"({c.source}{f', batch #{c.batch_id}' if c.batch_id else ''})"
        )
    table = Table(
        "id", "decided", "item", "severity", "reference", "source", "state", "public until"
    )
    for entry in file.records:
        v = entry.record
        item = catalog.get(v.item_code)
        table.add_row(
            str(v.id),
            v.decided_on.isoformat(),
            f"{v.item_code} {item.name.zh if item else ''}",
            str(v.severity or ""),
            v.reference or "",
            v.source,
            v.state.value
            + (f" by #{v.changed_by}" if v.changed_by else "")
            + (" (disputed)" if entry.disputed else ""),
            str(entry.public_until or "-") if entry.public else "not public",
        )
    out.print(table)
    for listing in file.listings:
        out.print(
            f"on list {listing.key} from {listing.state.listed_from} to "
            f"{listing.state.listed_until} (listing #{listing.id})"
        )
    for case in file.open_cases:
        out.print(f"open case {case.reference} ({case.kind.value}), due {case.deadline}")


@subjects_app.command("search")
def subjects_search(text: str, limit: int = 20) -> None:
    """Find subjects by code, part of a name or a former name (two characters or more)."""
    from xinyong.registry.name_index import search

    with _database().connect() as conn:
        found = search(conn, text, limit, resident_ids=True)
    for hit in found.hits:
        out.print(f"{hit.code}  {hit.name}")
    if found.broad:
        err.print("many subjects match; these are the best of those registered first")


@subjects_app.command("list")
def subjects_list(
    region: Annotated[
        str | None, typer.Option(help="GB/T 2260 code; a province or city includes all below.")
    ] = None,
    industry: Annotated[
        str | None, typer.Option(help="GB/T 4754 section letter or division number.")
    ] = None,
    kind: Annotated[SubjectKind | None, typer.Option(help="Kind of subject.")] = None,
    limit: int = 50,
) -> None:
    """Subjects by location, industry and kind."""
    from xinyong.registry.subjects import filtered

    with _database().connect() as conn:
        rows = filtered(conn, region=region, industry=industry, kind=kind, limit=limit)
    table = Table("code", "name", "region", "industry")
    for code, name, region_code, industry_code in rows:
        table.add_row(code, name, region_code or "", industry_code or "")
    out.print(table)


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this department's batches.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
) -> None:
    """Rows refused at ingest, with file, row number, field and reason."""
    from xinyong.ingest.pipeline import quarantined_rows

    with _database().connect() as conn:
        rows = quarantined_rows(conn, source, limit)
    table = Table("source", "file", "row", "field", "value", "problem")
    for r in rows:
        table.add_row(
            r["source"],
            r["file_name"] or "",
            str(r["row_number"]),
            r["field"] or "",
            r["value"] or "",
            r["message"],
        )
    out.print(table)
    if not rows:
        out.print("no quarantined rows")


@catalog_app.command("list")
def catalog_list(
    category: Annotated[Category | None, typer.Option(help="Only this category.")] = None,
) -> None:
    """Catalog items with category, polarity, disclosure, severity and publication period."""
    table = Table("code", "name", "category", "polarity", "disclosure", "severity", "published")
    for item in _catalog():
        if category and item.category is not category:
            continue
        period = f"{item.publication.min}-{item.publication.max or '∞'}"
        table.add_row(
            item.code,
            item.name.zh,
            item.category.value,
            item.polarity.value,
            item.disclosure.value,
            item.severity.name.lower() if item.severity else "",
            period,
        )
    out.print(table)


@catalog_app.command("show")
def catalog_show(code: str) -> None:
    """One catalog item in full, with its legal basis and attributes."""
    catalog = _catalog()
    item = catalog.get(code)
    if item is None:
        raise NotFound(f"no catalog item {code}; 'xinyong catalog list' shows them")
    source = catalog.source(code)
    out.print(
        f"[bold]{item.code}[/bold] {item.name.zh} / {item.name.en}  ({source.path}:{source.line})"
    )
    out.print(
        f"category {item.category.value} ({item.category.zh}); {item.polarity.value}; "
        f"{item.disclosure.value}"
    )
    for basis in item.legal_basis:
        out.print(f"basis: {basis.cite()}")
    for spec in item.attributes:
        out.print(f"attribute {spec.name}: {spec.type}{' (required)' if spec.required else ''}")


@catalog_app.command("check")
def catalog_check(files: list[Path]) -> None:
    """Load catalog files with the shipped catalog and report the first problem, if any."""
    catalog = Catalog.load(files)
    out.print(f"ok: {len(catalog)} items")


@app.command()
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
            State.settings,
            folder,
            subjects=subjects,
            records=records,
            seed=seed,
            progress=progress,
        )
    s = result.summary
    out.print(f"\n[bold]database[/bold] {State.settings.database_url}")
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


def main() -> None:
    try:
        app()
    except XinyongError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except OperationalError as exc:
        err.print(f"error: the database cannot be used: {exc.orig}", markup=False)
        sys.exit(1)
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("XINYONG_DEBUG") == "1":
            raise
        err.print(
            f"error: internal error: {type(exc).__name__}: {exc} "
            "(run with XINYONG_DEBUG=1 for the traceback)",
            markup=False,
            highlight=False,
        )
        sys.exit(2)
