from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Polarity
from xinyong.reference.identifiers import parse_identifier
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.samples.files import generate, read_manifest
from xinyong.samples.population import SampleGenerator


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.suffix != ".xlsx"
    }  # xlsx files carry a creation time stamp


def test_same_seed_same_files(tmp_path: Path, catalog: Catalog) -> None:
    generate(tmp_path / "a", catalog, subjects=200, records=1500, seed=7)
    generate(tmp_path / "b", catalog, subjects=200, records=1500, seed=7)
    generate(tmp_path / "c", catalog, subjects=200, records=1500, seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_manifest_lists_every_format(tmp_path: Path, catalog: Catalog) -> None:
    files = generate(tmp_path, catalog, subjects=300, records=3000, seed=1)
    assert files == read_manifest(tmp_path)
    assert {f.file.rsplit(".", 1)[1] for f in files} == {"csv", "jsonl", "xlsx"}
    assert sum(f.rows for f in files if f.profile != "subjects") == 3000
    assert (tmp_path / "penalties_gbk.csv").read_bytes().decode("gb18030").startswith("行政")


def test_subjects_are_valid_and_real(catalog: Catalog) -> None:
    generator = SampleGenerator(catalog, seed=3)
    subjects = generator.subjects(500)
    regions, industries = Regions.load(), Industries.load()
    assert len({s.code for s in subjects}) == 500
    for s in subjects:
        identifier = parse_identifier(s.code)  # raises if a check character were wrong
        assert identifier.kind is s.kind
        assert regions.check(s.region_code) is None
        assert s.industry_code is None or s.industry_code in industries
        assert len(s.name) >= 2
    kinds = Counter(s.kind.value for s in subjects)
    assert kinds["enterprise"] > kinds["individual"] > kinds["agency"] > 0


def test_distributions_are_skewed(catalog: Catalog) -> None:
    generator = SampleGenerator(catalog, seed=5)
    subjects = generator.subjects(2000)
    rows = list(generator.records(subjects, 20000))
    negative = {i.code for i in catalog if i.polarity is Polarity.NEGATIVE}
    per_subject = Counter(r["subject_code"] for r in rows if r["item_code"] in negative)
    assert len(per_subject) < len(subjects) / 2  # most subjects have no negative record
    top = sum(n for _, n in per_subject.most_common(20))
    assert top > 0.1 * sum(per_subject.values())  # and a few have many
    items = Counter(r["item_code"] for r in rows).most_common()
    assert items[0][1] > 5 * items[-1][1]


def test_subjects_file_reads_back(tmp_path: Path, catalog: Catalog) -> None:
    generate(tmp_path, catalog, subjects=50, records=10, seed=2)
    with (tmp_path / "subjects.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 50 and {"subject_code", "region_code", "industry_code"} <= set(rows[0])
