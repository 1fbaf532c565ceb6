"""Credit reports: composed from the subject's file as of a day, registered with their SHA-256
and audited, in one transaction; a full report is a read of non-public data and is written to
the subject's access log. A PDF is rendered and kept with the register entry."""

from __future__ import annotations

from datetime import date

from xinyong.application.base import Core
from xinyong.disclosure import access, reports
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.reports import Report, Scope, Verification
from xinyong.disclosure.tokens import Principal, Role
from xinyong.documents.render import Language
from xinyong.documents.reports import Letterhead, report_html, report_pdf
from xinyong.errors import Forbidden
from xinyong.registry.subjects import get


class Reports:
    """Use cases of credit reports."""

    def __init__(self, core: Core) -> None:
        self.core = core

    @property
    def letterhead(self) -> Letterhead:
        settings = self.core.settings
        return Letterhead(
            settings.authority,
            settings.authority_en,
            settings.authority_code,
            settings.public_url,
            settings.timezone,
        )

    def issue(
        self,
        code: str,
        *,
        scope: Scope,
        purpose: Purpose,
        by: str,
        at: date | None = None,
        pdf: Language | None = None,
        principal: Principal | None = None,
    ) -> tuple[Report, bytes | None]:
        """Issue a report (and, with ``pdf``, render it in that language and keep the file)."""
        core = self.core
        with core.transaction() as conn:
            report = reports.issue(
                conn,
                core.catalog,
                core.library,
                code,
                at or core.today(),
                scope=scope,
                purpose=purpose,
                actor=by,
                mask=core.mask,
            )
            if principal is not None and scope is Scope.FULL:
                access.log_read(conn, principal, report.subject_id, f"report {report.id}", purpose)
            document = None
            if pdf is not None:
                document = report_pdf(report.content, report.content_sha256, pdf, self.letterhead)
                reports.keep_pdf(conn, report.id, document)
        return report, document

    def get(self, report_id: str) -> Report:
        with self.core.reading() as conn:
            return reports.get_report(conn, report_id)

    def readable(self, report_id: str, principal: Principal) -> Report:
        """A report as its reader may see it: a public report by anyone who has its number,
        a full report only by its own subject, signed in."""
        with self.core.reading() as conn:
            report = reports.get_report(conn, report_id)
            if report.scope is Scope.FULL:
                own = principal.subject_code if principal.role is Role.SUBJECT else None
                if own is None or get(conn, own).id != report.subject_id:
                    raise Forbidden(f"report {report_id} is a subject's full report; sign in as it")
        return report

    def html(self, report: Report, language: Language) -> str:
        return report_html(report.content, report.content_sha256, language, self.letterhead)

    def pdf(self, report: Report, language: Language) -> bytes:
        """The kept PDF of a report, rendered and kept on first request."""
        with self.core.transaction() as conn:
            kept = reports.stored_pdf(conn, report.id)
            if kept is not None:
                return kept
            document = report_pdf(report.content, report.content_sha256, language, self.letterhead)
            reports.keep_pdf(conn, report.id, document)
            return document

    def verify(self, data: bytes) -> Verification:
        """Whether a file is a report xinyong issued, unaltered."""
        with self.core.reading() as conn:
            return reports.verify(conn, data)
