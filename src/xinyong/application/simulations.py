"""Simulation: what a draft scheme would do over today's records, before anyone publishes it.

A credit office pastes or uploads a draft version (a new scheme, or an edit of one in force).
The draft is checked as any scheme file is at load time, its own test cases run, and it is
evaluated over every subject in scope as of a day, beside the version in force then, with the
grade transitions between the two. All of it happens in one transaction that is rolled back:
a simulation stores no run, publishes nothing and reaches no check or profile.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from xinyong import clock as clocks
from xinyong.application.base import Core
from xinyong.disclosure import access
from xinyong.disclosure.tokens import Principal
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.impact import Impact, measure, of_runs
from xinyong.evaluation.runs import (
    Comparison,
    Run,
    compare_runs,
    grade_distribution,
    list_counts,
    store_run,
)
from xinyong.evaluation.scheme_cases import CaseResult, run_tests
from xinyong.schemes.library import Library
from xinyong.schemes.loading import load_scheme
from xinyong.schemes.model import InvalidScheme, Scheme, SchemeType

#: The largest draft taken (the longest shipped scheme is a tenth of it).
MAX_DRAFT = 256 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """One scheme version's run in a simulation: its grades in band order, its list counts."""

    scheme: Scheme
    run: Run
    grades: list[tuple[str, int]]
    lists: dict[str, int]


@dataclass(frozen=True, slots=True)
class Simulation:
    draft: Scheme
    as_of: date
    cases: list[CaseResult]
    outcome: Outcome | None  # None for a measures memorandum: checks consult it, no run
    against: Outcome | None  # the version in force on the day, where there is one
    comparison: Comparison | None
    impact: Impact | None = None  # rates by group, with the version in force as "before"


def load_draft(text: str, name: str, core: Core) -> Scheme:
    """A draft's text as a scheme, checked as a scheme file is when it loads; an error names
    the draft's file name and line."""
    if len(text.encode("utf-8")) > MAX_DRAFT:
        raise InvalidInput(f"the draft is larger than {MAX_DRAFT // 1024} KB").saying(
            "draft_too_large", limit=MAX_DRAFT // 1024
        )
    if not text.strip():
        raise InvalidInput("the draft is empty").saying("draft_empty")
    safe = Path(name).name or "draft.yaml"
    with tempfile.TemporaryDirectory(prefix="xinyong-draft-") as folder:
        path = Path(folder) / (safe if safe.endswith((".yaml", ".yml")) else f"{safe}.yaml")
        path.write_text(text, encoding="utf-8")
        try:
            draft = load_scheme(path, core.catalog)
            # a memorandum must point at lists and grades some scheme defines: check it among
            # the library's schemes, the draft in place of any version it would replace
            others = [s for s in core.library if s.key != draft.key]
            Library([*others, draft])
        except InvalidScheme as exc:  # named by the draft's own file name, not the copy's
            raise InvalidScheme(exc.detail, path=path.name, line=exc.line) from None
    return draft


def _outcome(conn: Connection, core: Core, scheme: Scheme, day: date) -> Outcome:
    run = store_run(conn, scheme, core.catalog, day)
    counts = grade_distribution(conn, run.id)
    grades: list[tuple[str, int]] = []
    if scheme.definition.grades is not None:
        bands = [b.grade for b in scheme.definition.grades.bands]
        grades = [(g, counts.get(g, 0)) for g in bands]
        grades += sorted((g, n) for g, n in counts.items() if g and g not in bands)
    return Outcome(scheme, run, grades, dict(list_counts(conn, run.id)))


def _predecessor(library: Library, scheme: Scheme, day: date) -> Scheme | None:
    """The version ``scheme`` would replace: the one in force on the day, or else the newest
    earlier version; None for a scheme's first version."""
    try:
        current = library.get(scheme.id, on=day)
    except NotFound:
        current = None
    if current is not None and current.key != scheme.key:
        return current
    earlier = [s for s in library if s.id == scheme.id and s.version < scheme.version]
    return max(earlier, key=lambda s: s.version) if earlier else None


class Simulations:
    """Use cases of simulating draft scheme versions."""

    def __init__(self, core: Core) -> None:
        self.core = core

    @contextmanager
    def _trial(self) -> Iterator[Connection]:
        """A transaction that is always rolled back, under the application's clock."""
        with clocks.using(self.core.clock), self.core.db.connect() as conn:
            transaction = conn.begin()
            try:
                yield conn
            finally:
                transaction.rollback()

    def simulate(
        self,
        text: str,
        *,
        name: str = "draft.yaml",
        as_of: date | None = None,
        principal: Principal | None = None,
    ) -> Simulation:
        """Check the draft, run its cases and evaluate it, and the version in force, over the
        records as of the day; nothing is kept."""
        core = self.core
        day = as_of or core.today()
        draft = load_draft(text, name, core)
        if principal is not None:
            access.reach_region(principal, draft.definition.scheme.region, draft.key)
        with core.on_clock():
            cases = run_tests(core.db, draft, core.catalog)
        if draft.definition.scheme.type is SchemeType.MEASURES:
            return Simulation(draft, day, cases, None, None, None)
        try:
            current: Scheme | None = core.library.get(draft.id, on=day)
        except NotFound:
            current = None
        with self._trial() as conn:
            outcome = _outcome(conn, core, draft, day)
            against = comparison = None
            if current is not None and current.definition.scheme.type is not SchemeType.MEASURES:
                against = _outcome(conn, core, current, day)
                comparison = compare_runs(conn, against.run.id, outcome.run.id)
            impact = of_runs(
                conn,
                draft,
                against.scheme if against else None,
                outcome.run.id,
                against.run.id if against else None,
                day,
            )
        return Simulation(draft, day, cases, outcome, against, comparison, impact)

    def impact(
        self,
        reference: str,
        against: str | None = None,
        *,
        as_of: date | None = None,
        principal: Principal | None = None,
    ) -> Impact:
        """What a version in the library does beside another (by default the version in force
        on the day, or else the one before it): grade transitions, list memberships and rates
        by group, over every record as of the day; nothing is kept."""
        core = self.core
        day = as_of or core.today()
        scheme = core.library.get(reference)
        if scheme.definition.scheme.type in (SchemeType.MEASURES, SchemeType.INSPECTION):
            raise InvalidInput(f"{scheme.key} grades and lists no one: it has no impact report")
        if principal is not None:
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)
        old = core.library.get(against) if against else _predecessor(core.library, scheme, day)
        with self._trial() as conn:
            return measure(conn, scheme, old, core.catalog, day)

    def source_of(self, reference: str) -> str:
        """The file text of a version in the library, to start a draft from."""
        return self.core.library.get(reference).text
