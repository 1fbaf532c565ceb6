"""The application layer: every use case once, over one clock and one transaction each.

:class:`Application` is built once from settings (by the CLI, the HTTP service and the portal,
the demo and the tests) and holds the use cases by the thing they act on: ``records``,
``cases``, ``listings``, ``checks``, ``reports``, ``evaluations``, ``files`` (reading subjects'
files), ``leniency``, ``inspections`` (double random draws), ``schemes`` (testing and
publishing versions), ``simulations`` (a draft version run over the records, nothing kept) and
``oversight`` (audit log, tokens, webhooks, the calendar). Interfaces parse, call one
use case and answer; a rule such as "deciding an objection re-evaluates the subject" lives here
once, so no interface can forget it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from xinyong.application.agencies import Agencies
from xinyong.application.base import Core, clock_of
from xinyong.application.cases import Cases
from xinyong.application.checks import Checks
from xinyong.application.consents import Consents
from xinyong.application.evaluations import Evaluations
from xinyong.application.files import Files
from xinyong.application.inspections import Inspections
from xinyong.application.leniency import Leniency
from xinyong.application.linkage import Linkage
from xinyong.application.listings import Listings
from xinyong.application.oversight import Oversight
from xinyong.application.records import Records
from xinyong.application.reports import Reports
from xinyong.application.schemes import Schemes
from xinyong.application.services import Services
from xinyong.application.shadows import Shadows
from xinyong.application.simulations import Simulations
from xinyong.clock import Clock
from xinyong.settings import Settings
from xinyong.store.database import Database

__all__ = ["Application", "Core"]


@dataclass
class Application(Core):
    """xinyong's use cases over one database, catalog, scheme library and clock."""

    @classmethod
    def build(
        cls,
        settings: Settings | None = None,
        *,
        db: Database | None = None,
        clock: Clock | None = None,
        migrate: bool = False,
    ) -> Application:
        """The application the settings describe; ``db`` and ``clock`` override them. The
        database must be at the current migration (``migrate`` brings it there)."""
        settings = settings or Settings()
        database = db or Database(settings.database_url, pool_size=settings.pool_size)
        if migrate:
            database.migrate()
        else:
            database.require_current()
        return cls(settings, database, clock or clock_of(settings))

    @cached_property
    def records(self) -> Records:
        return Records(self)

    @cached_property
    def cases(self) -> Cases:
        return Cases(self)

    @cached_property
    def listings(self) -> Listings:
        return Listings(self)

    @cached_property
    def inspections(self) -> Inspections:
        return Inspections(self)

    @cached_property
    def checks(self) -> Checks:
        return Checks(self)

    @cached_property
    def reports(self) -> Reports:
        return Reports(self)

    @cached_property
    def evaluations(self) -> Evaluations:
        return Evaluations(self)

    @cached_property
    def files(self) -> Files:
        return Files(self)

    @cached_property
    def leniency(self) -> Leniency:
        return Leniency(self)

    @cached_property
    def oversight(self) -> Oversight:
        return Oversight(self)

    @cached_property
    def simulations(self) -> Simulations:
        return Simulations(self)

    @cached_property
    def schemes(self) -> Schemes:
        return Schemes(self)

    @cached_property
    def linkage(self) -> Linkage:
        return Linkage(self)

    @cached_property
    def shadows(self) -> Shadows:
        return Shadows(self)

    @cached_property
    def consents(self) -> Consents:
        return Consents(self)

    @cached_property
    def agencies(self) -> Agencies:
        return Agencies(self)

    @cached_property
    def services(self) -> Services:
        return Services(self)
