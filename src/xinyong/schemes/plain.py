"""The plain-language rendering of a scheme, in Chinese or English, generated from the file
itself: what it is, whom it applies to, what counts and for how much, what follows (grades,
lists, measures) and on what basis. The portal and ``xinyong schemes show`` print it; nothing
in it is written by hand, so it can never drift from the rules that run. The sentences come
from :mod:`xinyong.schemes.writer` and its phrase catalog."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Names
from xinyong.errors import NotFound
from xinyong.schemes.model import Scheme, SchemeFile, SchemeType
from xinyong.schemes.writer import Language, Writer

__all__ = ["Language", "Section", "list_criteria", "render", "render_text"]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[str, ...]


def _overlap(a: Scheme, b: Scheme) -> bool:
    x, y = a.definition.scheme, b.definition.scheme
    return (y.effective_to is None or x.effective_from < y.effective_to) and (
        x.effective_to is None or y.effective_from < x.effective_to
    )


def render(
    scheme: Scheme,
    catalog: Catalog,
    language: Language = "zh",
    library: Iterable[Scheme] = (),
) -> list[Section]:
    """The scheme in plain words, section by section. From ``library`` come the names of the
    lists a memorandum points at and, for a scheme with lists or grades, the measures that
    memoranda in force at the same time attach to them (shown under "Measures")."""
    schemes = list(library)
    names = {
        f"{s.id}/{entry.id}": entry.name for s in [*schemes, scheme] for entry in s.definition.lists
    }
    memoranda = [s for s in schemes if s.definition.memorandum and _overlap(s, scheme)]
    titles = {s.id: s.definition.scheme.title for s in [*schemes, scheme]}
    grades = {s.id: s.definition.grades.names for s in [*schemes, scheme] if s.definition.grades}
    w = Writer(catalog, language, names, titles, grades)
    g = functools.partial(w.grade, scheme.id)
    d = scheme.definition
    w.measures, w.window_default, w.scheme_id = d.measures, d.window, d.scheme.id
    meta = d.scheme
    sections = []
    kind = w.say("measures_type" if meta.type is SchemeType.MEASURES else meta.type.value)
    start, until = meta.effective_from, meta.effective_to
    about = [
        w.say("about.title", title=w.name(meta.title), version=meta.version),
        w.say("about.issued", authority=meta.authority, kind=kind, region=w.region(meta.region)),
        w.say("about.in_force_until", start=start, until=until)
        if until
        else w.say("about.in_force", start=start),
    ]
    if meta.industry:
        about.append(w.say("about.industry", industry=w.industries([meta.industry])))
    if meta.cadence:
        about.append(w.say("about.cadence", cadence=w.say(meta.cadence)))
    if meta.supersedes:
        about.append(w.say("about.supersedes", version=meta.supersedes))
    sections.append(Section(w.say("about"), tuple(about)))
    if meta.type is not SchemeType.MEASURES:
        scope = d.scope
        who = [w.join(w.say(k.value) for k in scope.kinds)]
        if scope.region:
            who.append(w.say("scope.region", region=w.region(scope.region)))
            if scope.operating_in_region:
                who.append(w.say("scope.operating"))
        if scope.industry:
            who.append(w.say("scope.industry", industries=w.industries(scope.industry)))
        if scope.registered_at_least:
            who.append(w.say("scope.registered", period=w.period(scope.registered_at_least)))
        if scope.minimum_age:
            who.append(w.say("scope.minimum_age", age=scope.minimum_age))
        lines = [w.say("join.scope").join(who) + w.say("scope.end")]
        if meta.type is not SchemeType.INSPECTION:
            lines.append(w.say("scope.everyone"))
        sections.append(Section(w.say("scope"), tuple(lines)))
    if d.inspection is not None:
        source = titles.get(d.inspection.classes.scheme)
        named = w.name(source) if source else d.inspection.classes.scheme
        sections.append(Section(w.say("inspection.heading"), tuple(_draw(w, d, named))))
    elif meta.type is not SchemeType.MEASURES:
        counts = []
        if d.score.rules or meta.type not in (SchemeType.LIST, SchemeType.SCREENING):
            counts.append(w.say("counts.base", base=f"{d.score.base:g}"))
        counts += [w.measure(name) for name in d.measures]
        counts += [w.rule(rule, d.window, n) for n, rule in enumerate(d.score.rules, 1)]
        total = d.score.total
        if total.min is not None or total.max is not None:
            low = f"{total.min:g}" if total.min is not None else w.say("no_limit")
            high = f"{total.max:g}" if total.max is not None else w.say("no_limit")
            counts.append(w.say("counts.total", low=low, high=high))
        counts.append(
            w.say("counts.in_effect")
            + (w.say("counts.published") if d.records == "published" else "")
            + w.say("counts.separator")
            + w.say(
                "counts.disputed.exclude" if d.disputed == "exclude" else "counts.disputed.include"
            )
        )
        counts.append(w.say("counts.positive"))
        sections.append(Section(w.say("counts"), tuple(counts)))
    if d.grades:
        lines = []
        for band in d.grades.bands:
            if band.min is not None:
                lines.append(w.say("band.min", grade=g(band.grade), min=f"{band.min:g}"))
            else:
                lines.append(w.say("band.rest", grade=g(band.grade)))
        for override in d.grades.overrides:
            when = w.condition(override.when, d.window)
            lines.append(w.say("override", when=when, grade=g(override.grade)))
        for bar in d.grades.bars:
            lines.append(w.say("bar", when=w.condition(bar.when, d.window), highest=g(bar.highest)))
        if d.grades.new_subject:
            new = d.grades.new_subject
            lines.append(
                w.say("new_subject", when=w.condition(new.when, d.window), grade=g(new.grade))
            )
        sections.append(Section(w.say("grades"), tuple(lines)))
    if d.lists and meta.type is SchemeType.SCREENING:
        sections.append(
            Section(w.say("flags"), tuple(w.flag(entry, d.window) for entry in d.lists))
        )
    elif d.lists:
        sections.append(
            Section(w.say("lists"), tuple(w.listing(entry, d.window) for entry in d.lists))
        )
    entries = list(d.memorandum) + [
        entry
        for memo in memoranda
        for entry in memo.definition.memorandum
        if entry.when.scheme == scheme.id
    ]
    if entries:
        sections.append(Section(w.say("measures"), tuple(w.memorandum(e) for e in entries)))
    sections.append(Section(w.say("basis"), tuple(w.basis(b) for b in meta.legal_basis)))
    modelling = meta.own_modelling
    if isinstance(modelling, Names):
        sections.append(Section(w.say("modelling"), (w.name(modelling),)))
    elif modelling:  # a file that gives it in one language only
        sections.append(Section(w.say("modelling"), (modelling,)))
    return sections


def _share(value: Decimal) -> str:
    return f"{float(value) * 100:g}%"


def _draw(w: Writer, d: SchemeFile, source: str) -> list[str]:
    """An inspection plan's draw in plain words: classes and rates, the floor, who is always
    inspected and who is kept out, the inspectors and when they step aside, and the results."""
    spec = d.inspection
    assert spec is not None
    by_list = spec.classes.by == "list"
    lines = [w.say("inspection.classes.list" if by_list else "inspection.classes", scheme=source)]
    for name, rate in spec.classes.rates.items():
        lines.append(w.say("inspection.rate", name=name, rate=_share(rate)))
    default = spec.classes.default
    lines.append(
        w.say("inspection.default", scheme=source, name=default.name, rate=_share(default.rate))
    )
    if spec.floor is not None and spec.floor.share is not None:
        lines.append(w.say("inspection.floor.share", share=_share(spec.floor.share)))
    if spec.floor is not None and spec.floor.subjects is not None:
        lines.append(w.say("inspection.floor.subjects", n=spec.floor.subjects))
    for entry in spec.always:
        if entry.when is not None:
            when = w.condition(entry.when, d.window)
            lines.append(w.say("inspection.always", reason=w.name(entry.reason), when=when))
    for entry in spec.never:
        if entry.when is not None:
            when = w.condition(entry.when, d.window)
            lines.append(w.say("inspection.never", reason=w.name(entry.reason), when=when))
        if entry.leniency:
            policies = w.join(entry.leniency)
            lines.append(
                w.say("inspection.leniency", reason=w.name(entry.reason), policies=policies)
            )
    pool = ""
    if spec.pool.departments:
        pool += w.say("inspection.pool.departments", departments=w.join(spec.pool.departments))
    if spec.pool.qualifications:
        qualified = w.join(spec.pool.qualifications)
        pool += w.say("inspection.pool.qualified", qualifications=qualified)
    lines.append(w.say("inspection.inspectors", n=spec.inspectors_per_target, pool=pool))
    level = spec.conflicts.same_region
    region = (
        ""
        if level == "none"
        else w.say("inspection.conflicts.region", level=w.say(f"inspection.level.{level}"))
    )
    kinds = w.join(w.say(f"relation.{k}") for k in spec.conflicts.declared)
    lines.append(w.say("inspection.conflicts", kinds=kinds, region=region))
    if spec.conflicts.inspected_within is not None:
        period = w.period(spec.conflicts.inspected_within)
        lines.append(w.say("inspection.rotation", period=period))
    lines.append(w.say("inspection.commitment"))
    results = spec.results
    lines.append(w.say("inspection.results", item=results.item, days=results.within_working_days))
    return lines


def render_text(sections: list[Section]) -> str:
    """Sections as plain text: a heading, then its lines indented."""
    out = []
    for section in sections:
        out.append(section.heading)
        out += [f"  {line}" for line in section.lines]
    return "\n".join(out)


def list_criteria(scheme: Scheme, catalog: Catalog, list_id: str, language: Language = "zh") -> str:
    """One list of a scheme in plain words: who enters, for how long, and the due process."""
    entry = next((e for e in scheme.definition.lists if e.id == list_id), None)
    if entry is None:
        raise NotFound(f"{scheme.key} has no list {list_id}")
    names = {f"{scheme.id}/{e.id}": e.name for e in scheme.definition.lists}
    d = scheme.definition
    w = Writer(catalog, language, names)
    w.measures, w.window_default, w.scheme_id = d.measures, d.window, d.scheme.id
    # the named measures a condition compares, said in full after the list's criteria
    return " ".join([w.listing(entry, d.window), *(w.measure(name) for name in d.measures)])
