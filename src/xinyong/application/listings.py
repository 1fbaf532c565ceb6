"""Listings: a list scheme's candidates proposed from a run, then notified, signed off by a
person, put into effect, ended or dropped, one dated step at a time. Each step is one
transaction that reads the listing, checks the caller's reach and the lifecycle's rule, and
stores the event with the state it gives. Every step is dated by the application's clock, never
by the caller; the one earlier date an official may record (an exit's effective day) is a
separate, bounded field with its reason, kept in the event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from xinyong.application.base import Backdate, Core
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission, Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.dueprocess.lifecycle import Event, ExitReason
from xinyong.dueprocess.listings import drop, exit_listing, notify, propose, put_on_list, sign_off
from xinyong.dueprocess.memberships import (
    Listing,
    events,
    get_listing,
    in_progress,
    members,
    members_page,
    sizes,
    verify,
)
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.runs import Run, get_run, store_run
from xinyong.registry.subjects import get, names_of, regions_of
from xinyong.schemes.model import SchemeType
from xinyong.store.locks import lock_name, lock_rows
from xinyong.store.tables import listings, records

HANDLING = Purpose(
    "handling the listing", "the listing procedure of the scheme (国办发〔2020〕49号)"
)
Step = Callable[[Connection, Listing, date], Listing]


@dataclass(frozen=True, slots=True)
class Member:
    """A listing as published: the subject's code and name masked as the public sees them."""

    listing: Listing
    code: str
    name: str


