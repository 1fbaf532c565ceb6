"""Credit reports over the API and as documents: a public report is issued, read from the
register and downloaded as PDF; the PDF carries the letterhead from the settings, the moment of
issue in the platform's time zone and a QR code that decodes to the report's verification
address; the PDF and the JSON download verify, an altered copy does not; a subject's full
report is its own, and verifying one shows no content to whoever uploads it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.dueprocess import add_records, add_subject
from tests.helpers import uscc_code

from xinyong.disclosure.tokens import Role, issue
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.web import create_app

FIRM = uscc_code(21, "410102")
SITE = "https://credit.example.gov.cn"


@dataclass
class Served:
    client: TestClient
    own: dict[str, str]


@pytest.fixture
def served(db: Database) -> Iterator[Served]:
    with db.begin() as conn:
        firm = add_subject(conn, FIRM, "enterprise", "410102")
        add_records(conn, firm, "ADM_PENALTY_GENERAL", [date(2026, 3, 1)])
        token = issue(conn, "绿源", Role.SUBJECT, subject_code=FIRM)
    settings = Settings(
        today=date(2026, 11, 23),
        database_url=db.url,
        authority="郑州市社会信用体系建设领导小组办公室",
        authority_en="Zhengzhou social credit office",
        authority_code="11410100MB1234567X",
        public_url=SITE,
        timezone="Asia/Shanghai",
    )
    with TestClient(create_app(settings, db), base_url="http://localhost") as client:
        yield Served(client, {"Authorization": f"Bearer {token}"})


def _issue(served: Served) -> dict[str, object]:
    made = served.client.post("/reports", json={"subject": FIRM, "purpose": "招标资格审查"})
    assert made.status_code == 201, made.text
    body: dict[str, object] = made.json()
    return body


def test_a_public_report_is_issued_read_and_verified_by_its_json(served: Served) -> None:
    c = served.client
    made = _issue(served)
    assert made["scope"] == "public" and made["verify_url"] == f"{SITE}/verify?id={made['id']}"
    read = c.get(f"/reports/register/{made['id']}")
    assert read.status_code == 200 and read.json()["content_sha256"] == made["content_sha256"]
    download = json.dumps({"report": made["content"], "sha256": made["content_sha256"]})
    ok = c.post("/reports/verification", files={"file": ("r.json", download.encode())})
    assert ok.status_code == 200 and ok.json()["valid"] is True, ok.text
    assert ok.json()["report"]["id"] == made["id"]
    content = dict(made["content"])  # type: ignore[call-overload]
    content["records"] = []
    altered = json.dumps({"report": content, "sha256": made["content_sha256"]})
    bad = c.post("/reports/verification", files={"file": ("r.json", altered.encode())})
    assert bad.json()["valid"] is False
    junk = c.post("/reports/verification", files={"file": ("r.json", b"{}")})
    assert junk.status_code == 422


def test_a_full_report_is_its_subjects_own(served: Served) -> None:
    c = served.client
    made = c.post("/me/reports", json={"purpose": "申请银行贷款"}, headers=served.own)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["scope"] == "full"
    assert c.get(f"/reports/register/{body['id']}").status_code == 403  # not the public's
    assert c.get(f"/reports/register/{body['id']}", headers=served.own).status_code == 200
    download = json.dumps({"report": body["content"], "sha256": body["content_sha256"]})
    verdict = c.post("/reports/verification", files={"file": ("r.json", download.encode())})
    assert verdict.json()["valid"] is True
    assert verdict.json()["report"]["content"] == {}  # the uploader learns only that it is true
    assert c.post("/me/reports", json={"purpose": "x"}).status_code == 401


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_the_pdf_has_the_letterhead_local_time_and_a_qr_code_to_verify_it(
    served: Served, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    c = served.client
    made = _issue(served)
    pdf = c.get(f"/reports/register/{made['id']}/pdf?lang=zh")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "郑州市社会信用体系建设领导小组办公室" in text and "11410100MB1234567X" in text
    assert f"{SITE}/verify?id={made['id']}" in text.replace("\n", "").replace(" ", "")
    issued = str(made["issued_at"])  # stored in UTC; shown at UTC+08:00
    assert "UTC+08:00" in text and "Asia/Shanghai" in text
    assert issued[:10] in text or issued[:4] in text
    verdict = c.post("/reports/verification", files={"file": ("r.pdf", pdf.content)})
    assert verdict.json()["valid"] is True
    if shutil.which("zbarimg") is None:
        pytest.skip("needs zbar-tools (zbarimg) to read the QR code")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    (page,) = tmp_path.glob("p*.png")
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded == f"{SITE}/verify?id={made['id']}"
