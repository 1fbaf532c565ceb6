"""Consent-based checks of domestic workers: a check only under a consent that holds, a pass or
a flag per consented category and nothing more, every check in the worker's access log, a
withdrawal that stops the next check; the screening scheme's flags agree with the reference
evaluator and never become listings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dueprocess import add_records, add_subject
from helpers import resident_id, uscc_code
from xinyong.application import Application
from xinyong.clock import FixedClock
from xinyong.disclosure.access import readers
from xinyong.disclosure.consents import MAX_DAYS, categories
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import audit_log, consent_checks, listings

DAY = date(2026, 6, 30)
WORKER = resident_id(901, "150102", "19850301")
CLEAN = resident_id(902, "150102", "19900101")
FAMILY = resident_id(903, "150103", "19750101")
AGENCY_FIRM = uscc_code(904, "150102")
SCHEME = "hohhot-domestic-worker-check"


def _app(db: Database, day: date = DAY) -> Application:
    return Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))


@pytest.fixture
def app(db: Database) -> Application:
    with db.begin() as conn:
        worker = add_subject(conn, WORKER, "individual", "150102")
        add_subject(conn, CLEAN, "individual", "150102")
        add_subject(conn, FAMILY, "individual", "150103")
        add_subject(conn, AGENCY_FIRM, "enterprise", "150102", "80")
        add_records(
            conn,
            worker,
            "DOMESTIC_COMPLAINT_UPHELD",
            [date(2025, 9, 1), date(2026, 3, 1)],
            category="cooking",
            conduct="poor_service",
        )
        add_records(
            conn, worker, "DOMESTIC_BACKGROUND_FINDING", [date(2025, 1, 5)], finding="drug_offence"
        )
    return _app(db)


def worker_of(code: str) -> Principal:
    return Principal("worker", Role.SUBJECT, subject_code=code)


def employer_of(code: str) -> Principal:
    return Principal("employer", Role.SUBJECT, subject_code=code)


def test_the_shipped_categories_are_seven_and_say_their_source() -> None:
    found = categories()
    assert len(found.codes) == 7
    assert "our own modelling" in found.source_en


def test_a_check_answers_pass_or_flag_per_consented_category(app: Application) -> None:
    for category in ("cooking", "maternity", "housekeeping"):
        app.consents.grant(WORKER, FAMILY, category, 30, by="worker", principal=worker_of(WORKER))
    answer = app.consents.check(FAMILY, WORKER, by="family", principal=employer_of(FAMILY))
    got = {o.category: (o.outcome, [r.kind for r in o.reasons]) for o in answer.outcomes}
    assert got == {
        "maternity": ("flag", ["drugs"]),  # a drug offence concerns the care categories
        "housekeeping": ("pass", []),
        "cooking": ("flag", ["complaints-cooking"]),
    }
    assert answer.scheme == f"{SCHEME}@1"
    # what the employer is given: categories, outcomes, kinds; no record, date or amount
    assert answer.to_json() == {
        "scheme": f"{SCHEME}@1",
        "outcomes": [
            {"category": "maternity", "outcome": "flag", "reasons": ["drugs"]},
            {"category": "housekeeping", "outcome": "pass", "reasons": []},
            {"category": "cooking", "outcome": "flag", "reasons": ["complaints-cooking"]},
        ],
    }


def test_every_check_is_in_the_workers_access_log_and_the_audit_log(
    app: Application, db: Database
) -> None:
    app.consents.grant(WORKER, FAMILY, "cooking", 10, by="worker", principal=worker_of(WORKER))
    app.consents.check(FAMILY, WORKER, by="family", principal=employer_of(FAMILY))
    with db.connect() as conn:
        from xinyong.registry.subjects import get

        worker = get(conn, WORKER)
        (read,) = readers(conn, worker.id, others_only=True)
        actions = list(conn.execute(select(audit_log.c.action).order_by(audit_log.c.seq)).scalars())
    assert read.role == "employer" and read.resource == "consent"
    assert "consent #" in read.legal_basis and "PIPL" in read.legal_basis
    assert "consent.granted" in actions and "consent.checked" in actions
    mine = app.consents.mine(WORKER, principal=worker_of(WORKER))
    assert [c.reference for c in mine.checks_about_me] and not mine.checks_by_me


def test_a_check_without_a_consent_is_refused_and_kept(app: Application, db: Database) -> None:
    with pytest.raises(Forbidden, match="no consent"):
        app.consents.check(FAMILY, WORKER, by="family", principal=employer_of(FAMILY))
    with db.connect() as conn:
        outcome, refusal = conn.execute(
            select(consent_checks.c.outcome, consent_checks.c.refusal)
        ).one()
        logged = conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.action == "consent.check_refused")
        ).scalar_one()
    assert outcome == "refused" and "no consent" in refusal and logged == 1
    with db.connect() as conn:
        from xinyong.registry.subjects import get

        assert readers(conn, get(conn, WORKER).id, others_only=True) == []  # nothing was read


def test_a_consent_to_one_employer_does_not_open_the_worker_to_another(
    app: Application,
) -> None:
    app.consents.grant(WORKER, FAMILY, "cooking", 10, by="worker", principal=worker_of(WORKER))
    with pytest.raises(Forbidden):
        app.consents.check(AGENCY_FIRM, WORKER, by="firm", principal=employer_of(AGENCY_FIRM))


def test_a_withdrawn_consent_stops_the_next_check(app: Application) -> None:
    given = app.consents.grant(
        WORKER, FAMILY, "cooking", 10, by="worker", principal=worker_of(WORKER)
    )
    app.consents.check(FAMILY, WORKER, by="family", principal=employer_of(FAMILY))
    app.consents.revoke(given.consent.id, WORKER, by="worker", principal=worker_of(WORKER))
    with pytest.raises(Forbidden):
        app.consents.check(FAMILY, WORKER, by="family", principal=employer_of(FAMILY))
    with pytest.raises(Conflict, match="already withdrawn"):
        app.consents.revoke(given.consent.id, WORKER, by="worker", principal=worker_of(WORKER))


def test_a_consent_ends_on_its_last_day(app: Application, db: Database) -> None:
    app.consents.grant(CLEAN, FAMILY, "maternity", 3, by="worker", principal=worker_of(CLEAN))
    last = _app(db, DAY + timedelta(days=2))
    (outcome,) = last.consents.check(FAMILY, CLEAN, by="family").outcomes
    assert outcome.outcome == "pass"
    with pytest.raises(Forbidden):
        _app(db, DAY + timedelta(days=3)).consents.check(FAMILY, CLEAN, by="family")


def test_only_the_worker_gives_and_withdraws_and_only_the_employer_checks(
    app: Application,
) -> None:
    with pytest.raises(Forbidden):
        app.consents.grant(WORKER, FAMILY, "cooking", 10, by="x", principal=worker_of(FAMILY))
    given = app.consents.grant(
        WORKER, FAMILY, "cooking", 10, by="worker", principal=worker_of(WORKER)
    )
    with pytest.raises(Forbidden):
        app.consents.revoke(given.consent.id, WORKER, by="family", principal=employer_of(FAMILY))
    with pytest.raises(Forbidden):
        app.consents.check(FAMILY, WORKER, by="worker", principal=worker_of(WORKER))
    department = Principal("dept", Role.DEPARTMENT, department="x")
    with pytest.raises(Forbidden):
        app.consents.check(FAMILY, WORKER, by="dept", principal=department)


def test_consents_are_limited_and_named(app: Application) -> None:
    with pytest.raises(InvalidInput, match="days"):
        app.consents.grant(WORKER, FAMILY, "cooking", MAX_DAYS + 1, by="w")
    with pytest.raises(InvalidInput, match="category"):
        app.consents.grant(WORKER, FAMILY, "gardening", 10, by="w")
    with pytest.raises(InvalidInput, match="person"):
        app.consents.grant(AGENCY_FIRM, FAMILY, "cooking", 10, by="w")
    app.consents.grant(WORKER, FAMILY, "cooking", 10, by="w")
    with pytest.raises(Conflict, match="already holds"):
        app.consents.grant(WORKER, FAMILY, "cooking", 10, by="w")


def test_a_screening_run_never_lists_anyone(app: Application) -> None:
    with pytest.raises(InvalidInput, match="screening"):
        app.listings.propose(scheme=SCHEME, as_of=DAY, by="official")
    with app.reading() as conn:
        assert conn.execute(select(func.count()).select_from(listings)).scalar_one() == 0


_CATS = st.lists(st.sampled_from(categories().codes), min_size=1, max_size=7, unique=True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    granted=_CATS,
    revoke_some=st.lists(st.booleans(), min_size=7, max_size=7),
    day_offset=st.integers(min_value=0, max_value=40),
)
def test_property_an_employer_sees_pass_or_flag_only_for_what_holds(
    app: Application, db: Database, granted: list[str], revoke_some: list[bool], day_offset: int
) -> None:
    """Whatever consents are given, withdrawn or expired: a check answers exactly the
    categories whose consent holds, each only pass or flag with flag kinds; with none it is
    refused and nothing is read."""
    with db.begin() as conn:
        from sqlalchemy import delete

        from xinyong.store.tables import access_log, consents

        conn.execute(delete(consent_checks))
        conn.execute(delete(access_log))
        conn.execute(delete(consents))
    holding = set()
    for index, category in enumerate(granted):
        made = app.consents.grant(WORKER, FAMILY, category, 20, by="w")
        if revoke_some[index]:
            app.consents.revoke(made.consent.id, WORKER, by="w")
        elif day_offset < 20:
            holding.add(category)
    later = _app(db, DAY + timedelta(days=day_offset))
    flags = {d.id for d in app.library.get(SCHEME).definition.lists}
    if not holding:
        with pytest.raises(Forbidden):
            later.consents.check(FAMILY, WORKER, by="family")
        return
    answer = later.consents.check(FAMILY, WORKER, by="family")
    assert {o.category for o in answer.outcomes} == holding
    for outcome in answer.to_json()["outcomes"]:
        assert set(outcome) == {"category", "outcome", "reasons"}
        assert outcome["outcome"] in ("pass", "flag")
        assert set(outcome["reasons"]) <= flags
        assert (outcome["outcome"] == "flag") == bool(outcome["reasons"])


# -- the portal ----------------------------------------------------------------------------------


def test_the_consents_page_gives_withdraws_and_checks(db: Database) -> None:
    import re

    from fastapi.testclient import TestClient

    from xinyong.disclosure.tokens import issue
    from xinyong.web import create_app

    with db.begin() as conn:
        worker = add_subject(conn, WORKER, "individual", "150102")
        add_subject(conn, FAMILY, "individual", "150103")
        add_records(
            conn, worker, "DOMESTIC_BACKGROUND_FINDING", [date(2025, 1, 5)], finding="drug_offence"
        )
        tokens = {
            "worker": issue(conn, "王阿姨", Role.SUBJECT, subject_code=WORKER),
            "family": issue(conn, "李先生", Role.SUBJECT, subject_code=FAMILY),
        }
    app = create_app(Settings(today=DAY, database_url=db.url), db)
    with TestClient(app, base_url="http://localhost") as c:

        def csrf(path: str) -> str:
            found = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get(path).text)
            assert found, path
            return found.group(1)

        def sign_in(who: str) -> None:
            c.cookies.clear()
            c.post("/signin", data={"token": tokens[who], "csrf": csrf("/signin")})

        sign_in("worker")
        page = c.get("/account/consents?lang=en")
        assert page.status_code == 200 and "Let an employer check me" in page.text
        form = {"employer": FAMILY, "category": "maternity", "days": "7"}
        given = c.post("/account/consents", data={**form, "csrf": csrf("/account/consents")})
        assert given.url.path == "/account/consents" and 'data-state="valid"' in given.text
        again = c.post("/account/consents", data={**form, "csrf": csrf("/account/consents")})
        assert again.status_code == 409 and "consent-problem" in again.text
        sign_in("family")
        answer = c.post(
            "/account/consent-checks",
            data={"worker": WORKER, "csrf": csrf("/account/consents?lang=zh")},
        )
        assert answer.status_code == 200
        assert 'data-category="maternity" data-outcome="flag"' in answer.text
        assert "毒品犯罪" in answer.text  # the kind of the reason, in the page's language
        assert "2025-01-05" not in answer.text  # never the record
        sign_in("worker")
        mine = c.get("/account?lang=zh").text
        assert "雇用家政服务人员前核验（母婴护理）" in mine  # the read, in who read my file
        consent_id = re.search(r'data-consent="(\d+)"', c.get("/account/consents").text)
        assert consent_id
        withdrawn = c.post(
            f"/account/consents/{consent_id.group(1)}/revocation",
            data={"csrf": csrf("/account/consents")},
        )
        assert 'data-state="revoked"' in withdrawn.text
        sign_in("family")
        refused = c.post(
            "/account/consent-checks",
            data={"worker": WORKER, "csrf": csrf("/account/consents")},
        )
        assert refused.status_code == 403 and "consent-problem" in refused.text


def test_the_public_never_sees_a_flag_as_a_list(db: Database) -> None:
    from fastapi.testclient import TestClient

    from xinyong.web import create_app

    app = create_app(Settings(today=DAY, database_url=db.url), db)
    with TestClient(app, base_url="http://localhost") as c:
        assert "complaints-cooking" not in c.get("/lists").text
        assert c.get(f"/lists/{SCHEME}/harm").status_code == 404
        assert c.get(f"/directory/{SCHEME}").status_code == 200  # what counts is public
