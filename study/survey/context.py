"""What every survey route shares: the context of one app and the errors routes raise.

:func:`study.survey.app.create_app` builds one :class:`SurveyContext` and keeps it
in ``app.state.survey``; the route modules read it from the request (see
:func:`survey_context`) and never import the app module that imports them.

>>> SurveyError(400, "Unknown language").status
400
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from study.design.schema import Study
from study.design.validity import passes_declared_checks
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
    #: the hash of the study file this database last served (see ``SurveyDatabase.ensure_study``)
    served_file_hash: str | None = None
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self):
        self.steps = survey_steps(self.study)
        self.step_ids = [step.id for step in self.steps]
        self.steps_by_id = {step.id: step for step in self.steps}
        self.vignette_cache: dict = {}
        self.page_cache: dict = {}  # pages that are the same for everyone in a cell (see render_step)
        # with ``assignment.count: valid_completes``, the rule for a complete that fills a place
        self.valid_complete = (partial(_passes_checks, study=self.study)
                               if self.study.assignment.count == "valid_completes" else None)

    async def run(self, func, *args):
        """Run a route's database work: in place on SQLite, in the thread pool otherwise.

        SQLite's statements take microseconds and one process writes one at a time
        anyway, so handing them to a worker thread cost more CPU than the work itself
        (thread wake-ups under the GIL). A PostgreSQL round trip waits on the network,
        which the thread pool overlaps.
        """
        if self.db.dialect == "sqlite":
            return func(*args)
        return await run_in_threadpool(func, *args)

    @property
    def study_id(self) -> str:
        return self.study.id

    def default_lang(self) -> str:
        return self.study.languages[0]


def _passes_checks(answers: dict, condition: str, *, study: Study) -> bool:
    return passes_declared_checks(answers, study, condition=condition)


class SurveyError(Exception):
    """A request the survey refuses: answered with ``status`` and a page saying why.

    Participant-facing refusals name a ``key`` of the interface texts (see
    :func:`study.survey.rendering.ui`), shown in the participant's language, or in
    the browser's preferred one when the participant is not known (``lang=None``);
    ``detail`` adds a technical reason in small print. Researcher-facing
    refusals (the admin pages) give a ``message`` in English.
    """

    def __init__(self, status: int, message: str | None = None, lang: str | None = None, *,
                 key: str | None = None, detail: str | None = None, **values):
        super().__init__(message or key)
        self.status = status
        self.message = message
        self.lang = lang
        self.key = key
        self.detail = detail
        self.values = values

    def text(self, lang: str) -> str:
        """The message in ``lang``."""
        return ui(lang)[self.key].format(**self.values) if self.key else self.message


def error_response(status: int, message: str, lang: str = "en", *, detail: str | None = None,
                   back: bool = True) -> HTMLResponse:
    """A friendly HTML page in ``lang`` with the message and a way back, served with ``status``."""
    t = ui(lang)
    html = render_page(
        "message.html", lang=lang, t=t, title=f"{t['error_prefix']}: {t['error_heading']}",
        heading=t["error_heading"], body=message, body_markdown=None, preview=False,
        detail=detail, back_link="/" if back else None,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def survey_context(request: Request) -> SurveyContext:
    """The context of the app serving ``request``."""
    return request.app.state.survey
