"""Subjects' files: search, the public profile and why a subject has its grade, the full file
read for a declared purpose, who read it, and a subject's own file and account.

Every read of non-public data here is written to the subject's access log in the same
transaction as the read; a caller with a token (``principal``) is held to its reach. ``None``
is an operator at the command line, whose reads the operating system's account answers for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.application.base import Core
from xinyong.disclosure import access, agencies
from xinyong.disclosure.access import Purpose, Read
from xinyong.disclosure.credit_file import (
    CreditFile,
    FileRecord,
    Standing,
    credit_file,
    standings,
)
from xinyong.disclosure.tokens import Principal, Role
from xinyong.dueprocess.cases import Case, cases_of
from xinyong.dueprocess.repair import REQUIRED_MATERIALS, eligibility
from xinyong.errors import Forbidden, NotFound
from xinyong.evaluation.explain import Explanation, explain
from xinyong.evaluation.runs import subject_grades
from xinyong.reference.identifiers import SubjectKind
from xinyong.registry.name_index import Found, search
from xinyong.registry.records import owner_code
from xinyong.registry.subjects import Subject, SubjectChange, code_of, filtered, get, history
from xinyong.schemes.model import Scheme

OVERSIGHT = Purpose(
    "oversight of who read the file", "the duty to log and review reads of credit information"
)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the public sees of a subject on a day: its public file and its published grades."""

    file: CreditFile
    grades: list[Standing]


