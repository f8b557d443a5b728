"""The database: declarative base with a naming convention, engine, and one session per request."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import current_app, g
from sqlalchemy import MetaData, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def make_engine(url: str) -> Engine:
    kwargs: dict = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_recycle"] = 1800
        # A ping on checkout: after a database restart a dead pooled connection is replaced at
        # once instead of failing the next request that draws it (one round trip, well spent).
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # Let SQLAlchemy issue BEGIN itself so BEGIN IMMEDIATE can be used for writes.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "")  # "IMMEDIATE" from begin_write
            conn.exec_driver_sql(f"BEGIN {mode}".strip())
    return engine


class ImmutableError(RuntimeError):
    """An attempt to change or delete an issued document."""


@event.listens_for(Session, "before_flush")
def _guard_issued_documents(session: Session, _context, _instances) -> None:
    """Issued documents are facts: a class with MUTABLE (the fields that may still move) or
    frozen_changes() refuses any other change, and any deletion."""
    for obj in session.deleted:
        if hasattr(obj, "MUTABLE") or hasattr(obj, "frozen_changes"):
            raise ImmutableError(f"{type(obj).__name__} is an issued document and cannot be deleted")
    for obj in session.dirty:
        if not (hasattr(obj, "MUTABLE") or hasattr(obj, "frozen_changes")):
            continue
        state = inspect(obj)
        changed, committed = set(), {}
        for attr in state.attrs:
            history = attr.history
            if history.has_changes():
                changed.add(attr.key)
            if history.deleted:
                committed[attr.key] = history.deleted[0]
            elif history.unchanged:
                committed[attr.key] = history.unchanged[0]
        frozen = obj.frozen_changes(changed, committed) if hasattr(obj, "frozen_changes") \
            else changed - obj.MUTABLE
        if frozen:
            raise ImmutableError(f"{type(obj).__name__} is issued: {', '.join(sorted(frozen))} cannot change")


class Database:
    """Holds the engine and session factory for one app."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def init_app(app, url: str) -> Database:
    database = Database(url)
    app.extensions["database"] = database

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            end_session(session, rollback=False)

    return database


def end_session(session: Session, *, rollback: bool) -> None:
    """Roll back or close a request's session without raising. The connection may have died after
    the response was built (the database restarted): the teardown runs after the view has answered,
    so an error there would reach the WSGI server as a bare 500 for work that was done and committed.
    A dead connection is invalidated instead: the pool drops it and checks the next one (pre-ping)."""
    try:
        if rollback:
            session.rollback()
        else:
            session.close()
    except SQLAlchemyError as exc:  # the driver's error (DBAPIError) or a connection already gone
        logging.getLogger(__name__).warning("database connection lost at the end of a request: %s",
                                            type(getattr(exc, "orig", None) or exc).__name__)
        session.invalidate()


def get_db() -> Database:
    return current_app.extensions["database"]


def get_session() -> Session:
    """The session of the current app context (one per request or CLI command)."""
    if "db_session" not in g:
        g.db_session = get_db().sessions()
    return g.db_session


def begin_write(session: Session) -> None:
    """Start a write transaction. On SQLite it is BEGIN IMMEDIATE, so two writers queue for the
    lock instead of failing on upgrade; PostgreSQL needs nothing (the guarded UPDATE decides)."""
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write with pending changes")
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def read_only(session: Session) -> None:
    """Declare that this session will only read, one statement at a time. On PostgreSQL its
    connection runs in autocommit, which spares the BEGIN and ROLLBACK round trips around a
    request of one query (each statement still sees committed data only). A no-op on SQLite and
    once the session has begun a transaction."""
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@contextmanager
def new_session() -> Iterator[Session]:
    """A session of its own, for background work outside a request."""
    session = get_db().sessions()
    try:
        yield session
    finally:
        session.close()
