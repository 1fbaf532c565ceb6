"""Every page of the portal, in Chinese and English, on a desktop (1280 px) and a phone (390 px),
in Debian's Chromium: axe finds no violation of any impact, no page is wider than the screen,
and each page is photographed (``make screenshots`` keeps the pictures in docs/screenshots).

The tour walks the pages as their users reach them: the public's (search, profile, why, lists,
the scheme catalog, a credit report and its verification), a subject's own (account and a case),
and the officials' workbench (inbox, a case, a proposed link, a listing, the check and its
answer, the schemes and their test results)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tests.test_portal_browser import (
    CHROMIUM,
    FIRM,
    OFFICE,
    RIDER,
    Site,
    _shot,
    _sign_in,
    served_site,
)

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
    ),
    pytest.mark.slow,
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip)")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright", reason="needs axe (pip)")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
Go = Callable[[playwright_api.Page, str], None]


@pytest.fixture(scope="module")
def tour_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The browser tests' site, with an objection open in the inbox."""
    with served_site(tmp_path_factory.mktemp("tour")) as found:
        base, tokens, _ = found
        who = {"Authorization": f"Bearer {tokens['official']}"}
        with httpx.Client(base_url=base, headers=who, timeout=60) as api:
            read = {
                "X-Purpose": "handling an objection",
                "X-Legal-Basis": "Credit Reporting Regulation art. 25",
            }
            file = api.get(f"/subjects/{FIRM}/file", headers=read).json()
            record = file["records"][0]["id"]
            filed = api.post(
                "/cases/objections", json={"record_id": record, "reason": "决定书送达有误"}
            )
            assert filed.status_code == 201, filed.text
            # a penalty sent without a code, in traditional characters: a link for review
            dept = {"Authorization": f"Bearer {tokens['department']}", "Idempotency-Key": "old-1"}
            row = {
                "subject_name": "鄭州綠源環保科技有限公司",
                "item_code": "ADM_PENALTY_GENERAL",
                "decided_on": "2026-04-01",
                "reference": "郑市监罚〔2026〕88号",
                "住所": "河南省郑州市中原区建设路1号",
            }
            sent = api.post("/records/batches", json={"rows": [row]}, headers=dept)
            assert sent.status_code == 201, sent.text
            linked = api.post("/links/proposals", json={})
            assert linked.status_code == 201 and linked.json()["proposed"], linked.text
            # the rider lets the firm check it for cooking (the firm's consents page)
            rider = {"Authorization": f"Bearer {tokens['rider']}"}
            consent = {"employer_code": FIRM, "category": "cooking"}
            given = api.post("/me/consents", json=consent, headers=rider)
            assert given.status_code == 201, given.text
            # a month of ratings of the service centre, one of them bad, and its grading
            ratings = [
                {
                    "item_code": "GOV_SERVICE_RATING",
                    "subject_code": OFFICE,
                    "decided_on": f"2026-11-{1 + i:02d}",
                    "reference": f"HCP-{i}",
                    "level": 1 if i == 0 else 5,
                    "service_item": "企业开办",
                    "channel": "hall",
                }
                for i in range(12)
            ]
            dept["Idempotency-Key"] = "ratings-1"
            sent = api.post("/records/batches", json={"rows": ratings}, headers=dept)
            assert sent.status_code == 201, sent.text
            graded = api.post("/services/gradings", json={})
            assert graded.status_code == 201, graded.text
        yield found


def _path(path: str) -> Go:
    return lambda page, base: _goto(page, base + path)


def _goto(page: playwright_api.Page, url: str) -> None:
    page.goto(url)


def _click(path: str, selector: str) -> Go:
    def go(page: playwright_api.Page, base: str) -> None:
        page.goto(base + path)
        page.locator(selector).first.click()
        page.wait_for_load_state()

    return go


def _report(page: playwright_api.Page, base: str) -> None:
    page.goto(base + "/search?q=绿源")
    page.locator("table a").first.click()
    page.fill("input[name=purpose]", "招标资格审查")
    page.click("#get-report")
    page.wait_for_url("**/reports/*")


def _verified(page: playwright_api.Page, base: str) -> None:
    _report(page, base)
    report_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"{base}/verify?id={report_id}")


def _checked(page: playwright_api.Page, base: str) -> None:
    page.goto(base + "/desk/check")
    page.fill("input[name=code]", RIDER)
    page.select_option("select[name=action]", "rental")
    page.fill("input[name=department]", "深圳市交通运输局")
    page.click("#run-check")
    page.wait_for_load_state()


