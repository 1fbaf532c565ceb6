"""Sample subjects and records built from the shipped schemes' own test cases, so that sample
data exercises every scheme: a few subjects per case, with the case's records moved by whole
years to a date the scheme is in force, are in every grade and on every list the cases show.

Whole years keep calendar-year windows ("the evaluation year") and month windows intact. Cases
with revoked or repaired records, or with a subject out of scope, are left out: they show what
does not count, which random records show as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from xinyong.catalog.items import Catalog
from xinyong.reference.identifiers import SubjectKind
from xinyong.samples.population import DEPARTMENTS, SampleGenerator, SampleSubject
from xinyong.schemes.library import Library
from xinyong.schemes.model import Scheme, TestCase


@dataclass(slots=True)
class Scenario:
    """The subjects and record rows built for one scheme, and the date to evaluate it on."""

    scheme: Scheme
    as_of: date
    subjects: list[SampleSubject] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _in_force(scheme: Scheme, day: date) -> bool:
    meta = scheme.definition.scheme
    return meta.effective_from <= day and (meta.effective_to is None or day < meta.effective_to)


def evaluation_date(scheme: Scheme, until: date) -> date | None:
    """The date sample data evaluates ``scheme`` on: the as-of date most of its cases use,
    moved by the most whole years that keep it on or before ``until`` and in force."""
    dates = [case.as_of for case in scheme.definition.tests]
    if not dates:
        return None
    common = max(sorted(set(dates)), key=dates.count)
    years = until.year - common.year
    while (day := _shift(common, years)) >= scheme.definition.scheme.effective_from:
        if day <= until and _in_force(scheme, day):
            return day
        years -= 1
    return None


def _usable(case: TestCase) -> bool:
    return case.expect.in_scope and not any(r.revoked_on or r.repaired_on for r in case.records)


def scenarios(
    library: Library,
    catalog: Catalog,
    generator: SampleGenerator,
    until: date,
    copies: int = 3,
) -> list[Scenario]:
    """One scenario per scheme id (its newest version) that has usable cases."""
    out = []
    counter = 0
    for scheme_id in sorted({s.id for s in library.evaluable()}):
        scheme = library.get(scheme_id)
        as_of = evaluation_date(scheme, until)
        if as_of is None:
            continue
        scenario = Scenario(scheme, as_of)
        for case in scheme.definition.tests:
            years = as_of.year - case.as_of.year
            if _shift(case.as_of, years) != as_of or not _usable(case):
                continue
            for _ in range(copies):
                subject = _subject(generator, case, years)
                scenario.subjects.append(subject)
                for record in case.records:
                    counter += 1
                    decided = _shift(record.decided_on, years)
                    row: dict[str, Any] = {
                        "subject_code": subject.code,
                        "subject_name": subject.name,
                        "item_code": record.item,
                        "decided_on": decided.isoformat(),
                        **record.attributes,
                    }
                    if record.severity is not None:
                        row["severity"] = record.severity
                    item = catalog[record.item]
                    if item.reference_required:
                        source = generator.source_of(item)
                        row["reference"] = (
                            f"{DEPARTMENTS[source][:2]}〔{decided.year}〕S{counter}号"
                        )
                    scenario.rows.append(row)
        if scenario.subjects:
            out.append(scenario)
    return out


def _subject(generator: SampleGenerator, case: TestCase, years: int) -> SampleSubject:
    """A new subject like the case's: same kind, region, industry and age."""
    spec = case.subject
    registered = _shift(spec.registered_on, years) if spec.registered_on else None
    if spec.kind is SubjectKind.INDIVIDUAL:
        subject = generator.person(spec.region)
    elif spec.kind is SubjectKind.ORGANISATION:
        subject = generator.organisation(spec.region)
    elif spec.kind is SubjectKind.AGENCY:
        subject = generator.agency(spec.region)
    else:
        subject = generator.enterprise(spec.region, spec.industry)
    if spec.kind is not SubjectKind.INDIVIDUAL:
        subject.industry_code = spec.industry
        subject.registered_on = registered or date(2005, 1, 1) + timedelta(
            days=generator.rng.randrange(0, 365 * 10)
        )
    return subject
