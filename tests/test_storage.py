from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from xinyong.store.database import HEAD, Database, DatabaseNotReady
from xinyong.store.tables import metadata


def test_migrations_build_exactly_the_declared_schema(db: Database) -> None:
    with db.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_migrate_is_idempotent_and_at_head(db: Database) -> None:
    db.migrate()
    assert db.current_revision() == db.head_revision() == HEAD == "0022"
    db.require_current()
    tables = set(inspect(db.engine).get_table_names())
    assert {"subjects", "records", "record_events", "batches", "quarantine"} <= tables


def test_an_empty_database_is_not_ready(tmp_path: Path) -> None:
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(
        DatabaseNotReady, match="at migration none, expected 0022; run 'xinyong init'"
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
    assert old.current_revision() == "0022"
    with old.connect() as conn:
        assert conn.execute(select(subjects.c.name)).scalar_one() == "旧公司"


def test_individuals_registered_before_0010_get_their_birth_date(db: Database) -> None:
    """Migration 0010 reads an individual's birth date from its resident ID, on SQLite and on
    PostgreSQL; the registry now stores it itself when an individual is registered."""
    from datetime import UTC, date, datetime

    from sqlalchemy import insert, select, update

    from xinyong.reference.identifiers import parse_identifier
    from xinyong.registry.subjects import NewSubject, register
    from xinyong.store.tables import subjects

    person = parse_identifier("11010519491231002X")
    with db.begin() as conn:
        subject_id = register(conn, NewSubject(person, "张三"), "t")
        assert conn.execute(
            select(subjects.c.registered_on).where(subjects.c.id == subject_id)
        ).scalar_one() == date(1949, 12, 31)
        conn.execute(update(subjects).values(registered_on=None))  # as before the registry did
        conn.execute(
            insert(subjects),
            {
                "code": "91110000600037341L",
                "id_scheme": "uscc",
                "kind": "enterprise",
                "name": "某公司",
                "source": "t",
                "created_at": datetime.now(UTC),
            },
        )
    from alembic import command

    with db.engine.begin() as connection:  # back to 0009 (0010's downgrade keeps the dates)
        command.downgrade(db._alembic_config(connection), "0009")
    assert db.current_revision() == "0009"
    db.migrate()
    with db.connect() as conn:
        found = dict(conn.execute(select(subjects.c.kind, subjects.c.registered_on)).all())
    assert found == {"individual": date(1949, 12, 31), "enterprise": None}


def test_draws_stored_before_0014_get_their_roster_and_pool_sizes(db: Database) -> None:
    """Migration 0014 counts a stored draw's roster and pool from its inputs, on SQLite and on
    PostgreSQL, so a list of draws need not read the inputs."""
    import json
    from datetime import UTC, date, datetime

    from alembic import command
    from sqlalchemy import select, text

    from xinyong.store.tables import inspection_draws

    with db.engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "0013")
    inputs = {"roster": [{"code": "a"}, {"code": "b"}, {"code": "c"}], "pool": [{"code": "z"}]}
    with db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO inspection_draws (plan_id, plan_version, plan_sha256, draw_date, "
                "state, inputs, commitment, committed_at, committed_by) VALUES ('p', 1, '-', "
                ":day, 'committed', :inputs, 'c', :now, 't')"
            ),
            {"day": date(2026, 10, 9), "inputs": json.dumps(inputs), "now": datetime.now(UTC)},
        )
    db.migrate()
    with db.connect() as conn:
        sizes = conn.execute(
            select(inspection_draws.c.roster_size, inspection_draws.c.pool_size)
        ).one()
    assert tuple(sizes) == (3, 1)
