"""The workbench's simulation page: a credit office pastes or uploads a draft scheme version
(or starts from one in force), picks a day, and sees what the draft would do over the records
then: load-time checks with their line, the draft's own cases, its grades and lists beside the
version in force, and who would move. Nothing is stored; the use case rolls it all back."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from xinyong.application.simulations import MAX_DRAFT, Simulation
from xinyong.catalog.terms import Names
from xinyong.disclosure.access import Permission
from xinyong.documents import charts
from xinyong.errors import InvalidCatalog, InvalidInput, XinyongError
from xinyong.evaluation.impact import Metric
from xinyong.portal.context import Ctx, Page
from xinyong.portal.desk import Csrf, official

router = APIRouter(prefix="/desk/simulate")


def _page(
    ctx: Page,
    text: str,
    day: date,
    result: Simulation | None = None,
    problem: XinyongError | None = None,
    start: str = "",
) -> HTMLResponse:
    chart = None
    if result is not None and result.outcome is not None and result.outcome.grades:
        grades = result.draft.definition.grades
        assert grades is not None
        colours = charts.grade_colours(grades.rated_bands())
        chart = charts.bars(
            "draft-grades",
            ctx.t("simulate_draft_grades"),
            [
                charts.Bar(grades.name_of(g, ctx.lang), n, colours.get(g, charts.OUTSIDE))
                for g, n in result.outcome.grades
            ],
        )
    moves: list[tuple[str | None, str | None, int]] = []
    list_names = {}
    if result is not None:
        list_names = {d.id: d.name for d in result.draft.definition.lists}
        if result.comparison is not None:
            moves = sorted(
                ((a, b, n) for (a, b), n in result.comparison.transitions.items() if a != b),
                key=lambda move: (-move[2], str(move[0]), str(move[1])),
            )
    return ctx.html(
        "desk_simulate.html",
        disparities=_disparities(ctx, result, list_names),
        group=lambda dim, group: group_label(ctx, dim, group),
        moves=moves,
        list_names=list_names,
        status=422 if problem is not None else 200,
        text=text,
        day=day,
        result=result,
        problem=problem,
        chart=chart,
        schemes=ctx.svc.library.in_force(ctx.today),
        limit=MAX_DRAFT // 1024,
        start=start or (result.draft.key if result else ""),
    )


def _disparities(
    ctx: Page, result: Simulation | None, list_names: dict[str, Names]
) -> list[tuple[str, Metric, Markup]]:
    """Each outcome the draft gives anyone (or the version in force gave), and the moves to a
    worse or a better grade, by its name on this page, with a chart of its rate by group
    against the whole population's."""
    if result is None or result.impact is None:
        return []
    grades = result.draft.definition.grades
    found = []
    for n, metric in enumerate(result.impact.metrics):
        kind, _, what = metric.name.partition(":")
        if not metric.count and not metric.before and kind not in ("worse", "better"):
            continue  # an outcome no one has under either version
        if kind == "grade":
            label = ctx.t("simulate_metric_grade").format(
                grade=grades.name_of(what, ctx.lang) if grades else what
            )
        elif kind == "list":
            name = list_names.get(what)
            label = ctx.t("simulate_on_list").format(list=ctx.t.names(name) if name else what)
        else:
            label = ctx.t(f"simulate_metric_{kind}")
        rows = [
            charts.Estimate(group_label(ctx, dim, g.group), g.rate, g.interval.low, g.interval.high)
            for dim, groups in metric.by.items()
            for g in groups
        ]
        found.append((label, metric, charts.intervals(f"impact-{n}", label, rows, metric.rate)))
    return found


def group_label(ctx: Page, dim: str, group: str) -> str:
    """A group as this page names it: a prefecture by name, a kind in words."""
    if group in ("other", "unknown"):
        return ctx.t(f"simulate_group_{group}")
    if dim == "region":
        region = ctx.svc.regions.lookup(group)
        return region.name if region else group
    if dim == "kind":
        return ctx.t(f"kind_{group}")
    if dim == "size":
        return ctx.t(f"simulate_size_{group}")
    return ctx.t("simulate_industry").format(section=group)


@router.get("", response_class=HTMLResponse)
def simulate_form(ctx: Ctx, start: str = "") -> HTMLResponse:
    official(ctx, Permission.SCHEMES)
    text = ctx.svc.simulations.source_of(start) if start else ""
    return _page(ctx, text, ctx.today, start=start)


@router.post("", response_class=HTMLResponse)
def simulate(
    ctx: Ctx,
    csrf: Csrf,
    text: Annotated[str, Form(max_length=MAX_DRAFT)] = "",
    as_of: Annotated[date | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Simulate the draft in the text box, or the uploaded file where one is chosen. A draft
    refused at load time is shown again beside what refused it."""
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.SCHEMES)
    name = "draft.yaml"
    if file is not None and file.filename:
        data = file.file.read(MAX_DRAFT + 1)
        if len(data) > MAX_DRAFT:
            raise InvalidInput("the draft is too large").saying(
                "draft_too_large", limit=MAX_DRAFT // 1024
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("a scheme file is UTF-8 text").saying("draft_not_text") from None
        name = file.filename
    day = as_of or ctx.today
    try:
        result = ctx.svc.simulations.simulate(text, name=name, as_of=day, principal=who)
    except (InvalidInput, InvalidCatalog) as exc:
        return _page(ctx, text, day, problem=exc)
    return _page(ctx, text, day, result=result)
