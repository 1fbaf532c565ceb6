from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Category, Period, Polarity, Severity
from xinyong.errors import InvalidCatalog

HEADER = """\
catalog:
  id: local
  version: "1"
  title: {zh: 地方目录, en: Local catalog}
  legal_basis: [{document: 苏政办发〔2020〕1号}]
items:
"""

GOOD_ITEM = """\
  - code: LOCAL_ITEM
    name: {zh: 地方条目, en: Local item}
    category: honours
    polarity: positive
    disclosure: public
    publication: {min: 0, max: 1Y}
    legal_basis: [{document: 苏政办发〔2020〕1号, article: 第三条}]
"""


def write(tmp_path: Path, body: str, name: str = "local.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_shipped_catalog_covers_every_category(catalog: Catalog) -> None:
    assert {item.category for item in catalog} == set(Category)
    assert all(item.legal_basis for item in catalog)
    assert {"ADM_PENALTY_MINOR", "ADM_PENALTY_GENERAL", "ADM_PENALTY_SERIOUS"} <= {
        i.code for i in catalog
    }


def test_penalty_tiers_follow_the_publication_rules(catalog: Catalog) -> None:
    tiers = {
        catalog[code].severity: (
            str(catalog[code].publication.min),
            str(catalog[code].publication.max),
        )
        for code in ("ADM_PENALTY_MINOR", "ADM_PENALTY_GENERAL", "ADM_PENALTY_SERIOUS")
    }
    assert tiers == {
        Severity.MINOR: ("0", "3M"),
        Severity.GENERAL: ("3M", "1Y"),
        Severity.SERIOUS: ("1Y", "3Y"),
    }


def test_blood_donation_is_positive_only(catalog: Catalog) -> None:
    item = catalog["HON_BLOOD_DONATION"]
    assert item.polarity is Polarity.POSITIVE and item.positive_only
    assert item.severity is None


def test_a_local_file_loads_beside_the_national_one(tmp_path: Path) -> None:
    catalog = Catalog.load([write(tmp_path, GOOD_ITEM)])
    assert "LOCAL_ITEM" in catalog and "ADM_LICENCE" in catalog
    assert catalog.source("LOCAL_ITEM").line == 7


def test_item_without_legal_basis_is_refused_with_file_and_line(tmp_path: Path) -> None:
    body = GOOD_ITEM.replace(
        "    legal_basis: [{document: 苏政办发〔2020〕1号, article: 第三条}]\n", ""
    )
    path = write(tmp_path, body)
    with pytest.raises(InvalidCatalog, match=r"local\.yaml:7: .*legal_basis.* is required"):
        Catalog.load([path])


def test_empty_legal_basis_is_refused(tmp_path: Path) -> None:
    body = GOOD_ITEM.replace("[{document: 苏政办发〔2020〕1号, article: 第三条}]", "[]")
    with pytest.raises(InvalidCatalog, match=r"local\.yaml:13: .*legal_basis"):
        Catalog.load([write(tmp_path, body)])


def test_duplicate_code_names_both_places(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidCatalog,
        match=r"local\.yaml:14: item code LOCAL_ITEM is already "
        r"defined at .*local\.yaml:7",
    ):
        Catalog.load([write(tmp_path, GOOD_ITEM + GOOD_ITEM)])


def test_duplicate_of_a_national_code_is_refused(tmp_path: Path) -> None:
    body = GOOD_ITEM.replace("LOCAL_ITEM", "HON_AWARD")
    with pytest.raises(InvalidCatalog, match=r"HON_AWARD is already defined at .*national\.yaml"):
        Catalog.load([write(tmp_path, body)])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("category: honours", "category: gossip"), r":9: items\.0\.category: Input should be"),
        (
            ("    disclosure: public\n", "    disclosure: public\n    colour: red\n"),
            r":12: unknown key 'items\.0\.colour'",
        ),
        (("polarity: positive", "polarity: negative"), r":7: .*needs a severity tier"),
        (("max: 1Y", "max: 1W"), r":12: .*must look like 90D, 3M or 1Y"),
        (("min: 0, max: 1Y", "min: 2Y, max: 1Y"), r":12: .*longer than max"),
        (("code: LOCAL_ITEM", "code: local item"), r":7: items\.0\.code"),
    ],
)
def test_bad_items_are_refused_with_the_line(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(InvalidCatalog, match=message):
        Catalog.load([write(tmp_path, GOOD_ITEM.replace(*change))])


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidCatalog, match=r"local\.yaml:\d+: YAML syntax"):
        Catalog.load([write(tmp_path, GOOD_ITEM + "  - code: [unclosed\n")])


def test_period_arithmetic_clamps_month_ends() -> None:
    assert Period.parse("1M").after(date(2025, 1, 31)) == date(2025, 2, 28)
    assert Period.parse("1Y").after(date(2024, 2, 29)) == date(2025, 2, 28)
    assert Period.parse("90D").after(date(2025, 1, 1)) == date(2025, 4, 1)
    with pytest.raises(ValueError, match="must look like"):
        Period.parse("three months")


def test_attribute_types_convert_and_explain(catalog: Catalog) -> None:
    fine = catalog["ADM_PENALTY_GENERAL"].attribute_specs["fine_10k_cny"]
    assert fine.parse(" 1,250.5 ") == 1250.5
    with pytest.raises(ValueError, match="expected a number"):
        fine.parse("五千")
    with pytest.raises(ValueError, match="at least 0"):
        fine.parse("-1")
    with pytest.raises(ValueError, match="6 decimal places"):
        fine.parse("0.1234567")
    grade = catalog["EVAL_TAX_GRADE"].attribute_specs["grade"]
    with pytest.raises(ValueError, match="one of A, B, M, C, D"):
        grade.parse("E")


def test_a_choice_may_take_a_shipped_category_set_without_restating_it(
    tmp_path: Path, catalog: Catalog
) -> None:
    from xinyong.reference.services import ServiceCategories

    domestic = ServiceCategories.load()["domestic-service"]
    shipped = catalog.get("DOMESTIC_COMPLAINT_UPHELD").attributes[0]
    assert shipped.name == "category" and shipped.choices_from == "domestic-service"
    assert shipped.choices == list(domestic.codes)
    assert shipped.choice_name("maternity", "zh") == domestic.get("maternity").zh
    assert shipped.choice_name("cooking", "en") == domestic.get("cooking").en
    attribute = "    attributes:\n      - {name: category, type: choice, %s}\n"
    taken = GOOD_ITEM + attribute % "choices_from: domestic-service"
    item = Catalog.load([write(tmp_path, taken)]).get("LOCAL_ITEM")
    assert item.attributes[0].choices == list(domestic.codes)
    for extra, message in [
        ("choices_from: domestic-service, choices: [maternity]", "do not restate them"),
        ("choices_from: nursing", "no category set 'nursing'; known: domestic-service"),
    ]:
        with pytest.raises(InvalidCatalog, match=message):
            Catalog.load([write(tmp_path, GOOD_ITEM + attribute % extra)])
