"""The sentences of a scheme in plain words, built from its parts: periods, windows, legal
bases, conditions on records and subjects, rules, lists and memorandum entries.

Every word comes from one phrase catalog (the ``schemes`` domain of :mod:`xinyong.i18n`), in
Chinese and English; a phrase
is a template whose pieces each language may order as it needs. :class:`Writer` fills them in,
so no sentence is written twice, once per language."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Literal

from xinyong import i18n
from xinyong.catalog.attributes import AttributeSpec
from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import LegalBasis, Names, Period
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.schemes.model import (
    AttributeRef,
    AttributeTerm,
    Compare,
    Condition,
    ListDef,
    MeasureCompare,
    MeasureDef,
    MeasureRef,
    MemorandumEntry,
    RecordCondition,
    Rule,
    SubjectCondition,
)

Language = Literal["zh", "en"]
Window = Period | str


@cache
def phrases() -> dict[str, Names]:
    """The phrase catalog (``locale/<language>/LC_MESSAGES/schemes.po``), loaded once."""
    found = i18n.messages("schemes", same_pieces=False)
    return {key: Names(zh=texts["zh"], en=texts["en"]) for key, texts in found.items()}


def _num(value: float) -> str:
    return f"{value:g}"


class Writer:
    """Writes the parts of a scheme in one language."""

    def __init__(
        self,
        catalog: Catalog,
        language: Language,
        lists: dict[str, Names] | None = None,
        schemes: dict[str, Names] | None = None,
        grades: dict[str, dict[str, Names]] | None = None,
    ) -> None:
        self.catalog = catalog
        self.lists = lists or {}
        self.schemes = schemes or {}
        self.grades = grades or {}
        self.language: Language = language
        # the scheme's named measures, numbered in file order, and its default window
        self.measures: dict[str, MeasureDef] = {}
        self.window_default: Window = "all"
        self.scheme_id = ""  # the scheme being described, whose grades a condition may name

    def measure_label(self, name: str) -> str:
        """A named measure as the plain words call it: by its number in the file."""
        number = list(self.measures).index(name) + 1 if name in self.measures else 0
        return self.say("measure.label", n=number) if number else name

    def measure(self, name: str) -> str:
        """What a named measure is: which number of which records."""
        spec = self.measures[name]
        records = self.records(spec.records, self.window_default)
        pieces: dict[str, object] = {"records": records}
        if spec.attribute is not None:
            pieces["label"] = self.label(spec.records.items(), spec.attribute)[0]
        kind: str = spec.aggregate
        if spec.weight is not None:
            kind = "mean.weighted"
            pieces["weight"] = self.label(spec.records.items(), spec.weight)[0]
        number = list(self.measures).index(name) + 1
        return self.say("measure", n=number, text=self.say(f"measure.{kind}", **pieces))

    def measure_compare(self, test: MeasureCompare) -> str:
        left = self.measure_label(test.measure)
        parts = []
        for op, value in test.tests():
            if isinstance(value, MeasureRef):
                other = self.measure_label(value.measure)
                right = (
                    other
                    if value.times == 1
                    else self.say("measure.times", measure=other, times=_num(value.times))
                )
            else:
                right = _num(value)
            parts.append(self.say(f"compare.measure.{op}", left=left, right=right))
        return self.join(parts)

    def grade(self, scheme_id: str, code: str) -> str:
        """A grade of a scheme by its name in this language (its code where it has none)."""
        names = self.grades.get(scheme_id, {}).get(code)
        return code if names is None else self.name(names)

    def scheme(self, scheme_id: str) -> str:
        """A scheme named by its title (its id where the library does not hold it)."""
        title = self.schemes.get(scheme_id)
        return self.say("scheme.titled", title=self.name(title)) if title else scheme_id

    def say(self, phrase: str, /, **pieces: object) -> str:
        """The phrase in this language, with its pieces filled in."""
        template = str(getattr(phrases()[phrase], self.language))
        return template.format(**pieces) if pieces else template

    def name(self, names: Names) -> str:
        return str(getattr(names, self.language))

    def period(self, period: Period) -> str:
        number = "one" if period.amount == 1 else "many"
        return self.say(f"period.{period.unit}.{number}", n=period.amount)

    def window(self, period: Window) -> str:
        if period in ("all", "evaluation_year"):
            return self.say(f"window.{period}")
        assert isinstance(period, Period)
        return self.say("window.before", period=self.period(period))

    def basis(self, basis: LegalBasis) -> str:
        key = "basis.titled" if basis.title else "basis.untitled"
        return self.say(
            key, title=basis.title, document=basis.document, article=basis.article or ""
        ).strip()

    def join(self, parts: Iterable[str], word: Literal["and", "or"] = "and") -> str:
        parts = list(parts)
        if len(parts) < 2:
            return "".join(parts)
        head = self.say(f"join.{word}").join(parts[:-1])
        return head + self.say(f"join.{word}.last") + parts[-1]

    # -- conditions -----------------------------------------------------------------------------
    def label(self, item_codes: list[str], attribute: str) -> tuple[str, str, AttributeSpec | None]:
        """An attribute's label, unit and spec, as the first item that declares it has them."""
        spec = next(
            (
                s
                for code in item_codes
                if (s := self.catalog[code].attribute_specs.get(attribute)) is not None
            ),
            None,
        )
        if spec and spec.label:
            label = self.name(spec.label)
        else:
            label = self.say("a_case", attribute=attribute.replace("_", " "))
        unit = spec.unit if spec and spec.unit else ""
        if f"unit.{unit}" in phrases():
            unit = self.say(f"unit.{unit}")
        return label, unit, spec

    def compare(self, item_codes: list[str], attribute: str, compare: Compare) -> str:
        label, unit, spec = self.label(item_codes, attribute)
        if compare.one_of is not None:
            values = [self._value(spec, v) for v in compare.one_of]
            return self.say("compare.one_of", label=label, values=self.join(values, "or"))
        if compare.equals is True:
            return label
        if compare.equals is False:
            return self.say("compare.not", label=label)
        ops = [
            ("at_least", compare.at_least),
            ("at_most", compare.at_most),
            ("above", compare.above),
            ("below", compare.below),
            ("equals", compare.equals),
        ]
        said = []
        for op, value in ops:
            if isinstance(value, AttributeRef):  # another attribute of the same record
                other = self.label(item_codes, value.attribute)[0]
                share = self.say("compare.share", label=other, times=_num(value.times))
                said.append(self.say(f"compare.{op}", label=label, value=share, unit="").strip())
            elif isinstance(value, int | float):
                said.append(
                    self.say(f"compare.{op}", label=label, value=_num(value), unit=unit).strip()
                )
        return self.join(said)

    def _value(self, spec: AttributeSpec | None, value: str) -> str:
        if spec is None:
            return value
        if spec.refers_to == "scheme":
            return self.scheme(value)
        return spec.choice_name(value, self.language)

    def _records(self, condition: RecordCondition, default_window: Window) -> dict[str, str]:
        """The pieces of a sentence about records: which, with what details, and when."""
        names = [
            self.say("records.item", name=self.name(self.catalog[c].name))
            for c in condition.items()
        ]
        names += [
            self.say("records.category", name=category.zh, code=category.value)
            for category in condition.categories()
        ]
        details = [
            self.compare(condition.items(), name, compare)
            for name, compare in condition.attribute.items()
        ]
        if condition.severity is not None:
            severity = condition.severity
            tiers = (
                f"{severity.at_least or 1}-{severity.at_most or 3}"
                if isinstance(severity, Compare)
                else str(severity)
            )
            details.append(self.say("records.severity", tiers=tiers))
        joined = self.say("join.details").join(details)
        return {
            "what": self.join(names, "or"),
            "details": self.say("records.details", details=joined) if details else "",
            "window": self.window(condition.window or default_window),
        }

    def records(self, condition: RecordCondition, default_window: Window) -> str:
        return self.say("records", **self._records(condition, default_window))

    def subject(self, condition: SubjectCondition) -> str:
        parts = []
        if condition.registered_within:
            key = "subject.young" if condition.measured_at == "as_of" else "subject.young.year_end"
            parts.append(self.say(key, period=self.period(condition.registered_within)))
        if condition.first_record:
            first = condition.first_record
            key = "subject.first" if condition.measured_at == "as_of" else "subject.first.year_end"
            names = [self.name(self.catalog[c].name) for c in first.items() if c in self.catalog]
            what = self.join(names, "or")
            parts.append(self.say(key, what=what, period=self.period(first.within)))
        if condition.kind:
            parts.append(self.join(self.say(k.value) for k in condition.kind))
        if condition.industry:
            parts.append(self.industries(condition.industry))
        return self.join(parts)

    def condition(self, c: Condition, window: Window) -> str:
        parts = []
        if c.records:
            pieces = self._records(c.records, window)
            if c.at_least > 1:
                text = self.say("records", **pieces)
                parts.append(self.say("condition.at_least", records=text, n=c.at_least))
            else:
                parts.append(self.say("condition.one", **pieces))
        if c.subject:
            parts.append(self.subject(c.subject))
        parts += [self.measure_compare(test) for test in c.compare]
        if c.previous is not None:
            grades = self.join([self.grade(self.scheme_id, g) for g in c.previous.grade], "or")
            parts.append(self.say("condition.previous", grades=grades))
        if c.score_at_least is not None:
            parts.append(self.say("condition.score_at_least", score=_num(c.score_at_least)))
        if c.score_below is not None:
            parts.append(self.say("condition.score_below", score=_num(c.score_below)))
        if c.term is not None:
            items = c.records.items() if c.records else []
            parts.append(self.say("condition.term", term=self.term(c.term, items)))
        if c.alternatives:
            options = [
                self.say("condition.option", i=i, text=self.condition(a, window))
                for i, a in enumerate(c.alternatives, 1)
            ]
            joined = self.say("condition.options").join(options)
            parts.append(self.say("condition.any_of", options=joined))
        return self.say("join.clauses").join(parts)

    # -- pieces of a scheme ---------------------------------------------------------------------
    def industries(self, codes: list[str]) -> str:
        table = Industries.load()
        names = []
        for code in codes:
            found = table.lookup(code)
            if found is None:
                names.append(code)
            else:
                names.append(
                    self.say("industry", name_zh=found.name_zh, name_en=found.name_en, code=code)
                )
        return self.join(names)

    def region(self, code: str | None) -> str:
        if not code or code == "000000":
            return self.say("nationwide")
        path = Regions.load().path(code)
        return self.say("region", path_zh="".join(path), path_en=" / ".join(path), code=code)

    def rule(self, rule: Rule, window: Window, number: int) -> str:
        verb = "add" if rule.amount > 0 else "deduct"
        amounts = {"amount": f"{rule.amount:+g}", "size": _num(abs(rule.amount))}
        cap = self.say(f"rule.cap.{verb}", cap=_num(rule.cap)) if rule.cap else ""
        if rule.measure is not None:
            measured = self.measure_label(rule.measure)
            points = self.say(f"rule.measure.{verb}", measure=measured, **amounts)
            return self.say("rule", n=number, which=measured, points=points, cap=cap)
        assert rule.when is not None
        which = self.records(rule.when, window)
        if rule.per_record is not None:
            points = self.say(f"rule.per_record.{verb}", **amounts)
        elif rule.points is not None:
            points = self.say(f"rule.once.{verb}", n=rule.at_least, **amounts)
        else:
            assert rule.of is not None
            function, _, rest = rule.of.partition("(")
            measured = self.compare(rule.when.items(), rest.rstrip(")"), Compare(equals=True))
            kind = "sum" if function == "sum" else "distinct"
            points = self.say(f"rule.{kind}.{verb}", measured=measured, **amounts)
        return self.say("rule", n=number, which=which, points=points, cap=cap)

    def term(self, term: Period | str | AttributeTerm, items: list[str]) -> str:
        """A listing term in words: a period, until the exit event, or the decision's own."""
        if isinstance(term, AttributeTerm):
            label = self.label(items, term.attribute)[0]
            return self.say("term.attribute", label=label, unit=self.say(f"unit.{term.unit}"))
        if term == "open":
            return self.say("term.open")
        assert isinstance(term, Period)
        return self.period(term)

    def listing(self, entry: ListDef, window: Window) -> str:
        text = self.say(
            "listing",
            name=self.name(entry.name),
            kind=self.say(entry.severity),
            enter=self.condition(entry.enter, window),
            period=self.term(entry.period, []),
            notice=self.period(entry.notice),
        )
        if entry.extend is not None:
            what = self.records(entry.extend.records, "all")
            by = self.term(entry.extend.by, entry.extend.records.items())
            text += self.say("listing.extend", records=what, by=by)
        if entry.exit is not None:
            what = self.records(entry.exit.records, "all")
            days = entry.exit.within_working_days
            text += self.say("listing.exit", records=what, days=days)
        return text

    def flag(self, entry: ListDef, window: Window) -> str:
        """A screening scheme's flag: which categories it concerns, and when it holds."""
        from xinyong.reference.services import ServiceCategories

        found = [ServiceCategories.load().find(code) for code in entry.screens]
        named = self.join(
            c.name(self.language) if c else code
            for c, code in zip(found, entry.screens, strict=True)
        )
        when = self.condition(entry.enter, window)
        return self.say("flag", name=self.name(entry.name), categories=named, enter=when)

    def memorandum(self, entry: MemorandumEntry) -> str:
        from xinyong.catalog.measures import shipped_measures

        measures = shipped_measures()
        names = self.join(self.name(measures[code].name) for code in entry.measures)
        when = entry.when
        if when.list:
            listed = self.lists.get(when.list)
            trigger = self.say("memo.listed", name=self.name(listed) if listed else when.list)
        else:
            assert when.grade is not None
            grades = self.join((self.grade(when.grade.scheme, g) for g in when.grade.grades), "or")
            trigger = self.say("memo.graded", scheme=self.scheme(when.grade.scheme), grades=grades)
        only = ""
        if entry.departments:
            only = self.say("memo.only", departments=self.join(entry.departments))
        return self.say("memo", trigger=trigger, names=names, only=only)
