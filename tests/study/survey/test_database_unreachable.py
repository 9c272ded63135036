"""A participant's page when PostgreSQL cannot be reached: a friendly 503 in their language.

The app starts on a working database; then its page-cycle pool is pointed at a
port where nothing listens, as when the database server goes away while the
survey runs. The page must say, in the browser's language, that nothing was
lost and to retry in a minute (``Retry-After``), not show a bare 500.

Skipped unless REPLYLAB_TEST_POSTGRES_URL is set (.ci/run starts a server).
"""

from __future__ import annotations

import socket

import httpx
import pytest
from sqlalchemy import make_url

from study.survey.app import create_app
from study.survey.sessions import SESSION_COOKIE, new_session_token
from tests.study.survey.conftest import ADMIN_TOKEN, postgres_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not postgres_url(), reason="REPLYLAB_TEST_POSTGRES_URL is not set "
                                                  "(.ci/run starts PostgreSQL; see .ci/postgres.sh)"),
]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("lang", "words"), [("nl", "kan even niet bij zijn database"),
                                             ("en", "cannot reach its database")])
async def test_a_page_while_postgresql_is_unreachable_is_a_friendly_503(tilburg, lang, words):
    app = create_app(tilburg, postgres_url(), admin_token=ADMIN_TOKEN)
    db = app.state.survey.db
    db.url = make_url(postgres_url()).set(port=closed_port()).render_as_string(hide_password=False)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=transport, base_url="http://testserver") as client:
            client.cookies.set(SESSION_COOKIE, new_session_token())
            response = await client.get("/page/vignette", headers={"Accept-Language": lang})
    finally:
        db.close()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "60"
    assert words in response.text and 'href="/"' in response.text
    assert "Traceback" not in response.text
