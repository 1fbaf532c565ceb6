"""The public pages: search, a subject's public profile and why it has its grades, the lists and
their members, and the scheme catalog with its dated feed."""

from __future__ import annotations

import functools
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from xinyong.catalog.terms import Category
from xinyong.disclosure.credit_file import FileRecord
from xinyong.documents import charts
from xinyong.errors import InvalidInput, NotFound
from xinyong.portal.context import Ctx, Page
from xinyong.registry.name_index import Found, Hit
from xinyong.schemes.library import Publication
from xinyong.schemes.model import Grades, Scheme, SchemeType
from xinyong.schemes.plain import list_criteria, render

router = APIRouter()
PAGE_SIZE = 20
Day = Annotated[date | None, Query()]


@router.get("/", response_class=HTMLResponse)
def home(ctx: Ctx) -> HTMLResponse:
    return ctx.html("home.html", feed=ctx.svc.library.latest(5))


def _shown(ctx: Page, hit: Hit) -> tuple[str, str]:
    """A hit's code and name as the public may see them (the signed-in subject sees its own)."""
    own = ctx.signed_in and hit.code == ctx.principal.subject_code
    if own or hit.kind.value != "individual":
        return hit.code, hit.name
    mask = ctx.svc.mask
    return mask.mask_code(hit.code), mask.mask_person_name(hit.name)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    ctx: Ctx, q: Annotated[str, Query(max_length=100)] = "", page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    hits: list[tuple[Hit, str, str]] = []
    problem = None
    ranked_among = None
    if q.strip():
        own = ctx.principal.subject_code if ctx.signed_in else None
        try:
            found = ctx.svc.files.search(
                q, PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, resident_ids=own is not None
            )
            ranked_among = found.ranked_among
        except InvalidInput as refused:
            found, problem = Found([]), ctx.told(refused)
        # A resident ID finds only the signed-in person's own entry.
        shown = [h for h in found.hits if h.kind.value != "individual" or h.match or h.code == own]
        hits = [(h, *_shown(ctx, h)) for h in shown]
    more = len(hits) > PAGE_SIZE
    return ctx.html(
        "search.html",
        q=q,
        hits=hits[:PAGE_SIZE],
        page=page,
        more=more,
        problem=problem,
        ranked_among=ranked_among,
    )


@router.get("/profile/{subject_id}", response_class=HTMLResponse)
def profile(ctx: Ctx, subject_id: int, at: Day = None) -> HTMLResponse:
    svc = ctx.svc
    day = at or ctx.today
    shown = svc.files.profile(subject_id, day)
    file, grades = shown.file, shown.grades
    subject = file.subject
    shown_code = svc.mask.mask_code(subject.code)
    shown_name = svc.mask.mask_name(subject.name, subject.kind)
    lists = {f"{s.id}/{d.id}": (s, d) for s in svc.library for d in s.definition.lists}
    licensing = Category.ADMINISTRATIVE_LICENSING
    penalties = Category.ADMINISTRATIVE_PENALTY
    sections: dict[str, list[FileRecord]] = {"licences": [], "penalties": [], "other": []}
    for entry in file.records:
        item = svc.catalog.get(entry.record.item_code)
        category = item.category if item else None
        key = "licences" if category is licensing else "other"
        key = "penalties" if category is penalties else key
        sections[key].append(entry)
    history = svc.files.grade_history(subject_id, day)
    return ctx.html(
        "profile.html",
        subject=subject,
        code=shown_code,
        name=shown_name,
        file=file,
        grades=grades,
        lists=lists,
        day=day,
        catalog=svc.catalog,
        sections=sections,
        histories=[
            (g, grade_history_chart(ctx, g.scheme_id, g.scheme_version, history[g.scheme_id]))
            for g in grades
            if len(history.get(g.scheme_id, [])) > 1
        ],
        region=ctx.svc.regions.lookup(subject.region_code or ""),
        industry=svc.industries.lookup(subject.industry_code or ""),
    )


