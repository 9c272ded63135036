"""Engines for the survey database: SQLite tuned for many short writes, PostgreSQL pooled.

SQLite runs in WAL mode (readers never wait for the writer) with
``synchronous=NORMAL``: a commit survives a killed process; only an OS crash
or power cut can lose the last commits. SQLAlchemy issues ``BEGIN`` itself
(pysqlite's own transaction handling is switched off), so write transactions
can start with ``BEGIN IMMEDIATE`` and take the write lock before they read.

>>> sqlite_url_for("/tmp/x.db")
'sqlite:////tmp/x.db'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

WRITE_OPTION = "replylab_write"


def sqlite_engine(url: str) -> Engine:
    """A pooled SQLite engine in WAL mode whose write transactions ``BEGIN IMMEDIATE``."""
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        kwargs["poolclass"] = StaticPool  # one shared in-memory database
    else:
        kwargs.update(pool_size=8, max_overflow=8, pool_timeout=30)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a killed process (SIGKILL); only an OS
        # crash or power cut can lose the last commits.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def postgresql_engine(url: str) -> Engine:
    """A pooled PostgreSQL engine (connections checked before use).

    As many connections are kept open as the server has threads for database work
    (16), and none beyond: "overflow" connections are closed when returned, and under
    a launch they were opened and closed again on every other request (a new
    PostgreSQL backend each time).
    """
    return create_engine(url, pool_size=16, max_overflow=0, pool_pre_ping=True, pool_timeout=30)


def sqlite_url_for(path: str | Path) -> str:
    """A SQLAlchemy URL for a SQLite file.

    >>> sqlite_url_for("/tmp/x.db")
    'sqlite:////tmp/x.db'
    """
    return f"sqlite:///{Path(path)}"
