"""A study file changed during data collection: ``replylab serve`` refuses it unless told.

The database keeps the hash of the study file it began serving; a different
file (here: another minimum viewing time) is refused with exit code 2 and a
message saying what happened and what to do, and served after
``--study-file-changed``, which records the new file.
"""

from __future__ import annotations

import httpx

from study import load_study
from study.cli import main
from study.survey.app import create_app
from study.survey.db import SurveyDatabase
from study.survey.server_process import SurveyServerProcess, write_study_variant


def stored_hash(db_url: str, study_id: str) -> str:
    db = SurveyDatabase(db_url)
    try:
        return db.study_row(study_id)["file_hash"]
    finally:
        db.close()


def test_a_changed_study_file_is_refused_unless_the_change_is_declared(tmp_path, capsys):
    tilburg = load_study("tilburg")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first = load_study(write_study_variant(tilburg, tmp_path / "a", min_view_seconds=0))
    changed = load_study(write_study_variant(tilburg, tmp_path / "b", min_view_seconds=3))
    assert first.file_hash != changed.file_hash
    db_url = f"sqlite:///{tmp_path / 'survey.db'}"
    create_app(first, db_url, admin_token="x").state.survey.db.close()  # data collection began

    assert main(["serve", str(changed.path), "--db", db_url, "--port", "8765"]) == 2
    message = capsys.readouterr().err
    assert "has changed since this database began serving" in message
    assert first.file_hash[:12] in message and changed.file_hash[:12] in message
    assert "--study-file-changed" in message and "Traceback" not in message
    assert stored_hash(db_url, tilburg.id) == first.file_hash  # nothing recorded

    server = SurveyServerProcess(changed.path, db_url, log_path=tmp_path / "server.log",
                                 extra_args=["--study-file-changed"])
    server.start()
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    assert "study file changed during data collection" in (tmp_path / "server.log").read_text()
    assert stored_hash(db_url, tilburg.id) == changed.file_hash  # the new file is the one served now
