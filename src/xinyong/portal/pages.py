"""The public pages: search, a subject's public profile and why it has its grades, the lists and
their members, and the scheme catalog with its dated feed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from xinyong.disclosure.credit_file import credit_file, standings
from xinyong.dueprocess.listings import members_page
from xinyong.dueprocess.publication import public_condition
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.explain import explain
from xinyong.evaluation.runs import grade_distribution, latest_run
from xinyong.portal.context import Ctx, Page
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.registry.name_index import Found, Hit, search
from xinyong.registry.records import in_effect
from xinyong.schemes.library import Publication
from xinyong.schemes.model import Scheme, SchemeType
from xinyong.schemes.plain import list_criteria, render
from xinyong.store.tables import records, subjects

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
            with ctx.svc.db.connect() as conn:
                found = search(
                    conn,
                    q,
                    PAGE_SIZE + 1,
                    offset=(page - 1) * PAGE_SIZE,
                    resident_ids=own is not None,
                )
            ranked_among = found.ranked_among
        except InvalidInput as refused:
            found, problem = Found([]), str(refused)
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
    code = ctx.code_of(subject_id)
    with svc.db.connect() as conn:
        file = credit_file(conn, svc.catalog, code, day, public=True)
        grades = [s for s in standings(conn, svc.library, subject_id, day) if s.has_grades]
    subject = file.subject
    shown_code = svc.mask.mask_code(subject.code)
    shown_name = svc.mask.mask_name(subject.name, subject.kind)
    lists = {f"{s.id}/{d.id}": (s, d) for s in svc.library for d in s.definition.lists}
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
        region=Regions.load().lookup(subject.region_code or ""),
    )


@router.get("/profile/{subject_id}/why/{scheme_id}", response_class=HTMLResponse)
def why(ctx: Ctx, subject_id: int, scheme_id: str, at: Day = None) -> HTMLResponse:
    """Why a subject has its grade: the explanation of the stored run, told with only the
    records the public may see (the others are counted, not shown)."""
    svc = ctx.svc
    day = at or ctx.today
    code = ctx.code_of(subject_id)
    with svc.db.connect() as conn:
        standing = next(
            (s for s in standings(conn, svc.library, subject_id, day) if s.scheme_id == scheme_id),
            None,
        )
        if standing is None or not standing.has_grades:
            raise NotFound(f"no published grade of subject {subject_id} under {scheme_id}")
        scheme = svc.library.get(f"{scheme_id}@{standing.scheme_version}")
        explanation = explain(conn, scheme, svc.catalog, standing.run_as_of, code)
        public = set(
            conn.execute(
                in_effect(day)
                .where(records.c.subject_id == subject_id, public_condition(svc.catalog, day))
                .with_only_columns(records.c.id)
            ).scalars()
        )
    return ctx.html(
        "why.html",
        subject_id=subject_id,
        scheme=scheme,
        standing=standing,
        explanation=explanation,
        public=public,
        name=_public_name(ctx, code),
    )


def _public_name(ctx: Page, code: str) -> str:
    with ctx.svc.db.connect() as conn:
        row = conn.execute(select(subjects.c.name, subjects.c.kind).where(subjects.c.code == code))
        name, kind = row.one()
    return ctx.svc.mask.mask_name(str(name), str(kind))


def _in_force(ctx: Page) -> list[Scheme]:
    found = []
    for scheme_id in sorted({s.id for s in ctx.svc.library}):
        try:
            found.append(ctx.svc.library.get(scheme_id, on=ctx.today))
        except NotFound:
            continue
    return found


@router.get("/lists", response_class=HTMLResponse)
def lists_page(ctx: Ctx) -> HTMLResponse:
    svc = ctx.svc
    entries = []
    with svc.db.connect() as conn:
        for scheme in _in_force(ctx):
            for entry in scheme.definition.lists:
                total, _ = members_page(conn, f"{scheme.id}/{entry.id}", ctx.today, 0, 0)
                entries.append((scheme, entry, total))
    return ctx.html("lists.html", entries=entries)


@router.get("/lists/{scheme_id}/{list_id}", response_class=HTMLResponse)
def list_page(
    ctx: Ctx, scheme_id: str, list_id: str, page: Annotated[int, Query(ge=1)] = 1
) -> HTMLResponse:
    svc = ctx.svc
    scheme = svc.library.get(scheme_id, on=ctx.today)
    entry = next((e for e in scheme.definition.lists if e.id == list_id), None)
    if entry is None:
        raise NotFound(f"{scheme.key} has no list {list_id}")
    with svc.db.connect() as conn:
        total, found = members_page(
            conn, f"{scheme_id}/{list_id}", ctx.today, (page - 1) * PAGE_SIZE, PAGE_SIZE
        )
        ids = [m.subject_id for m in found]
        rows = conn.execute(
            select(subjects.c.id, subjects.c.code, subjects.c.name, subjects.c.kind).where(
                subjects.c.id.in_(ids)
            )
        ).all()
    mask = svc.mask
    people = {
        r.id: (
            mask.mask_code(r.code),
            mask.mask_name(r.name, r.kind),
        )
        for r in rows
    }
    return ctx.html(
        "list.html",
        scheme=scheme,
        entry=entry,
        criteria=list_criteria(scheme, svc.catalog, list_id, ctx.lang),
        members=[(m, *people[m.subject_id]) for m in found],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _filters(ctx: Page) -> dict[str, list[tuple[str, str]]]:
    """The choices of the catalog's filters: the types, and the industries and locations
    schemes are filed under (with the provinces above them)."""
    industries = Industries.load()
    regions = Regions.load()
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
    distribution: list[tuple[str, int]] = []
    run = None
    if scheme.definition.grades is not None:
        with svc.db.connect() as conn:
            try:
                run = latest_run(conn, scheme)
            except NotFound:
                run = None
            if run is not None:
                counts = grade_distribution(conn, run.id)
                distribution = [
                    (band.grade, counts.get(band.grade, 0))
                    for band in scheme.definition.grades.bands
                ]
                order = {g for g, _ in distribution}
                distribution += sorted((g, n) for g, n in counts.items() if g and g not in order)
    return ctx.html(
        "scheme.html",
        scheme=scheme,
        versions=versions,
        sections=sections,
        run=run,
        distribution=distribution,
        peak=max((n for _, n in distribution), default=0),
        region=Regions.load().lookup(scheme.definition.scheme.region),
    )
