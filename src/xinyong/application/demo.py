"""The demo: sample files generated, then ingested department by department into a database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, select

from xinyong.application import Application
from xinyong.application.walkthrough import walk
from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.dueprocess.cases import CaseKind
from xinyong.dueprocess.leniency import load_policies
from xinyong.dueprocess.listings import notify, propose, put_on_list, sign_off
from xinyong.evaluation.explain import Explanation, explain
from xinyong.evaluation.runs import Run, grade_distribution, list_counts, store_run
from xinyong.ingest.pipeline import BatchReport, Ingestor
from xinyong.registry.subjects import register_many
from xinyong.samples import services as service_samples
from xinyong.samples.files import SampleFile, generate, read_evaluation_dates, read_manifest
from xinyong.samples.pool import sample_pool
from xinyong.samples.summary import Summary, summarise
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import evaluation_results, subjects

ProgressFactory = Callable[[str, int], Callable[[int], None]]


#: The date the demo evaluates schemes on (the sample data runs to the end of 2025).
DEMO_AS_OF = date(2025, 12, 31)


@dataclass(slots=True)
class SchemeOutcome:
    run: Run
    grades: dict[str | None, int]
    lists: dict[str, int]


@dataclass(slots=True)
class DemoResult:
    files: list[SampleFile]
    reports: list[BatchReport]
    summary: Summary
    schemes: list[SchemeOutcome]
    explanation: Explanation | None
    walkthrough: list[str]
    listed: dict[str, int]
    draws: list[str]
    linked: int = 0  # rows without a code proposed for review
    services: str = ""  # the government agencies graded from two months of ratings


def run_demo(
    settings: Settings,
    folder: Path,
    *,
    subjects: int = 5000,
    records: int = 50000,
    seed: int = 2019,
    progress: ProgressFactory | None = None,
) -> DemoResult:
    """Generate sample files into ``folder`` (unless a manifest is there), migrate the database,
    ingest every file as its department would, and summarise what is stored."""
    catalog = Catalog.load(settings.catalog_paths)
    library = Library.load(catalog, settings.scheme_paths)
    if not (folder / "manifest.json").exists():
        tick = progress("generating sample files", records) if progress else None
        generate(
            folder,
            catalog,
            subjects=subjects,
            records=records,
            seed=seed,
            progress=tick,
            library=library,
        )
    files = read_manifest(folder)
    dates = read_evaluation_dates(folder)
    db = Database(settings.database_url)
    db.migrate()
    ingestor = Ingestor(db, catalog, settings)
    reports = []
    for sample in files:
        tick = progress(f"ingesting {sample.file}", sample.rows) if progress else None
        reports.append(
            ingestor.ingest_file(
                folder / sample.file, sample.source, profile=sample.profile, progress=tick
            )
        )
    with db.connect() as conn:
        summary = summarise(conn, catalog)
    outcomes = []
    explanation = None
    with db.begin() as conn:
        # The newest version of each scheme, on the date its sample cases are set for.
        for scheme_id in sorted({s.id for s in library.evaluable()}):
            scheme = library.get(scheme_id)
            run = store_run(conn, scheme, catalog, dates.get(scheme.key, DEMO_AS_OF))
            outcomes.append(
                SchemeOutcome(
                    run, grade_distribution(conn, run.id), dict(list_counts(conn, run.id))
                )
            )
        explanation = _explain_one(conn, catalog, library, outcomes)
    steps = _walk_one(Application.build(settings, db=db, clock=FixedClock(DEMO_AS_OF)), outcomes)
    with db.begin() as conn:
        listed = _publish_lists(conn, catalog, library, outcomes)
    app = Application.build(settings, db=db, clock=FixedClock(DEMO_AS_OF))
    draws = _draw_inspections(app)
    linked = len(app.linkage.propose(by="xinyong demo").proposed)
    services = _grade_services(settings, db, folder)
    db.dispose()
    return DemoResult(
        files, reports, summary, outcomes, explanation, steps, listed, draws, linked, services
    )


def _grade_services(settings: Settings, db: Database, folder: Path) -> str:
    """Sample agencies and two months of their ratings, each month ingested on its last day
    (bad ratings open rectification cases), then graded (November's unanswered ones are
    closed as late by December's grading)."""
    found = service_samples.agencies()
    with db.begin() as conn:
        register_many(conn, service_samples.registrations(found), "demo")
    cases = 0
    for number, month_end in enumerate((date(2025, 11, 30), date(2025, 12, 31))):
        path = folder / f"service_ratings_{month_end:%Y%m}.csv"
        if not path.exists():
            service_samples.write_ratings(path, found, 3000, month_end.replace(day=1), number)
        app = Application.build(settings, db=db, clock=FixedClock(month_end))
        app.records.ingest_file(path, "全国一体化政务服务平台", profile="gov_service_rating")
        waiting = app.cases.inbox(kind=CaseKind.RECTIFICATION)
        # most agencies answer in time; one case in eight is left to run late
        for case in waiting if number == 0 else []:
            if case.id % 8:
                app.services.rectify(case.id, "已回访办事人并重新办理", by="xinyong demo")
        cases = len(app.cases.inbox(kind=CaseKind.RECTIFICATION))
        run, _closed = app.services.grade_month(as_of=month_end, by="xinyong demo")
    return (
        f"{run.subjects} government agencies graded for November and December 2025 from "
        f"6000 ratings; {cases} rectifications open"
    )


def _draw_inspections(app: Application) -> list[str]:
    """A sample pool, then one draw of each inspection plan in force, its seed stated as the
    demo's own (a real draw takes a published value), and three results entered."""
    with app.reading() as conn:
        rows = conn.execute(select(subjects.c.code, subjects.c.region_code, subjects.c.kind)).all()
    regions = sorted({r.region_code for r in rows if r.region_code})
    firms = [r.code for r in rows if r.kind == "enterprise"]
    app.inspections.load_pool(sample_pool(regions, firms), "demo")
    lines = []
    for plan in app.library.in_force(DEMO_AS_OF):
        if plan.definition.inspection is None:
            continue
        committed = app.inspections.commit(plan.id, "demo")
        done = app.inspections.draw(
            committed.id, f"demo-{plan.id}", "the demo's own seed, not a public value", "demo"
        )
        targets = app.inspections.targets(done.id)
        for target in [t for t in targets if t.inspectors][:3]:
            inspector = target.inspectors[0]
            app.inspections.enter_result(
                done.id, target.subject_code, "compliant", inspector, inspector
            )
        lines.append(
            f"{done.reference} {plan.key}: {len(targets)} targets of "
            f"{committed.roster_size}, commitment {done.commitment[:16]}…"
        )
    return lines


#: How many candidates of each list the demo takes through due process onto the list.
DEMO_LISTED_PER_LIST = 30


def _publish_lists(
    conn: Connection, catalog: Catalog, library: Library, outcomes: list[SchemeOutcome]
) -> dict[str, int]:
    """Take the first candidates of every list through due process (notice, the objection
    window, an official's sign-off, listing), so that the portal's lists have members. Every
    step is the library's own; nothing is written around it."""
    policies = load_policies()
    listed: dict[str, int] = {}
    for outcome in outcomes:
        if not outcome.lists:
            continue
        scheme = library.get(outcome.run.scheme)
        start = outcome.run.as_of + timedelta(days=7)  # after the walkthrough's own steps
        taken: dict[str, int] = {}
        for proposal in propose(conn, scheme, catalog, outcome.run, start, actor="demo"):
            if taken.get(proposal.list_id, 0) >= DEMO_LISTED_PER_LIST:
                continue  # left proposed: the credit office's queue
            notified = notify(conn, proposal.id, start, "demo", scheme, catalog)
            deadline = notified.state.objection_deadline or start
            sign_off(conn, proposal.id, deadline, "demo official")
            done = put_on_list(conn, proposal.id, deadline + timedelta(days=1), "demo", policies)
            if done.state.listed_from is not None:
                taken[proposal.list_id] = taken.get(proposal.list_id, 0) + 1
        listed |= {f"{scheme.id}/{k}": n for k, n in taken.items()}
    return listed


def _walk_one(app: Application, outcomes: list[SchemeOutcome]) -> list[str]:
    """One rider of the rental-bike list walked through due process, after the evaluation."""
    for outcome in outcomes:
        if outcome.run.scheme.startswith("shenzhen-rental-bike@") and outcome.lists:
            return walk(app, outcome.run, outcome.run.as_of + timedelta(days=5))
    return []


def _explain_one(
    conn: Connection, catalog: Catalog, library: Library, outcomes: list[SchemeOutcome]
) -> Explanation | None:
    """An explanation for the lowest-scored subject of the first rating scheme with a run."""
    for outcome in outcomes:
        scheme = library.get(outcome.run.scheme)
        if scheme.definition.grades is None or not outcome.run.subjects:
            continue
        code = conn.execute(
            select(subjects.c.code)
            .join(evaluation_results, evaluation_results.c.subject_id == subjects.c.id)
            .where(evaluation_results.c.run_id == outcome.run.id)
            .order_by(evaluation_results.c.score, subjects.c.code)
            .limit(1)
        ).scalar_one()
        return explain(conn, scheme, catalog, outcome.run.as_of, code)
    return None
