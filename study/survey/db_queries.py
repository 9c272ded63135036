"""Read-only queries: a participant's session and answers, and whole-study views
for the admin page and the export.

Mixed into :class:`study.survey.db.SurveyDatabase`; study-wide queries leave
test sessions out unless asked.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from study.survey.sessions import hash_session_token
from study.survey.statements import participant_row, prolific_lookup
from study.survey.tables import answers, page_visits, participants, studies


class ResearcherQueries:
    """Read-only queries (need ``self._read()``, ``self._driver()`` and the compiled
    ``self._page_cycle`` statements from the database class)."""

    def participant_by_session(self, session_token: str) -> dict | None:
        """The participant whose session cookie is ``session_token``, or None."""
        statement = self._page_cycle.participant_by_session
        with self._driver() as cursor:
            cursor.execute(statement.sql,
                           statement.params(session_hash=hash_session_token(session_token)))
            row = cursor.fetchone()
            columns = [column[0] for column in cursor.description]
        return participant_row(columns, row) if row else None

    def participants_by_prolific(self, study_id: str, *, pid=None, session_id=None) -> list[dict]:
        """Non-test participants of a study with this Prolific id or session id."""
        if not (session_id or pid):
            return []
        query = prolific_lookup(study_id, by="session_id" if session_id else "pid")
        with self._read() as conn:
            rows = conn.execute(query, {"prolific_id": session_id or pid}).mappings().all()
        return [dict(row) for row in rows]

    def answers_of(self, participant_id: str) -> dict[str, Any]:
        """The stored answers of one participant, item id -> value."""
        with self._read() as conn:
            rows = conn.execute(
                select(answers.c.item_id, answers.c.value).where(
                    answers.c.participant_id == participant_id
                )
            ).all()
        return {item_id: json.loads(value) for item_id, value in rows}

    def page_shown_at(self, participant_id: str, page_id: str) -> float | None:
        """When the page was first shown to the participant (epoch seconds), or None."""
        statement = self._page_cycle.page_shown_at
        with self._driver() as cursor:
            cursor.execute(statement.sql,
                           statement.params(participant_id=participant_id, page_id=page_id))
            row = cursor.fetchone()
        return row[0] if row else None

    def study_row(self, study_id: str) -> dict | None:
        """The study's bookkeeping row (``n_assigned``, ``declines``)."""
        with self._read() as conn:
            row = conn.execute(select(studies).where(studies.c.study_id == study_id)).mappings().first()
        return dict(row) if row else None

    def participant_rows(self, study_id: str, *, include_tests: bool = False) -> list[dict]:
        """Every participant of the study (test sessions only when asked), oldest first."""
        query = select(participants).where(participants.c.study_id == study_id)
        if not include_tests:
            query = query.where(participants.c.is_test.is_(False))
        with self._read() as conn:
            rows = conn.execute(query.order_by(participants.c.started_at)).mappings().all()
        return [dict(row) for row in rows]

    def answer_rows(self, study_id: str) -> list[dict]:
        """Every stored answer of the study's non-test participants (long format)."""
        query = (
            select(answers)
            .join(participants, participants.c.participant_id == answers.c.participant_id)
            .where(participants.c.study_id == study_id, participants.c.is_test.is_(False))
            .order_by(answers.c.participant_id, answers.c.answered_at, answers.c.item_id)
        )
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [{**row, "value": json.loads(row["value"])} for row in rows]

    def item_answers(self, study_id: str, item_id: str) -> list[dict]:
        """One item's answers (with the participant's status), non-test participants only."""
        query = (
            select(answers.c.participant_id, answers.c.value, answers.c.answered_at,
                   participants.c.status, participants.c.condition)
            .join(participants, participants.c.participant_id == answers.c.participant_id)
            .where(participants.c.study_id == study_id, participants.c.is_test.is_(False),
                   answers.c.item_id == item_id)
            .order_by(answers.c.answered_at)
        )
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [{**row, "value": json.loads(row["value"])} for row in rows]

    def page_visit_rows(self, study_id: str) -> list[dict]:
        """Page timings of the study's non-test participants."""
        query = (
            select(page_visits)
            .join(participants, participants.c.participant_id == page_visits.c.participant_id)
            .where(participants.c.study_id == study_id, participants.c.is_test.is_(False))
        )
        with self._read() as conn:
            return [dict(row) for row in conn.execute(query).mappings().all()]
