"""The HTTP service: every route guarded by one permission, walked as a matrix of role x route x
region; public answers masked; every non-public read in the access log, and none without it;
batches idempotent; problem details naming the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from tests.dueprocess import add_records, add_subject
from tests.helpers import resident_id, uscc_code

from xinyong.api.app import guard_of
from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.disclosure.access import POLICY, Permission
from xinyong.disclosure.agencies import register
from xinyong.disclosure.consents import grant
from xinyong.disclosure.tokens import Role, issue
from xinyong.reference.regions import region_prefix
from xinyong.registry.subjects import get
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import access_log, checks, records
from xinyong.web import create_app


def load_catalog() -> Catalog:
    return Catalog.load()


TODAY = date(2026, 11, 23)
RIDER = resident_id(7, "440305", "19900101")
ZZ, SZ, NATIONAL = "410102", "440305", "000000"
ZZ_FIRM = uscc_code(11, ZZ)
NJ_FIRM = uscc_code(12, "320102")
RATER = uscc_code(13, "110105")  # a rating agency registered in Beijing
OFFICE = uscc_code(14, "410100", prefix="11")  # a government service centre
BASIS = "《政府采购法》第二十二条"
PURPOSE = {"X-Purpose": "review before a procurement award", "X-Legal-Basis": quote(BASIS)}


@dataclass
class World:
    client: TestClient
    db: Database
    tokens: dict[str, str]
    ids: dict[str, int]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who != "public" else {}


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with db.begin() as conn:
        rider = add_subject(conn, RIDER, "individual", "440305")
        zz = add_subject(conn, ZZ_FIRM, "enterprise", "410102")
        nj = add_subject(conn, NJ_FIRM, "enterprise", "320102")
        bikes = add_records(
            conn,
            rider,
            "BIKE_VIOLATION",
            [date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1)],
            conduct="damage",
        )
        zz_records = add_records(conn, zz, "ADM_PENALTY_GENERAL", [date(2026, 3, 1)])
        add_records(conn, nj, "ADM_PENALTY_GENERAL", [date(2026, 4, 1)])
        tokens = {
            "official": issue(conn, "李明", Role.OFFICIAL),
            "official-zz": issue(conn, "张伟", Role.OFFICIAL, region_code="410100"),
            "official-js": issue(conn, "陈静", Role.OFFICIAL, region_code="320000"),
            "department": issue(conn, "王芳", Role.DEPARTMENT, department="郑州市财政局"),
            "department-zz": issue(
                conn, "赵强", Role.DEPARTMENT, region_code="410100", department="郑州市财政局"
            ),
            "department-js": issue(
                conn, "周敏", Role.DEPARTMENT, region_code="320000", department="南京市财政局"
            ),
            "agency": issue(conn, "某信用评级公司", Role.AGENCY, subject_code=RATER),
            "auditor": issue(conn, "审计员", Role.AUDITOR),
            "subject": issue(conn, "骑行者", Role.SUBJECT, subject_code=RIDER),
            "subject-zz": issue(conn, "郑州某公司", Role.SUBJECT, subject_code=ZZ_FIRM),
        }
        # the agency's registration lets it read registrations and penalties
        office = add_subject(conn, OFFICE, "agency", "410100")
        rater = add_subject(conn, RATER, "enterprise", "110105")
        register(
            conn,
            load_catalog(),
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
        # the rider lets the Zhengzhou firm check it for cooking: the firm's check is answered
        grant(conn, get(conn, RIDER), get(conn, ZZ_FIRM), "cooking", 30, TODAY, "rider")
    settings = Settings(today=TODAY, database_url=db.url)
    app = create_app(settings, db)
    ids = {"rider": rider, "zz": zz, "nj": nj, "bike": bikes[0], "zz_record": zz_records[0]}
    ids["office"] = office
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(client, db, tokens, ids)


def set_day(world: World, day: str) -> None:
    """Move the server's clock: steps are dated by it, never by the caller."""
    clock = world.client.app.state.service.clock  # type: ignore[attr-defined]
    assert isinstance(clock, FixedClock)
    clock.day = date.fromisoformat(day)


