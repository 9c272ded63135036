"""Live figures for the researcher's dashboard: counts per condition, timing, attention.

>>> from study import load_study
>>> from study.survey.db import SurveyDatabase
>>> tilburg = load_study("tilburg")
>>> db = SurveyDatabase("sqlite://"); _ = db.ensure_study("tilburg", "0" * 64)
>>> survey_stats(db, tilburg)["totals"]["started"]
0
"""

from __future__ import annotations

import statistics
import time

from study.design.assignment import current_status

COUNT_COLUMNS = ("started", "in_progress", "complete", "timed_out", "excluded")


def survey_stats(db, study, *, now: float | None = None) -> dict:
    """Counts per condition and overall figures for the admin page.

    Returns
    -------
    dict
        ``conditions``: list of ``{condition, started, in_progress, complete,
        timed_out, excluded}``; ``totals`` (same keys); ``declined`` (consent
        refusals, not tied to a condition); ``median_minutes`` (completion time of
        completes, or None); ``attention_failure_rate`` (share of answered
        attention checks that were wrong, or None) and ``attention_n``.
        Participants idle longer than the study's timeout count as timed out.
    """
    now = time.time() if now is None else now
    table = {name: dict.fromkeys(COUNT_COLUMNS, 0) for name in study.condition_names}
    durations = []
    for row in db.participant_rows(study.id):
        status = current_status(row["status"], row["last_seen_at"], now=now,
                                timeout_minutes=study.assignment.timeout_minutes)
        counts = table.setdefault(row["condition"], dict.fromkeys(COUNT_COLUMNS, 0))
        counts["started"] += 1
        if status in counts:
            counts[status] += 1
        if row["status"] == "complete" and row["completed_at"]:
            durations.append(row["completed_at"] - row["started_at"])
    totals = {column: sum(c[column] for c in table.values()) for column in COUNT_COLUMNS}
    attention = study.checks.attention
    failure_rate, attention_n = None, 0
    if attention is not None:
        answered = db.item_answers(study.id, attention.item)
        attention_n = len(answered)
        if answered:
            wrong = sum(str(a["value"]) != str(attention.correct) for a in answered)
            failure_rate = wrong / attention_n
    study_row = db.study_row(study.id) or {"declines": 0}
    return {
        "conditions": [{"condition": name, **counts} for name, counts in table.items()],
        "totals": totals,
        "declined": study_row["declines"],
        "median_minutes": statistics.median(durations) / 60.0 if durations else None,
        "attention_failure_rate": failure_rate,
        "attention_n": attention_n,
    }


def recent_free_text(db, study, *, limit: int = 10) -> list[dict]:
    """The latest free-text answers (item, condition, text), newest first, for a glance."""
    items = [item.id for item in study.questionnaire.items if item.type == "free_text"]
    rows = [dict(row, item_id=item_id) for item_id in items
            for row in db.item_answers(study.id, item_id)]
    rows.sort(key=lambda row: row["answered_at"], reverse=True)
    return rows[:limit]
