"""Subject identifiers: Unified Social Credit Code (GB 32100-2015) and resident ID (GB 11643-1999).

Check characters come from python-stdnum (``stdnum.cn.uscc``, ``stdnum.cn.ric``). Two things are
ours on purpose: stdnum's USCC format check only admits digits as the registration-authority
character, while GB 32100 also issues codes led by ``A``, ``N`` and ``Y``; and stdnum's birth-place
table is out of date, so region validity is left to :mod:`xinyong.reference.regions` and reported as
a warning, never a rejection.

>>> normalise_uscc(" 9111 0000 6000 3734 1l ")
'91110000600037341L'
>>> normalise_resident_id("11010519491231002x")
'11010519491231002X'
>>> mask("11010519491231002X")
'110105********002X'
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric, uscc

from xinyong.errors import InvalidIdentifier

USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
#: Registration-management departments of GB 32100 (first character of a USCC).
USCC_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


class SubjectKind(enum.StrEnum):
    """What sort of credit subject an identifier belongs to."""

    ENTERPRISE = "enterprise"
    ORGANISATION = "organisation"
    AGENCY = "agency"
    INDIVIDUAL = "individual"


class IdScheme(enum.StrEnum):
    USCC = "uscc"
    RESIDENT_ID = "resident_id"


@dataclass(frozen=True, slots=True)
class Identifier:
    """A normalised, checksum-valid identifier and what can be read from it."""

    code: str
    scheme: IdScheme
    region_code: str
    kind: SubjectKind
    birth_date: date | None = None


def _clean(text: str) -> str:
    # NFKC folds full-width digits and letters (common in pasted spreadsheets) to ASCII.
    folded = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in folded if ch not in " -\t\u00a0").upper()


def normalise_uscc(text: str) -> str:
    """Return the canonical 18-character USCC or raise :class:`InvalidIdentifier`."""
    code = _clean(text)
    if len(code) != 18:
        raise InvalidIdentifier(f"统一社会信用代码 must have 18 characters, got {len(code)}")
    if code[0] not in USCC_AUTHORITIES:
        raise InvalidIdentifier(f"统一社会信用代码 starts with unknown authority code {code[0]!r}")
    if not code[2:8].isdigit():
        raise InvalidIdentifier("统一社会信用代码 characters 3-8 must be a 6-digit region code")
    bad = sorted(set(code) - USCC_ALPHABET)
    if bad:
        raise InvalidIdentifier(f"统一社会信用代码 contains characters not allowed: {''.join(bad)}")
    expected = uscc.calc_check_digit(code[:17])
    if code[17] != expected:
        raise InvalidIdentifier(
            f"统一社会信用代码 check character is {code[17]!r}, expected {expected!r}: "
            "a character was probably mistyped"
        )
    return code


def _upgrade_15(code: str) -> str:
    """Turn a first-generation 15-digit ID into its 18-digit form (year 19xx, new check digit)."""
    body = code[:6] + "19" + code[6:]
    return body + ric.calc_check_digit(body + "0")


def normalise_resident_id(text: str) -> str:
    """Return the canonical 18-character resident ID or raise :class:`InvalidIdentifier`.

    A 15-digit first-generation number is upgraded to 18 digits.
    """
    code = _clean(text)
    if len(code) == 15 and code.isdigit():
        code = _upgrade_15(code)
    if len(code) != 18:
        raise InvalidIdentifier(f"居民身份证号码 must have 18 characters, got {len(code)}")
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        raise InvalidIdentifier("居民身份证号码 must be 17 digits and a digit or X")
    expected = ric.calc_check_digit(code)
    if code[17] != expected:
        raise InvalidIdentifier(
            f"居民身份证号码 check character is {code[17]!r}, expected {expected!r}: "
            "a digit was probably mistyped"
        )
    try:
        born = ric.get_birth_date(code)
    except Exception as exc:  # stdnum raises InvalidComponent for an impossible date
        raise InvalidIdentifier(
            f"居民身份证号码 has an impossible birth date {code[6:14]}"
        ) from exc
    if born.year < 1880:
        raise InvalidIdentifier(f"居民身份证号码 has an implausible birth year {born.year}")
    if len(_clean(text)) == 15 and born.year < 1905:
        # A first-generation number is read as born 19YY; "00" would make the holder past 120.
        # Fifteen digits are also the shape of a firm's old business registration number.
        raise InvalidIdentifier(
            f"a 15-digit number read as a first-generation resident ID gives the birth year "
            f"{born.year}; if it is a firm's old business registration number (工商注册号), "
            "send the firm's USCC (18 characters) instead"
        )
    return code


def _uscc_kind(code: str) -> SubjectKind:
    if code[0] == "9":
        return SubjectKind.ENTERPRISE
    if code[:2] == "11":
        return SubjectKind.AGENCY
    return SubjectKind.ORGANISATION


def parse_identifier(text: str) -> Identifier:
    """Recognise a USCC or a resident ID, validate it and read what it encodes.

    >>> parse_identifier("11010519491231002X").kind
    <SubjectKind.INDIVIDUAL: 'individual'>
    """
    cleaned = _clean(text)
    if not cleaned:
        raise InvalidIdentifier("the subject code is empty")
    if _looks_like_resident_id(cleaned) or (len(cleaned) == 15 and cleaned.isdigit()):
        if len(cleaned) == 18 and not _has_birth_date(cleaned):
            # 18 digits without a birth date where a resident ID has one: an all-digit USCC.
            code = normalise_uscc(cleaned)
            return Identifier(code, IdScheme.USCC, code[2:8], _uscc_kind(code))
        code = normalise_resident_id(cleaned)
        return Identifier(
            code,
            IdScheme.RESIDENT_ID,
            code[:6],
            SubjectKind.INDIVIDUAL,
            ric.get_birth_date(code),
        )
    code = normalise_uscc(cleaned)
    return Identifier(code, IdScheme.USCC, code[2:8], _uscc_kind(code))


@dataclass(frozen=True, slots=True)
class MaskPolicy:
    """How many leading and trailing characters stay visible in public display."""

    resident_id_keep: tuple[int, int] = (6, 4)
    uscc_keep: tuple[int, int] | None = None  # None: a USCC is public and shown whole
    person_name_keep: int = 1

    @classmethod
    def named(cls, name: str) -> MaskPolicy:
        """The policy for a settings value: ``standard``, ``strict`` or ``none``."""
        try:
            return MASK_POLICIES[name]
        except KeyError:
            known = ", ".join(sorted(MASK_POLICIES))
            raise ValueError(f"unknown mask policy {name!r}; known: {known}") from None

    @property
    def masks_individuals(self) -> bool:
        """Whether an individual's ID number is masked at all under this policy (the footer of
        every page says so, or says that masking is off)."""
        head, tail = self.resident_id_keep
        return head + tail < 18

    def mask_code(self, code: str) -> str:
        keep = self.resident_id_keep if _looks_like_resident_id(code) else self.uscc_keep
        if keep is None:
            return code
        head, tail = keep
        if head + tail >= len(code):
            return code
        return code[:head] + "*" * (len(code) - head - tail) + code[len(code) - tail :]

    def mask_person_name(self, name: str) -> str:
        if self.person_name_keep >= len(name):
            return name
        return name[: self.person_name_keep] + "*" * (len(name) - self.person_name_keep)

    def mask_name(self, name: str, kind: str) -> str:
        """A subject's name as the public sees it: an individual's masked, any other's whole."""
        return self.mask_person_name(name) if kind == SubjectKind.INDIVIDUAL else name


def _has_birth_date(code: str) -> bool:
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    return born.year >= 1880


def _looks_like_resident_id(code: str) -> bool:
    return len(code) == 18 and code[:17].isdigit() and (code[17].isdigit() or code[17] == "X")


MASK_POLICIES = {
    "standard": MaskPolicy(),
    "strict": MaskPolicy(resident_id_keep=(1, 1), uscc_keep=(8, 2), person_name_keep=1),
    "none": MaskPolicy(resident_id_keep=(18, 0), uscc_keep=None, person_name_keep=99),
}


def mask(code: str, policy: MaskPolicy | None = None) -> str:
    """Mask an identifier for public display under ``policy`` (default: standard)."""
    return (policy or MASK_POLICIES["standard"]).mask_code(code)
