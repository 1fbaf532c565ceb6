"""Static analysis of a loaded scheme: what its text makes impossible or odd, found without any
records. Each finding names the file and the line:

- ``unreachable-rule``: a rule (or an override, bar or list ground) whose records no catalog
  item can supply: the attribute values it asks for are not among the item's choices, or the
  item is not recorded for any kind of subject in the scope;
- ``unreachable-band``: a grade band no score can reach, from the base, each rule's most and
  least points (its cap) and the total's limits, and that no override or bar gives either;
- ``shadowed-override``: an override that never decides, because an earlier one holds whenever
  it does (the first override that holds sets the grade);
- ``red-and-black``: a redlist and a blacklist of the scheme whose entry conditions can hold at
  once (only score bounds that do not overlap prove they cannot);
- ``list-outlasts-records``: a list period longer than the longest publication period of the
  items that put a subject on it: the listing would outlive the public facts it rests on.

Loading a scheme keeps its findings (``Scheme.findings``) and ``xinyong schemes check`` prints
them; they do not stop a scheme from loading (an author may have reasons). A test lists the
findings of the shipped schemes, so a new one is seen."""

from __future__ import annotations

import math
from dataclasses import dataclass

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Period
from xinyong.schemes.model import Condition, RecordCondition, Scheme
from xinyong.schemes.record_checks import items_of

__all__ = ["Finding", "analyse"]


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    message: str
    path: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.path}:{self.line or '?'}: {self.kind}: {self.message}"


def _impossible(catalog: Catalog, records: RecordCondition, kinds: set[str]) -> str | None:
    """Why no item can supply these records (None: some item can)."""
    reasons = []
    for item in items_of(catalog, records):
        if not {k.value for k in item.subject_kinds} & kinds:
            reasons.append(f"{item.code} is not recorded for the scope's kinds of subject")
            continue
        for name, test in records.attribute.items():
            spec = item.attribute_specs.get(name)
            wanted = list(test.one_of or []) + (
                [test.equals] if isinstance(test.equals, str) else []
            )
            if spec is None or not spec.choices or not wanted:
                continue
            if not set(wanted) & set(spec.choices):
                reasons.append(f"{item.code}.{name} is never {', '.join(map(str, wanted))}")
                break
        else:
            return None
    return "; ".join(reasons) or None


def _conditions(scheme: Scheme) -> list[tuple[tuple[int | str, ...], Condition]]:
    d = scheme.definition
    found: list[tuple[tuple[int | str, ...], Condition]] = []
    if d.grades:
        found += [
            (("grades", "overrides", i, "when"), o.when) for i, o in enumerate(d.grades.overrides)
        ]
        found += [(("grades", "bars", i, "when"), b.when) for i, b in enumerate(d.grades.bars)]
    for i, entry in enumerate(d.lists):
        found.append((("lists", i, "enter"), entry.enter))
        found += [
            (("lists", i, "enter", "any", j), a) for j, a in enumerate(entry.enter.alternatives)
        ]
    return found


def _score_range(scheme: Scheme) -> tuple[float, float]:
    d = scheme.definition
    low = high = d.score.base
    for rule in d.score.rules:
        amount = rule.amount
        if rule.points is not None:
            reach = amount
        else:
            reach = (
                math.copysign(rule.cap, amount)
                if rule.cap is not None
                else math.copysign(math.inf, amount)
            )
        low, high = low + min(0.0, reach), high + max(0.0, reach)
    total = d.score.total
    if total.min is not None:
        low, high = max(low, total.min), max(high, total.min)
    if total.max is not None:
        low, high = min(low, total.max), min(high, total.max)
    return low, high


def _bands(scheme: Scheme, emit: list[Finding]) -> None:
    grades = scheme.definition.grades
    if grades is None:
        return
    low, high = _score_range(scheme)
    forced = {o.grade for o in grades.overrides} | {b.highest for b in grades.bars}
    forced |= {grades.new_subject.grade} if grades.new_subject else set()
    bands = grades.bands
    for index, band in enumerate(bands):
        if band.grade in forced:
            continue
        if band.min is not None and band.min > high:
            why = f"needs {band.min:g}, and no score exceeds {high:g}"
        elif index > 0 and (above := bands[index - 1].min) is not None and low >= above:
            why = f"every score is at least {low:g}, which the band above takes from {above:g}"
        else:
            continue
        emit.append(
            _finding(
                scheme, "unreachable-band", f"band {band.grade} {why}", "grades", "bands", index
            )
        )


