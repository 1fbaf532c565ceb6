"""Every portal page in one language: a crawl of every page reachable from the home page, the
signed-in subject's pages and the error pages, in Chinese and in English. A Chinese page may
carry no English word outside proper names, codes and the documents it cites; an English page
no Chinese text outside names marked lang="zh" (see test_portal for that direction)."""

from __future__ import annotations

import re

from tests.helpers import crawl
from tests.test_portal import FIRM, RIDER, Portal, _csrf, _listed, _sign_in, _sign_out, portal  # noqa: F401  (fixture)

#: Words a Chinese page may show as they are: formats and the names of things that have no
#: Chinese name of their own.
LATIN_ALLOWED = {
    "PDF",
    "JSON",
    "SHA",
    "API",
    "URL",
    "QR",
    "HTML",
    "English",
    "xinyong",
    "CSV",
    "YAML",
    "AAA",  # a credit rating's symbol (AAA, AA+) is a code, as agencies publish it
}
WORD = re.compile(r"(?<![A-Za-z0-9_\-./@])[A-Za-z][A-Za-z\-]{2,}(?![A-Za-z0-9_@])")


def _visible_text(html: str) -> str:
    """What a reader sees, without what may stay in another script: proper names marked with
    their language, codes, and the attribute values that are not shown."""
    text = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", text, flags=re.S)
    text = re.sub(r"<(code|kbd|samp)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<(\w+)[^>]*\btranslate=\"no\"[^>]*>.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"&\w+;|&#\d+;", " ", text)


def english_words(html: str) -> list[str]:
    return [w for w in WORD.findall(_visible_text(html)) if w not in LATIN_ALLOWED]


HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def chinese_text(html: str) -> list[str]:
    """Chinese on an English page outside names marked lang="zh" and codes."""
    text = re.sub(r"<(script|style|title)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r'<(\w+)[^>]*\blang="zh"[^>]*>.*?</\1>', " ", text, flags=re.S)
    text = re.sub(r'<(\w+)[^>]*\btranslate="no"[^>]*>.*?</\1>', " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text).replace("中文", "")  # the switch names its language
    return HAN.findall(text)


HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _starts(world: Portal, lang: str) -> list[str]:
    firm = world.ids["firm"]
    return [
        f"/?lang={lang}",
        f"/profile/{firm}",
        f"/profile/{world.ids['rider']}",
        "/account",
        "/no/such/page",
        "/search?q=x",
        "/search?q=绿源",
        "/lists/no-such/list",
        "/verify?id=nosuchreport",
    ]


def _crawl_in(world: Portal, lang: str) -> dict[str, str]:
    """Every page a subject reaches (with a case of its own), then every page of the
    officials' workbench (with that case in the inbox and a listing waiting for a step)."""
    c = world.client
    _listed(world)
    who = world.as_("official")
    run = c.post(
        "/evaluations", json={"scheme": "zhengzhou-environment", "as_of": "2026-06-30"}, headers=who
    )
    c.post("/listings/proposals", json={"run": run.json()["id"]}, headers=who)
    # reads of the firm's file by others, so that its access log has the platform's own
    # purposes (a check, a case) and one a reader declared
    declared = {**who, "X-Purpose": "procurement review", "X-Legal-Basis": "GPL art. 22"}
    c.get(f"/subjects/{FIRM}/file", headers=declared)
    check = {"code": FIRM, "action": "bidding", "department": "郑州市财政局"}
    c.post("/checks", json=check, headers=who)
    # the rider lets the firm check it for cooking, and the firm checks: the firm's consents
    # page then shows a consent received and a check made
    consent = {"employer_code": FIRM, "category": "cooking"}
    assert c.post("/me/consents", json=consent, headers=world.as_("rider")).status_code == 201
    checked = c.post("/consent-checks", json={"worker_code": RIDER}, headers=world.as_("firm"))
    assert checked.status_code == 200, checked.text
    _sign_in(world, "firm")
    c.post(
        "/account/objections",
        data={
            "record_id": world.ids["current"],
            "reason": "异议",
            "csrf": _csrf(world, "/account"),
        },
    )
    pages = crawl(c, _starts(world, lang))
    _sign_out(world)
    c.post("/signin", data={"token": world.tokens["official"], "csrf": _csrf(world)})
    pages |= crawl(c, [f"/desk?lang={lang}", "/desk/check"], limit=100)
    assert any(p.startswith("/desk/cases/") for p in pages), sorted(pages)
    assert any(p.startswith("/account/cases/") for p in pages), sorted(pages)
    assert len(pages) > 40, sorted(pages)
    for path, body in pages.items():
        assert f'<html lang="{HTML_LANG[lang]}">' in body, f"{path} is not in {lang}"
    return pages


def test_chinese_pages_show_no_english(portal: Portal) -> None:  # noqa: F811
    pages = _crawl_in(portal, "zh")
    leaks = {p: english_words(b) for p, b in pages.items()}
    leaks = {p: sorted(set(w)) for p, w in leaks.items() if w}
    assert not leaks, "\n".join(f"{p}: {w}" for p, w in leaks.items())


def test_english_pages_show_no_chinese(portal: Portal) -> None:  # noqa: F811
    pages = _crawl_in(portal, "en")
    leaks = {p: sorted(set(chinese_text(b))) for p, b in pages.items()}
    leaks = {p: w for p, w in leaks.items() if w}
    assert not leaks, "\n".join(f"{p}: {''.join(w)}" for p, w in leaks.items())


def test_what_a_person_is_refused_is_told_in_their_language(portal: Portal) -> None:  # noqa: F811
    """The refusals people meet (a wrong token, a search too short, a second objection, a
    file that is not a report, an expired form) are told by their own message, in full, in
    either language: no developer's English stands in for them."""
    c = portal.client
    for lang in ("zh", "en"):
        told = []
        c.cookies.clear()
        c.get(f"/?lang={lang}")
        bad = c.post("/signin", data={"token": "xy_nope", "csrf": _csrf(portal)})
        told.append(("sign-in", bad.status_code, bad.text))
        expired = c.post("/signin", data={"token": "xy_nope", "csrf": "0" * 32})
        told.append(("expired form", expired.status_code, expired.text))
        short = c.get("/search", params={"q": "x"})
        told.append(("short search", short.status_code, short.text))
        junk = c.post("/verify", files={"file": ("x.json", b"{}")})
        told.append(("not a report", junk.status_code, junk.text))
        _sign_in(portal, "firm")
        record = portal.ids["current"]
        for _ in (1, 2):
            answer = c.post(
                "/account/objections",
                data={"record_id": record, "reason": "异议", "csrf": _csrf(portal, "/account")},
            )
        told.append(("second objection", answer.status_code, answer.text))
        c.get(f"/?lang={'en' if lang == 'zh' else 'zh'}")  # the next round starts fresh
        for what, status, body in told:
            assert status >= 400 or "problem" in body, (lang, what, status)
            assert 'class="problem"' in body, (lang, what)
            problem = re.search(r'class="problem"[^>]*>(.*?)</p>', body, flags=re.S)
            assert problem, (lang, what)
            shown = problem.group(1)
            assert 'lang="en"' not in shown, (lang, what, shown)  # not the fallback
            if lang == "zh":
                assert not english_words(shown), (what, shown)
            else:
                assert not HAN.search(re.sub(r"<[^>]+>", "", shown)), (what, shown)
