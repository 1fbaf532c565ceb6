"""Loading a scheme file: parse it into :mod:`xinyong.schemes.model`, then check it against the
catalog (every item a scheme reads must be in it; a positive-only item may never lower a score)
and for sense (bands in order, every band reachable). :func:`load_scheme` raises
:class:`~xinyong.schemes.model.InvalidScheme` naming the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Polarity
from xinyong.reference.identifiers import SubjectKind
from xinyong.reference.services import ServiceCategories
from xinyong.schemes.analysis import analyse
from xinyong.schemes.model import (
    Condition,
    InvalidScheme,
    MeasureCompare,
    MeasureRef,
    Scheme,
    SchemeFile,
    SchemeType,
)
from xinyong.schemes.record_checks import check_records as _check_records
from xinyong.schemes.record_checks import check_terms, has_term
from xinyong.schemes.record_checks import fail as _fail
from xinyong.schemes.record_checks import items_of as _items_of
from xinyong.yamlsource import LineDict, load_yaml, validate


def load_scheme(path: Path, catalog: Catalog) -> Scheme:
    """Parse and check one scheme file; raise :class:`InvalidScheme` on the first problem."""
    document = load_yaml(path, error=InvalidScheme)
    if not isinstance(document, LineDict):
        raise InvalidScheme("a scheme file is a mapping with a 'scheme' header", path=str(path))
    definition = validate(SchemeFile, document, path, error=InvalidScheme)
    scheme = Scheme(definition, path, document)
    _check(scheme, catalog)
    scheme.findings = analyse(scheme, catalog)
    return scheme


def _check_measures(scheme: Scheme, catalog: Catalog) -> None:
    """Each named measure reads catalog items that all carry its attribute (and weight), of a
    number type where it adds, compares or averages them."""
    for name, spec in scheme.definition.measures.items():
        loc = ("measures", name)
        _check_records(scheme, catalog, spec.records, *loc, "records")
        for item in _items_of(catalog, spec.records):
            for role, attribute in (("attribute", spec.attribute), ("weight", spec.weight)):
                if attribute is None:
                    continue
                found = item.attribute_specs.get(attribute)
                if found is None:
                    raise _fail(scheme, f"{item.code} has no attribute {attribute!r}", *loc, role)
                numbers = spec.aggregate != "distinct" or role == "weight"
                if numbers and found.type not in ("integer", "decimal"):
                    raise _fail(
                        scheme,
                        f"{spec.aggregate} of {item.code}.{attribute}: it is {found.type}, "
                        "not a number",
                        *loc,
                        role,
                    )


def _low_values_hold(test: MeasureCompare) -> list[str]:
    """The measures that a comparison favours being small (or absent): the left side compared
    with below, at_most or equals, and a measure on the right of at_least or above."""
    small = []
    for op, value in test.tests():
        if op in ("below", "at_most", "equals"):
            small.append(test.measure)
        if op in ("at_least", "above") and isinstance(value, MeasureRef):
            small.append(value.measure)
    return small


def _check_condition(
    scheme: Scheme,
    catalog: Catalog,
    condition: Condition,
    *loc: int | str,
    harms: bool = True,
) -> None:
    """A condition's records and comparisons. Where the condition ``harms`` (a bar, a
    penalising override, a blacklist), no comparison may hold because a measure of
    positive-only items is small: the absence of a good record is never a penalty."""
    if condition.records:
        _check_records(scheme, catalog, condition.records, *loc, "records")
    measures = scheme.definition.measures
    for index, test in enumerate(condition.compare):
        where = (*loc, "compare", index)
        named = [test.measure] + [v.measure for _, v in test.tests() if isinstance(v, MeasureRef)]
        for name in named:
            if name not in measures:
                known = ", ".join(sorted(measures)) or "none"
                raise _fail(scheme, f"no measure {name!r} (measures: {known})", *where)
        for name in _low_values_hold(test) if harms else []:
            positive = [
                i.code
                for i in _items_of(catalog, measures[name].records)
                if i.polarity is Polarity.POSITIVE
            ]
            if positive:
                raise _fail(
                    scheme,
                    f"this penalising condition holds when measure {name!r} of positive item "
                    f"{positive[0]} is small or absent; the absence of a positive record may "
                    "gate a favourable outcome, never a penalty",
                    *where,
                )
    first = condition.subject.first_record if condition.subject else None
    for code in first.items() if first else []:
        if code not in catalog:
            raise _fail(
                scheme,
                f"first_record: item {code} is not in the catalog",
                *loc,
                "subject",
                "first_record",
                "item",
            )
    if condition.previous is not None:
        d = scheme.definition
        if d.grades is None or d.scheme.cadence is None:
            raise _fail(
                scheme,
                "'previous' reads this scheme's grade in its previous evaluation: the scheme "
                "needs grades and a cadence (yearly, quarterly, monthly or daily) that says "
                "which evaluation is the previous one",
                *loc,
                "previous",
            )
        unknown = sorted(set(condition.previous.grade) - d.grades.codes())
        if unknown:
            raise _fail(
                scheme,
                f"previous: {', '.join(unknown)} is not a grade of this scheme",
                *loc,
                "previous",
                "grade",
            )
    for index, alternative in enumerate(condition.alternatives):
        _check_condition(scheme, catalog, alternative, *loc, "any", index, harms=harms)


def _check(scheme: Scheme, catalog: Catalog) -> None:
    d = scheme.definition
    _check_measures(scheme, catalog)
    if d.scope.operating_in_region and not d.scope.region:
        raise _fail(
            scheme,
            "operating_in_region adds subjects with records decided in the scope's region, "
            "and the scope names none",
            "scope",
            "operating_in_region",
        )
    if d.scope.minimum_age and SubjectKind.INDIVIDUAL not in d.scope.kinds:
        raise _fail(
            scheme,
            "minimum_age is the age of individuals, and the scope has none",
            "scope",
            "minimum_age",
        )
    for index, rule in enumerate(d.score.rules):
        loc: tuple[int | str, ...] = ("score", "rules", index)
        if rule.measure is not None:
            if rule.measure not in d.measures:
                known = ", ".join(sorted(d.measures)) or "none"
                raise _fail(
                    scheme, f"no measure {rule.measure!r} (measures: {known})", *loc, "measure"
                )
            items = _items_of(catalog, d.measures[rule.measure].records)
        else:
            assert rule.when is not None
            _check_records(scheme, catalog, rule.when, *loc, "when")
            items = _items_of(catalog, rule.when)
        if rule.amount < 0:
            positive = [i.code for i in items if i.polarity is Polarity.POSITIVE]
            if positive:
                raise _fail(
                    scheme,
                    f"rule {rule.id} deducts points for positive-only item "
                    f"{positive[0]}; a positive item can only add",
                    *loc,
                )
        if rule.of is not None:
            function, _, rest = rule.of.partition("(")
            attribute = rest.rstrip(")")
            if function not in ("sum", "distinct") or not attribute:
                raise _fail(scheme, "'of' is sum(attribute) or distinct(attribute)", *loc, "of")
            for item in items:
                spec = item.attribute_specs.get(attribute)
                if spec is None or (function == "sum" and spec.type not in ("integer", "decimal")):
                    raise _fail(
                        scheme,
                        f"{item.code} has no number attribute {attribute!r} to sum",
                        *loc,
                        "of",
                    )
    ids = [r.id for r in d.score.rules]
    if len(set(ids)) != len(ids):
        raise _fail(scheme, "rule ids must be unique", "score", "rules")
    if d.grades:
        bands = d.grades.bands
        if bands[-1].min is not None or any(b.min is None for b in bands[:-1]):
            raise _fail(
                scheme,
                "bands go from the highest down; only the last has no 'min'",
                "grades",
                "bands",
            )
        mins = [b.min for b in bands[:-1] if b.min is not None]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise _fail(
                scheme,
                "band minimums must strictly decrease; a band below an equal or "
                "higher minimum can never be reached",
                "grades",
                "bands",
            )
        top, bottom = d.score.total.max, d.score.total.min
        for index, band in enumerate(bands[:-1]):
            if band.min is not None and top is not None and band.min > top:
                raise _fail(
                    scheme,
                    f"band {band.grade} needs {band.min:g} but the score is "
                    f"capped at {top:g}: it can never be reached",
                    "grades",
                    "bands",
                    index,
                )
        if bottom is not None and len(mins) and mins[-1] <= bottom:
            raise _fail(
                scheme,
                f"band {bands[-1].grade} can never be reached: the score is at least {bottom:g}",
                "grades",
                "bands",
                len(bands) - 1,
            )
        grades = {b.grade for b in bands}
        extra = {d.grades.new_subject.grade} if d.grades.new_subject else set()
        for index, override in enumerate(d.grades.overrides):
            if override.grade not in grades:
                raise _fail(
                    scheme,
                    f"override grade {override.grade} is not a band",
                    "grades",
                    "overrides",
                    index,
                )
            _check_condition(
                scheme,
                catalog,
                override.when,
                "grades",
                "overrides",
                index,
                "when",
                harms=override.grade != bands[0].grade,
            )
        for index, bar in enumerate(d.grades.bars):
            if bar.highest not in grades:
                raise _fail(
                    scheme, f"bar grade {bar.highest} is not a band", "grades", "bars", index
                )
            _check_condition(scheme, catalog, bar.when, "grades", "bars", index, "when")
        if d.grades.new_subject:
            _check_condition(scheme, catalog, d.grades.new_subject.when, "grades", "new_subject")
        if extra & grades:
            raise _fail(
                scheme, "the new-subject grade must differ from the bands", "grades", "new_subject"
            )
    for index, listed in enumerate(d.lists):
        _check_condition(
            scheme,
            catalog,
            listed.enter,
            "lists",
            index,
            "enter",
            harms=listed.severity != "redlist",
        )
        check_terms(scheme, catalog, listed, index)
    if d.grades:
        placed = [("overrides", i, o.when) for i, o in enumerate(d.grades.overrides)]
        placed += [("bars", i, b.when) for i, b in enumerate(d.grades.bars)]
        for section, index, condition in placed:
            if has_term(condition):
                raise _fail(
                    scheme,
                    "'term' sets a listing's term; it belongs on a list's grounds",
                    "grades",
                    section,
                    index,
                    "when",
                )
    if d.scheme.type is SchemeType.RATING and d.grades is None:
        raise _fail(scheme, "a rating scheme needs 'grades'", "scheme", "type")
    if (d.scheme.type is SchemeType.MEASURES) != bool(d.memorandum):
        raise _fail(scheme, "a measures scheme, and only it, has a 'memorandum'", "scheme", "type")
    if d.memorandum:
        from xinyong.catalog.measures import shipped_measures

        measures = shipped_measures()
        for index, entry in enumerate(d.memorandum):
            for code in entry.measures:
                if code not in measures:
                    raise _fail(
                        scheme,
                        f"measure {code} is not in the measures catalog; every measure needs "
                        "an entry there with its legal basis",
                        "memorandum",
                        index,
                        "measures",
                    )
    if (d.scheme.type is SchemeType.INSPECTION) != (d.inspection is not None):
        raise _fail(
            scheme, "an inspection plan, and only it, has an 'inspection'", "scheme", "type"
        )
    if d.inspection is not None:
        _check_inspection(scheme, catalog)
    if d.scheme.type is SchemeType.LIST and not d.lists:
        raise _fail(scheme, "a list scheme needs 'lists'", "scheme", "type")
    _check_screening(scheme)
    for index, case in enumerate(d.tests):
        for r_index, record in enumerate(case.records):
            if record.item not in catalog:
                raise _fail(
                    scheme,
                    f"test record item {record.item} is not in the catalog",
                    "tests",
                    index,
                    "records",
                    r_index,
                    "item",
                )


def _check_screening(scheme: Scheme) -> None:
    """A screening scheme's lists are flags for a consent check: each names the categories it
    concerns, from the scheme's category set; it scores and grades nothing, and no other kind
    of scheme has flags."""
    d = scheme.definition
    screening = d.scheme.type is SchemeType.SCREENING
    if screening != (d.screening is not None):
        raise _fail(scheme, "a screening scheme, and only it, has 'screening'", "scheme", "type")
    if not screening:
        for index, listed in enumerate(d.lists):
            if listed.screens:
                raise _fail(
                    scheme,
                    "'screens' names the categories of a screening scheme's flag",
                    "lists",
                    index,
                    "screens",
                )
        return
    assert d.screening is not None
    if d.score.rules or d.grades or d.memorandum or not d.lists:
        raise _fail(
            scheme,
            "a screening scheme has flags ('lists' with 'screens') and nothing else: no "
            "score, grades or memorandum",
            "scheme",
            "type",
        )
    if SubjectKind.INDIVIDUAL not in d.scope.kinds or len(d.scope.kinds) != 1:
        raise _fail(
            scheme, "a screening scheme checks individuals: kinds: [individual]", "scope", "kinds"
        )
    try:
        codes = ServiceCategories.load()[d.screening.categories].codes
    except KeyError:
        raise _fail(
            scheme,
            f"no category set {d.screening.categories!r} in data/services",
            "screening",
            "categories",
        ) from None
    for index, listed in enumerate(d.lists):
        if not listed.screens:
            raise _fail(
                scheme, "a flag names the categories it concerns ('screens')", "lists", index
            )
        for c_index, code in enumerate(listed.screens):
            if code not in codes:
                raise _fail(
                    scheme,
                    f"{code} is not a category of {d.screening.categories} ({', '.join(codes)})",
                    "lists",
                    index,
                    "screens",
                    c_index,
                )


def _check_inspection(scheme: Scheme, catalog: Catalog) -> None:
    """A plan draws from a published roster: no individuals on it, no scoring of its own, its
    conditions checked as a penalising one (``always``) or a favourable one (``never``)."""
    d = scheme.definition
    assert d.inspection is not None
    if d.score.rules or d.grades or d.lists or d.memorandum:
        raise _fail(
            scheme,
            "an inspection plan draws targets; its classes come from a rating scheme, so it "
            "has no score, grades, lists or memorandum of its own",
            "scheme",
            "type",
        )
    if SubjectKind.INDIVIDUAL in d.scope.kinds:
        raise _fail(
            scheme,
            "an inspection plan's roster and draw are published, so individuals cannot be on "
            "it: name the kinds (kinds: [enterprise, organisation])",
            "scope",
            "kinds",
        )
    for section in ("always", "never"):
        for index, entry in enumerate(getattr(d.inspection, section)):
            if entry.when is not None:
                where = ("inspection", section, index, "when")
                _check_condition(scheme, catalog, entry.when, *where, harms=section == "always")
    item = d.inspection.results.item
    if item not in catalog or "result" not in catalog[item].attribute_specs:
        raise _fail(
            scheme,
            f"results are records of {item}, which must be a catalog item with a 'result'",
            "inspection",
            "results",
            "item",
        )
    classes = d.inspection.class_names()
    for index, case in enumerate(d.tests):
        wanted = case.expect.risk_class
        for value, key in ((case.class_grade, "class_grade"), (wanted, "expect")):
            if value is not None and value not in classes:
                raise _fail(
                    scheme,
                    f"{value} is not a class of this plan ({', '.join(classes)})",
                    "tests",
                    index,
                    key,
                )
