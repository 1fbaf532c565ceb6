"""Registered credit-rating agencies: a read returns only the items the registration names and
is logged; a submission holds only the agency's ratings, named with the agency; a suspended,
expired or missing registration stops reads and submissions at once; schemes may read the
ratings."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dueprocess import add_records, add_subject
from helpers import uscc_code
from xinyong.application import Application
from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import Forbidden, InvalidInput
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database

DAY = date(2026, 6, 30)
RATER = uscc_code(801, "110105")
FIRM = uscc_code(802, "410102")
ITEMS = ["REG_BASIC", "ADM_PENALTY_GENERAL", "ADM_PENALTY_MINOR", "ADM_LICENCE", "ENV_VIOLATION"]
READ = Purpose("rating the firm's bonds", "信用评级业管理暂行办法 第二十条")
AGENCY = Principal("某评级公司", Role.AGENCY, subject_code=RATER)


def _app(db: Database, day: date = DAY) -> Application:
    return Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))


@pytest.fixture
def app(db: Database) -> Application:
    with db.begin() as conn:
        add_subject(conn, RATER, "enterprise", "110105", "72")
        firm = add_subject(conn, FIRM, "enterprise", "410102", "26")
        add_records(conn, firm, "ADM_PENALTY_GENERAL", [date(2026, 3, 1)])
        add_records(conn, firm, "ADM_PENALTY_MINOR", [date(2026, 4, 1)])
        add_records(conn, firm, "ENV_VIOLATION", [date(2026, 5, 1)], conduct="exceedance")
    return _app(db)


def _register(app: Application, items: list[str], until: date = date(2027, 12, 31)) -> int:
    made = app.agencies.register(
        RATER,
        regulator="中国人民银行",
        licence="PBOC-2020-007",
        business_scope="企业信用评级",
        items=items,
        valid_from=date(2026, 1, 1),
        valid_until=until,
        by="official:李明",
    )
    return made.id


def _rating(**extra: Any) -> dict[str, Any]:
    return {
        "item_code": "AGENCY_CREDIT_RATING",
        "subject_code": FIRM,
        "decided_on": "2026-06-01",
        "valid_from": "2026-06-01",
        "valid_to": "2027-05-31",
        "reference": "评级报告〔2026〕18号",
        "rating": "AA",
        "outlook": "stable",
        "method": "工商企业评级方法（2024版）",
        **extra,
    }


def _submit(app: Application, rows: list[dict[str, Any]], key: str) -> Any:
    return app.records.submit(
        rows,
        source=AGENCY.holder,
        actor=AGENCY.actor,
        key=key,
        answer=lambda done: {"accepted": done.report.accepted},
        principal=AGENCY,
    )


_SCOPES = st.lists(st.sampled_from(ITEMS), min_size=1, max_size=len(ITEMS), unique=True)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=_SCOPES)
def test_property_an_agency_never_reads_an_item_outside_its_registration(
    app: Application, db: Database, items: list[str]
) -> None:
    from sqlalchemy import delete

    from xinyong.store.tables import access_log, agency_registrations

    with db.begin() as conn:
        conn.execute(delete(agency_registrations))
        conn.execute(delete(access_log))
    _register(app, items)
    file = app.files.file(FIRM, principal=AGENCY, purpose=READ)
    assert {r.record.item_code for r in file.records} <= set(items)
    assert file.listings == () and file.open_cases == ()
    full = app.files.file(FIRM, public=False)
    assert [r.record.id for r in file.records] == [
        r.record.id for r in full.records if r.record.item_code in items
    ]
    (read,) = app.files.readers(FIRM, Principal("审计员", Role.AUDITOR))[:1]
    assert read.role == "agency" and read.resource == "file (agency) PBOC-2020-007"


def test_a_suspended_or_expired_registration_stops_reads_and_submissions(
    app: Application, db: Database
) -> None:
    registration = _register(app, ["ADM_PENALTY_GENERAL"], until=date(2026, 7, 31))
    app.files.file(FIRM, principal=AGENCY, purpose=READ)
    assert _submit(app, [_rating()], "r-1").status == 201
    app.agencies.suspend(registration, "备案被暂停", by="official:李明")
    with pytest.raises(Forbidden, match="suspended"):
        app.files.file(FIRM, principal=AGENCY, purpose=READ)
    with pytest.raises(Forbidden, match="suspended"):
        _submit(app, [_rating(rating="AA-")], "r-2")
    app.agencies.reinstate(registration, "整改完成", by="official:李明")
    app.files.file(FIRM, principal=AGENCY, purpose=READ)
    later = _app(db, date(2026, 7, 31) + timedelta(days=1))
    with pytest.raises(Forbidden, match="expired"):
        later.files.file(FIRM, principal=AGENCY, purpose=READ)
    with pytest.raises(Forbidden, match="expired"):
        _submit(later, [_rating(rating="A")], "r-3")


def test_an_agency_without_a_registration_reads_nothing(app: Application) -> None:
    with pytest.raises(Forbidden, match="no registration"):
        app.files.file(FIRM, principal=AGENCY, purpose=READ)


def test_an_agency_submits_only_its_ratings_named_as_a_third_partys(app: Application) -> None:
    _register(app, ["ADM_PENALTY_GENERAL"])
    with pytest.raises(InvalidInput, match="row 2: item_code"):
        _submit(app, [_rating(), {**_rating(), "item_code": "ADM_PENALTY_GENERAL"}], "r-9")
    done = _submit(app, [_rating(agency="别的公司")], "r-10")
    assert done.status == 201 and done.body == {"accepted": 1}
    file = app.files.file(FIRM, public=True)
    (rating,) = [r for r in file.records if r.record.item_code == "AGENCY_CREDIT_RATING"]
    attributes = rating.record.attributes
    assert attributes["agency"] == _rater_name(app) and attributes["licence"] == "PBOC-2020-007"
    assert attributes["rating"] == "AA" and rating.public


def _rater_name(app: Application) -> str:
    with app.reading() as conn:
        from xinyong.registry.subjects import get

        return get(conn, RATER).name


def test_a_scheme_may_read_the_agencies_ratings(tmp_path: Path) -> None:
    path = tmp_path / "rated.yaml"
    path.write_text(
        """
