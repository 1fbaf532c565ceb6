"""The officials' workbench through the HTTP stack: an official signs in with a token and lands
on the workbench; the inbox shows a subject's objection with its deadline; the official decides
it and the subject's own case page shows the outcome; a proposed listing goes through notice,
the objection window and sign-off in the official's name, with the list's rules on the page; a
department checks a subject before a service; a scheme's own cases run. A subject cannot open
the workbench, a department cannot decide, and every form needs its anti-forgery value."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.test_api import set_day
from tests.test_portal import RIDER, Portal, _csrf, _sign_in, _sign_out, portal  # noqa: F401

from xinyong.application.checks import Checks
from xinyong.disclosure.tokens import Role, issue
from xinyong.dueprocess.checks import CheckAnswer, Remark
from xinyong.store.tables import evaluation_runs, records


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


def _objection_case(world: Portal) -> str:
    c = world.client
    _sign_in(world, "firm")
    c.post(
        "/account/objections",
        data={
            "record_id": world.ids["current"],
            "reason": "罚款金额有误",
            "csrf": _csrf(world, "/account"),
        },
    )
    _sign_out(world)
    found = re.search(r'href="(/desk/cases/\d+)"', _desk(world, world.tokens["official"]))
    assert found
    return found.group(1)


def test_an_upheld_objection_corrects_the_records_values(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    case = _objection_case(portal)
    page = c.get(case).text
    assert 'id="correction"' in page and 'id="correct-fine_10k_cny"' in page
    shown = re.findall(
        r'name="field" value="([a-z_0-9]+)"><input type="hidden" name="was" '
        r'value="([^"]*)"',
        page,
    )
    fields = [name for name, _ in shown]
    assert fields[0] == "decided_on" and "fine_10k_cny" in fields
    assert shown[0] == ("decided_on", "2026-03-01")  # the form says what the record holds
    values = dict.fromkeys(fields, "")
    values["decided_on"] = "2026-03-01"  # unchanged: not sent on as a correction
    values["fine_10k_cny"] = "0.5"
    form = {
        "outcome": "reject",
        "reasons": "x",
        "csrf": _csrf(portal, case),
        "field": list(values),
        "value": list(values.values()),
        "was": [was for _, was in shown],
    }
    refused = c.post(case + "/objection-decision", data=form)
    assert refused.status_code == 422 and "只有异议成立时" in refused.text
    form.update(outcome="uphold", reasons="罚款金额应为0.5万元", csrf=_csrf(portal, case))
    decided = c.post(case + "/objection-decision", data=form)
    assert decided.status_code == 200, decided.text[:500]
    with portal.db.engine.connect() as conn:
        rows = conn.execute(
            select(records.c.decided_on, records.c.attributes).where(
                records.c.supersedes_id == portal.ids["current"]
            )
        ).all()
    assert len(rows) == 1  # a corrected record replaces the old one, which stays on file
    ((decided_on, attributes),) = rows
    assert str(decided_on) == "2026-03-01" and Decimal(str(attributes["fine_10k_cny"])) == Decimal(
        "0.5"
    )


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


def test_the_check_answer_tells_its_remarks_in_the_readers_language(
    portal: Portal,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = CheckAnswer(
        reference="CHK-20260901-0000000001",
        subject_code=RIDER,
        action="rental",
        department="深圳市交通运输局",
        at=date(2026, 9, 1),
        measures=(),
        remarks=(
            Remark(
                "deferred",
                policy="spc-2019-grace",
                until=date(2026, 10, 1),
                listing_id=7,
                list="shenzhen-rental-bike/untrustworthy",
            ),
        ),
    )
    monkeypatch.setattr(Checks, "check", lambda *_a, **_k: answer)
    c = portal.client
    _desk(portal, _token(portal, Role.DEPARTMENT, department="深圳市交通运输局"))
    for lang, said in (
        ("zh", '暂缓至 <time datetime="2026-10-01">'),
        ("en", "deferred until <time"),
    ):
        shown = c.post(
            f"/desk/check?lang={lang}",
            data={"code": RIDER, "action": "rental", "csrf": _csrf(portal, "/desk")},
        )
        assert shown.status_code == 200, shown.text[:300]
        remarks = shown.text.split('id="check-remarks"')[1].split("</ul>")[0]
        assert said in remarks, remarks
        assert "spc-2019-grace" not in remarks  # the policy by its title, not its id


def _runs(world: Portal) -> int:
    with world.db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(evaluation_runs)).scalar_one())


def test_an_official_simulates_a_draft_and_nothing_is_kept(portal: Portal) -> None:  # noqa: F811
    c = portal.client
    _desk(portal, portal.tokens["official"])
    assert 'href="/desk/simulate?start=zhengzhou-environment@1"' in c.get("/desk/schemes").text
    opened = c.get("/desk/simulate?start=zhengzhou-environment@1")
    assert opened.status_code == 200
    text = html.unescape(opened.text.split('id="draft-text"')[1].split(">", 1)[1].split("</")[0])
    assert "id: zhengzhou-environment" in text
    # the draft: version 2, where 环保诚信 needs more points than anyone can have
    draft = text.replace("version: 1", "version: 2", 1).replace(
        "{grade: 环保诚信, min: 100}", "{grade: 环保诚信, min: 1000}", 1
    )
    assert draft != text
    before = _runs(portal)
    ran = c.post(
        "/desk/simulate?lang=en",
        data={"csrf": _csrf(portal, "/desk/simulate"), "text": draft, "as_of": "2026-09-01"},
    )
    assert ran.status_code == 422, ran.text[:300]  # 1000 is above the score's maximum
    assert 'id="draft-problem"' in ran.text and "draft.yaml:" in ran.text
    draft = text.replace("version: 1", "version: 2", 1).replace(
        "{grade: 环保良好, min: 80}", "{grade: 环保良好, min: 99}", 1
    )
    ran = c.post(
        "/desk/simulate?lang=en",
        data={"csrf": _csrf(portal, "/desk/simulate"), "text": draft, "as_of": "2026-09-01"},
    )
    assert ran.status_code == 200, ran.text[:500]
    page = ran.text
    assert 'id="simulation"' in page and 'id="draft-outcomes"' in page
    assert "Version 1 in force" in page and 'id="draft-cases"' in page
    scope = re.search(r'id="draft-scope">(\d+) subjects in scope', page)
    assert scope and int(scope.group(1)) >= 1
    assert _runs(portal) == before  # a simulation stores no run
    # whom it falls on: each outcome by group, charted, beside the version in force
    assert 'id="impact-h"' in page and 'class="chart" id="impact-' in page
    impact = page.split('id="impact-h"')[1]
    assert "grade environmentally trustworthy" in impact or "grade good" in impact
    assert "other groups (pooled)" in impact  # fewer than 20 subjects a group here
    assert "a worse grade than under the version in force" in impact
    # uploaded as a file, the same draft gives the same answer
    uploaded = c.post(
        "/desk/simulate?lang=en",
        data={"csrf": _csrf(portal, "/desk/simulate"), "as_of": "2026-09-01"},
        files={"file": ("zhengzhou-v2.yaml", draft.encode("utf-8"), "text/yaml")},
    )
    assert uploaded.status_code == 200
    assert re.search(r'id="draft-scope">(\d+)', uploaded.text).group(1) == scope.group(1)  # type: ignore[union-attr]
    refused = c.post(
        "/desk/simulate",
        data={"csrf": "0" * 32, "text": draft},
    )
    assert refused.status_code == 403


def test_an_official_accepts_a_proposed_link_and_the_firm_sees_its_grounds(
    portal: Portal,  # noqa: F811
) -> None:
    import json

    from xinyong.ingest.profiles import load_profile
    from xinyong.ingest.readers import read_bytes

    svc = portal.client.app.state.service  # type: ignore[attr-defined]
    row = {
        "主体名称": "鄭州綠源環保科技有限公司",  # traditional characters, no code
        "法定代表人": "王绿源",
        "住所": "河南省郑州市中原区建设路1号",
        "item_code": "ADM_PENALTY_GENERAL",
        "decided_on": "2026-04-01",
        "reference": "郑市监罚〔2026〕88号",
    }
    raw = read_bytes(json.dumps(row, ensure_ascii=False).encode(), "old.jsonl", "jsonl")
    svc.records.ingest(raw, "郑州市市场监管局", load_profile("canonical"))
    (proposed,) = svc.linkage.propose().proposed
    assert proposed.subject_id == portal.ids["firm"]
    c = portal.client
    # the firm does not see a proposal about it: it is the reviewers' question
    _sign_in(portal, "firm")
    assert "记录关联" not in c.get("/account").text
    assert c.get(f"/account/cases/{proposed.case_id}").status_code == 403
    assert all(k["kind"] != "link" for k in c.get("/me/cases", headers=portal.as_("firm")).json())
    _sign_out(portal)
    page = _desk(portal, portal.tokens["official"])
    found = re.search(r'href="(/desk/cases/\d+)" data-kind="link"', page)
    assert found, page
    case = c.get(found.group(1)).text
    assert "关联建议及其依据" in case and "名称相同" in case and "同一县区" in case
    assert "鄭州綠源環保科技有限公司" in html.unescape(case)
    accepted = c.post(
        f"/desk/links/{proposed.id}/acceptance", data={"csrf": _csrf(portal, "/desk")}
    )
    assert accepted.status_code == 200 and "确认关联" in accepted.text, accepted.text[:400]
    assert 'id="accept-link"' not in accepted.text
    _sign_out(portal)
    _sign_in(portal, "firm")
    account = c.get("/account").text
    assert f"经记录关联确认（{proposed.reference}，李明）" in account


def test_an_official_runs_a_version_in_shadow_from_the_workbench(
    portal: Portal,  # noqa: F811
) -> None:
    from tests.test_api import World

    svc = portal.client.app.state.service  # type: ignore[attr-defined]
    set_day(World(portal.client, portal.db, portal.tokens, portal.ids), "2019-12-01")
    c = portal.client
    _desk(portal, portal.tokens["official"])
    assert 'id="shadows-link"' in c.get("/desk/schemes").text
    page = c.get("/desk/shadows").text
    assert "shenzhen-rental-bike@2" in page and "尚无试运行" in page
    started = c.post(
        "/desk/shadows",
        data={
            "scheme": "shenzhen-rental-bike@2",
            "days": "5",
            "reason": "生效前试运行",
            "csrf": _csrf(portal, "/desk/shadows"),
        },
    )
    assert started.status_code == 200 and "已保存" in started.text, started.text[:400]
    (day,) = svc.shadows.run()
    assert day.run is not None
    shown = c.get("/desk/shadows").text
    assert "生效前试运行" in shown and "shadow-runs" in shown
    assert "停止试运行" in shown
    stopped = c.post(
        "/desk/shadows/shenzhen-rental-bike@2/stop", data={"csrf": _csrf(portal, "/desk/shadows")}
    )
    assert stopped.status_code == 200 and "提前停止" in stopped.text
