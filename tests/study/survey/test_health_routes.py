"""``/healthz``: 200 after a real database round trip, 503 when the database is gone.

Runs on SQLite and (when ``REPLYLAB_TEST_POSTGRES_URL`` is set) PostgreSQL. The
failing database is a real one made unreachable: a SQLite file whose folder was
removed after its pool was closed, so the next connection cannot be opened.
"""

from __future__ import annotations

import shutil

from study.survey.app import create_app
from tests.study.survey.conftest import ADMIN_TOKEN, client_for


async def test_healthz_answers_ok_without_cookies_or_caching(app_on_each_database):
    async with client_for(app_on_each_database) as client:
        response = await client.get("/healthz")
        head = await client.head("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "application/json"
    assert "set-cookie" not in response.headers
    assert head.status_code == 200 and head.content == b""


async def test_healthz_needs_no_admin_token_and_tells_nothing_about_the_study(app):
    async with client_for(app) as client:
        response = await client.get("/healthz", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 200
    assert "tilburg" not in response.text and ADMIN_TOKEN not in response.text


async def test_healthz_answers_503_when_the_database_cannot_be_reached(tilburg, tmp_path, caplog):
    folder = tmp_path / "gone"
    folder.mkdir()
    application = create_app(tilburg, f"sqlite:///{folder / 'survey.db'}", admin_token=ADMIN_TOKEN)
    async with client_for(application) as client:
        assert (await client.get("/healthz")).status_code == 200
        application.state.survey.db.close()  # no pooled connection survives
        shutil.rmtree(folder)  # and a new one cannot be opened
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert response.headers["cache-control"] == "no-store"
    assert "unable to open database file" not in response.text  # the reason stays in the log
    assert "unable to open database file" in caplog.text
