"""Small builders shared by tests: valid codes and files written inline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from xinyong.samples.files import write_csv as write_csv  # re-exported for the tests


def uscc_code(serial: int, region: str = "320102", prefix: str = "91") -> str:
    body = f"{prefix}{region}{serial:09d}"
    return body + uscc.calc_check_digit(body)


def resident_id(serial: int, region: str = "440305", born: str = "19800101") -> str:
    body = f"{region}{born}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def bad_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def write_jsonl(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def penalty(
    code: str, reference: str, decided_on: str = "2024-05-01", **extra: Any
) -> dict[str, Any]:
    return {
        "subject_code": code,
        "subject_name": "南京恒达建设工程有限公司",
        "item_code": "ADM_PENALTY_GENERAL",
        "decided_on": decided_on,
        "reference": reference,
        **extra,
    }
