"""The demo: sample files generated, then ingested department by department into a database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xinyong.catalog import Catalog
from xinyong.database import Database
from xinyong.ingest import BatchReport, Ingestor
from xinyong.sample_files import SampleFile, generate, read_manifest
from xinyong.settings import Settings
from xinyong.summary import Summary, summarise

ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass(slots=True)
class DemoResult:
    files: list[SampleFile]
    reports: list[BatchReport]
    summary: Summary


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
    if not (folder / "manifest.json").exists():
        tick = progress("generating sample files", records) if progress else None
        generate(folder, catalog, subjects=subjects, records=records, seed=seed, progress=tick)
    files = read_manifest(folder)
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
    db.dispose()
    return DemoResult(files, reports, summary)
