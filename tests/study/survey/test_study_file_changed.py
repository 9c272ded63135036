"""A study file changed during data collection: ``replylab serve`` refuses it unless told.

The database keeps the hash of the study file it serves; once it holds
participants, a different file (here: another minimum viewing time) is refused
with exit code 2 and a message saying what happened and what to do, and served
after ``--study-file-changed``, which records the new file. Before the first
participant a changed file is simply recorded.
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


def serve_once(study, db_url: str, log_path, *extra_args) -> str:
    """Start ``replylab serve`` in a child process, check it answers, stop it; its log."""
    server = SurveyServerProcess(study.path, db_url, log_path=log_path, extra_args=list(extra_args))
    server.start()
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    return log_path.read_text()


def test_a_changed_study_file_is_refused_once_data_are_in_unless_the_change_is_declared(tmp_path, capsys):
    tilburg = load_study("tilburg")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first = load_study(write_study_variant(tilburg, tmp_path / "a", min_view_seconds=0))
    changed = load_study(write_study_variant(tilburg, tmp_path / "b", min_view_seconds=3))
    assert first.file_hash != changed.file_hash
    db_url = f"sqlite:///{tmp_path / 'survey.db'}"
    create_app(first, db_url, admin_token="x").state.survey.db.close()

    # before the first participant a changed file is simply served, and recorded
    serve_once(changed, db_url, tmp_path / "before.log")
    assert stored_hash(db_url, tilburg.id) == changed.file_hash

    db = SurveyDatabase(db_url)  # data collection begins
    db.start_participant(tilburg.id, session_token="t" * 40, lang="en", first_step="vignette",
                         choose_condition=lambda counts, n: "public", timeout_minutes=30,
                         condition_names=tilburg.condition_names)
    db.close()
    assert main(["serve", str(first.path), "--db", db_url, "--port", "8765"]) == 2
    message = capsys.readouterr().err
    assert "has changed since this database began serving" in message
    assert "already holds 1 participant" in message
    assert changed.file_hash[:12] in message and first.file_hash[:12] in message
    assert "--study-file-changed" in message and "Traceback" not in message
    assert stored_hash(db_url, tilburg.id) == changed.file_hash  # nothing recorded

    log = serve_once(first, db_url, tmp_path / "declared.log", "--study-file-changed")
    assert "study file changed during data collection" in log
    assert stored_hash(db_url, tilburg.id) == first.file_hash  # the file served now
