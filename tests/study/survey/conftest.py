"""Fixtures for the survey tests: a study without the reading delay, apps on real databases."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from study import load_study
from study.survey.app import create_app

ADMIN_TOKEN = "test-admin-token"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def without_reading_delay(study, seconds: float = 0.0):
    """The study with ``vignette.min_view_seconds`` set (tests cannot wait 15 s per bot)."""
    vignette = study.vignette.model_copy(update={"min_view_seconds": seconds})
    return study.model_copy(update={"vignette": vignette})


@pytest.fixture(scope="session")
def tilburg():
    return without_reading_delay(load_study("tilburg"))


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'survey.db'}"


@pytest.fixture
def app(tilburg, db_url):
    application = create_app(tilburg, db_url, admin_token=ADMIN_TOKEN)
    yield application
    application.state.survey.db.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, through Playwright), one per test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def client_for(application) -> httpx.AsyncClient:
    """An async client on the ASGI app with its own cookie jar (one browser)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                             base_url="http://testserver")


@pytest.fixture
async def client(app):
    async with client_for(app) as c:
        yield c


def postgres_url() -> str | None:
    return os.environ.get("REPLYLAB_TEST_POSTGRES_URL")


def wipe(db, study_id):
    """Remove a study's participants from a shared database (PostgreSQL is one server for all tests)."""
    with db.engine.begin() as conn:
        ids = "SELECT participant_id FROM replylab_participants WHERE study_id = :s"
        for table in ("replylab_answers", "replylab_page_visits"):
            conn.execute(text(f"DELETE FROM {table} WHERE participant_id IN ({ids})"),
                         {"s": study_id})
        conn.execute(text("DELETE FROM replylab_participants WHERE study_id = :s"),
                     {"s": study_id})
        conn.execute(text("UPDATE replylab_studies SET n_assigned = 0, declines = 0 "
                          "WHERE study_id = :s"), {"s": study_id})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[
    pytest.mark.postgres,
    pytest.mark.skipif(not postgres_url(), reason="REPLYLAB_TEST_POSTGRES_URL is not set "
                                                  "(.ci/run starts PostgreSQL; see .ci/postgres.sh)")])])
async def app_on_each_database(request, tilburg, db_url):
    """The survey app on SQLite and (when a server is given) on PostgreSQL, started as
    the server starts it (its page-cycle pool open)."""
    application = create_app(tilburg, db_url if request.param == "sqlite" else postgres_url(),
                             admin_token=ADMIN_TOKEN)
    db = application.state.survey.db
    wipe(db, tilburg.id)
    async with application.router.lifespan_context(application):
        yield application
    wipe(db, tilburg.id)
    db.close()
