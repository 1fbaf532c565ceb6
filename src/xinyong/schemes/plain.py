"""The plain-language rendering of a scheme, in Chinese or English, generated from the file
itself: what it is, whom it applies to, what counts and for how much, what follows (grades,
lists, measures) and on what basis. The portal and ``xinyong schemes show`` print it; nothing
in it is written by hand, so it can never drift from the rules that run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from xinyong.catalog.items import Catalog, LegalBasis, Names, Period
from xinyong.errors import NotFound
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.schemes.model import (
    Compare,
    Condition,
    ListDef,
    MemorandumEntry,
    RecordCondition,
    Rule,
    Scheme,
    SchemeType,
    SubjectCondition,
)

Language = Literal["zh", "en"]

#: Words the rendering uses, in both languages. Kept together so that a page never mixes them.
WORDS: dict[str, Names] = {
    k: Names(zh=zh, en=en)
    for k, (zh, en) in {
        "about": ("方案概况", "About this scheme"),
        "scope": ("适用对象", "Whom it applies to"),
        "counts": ("计入的信息和分值", "What counts, and for how much"),
        "grades": ("等级", "Grades"),
        "lists": ("名单", "Lists"),
        "measures": ("奖惩措施", "Measures"),
        "basis": ("依据", "Legal basis"),
        "modelling": ("建模说明", "Our own modelling"),
        "rating": ("信用评价", "credit rating"),
        "list": ("名单管理", "list"),
        "points": ("信用积分", "points ledger"),
        "measures_type": ("联合奖惩措施", "measures memorandum"),
        "enterprise": ("企业", "enterprises"),
        "organisation": ("社会组织等其他组织", "other organisations"),
        "individual": ("自然人", "individuals"),
        "agency": ("机关和事业单位", "government agencies"),
        "blacklist": ("失信名单", "blacklist"),
        "key_attention": ("重点关注名单", "key-attention list"),
        "redlist": ("守信红名单", "redlist"),
        "daily": ("每日", "daily"),
        "monthly": ("每月", "monthly"),
        "quarterly": ("每季度", "quarterly"),
        "yearly": ("每年", "yearly"),
    }.items()
}
UNITS = {"D": ("日", "day"), "M": ("个月", "month"), "Y": ("年", "year")}
#: Units of attributes as the catalog writes them, in each language.
MEASURE_UNITS = {"万元": ("万元", "x 10,000 CNY"), "分": ("分", "points"), "ml": ("毫升", "ml")}


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[str, ...]


class _Writer:
    def __init__(
        self, catalog: Catalog, language: Language, lists: dict[str, Names] | None = None
    ) -> None:
        self.catalog = catalog
        self.lists = lists or {}
        self.zh = language == "zh"
        self.language: Language = language

    def w(self, key: str) -> str:
        return str(getattr(WORDS[key], self.language))

    def name(self, names: Names) -> str:
        return str(getattr(names, self.language))

    def period(self, period: Period) -> str:
        zh, en = UNITS[period.unit]
        if self.zh:
            return f"{period.amount}{zh}"
        return f"{period.amount} {en}{'' if period.amount == 1 else 's'}"

    def window(self, period: Period | str) -> str:
        if period == "all":
            return "不限时间" if self.zh else "at any time"
        if period == "evaluation_year":
            return (
                "评价年度（评价日前一个自然年）"
                if self.zh
                else "in the evaluation year (the calendar year before the evaluation date)"
            )
        assert isinstance(period, Period)
        return (
            f"评价日前{self.period(period)}内"
            if self.zh
            else f"in the {self.period(period)} before the evaluation date"
        )

    def basis(self, basis: LegalBasis) -> str:
        if self.zh:
            title = f"《{basis.title}》" if basis.title else ""
            return (
                f"{title}（{basis.document}）{basis.article or ''}"
                if title
                else (basis.document + (basis.article or ""))
            )
        return basis.cite()

    def join(self, parts: Iterable[str], word: str = "and") -> str:
        parts = list(parts)
        if self.zh:
            return ("、" if word == "and" else "或").join(parts)
        if len(parts) < 2:
            return "".join(parts)
        return ", ".join(parts[:-1]) + f" {word} " + parts[-1]

    # -- conditions --------------------------------------------------------------------------------
    def compare(self, item_codes: list[str], attribute: str, compare: Compare) -> str:
        spec = next(
            (
                s
                for code in item_codes
                if (s := self.catalog[code].attribute_specs.get(attribute)) is not None
            ),
            None,
        )
        label = (
            self.name(spec.label)
            if spec and spec.label
            else ("情形" if self.zh else attribute.replace("_", " "))
        )
        unit = spec.unit if spec and spec.unit else ""
        unit = MEASURE_UNITS.get(unit, (unit, unit))[0 if self.zh else 1]
        if compare.one_of is not None:
            values = [spec.choice_name(v, self.language) if spec else v for v in compare.one_of]
            return (
                f"{label}为{self.join(values, 'or')}"
                if self.zh
                else (f"{label}: {self.join(values, 'or')}")
            )
        if compare.equals is True:
            return label
        if compare.equals is False:
            return f"非{label}" if self.zh else f"not {label}"
        ops = [
            (compare.at_least, "不低于", "at least"),
            (compare.at_most, "不超过", "at most"),
            (compare.above, "高于", "above"),
            (compare.below, "低于", "below"),
            (compare.equals, "为", "equal to"),
        ]
        return self.join(
            f"{label}{zh}{value:g}{unit}" if self.zh else f"{label} {en} {value:g} {unit}".strip()
            for value, zh, en in ops
            if isinstance(value, int | float)
        )

    def records(self, condition: RecordCondition, default_window: Period | str) -> str:
        names = [
            f"「{self.name(self.catalog[c].name)}」" if self.zh else f"'{self.catalog[c].name.en}'"
            for c in condition.items()
        ]
        names += [
            (f"「{category.zh}」类" if self.zh else f"any '{category.value}' item")
            for category in condition.categories()
        ]
        what = self.join(names, "or")
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
            details.append(f"严重程度{tiers}级" if self.zh else f"severity tier {tiers}")
        window = self.window(condition.window or default_window)
        if self.zh:
            detail = f"（{'，'.join(details)}）" if details else ""
            return f"{window}作出的{what}记录{detail}"
        detail = f" ({'; '.join(details)})" if details else ""
        return f"records of {what}{detail} decided {window}"

    def subject(self, condition: SubjectCondition) -> str:
        parts = []
        if condition.registered_within:
            within = self.period(condition.registered_within)
            parts.append(f"成立不满{within}" if self.zh else f"registered less than {within} ago")
        if condition.kind:
            parts.append(self.join(self.w(k.value) for k in condition.kind))
        if condition.industry:
            parts.append(self.industries(condition.industry))
        return self.join(parts)

    def condition(self, c: Condition, window: Period | str) -> str:
        parts = []
        if c.records:
            text = self.records(c.records, window)
            if c.at_least > 1:
                text = f"{text}达{c.at_least}条以上" if self.zh else f"{c.at_least} or more {text}"
            elif not self.zh:
                text = f"a {text.removeprefix('records')}".replace("a  of", "a record of")
            parts.append(text)
        if c.subject:
            parts.append(self.subject(c.subject))
        if c.score_at_least is not None:
            parts.append(
                f"得分不低于{c.score_at_least:g}"
                if self.zh
                else f"a score of {c.score_at_least:g} or more"
            )
        if c.score_below is not None:
            parts.append(
                f"得分低于{c.score_below:g}" if self.zh else f"a score below {c.score_below:g}"
            )
        if c.alternatives:
            options = [self.condition(a, window) for a in c.alternatives]
            if self.zh:
                parts.append(
                    "具有下列情形之一："
                    + "；".join(f"（{i}）{o}" for i, o in enumerate(options, 1))
                )
            else:
                parts.append("any of: " + "; ".join(f"({i}) {o}" for i, o in enumerate(options, 1)))
        return ("，且" if self.zh else ", and ").join(parts)

    # -- pieces of a scheme ------------------------------------------------------------------------
    def industries(self, codes: list[str]) -> str:
        table = Industries.load()
        names = []
        for code in codes:
            found = table.lookup(code)
            if found is None:
                names.append(code)
            else:
                names.append(
                    f"{found.name_zh}（{code}）" if self.zh else f"{found.name_en} ({code})"
                )
        return self.join(names)

    def region(self, code: str | None) -> str:
        if not code or code == "000000":
            return "全国" if self.zh else "nationwide"
        path = Regions.load().path(code)
        return f"{''.join(path)}（{code}）" if self.zh else f"{' / '.join(path)} ({code})"

    def rule(self, rule: Rule, window: Period | str) -> str:
        which = self.records(rule.when, window)
        amount = rule.amount
        verb_zh = "加" if amount > 0 else "扣"
        size = abs(amount)
        if rule.per_record is not None:
            points = f"每条{verb_zh}{size:g}分" if self.zh else f"{amount:+g} points per record"
        elif rule.points is not None:
            points = (
                f"达{rule.at_least}条时{verb_zh}{size:g}分（一次）"
                if self.zh
                else f"{amount:+g} points once there are {rule.at_least} or more"
            )
        else:
            assert rule.of is not None
            function, _, rest = rule.of.partition("(")
            attribute = rest.rstrip(")")
            measured = self.compare(rule.when.items(), attribute, Compare(equals=True))
            if function == "sum":
                points = (
                    f"按{measured}合计，每1单位{verb_zh}{size:g}分"
                    if self.zh
                    else f"{amount:+g} points per unit of {measured}, summed"
                )
            else:
                points = (
                    f"每个不同的{measured}{verb_zh}{size:g}分"
                    if self.zh
                    else f"{amount:+g} points per distinct {measured}"
                )
        cap = ""
        if rule.cap:
            cap = f"，最多{verb_zh}{rule.cap:g}分" if self.zh else f", at most {rule.cap:g} points"
        if self.zh:
            return f"规则 {rule.id}：{which}，{points}{cap}。"
        return f"Rule {rule.id}: {which}: {points}{cap}."

    def listing(self, entry: ListDef, window: Period | str) -> str:
        kind = self.w(entry.severity)
        enter = self.condition(entry.enter, window)
        if self.zh:
            return (
                f"「{entry.name.zh}」（{kind}）：{enter}的，列入名单，期限{self.period(entry.period)}。"
                f"列入前告知理由、依据和权利，{self.period(entry.notice)}内可提出异议，"
                "经工作人员审核签发后生效。"
            )
        return (
            f"'{entry.name.en}' ({kind}): listed for {self.period(entry.period)} on {enter}. "
            f"Before listing the subject is told the reasons, basis and its rights, has "
            f"{self.period(entry.notice)} to object, and an official signs the listing off."
        )

    def memorandum(self, entry: MemorandumEntry) -> str:
        from xinyong.catalog.measures import shipped_measures

        measures = shipped_measures()
        names = self.join(self.name(measures[code].name) for code in entry.measures)
        when = entry.when
        if when.list:
            listed = self.lists.get(when.list)
            name = self.name(listed) if listed else when.list
            trigger = f"列入「{name}」期间" if self.zh else f"while on the '{name}'"
        else:
            assert when.grade is not None
            grades = self.join(when.grade.grades, "or")
            trigger = (
                f"在{when.grade.scheme}中评为{grades}的"
                if self.zh
                else f"when graded {grades} by {when.grade.scheme}"
            )
        only = ""
        if entry.departments:
            departments = self.join(entry.departments)
            only = f"（仅限{departments}）" if self.zh else f" (only by {departments})"
        return f"{trigger}：{names}{only}。" if self.zh else f"{trigger}: {names}{only}."


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
    w = _Writer(catalog, language, names)
    d = scheme.definition
    meta = d.scheme
    zh = language == "zh"
    sections = []
    kind = w.w("measures_type" if meta.type is SchemeType.MEASURES else meta.type.value)
    until = meta.effective_to
    about = [
        f"{w.name(meta.title)}（{scheme.key}）" if zh else f"{w.name(meta.title)} ({scheme.key})",
        f"{meta.authority}发布的{kind}方案，适用地区：{w.region(meta.region)}。"
        if zh
        else f"A {kind} scheme issued by {meta.authority}; region: {w.region(meta.region)}.",
        (
            f"自{meta.effective_from}起施行" + (f"，至{until}止" if until else "") + "。"
            if zh
            else f"In force from {meta.effective_from}" + (f" until {until}" if until else "") + "."
        ),
    ]
    if meta.industry:
        industry = w.industries([meta.industry])
        about.append(f"所属行业：{industry}。" if zh else f"Industry: {industry}.")
    if meta.cadence:
        cadence = w.w(meta.cadence)
        about.append(f"{cadence}评价和公布。" if zh else f"Evaluated and published {cadence}.")
    if meta.supersedes:
        about.append(
            f"本版本替代第{meta.supersedes}版。" if zh else f"Replaces version {meta.supersedes}."
        )
    sections.append(Section(w.w("about"), tuple(about)))
    if meta.type is not SchemeType.MEASURES:
        scope = d.scope
        who = [w.join(w.w(k.value) for k in scope.kinds)]
        if scope.region:
            who.append(("地区：" if zh else "in ") + w.region(scope.region))
        if scope.industry:
            who.append(("行业：" if zh else "in ") + w.industries(scope.industry))
        if scope.registered_at_least:
            at_least = w.period(scope.registered_at_least)
            who.append(f"成立满{at_least}" if zh else f"registered at least {at_least} ago")
        lines = ["，".join(who) + "。" if zh else "; ".join(who) + "."]
        lines.append(
            "范围内的每个对象都有结果，无论是否有记录。"
            if zh
            else "Every subject in scope gets a result, with or without records."
        )
        sections.append(Section(w.w("scope"), tuple(lines)))
        counts = []
        if d.score.rules or meta.type is not SchemeType.LIST:
            counts.append(
                f"基础分{d.score.base:g}分。"
                if zh
                else f"Everyone starts from {d.score.base:g} points."
            )
        counts += [w.rule(rule, d.window) for rule in d.score.rules]
        total = d.score.total
        if total.min is not None or total.max is not None:
            low = f"{total.min:g}" if total.min is not None else ("不限" if zh else "no limit")
            high = f"{total.max:g}" if total.max is not None else ("不限" if zh else "no limit")
            counts.append(
                f"总分最低{low}分，最高{high}分。"
                if zh
                else f"The score stays between {low} and {high}."
            )
        counts.append(
            (
                "只计入仍然有效的记录：已撤销、已修复或被更正的记录不再计入"
                + ("，超过公示期的记录也不再计入" if d.records == "published" else "")
                + "；"
                + (
                    "异议处理期间的记录暂不计入。"
                    if d.disputed == "exclude"
                    else "异议处理期间的记录照常计入，并标注“有异议”。"
                )
            )
            if zh
            else (
                "Only records in effect count: revoked, repaired or corrected records do not"
                + (
                    ", nor records past their publication period"
                    if d.records == "published"
                    else ""
                )
                + "; "
                + (
                    "a record under objection does not count until the objection is decided."
                    if d.disputed == "exclude"
                    else "a record under objection still counts and is marked as disputed."
                )
            )
        )
        counts.append(
            "表彰、献血等正面信息只能加分，没有这类记录不会减分。"
            if zh
            else (
                "Positive items (honours, blood donation) can only add; "
                "their absence never costs points."
            )
        )
        sections.append(Section(w.w("counts"), tuple(counts)))
    if d.grades:
        lines = []
        for band in d.grades.bands:
            if band.min is not None:
                lines.append(
                    f"{band.grade}：得分不低于{band.min:g}。"
                    if zh
                    else f"{band.grade}: a score of {band.min:g} or more."
                )
            else:
                lines.append(f"{band.grade}：其余。" if zh else f"{band.grade}: any lower score.")
        for override in d.grades.overrides:
            lines.append(
                f"有{w.condition(override.when, d.window)}的，直接评为{override.grade}。"
                if zh
                else f"Graded {override.grade} whatever the score, given "
                f"{w.condition(override.when, d.window)}."
            )
        for bar in d.grades.bars:
            lines.append(
                f"{w.condition(bar.when, d.window)}的，最高评为{bar.highest}。"
                if zh
                else f"At best {bar.highest}, given {w.condition(bar.when, d.window)}."
            )
        if d.grades.new_subject:
            new = d.grades.new_subject
            lines.append(
                f"{w.condition(new.when, d.window)}的新设对象评为{new.grade}。"
                if zh
                else f"New subjects ({w.condition(new.when, d.window)}) are graded {new.grade}."
            )
        sections.append(Section(w.w("grades"), tuple(lines)))
    if d.lists:
        sections.append(
            Section(w.w("lists"), tuple(w.listing(entry, d.window) for entry in d.lists))
        )
    entries = list(d.memorandum) + [
        entry
        for memo in memoranda
        for entry in memo.definition.memorandum
        if entry.when.scheme == scheme.id
    ]
    if entries:
        sections.append(Section(w.w("measures"), tuple(w.memorandum(e) for e in entries)))
    sections.append(Section(w.w("basis"), tuple(w.basis(b) for b in meta.legal_basis)))
    modelling = meta.own_modelling
    if isinstance(modelling, Names):
        sections.append(Section(w.w("modelling"), (w.name(modelling),)))
    elif modelling:  # a file that gives it in one language only
        sections.append(Section(w.w("modelling"), (modelling,)))
    return sections


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
    return _Writer(catalog, language, names).listing(entry, scheme.definition.window)
