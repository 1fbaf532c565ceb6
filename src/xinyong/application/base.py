"""What every use case stands on: the settings, the database, the one clock, and the catalog,
scheme library, joint measures and leniency policies, each loaded once.

A use case opens exactly one transaction with :meth:`Core.transaction` (or reads with
:meth:`Core.reading`); both run under the application's clock, so the core's
:func:`xinyong.clock.now` and :func:`xinyong.clock.today` answer from it."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from sqlalchemy import Connection
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from xinyong import clock as clocks
from xinyong.application.gate import Gate
from xinyong.catalog.items import Catalog
from xinyong.catalog.measures import MeasureCatalog, shipped_measures
from xinyong.clock import Clock, FixedClock, SystemClock
from xinyong.disclosure.tokens import Principal, authenticate
from xinyong.dueprocess.leniency import Policy, load_policies
from xinyong.errors import Conflict, InvalidInput, Unauthenticated
from xinyong.evaluation.runs import Run, reevaluate
from xinyong.reference.identifiers import MaskPolicy
from xinyong.reference.industries import Industries
from xinyong.reference.regions import Regions
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database, broken_rule, busy


@dataclass(frozen=True, slots=True)
class Backdate:
    """An earlier effective date an official records for a step where the law allows one (a
    defaulter performed its obligations on a day; its listing ends from that day), with the
    reason. The step itself is still dated by the server's clock; this date is kept beside
    it, in the step's event, and is never in the future nor before the step before it."""

    on: date
    reason: str

    def check(self, today: date, previous: date) -> dict[str, str]:
        """Refuse an effective date out of bounds; the details the event keeps."""
        if self.on > today:
            raise InvalidInput(f"an effective date is never in the future (today is {today})")
        if self.on < previous:
            raise InvalidInput(
                f"the effective date {self.on} is before the previous step, on {previous}"
            )
        if not self.reason.strip():
            raise InvalidInput("an earlier effective date states its reason")
        return {"recorded_on": today.isoformat(), "effective_because": self.reason.strip()}


def clock_of(settings: Settings) -> Clock:
    """The clock the settings ask for: fixed on ``XINYONG_TODAY``, else the system's."""
    return FixedClock(settings.today) if settings.today else SystemClock()


@dataclass
class Core:
    """The shared parts of the application, built once from settings."""

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(self.settings.catalog_paths)

    @cached_property
    def library(self) -> Library:
        return Library.load(self.catalog, self.settings.scheme_paths)

    @cached_property
    def measures(self) -> MeasureCatalog:
        return shipped_measures()

    @cached_property
    def policies(self) -> list[Policy]:
        return load_policies()

    @cached_property
    def mask(self) -> MaskPolicy:
        return MaskPolicy.named(self.settings.mask_policy)

    @cached_property
    def regions(self) -> Regions:
        return Regions.load()

    @cached_property
    def industries(self) -> Industries:
        return Industries.load()

    def today(self) -> date:
        return self.clock.today()

    @contextmanager
    def on_clock(self) -> Iterator[Clock]:
        """Run a step that manages its own transaction (ingest) under the application's clock."""
        with clocks.using(self.clock) as current:
            yield current

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One use case's transaction, under the application's clock: committed when the block
        ends, rolled back if it raises. A write the database refuses because another one won
        (a rule it keeps, a lock it could not get) is a :class:`Conflict` naming the rule."""
        try:
            with clocks.using(self.clock), self.db.begin() as conn:
                yield conn
        except IntegrityError as exc:
            raise Conflict(broken_rule(exc)) from None
        except DataError as exc:  # a value the column cannot hold (too long, out of range)
            raise InvalidInput(f"a value does not fit its field: {exc.orig}") from None
        except OperationalError as exc:
            if busy(exc):
                raise Conflict(broken_rule(exc)) from None
            raise

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only connection under the application's clock."""
        with clocks.using(self.clock), self.db.connect() as conn:
            yield conn

    @cached_property
    def gate(self) -> Gate:
        return Gate()

    def authenticate(self, token: str, client: str = "-") -> Principal:
        """The holder of an API or portal token, as of the application's today. A failure is
        logged, and a client that fails too often is turned away for a while."""
        self.gate.check(client)
        try:
            with clocks.using(self.clock), self.db.glance() as conn:
                return authenticate(conn, token, self.today())
        except Unauthenticated as refused:
            self.gate.failed(client, token, str(refused))
            raise

    def reevaluate(self, conn: Connection, subject_ids: Collection[int], as_of: date) -> list[Run]:
        """Re-evaluate ``subject_ids`` under every scheme in force on ``as_of``, in ``conn``."""
        return reevaluate(conn, self.library.evaluable(), self.catalog, sorted(subject_ids), as_of)
