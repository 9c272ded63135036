"""From the survey database to the canonical tables (wide and long), before scoring.

:func:`survey_dataframe` gives one row per participant with the columns of
docs/architecture.md (``participant_id``, ``condition``, one per factor,
``lang``, ``status``, ``started_at``, ``completed_at``, one per item in
questionnaire order) plus the survey block (``prolific_pid``, ``study_id``,
``session_id``, ``duplicate``, ``duration_seconds``, the paradata summed over pages:
``focus_lost_count``, ``focus_lost_seconds``, ``paste_count``, ``typing_seconds``, empty
where the browser sent none, and ``withdrawal_code``). :func:`answers_long`
gives one row per stored answer. Test sessions never appear.

>>> from study import load_study
>>> from study.survey.db import SurveyDatabase
>>> db = SurveyDatabase("sqlite://"); _ = db.ensure_study("tilburg", "0" * 64)
>>> list(survey_dataframe(db, load_study("tilburg")).columns[:5])
['participant_id', 'condition', 'channel', 'lang', 'status']
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pandas as pd

from study.design.assignment import current_status
from study.survey.sessions import withdrawal_code
from study.survey.tables import PARADATA_COLUMNS

SURVEY_COLUMNS = ("prolific_pid", "study_id", "session_id", "duplicate", "duration_seconds",
                  *PARADATA_COLUMNS, "withdrawal_code")
FINISHED = ("complete", "excluded")


def iso_utc(seconds: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC text (``None`` stays ``None``).

    >>> iso_utc(0)
    '1970-01-01T00:00:00+00:00'
    """
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds")


def _item_column(item, values: list) -> pd.Series:
    if item.type in ("likert", "semantic_differential") or (
        item.type == "number" and getattr(item, "integer", False)
    ):
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    if item.type == "number":
        return pd.array([None if v is None else float(v) for v in values], dtype="Float64")
    return pd.array(values, dtype="str")


def survey_dataframe(db, study, *, include_partial: bool = False, now: float | None = None
                     ) -> pd.DataFrame:
    """The canonical wide table of the study's participants (unscored).

    Parameters
    ----------
    db : study.survey.db.SurveyDatabase
    study : study.design.schema.Study
    include_partial : bool
        Also participants who did not finish (``in_progress``, ``timed_out``);
        default: only ``complete`` and ``excluded``.
    now : float, optional
        Epoch seconds used to tell in-progress from timed-out participants.
    """
    now = time.time() if now is None else now
    rows = []
    for row in db.participant_rows(study.id):
        status = current_status(row["status"], row["last_seen_at"], now=now,
                                timeout_minutes=study.assignment.timeout_minutes)
        if status in FINISHED or include_partial:
            rows.append(dict(row, status=status))
    answers: dict[str, dict] = {}
    for answer in db.answer_rows(study.id):
        answers.setdefault(answer["participant_id"], {})[answer["item_id"]] = answer["value"]
    levels = {c.name: c.levels for c in study.conditions}
    data: dict[str, object] = {
        "participant_id": pd.array([r["participant_id"] for r in rows], dtype="str"),
        "condition": pd.array([r["condition"] for r in rows], dtype="str"),
    }
    for factor in study.factor_names:
        data[factor] = pd.array([levels[r["condition"]][factor] for r in rows], dtype="str")
    data["lang"] = pd.array([r["lang"] for r in rows], dtype="str")
    data["status"] = pd.array([r["status"] for r in rows], dtype="str")
    data["started_at"] = pd.array([iso_utc(r["started_at"]) for r in rows], dtype="str")
    data["completed_at"] = pd.array([iso_utc(r["completed_at"]) for r in rows], dtype="str")
    for item in study.questionnaire.items:
        values = [answers.get(r["participant_id"], {}).get(item.id) for r in rows]
        data[item.id] = _item_column(item, values)
    seen_pids: set[str] = set()
    duplicate = []
    for r in rows:  # oldest first: a later row with a Prolific id already seen is a duplicate
        pid = r["prolific_pid"]
        duplicate.append(bool(r["duplicate"]) or (pid is not None and pid in seen_pids))
        if pid is not None:
            seen_pids.add(pid)
    data["prolific_pid"] = pd.array([r["prolific_pid"] for r in rows], dtype="str")
    data["study_id"] = pd.array([r["prolific_study_id"] for r in rows], dtype="str")
    data["session_id"] = pd.array([r["prolific_session_id"] for r in rows], dtype="str")
    data["duplicate"] = pd.array(duplicate, dtype="bool")
    data["duration_seconds"] = pd.array(
        [None if r["completed_at"] is None else r["completed_at"] - r["started_at"] for r in rows],
        dtype="Float64",
    )
    totals = _paradata_totals(db.page_visit_rows(study.id))
    for column in PARADATA_COLUMNS:
        values = [totals.get(r["participant_id"], {}).get(column) for r in rows]
        data[column] = pd.array(values, dtype="Int64" if column.endswith("_count") else "Float64")
    secret = db.secret_key()
    data["withdrawal_code"] = pd.array([withdrawal_code(secret, r["participant_id"]) for r in rows],
                                       dtype="str")
    return pd.DataFrame(data)


