"""The statements of the page cycle, compiled once per dialect and run on the driver.

A participant's page cycle (look up the session, show the page, store the
answers and move on) is the survey's hot path. Written in SQLAlchemy Core like
every other query, these few statements are compiled to SQL text once per
dialect when the database opens, and then run on the driver's own cursor
(sqlite3 or psycopg): SQLAlchemy's per-call work (building the statement, its
cache key, the result object) cost several times the database's own work. On
PostgreSQL, storing a page is one statement (:func:`postgresql_submit`), sent on
an autocommit connection: one round trip instead of eight.

Parameters are named (``:name`` for sqlite3, ``%(name)s`` for psycopg); values
that are fixed in the statement (such as the statuses in an ``IN``) are
sent as parameters with their defaults, merged under the caller's.

>>> statements = compile_page_cycle("sqlite")
>>> print(statements.page_shown_at.sql)
SELECT replylab_page_visits.shown_at
FROM replylab_page_visits
WHERE replylab_page_visits.participant_id = :participant_id AND replylab_page_visits.page_id = :page_id
>>> statements.stamp_next_page.params(participant_id="p1", next_step="page_1", now=0.0)
{'submits': 0, 'participant_id': 'p1', 'next_step': 'page_1', 'now': 0.0}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, case, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from study.design.assignment import COUNTED_STATUSES
from study.survey.tables import PARADATA_COLUMNS, answers, page_visits, participants, studies

#: participant columns the driver returns as 0/1 on SQLite
BOOLEAN_COLUMNS = ("is_test", "duplicate")


@dataclass(frozen=True)
class CompiledStatement:
    """SQL text for one dialect and the defaults of its fixed parameters."""

    sql: str
    defaults: dict[str, Any]

    def params(self, **values) -> dict[str, Any]:
        """The parameters to send: the fixed defaults, then ``values``."""
        return {**self.defaults, **values}


def _dialect(name: str):
    if name == "sqlite":
        return sqlite.dialect(paramstyle="named")
    return postgresql.psycopg.dialect(paramstyle="pyformat")


def _compile(statement, dialect) -> CompiledStatement:
    compiled = statement.compile(dialect=dialect)
    defaults = {name: value for name, value in compiled.params.items() if value is not None}
    return CompiledStatement(compiled.string, defaults)


def _status_in(*statuses):
    # literal values, not an "expanding" IN: the statement is compiled once, without values
    return participants.c.status.in_([literal(status) for status in statuses])


def counted_participants(study_id):
    """Who may fill a condition of ``study_id`` (a value or a bind parameter), for the counts."""
    return select(participants.c.participant_id, participants.c.condition, participants.c.status,
                  participants.c.last_seen_at).where(
        participants.c.study_id == study_id, participants.c.is_test.is_(False),
        _status_in(*COUNTED_STATUSES))


def prolific_lookup(study_id, *, by: str):
    """Non-test participants of ``study_id`` with a Prolific id (``by="pid"``) or session id."""
    column = {"pid": participants.c.prolific_pid, "session_id": participants.c.prolific_session_id}[by]
    return (select(participants)
            .where(participants.c.study_id == study_id, participants.c.is_test.is_(False),
                   column == bindparam("prolific_id"))
            .order_by(participants.c.started_at))


def compile_page_cycle(dialect_name: str) -> SimpleNamespace:
    """The page-cycle statements for ``"sqlite"`` or ``"postgresql"``, compiled."""
    dialect = _dialect(dialect_name)
    insert = (sqlite if dialect_name == "sqlite" else postgresql).insert
    participant_id = bindparam("participant_id")
    now = bindparam("now")
    visit_upsert = insert(page_visits).values(
        participant_id=participant_id, page_id=bindparam("page_id"), shown_at=now,
        submitted_at=now, submits=1,
        **{column: bindparam(column) for column in PARADATA_COLUMNS},
    )
    statements = {
        "participant_by_session": select(participants).where(
            participants.c.session_hash == bindparam("session_hash")),
        "participants_by_prolific_pid": prolific_lookup(bindparam("study_id"), by="pid"),
        "participants_by_prolific_session": prolific_lookup(bindparam("study_id"), by="session_id"),
        "page_shown_at": select(page_visits.c.shown_at).where(
            page_visits.c.participant_id == participant_id,
            page_visits.c.page_id == bindparam("page_id")),
        "current_step": select(participants.c.step)
        .where(participants.c.participant_id == participant_id).with_for_update(),
        "insert_answer": answers.insert().values(
            participant_id=participant_id, item_id=bindparam("item_id"),
            page_id=bindparam("page_id"), value=bindparam("value"), answered_at=now),
        "record_submit": visit_upsert.on_conflict_do_update(
            index_elements=["participant_id", "page_id"],
            set_={"submitted_at": now, "submits": page_visits.c.submits + 1,
                  **{column: bindparam(column) for column in PARADATA_COLUMNS}}),
        "stamp_next_page": insert(page_visits).values(
            participant_id=participant_id, page_id=bindparam("next_step"), shown_at=now,
            submits=0).on_conflict_do_nothing(index_elements=["participant_id", "page_id"]),
        "advance": update(participants)
        .where(participants.c.participant_id == participant_id,
               _status_in("in_progress", "timed_out", "complete"))
        .values(last_seen_at=now, step=bindparam("next_step"),
                status=case((participants.c.status == "timed_out", "in_progress"),
                            else_=participants.c.status)),
        "complete": update(participants)
        .where(participants.c.participant_id == participant_id,
               _status_in("in_progress", "timed_out", "complete"))
        .values(last_seen_at=now, step=bindparam("next_step"), status="complete",
                completed_at=now),
    }
    return SimpleNamespace(**{name: _compile(statement, dialect)
                              for name, statement in statements.items()})


def postgresql_submit(by: str = "participant_id") -> CompiledStatement:
    """:meth:`~study.survey.db.SurveyDatabase.submit_page` on PostgreSQL, as one statement.

    The steps of the SQLite transaction (lock the participant's row if the page is
    their current step, insert the answers, record the submit, stamp the next
    page, move on) are data-modifying parts of one statement, which PostgreSQL
    runs atomically: on an autocommit connection the page is stored in one round
    trip instead of eight. Every part reads from ``current``, the locked row; if
    another tab moved the participant on first, the row no longer matches once its
    lock is released (PostgreSQL rechecks the condition on the newest version),
    ``current`` is empty and nothing is written. The statement returns one row
    when the page was stored, none when it was refused. The answers arrive as two
    arrays (item ids, JSON values). The participant is found ``by`` their id
    (``participant_id``) or by their session cookie's hash (``session_hash``: the
    server's usual submit, which then needs no lookup first).

    >>> "FOR UPDATE" in postgresql_submit().sql
    True
    """
    if by not in ("participant_id", "session_hash"):
        raise ValueError(f"by must be participant_id or session_hash, not {by!r}")
    visits, paradata = page_visits.name, ", ".join(PARADATA_COLUMNS)
    sql = f"""
