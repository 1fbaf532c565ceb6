"""Where the records live: an engine per database URL, migrations, and a few dialect facts.

SQLite is the embedded default; PostgreSQL is the production database. What differs between
them for writing is answered here, in one place, not in callers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    insert,
    inspect,
    text,
)

from xinyong.errors import XinyongError

if TYPE_CHECKING:
    from alembic.config import Config


class DatabaseNotReady(XinyongError):
    """The database has no xinyong tables yet, or an older version of them."""

    title = "Database not ready"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver never opens a transaction by itself; SQLAlchemy's "begin" does (below), so a
    # writing transaction can take SQLite's write lock at its start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """A writing transaction takes the write lock when it begins (``BEGIN IMMEDIATE``): two
    writers never both read a state and then both change it; the second waits for the first
    to commit and then reads what it wrote. A reading one takes no lock."""
    writing = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _postgres_session(dbapi_connection: Any, _record: Any) -> None:
    """No JIT compilation. PostgreSQL compiles a query whose estimated cost passes
    ``jit_above_cost``, and its estimates of a temporary table or a scheme's CTEs are often
    far off: a batch's one-row lookup paid 15 ms of compilation for 0.1 ms of execution, and
    a full evaluation ran as fast without it. Nothing xinyong runs has been measured to gain."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


#: Execution option that marks a connection's transaction as one that writes.
WRITE = "xinyong_write"


#: The rules the database keeps (migration 0008 and the tables' keys), in words for the
#: caller who lost a race.
RULES = {
    "uq_cases_one_open_objection": "the record is already under an open objection",
    "uq_case_events_one_decision": "the case was decided by someone else at the same moment",
    "uq_records_decision_number": "this decision number is already recorded for this item",
    "uq_batches_source_batch_key": "a batch with this key was written at the same moment",
    "uq_records_corrected_once": "the record was already corrected; change its newest version",
    "uq_record_events_once": "the record was already revoked or repaired",
}


def broken_rule(error: Exception) -> str:
    """What a refused write broke, for a conflict the caller is told about (a 409)."""
    text_ = str(getattr(error, "orig", error))
    for name, rule in RULES.items():
        if name in text_:
            return rule
    return "another change to the same data was made at the same moment; read it and try again"


def busy(error: Exception) -> bool:
    """Whether a failed statement lost a race for a lock (SQLite busy, a PostgreSQL deadlock
    or serialization failure) rather than meeting a broken database."""
    text_ = str(getattr(error, "orig", error)).lower()
    return any(
        word in text_
        for word in ("database is locked", "deadlock detected", "could not serialize access")
    )


#: A batch of at least this many rows refreshes the planner's statistics before the queries
#: that follow it in the same transaction (the re-grade of the subjects it touched).
LARGE_BATCH = 50_000


def refresh_statistics(conn: Connection, rows: int, tables: tuple[str, ...] = ("records",)) -> None:
    """After a large batch, in its own transaction: ANALYZE the tables it grew, so that
    PostgreSQL plans the re-grade for the rows just written (a month of a million ratings
    left the planner with the empty table's statistics, and the re-grade ran for minutes).
    SQLite plans without them; nothing to do there."""
    if rows < LARGE_BATCH or conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(text(f"ANALYZE {table}"))


#: How long a SQLite writer waits for the write lock before it gives up.
SQLITE_BUSY_SECONDS = 30.0

#: psycopg's threshold of runs before it prepares a statement by itself: never, in effect.
EXPLICIT_ONLY = 2**62


#: The newest migration, which every run checks the database against without reading the
#: migration scripts (tests/test_storage.py checks that it is their head).
HEAD = "0022"


