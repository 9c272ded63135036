"""The sequence of pages a participant walks through, derived from the study file.

Before consent there is only the welcome page (language choice, information
and consent); nothing is stored then. After consent the steps are fixed:
``vignette``, one step per questionnaire page (``page_<id>``, in declared
order), ``debrief`` and ``done`` (the completion code). A participant's
current step is stored, so any request resumes there.

>>> steps = ["vignette", "page_attitude", "debrief", "done"]
>>> step_position(steps, "page_attitude"), next_step(steps, "page_attitude")
(1, 'debrief')
"""

from __future__ import annotations

from dataclasses import dataclass

VIGNETTE = "vignette"
DEBRIEF = "debrief"
DONE = "done"
PAGE_PREFIX = "page_"
#: The query flag on the current page's address when an earlier page was sent again
#: (an old tab, the back button): the page then notes that nothing was changed.
ANSWERED_FLAG = "answered=1"


def page_path(step_id: str, *, answered: bool = False) -> str:
    """The address of a step's page (with the "already answered" note if asked).

    >>> page_path("vignette"), page_path("page_attitude", answered=True)
    ('/page/vignette', '/page/page_attitude?answered=1')
    """
    return f"/page/{step_id}" + (f"?{ANSWERED_FLAG}" if answered else "")


@dataclass(frozen=True)
class Step:
    """One step after consent: its id, its kind and (for questions) the page and items."""

    id: str
    kind: str  # "vignette" | "questions" | "debrief" | "done"
    page: object = None  # questionnaires.Page for kind "questions"
    items: tuple = ()  # questionnaires.Item objects on that page


def survey_steps(study) -> list[Step]:
    """The steps after consent for ``study``, in order."""
    questionnaire = study.questionnaire
    steps = [Step(VIGNETTE, "vignette")]
    for page in questionnaire.pages:
        items = tuple(questionnaire.item(item_id) for item_id in page.items)
        steps.append(Step(PAGE_PREFIX + page.id, "questions", page, items))
    steps += [Step(DEBRIEF, "debrief"), Step(DONE, "done")]
    return steps


def step_position(step_ids: list[str], step_id: str) -> int:
    """Index of ``step_id`` in the sequence, or -1 if it is not a step of this study."""
    try:
        return step_ids.index(step_id)
    except ValueError:
        return -1


def next_step(step_ids: list[str], step_id: str) -> str:
    """The step after ``step_id`` (``done`` stays ``done``)."""
    position = step_position(step_ids, step_id)
    return step_ids[min(position + 1, len(step_ids) - 1)]


def last_question_step(step_ids: list[str]) -> str:
    """The step whose submit completes the data (the one before the debrief).

    >>> last_question_step(["vignette", "page_a", "page_b", "debrief", "done"])
    'page_b'
    """
    return step_ids[step_ids.index(DEBRIEF) - 1]
