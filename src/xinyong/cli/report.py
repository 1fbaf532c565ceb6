"""CLI commands for credit reports: issue one to a file, verify a file (mounted by
:mod:`xinyong.cli.main` as ``xinyong report``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xinyong.cli.common import application, day, out
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.reports import Scope

report_app = typer.Typer(help="Credit reports: issue and verify.", no_args_is_help=True)


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
    pdf = output.suffix.lower() == ".pdf"
    report, document = application().reports.issue(
        code,
        scope=scope,
        purpose=Purpose.declared(purpose, basis),
        by=actor,
        at=day(as_of),
        pdf=("en" if lang == "en" else "zh") if pdf else None,
    )
    if document is not None:
        output.write_bytes(document)
    else:
        output.write_text(report.download(), encoding="utf-8")
    out.print(f"report {report.id} sha256 {report.content_sha256} written to {output}")


@report_app.command("verify")
def report_verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PDF or JSON.")],
) -> None:
    """Check a report file against the register; exits 1 when it is not valid."""
    outcome = application().reports.verify(file.read_bytes())
    verdict = "valid" if outcome.valid else "NOT VALID"
    reference = f" (report {outcome.report.id})" if outcome.report else ""
    out.print(f"{verdict}{reference}: {outcome.reason}", markup=False)
    if not outcome.valid:
        raise typer.Exit(1)
