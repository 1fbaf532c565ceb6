"""``xinyong agencies``: the register of credit-rating agencies, kept by an official as the
regulators grant, suspend and reinstate registrations (mounted by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from xinyong.cli.common import By, application, out, parse_day
from xinyong.disclosure.agencies import Registration

agencies_app = typer.Typer(
    help="Credit-rating agencies: register, list, suspend, reinstate.", no_args_is_help=True
)
RegistrationId = Annotated[int, typer.Argument(help="The registration's number.")]
Reason = Annotated[str, typer.Option(help="Why (kept in the audit log).")]


def _line(found: Registration, today: date) -> str:
    return (
        f"#{found.id} {found.agency_name} ({found.agency_code}) {found.licence} "
        f"[{found.state(today)}] by {found.regulator}, {found.valid_from} to "
        f"{found.valid_until}; may read {', '.join(found.items)}"
    )


@agencies_app.command("register")
def agencies_register(
    agency: Annotated[str, typer.Argument(help="The agency's USCC.")],
    regulator: Annotated[str, typer.Option(help="Who registered it.")],
    licence: Annotated[str, typer.Option(help="Its registration or licence number.")],
    scope: Annotated[str, typer.Option(help="Its business scope as registered.")],
    items: Annotated[str, typer.Option(help="Catalog items it may read, comma-separated.")],
    valid_from: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    valid_until: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    by: By,
) -> None:
    """Record a registration as the regulator granted it; the agency's token (xinyong tokens
    issue NAME --role agency --subject USCC) then reads only these items."""
    svc = application()
    made = svc.agencies.register(
        agency,
        regulator=regulator,
        licence=licence,
        business_scope=scope,
        items=[i.strip() for i in items.split(",") if i.strip()],
        valid_from=parse_day(valid_from),
        valid_until=parse_day(valid_until),
        by=by,
    )
    out.print(_line(made, svc.today()), markup=False, highlight=False)


@agencies_app.command("list")
def agencies_list() -> None:
    """The register: every agency with its licence, state and the items it may read."""
    svc = application()
    found = svc.agencies.register_list()
    if not found:
        out.print("no agency is registered")
    for row in found:
        out.print(_line(row, svc.today()), markup=False, highlight=False)


@agencies_app.command("suspend")
def agencies_suspend(registration: RegistrationId, reason: Reason, by: By) -> None:
    """Suspend a registration: the agency's reads and submissions stop at once."""
    svc = application()
    done = svc.agencies.suspend(registration, reason, by=by)
    out.print(_line(done, svc.today()), markup=False, highlight=False)


@agencies_app.command("reinstate")
def agencies_reinstate(registration: RegistrationId, reason: Reason, by: By) -> None:
    """Reinstate a suspended registration."""
    svc = application()
    done = svc.agencies.reinstate(registration, reason, by=by)
    out.print(_line(done, svc.today()), markup=False, highlight=False)
