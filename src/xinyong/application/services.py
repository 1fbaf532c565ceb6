"""Grading of government services as use cases: an agency answers the rectification of a bad
rating; the monthly job closes the rectifications left unanswered and grades every agency; the
public reads the agencies of a region ranked by their grade, with the trend since the month
before, and one agency's page (its grades month by month and its ratings' counts).

Grades come from the scheme's stored runs (``gov-service-grading``), never from a rater: the
ratings' subjects are the agencies, and a citizen is never in the scheme's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Integer, String, cast, func, select

from xinyong.application.base import Core
from xinyong.disclosure import access
from xinyong.disclosure.tokens import Principal, Role
from xinyong.dueprocess import rectification
from xinyong.dueprocess.cases import Case, CaseKind, inbox
from xinyong.errors import Forbidden, NotFound
from xinyong.evaluation.runs import Run, store_run
from xinyong.reference.identifiers import SubjectKind
from xinyong.reference.regions import region_prefix
from xinyong.registry.subjects import Subject, code_of, get
from xinyong.store.tables import evaluation_results, evaluation_runs, records, subjects

#: The shipped grading scheme.
SCHEME = "gov-service-grading"


def level_of(region_code: str | None) -> str:
    """An agency's level from the division its code was issued in (a state organ's USCC
    carries the division of the government it belongs to): province, city or county."""
    if not region_code or region_code == "000000":
        return "national"
    if region_code.endswith("0000"):
        return "province"
    if region_code.endswith("00"):
        return "city"
    return "county"


@dataclass(frozen=True, slots=True)
class Ranked:
    subject_id: int
    code: str
    name: str
    region_code: str | None
    level: str
    as_of: date | None
    grade: str | None
    score: float | None
    previous: str | None
    trend: str  # up, down, same, new or none


@dataclass(frozen=True, slots=True)
class Month:
    month: str  # YYYY-MM
    ratings: int
    satisfied: int
    bad: int


@dataclass(frozen=True, slots=True)
class AgencyPage:
    subject: Subject
    level: str
    grades: list[tuple[date, str | None, float]]
    months: list[Month]
    open_rectifications: int


class Services:
    """The service-grading use cases."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def rectify(
        self, case_id: int, answer: str, *, by: str, principal: Principal | None = None
    ) -> tuple[Case, int, list[Run]]:
        """The rated agency answers its rectification case (signed in as itself, or an
        operator for it); the agency is re-graded with the new record."""
        answerer = None
        if principal is not None:
            if principal.role is not Role.SUBJECT or principal.subject_code is None:
                raise Forbidden("only the rated agency answers its rectification")
            answerer = principal.subject_code
        core = self.core
        with core.transaction() as conn:
            closed, record_id = rectification.answer(
                conn, case_id, answerer, answer, core.today(), by
            )
            runs = core.reevaluate(conn, [closed.subject_id], core.today())
        return closed, record_id, runs

    def close_overdue(self, *, by: str) -> list[tuple[Case, int]]:
        """Close the rectifications past their deadline as unanswered (each with a late
        record), and re-grade their agencies."""
        core = self.core
        with core.transaction() as conn:
            closed = rectification.close_overdue(conn, core.today(), by)
            if closed:
                core.reevaluate(conn, {c.subject_id for c, _ in closed}, core.today())
        return closed

    def grade_month(
        self,
        *,
        as_of: date | None = None,
        by: str = "xinyong",
        principal: Principal | None = None,
    ) -> tuple[Run, list[tuple[Case, int]]]:
        """The month's grading, in one transaction: unanswered rectifications closed first
        (their late records written), then a full run of the grading scheme as of the day
        (the month's last day, in the monthly job), which grades those agencies too."""
        core = self.core
        day = as_of or core.today()
        scheme = core.library.get(SCHEME, on=day)
        if principal is not None:
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)
        with core.transaction() as conn:
            closed = rectification.close_overdue(conn, core.today(), by)
            return store_run(conn, scheme, core.catalog, day), closed

    def ranking(self, region: str | None = None, *, at: date | None = None) -> list[Ranked]:
        """The agencies of a region (all, without one) by their latest grade in a full run of
        the grading scheme, best first, with the grade of the run before."""
        core = self.core
        day = at or core.today()
        scheme = core.library.get(SCHEME, on=day)
        grades = scheme.definition.grades
        assert grades is not None
        order = {b.grade: i for i, b in enumerate(grades.bands)}
        with core.reading() as conn:
            rows = _agency_results(conn, region, day)
            agencies = _agencies(conn, region)
        by_subject: dict[int, list[tuple[date, str | None, float]]] = {}
        for subject_id, as_of, grade, score in rows:
            by_subject.setdefault(subject_id, []).append((as_of, grade, float(score)))
        ranked = []
        for subject in agencies:
            history = by_subject.get(subject.id, [])
            latest = history[-1] if history else None
            previous = history[-2][1] if len(history) > 1 else None
            grade = latest[1] if latest else None
            ranked.append(
                Ranked(
                    subject.id,
                    subject.code,
                    subject.name,
                    subject.region_code,
                    level_of(subject.region_code),
                    latest[0] if latest else None,
                    grade,
                    latest[2] if latest else None,
                    previous,
                    _trend(order, grade, previous, bool(latest), len(history) > 1),
                )
            )
        unrated = len(order) + 1
        return sorted(
            ranked,
            key=lambda r: (order.get(r.grade or "", unrated), -(r.score or 0), r.code),
        )

    def agency(self, subject_id: int, *, at: date | None = None) -> AgencyPage:
        """One agency's page: its grades month by month and its ratings' monthly counts."""
        core = self.core
        day = at or core.today()
        with core.reading() as conn:
            subject = get(conn, code_of(conn, subject_id))
            if subject.kind is not SubjectKind.AGENCY:
                raise NotFound(f"{subject.code} is not a government agency").saying("no_such_page")
            grades = [
                (as_of, grade, float(score))
                for _, as_of, grade, score in _agency_results(conn, None, day, subject_id)
            ]
            months = _months(conn, subject_id, day)
            waiting = inbox(conn, day, kind=CaseKind.RECTIFICATION, subject_id=subject_id)
        return AgencyPage(subject, level_of(subject.region_code), grades, months, len(waiting))


