"""Running the platform: the audit log (verify the chain, export its head, read entries), API
tokens, webhook subscriptions and deliveries, the database's migrations, and the working-day
calendar an operator loads when the State Council publishes a new year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xinyong import clock
from xinyong.application.base import Core
from xinyong.disclosure import access, tokens, webhooks
from xinyong.disclosure.tokens import IssuedToken, Principal, Role
from xinyong.disclosure.webhooks import DeliveryReport, Sender, Webhook
from xinyong.reference.workdays import Deadline, WorkCalendar, load_days, read_days
from xinyong.store import audit
from xinyong.store.audit import AuditEntry, AuditReport, Checkpoint

__all__ = ["Checkpoint", "Delivered", "Oversight"]

NATIONAL = "000000"


@dataclass(frozen=True, slots=True)
class Delivered:
    """One round of webhook delivery: events offered to subscriptions, then sends."""

    offered: int
    report: DeliveryReport


class Oversight:
    """Use cases of running and auditing the platform."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # -- the database ---------------------------------------------------------------------------
    def database(self) -> tuple[str, str | None]:
        """The database's URL (password hidden) and the migration it is at."""
        return self.core.db.display_url, self.core.db.current_revision()

    # -- the audit log --------------------------------------------------------------------------
    def verify(
        self,
        kept: Checkpoint | None = None,
        key: bytes | None = None,
        principal: Principal | None = None,
    ) -> AuditReport:
        """Walk the hash chain; with a checkpoint kept elsewhere, also detect a cut tail. The
        log records actions everywhere, so only a national token reads it."""
        _national(principal, "the audit log, which records actions everywhere")
        with self.core.reading() as conn:
            return audit.verify(conn, kept, key)

    def checkpoint(
        self, key: bytes | None = None, principal: Principal | None = None
    ) -> Checkpoint:
        """The chain's head, signed with ``key`` when one is given."""
        _national(principal, "the audit log, which records actions everywhere")
        with self.core.reading() as conn:
            return audit.checkpoint(conn, key)

    def entries(
        self, after: int = 0, limit: int = 100, principal: Principal | None = None
    ) -> list[AuditEntry]:
        """Entries after row ``after``: they name subjects and officials from every region,
        so only a national token reads them."""
        _national(principal, "the audit log, which records actions everywhere")
        with self.core.reading() as conn:
            return audit.entries(conn, after, limit)

    # -- tokens ---------------------------------------------------------------------------------
    def issue_token(
        self,
        holder: str,
        role: Role,
        *,
        region: str | None = None,
        subject: str | None = None,
        department: str | None = None,
        expires: date | None = None,
    ) -> str:
        """A new token, returned once; only its hash is kept."""
        with self.core.transaction() as conn:
            return tokens.issue(
                conn,
                holder,
                role,
                region_code=region,
                subject_code=subject,
                department=department,
                expires_on=expires,
            )

    def tokens(self) -> list[IssuedToken]:
        with self.core.reading() as conn:
            return tokens.issued(conn)

    def revoke_token(self, token_id: int) -> None:
        with self.core.transaction() as conn:
            tokens.revoke(conn, token_id)

    # -- webhooks -------------------------------------------------------------------------------
    def subscribe(self, url: str, events: list[str], principal: Principal) -> tuple[int, str]:
        """A subscription and its signing secret (shown once). Events name subjects across the
        country, so only a national token subscribes."""
        _national(principal, WEBHOOKS)
        with self.core.transaction() as conn:
            return webhooks.register(conn, url, events, principal.actor)

    def subscriptions(self, principal: Principal | None = None) -> list[Webhook]:
        _national(principal, WEBHOOKS)
        with self.core.reading() as conn:
            return webhooks.subscriptions(conn)

    def unsubscribe(self, webhook_id: int, principal: Principal | None = None) -> None:
        _national(principal, WEBHOOKS)
        with self.core.transaction() as conn:
            webhooks.deactivate(conn, webhook_id)

    def deliver(self, send: Sender) -> Delivered:
        """Offer new outbox events to each subscription, then try what is due: two
        transactions, so a slow receiver never holds the fan-out's locks."""
        with self.core.transaction() as conn:
            offered = webhooks.fan_out(conn, clock.now())
        with self.core.transaction() as conn:
            report = webhooks.deliver(conn, send, clock.now())
        return Delivered(offered, report)

    # -- the working-day calendar ---------------------------------------------------------------
    def deadline(self, start: date, working_days: int) -> Deadline:
        with self.core.reading() as conn:
            return WorkCalendar.from_database(conn).add(start, working_days)

    def load_calendar(self, path: Path, source: str) -> list[int]:
        """Load a newly published year; the years touched."""
        days: Mapping[date, tuple[bool, str | None]] = read_days(path)
        with self.core.transaction() as conn:
            return list(load_days(conn, days, source))


WEBHOOKS = "webhooks, which carry events from everywhere"


def _national(principal: Principal | None, what: str) -> None:
    """Refuse a regional token what covers the whole country (an operator at the command line,
    ``None``, is not a token)."""
    if principal is not None:
        access.reach_region(principal, NATIONAL, what)
