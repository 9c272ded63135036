"""``/healthz``: is this server up and can it reach its database? For monitoring.

A monitor (Caddy's health checks, a cron job with ``curl -f``, Uptime Kuma)
asks ``GET /healthz`` and gets ``200 {"status": "ok", "database": "ok"}``
after one ``SELECT 1`` through the server's own connection pool, or
``503 {"status": "unavailable", "database": "unavailable"}`` when that round
trip fails. No token is needed and nothing about the study or its
participants is told; no cookie is set and nothing is cached.

>>> import asyncio, httpx
>>> from study.survey.app import create_app
>>> app = create_app("tilburg", "sqlite://", admin_token="t")
>>> async def get(path):
...     transport = httpx.ASGITransport(app=app)
...     async with httpx.AsyncClient(transport=transport, base_url="http://survey") as client:
...         return await client.get(path)
>>> response = asyncio.run(get("/healthz"))
>>> response.status_code, response.json(), "set-cookie" in response.headers
(200, {'status': 'ok', 'database': 'ok'}, False)
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from study.survey.context import survey_context

router = APIRouter()
logger = logging.getLogger(__name__)

HEALTHY = {"status": "ok", "database": "ok"}
UNHEALTHY = {"status": "unavailable", "database": "unavailable"}


def database_answers(engine) -> bool:
    """Whether one ``SELECT 1`` round trip through ``engine``'s pool succeeds.

    >>> from sqlalchemy import create_engine
    >>> database_answers(create_engine("sqlite://"))
    True
    >>> database_answers(create_engine("sqlite:////nonexistent-folder/x.db"))
    False
    """
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        # the reason goes to the server log, not to the (unauthenticated) caller
        logger.warning("health check: the database did not answer: %s", error)
        return False


@router.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, else 503; never cached, no cookies."""
    healthy = await run_in_threadpool(database_answers, survey_context(request).db.engine)
    return JSONResponse(HEALTHY if healthy else UNHEALTHY, status_code=200 if healthy else 503,
                        headers={"Cache-Control": "no-store"})


__all__ = ["router", "database_answers"]
