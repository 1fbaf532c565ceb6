"""CLI commands for the HTTP service: run it, issue API tokens, deliver webhooks (mounted by
:mod:`xinyong.cli.main`)."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong import clock
from xinyong.cli.schemes import Context, _database
from xinyong.disclosure.tokens import Role, issue, issued, revoke

tokens_app = typer.Typer(help="API tokens for the HTTP service.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook deliveries.", no_args_is_help=True)
out = Console()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the portal (at /) and the HTTP API (OpenAPI at /docs)."""
    import os

    import uvicorn

    os.environ["XINYONG_DATABASE_URL"] = Context.settings.database_url
    _database()  # refuse to start on a database that is not migrated
    out.print(
        f"xinyong serving {Context.settings.database_url}: the portal on http://{host}:{port}/ "
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
    subject: Annotated[str | None, typer.Option(help="For a subject: its code.")] = None,
    department: Annotated[str | None, typer.Option(help="For a department: its name.")] = None,
    expires: Annotated[str | None, typer.Option(help="YYYY-MM-DD it stops working.")] = None,
) -> None:
    """Issue a token; it is printed once and only its hash is kept."""
    with _database().begin() as conn:
        token = issue(
            conn,
            holder,
            role,
            region_code=region,
            subject_code=subject,
            department=department,
            expires_on=date.fromisoformat(expires) if expires else None,
        )
    out.print(token, markup=False, highlight=False, soft_wrap=True)


@tokens_app.command("list")
def tokens_list() -> None:
    """Issued tokens (their first characters, never the token)."""
    with _database().connect() as conn:
        rows = issued(conn)
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
    with _database().begin() as conn:
        revoke(conn, token_id)
    out.print(f"token {token_id} revoked")


@webhooks_app.command("deliver")
def webhooks_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering.")] = False,
    every: Annotated[float, typer.Option(help="Seconds between rounds with --loop.")] = 5.0,
) -> None:
    """Offer new outbox events to each subscription, then send what is due (signed, retried)."""
    from xinyong.disclosure.webhooks import deliver, fan_out, http_sender

    db = _database()
    send = http_sender()
    while True:
        now = clock.now()
        with db.begin() as conn:
            created = fan_out(conn, now)
        with db.begin() as conn:
            report = deliver(conn, send, now)
        out.print(
            f"{created} new, {report.delivered} delivered, {report.failed} to retry, "
            f"{report.gave_up} given up"
        )
        if not loop:
            return
        time.sleep(every)