WITH current AS MATERIALIZED (
    SELECT participant_id FROM {participants.name}
    WHERE {by} = %({by})s AND step = %(page_id)s
    FOR UPDATE
), stored AS (
    INSERT INTO {answers.name} (participant_id, item_id, page_id, value, answered_at)
    SELECT current.participant_id, answer.item_id, %(page_id)s, answer.value, %(now)s
    FROM current, unnest(%(item_ids)s::text[], %(values)s::text[]) AS answer(item_id, value)
), submitted AS (
    INSERT INTO {visits} (participant_id, page_id, shown_at, submitted_at, submits, {paradata})
    SELECT participant_id, %(page_id)s, %(now)s, %(now)s, 1,
           {", ".join(f"%({column})s" for column in PARADATA_COLUMNS)}
    FROM current
    ON CONFLICT (participant_id, page_id) DO UPDATE SET
        submitted_at = EXCLUDED.submitted_at, submits = {visits}.submits + 1,
        {", ".join(f"{column} = EXCLUDED.{column}" for column in PARADATA_COLUMNS)}
), stamped AS (
    INSERT INTO {visits} (participant_id, page_id, shown_at, submits)
    SELECT participant_id, %(next_step)s, %(now)s, 0 FROM current
    ON CONFLICT (participant_id, page_id) DO NOTHING
), moved AS (
    UPDATE {participants.name} SET
        last_seen_at = %(now)s, step = %(next_step)s,
        status = CASE WHEN %(complete)s THEN 'complete'
                      WHEN status = 'timed_out' THEN 'in_progress' ELSE status END,
        completed_at = CASE WHEN %(complete)s THEN %(now)s ELSE completed_at END
    WHERE participant_id IN (SELECT participant_id FROM current)
      AND status IN ('in_progress', 'timed_out', 'complete')
)
SELECT participant_id FROM current"""
    return CompiledStatement(sql.strip(), {})


def postgresql_start() -> SimpleNamespace:
    """:meth:`~study.survey.db.SurveyDatabase.start_participant` on PostgreSQL, in four statements.

    ``lock_study`` locks the study's row (consents queue on it) and reads how
    many were assigned; ``counted`` then reads who may fill a condition, in a
    statement of its own so that it sees every consent committed while this
    one waited for the lock. ``answers_of`` reads the answers of completes not
    yet judged (``assignment.count: valid_completes``). After the condition is
    chosen (in Python, by the study's scheme), ``insert`` writes everything in
    one statement: it marks the idle participants ``timed_out``, counts the
    assignment, inserts the participant (flagged as a duplicate when the
    Prolific id was seen before) and stamps the first page; it returns
    ``duplicate``.

    >>> "FOR UPDATE" in postgresql_start().lock_study.sql
    True
    """
    dialect = _dialect("postgresql")
    study_id = bindparam("study_id")
    columns = [column.name for column in participants.columns]
    values = {column: f"%({column})s" for column in columns}
    values["duplicate"] = f"""%(prolific_pid)s::varchar IS NOT NULL AND EXISTS (
        SELECT 1 FROM {participants.name}
        WHERE study_id = %(study_id)s AND prolific_pid = %(prolific_pid)s AND NOT is_test)"""
    insert = f"""
WITH timed_out AS (
    UPDATE {participants.name} SET status = 'timed_out'
    WHERE participant_id = ANY(%(idle)s::text[])
), assigned AS (
    UPDATE {studies.name} SET n_assigned = n_assigned + 1 WHERE study_id = %(study_id)s
), shown AS (
    INSERT INTO {page_visits.name} (participant_id, page_id, shown_at, submits)
    VALUES (%(participant_id)s, %(step)s, %(started_at)s, 0)
)
INSERT INTO {participants.name} ({", ".join(columns)})
VALUES ({", ".join(values[column] for column in columns)})
RETURNING duplicate"""
    return SimpleNamespace(
        lock_study=_compile(select(studies.c.n_assigned).where(studies.c.study_id == study_id)
                            .with_for_update(), dialect),
        counted=_compile(counted_participants(study_id), dialect),
        answers_of=CompiledStatement(
            f"SELECT participant_id, item_id, value FROM {answers.name} "
            "WHERE participant_id = ANY(%(participant_ids)s::text[])", {}),
        insert=CompiledStatement(insert.strip(), {}),
    )


def submit_parameters(participant_id: str, page_id: str, values: Mapping[str, Any], *, next_step: str,
                       complete: bool, paradata: Mapping[str, float | None] | None, now: float) -> dict:
    """The parameters of the one-statement submit on PostgreSQL (answers as two arrays)."""
    encoded = {item_id: json.dumps(value, ensure_ascii=False) for item_id, value in values.items()}
    return dict(participant_id=participant_id, page_id=page_id, next_step=next_step, now=now,
                complete=complete, item_ids=list(encoded), values=list(encoded.values()),
                **{column: (paradata or {}).get(column) for column in PARADATA_COLUMNS})


def participant_row(columns: list[str], row) -> dict:
    """A participant row from the driver as the dict the routes use (booleans as bool)."""
    record = dict(zip(columns, row))
    for column in BOOLEAN_COLUMNS:
        record[column] = bool(record[column])
    return record
