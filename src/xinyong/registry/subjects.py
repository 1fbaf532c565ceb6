"""The registry of credit subjects: enterprises, other organisations, agencies and individuals.

A subject is keyed by its normalised identifier (USCC or resident ID). Names change: the current
name is on the subject, every earlier name and every alias is a row of ``subject_names``, so a
search by a former name still finds the subject.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, false, func, insert, or_, select, update

from xinyong import clock
from xinyong.errors import InvalidInput, NotFound
from xinyong.reference.identifiers import Identifier, SubjectKind, parse_identifier
from xinyong.registry import name_index
from xinyong.store.locks import lock_name
from xinyong.store.tables import subject_changes, subject_names, subjects


class SubjectStatus(enum.StrEnum):
    ACTIVE = "active"  # 存续
    CANCELLED = "cancelled"  # 注销
    REVOKED = "revoked"  # 吊销
    DECEASED = "deceased"


class NameKind(enum.StrEnum):
    ALIAS = "alias"
    FORMER = "former"


@dataclass(frozen=True, slots=True)
class SubjectName:
    name: str
    kind: NameKind
    valid_from: date | None
    valid_to: date | None
    source: str


@dataclass(frozen=True, slots=True)
class SubjectChange:
    field: str
    old_value: str | None
    new_value: str | None
    source: str
    batch_id: int | None
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Subject:
    id: int
    code: str
    id_scheme: str
    kind: SubjectKind
    name: str
    region_code: str | None
    industry_code: str | None
    registered_on: date | None
    status: SubjectStatus
    source: str
    created_at: datetime
    names: list[SubjectName] = field(default_factory=list)
    legal_representative: str | None = None
    size_band: str | None = None
    registration_number: str | None = None


@dataclass(frozen=True, slots=True)
class NewSubject:
    """What is needed to register a subject; the identifier is already validated."""

    identifier: Identifier
    name: str
    kind: SubjectKind | None = None
    region_code: str | None = None
    industry_code: str | None = None
    registered_on: date | None = None
    status: SubjectStatus = SubjectStatus.ACTIVE
    legal_representative: str | None = None
    size_band: str | None = None
    registration_number: str | None = None

    def row(self, source: str, now: datetime) -> dict[str, object]:
        return {
            "code": self.identifier.code,
            "id_scheme": self.identifier.scheme.value,
            "kind": (self.kind or self.identifier.kind).value,
            "name": self.name,
            "region_code": self.region_code or self.identifier.region_code,
            "industry_code": self.industry_code,
            # an individual "registers" at birth: the date its resident ID carries
            "registered_on": self.registered_on or self.identifier.birth_date,
            "status": self.status.value,
            "legal_representative": self.legal_representative,
            "size_band": self.size_band,
            "registration_number": self.registration_number,
            "source": source,
            "created_at": now,
        }


def _now() -> datetime:
    return clock.now()


def ids_for_codes(conn: Connection, codes: Iterable[str], chunk: int = 5000) -> dict[str, int]:
    """Map each known code to its subject id (unknown codes are absent)."""
    wanted = list(dict.fromkeys(codes))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        rows = conn.execute(select(subjects.c.code, subjects.c.id).where(subjects.c.code.in_(part)))
        found.update({code: int(id_) for code, id_ in rows})
    return found


def register_many(
    conn: Connection, new: Mapping[str, NewSubject], source: str, chunk: int = 2000
) -> dict[str, int]:
    """Register the subjects in ``new`` that are not yet known; return ids for all of them.
    Registration is one writer at a time (two batches naming the same new subject register it
    once: the second reads it under the lock)."""
    known = ids_for_codes(conn, new)
    if len(known) < len(new):
        lock_name(conn, "subjects:register")
        known = ids_for_codes(conn, new)
    missing = [s for code, s in new.items() if code not in known]
    now = _now()
    for start in range(0, len(missing), chunk):
        conn.execute(insert(subjects), [s.row(source, now) for s in missing[start : start + chunk]])
    added = ids_for_codes(conn, (s.identifier.code for s in missing))
    name_index.index(conn, {added[s.identifier.code]: [s.name] for s in missing}, fresh=True)
    known.update(added)
    return known


def register(conn: Connection, subject: NewSubject, source: str) -> int:
    """Register one subject (or return the id of the one already registered)."""
    return register_many(conn, {subject.identifier.code: subject}, source)[subject.identifier.code]


CHANGEABLE = (
    "name",
    "kind",
    "region_code",
    "industry_code",
    "registered_on",
    "status",
    "legal_representative",
    "size_band",
    "registration_number",
)


def change(
    conn: Connection,
    code: str,
    values: Mapping[str, object],
    source: str,
    batch_id: int | None = None,
) -> list[str]:
    """Change fields of a subject's registry entry; every change is kept in ``subject_changes``
    (and a replaced name also as a former name). Values that are None or equal to the current
    ones change nothing. Returns the fields that changed."""
    unknown = set(values) - set(CHANGEABLE)
    if unknown:
        raise InvalidInput(f"subject fields that cannot be changed: {', '.join(sorted(unknown))}")
    current = conn.execute(select(subjects).where(subjects.c.code == code)).mappings().first()
    if current is None:
        raise NotFound(f"no subject with code {code}")
    now = _now()
    changed = {
        name: value
        for name, value in values.items()
        if value is not None and _text(value) != _text(current[name])
    }
    if not changed:
        return []
    conn.execute(
        insert(subject_changes),
        [
            {
                "subject_id": current["id"],
                "field": name,
                "old_value": _text(current[name]),
                "new_value": _text(value),
                "source": source,
                "batch_id": batch_id,
                "changed_at": now,
            }
            for name, value in changed.items()
        ],
    )
    if "name" in changed:
        add_name(conn, current["id"], current["name"], NameKind.FORMER, source, now.date())
    conn.execute(update(subjects).where(subjects.c.id == current["id"]).values(**changed))
    if "name" in changed:
        name_index.index(conn, {current["id"]: [str(changed["name"])]})
    return sorted(changed)


def rename(conn: Connection, code: str, new_name: str, source: str) -> None:
    """Give a subject a new current name; the old one is kept as a former name."""
    change(conn, code, {"name": new_name}, source)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def history(conn: Connection, subject_id: int) -> list[SubjectChange]:
    """Every change to a subject's registry entry, oldest first."""
    rows = conn.execute(
        select(subject_changes)
        .where(subject_changes.c.subject_id == subject_id)
        .order_by(subject_changes.c.id)
    )
    return [
        SubjectChange(r.field, r.old_value, r.new_value, r.source, r.batch_id, r.changed_at)
        for r in rows
    ]