def list_rider(world: World) -> int:
    """Evaluate the rental-bike scheme and take the rider through notice, sign-off, listing."""
    c, who = world.client, world.as_("official")
    run = c.post(
        "/evaluations", json={"scheme": "shenzhen-rental-bike", "as_of": "2026-09-01"}, headers=who
    )
    assert run.status_code == 201, run.text
    set_day(world, "2026-09-01")
    made = c.post("/listings/proposals", json={"run": run.json()["id"]}, headers=who)
    assert made.status_code == 201, made.text
    (listing,) = [m for m in made.json() if m["list_key"].endswith("/untrustworthy")]
    lid = listing["id"]
    for step, day in [
        ("notice", "2026-09-02"),
        ("sign-off", "2026-09-20"),
        ("listing", "2026-09-20"),
    ]:
        set_day(world, day)
        answer = c.post(f"/listings/{lid}/{step}", json={}, headers=who)
        assert answer.status_code == 200, answer.text
    set_day(world, str(TODAY))
    return int(lid)


def test_every_route_names_exactly_one_permission(world: World) -> None:
    routes = [r for r in world.client.app.state.api_routes]  # type: ignore[attr-defined]
    assert len(routes) >= 35
    assert all(len(guard_of(r)) == 1 for r in routes)


# -- the matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    target: str | None = None  # the region of the subject or scheme the call reaches


