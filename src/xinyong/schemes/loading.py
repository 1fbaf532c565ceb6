"""Loading a scheme file: parse it into :mod:`xinyong.schemes.model`, then check it against the
catalog (every item a scheme reads must be in it; a positive-only item may never lower a score)
and for sense (bands in order, every band reachable). :func:`load_scheme` raises
:class:`~xinyong.schemes.model.InvalidScheme` naming the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Polarity
from xinyong.schemes.model import (
    Condition,
    InvalidScheme,
    RecordCondition,
    Scheme,
    SchemeFile,
    SchemeType,
)
from xinyong.yamlsource import LineDict, load_yaml, validate


def load_scheme(path: Path, catalog: Catalog) -> Scheme:
    """Parse and check one scheme file; raise :class:`InvalidScheme` on the first problem."""
    document = load_yaml(path, error=InvalidScheme)
    if not isinstance(document, LineDict):
        raise InvalidScheme("a scheme file is a mapping with a 'scheme' header", path=str(path))
    definition = validate(SchemeFile, document, path, error=InvalidScheme)
    scheme = Scheme(definition, path, document)
    _check(scheme, catalog)
    return scheme


def _fail(scheme: Scheme, message: str, *loc: int | str) -> InvalidScheme:
    return InvalidScheme(message, path=str(scheme.path), line=scheme.line(*loc))


def _check_records(
    scheme: Scheme, catalog: Catalog, condition: RecordCondition, *loc: int | str
) -> None:
    for code in condition.items():
        item = catalog.get(code)
        if item is None:
            raise _fail(
                scheme,
                f"item {code} is not in the catalog; a scheme may only read "
                "catalog items (each has a legal basis)",
                *loc,
                "item",
            )
    matched = [i for i in catalog if i.code in condition.items()] + [
        i for c in condition.categories() for i in catalog.by_category(c)
    ]
    if not condition.items() and not condition.categories():
        raise _fail(scheme, "say which records: 'item' or 'category'", *loc)
    for name, compare in condition.attribute.items():
        for item in matched:
            spec = item.attribute_specs.get(name)
            if spec is None:
                raise _fail(scheme, f"{item.code} has no attribute {name!r}", *loc, "attribute")
            numeric = spec.type in ("integer", "decimal")
            ordered = [compare.at_least, compare.at_most, compare.above, compare.below]
            if any(v is not None for v in ordered) and not numeric:
                raise _fail(
                    scheme,
                    f"{item.code}.{name} is {spec.type}; at_least/at_most/above/"
                    "below need a number attribute",
                    *loc,
                    "attribute",
                    name,
                )


def _check_condition(
    scheme: Scheme, catalog: Catalog, condition: Condition, *loc: int | str
) -> None:
    if condition.records:
        _check_records(scheme, catalog, condition.records, *loc, "records")
    for index, alternative in enumerate(condition.alternatives):
        _check_condition(scheme, catalog, alternative, *loc, "any", index)


def _check(scheme: Scheme, catalog: Catalog) -> None:
    d = scheme.definition
    for index, rule in enumerate(d.score.rules):
        loc: tuple[int | str, ...] = ("score", "rules", index)
        _check_records(scheme, catalog, rule.when, *loc, "when")
        items = [catalog[c] for c in rule.when.items()] + [
            i for c in rule.when.categories() for i in catalog.by_category(c)
        ]
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
            _check_condition(scheme, catalog, override.when, "grades", "overrides", index, "when")
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
        _check_condition(scheme, catalog, listed.enter, "lists", index, "enter")
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
    if d.scheme.type is SchemeType.LIST and not d.lists:
        raise _fail(scheme, "a list scheme needs 'lists'", "scheme", "type")
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