@router.get("/profile/{subject_id}/records/{record_id}", response_class=HTMLResponse)
def record_page(ctx: Ctx, subject_id: int, record_id: int, at: Day = None) -> HTMLResponse:
    """One public record in full, as the double-publicity rules publish it: the decision
    number, the facts, the basis, the penalty or licence, the authority and how long it is
    published. Only a record the public may see on the day is shown."""
    svc = ctx.svc
    day = at or ctx.today
    file = svc.files.public_file(subject_id, day)
    entry = next((e for e in file.records if e.record.id == record_id), None)
    if entry is None:
        raise NotFound(f"no public record {record_id} of subject {subject_id}").saying(
            "no_such_record"
        )
    return ctx.html(
        "record.html",
        subject=file.subject,
        name=svc.mask.mask_name(file.subject.name, file.subject.kind),
        entry=entry,
        r=entry.record,
        item=svc.catalog.get(entry.record.item_code),
        day=day,
    )


def _grade_label(grades: Grades, language: str, code: str) -> str:
    return grades.name_of(code, language)


def grade_history_chart(ctx: Page, scheme_id: str, version: int, points: list[Any]) -> Markup:
    """A subject's grades under one scheme, evaluation by evaluation."""
    grades = ctx.svc.library.grades_of(f"{scheme_id}@{version}")
    assert grades is not None
    order = [b.grade for b in grades.bands]
    colours = charts.grade_colours(grades.rated_bands())
    named = {g: grades.name_of(g, ctx.lang) for g in grades.codes()}
    return charts.steps(
        f"history-{scheme_id}",
        ctx.t("grade_history"),
        [named[g] for g in order],
        {named[g]: c for g, c in colours.items()},
        [(f"{d}", named.get(g or "", g or "—")) for d, g in points],
    )


@router.get("/profile/{subject_id}/why/{scheme_id}", response_class=HTMLResponse)
def why(ctx: Ctx, subject_id: int, scheme_id: str, at: Day = None) -> HTMLResponse:
    """Why a subject has its grade: the explanation of the stored run, told with only the
    records the public may see (the others are counted, not shown)."""
    svc = ctx.svc
    day = at or ctx.today
    found = svc.files.why(subject_id, scheme_id, day)
    return ctx.html(
        "why.html",
        subject_id=subject_id,
        scheme=found.scheme,
        standing=found.standing,
        explanation=found.explanation,
        public=found.public,
        name=svc.files.public_name(found.explanation.code),
        rule_numbers={r.id: n for n, r in enumerate(found.scheme.definition.score.rules, 1)},
    )


@router.get("/lists", response_class=HTMLResponse)
def lists_page(ctx: Ctx) -> HTMLResponse:
    entries = []
    for scheme in ctx.svc.library.in_force(ctx.today):
        if scheme.definition.scheme.type is SchemeType.SCREENING:
            continue  # a screening scheme's flags answer consented checks; no one is listed
        for entry in scheme.definition.lists:
            total, _ = ctx.svc.listings.page(f"{scheme.id}/{entry.id}", limit=0)
            entries.append((scheme, entry, total))
    return ctx.html("lists.html", entries=entries)


