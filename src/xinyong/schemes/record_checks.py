"""Checks of a scheme's record conditions against the catalog (every item a condition names is
in the catalog, every attribute it tests is one the items have, of a type the test can read),
and of listing terms (a term belongs on a list's grounds, its ``enter`` or one of its ``any``
alternatives; a term read from an attribute reads a number attribute of the ground's records;
a list with no fixed term has an exit record that ends it). Each refusal names the file and
the line."""

from __future__ import annotations

from xinyong.catalog.items import Catalog, CatalogItem
from xinyong.schemes.model import (
    AttributeTerm,
    Compare,
    Condition,
    InvalidScheme,
    ListDef,
    RecordCondition,
    Scheme,
)


def fail(scheme: Scheme, message: str, *loc: int | str) -> InvalidScheme:
    return InvalidScheme(message, path=str(scheme.path), line=scheme.line(*loc))


def check_records(
    scheme: Scheme, catalog: Catalog, condition: RecordCondition, *loc: int | str
) -> None:
    for code in condition.items():
        item = catalog.get(code)
        if item is None:
            raise fail(
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
        raise fail(scheme, "say which records: 'item' or 'category'", *loc)
    for name, compare in condition.attribute.items():
        for item in matched:
            spec = item.attribute_specs.get(name)
            if spec is None:
                raise fail(scheme, f"{item.code} has no attribute {name!r}", *loc, "attribute")
            numeric = spec.type in ("integer", "decimal")
            ordered = [compare.at_least, compare.at_most, compare.above, compare.below]
            if any(v is not None for v in ordered) and not numeric:
                raise fail(
                    scheme,
                    f"{item.code}.{name} is {spec.type}; at_least/at_most/above/"
                    "below need a number attribute",
                    *loc,
                    "attribute",
                    name,
                )
            for other in compare.others():
                other_spec = item.attribute_specs.get(other)
                if other_spec is None or other_spec.type not in ("integer", "decimal"):
                    raise fail(
                        scheme,
                        f"{item.code}.{name} is compared with {other!r}, which is not a number "
                        f"attribute of {item.code}",
                        *loc,
                        "attribute",
                        name,
                    )
    if isinstance(condition.severity, Compare) and (
        condition.severity.others() or condition.severity.equals is not None
    ):
        raise fail(scheme, "severity is a tier, 1 to 3, or a range of tiers", *loc, "severity")


def items_of(catalog: Catalog, condition: RecordCondition) -> list[CatalogItem]:
    return [catalog[c] for c in condition.items()] + [
        i for c in condition.categories() for i in catalog.by_category(c)
    ]


def has_term(condition: Condition) -> bool:
    """Whether a condition or one of its alternatives sets a listing term."""
    return condition.term is not None or any(has_term(a) for a in condition.alternatives)


def check_terms(scheme: Scheme, catalog: Catalog, listed: ListDef, index: int) -> None:
    """Terms on a list's grounds only; a term read from an attribute reads a number; a list
    with no fixed term (open) has an exit that ends it."""
    where: tuple[int | str, ...] = ("lists", index, "enter")
    grounds = [(where, listed.enter)]
    grounds += [((*where, "any", i), a) for i, a in enumerate(listed.enter.alternatives)]
    for loc, ground in grounds:
        if isinstance(ground.term, AttributeTerm):
            items = items_of(catalog, ground.records) if ground.records else []
            specs = [item.attribute_specs.get(ground.term.attribute) for item in items]
            for spec in specs or [None]:
                if spec is None or spec.type not in ("integer", "decimal"):
                    raise fail(
                        scheme,
                        f"term: the ground's records have no number attribute "
                        f"{ground.term.attribute!r} to read the term from",
                        *loc,
                        "term",
                    )
    for alternative in listed.enter.alternatives:
        if any(has_term(a) for a in alternative.alternatives):
            raise fail(scheme, "'term' goes on a list's grounds, not deeper", *where, "any")
    open_ended = listed.period == "open" or any(g.term == "open" for _, g in grounds)
    if open_ended and listed.exit is None and not listed.screens:  # a flag holds while it holds
        raise fail(
            scheme,
            "a listing with no fixed term ('open') ends only by its exit event: give the list "
            "an 'exit' (the record that ends it)",
            "lists",
            index,
        )
    if listed.exit is not None:
        check_records(scheme, catalog, listed.exit.records, "lists", index, "exit", "records")
    if listed.extend is not None:
        where = ("lists", index, "extend")
        check_records(scheme, catalog, listed.extend.records, *where, "records")
        by = listed.extend.by
        if isinstance(by, AttributeTerm):
            specs = [
                i.attribute_specs.get(by.attribute)
                for i in items_of(catalog, listed.extend.records)
            ]
            if not specs or any(s is None or s.type not in ("integer", "decimal") for s in specs):
                raise fail(
                    scheme,
                    f"extend: the records have no number attribute {by.attribute!r} to read "
                    "the extension from",
                    *where,
                    "by",
                )
