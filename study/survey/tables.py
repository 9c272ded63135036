"""The survey's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Times are stored as seconds since the epoch (UTC, float): portable across both
databases and exact for durations; the export turns them into ISO 8601.
Answers are stored one row per participant and item, the value JSON-encoded so
that integers, numbers and text come back as they were validated.

>>> sorted(metadata.tables)
['replylab_answers', 'replylab_page_visits', 'replylab_participants', 'replylab_settings', 'replylab_studies']
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

STATUSES = ("in_progress", "complete", "timed_out", "declined", "excluded")
#: what a page's script measures (counts end in ``_count``, durations in seconds)
PARADATA_COLUMNS = ("focus_lost_count", "focus_lost_seconds", "paste_count", "typing_seconds")

#: key-value settings of this database (the secret that signs CSRF tokens).
settings = Table(
    "replylab_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: one row per study served from this database; the row is the assignment lock.
studies = Table(
    "replylab_studies",
    metadata,
    Column("study_id", String(64), primary_key=True),
    Column("file_hash", String(64), nullable=False),
    Column("n_assigned", Integer, nullable=False),
    Column("declines", Integer, nullable=False),
)

participants = Table(
    "replylab_participants",
    metadata,
    Column("participant_id", String(32), primary_key=True),
    Column("study_id", String(64), ForeignKey("replylab_studies.study_id"), nullable=False),
    Column("session_hash", String(64), nullable=False, unique=True),
    Column("condition", String(128), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("step", String(80), nullable=False),
    Column("is_test", Boolean, nullable=False),
    Column("assignment_index", Integer),
    Column("prolific_pid", String(64)),
    Column("prolific_study_id", String(64)),
    Column("prolific_session_id", String(64)),
    Column("duplicate", Boolean, nullable=False),
    Column("ip_address", String(64)),
    Column("started_at", Double, nullable=False),
    Column("last_seen_at", Double, nullable=False),
    Column("completed_at", Double),
)
Index("ix_replylab_participants_study_status", participants.c.study_id, participants.c.status)
Index("ix_replylab_participants_pid", participants.c.study_id, participants.c.prolific_pid)
Index("ix_replylab_participants_psession", participants.c.prolific_session_id)

answers = Table(
    "replylab_answers",
    metadata,
    Column(
        "participant_id",
        String(32),
        ForeignKey("replylab_participants.participant_id"),
        primary_key=True,
    ),
    Column("item_id", String(64), primary_key=True),
    Column("page_id", String(80), nullable=False),
    Column("value", Text, nullable=False),
    Column("answered_at", Double, nullable=False),
)

page_visits = Table(
    "replylab_page_visits",
    metadata,
    Column(
        "participant_id",
        String(32),
        ForeignKey("replylab_participants.participant_id"),
        primary_key=True,
    ),
    Column("page_id", String(80), primary_key=True),
    Column("shown_at", Double, nullable=False),
    Column("submitted_at", Double),
    Column("submits", Integer, nullable=False),
    # paradata sent by the page's script; NULL when the browser ran none
    *(Column(name, Integer if name.endswith("_count") else Double) for name in PARADATA_COLUMNS),
)
