"""One typed settings object; every field can be set from the environment as ``XINYONG_<NAME>``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration for the library, the CLI and (later) the service.

    Pass an instance in; never mutate a module-level one in tests.
    """

    model_config = SettingsConfigDict(env_prefix="XINYONG_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///xinyong.db",
        description="SQLAlchemy URL of the database (default: SQLite file in the working folder).",
    )
    catalog_paths: list[Path] = Field(
        default_factory=list,
        description="Extra catalog YAML files or folders, loaded after the national catalog.",
    )
    scheme_paths: list[Path] = Field(
        default_factory=list,
        description="Extra scheme YAML files or folders, loaded after the shipped schemes.",
    )
    mask_policy: Literal["standard", "strict", "none"] = Field(
        default="standard",
        description="Masking policy for public display of identifiers: standard, strict or none.",
    )
    today: date | None = Field(
        default=None,
        description="Fixes 'today' (for validation of future dates and for reproducible demos).",
    )
    ingest_chunk_size: int = Field(
        default=5000,
        ge=1,
        description="Rows written to the database per statement during ingest.",
    )
    ingest_stream_rows: int = Field(
        default=50000,
        ge=1,
        description="Rows of a file read, checked and written at a time: what one batch holds "
        "in memory, whatever its size.",
    )
    pool_size: int = Field(
        default=16,
        ge=1,
        description="Database connections each server process keeps open (PostgreSQL), and so "
        "the requests it works on at once: a request beyond them waits for a free one.",
    )
    earliest_decision_date: date = Field(
        default=date(1949, 10, 1),
        description="Decision dates before this are refused as implausible.",
    )

    authority: str = Field(
        default="xinyong 公共信用信息平台",
        description="The authority that runs the platform, in Chinese: the reports' letterhead.",
    )
    authority_en: str = Field(
        default="xinyong public credit platform",
        description="The same authority's name in English.",
    )
    authority_code: str | None = Field(
        default=None, description="The authority's Unified Social Credit Code, on the letterhead."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The portal's public address: a report's verification link and QR code "
        "point at {public_url}/verify?id=<report>.",
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        description="The IANA time zone reports and pages show moments in (stored in UTC).",
    )

    spark_master: str = Field(
        default="local[1]",
        description="Spark master URL for `--engine spark` (e.g. spark://host:7077).",
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone, e.g. Asia/Shanghai") from None
        return value

    def current_date(self) -> date:
        """Today, or the fixed date when one is configured."""
        return self.today or date.today()