def _implies(first: Condition, later: Condition) -> bool:
    """Whether ``first`` holds whenever ``later`` does (a syntactic test: both read records
    only, and ``first`` asks for fewer of the same records, with fewer tests)."""
    if first == later:
        return True
    simple = (
        first.subject,
        first.compare,
        first.previous,
        first.alternatives,
        first.score_below,
        first.score_at_least,
    )
    if any(simple) or first.records is None or later.records is None or later.alternatives:
        return False
    a, b = first.records, later.records
    same_items = set(b.items()) <= set(a.items()) and b.items() and not a.categories()
    fewer_tests = all(b.attribute.get(name) == test for name, test in a.attribute.items())
    return bool(
        same_items
        and fewer_tests
        and first.at_least <= later.at_least
        and a.severity in (None, b.severity)
        and a.window in (None, "all", b.window)
    )


def _overrides(scheme: Scheme, emit: list[Finding]) -> None:
    grades = scheme.definition.grades
    for j, later in enumerate(grades.overrides if grades else []):
        for i, first in enumerate(grades.overrides[:j] if grades else []):
            if _implies(first.when, later.when) and first.grade != later.grade:
                emit.append(
                    _finding(
                        scheme,
                        "shadowed-override",
                        f"override {j + 1} ({later.grade}) never decides: override {i + 1} "
                        f"({first.grade}) holds whenever it does",
                        "grades",
                        "overrides",
                        j,
                    )
                )
                break


def _bounds(condition: Condition) -> tuple[float, float] | None:
    if condition.score_at_least is None and condition.score_below is None:
        return None
    return (
        -math.inf if condition.score_at_least is None else condition.score_at_least,
        math.inf if condition.score_below is None else condition.score_below,
    )


def _red_and_black(scheme: Scheme, emit: list[Finding]) -> None:
    lists = scheme.definition.lists
    for r_index, red in enumerate(lists):
        if red.severity != "redlist":
            continue
        for black in (b for b in lists if b.severity == "blacklist"):
            grounds = [red.enter, black.enter]
            bounds = [_bounds(g) for g in grounds]
            if (
                bounds[0]
                and bounds[1]
                and (bounds[0][1] <= bounds[1][0] or bounds[1][1] <= bounds[0][0])
            ):
                continue  # score ranges that do not overlap: never both
            emit.append(
                _finding(
                    scheme,
                    "red-and-black",
                    f"a subject can be on redlist {red.id} and blacklist {black.id} at once: "
                    "nothing in their entry conditions excludes the other (a score bound on "
                    "each that does not overlap would)",
                    "lists",
                    r_index,
                )
            )


def _longest(catalog: Catalog, records: RecordCondition) -> Period | str | None:
    """The longest publication of the records' items ("open": one is published while it holds)."""
    periods = [item.publication.max for item in items_of(catalog, records)]
    if any(p is None for p in periods) or not periods:
        return "open"
    return max((p for p in periods if p is not None), key=lambda p: p.approx_days())


def _outlasts(scheme: Scheme, catalog: Catalog, emit: list[Finding]) -> None:
    for index, entry in enumerate(scheme.definition.lists):
        if entry.period == "open" or not isinstance(entry.period, Period):
            continue
        for ground in entry.grounds():
            if ground.records is None:
                continue
            longest = _longest(catalog, ground.records)
            if isinstance(longest, Period) and entry.period.approx_days() > longest.approx_days():
                emit.append(
                    _finding(
                        scheme,
                        "list-outlasts-records",
                        f"list {entry.id} lasts {entry.period}, longer than its records are "
                        f"published (at most {longest})",
                        "lists",
                        index,
                        "period",
                    )
                )
                break


def _finding(scheme: Scheme, kind: str, message: str, *loc: int | str) -> Finding:
    return Finding(kind, message, str(scheme.path), scheme.line(*loc))


def analyse(scheme: Scheme, catalog: Catalog) -> list[Finding]:
    """Every finding in ``scheme``, in file order within each kind."""
    d = scheme.definition
    kinds = {k.value for k in d.scope.kinds}
    found: list[Finding] = []
    for index, rule in enumerate(d.score.rules):
        why = _impossible(catalog, rule.when, kinds) if rule.when is not None else None
        if why:
            found.append(
                _finding(
                    scheme, "unreachable-rule", f"rule {rule.id}: {why}", "score", "rules", index
                )
            )
    for loc, condition in _conditions(scheme):
        why = _impossible(catalog, condition.records, kinds) if condition.records else None
        if why:
            found.append(
                _finding(scheme, "unreachable-rule", f"{'/'.join(map(str, loc))}: {why}", *loc)
            )
    _bands(scheme, found)
    _overrides(scheme, found)
    _red_and_black(scheme, found)
    _outlasts(scheme, catalog, found)
    return found
