"""The whole survey on a real PostgreSQL server: concurrent bots, balance, export.

Skipped unless REPLYLAB_TEST_POSTGRES_URL is set (.ci/run starts a server).
"""

from __future__ import annotations

import asyncio

import pytest

from study.survey.app import create_app
from study.survey.bot import walk
from study.survey.export import build_export_table
from tests.study.survey.conftest import ADMIN_TOKEN, client_for, postgres_url, wipe

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not postgres_url(), reason="REPLYLAB_TEST_POSTGRES_URL is not set "
                                                  "(.ci/run starts PostgreSQL; see .ci/postgres.sh)"),
]


@pytest.fixture
async def pg_app(tilburg):
    app = create_app(tilburg, postgres_url(), admin_token=ADMIN_TOKEN)
    db = app.state.survey.db
    wipe(db, tilburg.id)
    async with app.router.lifespan_context(app):  # as the server starts it: the page cycle's own pool
        assert db._async_pool is not None
        yield app
    wipe(db, tilburg.id)
    db.close()


async def test_concurrent_participants_on_postgresql(pg_app, tilburg):
    async def participant(i):
        async with client_for(pg_app) as client:
            run = await walk(client, tilburg, lang=("nl", "en")[i % 2], seed=i)
            return run, client.cookies["replylab_session"]

    results = await asyncio.gather(*(participant(i) for i in range(12)))
    db = pg_app.state.survey.db
    data = build_export_table(db, tilburg).set_index("participant_id")
    assert len(data) == 12 and (data["status"] == "complete").all()
    counts = data["condition"].value_counts()
    assert counts.max() - counts.min() <= 1, counts.to_dict()
    assert db.study_row(tilburg.id)["n_assigned"] == 12
    for run, token in results:
        row = data.loc[db.participant_by_session(token)["participant_id"]]
        assert all(row[item] == value for item, value in run.committed.items())