@dataclass(frozen=True, slots=True)
class Why:
    """Why a subject has its published grade under a scheme, and which of the records the
    explanation uses the public may see (the others are counted, not shown)."""

    standing: Standing
    scheme: Scheme
    explanation: Explanation
    public: set[int]


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in subject's page: its full file, standings, the records it may apply to
    repair now, who read its file and its cases."""

    subject: Subject
    file: CreditFile
    grades: list[Standing]
    records: list[FileRecord]  # one page of the file's records
    page: int
    pages: int
    repairable: set[int]  # of the records on the page
    readers: list[Read]  # reads by others: departments, officials, auditors
    own_reads: int  # the subject's own reads of its file, counted, not listed
    cases: list[Case]


class Files:
    """Use cases of reading subjects and their files."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- the public ---------------------------------------------------------------------------
    def search(
        self, text: str, limit: int = 20, *, offset: int = 0, resident_ids: bool = False
    ) -> Found:
        """Subjects ranked by code, exact name, prefix, part of a name, former names."""
        with self.core.reading() as conn:
            return search(conn, text, limit, offset=offset, resident_ids=resident_ids)

    def code_of(self, subject_id: int) -> str:
        with self.core.reading() as conn:
            return code_of(conn, subject_id)

    def public_file(self, subject_id: int, at: date | None = None) -> CreditFile:
        """Public records within their period and listings in effect on the day."""
        core = self.core
        with core.reading() as conn:
            code = code_of(conn, subject_id)
            return credit_file(conn, core.catalog, code, at or core.today(), public=True)

    def profile(self, subject_id: int, at: date | None = None) -> Profile:
        """The public file and the standings that carry a grade."""
        core = self.core
        day = at or core.today()
        with core.reading() as conn:
            code = code_of(conn, subject_id)
            file = credit_file(conn, core.catalog, code, day, public=True)
            grades = [s for s in standings(conn, core.library, subject_id, day) if s.has_grades]
        return Profile(file, grades)

    def grade_history(
        self, subject_id: int, at: date | None = None
    ) -> dict[str, list[tuple[date, str | None]]]:
        """A subject's grades under each graded scheme, evaluation by evaluation, up to the
        day: what the public profile shows (grades, never scores)."""
        core = self.core
        with core.reading() as conn:
            found = subject_grades(conn, subject_id, at or core.today())
        graded = {s.id for s in core.library if s.definition.grades is not None}
        return {k: v for k, v in found.items() if k in graded}

    def why(self, subject_id: int, scheme_id: str, at: date | None = None) -> Why:
        """The explanation of a subject's stored grade under a scheme, with the ids of the
        records the public may see on the day."""
        core = self.core
        day = at or core.today()
        with core.reading() as conn:
            code = code_of(conn, subject_id)
            standing = next(
                (
                    s
                    for s in standings(conn, core.library, subject_id, day)
                    if s.scheme_id == scheme_id
                ),
                None,
            )
            if standing is None or not standing.has_grades:
                raise NotFound(f"no published grade of subject {subject_id} under {scheme_id}")
            scheme = core.library.get(f"{scheme_id}@{standing.scheme_version}")
            explanation = explain(conn, scheme, core.catalog, standing.run_as_of, code)
            shown = credit_file(conn, core.catalog, code, day, public=True)
        return Why(standing, scheme, explanation, {e.record.id for e in shown.records})

    def public_name(self, code: str) -> str:
        """A subject's name as the public sees it (an individual's masked)."""
        with self.core.reading() as conn:
            subject = get(conn, code)
        return self.core.mask.mask_name(subject.name, subject.kind)

    # -- officials ----------------------------------------------------------------------------
    def file(
        self,
        code: str,
        *,
        at: date | None = None,
        public: bool = False,
        principal: Principal | None = None,
        purpose: Purpose | None = None,
    ) -> CreditFile:
        """A subject's credit file; a full file read with a token needs a purpose and is
        written to the subject's access log."""
        core = self.core
        with core.transaction() as conn:
            subject = get(conn, code)
            registration = None
            if principal is not None and not public:
                if purpose is None:
                    raise Forbidden("a full file is read for a declared purpose")
                access.reach(principal, subject)
                resource = "file"
                if principal.role is Role.AGENCY:  # only what its registration authorises
                    registration = agencies.standing(conn, principal, core.today())
                    resource = f"file (agency) {registration.licence}"
                access.log_read(conn, principal, subject.id, resource, purpose)
            found = credit_file(conn, core.catalog, subject.code, at or core.today(), public=public)
            return found if registration is None else agencies.scoped(found, registration)

    def readers(self, code: str, principal: Principal) -> list[Read]:
        """Who read a subject's file; the look is itself logged (oversight reads too)."""
        with self.core.transaction() as conn:
            subject = get(conn, code)
            access.reach(principal, subject)
            found = access.readers(conn, subject.id)
            access.log_read(conn, principal, subject.id, "readers", OVERSIGHT)
            return found

    def history(self, code: str) -> list[SubjectChange]:
        """How a subject's registry entry changed, and from which source."""
        with self.core.reading() as conn:
            return history(conn, get(conn, code).id)

    def filtered(
        self,
        *,
        region: str | None = None,
        industry: str | None = None,
        kind: SubjectKind | None = None,
        limit: int = 100,
    ) -> list[tuple[str, str, str | None, str | None]]:
        """(code, name, region, industry) of subjects in a location, industry and kind."""
        with self.core.reading() as conn:
            return filtered(conn, region=region, industry=industry, kind=kind, limit=limit)

    # -- a subject's own ----------------------------------------------------------------------
    def own_file(self, principal: Principal, at: date | None = None) -> CreditFile:
        """The signed-in subject's full file; the read is logged as its own."""
        core = self.core
        with core.transaction() as conn:
            subject = get(conn, principal.subject_code or "")
            access.log_read(conn, principal, subject.id, "file", access.OWN)
            return credit_file(conn, core.catalog, subject.code, at or core.today())

    def own_readers(self, principal: Principal) -> list[Read]:
        with self.core.reading() as conn:
            return access.readers(conn, get(conn, principal.subject_code or "").id)

    def account(
        self, principal: Principal, readers: int = 50, *, page: int = 1, size: int = 50
    ) -> Account:
        """Everything the portal's account page shows, read in one transaction and logged:
        one page of ``size`` records (with what may be repaired among them)."""
        core = self.core
        day = core.today()
        with core.transaction() as conn:
            subject = get(conn, principal.subject_code or "")
            access.log_read(conn, principal, subject.id, "file (portal)", access.OWN)
            file = credit_file(conn, core.catalog, subject.code, day)
            pages = max(1, -(-len(file.records) // size))
            page = min(max(page, 1), pages)
            shown = list(file.records[(page - 1) * size : page * size])
            repairable = {
                entry.record.id
                for entry in shown
                if eligibility(
                    conn, core.catalog, entry.record.id, day, REQUIRED_MATERIALS
                ).eligible
            }
            return Account(
                subject,
                file,
                standings(conn, core.library, subject.id, day),
                shown,
                page,
                pages,
                repairable,
                access.readers(conn, subject.id, limit=readers, others_only=True),
                access.own_reads(conn, subject.id),
                cases_of(conn, subject.id, own=True),
            )

    def own_record(self, principal: Principal, record_id: int) -> None:
        """Refuse a record that is not in the signed-in subject's file."""
        with self.core.reading() as conn:
            owner = owner_code(conn, record_id)
        if owner != principal.subject_code:
            raise Forbidden(f"record {record_id} is not in your file")
