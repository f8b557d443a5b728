"""Alembic environment: one migration history for SQLite and PostgreSQL."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import context
from sqlalchemy import engine_from_config, pool

from licensing.core.db import Base

sys.path.insert(0, str(Path(__file__).resolve().parent))  # migrations share triggers.py
config = context.config
target_metadata = Base.metadata


SEARCH_TABLES = ("requests_organisation_fts",)  # SQLite FTS5 tables of migration 0008, and their shadow tables


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out of the comparison an index the models declare for another database only
    (`Index(...).ddl_if(dialect="postgresql")`, e.g. trigram search indexes), and the search
    tables that migrations create on SQLite alone (no model maps them)."""
    if type_ == "table" and reflected and compare_to is None and name.startswith(SEARCH_TABLES):
        return False
    only = getattr(obj, "_ddl_if", None)
    return not (type_ == "index" and only is not None and only.dialect
                and only.dialect != context.get_context().dialect.name)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, compare_type=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                         prefix="sqlalchemy.", poolclass=pool.NullPool)
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
