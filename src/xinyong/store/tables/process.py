"""The tables of due process and disclosure: listings and their events, cases and their
events, tags, leniency grants, the outbox, checks, the working-day calendar, the audit log, API
tokens, the access log, idempotency keys, webhooks and their deliveries, and credit reports."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from xinyong.store.tables.base import Id, Json, metadata

# --- due process (migration 0004) -----------------------------------------------------------
# A listing row holds the listing's current state; every transition is also a listing_events
# row, and the state can be replayed from those events (see xinyong.dueprocess.lifecycle). The CHECK
# constraint keeps the rule in the database itself: nobody is listed without a notice, a
# closed objection window and a named official's sign-off.
listings = Table(
    "listings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("scheme_id", String(64), nullable=False),
    Column("scheme_version", Integer, nullable=False),
    Column("list_id", String(64), nullable=False),
    Column("list_kind", String(16), nullable=False, comment="blacklist, key_attention, redlist"),
    Column("run_id", Id, ForeignKey("evaluation_runs.id")),
    Column("period", String(8), nullable=False, comment="listing period, e.g. 1Y"),
    Column("notice_period", String(8), nullable=False, comment="objection window, e.g. 10D"),
    Column("state", String(16), nullable=False),
    Column("proposed_on", Date, nullable=False),
    Column("notified_on", Date),
    Column("objection_deadline", Date),
    Column("signed_off_on", Date),
    Column("signed_off_by", String(100)),
    Column("listed_from", Date),
    Column("listed_until", Date),
    Column("exited_on", Date),
    Column("exit_reason", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "listed_from IS NULL OR (notified_on IS NOT NULL AND objection_deadline IS NOT NULL"
        " AND signed_off_by IS NOT NULL AND signed_off_on >= objection_deadline"
        " AND listed_from >= signed_off_on)",
        name="due_process",
    ),
)
Index(None, listings.c.subject_id)
Index(None, listings.c.state)

listing_events = Table(
    "listing_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("listing_id", Id, ForeignKey("listings.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("state_after", String(16), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", Text),
    Column("details", Json),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("listing_id", "seq"),
)

listing_records = Table(
    "listing_records",
    metadata,
    Column("listing_id", Id, ForeignKey("listings.id"), primary_key=True),
    Column("record_id", Id, ForeignKey("records.id"), primary_key=True),
)
Index(None, listing_records.c.record_id)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, comment="objection, repair or leniency"),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("record_id", Id, ForeignKey("records.id")),
    Column("listing_id", Id, ForeignKey("listings.id")),
    Column("opened_on", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("state", String(16), nullable=False, comment="open, decided or withdrawn"),
    Column("outcome", String(16)),
    Column("closed_on", Date),
    Column("decided_by", String(100)),
    Column("reasons", Text),
    Column("details", Json, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(None, cases.c.state, cases.c.deadline)
Index(None, cases.c.record_id)
# One open objection per record, one decision per case (migration 0008): the rules are the
# database's own, so two officials at once can never both win.
_OPEN_OBJECTION = text("kind = 'objection' AND state = 'open' AND record_id IS NOT NULL")
Index(
    "uq_cases_one_open_objection",
    cases.c.record_id,
    unique=True,
    sqlite_where=_OPEN_OBJECTION,
    postgresql_where=_OPEN_OBJECTION,
)
Index(None, cases.c.subject_id)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text),
    Column("details", Json),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "seq"),
)
_DECISION = text("action IN ('decide', 'withdraw')")
Index(
    "uq_case_events_one_decision",
    case_events.c.case_id,
    unique=True,
    sqlite_where=_DECISION,
    postgresql_where=_DECISION,
)

subject_tags = Table(
    "subject_tags",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("tag", String(64), nullable=False, comment="e.g. epidemic_affected, size:small"),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("source", String(100), nullable=False),
    Column("basis", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(None, subject_tags.c.subject_id)

leniency_grants = Table(
    "leniency_grants",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("policy_id", String(64), nullable=False),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("grace", String(8), comment="the grace period granted, e.g. 2M"),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("case_id", Id, ForeignKey("cases.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index(None, leniency_grants.c.subject_id)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), comment="none for a run's event"),
    Column("kind", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("payload", Json, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
)
Index(None, outbox.c.delivered_at)

checks = Table(
    "checks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reference", String(40), nullable=False, unique=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("department", String(100), nullable=False),
    Column("at", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("answer", Json, nullable=False),
    Column("asked_at", DateTime(timezone=True), nullable=False),
)
Index(None, checks.c.subject_id)

scheme_reviews = Table(  # 0016
    "scheme_reviews",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("scheme_id", String(64), nullable=False),
    Column("scheme_version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False, comment="the file submitted"),
    Column("against", String(80), comment="the version its impact is measured against"),
    Column("as_of", Date, nullable=False, comment="the day the impact was measured on"),
    Column("cases_passed", Integer, nullable=False),
    Column("cases_total", Integer, nullable=False),
    Column("impact", Json, nullable=False, comment="the impact report, as reported"),
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False, comment="submitted, approved, superseded"),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
)
Index("ix_scheme_reviews_scheme", scheme_reviews.c.scheme_id, scheme_reviews.c.scheme_version)

calendar_days = Table(
    "calendar_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("workday", Boolean, nullable=False),
    Column("name", String(64)),
    Column("source", String(200), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False, comment="one sequencer: 1, 2, ..."),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(64), nullable=False, comment="e.g. listing.sign_off, batch.accepted"),
    Column("object", String(100), nullable=False, comment="e.g. listing:8, case:3, batch:12"),
    Column("subject_id", Id),
    Column("details", Json, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("prefix", String(12), nullable=False, comment="shown to tell tokens apart"),
    Column("holder", String(100), nullable=False, comment="the person or office it was issued to"),
    Column("role", String(16), nullable=False),
    Column("region_code", String(6), comment="the region it may see; none: the whole country"),
    Column("subject_code", String(18), comment="for a subject's token: whose file it opens"),
    Column("department", String(100), comment="for a department's token: which one"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_on", Date),
    Column("revoked_at", DateTime(timezone=True)),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("read_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_id", Id, ForeignKey("api_tokens.id")),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("resource", String(200), nullable=False, comment="what was read, e.g. file, explain"),
    Column("purpose", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
)
Index(None, access_log.c.subject_id)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("actor", String(100), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Json, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("actor", "key"),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("secret", String(64), nullable=False, comment="signs each delivery (HMAC-SHA256)"),
    Column("events", Json, nullable=False, comment="event kinds or prefixes, e.g. listing"),
    Column("holder", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("webhook_id", Id, ForeignKey("webhooks.id"), nullable=False),
    Column("outbox_id", Id, ForeignKey("outbox.id"), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("gave_up_at", DateTime(timezone=True)),
    Column("last_status", Integer),
    Column("last_error", Text),
    UniqueConstraint("webhook_id", "outbox_id"),
)
Index(None, webhook_deliveries.c.next_attempt_at)

reports = Table(
    "reports",
    metadata,
    Column("id", String(32), primary_key=True, comment="printed on the report, e.g. R20261123-…"),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("scope", String(8), nullable=False, comment="public or full"),
    Column("purpose", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", String(100), nullable=False),
    Column("content", Text, nullable=False, comment="the canonical JSON the hash is taken over"),
    Column("content_sha256", String(64), nullable=False),
    Column("pdf", LargeBinary, comment="the PDF as issued, kept so it can be served again"),
    Column("pdf_sha256", String(64)),
)
Index(None, reports.c.subject_id)
Index(None, reports.c.pdf_sha256)
