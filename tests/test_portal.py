"""The portal over real data, through the HTTP stack: search by part of a Chinese name, former
names and codes; the public pages mask resident IDs and never show a record past its publication
period, in either language; English pages mark every Chinese proper noun; self-service objection
marks the record disputed on the public profile; credit reports verify, and altered ones fail."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.dueprocess import add_records, add_subject
from tests.helpers import crawl, resident_id, uscc_code

from xinyong.disclosure.tokens import Role, issue
from xinyong.documents import charts
from xinyong.errors import InvalidInput
from xinyong.registry import name_index
from xinyong.registry.subjects import SubjectStatus, add_alias, change, rename
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.web import create_app

TODAY = date(2026, 11, 23)
RIDER = resident_id(7, "440305", "19900101")
FIRM = uscc_code(11, "410102")
OTHER = uscc_code(12, "410102")
LEGAL_FORM_ONLY = uscc_code(13, "410102")
RAISE = False
HAN_OUTSIDE_ZH = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Portal:
    client: TestClient
    db: Database
    ids: dict[str, int]
    tokens: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def portal(db: Database) -> Iterator[Portal]:
    with db.begin() as conn:
        rider = add_subject(conn, RIDER, "individual", "440305")
        firm = add_subject(conn, FIRM, "enterprise", "410102", "26")
        other = add_subject(conn, OTHER, "enterprise", "410102")
        add_subject(conn, LEGAL_FORM_ONLY, "enterprise", "410102")
        name_index.rebuild(conn)
        rename(conn, FIRM, "郑州恒达环保科技有限公司", "test")
        rename(conn, FIRM, "郑州绿源环保科技有限公司", "test")  # 恒达 becomes a former name
        rename(conn, OTHER, "郑州绿源", "test")
        rename(conn, LEGAL_FORM_ONLY, "绿源环保有限公司", "test")
        rename(conn, RIDER, "张三丰", "test")
        add_alias(conn, OTHER, "绿源商贸", "test")
        days = [date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1)]
        add_records(conn, rider, "BIKE_VIOLATION", days, conduct="damage")
        current = add_records(conn, firm, "ADM_PENALTY_GENERAL", [date(2026, 3, 1)])
        expired = add_records(conn, firm, "ADM_PENALTY_GENERAL", [date(2024, 1, 10)])
        tokens = {
            "firm": issue(conn, "绿源", Role.SUBJECT, subject_code=FIRM),
            "rider": issue(conn, "张三丰", Role.SUBJECT, subject_code=RIDER),
            "official": issue(conn, "李明", Role.OFFICIAL),
        }
    app = create_app(Settings(today=TODAY, database_url=db.url), db)
    ids = {"rider": rider, "firm": firm, "other": other, "current": current[0]}
    ids["expired"] = expired[0]
    with TestClient(app, raise_server_exceptions=RAISE, base_url="http://localhost") as client:
        yield Portal(client, db, ids, tokens)


def _csrf(portal: Portal, path: str = "/signin") -> str:
    """The anti-forgery value of the forms on one of the portal's own pages."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', portal.client.get(path).text)
    assert found, f"no form on {path}"
    return found.group(1)


def _sign_in(portal: Portal, who: str) -> None:
    answer = portal.client.post(
        "/signin", data={"token": portal.tokens[who], "csrf": _csrf(portal)}
    )
    assert answer.status_code == 200 and answer.url.path == "/account", answer.text[:300]


def _sign_out(portal: Portal) -> None:
    answer = portal.client.post("/signout", data={"csrf": _csrf(portal, "/")})
    assert answer.status_code == 200, answer.text[:300]


def _hits(portal: Portal, q: str) -> list[str]:
    page = portal.client.get("/search", params={"q": q, "lang": "zh"})
    assert page.status_code == 200
    return re.findall(r'<a href="/profile/\d+">([^<]+)</a>', page.text)


# -- search -------------------------------------------------------------------------------------


