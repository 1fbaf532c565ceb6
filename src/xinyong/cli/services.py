"""``xinyong services``: grading of government services: the month's grading, the ranking of a
region's agencies, an agency's answer to a rectification, and the unanswered ones closed
(mounted by :mod:`xinyong.cli.main`). Ratings are ingested like any records."""

from __future__ import annotations

from typing import Annotated

import typer

from xinyong.cli.common import By, application, day, out

services_app = typer.Typer(
    help="Government-service grading: grade, ranking, rectify, overdue.", no_args_is_help=True
)


@services_app.command("grade")
def services_grade(
    by: By,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
) -> None:
    """The month's grading: close the rectifications past their deadline, then grade every
    agency under gov-service-grading as of the day."""
    run, closed = application().services.grade_month(as_of=day(as_of), by=by)
    out.print(
        f"{len(closed)} unanswered rectifications closed as late; run #{run.id} of "
        f"{run.scheme} as of {run.as_of}: {run.subjects} agencies graded"
    )


@services_app.command("ranking")
def services_ranking(
    region: Annotated[str | None, typer.Argument(help="A GB/T 2260 code or prefix.")] = None,
) -> None:
    """The agencies of a region by their latest grade, with the trend since the month before."""
    for number, r in enumerate(application().services.ranking(region), start=1):
        score = f"{r.score:.1f}" if r.score is not None else "-"
        out.print(
            f"{number}. {r.name} ({r.code}, {r.level}): {r.grade or '-'} {score} "
            f"[{r.trend}{', was ' + r.previous if r.previous else ''}]",
            markup=False,
            highlight=False,
        )


@services_app.command("rectify")
def services_rectify(
    case_id: Annotated[int, typer.Argument(help="The rectification case's number.")],
    answer: Annotated[str, typer.Option(help="What the agency did about the service.")],
    by: By,
) -> None:
    """The agency's answer to a bad rating (an operator for it, named)."""
    case, record_id, _runs = application().services.rectify(case_id, answer, by=by)
    out.print(f"{case.reference}: {case.outcome}; record #{record_id} written")


@services_app.command("overdue")
def services_overdue(by: By) -> None:
    """Close the rectifications past their deadline as unanswered (each with a late record)."""
    closed = application().services.close_overdue(by=by)
    out.print(f"{len(closed)} rectifications closed as unanswered")
    for case, _record in closed:
        out.print(f"  {case.reference} ({case.subject_code}), due {case.deadline}")
