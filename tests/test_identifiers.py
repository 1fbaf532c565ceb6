from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from xinyong.errors import InvalidIdentifier
from xinyong.reference.identifiers import (
    IdScheme,
    MaskPolicy,
    SubjectKind,
    mask,
    normalise_resident_id,
    normalise_uscc,
    parse_identifier,
)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_known_good_codes() -> None:
    assert normalise_uscc("91110000600037341L") == "91110000600037341L"
    assert normalise_resident_id("11010519491231002X") == "11010519491231002X"


def test_spacing_case_and_full_width_are_normalised() -> None:
    assert normalise_uscc(" 9111-0000 6000 3734 1l ") == "91110000600037341L"
    assert normalise_resident_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_bad_checksum_is_named() -> None:
    with pytest.raises(InvalidIdentifier, match="check character is 'M', expected 'L'"):
        normalise_uscc("91110000600037341M")
    with pytest.raises(InvalidIdentifier, match="expected 'X'"):
        normalise_resident_id("110105194912310021")


def test_bad_shapes() -> None:
    with pytest.raises(InvalidIdentifier, match="18 characters"):
        normalise_uscc("9111000060003734")
    with pytest.raises(InvalidIdentifier, match="unknown authority"):
        normalise_uscc("B1110000600037341L")
    with pytest.raises(InvalidIdentifier, match="not allowed: I"):
        normalise_uscc("9111000060003734IL")
    with pytest.raises(InvalidIdentifier, match="impossible birth date"):
        body = "11010519490231002"
        normalise_resident_id(body + ric.calc_check_digit(body + "0"))
    with pytest.raises(InvalidIdentifier, match="empty"):
        parse_identifier("  ")


def test_authorities_beyond_digits_are_accepted() -> None:
    # GB 32100 issues codes led by N (agriculture) and Y (other); stdnum's validate refuses them.
    body = "N2110105MA0000001"
    code = body + uscc.calc_check_digit(body)
    assert not uscc.is_valid(code)
    assert parse_identifier(code).kind is SubjectKind.ORGANISATION


def test_first_generation_id_is_upgraded() -> None:
    assert normalise_resident_id("110105491231002") == "11010519491231002X"


def test_kind_is_read_from_the_code() -> None:
    assert parse_identifier("91110000600037341L").kind is SubjectKind.ENTERPRISE
    agency = "11100000000013127"
    assert parse_identifier(agency + uscc.calc_check_digit(agency)).kind is SubjectKind.AGENCY
    person = parse_identifier("11010519491231002X")
    assert person.scheme is IdScheme.RESIDENT_ID
    assert person.birth_date == date(1949, 12, 31)
    assert person.region_code == "110105"


def test_all_digit_uscc_is_not_mistaken_for_a_resident_id() -> None:
    code = "914403009999999995"  # all digits; digits 7-14 ("03009999") are not a birth date
    assert code[-1] == uscc.calc_check_digit(code[:17])
    assert parse_identifier(code).scheme is IdScheme.USCC


def test_masking_policies() -> None:
    assert mask("11010519491231002X") == "110105********002X"
    assert mask("91110000600037341L") == "91110000600037341L"
    strict = MaskPolicy.named("strict")
    assert strict.mask_code("91110000600037341L") == "91110000********1L"
    assert strict.mask_code("11010519491231002X") == "1****************X"
    standard = MaskPolicy.named("standard")
    assert standard.mask_person_name("张三丰") == "张**"
    assert standard.mask_name("张三丰", SubjectKind.INDIVIDUAL) == "张**"
    assert standard.mask_name("郑州绿源有限公司", "enterprise") == "郑州绿源有限公司"
    with pytest.raises(ValueError, match="unknown mask policy"):
        MaskPolicy.named("lenient")


uscc_bodies = st.text(alphabet=USCC_CHARS, min_size=9, max_size=9).flatmap(
    lambda org: st.sampled_from("159").map(lambda a: f"{a}1110105{org}")
)


@given(uscc_bodies)
def test_uscc_round_trip(body: str) -> None:
    code = body + uscc.calc_check_digit(body)
    assert normalise_uscc(code) == code
    assert normalise_uscc(code.lower()) == code
    assert parse_identifier(" ".join(code)).code == code


@given(uscc_bodies, st.integers(0, 17), st.sampled_from(USCC_CHARS))
def test_uscc_single_substitution_is_caught(body: str, position: int, char: str) -> None:
    code = body + uscc.calc_check_digit(body)
    changed = code[:position] + char + code[position + 1 :]
    if changed != code and changed[0] in "159" and changed[2:8].isdigit():
        with pytest.raises(InvalidIdentifier):
            normalise_uscc(changed)


resident_bodies = st.builds(
    lambda born, seq: f"110105{born:%Y%m%d}{seq:03d}",
    st.dates(date(1900, 1, 1), date(2020, 12, 31)),
    st.integers(0, 999),
)


@given(resident_bodies)
def test_resident_id_round_trip(body: str) -> None:
    code = body + ric.calc_check_digit(body + "0")
    assert normalise_resident_id(code.lower()) == code
    parsed = parse_identifier(code)
    assert parsed.code == code and parsed.kind is SubjectKind.INDIVIDUAL
    assert mask(code) == code[:6] + "*" * 8 + code[-4:]


@given(resident_bodies, st.integers(0, 16), st.integers(0, 9))
def test_resident_id_single_digit_change_is_caught(body: str, position: int, digit: int) -> None:
    code = body + ric.calc_check_digit(body + "0")
    changed = code[:position] + str(digit) + code[position + 1 :]
    if changed != code:
        with pytest.raises(InvalidIdentifier):
            normalise_resident_id(changed)


def test_the_mask_policy_says_whether_it_masks_individuals() -> None:
    from xinyong.reference.identifiers import MaskPolicy

    assert MaskPolicy.named("standard").masks_individuals
    assert MaskPolicy.named("strict").masks_individuals
    assert not MaskPolicy.named("none").masks_individuals  # the footer then says masking is off