def _simulated(page: playwright_api.Page, base: str) -> None:
    page.goto(base + "/desk/simulate?start=zhengzhou-environment@1")
    draft = page.input_value("#draft-text").replace("version: 1", "version: 2", 1)
    page.fill(
        "#draft-text", draft.replace("{grade: 环保良好, min: 80}", "{grade: 环保良好, min: 99}")
    )
    page.click("#run-simulation")
    page.wait_for_selector("#simulation")


def tour(firm: int) -> list[tuple[str, str | None, Go]]:
    """(name, who is signed in, how to get there) for every kind of page."""
    return [
        ("home", None, _path("/")),
        ("search", None, _path("/search?q=绿源")),
        ("profile", None, _path(f"/profile/{firm}")),
        ("why", None, _path(f"/profile/{firm}/why/zhengzhou-environment")),
        ("lists", None, _path("/lists")),
        ("list", None, _path("/lists/shenzhen-rental-bike/untrustworthy")),
        ("directory", None, _path("/directory")),
        ("scheme", None, _path("/directory/zhengzhou-environment")),
        ("scheme-list", None, _path("/directory/shenzhen-rental-bike")),
        ("latest", None, _path("/latest")),
        ("agencies", None, _path("/agencies")),
        ("services", None, _path("/services?region=4101")),
        ("service-agency", None, _click("/services?region=4101", "table.ranking a")),
        ("report", None, _report),
        ("verify", None, _verified),
        ("signin", None, _path("/signin")),
        ("not-found", None, _path("/no/such/page")),
        ("account", "firm", _path("/account")),
        ("case", "firm", _click("/account", "a[href^='/account/cases/']")),
        ("guidance", "firm", _click("/account", "#guidance-link")),
        ("consents", "firm", _click("/account", "#consents-link")),
        ("consent-answer", "firm", _click("/account/consents", "#consent-check button")),
        ("rectification", "office", _click("/account", "a[href^='/account/cases/']")),
        ("desk", "official", _path("/desk")),
        ("desk-case", "official", _click("/desk", "table.inbox a[data-kind=objection]")),
        ("desk-link", "official", _click("/desk", "table.inbox a[data-kind=link]")),
        ("desk-listing", "official", _click("/desk", "table.waiting a")),
        ("desk-check", "official", _path("/desk/check")),
        ("desk-check-answer", "official", _checked),
        ("desk-schemes", "official", _path("/desk/schemes")),
        ("desk-schemes-tested", "official", _click("/desk/schemes", "table.schemes button")),
        ("desk-shadows", "official", _click("/desk/schemes", "#shadows-link")),
        ("desk-simulate", "official", _path("/desk/simulate?start=zhengzhou-environment@1")),
        ("desk-simulated", "official", _simulated),
    ]


def test_every_page_in_both_languages_on_a_desktop_and_a_phone(
    tour_site: Site, tmp_path: Path
) -> None:
    base, tokens, firm = tour_site
    axe = axe_api.Axe()
    problems: list[str] = []
    shots = 0
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        for lang in ("zh", "en"):
            for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport, is_mobile=device == "phone")
                page = context.new_page()
                signed_in: str | None = "nobody yet"
                for name, who, go in tour(firm):
                    if who != signed_in:
                        context.clear_cookies()
                        page.goto(f"{base}/?lang={lang}")
                        if who:
                            _sign_in(page, base, tokens[who])
                            page.wait_for_load_state()
                        signed_in = who
                    go(page, base)
                    where = f"{lang} {device} {name} ({page.url.removeprefix(base)})"
                    assert page.locator(f"html[lang^={lang}]").count() == 1, where
                    found = axe.run(page, options={"resultTypes": ["violations"]})
                    for v in found.response["violations"]:
                        targets = [", ".join(n["target"]) for n in v["nodes"]][:3]
                        problems.append(f"{where}: {v['id']} ({v['impact']}) at {targets}")
                    width = page.evaluate("document.documentElement.scrollWidth")
                    wide = width - viewport["width"]
                    if wide > 0:
                        problems.append(f"{where}: {wide} px wider than the screen")
                    _shot(page, tmp_path, f"{name}-{lang}-{device}")
                    shots += 1
                context.close()
        browser.close()
    assert shots == 4 * len(tour(firm))
    assert not problems, "\n".join(problems)
