"""The scheme library: every seed system shipped as a scheme whose own cases exercise all of
it, the catalog filed by type, industry and location, the dated feed, and the plain-language
rendering generated from each file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dueprocess import add_records, add_subject
from helpers import uscc_code
from xinyong.catalog.items import Catalog
from xinyong.dueprocess.checks import check
from xinyong.errors import InvalidInput
from xinyong.evaluation.runs import store_run
from xinyong.evaluation.scheme_cases import run_tests, uncovered
from xinyong.schemes.library import Library, industry_matches, region_matches, shipped_scheme_files
from xinyong.schemes.loading import load_scheme
from xinyong.schemes.model import InvalidScheme, Names, SchemeType
from xinyong.schemes.plain import render, render_text
from xinyong.store.database import Database

#: The seed systems of issue 5, each with the scheme ids that model it.
SEED_SCHEMES = {
    "Jiangsu highway and waterway construction rating": [
        "jiangsu-highway-construction",
        "national-highway-construction",
    ],
    "Zhengzhou environmental credit scoring": [
        "zhengzhou-environment",
        "zhengzhou-environment-measures",
    ],
    "Shenzhen rental-bike untrustworthy list": [
        "shenzhen-rental-bike",
        "shenzhen-rental-bike-measures",
    ],
    "CAC internet blacklist and key attention": [
        "cac-internet-blacklist",
        "cac-internet-blacklist-measures",
    ],
    "Wenzhou research integrity": [
        "wenzhou-research-integrity",
        "wenzhou-research-integrity-measures",
    ],
    "Zhucheng epidemic points": ["zhucheng-epidemic-points"],
    "blood donation, positive only": ["blood-donation-incentives"],
    "Qinghai venture capital redlist": [
        "qinghai-venture-capital",
        "qinghai-venture-capital-measures",
    ],
    "road-freight risk classes": ["road-freight-risk", "road-freight-risk-measures"],
    "COVID fast-track listing": ["epidemic-fast-track", "epidemic-fast-track-measures"],
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> Library:
    return Library.load(catalog)


def test_every_seed_system_is_shipped(library: Library) -> None:
    ids = {s.id for s in library}
    missing = {seed: i for seed, schemes in SEED_SCHEMES.items() for i in schemes if i not in ids}
    assert missing == {}


def test_every_shipped_scheme_is_filed_and_explains_its_modelling(library: Library) -> None:
    for scheme in library:
        meta = scheme.definition.scheme
        assert meta.region, scheme.key
        modelling = meta.own_modelling
        assert modelling is None or isinstance(modelling, Names), f"{scheme.key}: zh and en"
        if meta.type is SchemeType.SCREENING:  # evaluated at each consented check, never published
            assert meta.cadence is None, f"{scheme.key} is evaluated when a check asks"
        elif meta.type is not SchemeType.MEASURES:
            assert meta.cadence, f"{scheme.key} says how often it is evaluated"


def test_shipped_cases_cover_every_band_override_list_and_exit(
    db: Database, catalog: Catalog, library: Library
) -> None:
    """Each case passes on this backend, and together they exercise every grade, override,
    bar, list, rule and an exit of their scheme."""
    gaps = {}
    for scheme in library:
        results = run_tests(db, scheme, catalog)
        assert all(r.passed for r in results), [r.problems for r in results if not r.passed]
        if scheme.definition.scheme.type is not SchemeType.MEASURES:
            assert results, f"{scheme.key} has no test cases"
        if missing := uncovered(scheme, results):
            gaps[scheme.key] = missing
    assert gaps == {}


def test_coverage_notices_a_missing_case(tmp_path: Path, catalog: Catalog, db: Database) -> None:
    source = next(p for p in shipped_scheme_files() if p.name == "road-freight-risk.yaml")
    text = source.read_text(encoding="utf-8")
    # Drop the case that shows the dangerous-goods override.
    start = text.index("  - name: a dangerous-goods violation alone makes it high-risk")
    end = text.index("  - name: so does a major accident")
    path = tmp_path / "road-freight-risk.yaml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    scheme = load_scheme(path, catalog)
    assert uncovered(scheme, run_tests(db, scheme, catalog)) == []  # a major accident: override 1
    start = text.index("  - name: so does a major accident")
    end = text.index("  - name: a new carrier is at best medium-risk")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    scheme = load_scheme(path, catalog)
    assert uncovered(scheme, run_tests(db, scheme, catalog)) == []  # dangerous goods: override 1
    both = text[: text.index("  - name: a dangerous-goods")] + text[end:]
    path.write_text(both, encoding="utf-8")
    scheme = load_scheme(path, catalog)
    assert uncovered(scheme, run_tests(db, scheme, catalog)) == ["override 1"]


def test_catalog_filed_by_type_industry_and_location(library: Library) -> None:
    keys = lambda found: {s.id for s in found}  # noqa: E731
    assert keys(library.filed(type="points")) == {
        "zhucheng-epidemic-points",
        "blood-donation-incentives",
    }
    # A district finds its city's schemes and national ones, not another city's.
    in_shenzhen = keys(library.filed(region="440305"))
    assert "shenzhen-rental-bike" in in_shenzhen and "cac-internet-blacklist" in in_shenzhen
    assert "zhengzhou-environment" not in in_shenzhen
    # A province finds the schemes of its cities.
    assert "wenzhou-research-integrity" in keys(library.filed(region="330000"))
    # Section E (construction) finds the highway schemes filed under division 48, and the tax
    # credit rating and the market-regulation risk classes, which name no industry: they rate
    # firms of every industry.
    construction = keys(library.filed(type="rating", industry="E"))
    assert construction == {
        "jiangsu-highway-construction",
        "national-highway-construction",
        "national-tax-credit",
        "samr-enterprise-credit-risk",
    }
    # Division 26 lies in section C, which the Zhengzhou scheme is filed under.
    assert "zhengzhou-environment" in keys(library.filed(type="rating", industry="26"))
    assert keys(library.filed(type="rating", industry="67", region="630104")) == {
        "qinghai-venture-capital",
        "national-tax-credit",
        "samr-enterprise-credit-risk",
    }
    # Inspection plans are filed under their own type; Hunan's is found from a Hunan city.
    assert keys(library.filed(type="inspection", region="430100")) == {
        "hunan-double-random",
        "samr-double-random",
        "road-freight-double-random",
    }
    with pytest.raises(InvalidInput, match="unknown scheme type"):
        library.filed(type="ranking")
    with pytest.raises(InvalidInput, match="unknown industry"):
        library.filed(industry="ZZ")
    with pytest.raises(InvalidInput, match="unknown region"):
        library.filed(region="999999")


@pytest.mark.parametrize(
    ("filed", "wanted", "expected"),
    [
        ("48", "E", True),
        ("E", "48", True),
        ("48", "47", False),
        ("C", "E", False),
        (None, "48", True),
        ("4812", "48", True),
    ],
)
def test_industry_matching(filed: str | None, wanted: str, expected: bool) -> None:
    assert industry_matches(filed, wanted) is expected


def test_region_matching() -> None:
    assert region_matches("000000", "440305")
    assert region_matches("440300", "440000") and region_matches("440300", "440305")
    assert not region_matches("440300", "410100")


def test_latest_feed_is_dated_and_marks_new_versions(library: Library) -> None:
    feed = library.latest()
    assert len(feed) == len(library)
    dates = [entry.published_on for entry in feed]
    assert dates == sorted(dates, reverse=True)
    by_key = {entry.scheme.key: entry for entry in feed}
    assert by_key["shenzhen-rental-bike@2"].kind == "new version"
    assert by_key["shenzhen-rental-bike@2"].replaces == 1
    assert by_key["shenzhen-rental-bike@1"].kind == "new scheme"
    assert "new version 2 (replaces 1)" in by_key["shenzhen-rental-bike@2"].describe()
    assert len(library.latest(3)) == 3


@pytest.mark.parametrize("path", shipped_scheme_files(), ids=lambda p: p.stem)
def test_plain_rendering_in_each_language(path: Path, catalog: Catalog, library: Library) -> None:
    scheme = load_scheme(path, catalog)
    d = scheme.definition
    zh = render_text(render(scheme, catalog, "zh", library))
    en = render_text(render(scheme, catalog, "en", library))
    assert d.scheme.title.zh in zh and d.scheme.title.en in en
    assert d.scheme.title.en not in zh
    for basis in d.scheme.legal_basis:
        assert basis.document in zh and basis.document in en
    for number, rule in enumerate(d.score.rules, 1):
        assert f"第{number}项：" in zh and f"Rule {number}: " in en
        assert f"{rule.id}：" not in zh  # an id is for the file; readers get the rule's number
        records = rule.when if rule.when else d.measures[str(rule.measure)].records
        for code in records.items():
            assert catalog[code].name.zh in zh and catalog[code].name.en in en
    for entry in d.lists:
        assert entry.name.zh in zh and entry.name.en in en
    grades = {b.grade for b in d.grades.bands} if d.grades else set()
    # The English rules and lists carry no Chinese beyond grade names and quoted documents.
    for section in render(scheme, catalog, "en", library):
        if section.heading in ("What counts, and for how much", "Lists", "Grades"):
            for line in section.lines:
                stripped = line
                for grade in sorted(grades, key=len, reverse=True):
                    stripped = stripped.replace(grade, "")
                assert not CJK.search(stripped), line
    # A labelled choice is shown by its label, never by its code, in either language.
    for condition in [r.when for r in d.score.rules if r.when is not None]:
        for name, compare in condition.attribute.items():
            for value in compare.one_of or []:
                spec = catalog[condition.items()[0]].attribute_specs[name]
                if value in spec.choice_labels:
                    assert spec.choice_labels[value].zh in zh
                    without_ids = re.sub(r"规则 [A-Za-z0-9_.-]+", "", zh)
                    assert re.search(rf"\b{value}\b", without_ids) is None, value


def test_blood_donation_can_only_add(catalog: Catalog, tmp_path: Path) -> None:
    """The shipped rendering says so, and a version that deducts for it is refused."""
    source = next(p for p in shipped_scheme_files() if p.name == "blood-donation-incentives.yaml")
    scheme = load_scheme(source, catalog)
    assert all(rule.amount > 0 for rule in scheme.definition.score.rules)
    assert "没有这类记录不会减分" in render_text(render(scheme, catalog, "zh"))
    text = source.read_text(encoding="utf-8").replace("per_record: 5, cap: 30", "per_record: -5")
    bad = tmp_path / "blood.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidScheme, match="positive-only item HON_BLOOD_DONATION"):
        load_scheme(bad, catalog)


def test_any_grounds_are_checked_at_load(catalog: Catalog, tmp_path: Path) -> None:
    source = next(p for p in shipped_scheme_files() if p.name == "cac-internet-blacklist.yaml")
    text = source.read_text(encoding="utf-8").replace(
        "- records: {item: NET_INTERVIEW, window: 12M}", "- records: {item: NET_CHAT, window: 12M}"
    )
    bad = tmp_path / "cac.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidScheme, match="item NET_CHAT is not in the catalog") as caught:
        load_scheme(bad, catalog)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "NET_CHAT" in t)
    assert f":{line}" in str(caught.value)


def test_sample_data_exercises_every_scheme(tmp_path: Path, library: Library) -> None:
    """The demo's data (random records plus each scheme's cases as subjects) puts subjects in
    every grade and on every list of every scheme, and the scheme cases ingest cleanly."""
    from xinyong.application.demo import run_demo
    from xinyong.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    result = run_demo(settings, tmp_path / "sample", subjects=200, records=1000, seed=5)
    case_reports = [r for r in result.reports if r.file_name.startswith("cases-")]
    assert case_reports and all(not r.rejected for r in case_reports), [
        (r.file_name, r.rejected[:2]) for r in case_reports if r.rejected
    ]
    by_scheme = {outcome.run.scheme.split("@")[0]: outcome for outcome in result.schemes}
    assert set(by_scheme) == {s.id for s in library.evaluable()}
    gaps = {}
    for scheme_id, outcome in by_scheme.items():
        d = library.get(outcome.run.scheme).definition
        wanted = {b.grade for b in d.grades.bands} if d.grades else set()
        missing = sorted(wanted - {g for g, n in outcome.grades.items() if n})
        missing += sorted({e.id for e in d.lists} - {k for k, n in outcome.lists.items() if n})
        if missing:
            gaps[scheme_id] = missing
    assert gaps == {}


@pytest.mark.parametrize(
    ("scheme_id", "item", "attributes", "action", "measure"),
    [
        (
            "road-freight-risk",
            "ROAD_ACCIDENT",
            {"level": "severe"},
            "inspection",
            "INSPECT_HIGH_RISK",
        ),
        (
            "wenzhou-research-integrity",
            "RESEARCH_MISCONDUCT",
            {"conduct": "fabrication", "handling": "funds_recovered"},
            "subsidies",
            "NO_RESEARCH_FUNDING",
        ),
    ],
)
def test_grades_trigger_their_measures_at_a_check(
    db: Database,
    catalog: Catalog,
    library: Library,
    scheme_id: str,
    item: str,
    attributes: dict[str, str],
    action: str,
    measure: str,
) -> None:
    """A subject graded by a shipped scheme gets the measures its memorandum attaches, with
    their basis, at the point of service; a clean subject in the same scheme does not."""
    region = {"road-freight-risk": "410105", "wenzhou-research-integrity": "330302"}[scheme_id]
    industry = {"road-freight-risk": "54", "wenzhou-research-integrity": "73"}[scheme_id]
    bad, clean = uscc_code(71, region=region), uscc_code(72, region=region)
    on = date(2025, 9, 30)
    with db.begin() as conn:
        subject = add_subject(conn, bad, kind="enterprise", region=region, industry=industry)
        add_subject(conn, clean, kind="enterprise", region=region, industry=industry)
        add_records(conn, subject, item, [date(2025, 3, 1)], **attributes)
        store_run(conn, library.get(scheme_id), catalog, on)
        graded = check(conn, library, bad, action, "any", on, actor="test", policies=[])
        spared = check(conn, library, clean, action, "any", on, actor="test", policies=[])
    applied = {m.code: m for m in graded.applies}
    assert measure in applied and applied[measure].legal_basis
    assert measure not in {m.code for m in spared.applies}