def _paradata_totals(visits) -> dict[str, dict[str, float]]:
    """Per participant, each paradata column summed over the pages that measured it."""
    totals: dict[str, dict[str, float]] = {}
    for visit in visits:
        for column in PARADATA_COLUMNS:
            if visit[column] is not None:
                mine = totals.setdefault(visit["participant_id"], {})
                mine[column] = mine.get(column, 0) + visit[column]
    return totals


def answers_long(db, study, participant_ids=None) -> pd.DataFrame:
    """One row per stored answer: participant, condition, page, item, value, time.

    ``participant_ids`` limits the rows to those participants (e.g. the ones
    in the wide export). Values are written as text, as the participant sent
    them after validation.
    """
    conditions = {r["participant_id"]: r["condition"] for r in db.participant_rows(study.id)}
    keep = None if participant_ids is None else set(participant_ids)
    rows = [
        {
            "participant_id": a["participant_id"],
            "condition": conditions.get(a["participant_id"]),
            "page_id": a["page_id"],
            "item_id": a["item_id"],
            "value": str(a["value"]),
            "answered_at": iso_utc(a["answered_at"]),
        }
        for a in db.answer_rows(study.id)
        if keep is None or a["participant_id"] in keep
    ]
    columns = ["participant_id", "condition", "page_id", "item_id", "value", "answered_at"]
    return pd.DataFrame(rows, columns=columns).astype("str") if rows else pd.DataFrame(
        {c: pd.array([], dtype="str") for c in columns})


def page_timings(db, study, participant_ids=None) -> pd.DataFrame:
    """One row per page a participant reached: first shown, submitted, seconds spent,
    submits, and the page's paradata (empty where the browser sent none)."""
    keep = None if participant_ids is None else set(participant_ids)
    rows = [
        {
            "participant_id": v["participant_id"],
            "page_id": v["page_id"],
            "shown_at": iso_utc(v["shown_at"]),
            "submitted_at": iso_utc(v["submitted_at"]),
            "seconds": None if v["submitted_at"] is None else v["submitted_at"] - v["shown_at"],
            "submits": v["submits"],
            **{column: v[column] for column in PARADATA_COLUMNS},
        }
        for v in db.page_visit_rows(study.id)
        if keep is None or v["participant_id"] in keep
    ]
    columns = ["participant_id", "page_id", "shown_at", "submitted_at", "seconds", "submits",
               *PARADATA_COLUMNS]
    frame = pd.DataFrame(rows, columns=columns)
    for column in PARADATA_COLUMNS:
        frame[column] = frame[column].astype("Int64" if column.endswith("_count") else "Float64")
    return frame
