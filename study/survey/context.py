"""What every survey route shares: the context of one app and the errors routes raise.

:func:`study.survey.app.create_app` builds one :class:`SurveyContext` and keeps it
in ``app.state.survey``; the route modules read it from the request (see
:func:`survey_context`) and never import the app module that imports them.

>>> SurveyError(400, "Unknown language").status
400
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import HTMLResponse

from study.design.schema import Study
from study.survey.db import SurveyDatabase
from study.survey.flow import Step, survey_steps
from study.survey.rendering import render_page, ui


@dataclass
class SurveyContext:
    """What every route needs: the study, its steps, the database and the secrets."""

    study: Study
    db: SurveyDatabase
    admin_token: str
    secret: bytes
    secure_cookies: bool = False
    store_ip: bool = False
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self):
        self.steps = survey_steps(self.study)
        self.step_ids = [step.id for step in self.steps]
        self.steps_by_id = {step.id: step for step in self.steps}
        self.vignette_cache: dict = {}

    @property
    def study_id(self) -> str:
        return self.study.id

    def default_lang(self) -> str:
        return self.study.languages[0]


class SurveyError(Exception):
    """A request the survey refuses: answered with ``status`` and a page saying why."""

    def __init__(self, status: int, message: str, lang: str = "en"):
        super().__init__(message)
        self.status = status
        self.message = message
        self.lang = lang


def error_response(status: int, message: str, lang: str = "en") -> HTMLResponse:
    """An HTML page with the message, served with the given 4xx status."""
    html = render_page(
        "message.html", lang=lang, t=ui(lang), title=f"{status}", heading=f"{status}",
        body=message, body_markdown=None, preview=False,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def survey_context(request: Request) -> SurveyContext:
    """The context of the app serving ``request``."""
    return request.app.state.survey