def calls(world: World, listing_id: int) -> list[Call]:
    ids = world.ids
    return [
        Call("GET", "/health"),
        Call("GET", "/public/subjects?q=subject"),
        Call("GET", f"/public/subjects/{ids['zz']}"),
        Call("GET", "/public/lists/shenzhen-rental-bike/untrustworthy"),
        Call("GET", f"/subjects/{ZZ_FIRM}/file", headers=PURPOSE, target=ZZ),
        Call("GET", f"/subjects/{ZZ_FIRM}/readers", target=ZZ),
        Call("GET", "/me/file"),
        Call("GET", "/me/readers"),
        Call("GET", "/me/cases"),
        Call("POST", "/me/objections", {"record_id": ids["zz_record"], "reason": "wrong firm"}),
        Call("POST", "/me/repairs", {"record_id": ids["zz_record"], "materials": []}),
        Call(
            "POST",
            "/records/batches",
            {"rows": [{"item_code": "ADM_PENALTY_GENERAL"}]},
            {"Idempotency-Key": "m-1"},
        ),
        Call("GET", "/records/batches/1"),
        Call("GET", "/schemes"),
        Call("GET", "/schemes/latest"),
        Call("GET", "/schemes/zhengzhou-environment"),
        Call("POST", "/schemes/blood-donation-incentives/tests"),
        Call("POST", "/schemes/zhengzhou-environment/review", {}, target=ZZ),
        Call("GET", "/schemes/zhengzhou-environment/review", target=ZZ),
        Call("POST", "/schemes/zhengzhou-environment/publication", target=ZZ),
        Call("GET", "/schemes/zhengzhou-environment/impact", target=ZZ),
        Call(
            "POST",
            "/schemes/zhengzhou-environment@1/shadow",
            {"days": 5, "reason": "trial"},
            target=ZZ,
        ),
        Call("GET", "/schemes/zhengzhou-environment@1/shadow", target=ZZ),
        Call("POST", "/links/proposals", {"threshold": 0.9}),
        Call("GET", "/links"),
        Call("GET", "/links/1"),
        Call("POST", "/links/1/acceptance"),
        Call("POST", "/links/1/rejection", {"reason": "another firm"}),
        Call("POST", "/schemes/zhengzhou-environment@1/shadow/stop", target=ZZ),
        Call("POST", "/evaluations", {"scheme": "zhengzhou-environment"}, target=ZZ),
        Call("GET", "/evaluations/compare?first=1&second=1", target=ZZ),
        Call(
            "GET",
            f"/evaluations/explain?scheme=zhengzhou-environment&code={ZZ_FIRM}",
            headers=PURPOSE,
            target=ZZ,
        ),
        Call(
            "GET",
            f"/evaluations/guidance?code={ZZ_FIRM}&scheme=zhengzhou-environment",
            headers=PURPOSE,
            target=ZZ,
        ),
        Call("GET", "/me/guidance"),
        Call("GET", "/evaluations/1", target=ZZ),
        Call("POST", "/listings/proposals", {"run": 1}, target=ZZ),
        Call("GET", f"/listings/{listing_id}", target=SZ),
        Call("POST", f"/listings/{listing_id}/notice", {}, target=SZ),
        Call("POST", f"/listings/{listing_id}/sign-off", {}, target=SZ),
        Call("POST", f"/listings/{listing_id}/listing", {}, target=SZ),
        Call(
            "POST",
            f"/listings/{listing_id}/exit",
            {"reason": "expired"},
            target=SZ,
        ),
        Call("POST", f"/listings/{listing_id}/drop", {"reason": "test"}, target=SZ),
        Call(
            "POST",
            "/checks",
            {"code": ZZ_FIRM, "action": "bidding", "department": "x"},
            target=ZZ,
        ),
        Call(
            "POST",
            "/cases/objections",
            {"record_id": ids["zz_record"], "reason": "x"},
            target=ZZ,
        ),
        Call(
            "POST",
            "/cases/repairs",
            {"record_id": ids["zz_record"], "materials": []},
            target=ZZ,
        ),
        Call("GET", "/cases"),
        Call("GET", "/cases/999"),
        Call("POST", "/cases/999/objection-decision", {"uphold": False, "reasons": "x"}),
        Call("POST", "/cases/999/forward", {"authority": "x"}),
        Call("POST", "/cases/999/repair-decision", {"grant": False, "reasons": "x"}),
        Call("POST", "/reports", {"subject": ZZ_FIRM, "purpose": "tender review"}),
        Call("POST", "/me/reports", {"purpose": "bank loan"}),
        Call("GET", "/reports/register/R20261123-0000000000"),
        Call("GET", "/reports/register/R20261123-0000000000/pdf"),
        Call("POST", "/reports/verification"),
        Call("GET", "/consents/categories"),
        Call("GET", "/me/consents"),
        Call("POST", "/me/consents", {"employer_code": NJ_FIRM, "category": "cooking"}),
        Call("POST", "/me/consents/999/revocation"),
        Call("POST", "/consent-checks", {"worker_code": RIDER}),
        Call("GET", "/services/rankings?region=4101"),
        Call("GET", "/services/agencies/999"),
        Call("POST", "/me/rectifications/999", {"answer": "已整改"}),
        Call("POST", "/services/gradings", {"as_of": "2026-10-31"}, target=NATIONAL),
        Call("GET", "/agencies/registrations"),
        Call(
            "POST",
            "/agencies/registrations",
            {
                "agency_code": NJ_FIRM,
                "regulator": "中国人民银行",
                "licence": "PBOC-2021-011",
                "business_scope": "企业信用评级",
                "items": ["REG_BASIC"],
                "valid_from": "2026-01-01",
                "valid_until": "2027-12-31",
            },
            target="320102",
        ),
        Call("GET", "/catalog"),
        Call("GET", "/catalog/ADM_PENALTY_GENERAL"),
        Call("GET", "/audit/verification", target=NATIONAL),
        Call("GET", "/audit/checkpoint", target=NATIONAL),
        Call("GET", "/audit/entries", target=NATIONAL),
        Call(
            "POST",
            "/webhooks",
            {"url": "http://127.0.0.1:9/hook", "events": ["listing"]},
            target=NATIONAL,
        ),
        Call("GET", "/webhooks", target=NATIONAL),
        Call("DELETE", "/webhooks/999", target=NATIONAL),
        Call("GET", "/inspections/plans"),
        Call("GET", "/inspections/draws"),
        Call("POST", "/inspections/draws", {"plan": "hunan-double-random"}, target="430000"),
        Call("GET", "/inspections/draws/999"),
        Call("POST", "/inspections/draws/999/seed", {"seed": "1", "source": "beacon"}),
        Call("GET", "/inspections/draws/999/inputs.json"),
        Call("GET", "/inspections/draws/999/result.json"),
        Call("GET", "/inspections/draws/999/targets"),
        Call("GET", "/inspections/verifier.py"),
        Call(
            "POST",
            "/inspections/draws/999/results",
            {"subject": ZZ_FIRM, "result": "compliant", "inspector": "ZF-0001"},
        ),
        Call("POST", "/agencies/registrations/1/suspension", {"reason": "备案被暂停"}),
        Call("POST", "/agencies/registrations/1/reinstatement", {"reason": "整改完成"}),
    ]


