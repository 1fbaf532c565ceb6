"""CLI commands for the HTTP service: run it, issue API tokens, deliver webhooks (mounted by
:mod:`xinyong.cli.main`)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from xinyong.cli.common import application, out, parse_day, settings
from xinyong.disclosure.tokens import Role

tokens_app = typer.Typer(help="API tokens for the HTTP service.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook deliveries.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the portal (at /) and the HTTP API (OpenAPI at /docs)."""
    import os

    import uvicorn

    url = settings().database_url
    os.environ["XINYONG_DATABASE_URL"] = url
    application()  # refuse to start on a database that is not migrated
    out.print(
        f"xinyong serving {url}: the portal on http://{host}:{port}/ "
        f"and the API's OpenAPI page on http://{host}:{port}/docs"
    )
    uvicorn.run(
        "xinyong.web:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@tokens_app.command("issue")
def tokens_issue(
    holder: Annotated[str, typer.Argument(help="The person or office the token is for.")],
    role: Annotated[Role, typer.Option(help="subject, department, agency, official, auditor")],
    region: Annotated[str | None, typer.Option(help="GB/T 2260 code it is limited to.")] = None,
    subject: Annotated[
        str | None, typer.Option(help="For a subject or a rating agency: its code.")
    ] = None,
    department: Annotated[str | None, typer.Option(help="For a department: its name.")] = None,
    expires: Annotated[str | None, typer.Option(help="YYYY-MM-DD it stops working.")] = None,
) -> None:
    """Issue a token; it is printed once and only its hash is kept."""
    token = application().oversight.issue_token(
        holder,
        role,
        region=region,
        subject=subject,
        department=department,
        expires=parse_day(expires) if expires else None,
    )
    out.print(token, markup=False, highlight=False, soft_wrap=True)


@tokens_app.command("list")
def tokens_list() -> None:
    """Issued tokens (their first characters, never the token)."""
    rows = application().oversight.tokens()
    table = Table("id", "prefix", "holder", "role", "region", "subject", "department", "state")
    for t in rows:
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        table.add_row(
            str(t.id),
            t.prefix,
            t.holder,
            t.role,
            t.region_code or "all",
            t.subject_code or "",
            t.department or "",
            state,
        )
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token; it stops working at once."""
    application().oversight.revoke_token(token_id)
    out.print(f"token {token_id} revoked")


@webhooks_app.command("deliver")
def webhooks_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering.")] = False,
    every: Annotated[float, typer.Option(help="Seconds between rounds with --loop.")] = 5.0,
) -> None:
    """Offer new outbox events to each subscription, then send what is due (signed, retried)."""
    from xinyong.disclosure.webhooks import http_sender

    oversight = application().oversight
    send = http_sender()
    while True:
        done = oversight.deliver(send)
        report = done.report
        out.print(
            f"{done.offered} new, {report.delivered} delivered, {report.failed} to retry, "
            f"{report.gave_up} given up"
        )
        if not loop:
            return
        time.sleep(every)
