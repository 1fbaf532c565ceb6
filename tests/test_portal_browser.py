"""The portal in a real browser (Debian's Chromium, driven by Playwright): search by part of a
Chinese name -> profile -> why; a list page; the scheme catalog filtered by type, industry and
location; sign in as a subject -> object to a record -> the record shows as disputed on the public
profile; download a PDF report, verify it, alter it and see verification fail.

Screenshots go to the test's folder; with XINYONG_SCREENSHOTS=<dir> they are also written there
(``make screenshots`` refreshes the ones in docs/)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import uvicorn
from tests.dueprocess import add_records, add_subject
from tests.helpers import resident_id, uscc_code

from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.disclosure.agencies import register
from xinyong.disclosure.tokens import Role, issue
from xinyong.registry import name_index
from xinyong.registry.subjects import get, rename
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
    pytest.mark.slow,
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip)")

TODAY = date(2026, 11, 23)
FIRM = uscc_code(11, "410102")
RIDER = resident_id(7, "440305", "19900101")
SECOND_RIDER = resident_id(8, "440305", "19920202")
RATER = uscc_code(14, "110105")
OFFICE = uscc_code(15, "410100", prefix="11")  # a government service centre


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Site = tuple[str, dict[str, str], int]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with served_site(tmp_path_factory.mktemp("portal")) as found:
        yield found


@contextmanager
def served_site(folder: Path) -> Iterator[Site]:
    """A portal over a firm with two records, a graded firm and a listed rider, and a second
    rider whose proposal waits for an official; served on a free port."""
    db = Database(f"sqlite:///{folder / 'portal.db'}")
    db.migrate()
    with db.begin() as conn:
        firm = add_subject(conn, FIRM, "enterprise", "410102", "26")
        rider = add_subject(conn, RIDER, "individual", "440305")
        name_index.rebuild(conn)
        rename(conn, FIRM, "郑州绿源环保科技有限公司", "test")
        rename(conn, RIDER, "张三丰", "test")
        add_records(conn, firm, "ADM_PENALTY_GENERAL", [date(2026, 3, 1)])
        add_records(conn, firm, "ENV_VIOLATION", [date(2026, 4, 1)], conduct="exceedance")
        days = [date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1)]
        add_records(conn, rider, "BIKE_VIOLATION", days, conduct="damage")
        second = add_subject(conn, SECOND_RIDER, "individual", "440305")
        add_records(conn, second, "BIKE_VIOLATION", days, conduct="damage")
        rename(conn, SECOND_RIDER, "李四", "test")
        # a registered rating agency, and its rating of the firm (shown as a third party's)
        rater = add_subject(conn, RATER, "enterprise", "110105", "72")
        rename(conn, RATER, "北京诚信评级有限公司", "test")
        register(
            conn,
            Catalog.load(),
            get(conn, RATER),
            regulator="中国人民银行",
            licence="PBOC-2020-007",
            business_scope="企业信用评级",
            items=["REG_BASIC", "ADM_PENALTY_GENERAL"],
            valid_from=date(2026, 1, 1),
            valid_until=date(2028, 12, 31),
            actor="official:李明",
        )
        assert rater
        add_records(
            conn,
            firm,
            "AGENCY_CREDIT_RATING",
            [date(2026, 6, 1)],
            rating="AA",
            outlook="stable",
            method="工商企业评级方法",
            agency="北京诚信评级有限公司",
            licence="PBOC-2020-007",
        )
        add_subject(conn, OFFICE, "agency", "410100")
        rename(conn, OFFICE, "郑州市政务服务中心", "test")
        tokens = {
            "office": issue(conn, "政务服务中心", Role.SUBJECT, subject_code=OFFICE),
            "firm": issue(conn, "绿源", Role.SUBJECT, subject_code=FIRM),
            "rider": issue(conn, "张三丰", Role.SUBJECT, subject_code=RIDER),
            "official": issue(conn, "李明", Role.OFFICIAL),
            "department": issue(conn, "王芳", Role.DEPARTMENT, department="深圳市交通运输局"),
        }
    app = create_app(Settings(today=TODAY, database_url=db.url), db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    _prepare(base, tokens["official"], app.state.service.clock)
    try:
        yield base, tokens, firm
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def _prepare(base: str, official: str, clock: FixedClock) -> None:
    """Grade the firm and list the rider through the API, as a credit office would (the
    server's clock is moved to each step's day: steps are dated by it)."""
    import httpx

    who = {"Authorization": f"Bearer {official}"}
    with httpx.Client(base_url=base, headers=who, timeout=60) as api:  # a busy machine
        run = api.post(
            "/evaluations", json={"scheme": "zhengzhou-environment", "as_of": "2026-06-30"}
        )
        assert run.status_code == 201, run.text
        run = api.post(
            "/evaluations", json={"scheme": "shenzhen-rental-bike", "as_of": "2026-09-01"}
        )
        clock.day = date(2026, 9, 1)
        made = api.post("/listings/proposals", json={"run": run.json()["id"]})
        # the first rider goes through; the second's proposal waits for an official
        (listing,) = [
            m
            for m in made.json()
            if m["list_key"].endswith("/untrustworthy") and m["subject"] == RIDER
        ]
        for step, day in [
            ("notice", "2026-09-02"),
            ("sign-off", "2026-09-20"),
            ("listing", "2026-09-20"),
        ]:
            clock.day = date.fromisoformat(day)
            done = api.post(f"/listings/{listing['id']}/{step}", json={})
            assert done.status_code == 200, done.text
        clock.day = TODAY


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[playwright_api.Page]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def _shot(page: playwright_api.Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    wanted = os.environ.get("XINYONG_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        kept = Path(wanted) / path.name
        try:  # a page has few colours: a 128-colour palette keeps the docs small
            from PIL import Image

            with Image.open(path) as image:
                image.convert("RGB").quantize(128).save(kept, optimize=True)
        except ImportError:
            shutil.copy(path, kept)


def test_search_by_part_of_a_name_then_profile_then_why(
    site: Site, browser_page: playwright_api.Page, tmp_path: Path
) -> None:
    base, _, _ = site
    page = browser_page
    page.goto(base + "/")
    _shot(page, tmp_path, "home")
    page.fill("#q", "绿源环保")
    page.click("form.search button")
    page.wait_for_url("**/search?q=*")
    _shot(page, tmp_path, "search")
    page.click("text=郑州绿源环保科技有限公司")
    page.wait_for_url("**/profile/*")
    grade = page.inner_text("td.grade")
    _shot(page, tmp_path, "profile")
    page.click("a.why")
    page.wait_for_url("**/why/zhengzhou-environment")
    assert page.inner_text("#why-grade") == grade
    assert "与评价查询结果一致" in page.content()
    _shot(page, tmp_path, "why")


def test_a_list_page_shows_members_masked(
    site: Site, browser_page: playwright_api.Page, tmp_path: Path
) -> None:
    base, _, _ = site
    page = browser_page
    page.goto(base + "/lists")
    page.click("a[href='/lists/shenzhen-rental-bike/untrustworthy']")
    page.wait_for_url("**/lists/shenzhen-rental-bike/untrustworthy")
    members = page.inner_text("table.members")
    assert "张**" in members and RIDER not in members and "张三丰" not in members
    _shot(page, tmp_path, "list")


def test_the_catalog_filters_by_type_industry_and_location(
    site: Site, browser_page: playwright_api.Page, tmp_path: Path
) -> None:
    base, _, _ = site
    page = browser_page
    page.goto(base + "/directory?lang=en")
    everything = page.locator("table.schemes tbody tr").count()
    page.select_option("#filter-type", "rating")
    page.select_option("#filter-industry", "C")
    page.select_option("#filter-region", "410000")
    page.click("form.filters button")
    page.wait_for_url("**/directory?type=rating&industry=C&region=410000")
    rows = page.locator("table.schemes tbody tr")
    assert 0 < rows.count() < everything
    assert "Zhengzhou" in page.inner_text("table.schemes")
    _shot(page, tmp_path, "catalog")
    page.click("text=Zhengzhou enterprise environmental credit scoring")
    assert page.locator("svg.chart rect").count() >= 3
    _shot(page, tmp_path, "scheme")


def test_a_subject_objects_and_the_record_shows_disputed_in_public(
    site: Site, browser_page: playwright_api.Page, tmp_path: Path
) -> None:
    base, tokens, firm = site
    page = browser_page
    page.goto(base + "/signin")
    page.fill("input[name=token]", tokens["firm"])
    page.click("#sign-in")
    page.wait_for_url("**/account")
    _shot(page, tmp_path, "account")
    row = page.locator("table.records tbody tr").first
    row.locator("summary", has_text="提出异议").click()
    row.locator("textarea[name=reason]").fill("处罚决定已被行政复议撤销")
    row.locator("button.object").click()
    page.wait_for_url("**/account/cases/*")
    assert "办理中" in page.inner_text("#case-state")
    _shot(page, tmp_path, "case")
    page.click("button.link")  # sign out
    page.goto(f"{base}/profile/{firm}")
    assert page.locator("tr.disputed .dispute").count() == 1


def test_a_pdf_report_verifies_and_an_altered_copy_fails(
    site: Site, browser_page: playwright_api.Page, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    base, _, firm = site
    page = browser_page
    page.goto(f"{base}/profile/{firm}")
    page.fill("input[name=purpose]", "招标资格审查")
    page.click("#get-report")
    page.wait_for_url("**/reports/*")
    _shot(page, tmp_path, "report")
    with page.expect_download() as download:
        page.click("#download-pdf")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    page.goto(base + "/verify")
    page.set_input_files("#verify-file", str(pdf))
    page.click("#verify-submit")
    assert "核验通过" in page.inner_text("#verdict")
    _shot(page, tmp_path, "verify")
    altered = tmp_path / "altered.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x20
    altered.write_bytes(bytes(data))
    page.goto(base + "/verify")
    page.set_input_files("#verify-file", str(altered))
    page.click("#verify-submit")
    assert "核验未通过" in page.inner_text("#verdict")


# -- the workbench, and every page in both languages on a desktop and a phone ------------------


def _sign_in(page: playwright_api.Page, base: str, token: str) -> None:
    page.goto(base + "/signin")
    page.fill("input[name=token]", token)
    page.click("#sign-in")


def test_an_official_works_the_inbox_and_a_listing_in_the_workbench(
    site: Site, browser_page: playwright_api.Page, tmp_path: Path
) -> None:
    base, tokens, _firm = site
    page = browser_page
    _sign_in(page, base, tokens["firm"])
    page.wait_for_url("**/account")
    row = page.locator("table.records tbody tr").last
    row.locator("summary", has_text="提出异议").click()
    row.locator("textarea[name=reason]").fill("该处罚已履行完毕")
    row.locator("button.object").click()
    page.wait_for_url("**/account/cases/*")
    page.click("button.link")  # sign out
    _sign_in(page, base, tokens["official"])
    page.wait_for_url("**/desk")
    _shot(page, tmp_path, "desk")
    page.locator("table.inbox a").last.click()  # the newest case: same deadline, opened last
    page.wait_for_url("**/desk/cases/*")
    assert "该处罚已履行完毕" in page.content()
    page.check("input[name=outcome][value=reject]")
    page.fill("textarea[name=reasons]", "处罚决定合法有效")
    page.click("#decide")
    page.wait_for_url("**/desk/cases/*?done=1")
    assert "异议不成立" in page.inner_text("#case-outcome")
    page.goto(base + "/desk")
    page.locator("table.waiting a").first.click()
    page.wait_for_url("**/desk/listings/*")
    assert page.inner_text("#criteria")
    page.click("#step-notice button")
    page.wait_for_url("**/desk/listings/*?done=notice")
    assert page.inner_text("#listing-state") == "已告知"
    assert page.locator("#step-sign-off").count() == 1
    page.goto(base + "/desk/check")
    page.fill("input[name=code]", RIDER)
    page.select_option("select[name=action]", "rental")
    page.fill("input[name=department]", "深圳市交通运输局")
    page.click("#run-check")
    assert page.locator("#check-answer").count() == 1
    assert "CHK-" in page.inner_text("#check-answer")
