"""CLI commands for listings, objections, repair, cases, checks, leniency and the calendar
(mounted by :mod:`xinyong.cli.main`). Each is one call into the library, then printing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.catalog.items import Period
from xinyong.cli.schemes import Context, _app, _as_of, _catalog, _database, _day, _library
from xinyong.dueprocess.cases import CaseKind, get_case, inbox, timeline
from xinyong.reference.identifiers import MaskPolicy

listings_app = typer.Typer(
    help="Listings: propose, notify, sign off, list, exit.", no_args_is_help=True
)
objections_app = typer.Typer(help="Objections to records.", no_args_is_help=True)
repair_app = typer.Typer(help="Credit repair applications.", no_args_is_help=True)
cases_app = typer.Typer(help="The case inbox: objections, repairs, leniency.", no_args_is_help=True)
leniency_app = typer.Typer(help="Leniency policies and grants.", no_args_is_help=True)
calendar_app = typer.Typer(help="The official working-day calendar.", no_args_is_help=True)
out = Console()

On = Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default: today).")]
By = Annotated[str, typer.Option("--by", help="Who takes the step (a named person).")]


def _mask() -> MaskPolicy:
    return MaskPolicy.named(Context.settings.mask_policy)


def _listing_line(listing: object) -> str:
    from xinyong.dueprocess.listings import Listing

    assert isinstance(listing, Listing)
    s = listing.state
    dates = f"proposed {s.proposed_on}"
    if s.notified_on:
        dates += f", notified {s.notified_on} (objections until {s.objection_deadline})"
    if s.signed_off_by:
        dates += f", signed off {s.signed_off_on} by {s.signed_off_by}"
    if s.listed_from:
        dates += f", listed {s.listed_from} to {s.listed_until}"
    if s.exited_on:
        dates += f", ended {s.exited_on} ({s.exit_reason})"
    return f"#{listing.id} {listing.subject_code} {listing.key} ({s.state.value}): {dates}"


@listings_app.command("propose")
def listings_propose(
    scheme_id: str, as_of: Annotated[str | None, typer.Option("--as-of")] = None, on: On = None
) -> None:
    """Evaluate a list scheme and propose a listing for every new candidate."""

    run, proposed = _app().listings.propose(scheme=scheme_id, as_of=_day(as_of), on=_day(on))
    out.print(f"run #{run.id} of {run.scheme} as of {run.as_of}: {len(proposed)} proposed")
    for listing in proposed[:50]:
        out.print(_listing_line(listing))


@listings_app.command("show")
def listings_show(listing_id: int) -> None:
    """A listing, its records and every step of its history."""
    from xinyong.dueprocess.listings import events, get_listing, verify

    with _database().connect() as conn:
        listing = get_listing(conn, listing_id)
        out.print(_listing_line(listing))
        out.print(f"records: {', '.join(f'#{r}' for r in listing.record_ids) or 'none'}")
        for event in events(conn, listing_id):
            out.print(f"  {event.on} {event.action.value} by {event.actor}: {event.reason or ''}")
        out.print(
            "history replays to the stored state"
            if verify(conn, listing_id)
            else "[red]the stored state differs from its history[/red]"
        )


@listings_app.command("notify")
def listings_notify(listing_id: int, by: By = "xinyong", on: On = None) -> None:
    """Send the notice: reasons, legal basis, rights and the objection deadline."""

    out.print(_listing_line(_app().listings.notify(listing_id, by=by, on=_day(on))))


@listings_app.command("sign-off")
def listings_sign_off(listing_id: int, by: By, on: On = None) -> None:
    """A named official signs off a notified listing once its objection window has closed."""

    out.print(_listing_line(_app().listings.sign_off(listing_id, by=by, on=_day(on))))


@listings_app.command("list")
def listings_list(listing_id: int, by: By, on: On = None) -> None:
    """Put a signed-off listing into effect (unless a leniency policy defers it)."""

    out.print(_listing_line(_app().listings.put_on_list(listing_id, by=by, on=_day(on))))


@listings_app.command("exit")
def listings_exit(
    listing_id: int,
    reason: Annotated[str, typer.Option(help="expired, repaired, revoked or performed")],
    by: By,
    on: On = None,
) -> None:
    """End a listing in effect, e.g. when a defaulter has performed its obligations."""
    from xinyong.dueprocess.lifecycle import ExitReason

    ended = _app().listings.exit(listing_id, ExitReason(reason), by=by, on=_day(on))
    out.print(_listing_line(ended))


@listings_app.command("members")
def listings_members(key: str, at: Annotated[str | None, typer.Option("--at")] = None) -> None:
    """A list as published: its criteria, then the members in effect on a date (codes masked)."""
    from xinyong.dueprocess.listings import members

    catalog = _catalog(None)
    scheme_id, _, list_id = key.partition("/")
    day = _as_of(at)
    scheme = _library(catalog).get(scheme_id, day)
    definition = next((d for d in scheme.definition.lists if d.id == list_id), None)
    if definition is None:
        raise typer.BadParameter(f"{scheme.key} has no list {list_id}")
    out.print(f"{definition.name.zh} ({definition.name.en}), {scheme.key}")
    out.print(f"  entry: {definition.enter.model_dump(exclude_defaults=True)}")
    out.print(f"  period {definition.period}, notice {definition.notice}, {definition.severity}")
    out.print("  basis: " + "; ".join(b.cite() for b in scheme.definition.scheme.legal_basis))
    with _database().connect() as conn:
        rows = members(conn, key, day)
    policy = _mask()
    for listing in rows:
        s = listing.state
        out.print(
            f"  {policy.mask_code(listing.subject_code)}  {s.listed_from} to {s.listed_until}"
        )
    out.print(f"{len(rows)} on the list on {day}")


@objections_app.command("open")
def objections_open(record_id: int, reason: str, by: By, on: On = None) -> None:
    """Object to a record: it is marked disputed until the objection is decided."""
    case = _app().cases.object(record_id, reason, by=by, on=_day(on))
    out.print(f"{case.reference} opened on {case.opened_on}, to be answered by {case.deadline}")


@objections_app.command("decide")
def objections_decide(
    case_id: int,
    by: By,
    reasons: Annotated[str, typer.Option(help="The reasons given to the subject.")],
    uphold: Annotated[bool, typer.Option("--uphold/--reject")],
    correct: Annotated[str | None, typer.Option(help="JSON of corrected attributes.")] = None,
    on: On = None,
) -> None:
    """Decide an objection: uphold (revoke, or correct with --correct) or reject."""
    correction = json.loads(correct) if correct else None
    decision = _app().cases.decide_objection(
        case_id, uphold=uphold, reasons=reasons, by=by, correction=correction, on=_day(on)
    )
    runs = decision.runs
    out.print(f"{decision.case.reference}: {decision.case.outcome}")
    for listing in decision.ended:
        out.print(f"  ended {_listing_line(listing)}")
    out.print(f"  re-evaluated under {len(runs)} scheme(s)")


@repair_app.command("check")
def repair_check(record_id: int, on: On = None) -> None:
    """Whether a record may be repaired on a date, and what is missing."""
    from xinyong.dueprocess.repair import REQUIRED_MATERIALS, eligibility

    with _database().connect() as conn:
        result = eligibility(conn, _catalog(None), record_id, _as_of(on), REQUIRED_MATERIALS)
    out.print(f"repair possible from {result.repair_from}")
    out.print("eligible" if result.eligible else "not eligible: " + "; ".join(result.unmet))


@repair_app.command("apply")
def repair_apply(
    record_id: int,
    by: By,
    material: Annotated[list[str], typer.Option(help="credit_commitment, proof_of_performance")],
    on: On = None,
) -> None:
    """Apply for credit repair of a record, with the materials provided."""
    from xinyong.dueprocess.repair import apply_for_repair
    from xinyong.reference.workdays import WorkCalendar

    with _database().begin() as conn:
        calendar = WorkCalendar.from_database(conn)
        case = apply_for_repair(
            conn, _catalog(None), calendar, record_id, _as_of(on), by, tuple(material)
        )
    out.print(f"{case.reference} opened; the platform answers by {case.deadline}")
    for warning in case.details.get("calendar_warnings", []):
        out.print(f"[yellow]warning:[/yellow] {warning}")


@repair_app.command("forward")
def repair_forward(case_id: int, authority: str, by: By, on: On = None) -> None:
    """Send a checked application to the deciding authority (3 working days to decide)."""
    from xinyong.dueprocess.repair import forward
    from xinyong.reference.workdays import WorkCalendar

    with _database().begin() as conn:
        case = forward(conn, WorkCalendar.from_database(conn), case_id, _as_of(on), by, authority)
    out.print(f"{case.reference} forwarded to {authority}; decision due by {case.deadline}")


@repair_app.command("decide")
def repair_decide(
    case_id: int,
    by: By,
    reasons: Annotated[str, typer.Option()],
    grant: Annotated[bool, typer.Option("--grant/--refuse")],
    on: On = None,
) -> None:
    """Grant or refuse a repair; a grant ends publication and the listings the record caused."""
    decision = _app().cases.decide_repair(case_id, grant=grant, reasons=reasons, by=by, on=_day(on))
    out.print(f"{decision.case.reference}: {decision.case.outcome}")
    for listing in decision.ended:
        out.print(f"  ended {_listing_line(listing)}")


@cases_app.command("inbox")
def cases_inbox(
    kind: Annotated[str | None, typer.Option(help="objection, repair or leniency")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue cases.")] = False,
    on: On = None,
) -> None:
    """Open cases, most urgent first; overdue ones are marked."""
    day = _as_of(on)
    with _database().connect() as conn:
        rows = inbox(conn, day, kind=CaseKind(kind) if kind else None, overdue_only=overdue)
    table = Table("case", "subject", "opened", "deadline", "about")
    for case in rows:
        due = f"[red]{case.deadline} overdue[/red]" if case.overdue(day) else str(case.deadline)
        about = f"record #{case.record_id}" if case.record_id else f"listing #{case.listing_id}"
        table.add_row(
            case.reference, _mask().mask_code(case.subject_code), str(case.opened_on), due, about
        )
    out.print(table)
    out.print(f"{len(rows)} open, {sum(c.overdue(day) for c in rows)} overdue on {day}")


@cases_app.command("show")
def cases_show(case_id: int) -> None:
    """A case and its timeline."""
    with _database().connect() as conn:
        case = get_case(conn, case_id)
        steps = timeline(conn, case_id)
    out.print(f"{case.reference} {case.kind.value} [{case.state.value}] deadline {case.deadline}")
    if case.outcome:
        out.print(f"  {case.outcome} on {case.closed_on} by {case.decided_by}: {case.reasons}")
    for step in steps:
        out.print(f"  {step.seq}. {step.on} {step.action} by {step.actor}: {step.note or ''}")


def check(
    code: str,
    action: Annotated[str, typer.Option(help="e.g. government_procurement, bidding, rental")],
    department: Annotated[str, typer.Option(help="The department asking.")],
    by: By = "cli",
    at: Annotated[str | None, typer.Option("--at", help="YYYY-MM-DD (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Which measures apply to a subject for an action at a department (logged)."""

    answer = _app().checks.check(code, action, department, by=by, at=_day(at))
    if as_json:
        out.print_json(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    out.print(
        f"{answer.reference}: {len(answer.applies)} measure(s) apply to "
        f"{_mask().mask_code(answer.subject_code)} for {action} at "
        f"{department} on {answer.at}"
    )
    for m in answer.measures:
        t = m.trigger
        out.print(
            f"  {m.code} {m.name_zh} [{m.status}] - {t.kind} {t.scheme} {t.detail} "
            f"since {t.since}" + (f" until {t.until}" if t.until else "")
        )
        out.print(f"    basis: {'; '.join(m.legal_basis)}")
    for note in answer.notes:
        out.print(f"  note: {note}")


@leniency_app.command("list")
def leniency_list() -> None:
    """The leniency policies shipped or configured."""
    from xinyong.dueprocess.leniency import load_policies

    for policy in load_policies():
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
    from xinyong.registry.subjects import get
    from xinyong.registry.tags import add_tag

    with _database().begin() as conn:
        subject = get(conn, code)
        add_tag(
            conn,
            subject.id,
            tag,
            _as_of(on),
            source=by,
            basis=basis,
            valid_to=date.fromisoformat(until) if until else None,
        )
    out.print(f"{tag} added from {_as_of(on)}")


@leniency_app.command("grant")
def leniency_grant(
    code: str, policy_id: str, by: By, grace: str | None = None, on: On = None
) -> None:
    """Grant a subject an individual grace period under a policy that works by grants."""
    from xinyong.dueprocess.leniency import get_policy, grant, load_policies
    from xinyong.registry.subjects import get

    with _database().begin() as conn:
        subject = get(conn, code)
        grant(
            conn,
            get_policy(load_policies(), policy_id),
            subject.id,
            _as_of(on),
            grace=Period.parse(grace) if grace else None,
        )
    out.print(f"{policy_id} granted to {subject.code} by {by}")


@leniency_app.command("apply")
def leniency_apply(
    code: str, policy_id: str, reason: str, by: By, grace: str | None = None, on: On = None
) -> None:
    """Apply for an individual grant under a policy that works by grants (a case)."""
    from xinyong.dueprocess.leniency import apply_for_leniency, get_policy, load_policies
    from xinyong.reference.workdays import WorkCalendar
    from xinyong.registry.subjects import get

    with _database().begin() as conn:
        subject = get(conn, code)
        case = apply_for_leniency(
            conn,
            WorkCalendar.from_database(conn),
            get_policy(load_policies(), policy_id),
            subject.id,
            _as_of(on),
            by,
            reason,
            Period.parse(grace) if grace else None,
        )
    out.print(f"{case.reference} opened; decision due by {case.deadline}")


@leniency_app.command("decide")
def leniency_decide(
    case_id: int,
    by: By,
    reasons: Annotated[str, typer.Option()],
    grant: Annotated[bool, typer.Option("--grant/--refuse")],
    grace: str | None = None,
    on: On = None,
) -> None:
    """Decide a leniency application; a grant records the grace period given."""
    from xinyong.dueprocess.leniency import decide_leniency, load_policies

    with _database().begin() as conn:
        case = decide_leniency(
            conn,
            load_policies(),
            case_id,
            _as_of(on),
            by,
            granted=grant,
            reasons=reasons,
            grace=Period.parse(grace) if grace else None,
        )
    out.print(f"{case.reference}: {case.outcome}")


@calendar_app.command("deadline")
def calendar_deadline(start: str, working_days: int) -> None:
    """The date a number of working days after a start date."""
    from xinyong.reference.workdays import WorkCalendar

    with _database().connect() as conn:
        deadline = WorkCalendar.from_database(conn).add(date.fromisoformat(start), working_days)
    out.print(f"{working_days} working days after {start}: {deadline.due}")
    for warning in deadline.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}")


@calendar_app.command("load")
def calendar_load(path: Path, source: str) -> None:
    """Load a newly published year (CSV: date, kind holiday|workday, name)."""
    from xinyong.reference.workdays import load_days, read_days

    with _database().begin() as conn:
        years = load_days(conn, read_days(path), source)
    out.print(f"loaded {', '.join(map(str, years))} from {path}")
