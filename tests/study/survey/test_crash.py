"""SIGKILL in the middle of a run: nothing acknowledged is lost, everyone resumes.

A real ``replylab serve`` child process on SQLite; bots walk concurrently,
the server is killed with SIGKILL mid-run and restarted on the same file.
"""

from __future__ import annotations

import asyncio

import httpx

from study import load_study
from study.survey.bot import walk
from study.survey.db import SurveyDatabase
from study.survey.export import build_export_table
from study.survey.server_process import SurveyServerProcess, write_study_variant


async def test_sigkill_loses_no_acknowledged_answer_and_participants_resume(tmp_path):
    study_file = write_study_variant(load_study("tilburg"), tmp_path, min_view_seconds=0)
    study = load_study(study_file)
    db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    server = SurveyServerProcess(study_file, db_url, log_path=tmp_path / "server.log")
    server.start()
    try:
        async def participant(i):
            await asyncio.sleep(0.03 * i)
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                run = await walk(client, study, lang=("nl", "en")[i % 2], seed=i,
                                 pause=(0.02, 0.08), max_retries=400)
                return run, client.cookies["replylab_session"]

        tasks = [asyncio.create_task(participant(i)) for i in range(8)]
        await asyncio.sleep(0.6)
        server.kill()
        await asyncio.sleep(0.3)
        server.start()
        results = await asyncio.gather(*tasks)
    finally:
        server.stop()
    assert sum(run.retries for run, _ in results) > 0, "the kill did not hit the run"
    db = SurveyDatabase(db_url)
    data = build_export_table(db, study).set_index("participant_id")
    assert len(data) == len(results) and (data["status"] == "complete").all()
    for run, token in results:
        participant = db.participant_by_session(token)
        stored = data.loc[participant["participant_id"]]
        for item_id, value in run.committed.items():
            assert stored[item_id] == value, (item_id, stored[item_id], value)
    # nobody was assigned twice: one assignment per participant
    assert db.study_row(study.id)["n_assigned"] == len(results)
    db.close()
