"""``xinyong schemes shadow``: a version evaluated for a set period beside the version in force,
never used (mounted under ``schemes`` by :mod:`xinyong.cli.main`)."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli import common
from xinyong.cli.common import AsOf, By, CatalogOption, application, out
from xinyong.evaluation.shadows import Shadow

shadow_app = typer.Typer(
    help="Run a version in shadow before approval: start, run (daily), show, stop.",
    no_args_is_help=True,
)

Version = Annotated[str, typer.Argument(help="SCHEME_ID@VERSION")]


def _line(shadow: Shadow) -> str:
    stopped = (
        f", stopped on {shadow.stopped_on} by {shadow.stopped_by}" if shadow.stopped_on else ""
    )
    return (
        f"shadow #{shadow.id} of {shadow.scheme}: {shadow.starts_on} to {shadow.ends_on}, "
        f"started by {shadow.started_by} ({shadow.reason}){stopped}"
    )


@shadow_app.command("start")
def shadow_start(
    scheme: Version,
    days: Annotated[int, typer.Option(help="How many days, from today.")],
    reason: Annotated[str, typer.Option(help="Why it runs in shadow.")],
    by: By,
    catalog: CatalogOption = None,
) -> None:
    """Put a version not yet in force in shadow from today for DAYS days."""
    shadow = application(catalog).shadows.start(scheme, days=days, reason=reason, by=by)
    out.print(_line(shadow), markup=False, highlight=False)


@shadow_app.command("run")
def shadow_run(as_of: AsOf = None, catalog: CatalogOption = None) -> None:
    """Evaluate every shadow due on the day (run it daily, like evaluate), each beside the
    version in force; the results are kept apart and never used."""
    done = application(catalog).shadows.run(common.as_of(as_of))
    if not done:
        out.print("no shadow is due")
    for day in done:
        if day.run is None:
            out.print(f"{day.shadow.scheme}: not run: {day.problem}", markup=False)
            continue
        entered = ", ".join(f"{k} +{n}" for k, n in sorted(day.run.entered.items()))
        left = ", ".join(f"{k} -{n}" for k, n in sorted(day.run.left.items()))
        out.print(
            f"{day.shadow.scheme} as of {day.run.as_of}: {day.run.subjects} subjects, "
            f"{day.run.changed} would change grade; lists: {entered or 'none joined'}; "
            f"{left or 'none left'} (beside run #{day.run.baseline})",
            markup=False,
            highlight=False,
        )


@shadow_app.command("show")
def shadow_show(scheme: Version, catalog: CatalogOption = None) -> None:
    """The version's shadow and, day by day, what it would have done."""
    report = application(catalog).shadows.report(scheme)
    out.print(_line(report.shadow), markup=False, highlight=False)
    for run in report.runs:
        moved = ", ".join(
            f"{a or '-'}->{b or '-'}: {n}"
            for (a, b), n in sorted(run.transitions.items(), key=lambda kv: str(kv[0]))
            if a != b
        )
        lists = ", ".join(
            [f"{k} +{n}" for k, n in sorted(run.entered.items())]
            + [f"{k} -{n}" for k, n in sorted(run.left.items())]
        )
        out.print(
            f"  {run.as_of}: {run.subjects} subjects; grades {moved or 'unchanged'}; "
            f"lists {lists or 'unchanged'}",
            markup=False,
            highlight=False,
        )


@shadow_app.command("stop")
def shadow_stop(scheme: Version, by: By, catalog: CatalogOption = None) -> None:
    """Stop a version's shadow today; its runs so far are kept."""
    shadow = application(catalog).shadows.stop(scheme, by=by)
    out.print(_line(shadow), markup=False, highlight=False)
