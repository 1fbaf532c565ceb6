"""CLI commands for credit reports: issue one to a file, verify a file (mounted by
:mod:`xinyong.cli.main` as ``xinyong report``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from xinyong.cli.schemes import Context, _as_of, _catalog, _database, _library
from xinyong.disclosure import reports
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.reports import Scope
from xinyong.reference.identifiers import MaskPolicy

report_app = typer.Typer(help="Credit reports: issue and verify.", no_args_is_help=True)
out = Console()


@report_app.command("issue")
def report_issue(
    code: Annotated[str, typer.Argument(help="The subject's USCC or resident ID.")],
    purpose: Annotated[str, typer.Option(help="Why the report is issued.")],
    basis: Annotated[str, typer.Option(help="The legal basis of the purpose.")],
    output: Annotated[Path, typer.Option(help="Where to write it: .pdf or .json.")],
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
    scope: Annotated[Scope, typer.Option(help="public, or full (the whole file).")] = Scope.FULL,
    lang: Annotated[str, typer.Option(help="zh or en (PDF only).")] = "zh",
    actor: Annotated[str, typer.Option(help="Who issues it (written to the register).")] = "cli",
) -> None:
    """Issue a report, register its hash, and write it as PDF or JSON."""
    from xinyong.documents.render import report_pdf

    catalog = _catalog(None)
    library = _library(catalog)
    db = _database()
    with db.begin() as conn:
        report = reports.issue(
            conn,
            catalog,
            library,
            code,
            _as_of(as_of),
            scope=scope,
            purpose=Purpose.declared(purpose, basis),
            actor=actor,
            mask=MaskPolicy.named(Context.settings.mask_policy),
        )
        if output.suffix.lower() == ".pdf":
            pdf = report_pdf(report.content, report.content_sha256, "en" if lang == "en" else "zh")
            reports.keep_pdf(conn, report.id, pdf)
            output.write_bytes(pdf)
        else:
            output.write_text(report.download(), encoding="utf-8")
    out.print(f"report {report.id} sha256 {report.content_sha256} written to {output}")


@report_app.command("verify")
def report_verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF or JSON.")],
) -> None:
    """Check a report file against the register; exits 1 when it is not valid."""
    with _database().connect() as conn:
        outcome = reports.verify(conn, file.read_bytes())
    verdict = "valid" if outcome.valid else "NOT VALID"
    reference = f" (report {outcome.report.id})" if outcome.report else ""
    out.print(f"{verdict}{reference}: {outcome.reason}", markup=False)
    if not outcome.valid:
        raise typer.Exit(1)
