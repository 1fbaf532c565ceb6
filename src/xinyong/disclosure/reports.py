"""Credit reports: a subject's records, grades, listings and disputes as of a date, issued for a
stated purpose, registered under an identifier with the SHA-256 of their content, so that a
forged or altered report is detected.

The content is canonical JSON (sorted keys, no spaces, UTF-8), and the hash is taken over exactly
those bytes. The JSON download is ``{"report": content, "sha256": hash}``: verifying it recomputes
the hash from the content and compares it with the register. A PDF is rendered once, when first
asked for; its bytes and their hash are kept with the report, and verifying a PDF looks its hash
up in the register. Either way, a changed byte fails. Issuing appends to the audit log.
"""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.catalog.items import Catalog
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.credit_file import Standing, credit_file, standings
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.reference.identifiers import MaskPolicy
from xinyong.schemes.library import Library
from xinyong.store import audit
from xinyong.store.tables import reports

FORMAT = "xinyong/credit-report/1"


#: No report file is larger: an upload beyond it is refused before it is read whole.
MAX_FILE = 20 * 1024 * 1024


class Scope(enum.StrEnum):
    PUBLIC = "public"  # what anyone may see: public records in their period, masked
    FULL = "full"  # the whole file, for the subject itself or an official with a purpose


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    subject_id: int
    as_of: date
    scope: Scope
    purpose: str
    legal_basis: str
    issued_at: datetime
    issued_by: str
    content: dict[str, Any]
    content_sha256: str
    pdf_sha256: str | None

    def download(self) -> str:
        """The JSON a holder downloads and can have verified."""
        return json.dumps(
            {"report": self.content, "sha256": self.content_sha256}, ensure_ascii=False, indent=2
        )


