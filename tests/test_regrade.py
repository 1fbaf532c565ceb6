"""Re-grading after a record runs a statement compiled once per scheme version, catalog, as-of
date and database, with the subjects bound when it runs. It must give exactly the rows the full
run gives those subjects, under every shipped scheme, on SQLite and PostgreSQL; and it must be
built once and reused, never reused across an edited scheme or another date."""

from __future__ import annotations

import copy
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.application.demo import DEMO_AS_OF
from xinyong.catalog.items import Catalog
from xinyong.evaluation.plans import PLANS
from xinyong.evaluation.runs import get_run, reevaluate, store_run
from xinyong.ingest.pipeline import Ingestor
from xinyong.samples.files import generate, read_evaluation_dates, read_manifest
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import evaluation_results, subjects


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> Library:
    return Library.load(catalog)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog, library: Library) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    generate(folder, catalog, subjects=150, records=1500, seed=11, library=library)
    return folder


def _results(conn: Any, run_id: int) -> dict[int, tuple[Any, ...]]:
    rows = conn.execute(
        select(
            evaluation_results.c.subject_id,
            evaluation_results.c.score,
            evaluation_results.c.grade,
            evaluation_results.c.lists,
            evaluation_results.c.decided_by,
        ).where(evaluation_results.c.run_id == run_id)
    )
    return {r.subject_id: (float(r.score), r.grade, r.lists, r.decided_by) for r in rows}


def test_a_regrade_gives_the_full_runs_rows_under_every_scheme(
    db: Database, catalog: Catalog, library: Library, sample: Path
) -> None:
    ingestor = Ingestor(db, catalog, Settings(database_url=db.url))
    for file in read_manifest(sample):
        ingestor.ingest_file(sample / file.file, file.source, profile=file.profile)
    dates = read_evaluation_dates(sample)
    rng = random.Random(3)
    with db.begin() as conn:
        everyone = [i for (i,) in conn.execute(select(subjects.c.id))]
        some = sorted(rng.sample(everyone, 40))
        compared = 0
        fulls: dict[str, dict[int, tuple[Any, ...]]] = {}
        for scheme in library.evaluable():
            as_of = dates.get(scheme.key, DEMO_AS_OF)
            full = _results(conn, store_run(conn, scheme, catalog, as_of).id)
            fulls[scheme.key] = full
            # one scheme's re-grade on its own
            regraded = store_run(conn, scheme, catalog, as_of, some)
            assert regraded.kind == "incremental"
            again = _results(conn, regraded.id)
            assert again == {s: full[s] for s in some if s in full}, scheme.key
            assert regraded.subjects == len(again)
            none = store_run(conn, scheme, catalog, as_of, [])
            assert none.subjects == 0
            compared += len(again)
        assert compared > 0
        # every scheme in force at once, as after a record: the runs written together
        for as_of in sorted({dates.get(s.key, DEMO_AS_OF) for s in library.evaluable()}):
            runs = reevaluate(conn, library.evaluable(), catalog, some, as_of)
            assert runs
            for run in runs:
                scheme = library.get(run.scheme)
                if dates.get(scheme.key, DEMO_AS_OF) != as_of:
                    continue  # in force on this day, but its full run was for another
                stored = _results(conn, run.id)
                assert stored == {s: fulls[run.scheme][s] for s in some if s in fulls[run.scheme]}
                assert run.subjects == len(stored) and run.kind == "incremental"
                assert get_run(conn, run.id).subjects == run.subjects  # the row says so too


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_a_statement_is_built_once_and_never_across_versions_or_dates(
    catalog: Catalog, library: Library, dialect: str
) -> None:
    scheme = library.get("shenzhen-rental-bike")
    day = date(2026, 3, 1)
    first = PLANS.regrade(scheme, catalog, day, dialect)
    built = PLANS.built
    assert PLANS.regrade(scheme, catalog, day, dialect) is first
    assert PLANS.built == built  # found, not built again
    assert ":subjects" in first.sql and ":run_id" in first.sql
    other_day = PLANS.regrade(scheme, catalog, date(2026, 3, 2), dialect)
    assert other_day is not first and other_day.sql != first.sql
    edited = copy.copy(scheme)
    edited.sha256 = "0" * 64  # the same key, other content: an edited file
    assert PLANS.regrade(edited, catalog, day, dialect) is not first
    assert PLANS.regrade(scheme, Catalog.load(), day, dialect) is not first