PRINCIPALS = {
    "public": (Role.PUBLIC, None),
    "subject-zz": (Role.SUBJECT, "own"),
    "department": (Role.DEPARTMENT, None),
    "department-zz": (Role.DEPARTMENT, "410100"),
    "department-js": (Role.DEPARTMENT, "320000"),
    "agency": (Role.AGENCY, None),
    "official": (Role.OFFICIAL, None),
    "official-zz": (Role.OFFICIAL, "410100"),
    "official-js": (Role.OFFICIAL, "320000"),
    "auditor": (Role.AUDITOR, None),
}


def _route_of(world: World, call: Call) -> APIRoute:
    from starlette.routing import Match

    path = call.path.split("?")[0]
    scope = {"type": "http", "path": path, "method": call.method}
    for route in world.client.app.state.api_routes:  # type: ignore[attr-defined]
        if route.matches(scope)[0] is Match.FULL:
            return route
    raise AssertionError(f"no route for {call.method} {path}")


def test_role_route_region_matrix(world: World) -> None:
    zhengzhou = world.client.post(
        "/evaluations", json={"scheme": "zhengzhou-environment"}, headers=world.as_("official")
    )
    assert zhengzhou.json()["id"] == 1  # the run the matrix reads is a Zhengzhou one
    listing_id = list_rider(world)
    covered: set[str] = set()
    for call in calls(world, listing_id):
        route = _route_of(world, call)
        covered.add(f"{sorted(route.methods)[0]} {route.path}")
        (permission,) = guard_of(route)
        for who, (role, region) in PRINCIPALS.items():
            headers = {**(call.headers or {}), **world.as_(who)}
            answer = world.client.request(call.method, call.path, json=call.body, headers=headers)
            label = f"{who} {call.method} {call.path} -> {answer.status_code} {answer.text[:200]}"
            assert answer.status_code < 500, label
            if role is Role.PUBLIC and permission is not Permission.PUBLIC:
                assert answer.status_code == 401, label
            elif permission not in POLICY[role]:
                assert answer.status_code == 403, label
            elif (
                call.target
                and region not in (None, "own")
                and not call.target.startswith(region_prefix(region) or "")
            ):
                assert answer.status_code == 403, label
                assert "region" in answer.json()["detail"], label
            else:
                assert answer.status_code not in (401, 403), label
    every = {
        f"{sorted(r.methods)[0]} {r.path}"
        for r in world.client.app.state.api_routes  # type: ignore[attr-defined]
        if isinstance(r, APIRoute)
    }
    assert every == covered, f"routes missing from the matrix: {every - covered}"


def test_a_subject_token_opens_only_its_own_file(world: World) -> None:
    c = world.client
    own = c.get("/me/file", headers=world.as_("subject"))
    assert own.status_code == 200 and own.json()["code"] == RIDER
    assert len(own.json()["records"]) == 3  # shared records are in the own file
    other = c.post(
        "/me/objections",
        json={"record_id": world.ids["zz_record"], "reason": "not mine"},
        headers=world.as_("subject"),
    )
    assert other.status_code == 403
    assert "own file" in other.json()["detail"]


def test_the_inbox_shows_only_cases_in_the_tokens_region(world: World) -> None:
    c = world.client
    filed = c.post(
        "/cases/objections",
        json={"record_id": world.ids["zz_record"], "reason": "the fine was paid"},
        headers=world.as_("official"),
    )
    assert filed.status_code == 201, filed.text
    assert [x["subject"] for x in c.get("/cases", headers=world.as_("official-zz")).json()] == [
        ZZ_FIRM
    ]
    assert c.get("/cases", headers=world.as_("official-js")).json() == []


# -- public data is masked -----------------------------------------------------------------------


