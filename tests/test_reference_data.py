from __future__ import annotations

from xinyong.reference.industries import Industries
from xinyong.reference.regions import REGIONS_AS_OF, Regions


def test_regions_know_current_and_retired_codes() -> None:
    regions = Regions.load()
    assert regions.lookup("320100").name == "南京市"  # type: ignore[union-attr]
    retired = regions.lookup("110103")  # 崇文区, merged into 东城区
    assert retired is not None and not retired.current and retired.to_year == 2009
    assert regions.check("110105") is None
    assert "retired in 2009" in (regions.check("110103") or "")
    assert REGIONS_AS_OF in (regions.check("999999") or "")


def test_region_levels_and_paths() -> None:
    regions = Regions.load()
    provinces = regions.provinces()
    assert len(provinces) >= 31
    assert {p.code for p in provinces} >= {"110000", "320000", "440000", "650000"}
    assert len(regions.prefectures("320000")) == 13  # Jiangsu's 13 prefecture-level cities
    assert regions.path("440305") == ["广东省", "深圳市", "南山区"]
    assert regions.path("469007") == ["海南省", "东方市"]


def test_industries_have_all_sections_and_divisions() -> None:
    industries = Industries.load()
    assert [s.code for s in industries.sections()] == list("ABCDEFGHIJKLMNOPQRST")
    assert len(industries.divisions()) == 97
    assert industries.section_of("54") == "G"
    assert industries.matches("4812", "E") and industries.matches("4812", "48")
    assert not industries.matches("5411", "E")
    assert industries.lookup("e") is not None and industries.lookup("E48") is not None