def test_search_finds_part_of_a_name_and_ranks_exact_then_prefix_then_part(portal: Portal) -> None:
    assert _hits(portal, "绿源") == ["绿源环保有限公司", "郑州绿源", "郑州绿源环保科技有限公司"]
    found = _hits(portal, "郑州绿源")
    assert found[0] == "郑州绿源"  # the exact name first
    assert found[1] == "郑州绿源环保科技有限公司"  # then names that start with it
    assert _hits(portal, "环保科技") == ["郑州绿源环保科技有限公司"]  # part of a name


def test_search_finds_former_names_aliases_and_codes(portal: Portal) -> None:
    assert _hits(portal, "恒达") == ["郑州绿源环保科技有限公司"]
    assert _hits(portal, "绿源商贸") == ["郑州绿源"]
    assert _hits(portal, FIRM) == ["郑州绿源环保科技有限公司"]
    # A query of nothing but a legal form still works, through the common bigrams.
    assert sorted(_hits(portal, "有限公司")) == ["绿源环保有限公司", "郑州绿源环保科技有限公司"]


def test_a_broad_search_says_it_ranked_only_the_first_candidates(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the thresholds lowered, "有限公司" is broad here: the page and the API say so."""
    narrow = portal.client.get("/search", params={"q": "有限公司", "lang": "en"}).text
    assert 'id="broad"' not in narrow
    lowered = functools.partial(name_index.search, probe=1, most=1)
    monkeypatch.setattr("xinyong.application.files.search", lowered)
    page = portal.client.get("/search", params={"q": "有限公司", "lang": "en"}).text
    assert 'id="broad"' in page and "first 1 registered" in page
    assert len(re.findall(r'<a href="/profile/\d+">', page)) == 1
    answer = portal.client.get("/public/subjects", params={"q": "有限公司"})
    assert answer.headers["X-Search-Broad"] == "true" and len(answer.json()) == 1
    answer = portal.client.get("/public/subjects", params={"q": "绿源商贸"})
    assert "X-Search-Broad" not in answer.headers


def test_a_single_character_is_refused_with_a_reason(portal: Portal, db: Database) -> None:
    with db.connect() as conn, pytest.raises(InvalidInput, match="at least two characters"):
        name_index.search(conn, "绿")
    page = portal.client.get("/search", params={"q": "绿", "lang": "en"})
    assert "at least two characters" in page.text


def test_a_resident_id_finds_a_person_only_for_that_person(portal: Portal) -> None:
    assert _hits(portal, RIDER) == []  # the public cannot look a person up by ID number
    _sign_in(portal, "rider")
    assert _hits(portal, RIDER) == ["张三丰"]  # the person finds their own entry


def test_search_uses_the_name_index_on_both_databases(portal: Portal, db: Database) -> None:
    """The gram lookup is a primary-key range, not a scan of the subjects table."""
    with db.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            plan = conn.execute(
                text("EXPLAIN QUERY PLAN SELECT subject_id FROM name_grams WHERE gram = '绿源'")
            ).all()
            assert any("SEARCH" in str(row) and "PRIMARY KEY" in str(row) for row in plan), plan
        else:
            conn.execute(text("SET enable_seqscan = off"))
            plan = conn.execute(
                text("EXPLAIN SELECT subject_id FROM name_grams WHERE gram = '绿源'")
            ).all()
            assert any("Index" in str(row) for row in plan), plan
        assert name_index.count_unindexed(conn) == 0


def test_grams_fold_width_case_and_punctuation() -> None:
    assert name_index.fold("Ａｂｃ（郑州）有限公司") == "abc郑州有限公司"
    assert name_index.grams("绿源") == {"绿源"}
    assert name_index.lookup_grams("绿源有限公司") == ["源有", "绿源"]
    assert name_index.lookup_grams("有限公司") == ["公司", "有限", "限公"]


# -- what public pages show ---------------------------------------------------------------------


def _crawl(client: TestClient, starts: list[str], limit: int = 120) -> dict[str, str]:
    """Every public portal page reachable by GET from ``starts`` (no account pages)."""
    return crawl(client, starts, limit=limit, skip=("/static", "/account", "/signin"), ok_only=True)


def _listed(portal: Portal) -> None:
    from tests.test_api import list_rider

    list_rider(portal)  # type: ignore[arg-type]


def test_no_public_page_shows_a_resident_id_or_an_expired_record(portal: Portal) -> None:
    c = portal.client
    _listed(portal)
    starts = [f"/search?q=张三&lang={lang}" for lang in ("zh", "en")] + [
        f"/profile/{portal.ids[k]}?lang={lang}" for k in ("rider", "firm") for lang in ("zh", "en")
    ]
    starts += ["/lists/shenzhen-rental-bike/untrustworthy?lang=zh", "/?lang=zh", "/?lang=en"]
    pages = _crawl(c, starts)
    assert len(pages) > 30
    expired_ref = f"REF-{portal.ids['firm']}-2024-01-10-1"
    current_ref = f"REF-{portal.ids['firm']}-2026-03-01-1"
    seen_rider = False
    for path, body in pages.items():
        assert RIDER not in body, path
        assert "张三丰" not in body, path  # the person's name is masked as well
        assert expired_ref not in body, path
        seen_rider |= "张**" in body
    assert seen_rider  # the listed rider appears, masked
    assert any(current_ref in body for body in pages.values())


def test_english_pages_mark_every_chinese_run_as_chinese(portal: Portal) -> None:
    _listed(portal)
    pages = _crawl(
        portal.client,
        ["/?lang=en", f"/profile/{portal.ids['firm']}?lang=en", "/directory?lang=en"],
    )
    english = {p: b for p, b in pages.items() if '<html lang="en">' in b}
    assert len(english) > 20
    for path, body in english.items():
        # A <title> cannot carry markup; a subject's own name may stand in it as written.
        text_only = re.sub(r"<title>.*?</title>", "", body, flags=re.S)
        text_only = re.sub(r'<span lang="zh">.*?</span>', "", text_only)
        text_only = re.sub(r"<[^>]+>", " ", text_only)
        text_only = text_only.replace("中文", "")  # the language switch names its language
        assert not HAN_OUTSIDE_ZH.search(text_only), (path, HAN_OUTSIDE_ZH.findall(text_only)[:5])


def test_the_why_page_agrees_with_the_grade_and_hides_non_public_records(portal: Portal) -> None:
    c = portal.client
    run = c.post(
        "/evaluations",
        json={"scheme": "zhengzhou-environment", "as_of": "2026-06-30"},
        headers={"Authorization": f"Bearer {portal.tokens['official']}"},
    )
    assert run.status_code == 201, run.text
    profile = c.get(f"/profile/{portal.ids['firm']}?lang=zh").text
    grade = re.search(r'<td class="grade">([^<]+)</td>', profile)
    assert grade, profile
    why = c.get(f"/profile/{portal.ids['firm']}/why/zhengzhou-environment?lang=zh")
    assert why.status_code == 200
    assert f'<dd class="grade" id="why-grade">{grade.group(1)}</dd>' in why.text
    assert "与评价查询结果一致" in why.text
    assert not re.search(r"\b(score|band|override)\b", why.text)  # steps are said in Chinese


# -- self-service -------------------------------------------------------------------------------


def test_an_objection_marks_the_record_disputed_on_the_public_profile(portal: Portal) -> None:
    c = portal.client
    record = portal.ids["current"]
    assert "异议处理中" not in c.get(f"/profile/{portal.ids['firm']}?lang=zh").text
    _sign_in(portal, "firm")
    account = c.get("/account?lang=zh").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', account)
    assert csrf
    refused = c.post("/account/objections", data={"record_id": record, "reason": "x", "csrf": "0"})
    assert refused.status_code == 403
    others = c.post(
        "/account/objections",
        data={"record_id": portal.ids["current"] + 100, "reason": "x", "csrf": csrf.group(1)},
    )
    assert others.status_code in (403, 404)
    filed = c.post(
        "/account/objections",
        data={"record_id": record, "reason": "处罚决定已被复议撤销", "csrf": csrf.group(1)},
    )
    assert filed.status_code == 200 and "/account/cases/" in str(filed.url)
    assert "2026-12-13" in filed.text  # 20 days to answer
    _sign_out(portal)
    profile = c.get(f"/profile/{portal.ids['firm']}?lang=zh").text
    row = re.search(rf'<tr id="record-{record}" class="disputed">.*?</tr>', profile, re.S)
    assert row and "异议处理中" in row.group(0)


def test_the_account_logs_its_own_reads_and_shows_readers(portal: Portal, db: Database) -> None:
    _sign_in(portal, "firm")
    portal.client.get("/account?lang=en")
    with db.connect() as conn:
        n = conn.execute(
            text("select count(*) from access_log where subject_id = :s"),
            {"s": portal.ids["firm"]},
        ).scalar_one()
    assert n == 2  # the redirect after sign-in and the page above
    page = portal.client.get("/account?lang=en").text
    assert "You opened your own file 3 times" in page  # counted apart, not listed
    assert "Nobody else has read your file." in page
    read = portal.client.get(
        f"/subjects/{FIRM}/file",
        headers={
            **portal.as_("official"),
            "X-Purpose": "procurement review",
            "X-Legal-Basis": "GPL 22",
        },
    )
    assert read.status_code == 200, read.text
    page = portal.client.get("/account?lang=en").text
    assert "procurement review" in page and "You opened your own file 4 times" in page


def test_the_rider_sees_what_would_take_him_off_the_list(portal: Portal) -> None:
    assert portal.client.get("/account/guidance").url.path == "/signin"
    _sign_in(portal, "rider")
    assert 'href="/account/guidance"' in portal.client.get("/account").text
    page = portal.client.get("/account/guidance?lang=en").text
    section = page.split('data-scheme="shenzhen-rental-bike@')[1].split("</section>")[0]
    assert "leaves the Riders&#39; untrustworthy list" in section, section[:2000]
    assert "credit repair may be applied for from" in section
    assert "With nothing done" in section
    zh = portal.client.get("/account/guidance?lang=zh").text
    assert "怎样改变我的信用评价" in zh and "起可申请信用修复" in zh


def test_the_account_needs_a_subject_token(portal: Portal) -> None:
    assert portal.client.get("/account").url.path == "/signin"
    csrf = _csrf(portal)
    with portal.db.begin() as conn:
        auditor = issue(conn, "审计", Role.AUDITOR)
    refused = portal.client.post("/signin", data={"token": auditor, "csrf": csrf})
    assert refused.status_code == 403
    wrong = portal.client.post("/signin", data={"token": "nonsense", "csrf": csrf})
    assert wrong.status_code == 401
    # an official signs in to the workbench, and has no own file
    official = portal.client.post(
        "/signin", data={"token": portal.tokens["official"], "csrf": csrf}
    )
    assert official.url.path == "/desk"
    assert portal.client.get("/account").url.path == "/signin"


def test_forms_posted_from_another_site_are_refused(portal: Portal) -> None:
    """A page elsewhere can post a form at the portal, but without this site's form cookie
    and value: a sign-in under the attacker's token, or a report issued in a visitor's name,
    is refused."""
    fresh = TestClient(portal.client.app, base_url="http://localhost")
    answer = fresh.post("/signin", data={"token": portal.tokens["firm"]})
    assert answer.status_code == 403
    report = fresh.post(
        f"/profile/{portal.ids['firm']}/report",
        data={"purpose": "招标资格审查", "csrf": "0" * 32},
    )
    assert report.status_code == 403


# -- credit reports -----------------------------------------------------------------------------


def _public_report(portal: Portal) -> str:
    csrf = _csrf(portal, f"/profile/{portal.ids['firm']}")
    answer = portal.client.post(
        f"/profile/{portal.ids['firm']}/report",
        data={"purpose": "招标资格审查", "legal_basis": "《招标投标法》第十八条", "csrf": csrf},
    )
    assert answer.status_code == 200, answer.text[:300]
    return answer.url.path.rsplit("/", 1)[1]


def _verify(portal: Portal, name: str, data: bytes) -> str:
    answer = portal.client.post("/verify?lang=en", files={"file": (name, data)})
    assert answer.status_code == 200, answer.text[:300]
    verdict = re.search(r'<p id="verdict"[^>]*><strong>(\w[\w ]*)</strong>', answer.text)
    assert verdict, answer.text
    return verdict.group(1)


def test_a_json_report_verifies_and_an_altered_one_fails(portal: Portal) -> None:
    report_id = _public_report(portal)
    data = portal.client.get(f"/reports/{report_id}/json").content
    assert _verify(portal, "r.json", data) == "Valid"
    document = json.loads(data)
    assert document["report"]["subject"]["code"] == FIRM
    assert document["report"]["scope"] == "public"
    document["report"]["records"] = []
    assert _verify(portal, "r.json", json.dumps(document).encode()) == "Not valid"
    document = json.loads(data)
    document["report"]["id"] = "R20991231-FFFFFFFFFF"
    assert _verify(portal, "r.json", json.dumps(document).encode()) == "Not valid"


def test_a_full_report_is_only_for_its_subject(portal: Portal) -> None:
    c = portal.client
    _sign_in(portal, "firm")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/account").text)
    assert csrf
    made = c.post("/account/report", data={"purpose": "bank loan", "csrf": csrf.group(1)})
    report_id = made.url.path.rsplit("/", 1)[1]
    assert json.loads(c.get(f"/reports/{report_id}/json").content)["report"]["scope"] == "full"
    _sign_out(portal)
    assert c.get(f"/reports/{report_id}/json").status_code == 403
    _sign_in(portal, "rider")
    assert c.get(f"/reports/{report_id}").status_code == 403


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_a_pdf_report_shows_chinese_verifies_and_fails_when_altered(
    portal: Portal, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    report_id = _public_report(portal)
    pdf = portal.client.get(f"/reports/{report_id}/pdf?lang=zh").content
    assert pdf.startswith(b"%PDF")
    assert portal.client.get(f"/reports/{report_id}/pdf").content == pdf  # kept, not re-rendered
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    extracted = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "信用报告" in extracted and "郑州绿源环保科技有限公司" in extracted
    assert report_id in extracted
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", path, png], check=True)
    assert list(tmp_path.glob("p*.png"))
    assert _verify(portal, "r.pdf", pdf) == "Valid"
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    assert _verify(portal, "r.pdf", bytes(altered)) == "Not valid"


def test_pages_carry_security_headers(portal: Portal) -> None:
    page = portal.client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    api = portal.client.get("/health")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_the_portals_cookies_are_http_only_strict_and_secure_off_this_machine(
    portal: Portal,
) -> None:
    remote = TestClient(portal.client.app, base_url="https://portal.example.gov.cn")
    form = remote.get("/signin")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
    assert csrf
    cookie = form.headers["set-cookie"]
    assert "xinyong_form=" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    signed = remote.post(
        "/signin",
        data={"token": portal.tokens["firm"], "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    token = signed.headers["set-cookie"]
    assert all(flag in token for flag in ("xinyong_token=", "HttpOnly", "Secure", "strict"))


def test_an_unknown_address_is_a_page_in_the_visitors_language(portal: Portal) -> None:
    zh = portal.client.get("/no/such/page?lang=zh")
    assert zh.status_code == 404 and zh.headers["content-type"].startswith("text/html")
    assert "没有这个页面" in zh.text and '"detail"' not in zh.text
    en = portal.client.get("/no/such/page?lang=en")
    assert en.status_code == 404 and "There is no such page" in en.text


def test_a_long_file_is_paged_on_the_account(portal: Portal, db: Database) -> None:
    from datetime import timedelta

    with db.begin() as conn:
        days = [date(2025, 1, 1) + timedelta(days=i) for i in range(120)]
        add_records(conn, portal.ids["firm"], "ADM_PENALTY_GENERAL", days)
    _sign_in(portal, "firm")
    first = portal.client.get("/account?lang=en").text
    total = len(re.findall(r'<tr id="record-\d+"', first))
    assert total == 50 and "1 / 3" in first and 'rel="next"' in first
    last = portal.client.get("/account?lang=en&page=3").text
    assert 0 < len(re.findall(r'<tr id="record-\d+"', last)) <= 50 and "3 / 3" in last


def test_not_rated_is_grey_and_the_worst_band_red_in_the_grade_chart(portal: Portal) -> None:
    with portal.db.begin() as conn:
        add_subject(conn, uscc_code(48), "enterprise", "320100", "48")
    c = portal.client
    run = c.post(
        "/evaluations",
        json={"scheme": "national-highway-construction", "as_of": "2026-09-01"},
        headers=portal.as_("official"),
    )
    assert run.status_code in (200, 201), run.text[:300]
    page = c.get("/directory/national-highway-construction?lang=en").text
    chart = page.split('id="grades-chart"')[1].split("</svg>")[0]
    bar = re.search(r'fill="(#[0-9a-f]{6})"><title>not rated: 1</title>', chart)
    assert bar, chart
    assert bar.group(1) == charts.OUTSIDE != charts.GOOD_TO_BAD[-1]


def test_the_profile_shows_what_the_registry_publishes_of_an_organisation(
    portal: Portal,
) -> None:
    with portal.db.begin() as conn:
        change(
            conn,
            FIRM,
            {
                "legal_representative": "王建国",
                "registered_on": date(2012, 5, 8),
                "status": SubjectStatus.REVOKED,
            },
            "市场监管局",
        )
    c = portal.client
    zh = c.get(f"/profile/{portal.ids['firm']}?lang=zh").text
    assert "法定代表人" in zh and "王建国" in zh and 'id="subject-status">吊销<' in zh
    assert 'datetime="2012-05-08"' in zh
    en = c.get(f"/profile/{portal.ids['firm']}?lang=en").text
    assert "Legal representative" in en and 'lang="zh">王建国' in en
    assert 'id="subject-status">Licence revoked<' in en
    rider = c.get(f"/profile/{portal.ids['rider']}?lang=zh").text
    assert 'id="subject-status"' not in rider and "法定代表人" not in rider  # an individual


def test_the_why_page_shows_the_measures_and_the_records_they_read(portal: Portal) -> None:
    """Under the Jiangsu rating the score is the contract-weighted mean of project evaluations:
    the explanation shows that measure, its value and its (public) records, in each language."""
    with portal.db.begin() as conn:
        firm = add_subject(conn, uscc_code(320), "enterprise", "320102", "48")
        project = {"project": "宁杭高速", "score": 90, "contract_10k_cny": 300}
        add_records(conn, firm, "HWY_PROJECT_EVALUATION", [date(2025, 12, 20)], **project)
        add_records(
            conn,
            firm,
            "HWY_PROJECT_EVALUATION",
            [date(2025, 11, 20)],
            **{**project, "score": 70, "contract_10k_cny": 100},
        )
    c = portal.client
    run = c.post(
        "/evaluations",
        json={"scheme": "jiangsu-highway-construction", "as_of": "2026-03-31"},
        headers=portal.as_("official"),
    )
    assert run.status_code == 201, run.text
    zh = c.get(f"/profile/{firm}/why/jiangsu-highway-construction?lang=zh").text
    table = zh.split('id="why-measures"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td>(指标\d)</td>\s*<td>([^<]*)</td>", table)
    assert rows[:2] == [("指标1", "85"), ("指标2", "2")], rows
    assert len(re.findall(r'href="/profile/\d+#record-\d+"', table)) == 4  # 2 records, twice
    assert (
        "与评价查询结果一致" in zh and '<dd class="grade" id="why-grade">A</dd>' in zh
    )  # 85: band A
    en = c.get(f"/profile/{firm}/why/jiangsu-highway-construction?lang=en").text
    assert "Measures the scheme computed" in en and "<td>Measure 1</td>" in en


def test_a_measure_read_from_non_public_records_keeps_its_value_hidden(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turnover, say, is no one's business: where a measure read any record the public may
    not see, the explanation page counts those records and does not show the value."""
    from dataclasses import replace

    from xinyong.application.files import Files

    shown = Files.why

    def why(self: Files, *args: object, **kwargs: object) -> object:
        found = shown(self, *args, **kwargs)  # type: ignore[arg-type]
        secret = (("turnover", 1234.0, (999_999,)),)
        return replace(found, explanation=replace(found.explanation, measures=secret))

    monkeypatch.setattr(Files, "why", why)
    c = portal.client
    c.post(
        "/evaluations",
        json={"scheme": "zhengzhou-environment", "as_of": "2026-06-30"},
        headers=portal.as_("official"),
    )
    page = c.get(f"/profile/{portal.ids['firm']}/why/zhengzhou-environment?lang=zh").text
    table = page.split('id="why-measures"')[1].split("</table>")[0]
    assert "1234" not in table and "不公开" in table and "1 " in table
