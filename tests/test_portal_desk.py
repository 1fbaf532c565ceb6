"""The officials' workbench through the HTTP stack: an official signs in with a token and lands
on the workbench; the inbox shows a subject's objection with its deadline; the official decides
it and the subject's own case page shows the outcome; a proposed listing goes through notice,
the objection window and sign-off in the official's name, with the list's rules on the page; a
department checks a subject before a service; a scheme's own cases run. A subject cannot open
the workbench, a department cannot decide, and every form needs its anti-forgery value."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.test_api import set_day
from tests.test_portal import RIDER, Portal, _csrf, _sign_in, _sign_out, portal  # noqa: F401

from xinyong.disclosure.tokens import Role, issue


def _token(world: Portal, role: Role, **extra: str) -> str:
    with world.db.begin() as conn:
        return issue(conn, "李明", role, **extra)


def _desk(world: Portal, token: str) -> str:
    answer = world.client.post("/signin", data={"token": token, "csrf": _csrf(world)})
    assert answer.status_code == 200 and answer.url.path == "/desk", answer.text[:300]
    return answer.text


def test_an_official_decides_an_objection_from_the_inbox(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    _sign_in(portal, "firm")
    record = portal.ids["current"]
    filed = c.post(
        "/account/objections",
        data={"record_id": record, "reason": "罚款金额有误", "csrf": _csrf(portal, "/account")},
    )
    case_path = filed.url.path
    _sign_out(portal)
    page = _desk(portal, portal.tokens["official"])
    assert "待办案件" in page
    found = re.search(r'href="(/desk/cases/\d+)"', page)
    assert found, page
    case = c.get(found.group(1))
    assert case.status_code == 200
    assert f"#{record}" in case.text and "罚款金额有误" in case.text
    # without the form's value, nothing is decided
    forged = c.post(
        found.group(1) + "/objection-decision",
        data={"outcome": "uphold", "reasons": "x", "csrf": "0" * 32},
    )
    assert forged.status_code == 403
    decided = c.post(
        found.group(1) + "/objection-decision",
        data={"outcome": "uphold", "reasons": "经核实处罚已撤销", "csrf": _csrf(portal, "/desk")},
    )
    assert decided.status_code == 200, decided.text[:500]
    assert "异议成立" in decided.text and 'id="decide"' not in decided.text
    assert "待办案件" in c.get("/desk").text and found.group(1) not in c.get("/desk").text
    _sign_out(portal)
    _sign_in(portal, "firm")
    assert "异议成立" in c.get(case_path).text


def test_a_listing_is_notified_then_signed_off_in_the_officials_name(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    who = portal.as_("official")
    run = c.post(
        "/evaluations", json={"scheme": "shenzhen-rental-bike", "as_of": "2026-09-01"}, headers=who
    )
    set_day(portal, "2026-09-01")  # type: ignore[arg-type]
    made = c.post("/listings/proposals", json={"run": run.json()["id"]}, headers=who)
    (listing,) = [m for m in made.json() if m["list_key"].endswith("/untrustworthy")]
    path = f"/desk/listings/{listing['id']}"
    page = _desk(portal, portal.tokens["official"])
    assert path in page
    shown = c.get(path).text
    assert 'id="criteria"' in shown and "列入规则" in shown
    assert 'id="step-notice"' in shown and 'id="step-sign-off"' not in shown
    notified = c.post(path + "/notice", data={"csrf": _csrf(portal, path)})
    assert notified.status_code == 200 and "已告知" in notified.text
    early = c.post(path + "/sign-off", data={"csrf": _csrf(portal, path)})
    assert early.status_code == 409, early.text[:300]  # the objection window is still open
    deadline = date.fromisoformat(
        c.get(f"/listings/{listing['id']}", headers=who).json()["objection_deadline"]
    )
    set_day(portal, str(deadline + timedelta(days=1)))  # type: ignore[arg-type]
    signed = c.post(path + "/sign-off", data={"csrf": _csrf(portal, path)})
    assert signed.status_code == 200 and "已审核" in signed.text
    assert "李明" in signed.text  # the holder of the token signed off
    listed = c.post(path + "/listing", data={"csrf": _csrf(portal, path)})
    assert "已列入" in listed.text and 'id="step-exit"' in listed.text


def test_a_department_checks_but_cannot_decide(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    token = _token(portal, Role.DEPARTMENT, department="深圳市交通运输局")
    page = _desk(portal, token)
    assert "/desk/check" in page and "待办案件" not in page
    form = c.get("/desk/check?lang=en")
    assert form.status_code == 200 and "government procurement" in form.text
    answer = c.post(
        "/desk/check",
        data={"code": "", "action": "rental", "csrf": _csrf(portal, "/desk")},
    )
    assert answer.status_code == 422
    answer = c.post(
        "/desk/check", data={"code": RIDER, "action": "rental", "csrf": _csrf(portal, "/desk")}
    )
    assert answer.status_code == 200, answer.text[:400]
    assert 'id="check-answer"' in answer.text and "CHK-" in answer.text
    refused = c.get(f"/desk/cases/{portal.ids['current']}?lang=zh")
    assert refused.status_code == 403 and "无权" in refused.text
    assert c.get("/desk/schemes").status_code == 403


def test_an_official_runs_a_schemes_own_cases(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    _desk(portal, portal.tokens["official"])
    page = c.get("/desk/schemes")
    assert page.status_code == 200 and "/desk/schemes/zhengzhou-environment/tests" in page.text
    ran = c.post(
        "/desk/schemes/zhengzhou-environment/tests", data={"csrf": _csrf(portal, "/desk/schemes")}
    )
    assert ran.status_code == 200
    counted = re.search(r"(\d+) 个测试用例，通过 (\d+) 个", ran.text)
    assert counted and counted.group(1) == counted.group(2) and int(counted.group(1)) > 0


def test_a_subject_or_the_public_cannot_open_the_workbench(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    assert c.get("/desk").url.path == "/signin"  # the public is sent to sign in
    _sign_in(portal, "firm")
    assert c.get("/desk").url.path == "/signin"
    auditor = _token(portal, Role.AUDITOR)
    _sign_out(portal)
    refused = c.post("/signin", data={"token": auditor, "csrf": _csrf(portal)})
    assert refused.status_code == 403
