"""Listing terms as the law sets them, on the shipped list of judgment defaulters: each ground
its own term, the term a court's decision sets, no fixed term for a party able to perform that
refuses, and the exit when the obligations are performed (the record ingested through the
application, which ends the listing in the batch's own transaction)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection

from dueprocess import add_records, add_subject
from helpers import uscc_code, write_csv
from xinyong.application import Application
from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.dueprocess.lifecycle import ExitReason, IllegalTransition, State
from xinyong.dueprocess.listings import exit_listing, notify, propose, put_on_list, sign_off
from xinyong.dueprocess.memberships import Listing, events, get_listing, memberships, verify
from xinyong.evaluation.runs import store_run
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database

COURTS = "court-judgment-defaulters"
AS_OF = date(2025, 6, 30)
COURT = "北京市朝阳区人民法院"


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> Library:
    return Library.load(catalog)


def _proposed(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    grounds: dict[int, list[dict[str, object]]],
) -> dict[int, Listing]:
    """Firms (by serial) with the court decisions given, proposed from one run."""
    ids = {}
    for serial, decisions in grounds.items():
        ids[serial] = add_subject(conn, uscc_code(serial, "110105"), "enterprise", "110105")
        for number, decision in enumerate(decisions, start=1):
            day = [date(2025, 3, number)]
            add_records(conn, ids[serial], "JUD_DEFAULTER", day, court=COURT, **decision)
    scheme = library.get(COURTS)
    run = store_run(conn, scheme, catalog, AS_OF)
    proposed = {p.subject_id: p for p in propose(conn, scheme, catalog, run, date(2025, 7, 1))}
    return {serial: proposed[subject_id] for serial, subject_id in ids.items()}


def _listed(conn: Connection, library: Library, catalog: Catalog, listing: Listing) -> Listing:
    scheme = library.get(COURTS)
    notify(conn, listing.id, date(2025, 7, 1), "xinyong", scheme, catalog)
    sign_off(conn, listing.id, date(2025, 7, 11), "李法官")
    return put_on_list(conn, listing.id, date(2025, 7, 14), "李法官", [])


def test_each_ground_sets_its_term(db: Database, library: Library, catalog: Catalog) -> None:
    with db.begin() as conn:
        found = _proposed(
            conn,
            library,
            catalog,
            {
                1: [{"ground": "obstructs"}],  # the rule's 2 years
                2: [{"ground": "obstructs", "term_years": 4}],  # extended by the court
                3: [{"ground": "capable_refuses"}],  # no fixed term
                4: [{"ground": "false_litigation", "term_years": 3}, {"ground": "capable_refuses"}],
            },
        )
        assert {serial: listing.state.period for serial, listing in found.items()} == {
            1: "2Y",
            2: "4Y",
            3: "open",
            4: "open",  # the longest of the grounds' terms
        }
        extended = _listed(conn, library, catalog, found[2])
        assert (extended.state.listed_from, extended.state.listed_until) == (
            date(2025, 7, 14),
            date(2029, 7, 14),
        )
        open_ended = _listed(conn, library, catalog, found[3])
        assert open_ended.state.listed_until is None
        # in effect years on, until its exit event: never a far date standing in for "no term"
        assert [m.id for m in memberships(conn, open_ended.subject_id, date(2040, 1, 1))] == [
            open_ended.id
        ]
        with pytest.raises(IllegalTransition, match="no fixed term"):
            exit_listing(conn, open_ended.id, date(2030, 1, 1), "李法官", ExitReason.EXPIRED)
        assert verify(conn, open_ended.id)


def test_performing_the_obligations_ends_the_listing_and_its_records_never_list_again(
    db: Database, library: Library, catalog: Catalog, tmp_path: Path
) -> None:
    with db.begin() as conn:
        found = _proposed(conn, library, catalog, {11: [{"ground": "capable_refuses"}]})
        listing = _listed(conn, library, catalog, found[11])
        pending = _proposed(conn, library, catalog, {12: [{"ground": "obstructs"}]})[12]
    day = date(2025, 9, 30)  # a Tuesday, in the National Day week
    app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))
    rows = [
        {
            "subject_code": uscc_code(serial, "110105"),
            "item_code": "JUD_OBLIGATION_PERFORMED",
            "decided_on": "2025-09-26",
            "reference": f"（2025）京0105执{serial}号",
            "court": COURT,
        }
        for serial in (11, 12)
    ]
    app.records.ingest_file(write_csv(tmp_path / "performed.csv", rows), COURT)
    with db.begin() as conn:
        ended = get_listing(conn, listing.id)
        assert (ended.state.state, ended.state.exited_on, ended.state.exit_reason) == (
            State.EXITED,
            day,
            ExitReason.PERFORMED.value,
        )
        last = events(conn, listing.id)[-1]
        assert last.details is not None
        # 3 working days from Friday 26 September 2025: Sunday the 28th (a working day under
        # the year's holiday arrangement), Monday the 29th and Tuesday the 30th
        assert last.details["delete_by"] == "2025-09-30"
        assert last.details["late"] is False
        assert get_listing(conn, pending.id).state.state is State.DROPPED
        assert memberships(conn, ended.subject_id, day) == []
        # the same records never propose the subject again
        scheme = library.get(COURTS)
        run = store_run(conn, scheme, catalog, date(2025, 10, 31))
        again = propose(conn, scheme, catalog, run, date(2025, 11, 1))
        assert {p.subject_id for p in again} & {ended.subject_id, pending.subject_id} == set()


def test_a_later_court_decision_extends_the_listing_instead_of_a_second_one(
    db: Database, library: Library, catalog: Catalog, tmp_path: Path
) -> None:
    with db.begin() as conn:
        found = _proposed(conn, library, catalog, {21: [{"ground": "obstructs"}]})
        listing = _listed(conn, library, catalog, found[21])
        assert listing.state.listed_until == date(2027, 7, 14)
        open_ended = _listed(
            conn,
            library,
            catalog,
            _proposed(conn, library, catalog, {22: [{"ground": "capable_refuses"}]})[22],
        )
    day = date(2025, 12, 1)
    app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))
    rows = [
        {
            "subject_code": uscc_code(serial, "110105"),
            "item_code": "JUD_DEFAULTER_EXTENSION",
            "decided_on": "2025-11-20",
            "reference": f"（2025）京0105执恢{serial}号",
            "court": COURT,
            "years": 2,
        }
        for serial in (21, 22)
    ]
    app.records.ingest_file(write_csv(tmp_path / "extended.csv", rows), COURT)
    with db.begin() as conn:
        extended = get_listing(conn, listing.id)
        assert (extended.state.state, extended.state.listed_until) == (
            State.LISTED,
            date(2029, 7, 14),  # two more years from the end it had
        )
        assert len(extended.record_ids) == 2  # the extension is one of its records now
        assert events(conn, listing.id)[-1].action.value == "extend"
        assert verify(conn, listing.id)
        # a listing with no fixed term has nothing to extend
        assert get_listing(conn, open_ended.id).state.listed_until is None
        # a listed subject gets no second listing: the later record went to the first
        scheme = library.get(COURTS)
        run = store_run(conn, scheme, catalog, date(2025, 12, 31))
        again = propose(conn, scheme, catalog, run, date(2026, 1, 1))
        assert {p.subject_id for p in again} & {extended.subject_id} == set()