def test_no_public_answer_contains_an_unmasked_resident_id(world: World) -> None:
    list_rider(world)
    with world.db.connect() as conn:
        resident_ids = set(
            conn.execute(text("select code from subjects where kind = 'individual'")).scalars()
        )
    assert RIDER in resident_ids
    public_gets = [
        r
        for r in world.client.app.state.api_routes  # type: ignore[attr-defined]
        if isinstance(r, APIRoute) and guard_of(r) == [Permission.PUBLIC] and "GET" in r.methods
    ]
    issued = world.client.post("/reports", json={"subject": RIDER, "purpose": "rental check"})
    assert issued.status_code == 201, issued.text
    report = issued.json()["id"]
    official = world.as_("official")
    made = world.client.post(
        "/inspections/draws", json={"plan": "samr-double-random"}, headers=official
    )
    assert made.status_code == 201, made.text
    draw = made.json()["id"]
    seed = {"seed": "1 2 3", "source": "beacon"}
    assert world.client.post(
        f"/inspections/draws/{draw}/seed", json=seed, headers=official
    ).is_success
    concrete = {
        "/inspections/draws/{draw_id}": [f"/inspections/draws/{draw}"],
        "/inspections/draws/{draw_id}/inputs.json": [f"/inspections/draws/{draw}/inputs.json"],
        "/inspections/draws/{draw_id}/result.json": [f"/inspections/draws/{draw}/result.json"],
        "/inspections/draws/{draw_id}/targets": [f"/inspections/draws/{draw}/targets"],
        "/reports/register/{report_id}": [f"/reports/register/{report}"],
        "/reports/register/{report_id}/pdf": [f"/reports/register/{report}/pdf"],
        "/public/subjects": ["/public/subjects?q=subject", f"/public/subjects?q={RIDER}"],
        "/public/subjects/{subject_id}": [f"/public/subjects/{world.ids['rider']}"],
        "/public/lists/{scheme_id}/{list_id}": ["/public/lists/shenzhen-rental-bike/untrustworthy"],
        "/schemes/{reference}": ["/schemes/shenzhen-rental-bike"],
        "/catalog/{code}": ["/catalog/BIKE_VIOLATION"],
        "/services/agencies/{subject_id}": [f"/services/agencies/{world.ids['office']}"],
    }
    seen_rider = False
    for route in public_gets:
        for path in concrete.get(route.path, [route.path]):
            answer = world.client.get(path)
            assert answer.status_code == 200, f"{path}: {answer.text[:200]}"
            body = answer.text
            for code in resident_ids:
                assert code not in body, f"{path} shows {code}"
            seen_rider |= RIDER[:6] in body and "*" in body
    assert seen_rider  # the rider appeared, masked, on some public answer


def test_the_public_profile_shows_only_public_records(world: World) -> None:
    rider = world.client.get(f"/public/subjects/{world.ids['rider']}").json()
    assert rider["records"] == []  # bike violations are shared between departments, not public
    firm = world.client.get(f"/public/subjects/{world.ids['zz']}").json()
    assert [r["item_code"] for r in firm["records"]] == ["ADM_PENALTY_GENERAL"]


# -- the access log ------------------------------------------------------------------------------


def _reads(world: World) -> int:
    with world.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(access_log)).scalar_one())


def test_every_non_public_read_is_logged_and_the_subject_sees_who_read(world: World) -> None:
    c = world.client
    before = _reads(world)
    read = c.get(f"/subjects/{ZZ_FIRM}/file", headers={**PURPOSE, **world.as_("department")})
    assert read.status_code == 200
    explained = c.get(
        f"/evaluations/explain?scheme=zhengzhou-environment&code={ZZ_FIRM}",
        headers={**PURPOSE, **world.as_("official")},
    )
    assert explained.status_code == 200, explained.text
    checked = c.post(
        "/checks", json={"code": ZZ_FIRM, "action": "bidding"}, headers=world.as_("department")
    )
    assert checked.status_code == 200, checked.text
    own = c.get("/me/file", headers=world.as_("subject-zz"))
    assert own.status_code == 200
    assert _reads(world) == before + 4
    readers = c.get("/me/readers", headers=world.as_("subject-zz")).json()
    assert [r["resource"] for r in readers] == [
        "file",
        "check",
        "explain zhengzhou-environment@1",
        "file",
    ]
    department = readers[-1]
    assert department["actor"] == "department:王芳@郑州市财政局"
    assert department["purpose"] == PURPOSE["X-Purpose"]
    assert department["legal_basis"] == BASIS
    assert readers[1]["purpose"] == "check before bidding at 郑州市财政局"


