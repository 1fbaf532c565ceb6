"""The ``xinyong`` command: the command groups, the options every command shares, and the one
place errors become a message and an exit status. Each command is one call into the
application layer, then printing."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from xinyong.application import Application
from xinyong.application.errors import DatabaseUnavailable
from xinyong.cli.agencies import agencies_app
from xinyong.cli.audit import audit_app
from xinyong.cli.cases import calendar_app, cases_app, leniency_app, objections_app, repair_app
from xinyong.cli.common import Session, err, out, session
from xinyong.cli.consents import consents_app
from xinyong.cli.inspections import inspections_app
from xinyong.cli.linkage import link_app
from xinyong.cli.listings import check, listings_app
from xinyong.cli.records import demo, generate, ingest
from xinyong.cli.registry import catalog_app, quarantine_app, subjects_app
from xinyong.cli.report import report_app
from xinyong.cli.schemes import compare, evaluate, export_app, schemes_app
from xinyong.cli.service import serve, tokens_app, webhooks_app
from xinyong.cli.services import services_app
from xinyong.cli.shadows import shadow_app
from xinyong.errors import XinyongError
from xinyong.settings import Settings

app = typer.Typer(
    help="xinyong: public-credit schemes as versioned, testable policy files.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for group, name in (
    (subjects_app, "subjects"),
    (quarantine_app, "quarantine"),
    (catalog_app, "catalog"),
    (schemes_app, "schemes"),
    (listings_app, "listings"),
    (objections_app, "objections"),
    (repair_app, "repair"),
    (cases_app, "cases"),
    (leniency_app, "leniency"),
    (audit_app, "audit"),
    (calendar_app, "calendar"),
    (tokens_app, "tokens"),
    (webhooks_app, "webhooks"),
    (report_app, "report"),
    (export_app, "export"),
    (inspections_app, "inspections"),
    (link_app, "link"),
    (consents_app, "consents"),
    (agencies_app, "agencies"),
    (services_app, "services"),
):
    app.add_typer(group, name=name)
schemes_app.add_typer(shadow_app, name="shadow")
for command in (serve, evaluate, compare, generate, ingest, demo):
    app.command()(command)
app.command("check")(check)


@app.callback()
def _options(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="XINYONG_DATABASE_URL", help="Database URL."),
    ] = None,
) -> None:
    chosen = Settings()
    if database_url:
        chosen = chosen.model_copy(update={"database_url": database_url})
    ctx.obj = Session(chosen)


@app.command()
def init() -> None:
    """Create or upgrade the database tables (runs the migrations)."""
    built = Application.build(session().settings, migrate=True)
    url, revision = built.oversight.database()
    out.print(f"database {url} is at migration {revision}")


def main() -> None:
    try:
        app()
    except XinyongError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except DatabaseUnavailable as exc:
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
