"""Schemes as published: run a version's own test cases, submit a version for review (its
cases pass, its impact report is stored with it), publish it by a second person's approval
(once, and not while it runs in shadow), and the newest stored run of a scheme with its grade
distribution."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.application.base import Core
from xinyong.application.simulations import Simulations
from xinyong.disclosure import access
from xinyong.disclosure.tokens import Principal
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.evaluation import reviews, shadows
from xinyong.evaluation.reviews import Review
from xinyong.evaluation.runs import Run, grade_distribution, grade_trend, latest_run
from xinyong.evaluation.scheme_cases import CaseResult, run_tests
from xinyong.schemes.model import Scheme
from xinyong.store import audit

PUBLISHED = "scheme.published"
SUBMITTED = "scheme.submitted"


@dataclass(frozen=True, slots=True)
class Published:
    scheme: str
    sha256: str
    audit_seq: int
    published_by: str


@dataclass(frozen=True, slots=True)
class Trend:
    """A graded scheme's runs (their as-of days) and, for each grade, its count in each."""

    days: list[date]
    series: list[tuple[str, list[int]]]


@dataclass(frozen=True, slots=True)
class Distribution:
    """A scheme's newest stored run and how many subjects got each grade, in band order
    (grades no band names, such as an override's, after them)."""

    run: Run | None
    grades: list[tuple[str, int]]


class Schemes:
    """Use cases of scheme versions."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def test(self, scheme: Scheme, *, duckdb: bool = False, spark: Any = None) -> list[CaseResult]:
        """A scheme's own test cases, each in a transaction that is rolled back, on the
        compiled query, the reference evaluator and, if asked, DuckDB and Spark SQL."""
        with self.core.on_clock():
            return run_tests(self.core.db, scheme, self.core.catalog, duckdb, spark)

    @contextmanager
    def spark(self) -> Iterator[Any]:
        """A Spark session on the configured master, stopped when the block ends."""
        from xinyong.backends.spark import session

        started = session(master=self.core.settings.spark_master)
        try:
            yield started
        finally:
            started.stop()

    def submit(
        self,
        reference: str,
        *,
        by: str,
        against: str | None = None,
        as_of: date | None = None,
        principal: Principal | None = None,
    ) -> Review:
        """Submit a version for review: its own cases must pass, and its impact report (beside
        ``against``, by default the version it would replace) is stored with the file's
        SHA-256; an open review of the same version is superseded."""
        core = self.core
        scheme = core.library.get(reference)
        if principal is not None:
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)
        cases = self._passing(scheme)
        impact = Simulations(core).impact(scheme.key, against, as_of=as_of)
        with core.transaction() as conn:
            audit.lock(conn)
            review = reviews.submit(conn, scheme, impact, cases, by)
            audit.append(
                conn,
                actor=by,
                action=SUBMITTED,
                target=f"scheme:{scheme.key}",
                details={"review": review.id, "sha256": scheme.sha256, "against": impact.against},
            )
        return review

    def _passing(self, scheme: Scheme) -> int:
        """Run the version's own cases; refuse it if any fails, else say how many passed."""
        results = self.test(scheme)
        failed = [r.name for r in results if not r.passed]
        if failed:
            raise InvalidInput(f"{scheme.key} fails its own test cases: {', '.join(failed)}")
        return len(results)

    def review(self, reference: str, principal: Principal | None = None) -> Review | None:
        """The version's newest review, with its stored impact report."""
        scheme = self.core.library.get(reference)
        if principal is not None:
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)
        with self.core.reading() as conn:
            return reviews.latest(conn, scheme)

    def publish(self, reference: str, *, by: str, principal: Principal | None = None) -> Published:
        """Approve a submitted version and so publish it: its cases must still pass; the
        reviewer is not the submitter and the file is the one submitted; the file's SHA-256
        goes to the audit log; a version is published once. All is checked inside the audit
        log's lock."""
        core = self.core
        scheme = core.library.get(reference)
        if principal is not None:
            access.reach_region(principal, scheme.definition.scheme.region, scheme.key)
        self._passing(scheme)
        digest = scheme.sha256
        target = f"scheme:{scheme.key}"
        with core.transaction() as conn:
            audit.lock(conn)
            done = audit.first(conn, PUBLISHED, target)
            if done is not None:
                raise Conflict(f"{scheme.key} was already published (audit #{done.seq})")
            shadow = shadows.latest(conn, scheme)
            if shadow is not None and not shadow.over_by(core.today()):
                raise Conflict(
                    f"{scheme.key} runs in shadow until {shadow.ends_on}: approve it after "
                    "its shadow period, or stop the shadow first"
                )
            review = reviews.approve(conn, scheme, by)
            entry = audit.append(
                conn,
                actor=by,
                action=PUBLISHED,
                target=target,
                details={
                    "sha256": digest,
                    "effective_from": scheme.definition.scheme.effective_from,
                    "review": review.id,
                    "submitted_by": review.submitted_by,
                    **({"shadow": shadow.id} if shadow is not None else {}),
                },
            )
        return Published(scheme.key, digest, entry.seq, by)

    def trend(self, scheme: Scheme, runs: int = 12) -> Trend:
        """How a graded scheme's grades spread in each of its newest full runs (all
        versions), oldest first; the grades in band order, then any others."""
        if scheme.definition.grades is None:
            return Trend([], [])
        with self.core.reading() as conn:
            found = grade_trend(conn, scheme.id, runs)
        order = [b.grade for b in scheme.definition.grades.bands]
        seen = {g for _, counts in found for g in counts if g}
        order += sorted(seen - set(order))
        series = [(g, [counts.get(g, 0) for _, counts in found]) for g in order]
        return Trend([run.as_of for run, _ in found], [s for s in series if any(s[1])])

    def distribution(self, scheme: Scheme) -> Distribution:
        """The newest stored run of a graded scheme and its grades."""
        if scheme.definition.grades is None:
            return Distribution(None, [])
        with self.core.reading() as conn:
            try:
                run = latest_run(conn, scheme)
            except NotFound:
                return Distribution(None, [])
            counts = grade_distribution(conn, run.id)
        bands = [(b.grade, counts.get(b.grade, 0)) for b in scheme.definition.grades.bands]
        named = {g for g, _ in bands}
        bands += sorted((g, n) for g, n in counts.items() if g and g not in named)
        return Distribution(run, bands)
