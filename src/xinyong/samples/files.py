"""Write generated sample data as the files departments send, plus a manifest that says which
department sends which file with which profile (used by ``xinyong demo``)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from xinyong.catalog.items import Catalog
from xinyong.ingest.profiles import load_profile
from xinyong.reference.identifiers import SubjectKind
from xinyong.samples.population import (
    DEPARTMENTS,
    SampleGenerator,
    SampleSubject,
    legal_representative,
)
from xinyong.samples.scenarios import scenarios
from xinyong.schemes.library import Library

PENALTY_CODES = ("ADM_PENALTY_MINOR", "ADM_PENALTY_GENERAL", "ADM_PENALTY_SERIOUS")
SEVERITY_WORDS = {1: "轻微", 2: "一般", 3: "严重"}


@dataclass(frozen=True, slots=True)
class SampleFile:
    file: str
    source: str
    profile: str
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "source": self.source,
            "profile": self.profile,
            "rows": self.rows,
        }


def _break(row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Damage one field the way real submissions go wrong."""
    row = dict(row)
    kind = rng.randrange(6)
    if kind == 0:
        code = row["subject_code"]
        row["subject_code"] = code[:-1] + ("1" if code[-1] != "1" else "2")
    elif kind == 1:
        row["item_code"] = "PENALTY_UNLISTED"
    elif kind == 2:
        row["decided_on"] = "2099-01-01"
    elif kind == 3:
        row.pop("decided_on")
    elif kind == 4:
        row["decided_on"] = "2021-02-30"
    else:
        row["severity"] = "很严重"
    return row


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    """Rows as CSV with a header of every key seen, in ``encoding`` (e.g. gb18030)."""
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _penalty_row(row: dict[str, Any]) -> dict[str, Any]:
    """A canonical penalty row in the double-publicity layout (Chinese headers)."""
    reverse = {
        v: k for k, v in load_profile("double_publicity_penalty").columns.items() if k != "证件号码"
    }
    person = len(str(row["subject_code"])) == 18 and str(row["subject_code"])[:17].isdigit()
    out = {"行政相对人类别": "自然人" if person else "法人及非法人组织"}
    if not person:
        out["法定代表人"] = "（略）"
    for key, value in row.items():
        if key == "item_code":
            continue
        if key == "subject_code" and person:
            out["证件号码"] = value
            continue
        if key == "severity":
            out["失信严重程度"] = SEVERITY_WORDS.get(value, value)
            continue
        out[reverse.get(key, key)] = value
    out["数据来源单位"] = DEPARTMENTS["market"]
    return out


def _licence_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reverse = {
        v: k for k, v in load_profile("double_publicity_licence").columns.items() if k != "证件号码"
    }
    return [{reverse.get(k, k): v for k, v in row.items() if k != "item_code"} for row in rows]


def _write_xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("行政许可")
    columns = list(header)
    sheet.append(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column, "")
            if column in ("许可决定日期", "有效期自", "有效期至") and value:
                # Real date cells, as Excel users send them; a broken date stays text.
                with contextlib.suppress(ValueError):
                    value = date.fromisoformat(value)
            cells.append(value)
        sheet.append(cells)
    workbook.save(path)


def write_subjects(path: Path, subjects: Iterable[SampleSubject]) -> int:
    rows = [
        {
            "subject_code": s.code,
            "subject_name": s.name,
            "subject_kind": s.kind.value,
            "region_code": s.region_code,
            "industry_code": s.industry_code or "",
            "registered_on": s.registered_on.isoformat() if s.kind.value != "individual" else "",
            "status": "active",
            "legal_representative": legal_representative(s) or "",
            "former_names": "|".join(s.former_names),
        }
        for s in subjects
    ]
    write_csv(path, rows)
    return len(rows)


#: How many penalties of an old file, sent without codes, the demo's data carries.
OLD_FILE_ROWS = 40


def _old_file_rows(people: list[SampleSubject], rng: random.Random) -> list[dict[str, Any]]:
    """Penalties from an old file that name firms without their codes, the way such files
    do: the region left out of the name, or traditional characters, with the representative
    and an address (for record linkage to propose; see xinyong.linkage)."""
    from xinyong.linkage.names import Places
    from xinyong.reference.regions import Regions
    from xinyong.samples.linkage import traditional

    regions = Regions.load()
    places = Places(regions)
    firms = [p for p in people if p.kind is SubjectKind.ENTERPRISE]
    rows = []
    for n, firm in enumerate(rng.sample(firms, min(OLD_FILE_ROWS, len(firms))), start=1):
        name = firm.name
        core = places.core(name) or name
        if n % 3 == 0:
            name = traditional(name)
        elif n % 3 == 1 and core in name:
            name = name[name.index(core) :]
        path = regions.path(firm.region_code)
        rows.append(
            {
                "行政相对人名称": name,
                "统一社会信用代码": "",
                "法定代表人": legal_representative(firm) or "",
                "住所": "".join(path) + f"建设路{rng.randrange(1, 300)}号",
                "行政处罚决定书文号": f"旧档罚字〔2015〕{n}号",
                "处罚决定日期": "2015-06-01",
                "失信严重程度": "一般",
                "处罚机关": "市场监督管理局",
            }
        )
    return rows


