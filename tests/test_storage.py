from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from xinyong.store.database import Database, DatabaseNotReady
from xinyong.store.tables import metadata


def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    with db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_migrate_is_idempotent_and_at_head(db: Database) -> None:
    db.migrate()
    assert db.current_revision() == db.head_revision() == "0009"
    db.require_current()
    tables = set(inspect(db.engine).get_table_names())
    assert {"subjects", "records", "record_events", "batches", "quarantine"} <= tables


def test_an_empty_database_is_not_ready(tmp_path: Path) -> None:
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(
        DatabaseNotReady, match="at migration none, expected 0009; run 'xinyong init'"
    ):
        empty.require_current()


def test_upgrading_keeps_what_is_stored(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from xinyong.store.tables import subjects

    old = Database(f"sqlite:///{tmp_path / 'old.db'}")
    old.migrate("0001")
    with old.begin() as conn:
        conn.execute(
            insert(subjects),
            {
                "code": "91110000600037341L",
                "id_scheme": "uscc",
                "kind": "enterprise",
                "name": "旧公司",
                "source": "t",
                "created_at": datetime.now(UTC),
            },
        )
    old.migrate()
    assert old.current_revision() == "0009"
    with old.connect() as conn:
        assert conn.execute(select(subjects.c.name)).scalar_one() == "旧公司"
