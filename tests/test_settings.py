from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xinyong.settings import Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(f"XINYONG_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///xinyong.db"  # a file in the working folder
    assert settings.mask_policy == "standard" and settings.today is None


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("XINYONG_TODAY", "2025-06-30")
    monkeypatch.setenv("XINYONG_CATALOG_PATHS", '["local/catalog"]')
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.current_date() == date(2025, 6, 30)
    assert settings.catalog_paths == [Path("local/catalog")]


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_INGEST_CHUNK_SIZE", "0")
    with pytest.raises(ValueError, match="ingest_chunk_size"):
        Settings()
    monkeypatch.setenv("XINYONG_INGEST_CHUNK_SIZE", "100")
    monkeypatch.setenv("XINYONG_MASK_POLICY", "lenient")
    with pytest.raises(ValueError, match="mask_policy"):
        Settings()
