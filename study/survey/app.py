"""The survey application: ``create_app(study, db_url)`` builds the FastAPI app.

One :class:`~study.survey.context.SurveyContext` per app holds the study, its
page sequence, the database (one engine and pool per process) and the secrets;
the route modules reach it through ``request.app.state.survey``.

>>> from study.design.loader import load_study
>>> app = create_app(load_study("tilburg"), "sqlite://", admin_token="t")
>>> app.state.survey.step_ids[:2], app.state.survey.step_ids[-2:]
(['vignette', 'page_attitude'], ['debrief', 'done'])
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys

import anyio.to_thread
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from study.design.loader import load_study
from study.design.vignettes import render_vignette
from study.survey import admin_routes, health_routes, participant_routes
from study.survey.context import SurveyContext, SurveyError, error_response
from study.survey.db import SurveyDatabase
from study.survey.engine import POSTGRESQL_ENGINE_CONNECTIONS
from study.survey.limits import DEFAULT_MAX_BODY_BYTES, BodySizeLimit, SecurityHeaders
from study.survey.rendering import environment, markdown_to_html, preferred_language, ui

# the admin pages (and a participant's rare writes: a decline, a new cookie) run in threads,
# on the SQLAlchemy engine's connections (participants' requests run on the event loop:
# study.survey.db_async)
WORKER_THREADS = POSTGRESQL_ENGINE_CONNECTIONS


def _warm_up(context: SurveyContext) -> None:
    """Compile everything a page needs now, not on the first participant's request."""
    for name in environment().list_templates():
        environment().get_template(name)
    markdown_to_html("warm *up*")
    study = context.study
    for condition in study.condition_names:
        for lang in study.languages:
            render_vignette(study, condition, lang, standalone=False)


def _database_unreachable(error: Exception) -> bool:
    """Whether ``error`` says the database could not be reached or used (not a bug in a query)."""
    if isinstance(error, sqlalchemy.exc.OperationalError):
        return True
    psycopg = sys.modules.get("psycopg")  # only loaded when a PostgreSQL URL is used
    return psycopg is not None and isinstance(error, psycopg.OperationalError)


def _browser_language(request: Request, study) -> str:
    return preferred_language(request.headers.get("accept-language"), study.languages)


def create_app(
    study,
    db_url: str | None = None,
    *,
    admin_token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    secure_cookies: bool = False,
    store_ip: bool = False,
) -> FastAPI:
    """Build the survey app for ``study``.

    Parameters
    ----------
    study : study.design.schema.Study or str or path
        The study (or a shipped name / path for :func:`study.load_study`).
    db_url : str, optional
        SQLAlchemy URL; default ``sqlite:///replylab.db`` in the working directory.
    admin_token : str, optional
        Token for ``/admin``; default ``$REPLYLAB_ADMIN_TOKEN`` or a random one
        (read it from ``app.state.survey.admin_token``).
    max_body_bytes : int
        Larger request bodies are refused with 413.
    secure_cookies : bool
        Mark cookies ``Secure`` (set when serving over HTTPS).
    store_ip : bool
        Keep the participant's IP address (off unless this is set or the study
        file asks for it with ``store_ip: true``).
    """
    if isinstance(study, (str, os.PathLike)):
        study = load_study(study)
    db = SurveyDatabase(db_url)
    served_file_hash = db.ensure_study(study.id, study.file_hash or "")
    context = SurveyContext(
        study=study,
        db=db,
        admin_token=admin_token or os.environ.get("REPLYLAB_ADMIN_TOKEN") or secrets.token_urlsafe(18),
        secret=db.secret_key(),
        secure_cookies=secure_cookies,
        store_ip=store_ip or study.store_ip,
        served_file_hash=served_file_hash,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        # No more worker threads than pooled connections: extra threads would only
        # queue for a connection while competing for the GIL.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        await db.open_async()  # participants' own pool, on this event loop (PostgreSQL)
        try:
            yield
        finally:
            await db.close_async()

    app = FastAPI(title=f"replylab survey: {study.id}", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.state.survey = context

    app.include_router(participant_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(health_routes.router)

    @app.exception_handler(SurveyError)
    async def _survey_error(request: Request, error: SurveyError):
        lang = error.lang or _browser_language(request, study)
        return error_response(error.status, error.text(lang), lang, detail=error.detail,
                              back=not request.url.path.startswith("/admin"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException):
        lang = _browser_language(request, study)
        message = ui(lang)["not_found"] if error.status_code == 404 else str(error.detail)
        return error_response(error.status_code, message, lang)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in error.errors())
        lang = _browser_language(request, study)
        return error_response(400, ui(lang)["bad_link"], lang, detail=f"({fields})")

    @app.exception_handler(Exception)
    async def _unexpected_error(request: Request, error: Exception):
        # Any other failure still gets a page in the participant's language with a way back
        # (Starlette logs the error after this answer). A database that cannot be reached is
        # a 503 that asks to retry in a minute.
        lang = _browser_language(request, study)
        if _database_unreachable(error):
            response = error_response(503, ui(lang)["unavailable"], lang)
            response.headers["Retry-After"] = "60"
            return response
        return error_response(500, ui(lang)["server_error"], lang)

    _warm_up(context)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, languages=study.languages)
    return app
