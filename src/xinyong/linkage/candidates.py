"""What the linkage reads: quarantined rows that named their party but sent no code, and the
registry's organisations under every name they have had.

A row is a candidate when its one problem is the missing code, or a 15-digit old registration
number sent in its place, and it names its party; a row refused for anything else would be
refused again with a code, so it is left for its department to correct. Individuals are not
linked: a person is identified by the ID number the department holds, never guessed from a
name (personal data is minimal). Beside the columns its profile maps, a row's party is
described by the columns no record profile keeps (the legal representative, an address, an old
registration number: :data:`xinyong.ingest.profiles.PARTY_COLUMNS`), read from the row as it
was received.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from xinyong.ingest.parsed import KIND_WORDS
from xinyong.ingest.profiles import PARTY_COLUMNS, Profile, choose_profile, load_profile
from xinyong.linkage.model import Side
from xinyong.linkage.names import Places, folded
from xinyong.reference.identifiers import SubjectKind
from xinyong.store.tables import batches, quarantine, record_links, subject_names, subjects

#: The messages of the refusals a candidate may have had (and nothing else).
MISSING_CODE = ": is required (USCC or resident ID)"
OLD_NUMBER = "15 digits for a firm are its old business registration number"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A quarantined row as the linkage sees it."""

    quarantine_id: int
    batch_id: int
    source: str
    profile: str
    name: str
    legal_representative: str | None
    address: str | None
    registration_number: str | None
    region: str | None  # from the address, else the deciding authority's
    raw: dict[str, Any]

    def side(self, places: Places) -> Side:
        return side(
            places,
            f"q{self.quarantine_id}",
            None,
            self.name,
            self.legal_representative,
            self.region,
            self.registration_number,
        )


def side(
    places: Places,
    key: str,
    subject_id: int | None,
    name: str,
    representative: str | None,
    region: str | None,
    number: str | None,
) -> Side:
    """One row of either side as the model compares it: the name folded and as its core,
    the representative folded."""
    return Side(
        key, subject_id, folded(name), places.core(name), folded(representative), region, number
    )


def _hint(raw: dict[str, Any], what: str) -> str | None:
    for header in PARTY_COLUMNS[what]:
        value = raw.get(header)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _profile(name: str | None, raw: dict[str, Any]) -> Profile:
    return load_profile(name) if name else choose_profile(list(raw))


def candidates(conn: Connection, places: Places, limit: int | None = None) -> list[Candidate]:
    """Quarantined rows not yet proposed that may be linked, oldest first."""
    query = (
        select(
            quarantine.c.id,
            quarantine.c.batch_id,
            quarantine.c.message,
            quarantine.c.value,
            quarantine.c.raw,
            batches.c.source,
            batches.c.profile,
        )
        .join(batches, batches.c.id == quarantine.c.batch_id)
        .outerjoin(record_links, record_links.c.quarantine_id == quarantine.c.id)
        .where(
            record_links.c.id.is_(None),
            or_(
                quarantine.c.message.like(f"%{MISSING_CODE}"),
                quarantine.c.message.like(f"%{OLD_NUMBER}%"),
            ),
        )
        .order_by(quarantine.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    found = []
    for row in conn.execute(query):
        # the field is named by the column the department sent (统一社会信用代码, say)
        if ";" in row.message:  # refused for more than its code
            continue
        old = OLD_NUMBER in row.message
        raw = dict(row.raw)
        profile = _profile(row.profile, raw)
        fields, _ = profile.mapper(list(raw))(raw)
        name = fields.get("subject_name")
        # the double-publicity layouts' party kind is not kept, but it is in the row as sent
        sent_kind = fields.get("subject_kind") or raw.get("行政相对人类别") or ""
        kind = KIND_WORDS.get(str(sent_kind).strip().lower())
        if not name or kind is SubjectKind.INDIVIDUAL:
            continue
        address = _hint(raw, "address")
        number = row.value if old else _hint(raw, "registration_number")
        decided_in = fields.get("decided_in")
        found.append(
            Candidate(
                row.id,
                row.batch_id,
                row.source,
                profile.profile,
                str(name),
                _hint(raw, "legal_representative"),
                address,
                number,
                places.region(address) or (str(decided_in) if decided_in else None),
                raw,
            )
        )
    return found


def registry(conn: Connection, places: Places) -> Iterator[Side]:
    """Every organisation under its current name and each former name or alias, one side
    each (streamed: a registry of millions is read once, in the order of its ids)."""
    organisations = (
        select(
            subjects.c.id,
            subjects.c.name,
            subjects.c.legal_representative,
            subjects.c.region_code,
            subjects.c.registration_number,
        )
        .where(subjects.c.kind != SubjectKind.INDIVIDUAL.value)
        .order_by(subjects.c.id)
    )
    others: dict[int, list[str]] = {}
    for subject_id, name in conn.execute(
        select(subject_names.c.subject_id, subject_names.c.name).order_by(subject_names.c.id)
    ):
        others.setdefault(subject_id, []).append(name)
    for row in conn.execution_options(yield_per=20_000).execute(organisations):
        for n, name in enumerate([row.name, *others.get(row.id, ())]):
            yield side(
                places,
                f"s{row.id}n{n}",
                row.id,
                name,
                row.legal_representative,
                row.region_code,
                row.registration_number,
            )