def _grade_name(library: Library, standing: Standing) -> dict[str, str] | None:
    """A grade's names in both languages, where its scheme gives them."""
    grades = library.grades_of(f"{standing.scheme_id}@{standing.scheme_version}")
    names = grades.names.get(standing.grade or "") if grades else None
    return names.model_dump() if names else None


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compose(
    conn: Connection,
    catalog: Catalog,
    library: Library,
    code: str,
    at: date,
    scope: Scope,
    mask: MaskPolicy,
) -> dict[str, Any]:
    """What a report says (without its identifier and issuing details)."""
    public = scope is Scope.PUBLIC
    file = credit_file(conn, catalog, code, at, public=public)
    subject = file.subject
    lists = {f"{s.id}/{d.id}": (s, d) for s in library for d in s.definition.lists}
    records = []
    for entry in file.records:
        view = entry.record
        item = catalog.get(view.item_code)
        records.append(
            {
                "id": view.id,
                "item": view.item_code,
                "item_name": {"zh": item.name.zh, "en": item.name.en} if item else None,
                "category": item.category.value if item else None,
                "polarity": item.polarity.value if item else None,
                "decided_on": view.decided_on.isoformat(),
                "reference": view.reference,
                "source": view.source,
                "state": view.state.value,
                "disputed": entry.disputed,
                "public_until": entry.public_until.isoformat() if entry.public_until else None,
            }
        )
    listings = []
    for listing in file.listings:
        scheme, definition = lists.get(listing.key, (None, None))
        listings.append(
            {
                "list": listing.key,
                "name": definition.name.model_dump() if definition else None,
                "kind": listing.list_kind,
                "listed_from": _iso(listing.state.listed_from),
                "listed_until": _iso(listing.state.listed_until),
                "records": list(listing.record_ids),
                "legal_basis": [b.document for b in scheme.definition.scheme.legal_basis]
                if scheme
                else [],
            }
        )
    grades = [
        {
            "scheme": f"{s.scheme_id}@{s.scheme_version}",
            "title": s.title.model_dump(),
            "grade": s.grade,
            "grade_name": _grade_name(library, s),
            "score": None if public and s.has_grades else s.score,
            "run": s.run_id,
            "evaluated_as_of": s.run_as_of.isoformat(),
        }
        for s in standings(conn, library, subject.id, at)
        if not (public and not s.has_grades)
    ]
    return {
        "format": FORMAT,
        "as_of": at.isoformat(),
        "scope": scope.value,
        "subject": {
            "code": mask.mask_code(subject.code) if public else subject.code,
            "name": mask.mask_name(subject.name, subject.kind) if public else subject.name,
            "kind": subject.kind.value,
            "region_code": subject.region_code,
        },
        "records": records,
        "grades": grades,
        "listings": listings,
        "disputed_records": sorted(r["id"] for r in records if r["disputed"]),
        "open_cases": [
            {"case": c.reference, "kind": c.kind.value, "deadline": c.deadline.isoformat()}
            for c in file.open_cases
        ],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def issue(
    conn: Connection,
    catalog: Catalog,
    library: Library,
    code: str,
    at: date,
    *,
    scope: Scope,
    purpose: Purpose,
    actor: str,
    mask: MaskPolicy,
    now: datetime | None = None,
) -> Report:
    """Compose a report, register it with its hash and audit the issue; in the caller's
    transaction."""
    issued_at = (now or clock.now()).replace(microsecond=0)
    report_id = f"R{issued_at:%Y%m%d}-{secrets.token_hex(5).upper()}"
    content = compose(conn, catalog, library, code, at, scope, mask)
    content |= {
        "id": report_id,
        "issued_at": issued_at.isoformat(),
        "issued_by": actor,
        "purpose": purpose.purpose,
        "legal_basis": purpose.legal_basis,
    }
    body = canonical(content)
    digest = _sha256(body)
    subject_id = _subject_id(conn, code)
    conn.execute(
        insert(reports),
        {
            "id": report_id,
            "subject_id": subject_id,
            "as_of": at,
            "scope": scope.value,
            "purpose": purpose.purpose,
            "legal_basis": purpose.legal_basis,
            "issued_at": issued_at,
            "issued_by": actor,
            "content": body.decode(),
            "content_sha256": digest,
        },
    )
    audit.append(
        conn,
        actor=actor,
        action="report.issued",
        target=report_id,
        subject_id=subject_id,
        details={"sha256": digest, "scope": scope.value, "as_of": at.isoformat()},
    )
    return get_report(conn, report_id)


def _subject_id(conn: Connection, code: str) -> int:
    from xinyong.registry.subjects import get

    return get(conn, code).id


def get_report(conn: Connection, report_id: str) -> Report:
    row = conn.execute(select(reports).where(reports.c.id == report_id)).first()
    if row is None:
        raise NotFound(f"no report {report_id}")
    return Report(
        row.id,
        row.subject_id,
        row.as_of,
        Scope(row.scope),
        row.purpose,
        row.legal_basis,
        row.issued_at,
        row.issued_by,
        json.loads(row.content),
        row.content_sha256,
        row.pdf_sha256,
    )


def stored_pdf(conn: Connection, report_id: str) -> bytes | None:
    return conn.execute(select(reports.c.pdf).where(reports.c.id == report_id)).scalar()


def keep_pdf(conn: Connection, report_id: str, pdf: bytes) -> str:
    """Keep the PDF a report was rendered to (once: a report has one PDF); returns its hash."""
    digest = _sha256(pdf)
    done = conn.execute(
        update(reports)
        .where(reports.c.id == report_id, reports.c.pdf.is_(None))
        .values(pdf=pdf, pdf_sha256=digest)
    )
    if done.rowcount != 1:
        raise Conflict(f"report {report_id} already has its PDF, or does not exist")
    return digest


@dataclass(frozen=True, slots=True)
class Verification:
    """A verdict, with its reason in words and as the key of the portal's message for it."""

    valid: bool
    reason: str
    report: Report | None = None
    key: str = "verify_altered"


def verify(conn: Connection, data: bytes) -> Verification:
    """Check a downloaded report (PDF or JSON) against the register."""
    if data.startswith(b"%PDF"):
        report_id = conn.execute(
            select(reports.c.id).where(reports.c.pdf_sha256 == _sha256(data))
        ).scalar()
        if report_id is None:
            return Verification(
                False,
                "no report was issued with exactly this PDF: it was altered, or not issued here",
                key="verify_pdf_unknown",
            )
        return Verification(
            True, "the PDF is the one issued", get_report(conn, report_id), key="verify_pdf_ok"
        )
    try:
        document = json.loads(data)
        content = document["report"]
        claimed = document["sha256"]
        report_id = content["id"]
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidInput(
            "not a report: expected a PDF or the JSON download {report, sha256}", field="file"
        ).saying("verify_not_a_report") from error
    try:
        report = get_report(conn, str(report_id))
    except NotFound:
        return Verification(False, f"no report {report_id} was issued here", key="verify_unknown")
    actual = _sha256(canonical(content))
    if actual != report.content_sha256 or claimed != report.content_sha256:
        return Verification(
            False,
            "the content does not match what was issued: altered",
            report,
            key="verify_altered",
        )
    return Verification(True, "the content is the one issued", report, key="verify_json_ok")