class Listings:
    """Use cases of the listing lifecycle."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def propose(
        self,
        run_id: int | None = None,
        *,
        scheme: str | None = None,
        as_of: date | None = None,
        by: str = "xinyong",
        principal: Principal | None = None,
    ) -> tuple[Run, list[Listing]]:
        """Propose listings for the new candidates of a stored run, or of a new run of
        ``scheme`` as of ``as_of``."""
        core = self.core
        with core.transaction() as conn:
            if run_id is not None:
                run = get_run(conn, run_id)
                found = core.library.get(run.scheme)
            else:
                day = as_of or core.today()
                found = core.library.get(scheme or "", day)
                run = store_run(conn, found, core.catalog, day)
            if principal is not None:
                access.reach_region(principal, found.definition.scheme.region, found.key)
            if found.definition.scheme.type is SchemeType.SCREENING:
                raise InvalidInput(
                    f"{found.key} is a screening scheme: its flags answer a worker's consent "
                    "check and never list anyone"
                )
            # one proposer of a scheme's listings at a time: a subject is proposed once
            lock_name(conn, f"propose:{found.id}")
            made = propose(conn, found, core.catalog, run, core.today(), by)
        return run, made

    def _step(
        self,
        listing_id: int,
        principal: Principal | None,
        take: Step,
        *,
        records_too: bool = False,
    ) -> Listing:
        """One step, dated by the application's clock: the listing is locked (after its
        records, with ``records_too``) and read again under the lock before ``take`` checks
        the rule and stores the event."""
        with self.core.transaction() as conn:
            found = get_listing(conn, listing_id)
            if principal is not None:
                access.reach(principal, get(conn, found.subject_code))
            if records_too:
                lock_rows(conn, records, found.record_ids)
            lock_rows(conn, listings, [listing_id])
            return take(conn, get_listing(conn, listing_id), self.core.today())

    def notify(
        self,
        listing_id: int,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Listing:
        """Send the notice: reasons, legal basis, rights and the objection deadline."""
        core = self.core

        def take(conn: Connection, found: Listing, day: date) -> Listing:
            scheme = core.library.get(f"{found.scheme_id}@{found.scheme_version}")
            return notify(conn, found.id, day, by, scheme, core.catalog)

        return self._step(listing_id, principal, take)

    def sign_off(
        self,
        listing_id: int,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Listing:
        """A named official signs off once the objection window has closed with none open (the
        records are locked too, so an objection lodged at the same moment is seen or waits)."""
        return self._step(
            listing_id, principal, lambda c, f, d: sign_off(c, f.id, d, by), records_too=True
        )

    def put_on_list(
        self,
        listing_id: int,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Listing:
        """Put a signed-off listing into effect, unless a leniency policy defers it."""
        policies = self.core.policies
        return self._step(
            listing_id, principal, lambda c, f, d: put_on_list(c, f.id, d, by, policies)
        )

    def exit(
        self,
        listing_id: int,
        reason: ExitReason,
        *,
        by: str,
        note: str = "",
        effective: Backdate | None = None,
        principal: Principal | None = None,
    ) -> Listing:
        """End a listing in effect, today or, with ``effective``, from an earlier day the law
        lets the official record (the day a defaulter performed its obligations), with its
        reason; never before the listing's last step."""

        def take(conn: Connection, found: Listing, today: date) -> Listing:
            day, details = today, {}
            if effective is not None:
                previous = events(conn, found.id)[-1].on
                details = effective.check(today, previous)
                day = effective.on
            return exit_listing(conn, found.id, day, by, reason, note, details)

        return self._step(listing_id, principal, take)

    def drop(
        self,
        listing_id: int,
        reason: str,
        *,
        by: str,
        note: str = "",
        principal: Principal | None = None,
    ) -> Listing:
        """Drop a proposal before it takes effect."""
        return self._step(listing_id, principal, lambda c, f, d: drop(c, f.id, d, by, reason, note))

    # -- reading --------------------------------------------------------------------------------
    def listing(self, listing_id: int, principal: Principal | None = None) -> Listing:
        """A listing; read by an official, it is written to the subject's access log."""
        with self.core.transaction() as conn:
            found = get_listing(conn, listing_id)
            if principal is not None:
                access.reach(principal, get(conn, found.subject_code))
                access.log_read(
                    conn, principal, found.subject_id, f"listing {listing_id}", HANDLING
                )
            return found

    def history(self, listing_id: int) -> tuple[Listing, list[Event], bool]:
        """A listing, its events, and whether they replay to its stored state."""
        with self.core.reading() as conn:
            return get_listing(conn, listing_id), events(conn, listing_id), verify(conn, listing_id)

    def waiting(self, principal: Principal, limit: int = 200) -> list[Member]:
        """The listings within the official's reach that wait for a step, the oldest first;
        codes and names masked as on a public list (opening one is a logged read)."""
        access.authorize(principal, Permission.LISTINGS)
        with self.core.reading() as conn:
            found = in_progress(conn)
            regions = regions_of(conn, {m.subject_code for m in found})
            found = [
                m
                for m in found
                if access.in_scope(principal, m.subject_code, regions.get(m.subject_code))
            ][:limit]
            names = names_of(conn, [m.subject_id for m in found])
        mask = self.core.mask
        return [
            Member(
                m, mask.mask_code(names[m.subject_id][0]), mask.mask_name(*names[m.subject_id][1:])
            )
            for m in found
        ]

    def sizes(self, key: str, months: int = 12) -> list[tuple[date, int]]:
        """How many were on a list at the end of each of the last ``months`` months, and
        today."""
        today = self.core.today()
        days = [today]
        for _ in range(months - 1):
            days.append(days[-1].replace(day=1) - timedelta(days=1))
        days.reverse()
        with self.core.reading() as conn:
            return list(zip(days, sizes(conn, key, days), strict=True))

    def members(self, key: str, at: date | None = None) -> list[Listing]:
        """A list's members in effect on a day (a screening scheme's flags are no list)."""
        self._not_a_flag(key)
        with self.core.reading() as conn:
            return members(conn, key, at or self.core.today())

    def _not_a_flag(self, key: str) -> None:
        scheme_id, _, list_id = key.partition("/")
        for scheme in self.core.library:
            screening = scheme.definition.scheme.type is SchemeType.SCREENING
            if scheme.id == scheme_id and screening:
                raise NotFound(f"{scheme_id} is a screening scheme: {list_id} is no public list")

    def page(
        self, key: str, *, at: date | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, list[Member]]:
        """One page of a list as the public sees it, and how many are on it in all."""
        self._not_a_flag(key)
        core = self.core
        with core.reading() as conn:
            total, found = members_page(conn, key, at or core.today(), offset, limit)
            names = names_of(conn, [m.subject_id for m in found])
        mask = core.mask
        shown = []
        for listing in found:
            code, name, kind = names[listing.subject_id]
            shown.append(Member(listing, mask.mask_code(code), mask.mask_name(name, kind)))
        return total, shown