scheme:
  id: rated-firms
  version: 1
  type: list
  title: {zh: 获高等级评级的企业, en: Firms rated AA or better}
  authority: 某市信用办
  region: "410100"
  legal_basis: [{document: 国办发〔2020〕49号}]
  effective_from: 2026-01-01
  published_on: 2025-12-01
  cadence: monthly
scope: {kinds: [enterprise]}
lists:
  - id: well-rated
    name: {zh: 高等级, en: well rated}
    severity: redlist
    enter: {records: {item: AGENCY_CREDIT_RATING, attribute: {rating: {one_of: [AAA, AA+, AA]}}}}
    period: 1Y
tests:
  - name: an AA rating
    as_of: 2026-06-30
    subject: {kind: enterprise, region: "410102"}
    records:
      - {item: AGENCY_CREDIT_RATING, decided_on: 2026-06-01,
         attributes: {rating: AA, outlook: stable, method: m}}
    expect: {lists: [well-rated]}
""",
        encoding="utf-8",
    )
    library = Library.load(Catalog.load(), [path])
    assert library.get("rated-firms").definition.lists[0].id == "well-rated"


def test_the_register_and_a_third_partys_rating_on_the_profile(
    app: Application, db: Database
) -> None:
    from fastapi.testclient import TestClient

    from xinyong.web import create_app

    _register(app, ["ADM_PENALTY_GENERAL"])
    _submit(app, [_rating()], "r-20")
    web = create_app(Settings(today=DAY, database_url=db.url), db)
    with db.connect() as conn:
        from xinyong.registry.subjects import get

        firm_id = get(conn, FIRM).id
    with TestClient(web, base_url="http://localhost") as c:
        register_zh = c.get("/agencies?lang=zh").text
        assert "PBOC-2020-007" in register_zh and 'data-state="active"' in register_zh
        profile = c.get(f"/profile/{firm_id}?lang=zh").text
        assert "第三方评级" in profile and "评定为" in profile
        profile_en = c.get(f"/profile/{firm_id}?lang=en").text
        assert "A third party&#39;s rating" in profile_en or "A third party's rating" in profile_en


def test_a_suspension_that_lands_while_a_batch_is_sent_stops_it(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registration is read again under its lock inside the batch's transaction."""
    from xinyong.disclosure import agencies

    registration = _register(app, ["ADM_PENALTY_GENERAL"])
    real = agencies.rating_rows

    def suspended_meanwhile(rows: list[dict[str, Any]], found: Any) -> list[dict[str, Any]]:
        app.agencies.suspend(registration, "备案被暂停", by="official:李明")
        return real(rows, found)

    monkeypatch.setattr(agencies, "rating_rows", suspended_meanwhile)
    with pytest.raises(Forbidden, match="suspended"):
        _submit(app, [_rating()], "r-30")
    file = app.files.file(FIRM, public=True)
    assert not [r for r in file.records if r.record.item_code == "AGENCY_CREDIT_RATING"]


def test_a_flag_of_a_screening_scheme_is_no_public_list(app: Application) -> None:
    from xinyong.errors import NotFound

    with pytest.raises(NotFound):
        app.listings.members("hohhot-domestic-worker-check/harm")
