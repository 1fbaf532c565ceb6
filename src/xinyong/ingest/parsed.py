"""What a checked row becomes: a record row or a subject row that passed every check that needs
no database, the problems of a refused row, and the words departments use for an action, a
kind of subject and a registration status (in English or Chinese), and the limits of the text
a cell may hold."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xinyong.catalog.items import CatalogItem
from xinyong.reference.identifiers import Identifier, SubjectKind
from xinyong.registry.subjects import SubjectStatus


class Action(enum.StrEnum):
    NEW = "new"
    CORRECT = "correct"
    REVOKE = "revoke"
    REPAIR = "repair"


ACTION_WORDS = {
    **{a.value: a for a in Action},
    "新增": Action.NEW,
    "更正": Action.CORRECT,
    "撤销": Action.REVOKE,
    "修复": Action.REPAIR,
}
KIND_WORDS = {
    **{k.value: k for k in SubjectKind},
    "企业": SubjectKind.ENTERPRISE,
    "法人": SubjectKind.ENTERPRISE,
    "社会组织": SubjectKind.ORGANISATION,
    "非法人组织": SubjectKind.ORGANISATION,
    "机关": SubjectKind.AGENCY,
    "自然人": SubjectKind.INDIVIDUAL,
    "个人": SubjectKind.INDIVIDUAL,
}
#: An enterprise's size as the statistics office classifies it (大型, 中型, 小型, 微型:
#: 工信部联企业〔2011〕300号, by industry, employees and revenue); xinyong records the class it
#: is sent, it does not classify.
SIZE_BANDS = ("large", "medium", "small", "micro")
SIZE_WORDS = {
    **{s: s for s in SIZE_BANDS},
    **dict(zip(("大型", "中型", "小型", "微型"), SIZE_BANDS, strict=True)),
    **dict(zip(("大", "中", "小", "微"), SIZE_BANDS, strict=True)),
}

STATUS_WORDS = {
    **{s.value: s for s in SubjectStatus},
    "存续": SubjectStatus.ACTIVE,
    "在业": SubjectStatus.ACTIVE,
    "开业": SubjectStatus.ACTIVE,
    "注销": SubjectStatus.CANCELLED,
    "吊销": SubjectStatus.REVOKED,
}


@dataclass(frozen=True, slots=True)
class Problem:
    field: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(slots=True)
class RecordRow:
    """A record row that passed every check that needs no database."""

    number: int
    action: Action
    identifier: Identifier | None
    subject_name: str | None
    subject_kind: SubjectKind | None
    item: CatalogItem | None
    decided_on: date
    valid_from: date | None
    valid_to: date | None
    severity: int | None
    reference: str | None
    target_reference: str | None
    target_record_id: int | None
    reason: str | None
    attributes: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    # the deciding authority's region: sent, or read from the authority's USCC
    decided_in: str | None = None


@dataclass(slots=True)
class SubjectRow:
    number: int
    identifier: Identifier
    name: str
    kind: SubjectKind | None
    region_code: str | None
    industry_code: str | None
    registered_on: date | None
    status: SubjectStatus | None
    legal_representative: str | None
    former_names: list[str]
    aliases: list[str]
    warnings: list[str] = field(default_factory=list)
    size_band: str | None = None
    registration_number: str | None = None


#: The longest text each field may hold (the column that keeps it); any other cell is held to
#: :data:`CELL_LENGTH`.
LENGTHS = {
    "reference": 200,
    "target_reference": 200,
    "subject_name": 200,
    "name": 200,
    "legal_representative": 100,
    "registration_number": 15,
    "former_names": 2000,
    "aliases": 2000,
}
CELL_LENGTH = 4000
#: The control characters no cell may hold (a tab and line ends are text), and how they are
#: written where a refused value is shown or kept: as their escape, ``\x00``.
_ESCAPES = {c: f"\\x{c:02x}" for c in range(32) if chr(c) not in "\t\n\r"}


_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in _ESCAPES) + "]")
_SUSPECT = re.compile("[" + "".join(re.escape(chr(c)) for c in _ESCAPES) + "\ufffd]")


def visible(text: str) -> str:
    """Text as a problem shows it and the quarantine keeps it: each control character (which
    no engine stores alike in text or JSON, NUL above all) as its escape; nothing else changes."""
    return text.translate(_ESCAPES)


def short(value: Any) -> str:
    """A value as a problem shows it: visible, and cut to 200 characters."""
    text = visible(str(value))
    return text if len(text) <= 200 else text[:197] + "..."


def text_problems(fields: dict[str, Any]) -> list[Problem]:
    """Refuse text no column can keep as sent: a control character (a NUL byte, say), text
    that was not valid in the file's encoding (decoded as U+FFFD), or text too long for its
    field. Each problem names the field."""
    problems = []
    for name, value in fields.items():
        if not isinstance(value, str):
            continue
        limit = LENGTHS.get(name, CELL_LENGTH)
        if len(value) <= limit and _SUSPECT.search(value) is None:
            continue  # the usual cell: one scan in C, nothing to say
        shown = short(value)
        if _CONTROL.search(value):
            problems.append(
                Problem(name, shown, "contains a control character (e.g. a NUL byte); resend it")
            )
        elif "\ufffd" in value:
            problems.append(
                Problem(name, shown, "is not valid text in the file's encoding; check that row")
            )
        elif len(value) > limit:
            problems.append(Problem(name, shown, f"is {len(value)} characters; at most {limit}"))
    return problems