def _trend(
    order: dict[str, int], grade: str | None, previous: str | None, rated: bool, before: bool
) -> str:
    if not rated:
        return "none"
    if not before:
        return "new"
    now, then = order.get(grade or ""), order.get(previous or "")
    if now is None or then is None or now == then:
        return "same" if grade == previous else "new"
    return "up" if now < then else "down"


@dataclass(frozen=True, slots=True)
class _Agency:
    id: int
    code: str
    name: str
    region_code: str | None


def _agencies(conn: Connection, region: str | None) -> list[_Agency]:
    """The agencies of a region, in one query."""
    query = select(subjects.c.id, subjects.c.code, subjects.c.name, subjects.c.region_code).where(
        subjects.c.kind == SubjectKind.AGENCY.value
    )
    prefix = region_prefix(region)
    if prefix:
        query = query.where(subjects.c.region_code.startswith(prefix))
    return [_Agency(*row) for row in conn.execute(query.order_by(subjects.c.code))]


def _agency_results(
    conn: Connection, region: str | None, day: date, subject_id: int | None = None
) -> list[tuple[int, date, str | None, float]]:
    """Each agency's result in every full run of the grading scheme up to ``day``, oldest
    first (the newest run of an as-of day wins)."""
    query = (
        select(
            evaluation_results.c.subject_id,
            evaluation_runs.c.as_of,
            evaluation_results.c.grade,
            evaluation_results.c.score,
            evaluation_runs.c.id,
        )
        .join(evaluation_runs, evaluation_runs.c.id == evaluation_results.c.run_id)
        .join(subjects, subjects.c.id == evaluation_results.c.subject_id)
        .where(
            evaluation_runs.c.scheme_id == SCHEME,
            evaluation_runs.c.kind == "full",
            evaluation_runs.c.as_of <= day,
            subjects.c.kind == SubjectKind.AGENCY.value,
        )
        .order_by(evaluation_runs.c.as_of, evaluation_runs.c.id)
    )
    prefix = region_prefix(region)
    if prefix:
        query = query.where(subjects.c.region_code.startswith(prefix))
    if subject_id is not None:
        query = query.where(evaluation_results.c.subject_id == subject_id)
    newest: dict[tuple[int, date], tuple[int, date, str | None, float]] = {}
    for sid, as_of, grade, score, _run in conn.execute(query):
        newest[(sid, as_of)] = (sid, as_of, grade, float(score))
    return sorted(newest.values(), key=lambda r: (r[0], r[1]))


def _months(conn: Connection, subject_id: int, day: date) -> list[Month]:
    """Ratings per month of decision, with how many were satisfied (4, 5) and bad (1, 2)."""
    level = records.c.attributes["level"].as_integer()
    month = func.substr(cast(records.c.decided_on, String), 1, 7)
    rows = conn.execute(
        select(
            month,
            func.count(),
            func.sum(cast(level >= 4, Integer)),
            func.sum(cast(level <= 2, Integer)),
        )
        .where(
            records.c.subject_id == subject_id,
            records.c.item_code == rectification.RATING,
            records.c.decided_on <= day,
        )
        .group_by(month)
        .order_by(month)
    )
    return [Month(str(m), int(n), int(s or 0), int(b or 0)) for m, n, s, b in rows]