class Database:
    """An engine plus what xinyong needs to know about it."""

    def __init__(self, url: str, pool_size: int | None = None, **engine_options: Any) -> None:
        self.url = url
        if pool_size is not None and url.startswith("postgresql"):
            # a fixed set of connections: one opened per request beyond them (the overflow)
            # costs more than the request itself
            engine_options.update(pool_size=pool_size, max_overflow=0, pool_timeout=30)
        if url.startswith("postgresql+psycopg"):
            # psycopg prepares a statement on the server after 5 runs, and PostgreSQL may then
            # pick a generic plan in which `code IN (<5000 parameters>)` is searched linearly
            # for every row (seconds per lookup instead of milliseconds). Plan each run anew,
            # but for the statements that ask to be prepared (``prepare=True``: the re-grade
            # queries of xinyong.evaluation.plans), which a threshold of None would refuse.
            connect_args = {
                "prepare_threshold": EXPLICIT_ONLY,
                **engine_options.pop("connect_args", {}),
            }
            engine_options["connect_args"] = connect_args
        if url.startswith("sqlite"):
            # a writer waits up to 30 s for SQLite's write lock (the driver's default is 5 s,
            # which a busy machine's concurrent writers were seen to exceed: "database is
            # locked" where the second writer should have waited and then read the first's)
            connect_args = {
                "timeout": SQLITE_BUSY_SECONDS,
                **engine_options.pop("connect_args", {}),
            }
            engine_options["connect_args"] = connect_args
        self.engine: Engine = create_engine(url, **engine_options)
        if self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "connect", _postgres_session)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def max_bind_params(self) -> int:
        """How many bound parameters one statement may carry (SQLite's default limit is 32766)."""
        return 30000 if self.dialect == "sqlite" else 60000

    def _alembic_config(self, connection: Connection) -> Config:
        # Alembic is imported where it is used: most runs only check the schema's revision
        from alembic.config import Config

        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("xinyong.store") / "migrations")
        )
        config.attributes["connection"] = connection
        return config

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to ``revision`` (idempotent)."""
        with self.engine.begin() as connection:
            from alembic import command

            command.upgrade(self._alembic_config(connection), revision)

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            # alembic's own table, read without alembic (a command line run only checks it)
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            return str(found[0][0]) if len(found) == 1 else None

    def head_revision(self) -> str | None:
        with self.engine.connect() as connection:
            from alembic.script import ScriptDirectory

            script = ScriptDirectory.from_config(self._alembic_config(connection))
            return script.get_current_head()

    def require_current(self) -> None:
        """Raise :class:`DatabaseNotReady` unless the schema is at the newest migration."""
        current, head = self.current_revision(), HEAD
        if current != head:
            raise DatabaseNotReady(
                f"database {self.display_url} is at migration {current or 'none'}, "
                f"expected {head}; run 'xinyong init'"
            )

    def bulk_insert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Append ``rows`` (all with the same keys) to ``table`` inside ``conn``'s transaction,
        the fastest way the backend offers (see :data:`BULK_INSERT`)."""
        append_rows(conn, table, rows)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction that writes: committed when the block ends, rolled back if it raises.
        On SQLite it holds the write lock from its start; on PostgreSQL each step locks the
        rows it changes (``SELECT ... FOR UPDATE``) before it re-checks its rule."""
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                yield connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def glance(self) -> Iterator[Connection]:
        """A connection for one read-only statement: on PostgreSQL outside any transaction
        (no ``BEGIN`` and ``ROLLBACK`` round trips around it), elsewhere as :meth:`connect`."""
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _insert_executemany(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(table), rows)


def _insert_copy_psycopg(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL COPY through psycopg, in the same transaction as the rest of the batch."""
    import psycopg
    from psycopg import sql
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    raw: psycopg.Connection[Any] = conn.connection.dbapi_connection  # type: ignore[assignment]
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    Jsonb(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )


#: How each driver appends many rows; a driver not listed uses executemany.
BULK_INSERT: dict[str, Callable[[Connection, Table, list[dict[str, Any]]], None]] = {
    "psycopg": _insert_copy_psycopg,
}


def append_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Append ``rows`` (all with the same keys) to ``table`` inside ``conn``'s transaction,
    the fastest way its driver offers (see :data:`BULK_INSERT`)."""
    if rows:
        BULK_INSERT.get(conn.engine.driver, _insert_executemany)(conn, table, rows)