def add_name(
    conn: Connection,
    subject_id: int,
    name: str,
    kind: NameKind,
    source: str,
    valid_to: date | None = None,
) -> bool:
    """Record another name of a subject unless it is already recorded; True if added."""
    exists = conn.execute(
        select(func.count())
        .select_from(subject_names)
        .where(
            subject_names.c.subject_id == subject_id,
            subject_names.c.name == name,
            subject_names.c.kind == kind.value,
        )
    ).scalar_one()
    if exists:
        return False
    conn.execute(
        insert(subject_names),
        {
            "subject_id": subject_id,
            "name": name,
            "kind": kind.value,
            "valid_to": valid_to,
            "source": source,
            "created_at": _now(),
        },
    )
    name_index.index(conn, {subject_id: [name]})
    return True


def add_alias(conn: Connection, code: str, alias: str, source: str) -> None:
    current = get(conn, code)
    if alias != current.name:
        add_name(conn, current.id, alias, NameKind.ALIAS, source)


def get(conn: Connection, code: str) -> Subject:
    """The subject with ``code`` (any accepted spelling), with its other names."""
    try:
        normalised = parse_identifier(code).code
    except InvalidInput:
        normalised = code.strip().upper()
    row = conn.execute(select(subjects).where(subjects.c.code == normalised)).mappings().first()
    if row is None:
        raise NotFound(f"no subject with code {normalised}")
    names = [
        SubjectName(n.name, NameKind(n.kind), n.valid_from, n.valid_to, n.source)
        for n in conn.execute(
            select(subject_names)
            .where(subject_names.c.subject_id == row["id"])
            .order_by(subject_names.c.id)
        )
    ]
    return Subject(
        id=row["id"],
        code=row["code"],
        id_scheme=row["id_scheme"],
        kind=SubjectKind(row["kind"]),
        name=row["name"],
        region_code=row["region_code"],
        industry_code=row["industry_code"],
        registered_on=row["registered_on"],
        status=SubjectStatus(row["status"]),
        source=row["source"],
        created_at=row["created_at"],
        names=names,
        legal_representative=row["legal_representative"],
        size_band=row["size_band"],
        registration_number=row["registration_number"],
    )


def filtered(
    conn: Connection,
    *,
    region: str | None = None,
    industry: str | None = None,
    kind: SubjectKind | None = None,
    limit: int = 100,
) -> list[tuple[str, str, str | None, str | None]]:
    """(code, name, region, industry) of subjects in a location and an industry.

    ``region`` is a GB/T 2260 code: a province (``320000``) or prefecture (``320500``) includes
    everything under it. ``industry`` is a GB/T 4754 section letter or a division number.
    """
    from xinyong.reference.industries import Industries
    from xinyong.reference.regions import region_prefix

    query = select(
        subjects.c.code, subjects.c.name, subjects.c.region_code, subjects.c.industry_code
    )
    prefix = region_prefix(region)
    if prefix:
        query = query.where(subjects.c.region_code.startswith(prefix))
    if industry:
        wanted = Industries.load().prefixes([industry])
        query = query.where(or_(*(subjects.c.industry_code.startswith(w) for w in wanted), false()))
    if kind:
        query = query.where(subjects.c.kind == kind.value)
    rows = conn.execute(query.order_by(subjects.c.code).limit(limit))
    return [(code, name, r, i) for code, name, r, i in rows]


def count_by_kind(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(subjects.c.kind, func.count()).group_by(subjects.c.kind))
    return {kind: int(n) for kind, n in rows}


def code_of(conn: Connection, subject_id: int) -> str:
    """The code of the subject with ``subject_id`` (for pages and routes addressed by id)."""
    code = conn.execute(select(subjects.c.code).where(subjects.c.id == subject_id)).scalar()
    if code is None:
        raise NotFound(f"no subject {subject_id}")
    return str(code)


def names_of(conn: Connection, subject_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    """``id -> (code, name, kind)`` of the subjects with ``subject_ids``."""
    wanted = sorted(set(subject_ids))
    if not wanted:
        return {}
    rows = conn.execute(
        select(subjects.c.id, subjects.c.code, subjects.c.name, subjects.c.kind).where(
            subjects.c.id.in_(wanted)
        )
    )
    return {r.id: (r.code, r.name, r.kind) for r in rows}


def regions_of(conn: Connection, codes: Iterable[str]) -> dict[str, str | None]:
    """``code -> region code`` of the subjects with ``codes``."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = conn.execute(
        select(subjects.c.code, subjects.c.region_code).where(subjects.c.code.in_(wanted))
    )
    return {code: region for code, region in rows}