def test_official_reads_of_listings_cases_and_readers_are_logged(world: World) -> None:
    c, who = world.client, world.as_("official")
    listing_id = list_rider(world)
    filed = c.post(
        "/cases/objections",
        json={"record_id": world.ids["zz_record"], "reason": "paid"},
        headers=who,
    ).json()
    assert c.get(f"/listings/{listing_id}", headers=who).status_code == 200
    assert c.get(f"/cases/{filed['id']}", headers=who).status_code == 200
    assert c.get(f"/subjects/{ZZ_FIRM}/readers", headers=who).status_code == 200
    with world.db.connect() as conn:
        rows = conn.execute(
            select(access_log.c.subject_id, access_log.c.resource, access_log.c.purpose)
        ).all()
    ids = world.ids
    assert [(r.subject_id, r.resource) for r in rows] == [
        (ids["rider"], f"listing {listing_id}"),
        (ids["zz"], f"case {filed['reference']}"),
        (ids["zz"], "readers"),
    ]
    assert all(r.purpose for r in rows)


def test_a_read_without_purpose_is_refused_naming_the_header(world: World) -> None:
    c = world.client
    answer = c.get(f"/subjects/{ZZ_FIRM}/file", headers=world.as_("department"))
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == "header.X-Purpose"
    only_purpose = {"X-Purpose": "review", **world.as_("department")}
    answer = c.get(f"/subjects/{ZZ_FIRM}/file", headers=only_purpose)
    assert answer.json()["errors"][0]["field"] == "header.X-Legal-Basis"
    assert _reads(world) == 0


def test_when_the_access_log_cannot_be_written_no_data_is_returned(world: World) -> None:
    with world.db.begin() as conn:  # make every insert into the log fail
        if world.db.dialect == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_log BEFORE INSERT ON access_log "
                    "BEGIN SELECT RAISE(ABORT, 'log is down'); END"
                )
            )
        else:
            conn.execute(text("ALTER TABLE access_log ADD CONSTRAINT down CHECK (id < 0)"))
    answer = world.client.get(
        f"/subjects/{ZZ_FIRM}/file", headers={**PURPOSE, **world.as_("department")}
    )
    assert answer.status_code == 503
    assert ZZ_FIRM not in answer.text and "ADM_PENALTY" not in answer.text
    assert answer.json()["title"] == "Access log unavailable"
    # A check's read is logged in the statement that stores the check: neither, or both.
    checked = world.client.post(
        "/checks", json={"code": ZZ_FIRM, "action": "bidding"}, headers=world.as_("department")
    )
    assert checked.status_code == 503, checked.text
    assert "CHK-" not in checked.text
    with world.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(checks)).scalar_one() == 0


# -- batches -------------------------------------------------------------------------------------


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "subject_code": uscc_code(100 + i, "410102"),
            "subject_name": f"郑州测试公司{i}",
            "item_code": "ADM_PENALTY_GENERAL",
            "decided_on": "2026-06-01",
            "reference": f"郑罚〔2026〕{i}号",
        }
        for i in range(n)
    ]


def _count_records(world: World) -> int:
    with world.db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(records)).scalar_one())


def test_a_batch_posted_twice_with_one_key_stores_one_copy(world: World) -> None:
    c, who = world.client, world.as_("department")
    before = _count_records(world)
    body = {"rows": [*_rows(3), {"subject_code": "bad", "item_code": "ADM_PENALTY_GENERAL"}]}
    first = c.post("/records/batches", json=body, headers={"Idempotency-Key": "k-1", **who})
    assert first.status_code == 201, first.text
    assert first.json()["accepted"] == 3 and first.json()["quarantined"] == 1
    assert first.json()["source"] == "郑州市财政局"  # from the token, not the body
    again = c.post("/records/batches", json=body, headers={"Idempotency-Key": "k-1", **who})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _count_records(world) == before + 3
    other = c.post(
        "/records/batches", json={"rows": _rows(1)}, headers={"Idempotency-Key": "k-1", **who}
    )
    assert other.status_code == 409
    status = c.get(f"/records/batches/{first.json()['batch_id']}", headers=who).json()
    assert status["refused_rows"] == [4]
    assert any(p["field"] == "subject_code" for p in status["refused"])


