"""The relational schema (SQLAlchemy Core), in two parts: the records
(:mod:`~xinyong.store.tables.registry`) and due process with disclosure
(:mod:`~xinyong.store.tables.process`). Alembic migrations create it; this package is the
reference the migrations are checked against in the tests. Importing it defines every table
on one :data:`metadata`."""

from __future__ import annotations

from xinyong.store.tables.agencies import agency_registrations
from xinyong.store.tables.base import Id, Json, metadata
from xinyong.store.tables.consents import consent_checks, consents
from xinyong.store.tables.inspection import (
    inspection_draws,
    inspection_targets,
    inspector_relations,
    inspectors,
)
from xinyong.store.tables.linkage import record_links
from xinyong.store.tables.process import (
    access_log,
    api_tokens,
    audit_log,
    calendar_days,
    case_events,
    cases,
    checks,
    idempotency_keys,
    leniency_grants,
    listing_events,
    listing_records,
    listings,
    outbox,
    reports,
    scheme_reviews,
    subject_tags,
    webhook_deliveries,
    webhooks,
)
from xinyong.store.tables.registry import (
    batches,
    evaluation_results,
    evaluation_runs,
    name_grams,
    quarantine,
    record_events,
    records,
    subject_changes,
    subject_names,
    subjects,
)
from xinyong.store.tables.shadows import scheme_shadows, shadow_results, shadow_runs

__all__ = [
    "Id",
    "Json",
    "access_log",
    "agency_registrations",
    "api_tokens",
    "audit_log",
    "batches",
    "calendar_days",
    "case_events",
    "cases",
    "checks",
    "consent_checks",
    "consents",
    "evaluation_results",
    "evaluation_runs",
    "idempotency_keys",
    "inspection_draws",
    "inspection_targets",
    "inspector_relations",
    "inspectors",
    "leniency_grants",
    "listing_events",
    "listing_records",
    "listings",
    "metadata",
    "name_grams",
    "outbox",
    "quarantine",
    "record_events",
    "record_links",
    "records",
    "reports",
    "scheme_reviews",
    "scheme_shadows",
    "shadow_results",
    "shadow_runs",
    "subject_changes",
    "subject_names",
    "subject_tags",
    "subjects",
    "webhook_deliveries",
    "webhooks",
]
