"""The participant's requests from the server's event loop: on PostgreSQL, on a pool of their own.

Mixed into :class:`study.survey.db.SurveyDatabase`. A participant's requests
(the entry, consent, showing and storing pages) call these ``*_async``
methods. On PostgreSQL they run compiled statements (see
:mod:`study.survey.statements`) on an asynchronous psycopg pool that the
server opens when it starts (:meth:`EventLoopQueries.open_async`), with no
worker thread and none of SQLAlchemy's per-call work between the event loop and
the database. Until the pool is open, and always on SQLite (whose statements
take microseconds), each method runs its synchronous twin in place.

A pooled connection can have died while idle (PostgreSQL was restarted): a
call that fails on its first statement for that reason is sent once more after
the pool has replaced its dead connections. Nothing was written by then, and a
page already stored is refused the second time anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from study.design.assignment import active_counts
from study.survey.engine import postgresql_page_pool
from study.survey.sessions import hash_session_token
from study.survey.statements import participant_row, submit_parameters


class EventLoopQueries:
    """The ``*_async`` methods (need the database class's pool, compiled statements and
    the helpers of :meth:`~study.survey.db.SurveyDatabase.start_participant`)."""

    _async_pool = None

    async def open_async(self) -> None:
        """Open the asynchronous pool (PostgreSQL; SQLite needs none).

        The server does this when it starts (and :meth:`close_async` when it
        stops); until then, and on SQLite, the ``*_async`` methods run their
        synchronous twins in place.
        """
        if self.dialect == "postgresql" and self._async_pool is None:
            self._async_pool = await postgresql_page_pool(self.url)

    async def close_async(self) -> None:
        """Close the asynchronous pool, if open."""
        pool, self._async_pool = self._async_pool, None
        if pool is not None:
            await pool.close()

    async def _run_async(self, work: Callable, *, transaction: bool = False):
        """``await work(cursor)`` on a pooled connection (in a transaction if asked).

        ``work`` is sent once more if the connection turns out to have died
        before its first statement got through (see the module's docstring).
        """
        for attempt in (1, 2):
            connection = cursor = None
            try:
                async with self._async_pool.connection() as connection:
                    cursor = _CountingCursor(connection.cursor())
                    if not transaction:
                        return await work(cursor)
                    async with connection.transaction():
                        return await work(cursor)
            except Exception:
                first_statement_failed = cursor is None or cursor.sent <= 1
                if attempt == 2 or connection is None or not connection.broken or not first_statement_failed:
                    raise
                await self._async_pool.check()

    async def _fetch_async(self, statement: str, parameters: dict, *, all_rows: bool = False):
        """One statement: (column names, first row or None), or (column names, every row)."""
        async def fetch(cursor):
            await cursor.execute(statement, parameters)
            rows = await (cursor.fetchall() if all_rows else cursor.fetchone())
            return [column[0] for column in cursor.description], rows

        return await self._run_async(fetch)

    async def participant_by_session_async(self, session_token: str) -> dict | None:
        """:meth:`participant_by_session`, from the event loop."""
        if self._async_pool is None:
            return self.participant_by_session(session_token)
        statement = self._page_cycle.participant_by_session
        columns, row = await self._fetch_async(
            statement.sql, statement.params(session_hash=hash_session_token(session_token)))
        return participant_row(columns, row) if row else None

    async def participants_by_prolific_async(self, study_id: str, *, pid=None,
                                             session_id=None) -> list[dict]:
        """:meth:`participants_by_prolific`, from the event loop."""
        if self._async_pool is None or not (pid or session_id):
            return self.participants_by_prolific(study_id, pid=pid, session_id=session_id)
        statement = (self._page_cycle.participants_by_prolific_session if session_id
                     else self._page_cycle.participants_by_prolific_pid)
        columns, rows = await self._fetch_async(
            statement.sql, statement.params(study_id=study_id, prolific_id=session_id or pid),
            all_rows=True)
        return [participant_row(columns, row) for row in rows]

    async def page_shown_at_async(self, participant_id: str, page_id: str) -> float | None:
        """:meth:`page_shown_at`, from the event loop."""
        if self._async_pool is None:
            return self.page_shown_at(participant_id, page_id)
        statement = self._page_cycle.page_shown_at
        _, row = await self._fetch_async(
            statement.sql, statement.params(participant_id=participant_id, page_id=page_id))
        return row[0] if row else None

    async def submit_page_async(self, participant_id: str, page_id: str, values: Mapping[str, Any], *,
                                next_step: str, complete: bool = False,
                                paradata: Mapping[str, float | None] | None = None) -> bool:
        """:meth:`submit_page`, from the event loop (one statement on PostgreSQL)."""
        if self._async_pool is None:
            return self.submit_page(participant_id, page_id, values, next_step=next_step,
                                    complete=complete, paradata=paradata)
        _, row = await self._fetch_async(self._postgresql_submit.sql, submit_parameters(
            participant_id, page_id, values, next_step=next_step, complete=complete,
            paradata=paradata, now=time.time()))
        return row is not None

    async def submit_page_by_session_async(self, session_token: str, page_id: str,
                                           values: Mapping[str, Any], *, next_step: str,
                                           complete: bool = False,
                                           paradata: Mapping[str, float | None] | None = None) -> bool:
        """Store a page of the participant with this session cookie if it is their current page.

        The server's usual submit: on PostgreSQL one statement finds the
        participant by the cookie's hash and stores the page as
        :meth:`submit_page` does, with no lookup first. ``False`` when there is no
        such participant or the page is not their current one (nothing is stored;
        the caller looks the participant up to tell which).
        """
        if self._async_pool is None:
            participant = self.participant_by_session(session_token)
            if participant is None or participant["step"] != page_id:
                return False
            return self.submit_page(participant["participant_id"], page_id, values,
                                    next_step=next_step, complete=complete, paradata=paradata)
        parameters = submit_parameters(None, page_id, values, next_step=next_step,
                                       complete=complete, paradata=paradata, now=time.time())
        parameters["session_hash"] = hash_session_token(session_token)
        _, row = await self._fetch_async(self._postgresql_submit_by_session.sql, parameters)
        return row is not None

    async def start_participant_async(
        self, study_id: str, *, session_token: str, lang: str,
        choose_condition: Callable[[dict[str, int], int], str], first_step: str,
        timeout_minutes: float, condition_names: list[str],
        prolific: Mapping[str, str | None] | None = None, ip_address: str | None = None,
        valid_complete: Callable[[dict, str], bool] | None = None, now: float | None = None,
    ) -> dict:
        """:meth:`start_participant` for a consenting participant, from the event loop.

        On PostgreSQL one transaction of four statements (five with
        ``valid_complete`` and new completes to judge), see
        :func:`study.survey.statements.postgresql_start`; the rule and the result
        are :meth:`start_participant`'s. A session that consents twice at the
        same moment raises SQLAlchemy's ``IntegrityError``, as there.
        """
        options = dict(session_token=session_token, lang=lang, choose_condition=choose_condition,
                       first_step=first_step, timeout_minutes=timeout_minutes,
                       condition_names=condition_names, prolific=prolific, ip_address=ip_address,
                       valid_complete=valid_complete, now=now)
        if self._async_pool is None:
            return self.start_participant(study_id, **options)
        now = time.time() if now is None else now
        statements = self._postgresql_start

        async def start(cursor):
            await cursor.execute(statements.lock_study.sql, {"study_id": study_id})
            (n_assigned,) = await cursor.fetchone()
            await cursor.execute(statements.counted.sql, statements.counted.params(study_id=study_id))
            rows = await cursor.fetchall()
            idle = self._idle_ids(rows, now, timeout_minutes)
            if valid_complete is not None:
                rows = await self._valid_rows_async(cursor, rows, valid_complete)
            counts = active_counts([(row[1], row[2], row[3]) for row in rows], condition_names,
                                   now=now, timeout_minutes=timeout_minutes)
            row = self._new_participant(
                study_id, session_token=session_token, lang=lang, first_step=first_step,
                condition=choose_condition(counts, n_assigned), assignment_index=n_assigned,
                prolific=dict(prolific or {}), ip_address=ip_address, is_test=False, now=now)
            await cursor.execute(statements.insert.sql, {**row, "idle": idle})
            (row["duplicate"],) = await cursor.fetchone()
            return row

        from psycopg.errors import UniqueViolation  # psycopg is only installed for PostgreSQL
        from sqlalchemy.exc import IntegrityError

        try:
            return await self._run_async(start, transaction=True)
        except UniqueViolation as error:
            raise IntegrityError(statements.insert.sql, None, error) from error

    async def _valid_rows_async(self, cursor, rows, valid_complete):
        """:meth:`_valid_rows` on the transaction's cursor."""
        verdicts, unjudged = self._unjudged(rows, valid_complete)
        answer_rows = []
        if unjudged:
            await cursor.execute(self._postgresql_start.answers_of.sql,
                                 {"participant_ids": sorted(unjudged)})
            answer_rows = await cursor.fetchall()
        return self._judge(rows, verdicts, unjudged, answer_rows, valid_complete)


class _CountingCursor:
    """A cursor that counts the statements sent on it (to tell whether a retry is safe)."""

    def __init__(self, cursor):
        self._cursor = cursor
        self.sent = 0

    async def execute(self, statement, parameters=None):
        self.sent += 1
        return await self._cursor.execute(statement, parameters)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


__all__ = ["EventLoopQueries"]
