"""LimeSurvey's conventions: the metadata columns of a response export and its
subquestion names (``FAS[SQ001]``); a response without ``submitdate`` is incomplete.

>>> is_limesurvey(["id", "submitdate", "lastpage", "startlanguage", "Q1"])
True
>>> is_timing_column("groupTime715"), is_timing_column("Q1Time"), is_timing_column("Q1")
(True, True, False)
"""

from __future__ import annotations

import re

__all__ = ["METADATA", "is_limesurvey", "is_timing_column"]

#: LimeSurvey metadata columns: name -> canonical column (or None: left out).
METADATA = {
    "id": "participant_id", "submitdate": "completed_at", "lastpage": None, "startlanguage": "lang",
    "seed": None, "token": None, "startdate": "started_at", "datestamp": None, "ipaddr": None,
    "refurl": None, "interviewtime": "duration_seconds",
}


def is_limesurvey(names: list[str]) -> bool:
    """Whether column names are those of a LimeSurvey response export (codes as headings)."""
    return {"id", "submitdate", "lastpage", "startlanguage"} <= set(names)


def is_timing_column(name: str) -> bool:
    """LimeSurvey's timing columns: ``groupTime715``, ``Q1Time``."""
    return bool(re.fullmatch(r"groupTime\d+", name)) or (name.endswith("Time") and len(name) > 4
                                                          and not name[-5].isspace())