@router.get("/lists/{scheme_id}/{list_id}", response_class=HTMLResponse)
def list_page(
    ctx: Ctx, scheme_id: str, list_id: str, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    svc = ctx.svc
    scheme = svc.library.get(scheme_id, on=ctx.today)
    entry = next((e for e in scheme.definition.lists if e.id == list_id), None)
    if entry is None or scheme.definition.scheme.type is SchemeType.SCREENING:
        raise NotFound(f"{scheme.key} has no list {list_id}").saying("no_such_page")
    total, found = svc.listings.page(
        f"{scheme_id}/{list_id}", offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    sizes = svc.listings.sizes(f"{scheme_id}/{list_id}")
    sizes_chart = charts.line(
        "sizes-chart", ctx.t("list_sizes"), [(f"{d:%Y-%m}", n) for d, n in sizes]
    )
    return ctx.html(
        "list.html",
        scheme=scheme,
        entry=entry,
        criteria=list_criteria(scheme, svc.catalog, list_id, ctx.lang),
        members=[(m.listing, m.code, m.name) for m in found],
        sizes=sizes,
        sizes_chart=sizes_chart,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _filters(ctx: Page) -> dict[str, list[tuple[str, str]]]:
    """The choices of the catalog's filters: the types, and the industries and locations
    schemes are filed under (with the provinces above them)."""
    industries = ctx.svc.industries
    regions = ctx.svc.regions
    sections = sorted(
        {industries.section_of(s.definition.scheme.industry or "") or "" for s in ctx.svc.library}
        - {""}
    )
    wanted = {s.definition.scheme.region for s in ctx.svc.library} - {"000000"}
    wanted |= {code[:2] + "0000" for code in wanted}
    t = ctx.t
    return {
        "type": [(k.value, t(f"type_{k.value}")) for k in SchemeType],
        "industry": [
            (code, getattr(industries.lookup(code), f"name_{ctx.lang}", code)) for code in sections
        ],
        "region": [("000000", t("national"))]
        + [(code, " ".join(regions.path(code))) for code in sorted(wanted) if code in regions],
    }


@router.get("/directory", response_class=HTMLResponse)
def catalog_page(
    ctx: Ctx,
    type: str | None = None,
    industry: str | None = None,
    region: str | None = None,
) -> HTMLResponse:
    chosen = {"type": type or None, "industry": industry or None, "region": region or None}
    schemes = ctx.svc.library.filed(**chosen)
    newest: dict[str, Scheme] = {}
    for scheme in schemes:
        newest[scheme.id] = scheme  # the library iterates by id, then version
    return ctx.html(
        "catalog.html", schemes=list(newest.values()), filters=_filters(ctx), chosen=chosen
    )


@router.get("/latest", response_class=HTMLResponse)
def latest_page(ctx: Ctx) -> HTMLResponse:
    feed: list[Publication] = ctx.svc.library.latest()
    return ctx.html("latest.html", feed=feed)


@router.get("/directory/{scheme_id}", response_class=HTMLResponse)
def scheme_page(
    ctx: Ctx, scheme_id: str, version: Annotated[int | None, Query(ge=1)] = None
) -> HTMLResponse:
    svc = ctx.svc
    reference = f"{scheme_id}@{version}" if version else scheme_id
    scheme = svc.library.get(reference)
    versions = [s for s in svc.library if s.id == scheme_id]
    sections = render(scheme, svc.catalog, ctx.lang, svc.library)
    shown = svc.schemes.distribution(scheme)
    run, distribution = shown.run, shown.grades
    grades = scheme.definition.grades
    chart = trend_chart = None
    trend = svc.schemes.trend(scheme)
    if grades is not None:
        # the rated bands best first carry the colours; "not rated" and a result outside the
        # bands are grey, never the worst band's red
        colours = charts.grade_colours(grades.rated_bands())
        label = functools.partial(_grade_label, grades, ctx.lang)
        chart = charts.bars(
            "grades-chart",
            ctx.t("distribution"),
            [charts.Bar(label(g), n, colours.get(g, charts.OUTSIDE)) for g, n in distribution],
        )
        if len(trend.days) > 1:
            trend_chart = charts.stacked(
                "trend-chart",
                ctx.t("trend"),
                [d.isoformat() for d in trend.days],
                [(label(g), colours.get(g, charts.OUTSIDE), v) for g, v in trend.series],
            )
    return ctx.html(
        "scheme.html",
        scheme=scheme,
        versions=versions,
        sections=sections,
        run=run,
        distribution=distribution,
        chart=chart,
        trend=trend,
        trend_chart=trend_chart,
        region=ctx.svc.regions.lookup(scheme.definition.scheme.region),
    )
