"""CLI commands for objections, credit repair, the case inbox, leniency and the working-day
calendar (mounted by :mod:`xinyong.cli.main`). Each is one call into the application layer,
then printing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xinyong.catalog.terms import Period
from xinyong.cli.common import By, On, application, as_of, day, mask, out, parse_day
from xinyong.cli.listings import listing_line
from xinyong.dueprocess.cases import CaseKind

objections_app = typer.Typer(help="Objections to records.", no_args_is_help=True)
repair_app = typer.Typer(help="Credit repair applications.", no_args_is_help=True)
cases_app = typer.Typer(help="The case inbox: objections, repairs, leniency.", no_args_is_help=True)
leniency_app = typer.Typer(help="Leniency policies and grants.", no_args_is_help=True)
calendar_app = typer.Typer(help="The official working-day calendar.", no_args_is_help=True)


@objections_app.command("open")
def objections_open(record_id: int, reason: str, by: By) -> None:
    """Object to a record: it is marked disputed until the objection is decided."""
    case = application().cases.object(record_id, reason, by=by)
    out.print(f"{case.reference} opened on {case.opened_on}, to be answered by {case.deadline}")


@objections_app.command("decide")
def objections_decide(
    case_id: int,
    by: By,
    reasons: Annotated[str, typer.Option(help="The reasons given to the subject.")],
    uphold: Annotated[bool, typer.Option("--uphold/--reject")],
    correct: Annotated[str | None, typer.Option(help="JSON of corrected attributes.")] = None,
) -> None:
    """Decide an objection: uphold (revoke, or correct with --correct) or reject."""
    correction = json.loads(correct) if correct else None
    decision = application().cases.decide_objection(
        case_id, uphold=uphold, reasons=reasons, by=by, correction=correction
    )
    runs = decision.runs
    out.print(f"{decision.case.reference}: {decision.case.outcome}")
    for listing in decision.ended:
        out.print(f"  ended {listing_line(listing)}")
    out.print(f"  re-evaluated under {len(runs)} scheme(s)")


@repair_app.command("check")
def repair_check(record_id: int, on: On = None) -> None:
    """Whether a record may be repaired on a date, and what is missing."""
    result = application().cases.repair_eligibility(record_id, day(on))
    out.print(f"repair possible from {result.repair_from}")
    out.print("eligible" if result.eligible else "not eligible: " + "; ".join(result.unmet))


@repair_app.command("guidance")
def repair_guidance(
    code: str,
    scheme: Annotated[
        str | None, typer.Option(help="One scheme (id or id@version); default: all in force.")
    ] = None,
    on: On = None,
) -> None:
    """What would change a subject's grade or lists: the smallest sets of its negative records
    whose repair or expiry does it, from when, and what changes with nothing done."""
    found = application().evaluations.guidance(code, scheme, day(on))
    if not found:
        out.print(f"{code} is in the scope of no scheme in force")
    for guidance in found:
        for line in guidance.lines():
            out.print(line, markup=False)


@repair_app.command("apply")
def repair_apply(
    record_id: int,
    by: By,
    material: Annotated[list[str], typer.Option(help="credit_commitment, proof_of_performance")],
) -> None:
    """Apply for credit repair of a record, with the materials provided."""
    case = application().cases.apply_for_repair(record_id, tuple(material), by=by)
    out.print(f"{case.reference} opened; the platform answers by {case.deadline}")
    for warning in case.details.get("calendar_warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}")


@repair_app.command("forward")
def repair_forward(case_id: int, authority: str, by: By) -> None:
    """Send a checked application to the deciding authority (3 working days to decide)."""
    case = application().cases.forward(case_id, authority, by=by)
    out.print(f"{case.reference} forwarded to {authority}; decision due by {case.deadline}")


@repair_app.command("decide")
def repair_decide(
    case_id: int,
    by: By,
    reasons: Annotated[str, typer.Option()],
    grant: Annotated[bool, typer.Option("--grant/--refuse")],
) -> None:
    """Grant or refuse a repair; a grant ends publication and the listings the record caused."""
    decision = application().cases.decide_repair(case_id, grant=grant, reasons=reasons, by=by)
    out.print(f"{decision.case.reference}: {decision.case.outcome}")
    for listing in decision.ended:
        out.print(f"  ended {listing_line(listing)}")


@cases_app.command("inbox")
def cases_inbox(
    kind: Annotated[str | None, typer.Option(help="objection, repair or leniency")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue cases.")] = False,
    on: On = None,
) -> None:
    """Open cases, most urgent first; overdue ones are marked."""
    on_day = as_of(on)
    rows = application().cases.inbox(
        kind=CaseKind(kind) if kind else None, overdue=overdue, on=on_day
    )
    table = Table("case", "subject", "opened", "deadline", "about")
    for case in rows:
        due = f"[red]{case.deadline} overdue[/red]" if case.overdue(on_day) else str(case.deadline)
        about = f"record #{case.record_id}" if case.record_id else f"listing #{case.listing_id}"
        table.add_row(
            case.reference, mask().mask_code(case.subject_code), str(case.opened_on), due, about
        )
    out.print(table)
    out.print(f"{len(rows)} open, {sum(c.overdue(on_day) for c in rows)} overdue on {on_day}")


@cases_app.command("show")
def cases_show(case_id: int) -> None:
    """A case and its timeline."""
    case, steps = application().cases.timeline(case_id)
    out.print(f"{case.reference} {case.kind.value} [{case.state.value}] deadline {case.deadline}")
    if case.outcome:
        out.print(f"  {case.outcome} on {case.closed_on} by {case.decided_by}: {case.reasons}")
    for step in steps:
        out.print(f"  {step.seq}. {step.on} {step.action} by {step.actor}: {step.note or ''}")


@leniency_app.command("list")
def leniency_list() -> None:
    """The leniency policies shipped or configured."""
    for policy in application().leniency.policies():
        d = policy.definition
        what = []
        if d.defer_listing is not None:
            what.append(f"defers listing {d.defer_listing}")
        if d.suspend_measures:
            what.append(f"suspends {', '.join(d.suspend_measures)}")
        out.print(
            f"{policy.id}: {d.policy.title.zh} ({d.policy.effective_from}-"
            f"{d.policy.effective_to or ''}); {'; '.join(what)}; basis {policy.cite()}"
        )


@leniency_app.command("tag")
def leniency_tag(
    code: str,
    tag: str,
    basis: str,
    by: By,
    on: On = None,
    until: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Put a subject in a class a policy names (e.g. epidemic_affected), with the basis."""
    since = application().leniency.tag(
        code, tag, basis=basis, by=by, on=day(on), until=parse_day(until) if until else None
    )
    out.print(f"{tag} added from {since}")


