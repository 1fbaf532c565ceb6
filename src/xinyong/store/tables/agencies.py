"""Registrations of credit-rating agencies (migration 0021): the regulator and licence, the
catalog items the agency may read, its validity, and whether it is suspended. An agency's token
names the agency; every read and every submission checks the registration first."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, String, Table

from xinyong.store.tables.base import Id, Json, metadata

agency_registrations = Table(
    "agency_registrations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", Id, ForeignKey("subjects.id"), nullable=False, unique=True),
    Column("regulator", String(100), nullable=False),
    Column("licence", String(60), nullable=False, unique=True),
    Column("business_scope", String(200), nullable=False),
    Column("items", Json, nullable=False, comment="the catalog items it may read"),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("status", String(16), nullable=False, comment="active or suspended"),
    Column("status_reason", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("changed_by", String(100), nullable=False),
)
