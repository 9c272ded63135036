"""One database class for the survey: SQLite by default, PostgreSQL by URL.

:class:`SurveyDatabase` hides the difference between the two. It holds one
engine (with its connection pool) per process; every method runs one short
transaction with parameterized SQL (SQLAlchemy Core) and commits before it
returns, so an answer the server acknowledged is on disk. The page cycle
(looking up a session, storing a page) runs compiled statements on the driver
(:mod:`study.survey.statements`). The server calls the ``*_async`` twins
(:mod:`study.survey.db_async`): on PostgreSQL they run on a pool of their own
from the event loop, a page in one statement and a consent in one short
transaction.

SQLite runs in WAL mode (see :mod:`study.survey.engine`). Write transactions
start with ``BEGIN IMMEDIATE``, so two arrivals cannot both read the counts
and then both take the last slot; on PostgreSQL the same is done by locking
the study's row with ``SELECT ... FOR UPDATE``.

>>> db = SurveyDatabase("sqlite://")
>>> db.ensure_study("demo", "0" * 64)[:8]  # the hash of the study file it began with
'00000000'
>>> db.start_participant("demo", session_token="t1", lang="en",
...                      choose_condition=lambda counts, n: "public", condition_names=["public"],
...                      first_step="vignette", timeout_minutes=30)["condition"]
'public'
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite

from study.design.assignment import active_counts, fills_condition
from study.survey.db_async import EventLoopQueries
from study.survey.db_queries import ResearcherQueries
from study.survey.engine import (
    WRITE_OPTION,
    postgresql_engine,
    sqlite_engine,
    sqlite_url_for,
)
from study.survey.sessions import hash_session_token
from study.survey.statements import (
    compile_page_cycle,
    counted_participants,
    postgresql_start,
    postgresql_submit,
    submit_parameters,
)
from study.survey.tables import (
    PARADATA_COLUMNS,
    STATUSES,
    answers,
    metadata,
    page_visits,
    participants,
    settings,
    studies,
)

DEFAULT_URL = "sqlite:///replylab.db"


class SurveyDatabaseError(Exception):
    """The survey database could not be opened or used (message says why and what to do)."""


class SurveyDatabase(ResearcherQueries, EventLoopQueries):
    """The survey's storage, the same API on SQLite and PostgreSQL.

    Parameters
    ----------
    url : str, optional
        A SQLAlchemy URL: ``sqlite:///path.db`` (default ``sqlite:///replylab.db``
        in the working directory) or ``postgresql+psycopg://user@host:port/db``.

    Raises
    ------
    SurveyDatabaseError
        If the URL is not SQLite or PostgreSQL, or the database cannot be reached.
    """
    def __init__(self, url: str | None = None):
        self.url = url or DEFAULT_URL
        if self.url.startswith("sqlite"):
            self.dialect = "sqlite"
            self.engine = sqlite_engine(self.url)
        elif self.url.startswith("postgresql"):
            self.dialect = "postgresql"
            self.engine = postgresql_engine(self.url)
        else:
            raise SurveyDatabaseError(
                f"database URL {self.url!r} is not supported: use sqlite:///FILE.db "
                "or postgresql+psycopg://USER@HOST:PORT/DBNAME"
            )
        self._writer = self.engine.execution_options(**{WRITE_OPTION: True})
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else nullcontext()
        try:
            metadata.create_all(self._writer)
            self._add_missing_columns()
        except Exception as error:  # noqa: BLE001 - re-raised with the URL and advice
            raise SurveyDatabaseError(
                f"cannot open the survey database {self._safe_url()}: {error}. "
                "Check the URL, that the server runs and that the user may create tables."
            ) from error
        self._page_cycle = compile_page_cycle(self.dialect)
        self._verdicts: dict[Callable, dict[str, bool]] = {}  # see _valid_rows
        self._postgresql_submit = postgresql_submit()
        self._postgresql_submit_by_session = postgresql_submit(by="session_hash")
        self._postgresql_start = postgresql_start()
        self._async_pool = None  # the participant requests' own pool (PostgreSQL), opened by open_async

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"SurveyDatabase({self._safe_url()!r})"

    def close(self) -> None:
        """Close every pooled connection (the asynchronous pool: see :meth:`close_async`)."""
        self.engine.dispose()

    # -- dialect helpers -------------------------------------------------
    def _insert(self, table):
        dialect = sqlite if self.dialect == "sqlite" else postgresql
        return dialect.insert(table)

    @contextmanager
    def _write(self):
        """A write transaction: BEGIN IMMEDIATE on SQLite, a plain one on PostgreSQL.

        On SQLite the writers of this process also queue on a lock first: SQLite
        admits one writer at a time anyway, and its busy handler retries with
        sleeps of up to 100 ms, which under a burst of arrivals turns into
        seconds of tail latency. (Other processes are still kept out by
        ``BEGIN IMMEDIATE`` and the busy timeout.)
        """
        with self._write_lock, self._writer.begin() as conn:
            yield conn

    def _read(self):
        return self.engine.connect()

    @contextmanager
    def _driver(self, *, write: bool = False):
        """The driver's own cursor, for the compiled page-cycle statements, in one transaction.

        A write takes the same locks as :meth:`_write` (``BEGIN IMMEDIATE`` on
        SQLite); the transaction commits when the block ends and rolls back on error.
        """
        with self._write_lock if write else nullcontext():
            connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                if write and self.dialect == "sqlite":
                    cursor.execute("BEGIN IMMEDIATE")
                yield cursor
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                connection.close()

    def _add_missing_columns(self) -> None:
        """Columns added to a table since a database was created (``create_all`` adds tables only)."""
        existing = {column["name"] for column in inspect(self.engine).get_columns(page_visits.name)}
        missing = [page_visits.c[name] for name in PARADATA_COLUMNS if name not in existing]
        with self._write() as conn:
            for column in missing:
                kind = column.type.compile(dialect=self.engine.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {page_visits.name} ADD COLUMN {column.name} {kind}")

    # -- setup -------------------------------------------------------------
    def ensure_study(self, study_id: str, file_hash: str) -> str:
        """Register a study (once); its row serialises assignment.

        Returns the hash of the study file the database was registered with (or
        last accepted, see :meth:`accept_study_file`), so that a server can tell
        when the file has changed since data collection began.
        """
        statement = (
            self._insert(studies)
            .values(study_id=study_id, file_hash=file_hash, n_assigned=0, declines=0)
            .on_conflict_do_nothing(index_elements=["study_id"])
        )
        with self._write() as conn:
            conn.execute(statement)
            return conn.execute(
                select(studies.c.file_hash).where(studies.c.study_id == study_id)).scalar_one()

    def accept_study_file(self, study_id: str, file_hash: str) -> None:
        """Record ``file_hash`` as the study file this database now serves."""
        with self._write() as conn:
            conn.execute(update(studies).where(studies.c.study_id == study_id)
                         .values(file_hash=file_hash))

    def secret_key(self) -> bytes:
        """The database's signing secret, created on first use and kept across restarts."""
        with self._read() as conn:
            value = conn.execute(
                select(settings.c.value).where(settings.c.name == "secret_key")
            ).scalar()
        if value is None:
            with self._write() as conn:
                conn.execute(
                    self._insert(settings)
                    .values(name="secret_key", value=secrets.token_hex(32))
                    .on_conflict_do_nothing(index_elements=["name"])
                )
                value = conn.execute(
                    select(settings.c.value).where(settings.c.name == "secret_key")
                ).scalar_one()
        return bytes.fromhex(value)

    # -- participants ------------------------------------------------------
    def rebind_session(self, participant_id: str, session_token: str) -> None:
        """Give a resuming participant (found by Prolific session) a new session cookie."""
        with self._write() as conn:
            conn.execute(
                update(participants)
                .where(participants.c.participant_id == participant_id)
                .values(session_hash=hash_session_token(session_token))
            )

    def start_participant(
        self,
        study_id: str,
        *,
        session_token: str,
        lang: str,
        choose_condition: Callable[[dict[str, int], int], str],
        first_step: str,
        timeout_minutes: float,
        condition_names: list[str],
        prolific: Mapping[str, str | None] | None = None,
        ip_address: str | None = None,
        is_test: bool = False,
        condition: str | None = None,
        valid_complete: Callable[[dict, str], bool] | None = None,
        now: float | None = None,
    ) -> dict:
        """Create a consenting participant and assign a condition, atomically.

        Inside one write transaction: lock the study row, count who fills each
        condition by the one rule (:func:`study.design.assignment.active_counts`:
        completes, and in-progress participants whose last request is less than
        ``timeout_minutes`` old), mark the in-progress participants the rule
        leaves out as ``timed_out``, call ``choose_condition(counts, n_assigned)``
        and insert the participant. Test sessions take the given ``condition``
        and touch no count. With ``valid_complete(answers, condition)`` (the study
        counts valid completes only), a complete whose stored answers fail it fills
        no place.
        """
        now = time.time() if now is None else now
        prolific = dict(prolific or {})
        with self._write() as conn:
            study_row = conn.execute(
                select(studies).where(studies.c.study_id == study_id).with_for_update()
            ).mappings().one()
            assignment_index = None
            if not is_test:
                counts = self._fill_counts(conn, study_id, condition_names, timeout_minutes, now,
                                           valid_complete)
                assignment_index = study_row["n_assigned"]
                condition = choose_condition(counts, assignment_index)
                conn.execute(
                    update(studies)
                    .where(studies.c.study_id == study_id)
                    .values(n_assigned=studies.c.n_assigned + 1)
                )
            row = self._new_participant(
                study_id, session_token=session_token, lang=lang, first_step=first_step,
                condition=condition, assignment_index=assignment_index, prolific=prolific,
                ip_address=ip_address, is_test=is_test, now=now)
            if prolific.get("prolific_pid") and not is_test:
                row["duplicate"] = bool(
                    conn.execute(
                        select(func.count())
                        .select_from(participants)
                        .where(
                            participants.c.study_id == study_id,
                            participants.c.prolific_pid == prolific["prolific_pid"],
                            participants.c.is_test.is_(False),
                        )
                    ).scalar_one()
                )
            conn.execute(participants.insert().values(**row))
            conn.execute(
                page_visits.insert().values(
                    participant_id=row["participant_id"], page_id=first_step, shown_at=now, submits=0
                )
            )
        return row

    @staticmethod
    def _new_participant(study_id: str, *, session_token: str, lang: str, first_step: str,
                         condition: str, assignment_index: int | None, prolific: dict,
                         ip_address: str | None, is_test: bool, now: float) -> dict:
        """The row of a participant who has just consented (not yet flagged as a duplicate)."""
        return {
            "participant_id": secrets.token_hex(8),
            "study_id": study_id,
            "session_hash": hash_session_token(session_token),
            "condition": condition,
            "lang": lang,
            "status": "in_progress",
            "step": first_step,
            "is_test": is_test,
            "assignment_index": assignment_index,
            "prolific_pid": prolific.get("prolific_pid"),
            "prolific_study_id": prolific.get("prolific_study_id"),
            "prolific_session_id": prolific.get("prolific_session_id"),
            "duplicate": False,
            "ip_address": ip_address,
            "started_at": now,
            "last_seen_at": now,
            "completed_at": None,
        }

    def _fill_counts(self, conn, study_id: str, condition_names: list[str],
                     timeout_minutes: float, now: float, valid_complete=None) -> dict[str, int]:
        """Who fills each condition now, by the one rule; the idle ones are marked ``timed_out``."""
        rows = conn.execute(counted_participants(study_id)).all()
        idle = self._idle_ids(rows, now, timeout_minutes)
        if idle:
            conn.execute(
                update(participants)
                .where(participants.c.participant_id.in_(idle))
                .values(status="timed_out")
            )
        if valid_complete is not None:
            rows = self._valid_rows(conn, rows, valid_complete)
        return active_counts(
            [(row.condition, row.status, row.last_seen_at) for row in rows],
            condition_names, now=now, timeout_minutes=timeout_minutes,
        )

    @staticmethod
    def _idle_ids(rows, now: float, timeout_minutes: float) -> list[str]:
        """Of the counted rows (id, condition, status, last seen), the in-progress ones now idle."""
        return [participant_id for participant_id, _, status, last_seen_at in rows
                if status == "in_progress"
                and not fills_condition(status, last_seen_at, now=now, timeout_minutes=timeout_minutes)]

    def _valid_rows(self, conn, rows, valid_complete):
        """The rows less the completes whose answers fail ``valid_complete``.

        A complete's answers never change (answers are only inserted, and a
        complete participant sends no more pages), so its verdict is kept: each
        consent reads the answers of the participants completed since the last one
        only, not of every complete. The verdicts are kept per ``valid_complete``,
        which the server builds once.
        """
        verdicts, unjudged = self._unjudged(rows, valid_complete)
        answer_rows = conn.execute(
            select(answers.c.participant_id, answers.c.item_id, answers.c.value)
            .where(answers.c.participant_id.in_(unjudged))
        ).all() if unjudged else []
        return self._judge(rows, verdicts, unjudged, answer_rows, valid_complete)

    def _unjudged(self, rows, valid_complete) -> tuple[dict[str, bool], set[str]]:
        """The verdicts kept for ``valid_complete``, and the completes among ``rows`` not yet judged."""
        verdicts = self._verdicts.setdefault(valid_complete, {})
        return verdicts, {participant_id for participant_id, _, status, _ in rows
                          if status == "complete" and participant_id not in verdicts}

    @staticmethod
    def _judge(rows, verdicts: dict, unjudged: set[str], answer_rows, valid_complete) -> list:
        """Judge the ``unjudged`` completes by their answers (rows of participant, item, JSON value);
        the rows that may fill a place."""
        stored: dict[str, dict] = {participant_id: {} for participant_id in unjudged}
        for participant_id, item_id, value in answer_rows:
            stored[participant_id][item_id] = json.loads(value)
        for participant_id, condition, _, _ in rows:
            if participant_id in stored:
                verdicts[participant_id] = valid_complete(stored[participant_id], condition)
        return [row for row in rows if row[2] != "complete" or verdicts[row[0]]]

    def record_decline(self, study_id: str) -> None:
        """Count one declined consent; nothing else about the person is kept."""
        with self._write() as conn:
            conn.execute(
                update(studies)
                .where(studies.c.study_id == study_id)
                .values(declines=studies.c.declines + 1)
            )

    # -- pages and answers ---------------------------------------------------
    def submit_page(
        self,
        participant_id: str,
        page_id: str,
        values: Mapping[str, Any],
        *,
        next_step: str,
        complete: bool = False,
        paradata: Mapping[str, float | None] | None = None,
        now: float | None = None,
    ) -> bool:
        """Store one page's answers and move the participant on, in one transaction.

        Only the participant's current step can be sent. A page they have moved
        past (a stale tab, the browser's back button), or any page once they have
        finished, is read-only: nothing is stored and ``False`` is returned. The
        check and the write are one transaction with the participant's row
        locked, so of two tabs sending the same page the first is stored and the
        second refused. Answers are inserted, never updated (one row per item);
        the page's submit time and ``paradata`` (see
        :data:`study.survey.tables.PARADATA_COLUMNS`; missing ones stay NULL)
        are kept and the next page's first showing is stamped, so page timings
        need no write when a page is merely shown.

        Returns
        -------
        bool
            Whether the page was stored.
        """
        now = time.time() if now is None else now
        if self.dialect == "postgresql":  # one statement (see study.survey.statements.postgresql_submit)
            with self._driver(write=True) as cursor:
                cursor.execute(self._postgresql_submit.sql, submit_parameters(
                    participant_id, page_id, values, next_step=next_step, complete=complete,
                    paradata=paradata, now=now))
                return cursor.fetchone() is not None
        paradata = {column: (paradata or {}).get(column) for column in PARADATA_COLUMNS}
        encoded = {item_id: json.dumps(value, ensure_ascii=False) for item_id, value in values.items()}
        statements = self._page_cycle
        with self._driver(write=True) as cursor:
            cursor.execute(statements.current_step.sql,
                           statements.current_step.params(participant_id=participant_id))
            row = cursor.fetchone()
            if row is None or row[0] != page_id:
                return False
            if encoded:
                cursor.executemany(statements.insert_answer.sql, [
                    statements.insert_answer.params(participant_id=participant_id, item_id=item_id,
                                                    page_id=page_id, value=value, now=now)
                    for item_id, value in encoded.items()
                ])
            cursor.execute(statements.record_submit.sql, statements.record_submit.params(
                participant_id=participant_id, page_id=page_id, now=now, **paradata))
            cursor.execute(statements.stamp_next_page.sql, statements.stamp_next_page.params(
                participant_id=participant_id, next_step=next_step, now=now))
            move = statements.complete if complete else statements.advance
            cursor.execute(move.sql, move.params(participant_id=participant_id,
                                                 next_step=next_step, now=now))
        return True

    def set_status(self, participant_id: str, status: str) -> bool:
        """Set a participant's status (e.g. ``excluded`` by the researcher); False if unknown."""
        if status not in STATUSES:
            raise SurveyDatabaseError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        with self._write() as conn:
            result = conn.execute(
                update(participants)
                .where(participants.c.participant_id == participant_id)
                .values(status=status)
            )
        return result.rowcount == 1


__all__ = ["SurveyDatabase", "SurveyDatabaseError", "hash_session_token", "sqlite_url_for"]
