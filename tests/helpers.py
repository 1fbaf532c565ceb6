"""Small builders shared by tests: valid codes and files written inline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

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


def crawl(
    client: Any,
    starts: list[str],
    *,
    limit: int = 200,
    skip: tuple[str, ...] = ("/static", "/docs"),
    ok_only: bool = False,
) -> dict[str, str]:
    """Every portal page reachable by GET from ``starts`` (not following the language switch,
    nor links under ``skip``); with ``ok_only``, a page that is not 200 fails."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        answer = client.get(path)
        assert not ok_only or answer.status_code == 200, f"{path}: {answer.status_code}"
        seen[path] = answer.text
        if "text/html" not in answer.headers.get("content-type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', answer.text):
            url = urlparse(urljoin("http://portal" + path, href.replace("&amp;", "&")))
            target = url.path + (f"?{url.query}" if url.query else "")
            inside = url.netloc == "portal" and not target.startswith(skip)
            if inside and "lang=" not in target:
                queue.append(target)
    return seen
