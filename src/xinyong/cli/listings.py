"""CLI commands for listings and the point-of-service check (mounted by
:mod:`xinyong.cli.main`). Each is one call into the application layer, then printing."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from xinyong.application.base import Backdate
from xinyong.cli.common import By, application, as_of, day, mask, out, parse_day
from xinyong.dueprocess.lifecycle import ExitReason
from xinyong.dueprocess.memberships import Listing

listings_app = typer.Typer(
    help="Listings: propose, notify, sign off, list, exit.", no_args_is_help=True
)


def listing_line(listing: Listing) -> str:
    """A listing in one line: its state and the date of each step taken."""
    s = listing.state
    dates = f"proposed {s.proposed_on}"
    if s.notified_on:
        dates += f", notified {s.notified_on} (objections until {s.objection_deadline})"
    if s.signed_off_by:
        dates += f", signed off {s.signed_off_on} by {s.signed_off_by}"
    if s.listed_from:
        dates += f", listed {s.listed_from} to {s.until}"
    if s.exited_on:
        dates += f", ended {s.exited_on} ({s.exit_reason})"
    return f"#{listing.id} {listing.subject_code} {listing.key} ({s.state.value}): {dates}"


@listings_app.command("propose")
def listings_propose(
    scheme_id: str, as_of: Annotated[str | None, typer.Option("--as-of")] = None
) -> None:
    """Evaluate a list scheme and propose a listing for every new candidate."""

    run, proposed = application().listings.propose(scheme=scheme_id, as_of=day(as_of))
    out.print(f"run #{run.id} of {run.scheme} as of {run.as_of}: {len(proposed)} proposed")
    for listing in proposed[:50]:
        out.print(listing_line(listing))


@listings_app.command("show")
def listings_show(listing_id: int) -> None:
    """A listing, its records and every step of its history."""
    listing, steps, replays = application().listings.history(listing_id)
    out.print(listing_line(listing))
    out.print(f"records: {', '.join(f'#{r}' for r in listing.record_ids) or 'none'}")
    for event in steps:
        out.print(f"  {event.on} {event.action.value} by {event.actor}: {event.reason or ''}")
    out.print(
        "history replays to the stored state"
        if replays
        else "[red]the stored state differs from its history[/red]"
    )


@listings_app.command("notify")
def listings_notify(listing_id: int, by: By = "xinyong") -> None:
    """Send the notice: reasons, legal basis, rights and the objection deadline."""

    out.print(listing_line(application().listings.notify(listing_id, by=by)))


@listings_app.command("sign-off")
def listings_sign_off(listing_id: int, by: By) -> None:
    """A named official signs off a notified listing once its objection window has closed."""

    out.print(listing_line(application().listings.sign_off(listing_id, by=by)))


@listings_app.command("list")
def listings_list(listing_id: int, by: By) -> None:
    """Put a signed-off listing into effect (unless a leniency policy defers it)."""

    out.print(listing_line(application().listings.put_on_list(listing_id, by=by)))


@listings_app.command("exit")
def listings_exit(
    listing_id: int,
    reason: Annotated[str, typer.Option(help="expired, repaired, revoked or performed")],
    by: By,
    effective: Annotated[
        str | None,
        typer.Option(
            help="YYYY-MM-DD: an earlier day it ends from, where the law allows (e.g. the day "
            "the obligations were performed); never before the last step, with --because."
        ),
    ] = None,
    because: Annotated[str, typer.Option(help="Why the earlier day.")] = "",
) -> None:
    """End a listing in effect, e.g. when a defaulter has performed its obligations. The step
    is dated today (the server's clock); --effective records an earlier day beside it."""
    earlier = Backdate(parse_day(effective), because) if effective else None
    ended = application().listings.exit(listing_id, ExitReason(reason), by=by, effective=earlier)
    out.print(listing_line(ended))


@listings_app.command("members")
def listings_members(key: str, at: Annotated[str | None, typer.Option("--at")] = None) -> None:
    """A list as published: its criteria, then the members in effect on a date (codes masked)."""
    used = application()
    scheme_id, _, list_id = key.partition("/")
    on = as_of(at)
    scheme = used.library.get(scheme_id, on)
    definition = next((d for d in scheme.definition.lists if d.id == list_id), None)
    if definition is None:
        raise typer.BadParameter(f"{scheme.key} has no list {list_id}")
    out.print(f"{definition.name.zh} ({definition.name.en}), {scheme.key}")
    out.print(f"  entry: {definition.enter.model_dump(exclude_defaults=True)}")
    out.print(f"  period {definition.period}, notice {definition.notice}, {definition.severity}")
    out.print("  basis: " + "; ".join(b.cite() for b in scheme.definition.scheme.legal_basis))
    rows = used.listings.members(key, on)
    policy = used.mask
    for listing in rows:
        s = listing.state
        out.print(f"  {policy.mask_code(listing.subject_code)}  {s.listed_from} to {s.until}")
    out.print(f"{len(rows)} on the list on {on}")


def check(
    code: str,
    action: Annotated[str, typer.Option(help="e.g. government_procurement, bidding, rental")],
    department: Annotated[str, typer.Option(help="The department asking.")],
    by: By = "cli",
    at: Annotated[str | None, typer.Option("--at", help="YYYY-MM-DD (default: today).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Which measures apply to a subject for an action at a department (logged)."""

    answer = application().checks.check(code, action, department, by=by, at=day(at))
    if as_json:
        out.print_json(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    out.print(
        f"{answer.reference}: {len(answer.applies)} measure(s) apply to "
        f"{mask().mask_code(answer.subject_code)} for {action} at "
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