def generate(
    out: Path,
    catalog: Catalog,
    *,
    subjects: int,
    records: int,
    seed: int = 0,
    bad_rate: float = 0.002,
    single_file: bool = False,
    progress: Callable[[int], None] | None = None,
    library: Library | None = None,
) -> list[SampleFile]:
    """Write sample files into ``out`` and return the manifest (also written as JSON).

    With a ``library``, each scheme's own test cases also become subjects and records (one
    file per scheme, sent by its authority), so that every scheme has subjects in each of its
    grades and on each of its lists; the manifest says the date to evaluate each scheme on."""
    out.mkdir(parents=True, exist_ok=True)
    generator = SampleGenerator(catalog, seed)
    people = generator.subjects(subjects)
    built = scenarios(library, catalog, generator, generator.until) if library else []
    taken = {p.code for p in people}
    extra = []
    for scenario in built:
        for subject in scenario.subjects:
            if subject.code in taken:  # astronomically rare; keep the file valid anyway
                raise AssertionError(f"generated code {subject.code} twice")
            taken.add(subject.code)
            extra.append(subject)
    files = [
        SampleFile(
            "subjects.csv",
            "市场监督管理局",
            "subjects",
            write_subjects(out / "subjects.csv", people + extra),
        )
    ]
    damage = random.Random(seed + 1)
    by_source: dict[str, list[dict[str, Any]]] = {}
    for done, row in enumerate(generator.records(people, records), start=1):
        item = catalog[row["item_code"]]
        if bad_rate and damage.random() < bad_rate:
            row = _break(row, damage)
        if single_file:
            key = "records"
        elif row["item_code"] in PENALTY_CODES:
            key = "penalties"
        elif row["item_code"] == "ADM_LICENCE":
            key = "licences"
        else:
            key = generator.source_of(item)
        by_source.setdefault(key, []).append(row)
        if progress and done % 10000 == 0:
            progress(10000)
    for key, rows in sorted(by_source.items()):
        if key == "penalties":
            name, profile = "penalties_gbk.csv", "double_publicity_penalty"
            write_csv(out / name, [_penalty_row(r) for r in rows], encoding="gb18030")
            source = DEPARTMENTS["market"]
        elif key == "licences":
            name, profile, source = "licences.xlsx", "double_publicity_licence", "行政审批局"
            _write_xlsx(out / name, _licence_rows(rows))
        elif key == "tax":
            name, profile, source = "tax.jsonl", "canonical", DEPARTMENTS["tax"]
            with (out / name).open("w", encoding="utf-8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            name, profile = f"{key}.csv", "canonical"
            source = DEPARTMENTS.get(key, key)
            write_csv(out / name, rows, encoding="utf-8-sig" if key == "court" else "utf-8")
        files.append(SampleFile(name, source, profile, len(rows)))
    if library is not None:  # the demo's data: an old file without codes, for linkage
        old = _old_file_rows(people, random.Random(seed + 2))
        if old:
            write_csv(out / "old_penalties.csv", old)
            files.append(
                SampleFile(
                    "old_penalties.csv", DEPARTMENTS["market"], "double_publicity_penalty", len(old)
                )
            )
    for scenario in built:
        name = f"cases-{scenario.scheme.id}.csv"
        write_csv(out / name, scenario.rows)
        files.append(
            SampleFile(
                name, scenario.scheme.definition.scheme.authority, "canonical", len(scenario.rows)
            )
        )
    if progress:
        progress(records % 10000)
    manifest = {
        "seed": seed,
        "subjects": subjects,
        "records": records,
        "bad_rate": bad_rate,
        "files": [f.as_dict() for f in files],
        "evaluations": {s.scheme.key: s.as_of.isoformat() for s in built},
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return files


def read_manifest(folder: Path) -> list[SampleFile]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [SampleFile(**f) for f in data["files"]]


def read_evaluation_dates(folder: Path) -> dict[str, date]:
    """The date the sample data means each scheme (``id@version``) to be evaluated on."""
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {key: date.fromisoformat(day) for key, day in data.get("evaluations", {}).items()}