@leniency_app.command("grant")
def leniency_grant(
    code: str, policy_id: str, by: By, grace: str | None = None, on: On = None
) -> None:
    """Grant a subject an individual grace period under a policy that works by grants."""
    subject = application().leniency.grant(
        code, policy_id, grace=Period.parse(grace) if grace else None, on=day(on)
    )
    out.print(f"{policy_id} granted to {subject.code} by {by}")


@leniency_app.command("apply")
def leniency_apply(
    code: str, policy_id: str, reason: str, by: By, grace: str | None = None
) -> None:
    """Apply for an individual grant under a policy that works by grants (a case)."""
    case = application().leniency.apply(
        code,
        policy_id,
        reason,
        by=by,
        grace=Period.parse(grace) if grace else None,
    )
    out.print(f"{case.reference} opened; decision due by {case.deadline}")


@leniency_app.command("decide")
def leniency_decide(
    case_id: int,
    by: By,
    reasons: Annotated[str, typer.Option()],
    grant: Annotated[bool, typer.Option("--grant/--refuse")],
    grace: str | None = None,
) -> None:
    """Decide a leniency application; a grant records the grace period given."""
    case = application().leniency.decide(
        case_id,
        grant=grant,
        reasons=reasons,
        by=by,
        grace=Period.parse(grace) if grace else None,
    )
    out.print(f"{case.reference}: {case.outcome}")


@calendar_app.command("deadline")
def calendar_deadline(start: str, working_days: int) -> None:
    """The date a number of working days after a start date."""
    deadline = application().oversight.deadline(parse_day(start), working_days)
    out.print(f"{working_days} working days after {start}: {deadline.due}")
    for warning in deadline.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}")


@calendar_app.command("load")
def calendar_load(path: Path, source: str) -> None:
    """Load a newly published year (CSV: date, kind holiday|workday, name)."""
    years = application().oversight.load_calendar(path, source)
    out.print(f"loaded {', '.join(map(str, years))} from {path}")