def test_a_batch_can_revoke_the_departments_own_record(world: World) -> None:
    c, who = world.client, world.as_("department")
    rows = _rows(1)
    c.post("/records/batches", json={"rows": rows}, headers={"Idempotency-Key": "a", **who})
    revoke = {
        "rows": [
            {
                "action": "revoke",
                "target_reference": rows[0]["reference"],
                "decided_on": "2026-07-01",
                "reason": "撤销",
            }
        ]
    }
    answer = c.post("/records/batches", json=revoke, headers={"Idempotency-Key": "b", **who})
    assert answer.json()["accepted"] == 1, answer.text
    firm = c.get(f"/subjects/{rows[0]['subject_code']}/file", headers={**PURPOSE, **who}).json()
    assert [r["state"] for r in firm["records"]] == ["revoked"]


def test_problem_details_name_the_field(world: World) -> None:
    answer = world.client.post(
        "/records/batches",
        json={"rows": []},
        headers={"Idempotency-Key": "x", **world.as_("department")},
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["title"] == "Invalid input" and problem["status"] == 422
    assert problem["errors"][0]["field"] == "body.rows"
    unknown = world.client.get("/subjects/91000000000000000X/file", headers=world.as_("official"))
    assert unknown.status_code == 422  # purpose first; nothing is looked up without it
    missing = world.client.get(
        "/subjects/91110000600037341L/file", headers={**PURPOSE, **world.as_("official")}
    )
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"


def test_a_revoked_or_unknown_token_is_refused(world: World) -> None:
    from xinyong.disclosure.tokens import issued, revoke

    bad = world.client.get("/me/file", headers={"Authorization": "Bearer xy_nonsense"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    with world.db.begin() as conn:
        (token,) = [t for t in issued(conn) if t.holder == "骑行者"]
        revoke(conn, token.id)
    assert world.client.get("/me/file", headers=world.as_("subject")).status_code == 401
    with world.db.connect() as conn:
        stored = conn.execute(text("select token_sha256 from api_tokens")).scalars().all()
    assert world.tokens["subject"] not in stored  # only hashes are kept
    assert re.fullmatch(r"[0-9a-f]{64}", stored[0])


def test_publishing_a_scheme_is_audited_once(world: World) -> None:
    c, author, approver = world.client, world.as_("official"), world.as_("official-zz")
    assert c.post("/schemes/zhengzhou-environment/publication", headers=approver).status_code == 409
    assert c.get("/schemes/zhengzhou-environment/review", headers=author).status_code == 404
    submitted = c.post("/schemes/zhengzhou-environment/review", json={}, headers=author)
    assert submitted.status_code == 201, submitted.text
    review = submitted.json()
    assert (
        review["state"] == "submitted" and review["impact"]["scheme"] == "zhengzhou-environment@1"
    )
    assert review["cases_passed"] == review["cases_total"]
    own = c.post("/schemes/zhengzhou-environment/publication", headers=author)
    assert own.status_code == 403 and "second person" in own.json()["detail"]
    first = c.post("/schemes/zhengzhou-environment/publication", headers=approver)
    assert first.status_code == 201, first.text
    assert c.get("/schemes/zhengzhou-environment/review", headers=author).json()["state"] == (
        "approved"
    )
    again = c.post("/schemes/zhengzhou-environment/publication", headers=approver)
    assert again.status_code == 409
    entries = c.get("/audit/entries", headers=world.as_("auditor")).json()
    published = [e for e in entries if e["action"] == "scheme.published"]
    assert published[0]["details"]["sha256"] == first.json()["sha256"]
    assert c.get("/audit/verification", headers=world.as_("auditor")).json()["intact"]


def test_a_batch_over_http_re_evaluates_the_subjects_it_touched(world: World) -> None:
    """The batch route goes through the application's ingest use case: within the request, a
    run is stored for the subject the batch changed, under every scheme in force."""
    from xinyong.store.tables import evaluation_results, evaluation_runs

    c, who = world.client, world.as_("department")
    row = {
        "subject_code": RIDER,
        "subject_name": "骑行者",
        "item_code": "BIKE_VIOLATION",
        "decided_on": "2026-10-01",
        "reference": "深交罚〔2026〕88号",
        "conduct": "damage",
    }
    sent = c.post(
        "/records/batches", json={"rows": [row]}, headers={"Idempotency-Key": "r-1", **who}
    )
    assert sent.status_code == 201, sent.text
    run_ids = sent.json()["evaluation_runs"]
    assert run_ids, "a batch that changed a subject's records stores an evaluation run"
    with world.db.connect() as conn:
        kinds = conn.execute(
            select(evaluation_runs.c.kind, evaluation_runs.c.scheme_id).where(
                evaluation_runs.c.id.in_(run_ids)
            )
        ).all()
        subjects_in_runs = set(
            conn.execute(
                select(evaluation_results.c.subject_id).where(
                    evaluation_results.c.run_id.in_(run_ids)
                )
            ).scalars()
        )
    assert {k for k, _ in kinds} == {"incremental"}
    assert "shenzhen-rental-bike" in {s for _, s in kinds}
    assert world.ids["rider"] in subjects_in_runs
    again = c.post(
        "/records/batches", json={"rows": [row]}, headers={"Idempotency-Key": "r-1", **who}
    )
    assert again.json()["evaluation_runs"] == run_ids  # the replay is the stored answer


def test_failed_tokens_are_logged_and_limited(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = {"Authorization": "Bearer xy_not_a_real_token"}
    with caplog.at_level("WARNING", logger="xinyong.security"):
        answers = [world.client.get("/me/file", headers=wrong).status_code for _ in range(11)]
    assert answers == [401] * 10 + [429]
    assert "failed sign-in from testclient with token xy_not" in caplog.text
    assert "xy_not_a_real_token" not in caplog.text  # never the whole token
    # a good token from the same client is turned away too, for a while
    assert world.client.get("/me/file", headers=world.as_("subject-zz")).status_code == 429


def test_a_subject_asks_what_would_change_its_list_status(world: World) -> None:
    c = world.client
    before = _reads(world)
    mine = c.get("/me/guidance", headers=world.as_("subject"))
    assert mine.status_code == 200, mine.text
    bikes = next(g for g in mine.json() if g["scheme"].startswith("shenzhen-rental-bike"))
    assert "untrustworthy" in bikes["lists"]  # three violations within a year
    leaving = [w for w in bikes["ways"] if w["change"] == {"kind": "leaves", "to": "untrustworthy"}]
    assert leaving and all(len(w["records"]) == 1 for w in leaving)  # one repair is enough
    assert all(w["possible_from"] >= TODAY.isoformat() for w in leaving)
    assert _reads(world) == before + 1  # logged, as the subject's own read
    official = c.get(
        f"/evaluations/guidance?code={RIDER}", headers={**PURPOSE, **world.as_("official")}
    )
    assert official.status_code == 200
    assert [g["scheme"] for g in official.json()] == [g["scheme"] for g in mine.json()]
    unsaid = c.get(f"/evaluations/guidance?code={RIDER}", headers=world.as_("official"))
    assert unsaid.status_code == 422  # an official's read names its purpose


def test_a_versions_impact_is_reported_and_nothing_is_kept(world: World) -> None:
    c, who = world.client, world.as_("official")
    answer = c.get("/schemes/shenzhen-rental-bike@2/impact", headers=who)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["against"] == "shenzhen-rental-bike@1" and body["subjects"] == 1  # the rider
    assert body["transitions"] == [{"from": None, "to": None, "subjects": 1}]
    listed = next(m for m in body["metrics"] if m["name"] == "list:untrustworthy")
    assert listed["rate"] == 1.0 and listed["before"] == 1.0
    (kind,) = listed["by"]["kind"]
    assert kind["group"] == "other" and kind["subjects"] == 1  # groups under 20 are pooled
    assert kind["interval"] == [1.0, 1.0]
    assert c.get("/evaluations/1", headers=who).status_code == 404  # no run was kept
    refused = c.get("/schemes/hunan-double-random/impact", headers=who)
    assert refused.status_code == 422
