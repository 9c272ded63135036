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

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

WRITE_OPTION = "replylab_write"
#: connections one server process keeps to PostgreSQL: for participants' requests, and for the rest
POSTGRESQL_PAGE_CONNECTIONS, POSTGRESQL_ENGINE_CONNECTIONS = 10, 6


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
    """A pooled PostgreSQL engine (connections checked before use), for all but participants' requests.

    The admin pages, the export and the rare participant writes (a decline, a
    returning participant's new cookie) go through SQLAlchemy (in worker threads);
    participants' requests have their own pool (:func:`postgresql_page_pool`).
    So a few connections are enough. None are opened beyond
    them: "overflow" connections are closed when returned, and under a launch they
    were opened and closed again on every other request (a new PostgreSQL backend
    each time).
    """
    return create_engine(url, pool_size=POSTGRESQL_ENGINE_CONNECTIONS, max_overflow=0,
                         pool_pre_ping=True, pool_timeout=30)


async def postgresql_page_pool(url: str):
    """An open pool of asynchronous psycopg connections in autocommit mode, for participants' requests.

    The server's event loop runs participants' requests (the entry, consent,
    looking up a session, storing a page) on these connections itself, with no
    thread between it and the database: handing each request to a worker thread
    cost more CPU than the request's own database work. A page is stored by one
    statement (see :mod:`study.survey.statements`) that commits by itself, in one
    round trip; a consent is one short transaction (see :mod:`study.survey.db_async`).
    psycopg's own pool hands out a connection with none of SQLAlchemy's checkout
    work and no ping; a connection found broken is replaced (see
    :meth:`study.survey.db.SurveyDatabase.participant_by_session_async`). A request
    waits at most 5 s for a connection (under a launch a wait takes milliseconds);
    then the database counts as unreachable and the participant is asked to retry.
    """
    from psycopg_pool import AsyncConnectionPool  # only needed, and installed, for PostgreSQL

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pool = AsyncConnectionPool(conninfo, min_size=1, max_size=POSTGRESQL_PAGE_CONNECTIONS,
                               kwargs={"autocommit": True}, open=False, name="replylab-participants",
                               timeout=5)
    await pool.open()
    return pool


def sqlite_url_for(path: str | Path) -> str:
    """A SQLAlchemy URL for a SQLite file.

    >>> sqlite_url_for("/tmp/x.db")
    'sqlite:////tmp/x.db'
    """
    return f"sqlite:///{Path(path)}"
