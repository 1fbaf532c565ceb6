"""``xinyong consents``: a domestic worker's consent to one employer's check for one service
category, its withdrawal, and the check itself, taken at a counter by a named operator for the
worker or the employer (mounted by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.application.consents import Shown
from xinyong.cli.common import By, application, out
from xinyong.disclosure.consents import MAX_DAYS

consents_app = typer.Typer(
    help="Consent-based checks of domestic workers: give, withdraw, list, check.",
    no_args_is_help=True,
)
Code = Annotated[str, typer.Argument(help="A resident ID or USCC.")]


def _line(found: Shown) -> str:
    c = found.consent
    return (
        f"#{c.id} [{found.state}] {found.worker_name} ({found.worker_code}) -> "
        f"{found.employer_name} ({found.employer_code}): {c.category}, "
        f"{c.valid_from} to {c.valid_until}"
    )


@consents_app.command("categories")
def consents_categories() -> None:
    """The service categories a consent may name, and where the list comes from."""
    found = application().consents.categories()
    for item in found.items:
        out.print(f"{item.code}: {item.zh} / {item.en}", markup=False, highlight=False)
    out.print(found.source_en, markup=False, highlight=False)


@consents_app.command("grant")
def consents_grant(
    worker: Code,
    employer: Annotated[str, typer.Argument(help="Who may check the worker.")],
    category: Annotated[str, typer.Option(help="One service category.")],
    by: By,
    days: Annotated[int, typer.Option(help=f"How long, from today (at most {MAX_DAYS}).")] = 30,
) -> None:
    """The worker lets the employer check it for one category, for a number of days."""
    svc = application()
    made = svc.consents.grant(worker, employer, category, days, by=by).consent
    out.print(
        f"consent #{made.id}: {employer} may check {worker} for {made.category} until "
        f"{made.valid_until}",
        markup=False,
        highlight=False,
    )


@consents_app.command("revoke")
def consents_revoke(
    consent_id: Annotated[int, typer.Argument(help="The consent's number.")],
    worker: Annotated[str, typer.Option(help="The worker who gave it.")],
    by: By,
) -> None:
    """Withdraw a consent from now: the next check under it is refused."""
    done = application().consents.revoke(consent_id, worker, by=by).consent
    out.print(f"consent #{done.id} withdrawn at {done.revoked_at:%Y-%m-%d %H:%M}")


@consents_app.command("list")
def consents_list(code: Code) -> None:
    """A subject's consents, given and received, and the checks about it and by it."""
    found = application().consents.mine(code)
    for title, rows in (("given", found.given), ("received", found.received)):
        out.print(f"{title}: {len(rows)}")
        for row in rows:
            out.print("  " + _line(row), markup=False, highlight=False)
    for title, asked in (
        ("checks about", found.checks_about_me),
        ("checks by", found.checks_by_me),
    ):
        out.print(f"{title} {code}: {len(asked)}")
        for a in asked:
            out.print(f"  {a.reference} {a.at} {a.outcome} {a.answer or a.refusal}", markup=False)


@consents_app.command("check")
def consents_check(
    employer: Annotated[str, typer.Argument(help="Who checks.")],
    worker: Annotated[str, typer.Argument(help="The worker who consented.")],
    by: By,
) -> None:
    """Pass or flag per category the worker's consent to the employer holds for today."""
    found = application().consents.check(employer, worker, by=by)
    out.print(f"{found.reference} under {found.scheme} on {found.at}", markup=False)
    for o in found.outcomes:
        kinds = ", ".join(r.en for r in o.reasons)
        out.print(
            f"  {o.category} ({o.en}): {o.outcome}{': ' + kinds if kinds else ''}",
            markup=False,
            highlight=False,
        )
