"""The database class on SQLite (always) and PostgreSQL (when REPLYLAB_TEST_POSTGRES_URL is set).

Atomic assignment is checked under real concurrency: many threads consent at
the same moment, each with its own pooled connection. On PostgreSQL the
consent tests run twice: through ``start_participant`` (SQLAlchemy, as the
admin's test sessions use it) and through ``start_participant_async`` on the
asynchronous pool (as the server's consent route uses it), run on an event loop
of their own.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from study.design.assignment import active_counts, assign_condition
from study.survey.db import SurveyDatabase, SurveyDatabaseError
from tests.study.survey.conftest import postgres_url, wipe

CONDITIONS = ["public", "private"]


def _postgres_param(way: str):
    marks = [pytest.mark.postgres]
    if not postgres_url():
        marks.append(pytest.mark.skip(
            reason="REPLYLAB_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server; "
                   "see .ci/postgres.sh)"))
    return pytest.param(way, id=way, marks=marks)


class EventLoopThread:
    """An event loop in a thread of its own: the ``*_async`` methods, called from plain threads."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture(params=["sqlite", _postgres_param("postgresql"), _postgres_param("postgresql-async")])
def db(request, tmp_path):
    if request.param == "sqlite":
        database = SurveyDatabase(f"sqlite:///{tmp_path / 'db.sqlite'}")
    else:
        database = SurveyDatabase(postgres_url())
    database.event_loop = None
    if request.param == "postgresql-async":
        database.event_loop = EventLoopThread()
        database.event_loop.run(database.open_async())
    study_id = "t" + uuid.uuid4().hex[:12]  # a fresh study per test (PostgreSQL is shared)
    database.ensure_study(study_id, "f" * 64)
    database.test_study_id = study_id
    yield database
    if database.event_loop is not None:
        database.event_loop.run(database.close_async())
        database.event_loop.close()
    if database.dialect == "postgresql":  # one server for all tests: leave nothing behind
        wipe(database, study_id)
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM replylab_studies WHERE study_id = :s"), {"s": study_id})
    database.close()


def balanced(counts, n_assigned):
    return assign_condition("balanced_completes", CONDITIONS, counts=counts,
                            n_assigned=n_assigned, seed=7)


def consent(db, **kwargs):
    """``start_participant``, or its asynchronous twin where the fixture asks (not for test sessions)."""
    if db.event_loop is not None and not kwargs.get("is_test"):
        return db.event_loop.run(db.start_participant_async(db.test_study_id, **kwargs))
    return db.start_participant(db.test_study_id, **kwargs)


def start(db, token, now=None, **kwargs):
    return consent(db, session_token=token, lang="en", choose_condition=balanced,
                   first_step="vignette", timeout_minutes=30, condition_names=CONDITIONS, now=now,
                   **kwargs)


def test_concurrent_arrivals_never_share_a_slot_and_stay_balanced(db):
    n = 40
    barrier = threading.Barrier(8)

    def arrive(i):
        if i < 8:
            barrier.wait()  # the first eight arrive at exactly the same moment
        return start(db, f"token-{i:04d}-{'x' * 20}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        rows = list(pool.map(arrive, range(n)))
    indexes = sorted(row["assignment_index"] for row in rows)
    assert indexes == list(range(n))  # every arrival got its own place in the sequence
    counts = {c: sum(row["condition"] == c for row in rows) for c in CONDITIONS}
    assert abs(counts["public"] - counts["private"]) <= 1, counts
    assert db.study_row(db.test_study_id)["n_assigned"] == n


def test_only_the_current_page_is_stored_and_a_passed_page_is_read_only(db):
    row = start(db, "token-pages-xxxxxxxxxxxxxxxxx")
    pid = row["participant_id"]
    assert not db.submit_page(pid, "page_a", {"att_1": 1}, next_step="page_b", now=5.0)  # not yet there
    assert db.submit_page(pid, "vignette", {}, next_step="page_a", now=8.0)
    assert db.submit_page(pid, "page_a", {"att_1": 3, "reason": "één ding"}, next_step="page_b", now=10.0)
    # a stale tab sends page_a again, every answer changed, also after the participant completed
    assert not db.submit_page(pid, "page_a", {"att_1": 5, "reason": "iets anders"}, next_step="page_b",
                              now=20.0)
    assert db.submit_page(pid, "page_b", {"att_2": 4}, next_step="debrief", complete=True, now=30.0)
    assert not db.submit_page(pid, "page_a", {"att_1": 7}, next_step="page_b", complete=True, now=40.0)
    assert db.answers_of(pid) == {"att_1": 3, "reason": "één ding", "att_2": 4}
    visits = {v["page_id"]: v for v in db.page_visit_rows(db.test_study_id)}
    assert visits["page_a"]["submits"] == 1 and visits["page_a"]["submitted_at"] == 10.0
    assert visits["page_b"]["shown_at"] == 10.0 and visits["page_b"]["submitted_at"] == 30.0
    participant = db.participant_by_session("token-pages-xxxxxxxxxxxxxxxxx")
    assert participant["step"] == "debrief" and participant["status"] == "complete"
    assert participant["completed_at"] == 30.0


def test_two_tabs_sending_the_same_page_store_it_once(db):
    pid = start(db, "token-tabs-xxxxxxxxxxxxxxxxxx")["participant_id"]
    db.submit_page(pid, "vignette", {}, next_step="page_a")
    barrier = threading.Barrier(6)

    def send(i):
        barrier.wait()
        return db.submit_page(pid, "page_a", {"att_1": i + 1}, next_step="page_b")

    with ThreadPoolExecutor(max_workers=6) as pool:
        stored = list(pool.map(send, range(6)))
    assert stored.count(True) == 1
    assert db.answers_of(pid) == {"att_1": stored.index(True) + 1}
    assert {v["page_id"]: v["submits"] for v in db.page_visit_rows(db.test_study_id)}["page_a"] == 1


def run_async(db, coroutine):
    """An ``*_async`` method's result: on the fixture's event loop, or (no pool) on a new one."""
    return db.event_loop.run(coroutine) if db.event_loop is not None else asyncio.run(coroutine)


def test_the_server_stores_a_page_by_session_only_if_it_is_the_current_page(db):
    # the route's usual submit: no lookup first, the page stored only if it is the current one
    token = "token-bysession-xxxxxxxxxxxxxx"
    pid = start(db, token)["participant_id"]

    def send(page, value, next_step, session=token):
        item = {"vignette": "att_1", "page_a": "att_2"}[page]
        return run_async(db, db.submit_page_by_session_async(
            session, page, {item: value}, next_step=next_step, paradata={"paste_count": value}))

    assert not send("page_a", 1, "page_b")  # not yet
    assert not send("vignette", 1, "page_a", session="token-nobody-xxxxxxxxxxxxxxxx")
    assert send("vignette", 2, "page_a")
    assert not send("vignette", 3, "page_a")  # passed: read-only
    assert db.answers_of(pid) == {"att_1": 2}
    assert db.participant_by_session(token)["step"] == "page_a"
    visits = {v["page_id"]: v for v in db.page_visit_rows(db.test_study_id)}
    assert (visits["vignette"]["submits"], visits["vignette"]["paste_count"]) == (1, 2)
    assert visits["page_a"]["shown_at"] is not None and visits["page_a"]["submits"] == 0
    barrier = threading.Barrier(6)

    def tab(i):  # six tabs send the current page at the same moment: one is stored
        barrier.wait()
        return send("page_a", 10 + i, "page_b")

    with ThreadPoolExecutor(max_workers=6) as pool:
        stored = list(pool.map(tab, range(6)))
    assert stored.count(True) == 1
    assert db.answers_of(pid) == {"att_1": 2, "att_2": 10 + stored.index(True)}
    assert {v["page_id"]: v["submits"] for v in db.page_visit_rows(db.test_study_id)}["page_a"] == 1


def test_a_stored_page_keeps_its_paradata_and_an_excluded_participant_stays_where_they_are(db):
    # the same outcome on both databases (PostgreSQL stores a page in one statement)
    pid = start(db, "token-para-xxxxxxxxxxxxxxxxxx", now=1.0)["participant_id"]
    assert db.submit_page(pid, "vignette", {}, next_step="page_a", now=2.0,
                          paradata={"focus_lost_count": 2, "focus_lost_seconds": 4.5})
    assert db.submit_page(pid, "page_a", {"reason": "want ‘x’ \u2014 y", "att_1": 2.5}, next_step="page_b",
                          now=3.0, paradata={"paste_count": 1, "typing_seconds": 9.25})
    visits = {v["page_id"]: v for v in db.page_visit_rows(db.test_study_id)}
    assert (visits["vignette"]["focus_lost_count"], visits["vignette"]["focus_lost_seconds"]) == (2, 4.5)
    assert visits["vignette"]["paste_count"] is None and visits["page_a"]["focus_lost_count"] is None
    assert (visits["page_a"]["paste_count"], visits["page_a"]["typing_seconds"]) == (1, 9.25)
    assert visits["page_b"] == {**visits["page_b"], "shown_at": 3.0, "submitted_at": None, "submits": 0}
    assert db.answers_of(pid) == {"reason": "want ‘x’ \u2014 y", "att_1": 2.5}
    db.set_status(pid, "excluded")  # by the researcher: answers are kept, the step does not move
    assert db.submit_page(pid, "page_b", {"att_2": 1}, next_step="debrief", complete=True, now=4.0)
    participant = db.participant_by_session("token-para-xxxxxxxxxxxxxxxxxx")
    assert (participant["status"], participant["step"], participant["completed_at"]) == ("excluded", "page_b", None)
    assert db.answers_of(pid)["att_2"] == 1


@pytest.mark.postgres
@pytest.mark.skipif(not postgres_url(), reason="REPLYLAB_TEST_POSTGRES_URL is not set")
async def test_a_pooled_connection_that_died_while_idle_is_replaced_without_an_error():
    # as after a PostgreSQL restart: the server ends every connection the page cycle's pool holds
    database = SurveyDatabase(postgres_url())
    study_id = "t" + uuid.uuid4().hex[:12]
    database.ensure_study(study_id, "f" * 64)
    await database.open_async()

    def end_idle_connections():
        with database.engine.begin() as conn:
            return conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = '' AND pid <> pg_backend_pid() AND datname = current_database() "
                "AND backend_type = 'client backend' AND state = 'idle'")).scalar()

    try:
        database.test_study_id, database.event_loop = study_id, None
        token = "token-dead-xxxxxxxxxxxxxxxxxx"
        pid = start(database, token)["participant_id"]
        assert (await database.participant_by_session_async(token))["participant_id"] == pid
        assert end_idle_connections() >= 1
        assert (await database.participant_by_session_async(token))["participant_id"] == pid
        assert await database.submit_page_async(pid, "vignette", {"att_1": 2}, next_step="page_a")
        assert not await database.submit_page_async(pid, "vignette", {"att_1": 3}, next_step="page_a")
        assert (await database.participant_by_session_async(token))["step"] == "page_a"
        assert await database.page_shown_at_async(pid, "page_a") is not None
        assert database.answers_of(pid) == {"att_1": 2}
        assert end_idle_connections() >= 1  # a consent is a transaction: it starts over on a new one
        second = await database.start_participant_async(
            study_id, session_token="token-dead-2-xxxxxxxxxxxxxxxx", lang="en",
            choose_condition=balanced, first_step="vignette", timeout_minutes=30,
            condition_names=CONDITIONS)
        assert second["assignment_index"] == 1
    finally:
        await database.close_async()
        wipe(database, study_id)
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM replylab_studies WHERE study_id = :s"), {"s": study_id})
        database.close()


def test_idle_participants_time_out_and_free_their_slot(db):
    old = start(db, "token-old-xxxxxxxxxxxxxxxxxxxx", now=1000.0)
    later = 1000.0 + 31 * 60
    new = start(db, "token-new-xxxxxxxxxxxxxxxxxxxx", now=later)
    # the idle one no longer fills its condition, so balance sends the newcomer there too
    assert new["condition"] == old["condition"]
    rows = {r["participant_id"]: r for r in db.participant_rows(db.test_study_id)}
    assert rows[old["participant_id"]]["status"] == "timed_out"
    # coming back after the timeout: same condition, in progress again
    db.submit_page(old["participant_id"], "vignette", {}, next_step="page_a", now=later + 5)
    back = db.participant_by_session("token-old-xxxxxxxxxxxxxxxxxxxx")
    assert back["status"] == "in_progress" and back["condition"] == old["condition"]


def counts_seen_by_next_arrival(db, **options) -> dict:
    """The counts the database hands choose_condition when the next participant consents."""
    seen = {}

    def record(counts, n_assigned):
        seen.update(counts)
        return balanced(counts, n_assigned)

    consent(db, session_token=f"token-next-{uuid.uuid4().hex}", lang="en", choose_condition=record,
            first_step="vignette", timeout_minutes=30, condition_names=CONDITIONS, **options)
    return seen


def test_the_server_counts_places_by_the_one_rule(db):
    # Who fills a condition is study.design.assignment.active_counts: completes, and
    # in-progress participants whose last request is under timeout_minutes old. The
    # database must hand choose_condition exactly those counts.
    t0 = 10_000.0
    slow = start(db, "token-slow-xxxxxxxxxxxxxxxxxxx", now=t0)  # started long ago, still active
    db.submit_page(slow["participant_id"], "vignette", {}, next_step="page_a", now=t0 + 50 * 60)
    idle = start(db, "token-idle-xxxxxxxxxxxxxxxxxxx", now=t0 + 10 * 60)  # never seen again
    done = start(db, "token-done-xxxxxxxxxxxxxxxxxxx", now=t0 + 11 * 60)
    db.submit_page(done["participant_id"], "vignette", {}, next_step="page_a", now=t0 + 12 * 60)
    db.submit_page(done["participant_id"], "page_a", {}, next_step="debrief", complete=True, now=t0 + 20 * 60)
    now = t0 + 60 * 60  # slow: idle 10 min; idle: idle 50 min; done: complete
    rows = [(r["condition"], r["status"], r["last_seen_at"]) for r in db.participant_rows(db.test_study_id)]
    expected = active_counts(rows, CONDITIONS, now=now, timeout_minutes=30)
    seen = counts_seen_by_next_arrival(db, now=now)
    assert seen == expected
    assert sum(expected.values()) == 2  # the slow one and the complete one; not the idle one
    status = {r["participant_id"]: r["status"] for r in db.participant_rows(db.test_study_id)}
    assert status[slow["participant_id"]] == "in_progress"
    assert status[idle["participant_id"]] == "timed_out"
    assert status[done["participant_id"]] == "complete"


def test_test_sessions_take_no_slot_and_are_hidden(db):
    start(db, "token-test-xxxxxxxxxxxxxxxxxxx", is_test=True, condition="private")
    assert db.study_row(db.test_study_id)["n_assigned"] == 0
    assert db.participant_rows(db.test_study_id) == []
    assert len(db.participant_rows(db.test_study_id, include_tests=True)) == 1


def test_duplicate_prolific_ids_are_flagged(db):
    first = start(db, "token-dup1-xxxxxxxxxxxxxxxxxxx", prolific={"prolific_pid": "P1"})
    second = start(db, "token-dup2-xxxxxxxxxxxxxxxxxxx", prolific={"prolific_pid": "P1"})
    assert (first["duplicate"], second["duplicate"]) == (False, True)


def test_participants_are_found_by_prolific_id_and_session_as_the_entry_finds_them(db):
    first = start(db, "token-pro1-xxxxxxxxxxxxxxxxxxx", now=100.0,
                  prolific={"prolific_pid": "P7", "prolific_session_id": "S1"})
    second = start(db, "token-pro2-xxxxxxxxxxxxxxxxxxx", now=200.0,
                   prolific={"prolific_pid": "P7", "prolific_session_id": "S2"})
    start(db, "token-pro3-xxxxxxxxxxxxxxxxxxx", now=300.0, prolific={"prolific_pid": "P8"})
    start(db, "token-pro4-xxxxxxxxxxxxxxxxxxx", is_test=True, condition="public",
          prolific={"prolific_pid": "P7"})  # a test session is never found

    def found(**key):
        rows = run_async(db, db.participants_by_prolific_async(db.test_study_id, **key))
        assert rows == db.participants_by_prolific(db.test_study_id, **key)
        return [row["participant_id"] for row in rows]

    assert found(pid="P7") == [first["participant_id"], second["participant_id"]]  # oldest first
    assert found(session_id="S2") == [second["participant_id"]]
    assert found(pid="P9") == [] and found() == []


def test_declines_are_only_counted(db):
    db.record_decline(db.test_study_id)
    db.record_decline(db.test_study_id)
    assert db.study_row(db.test_study_id)["declines"] == 2
    assert db.participant_rows(db.test_study_id, include_tests=True) == []


def test_secret_key_persists(db):
    assert db.secret_key() == db.secret_key() and len(db.secret_key()) == 32


def test_status_must_be_known(db):
    row = start(db, "token-status-xxxxxxxxxxxxxxxxx")
    assert db.set_status(row["participant_id"], "excluded")
    with pytest.raises(SurveyDatabaseError, match="not one of"):
        db.set_status(row["participant_id"], "deleted")


def test_unsupported_url_is_a_clear_error():
    with pytest.raises(SurveyDatabaseError, match="not supported"):
        SurveyDatabase("mysql://localhost/x")


def test_sqlite_runs_in_wal_mode(tmp_path):
    database = SurveyDatabase(f"sqlite:///{tmp_path / 'wal.db'}")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.close()


def test_a_database_made_before_paradata_gains_their_columns(tmp_path):
    from sqlalchemy import create_engine, inspect

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    with old.begin() as conn:  # the page-visit table as earlier versions created it
        conn.exec_driver_sql(
            "CREATE TABLE replylab_page_visits (participant_id VARCHAR(32) NOT NULL, page_id "
            "VARCHAR(80) NOT NULL, shown_at FLOAT NOT NULL, submitted_at FLOAT, submits INTEGER "
            "NOT NULL, PRIMARY KEY (participant_id, page_id))")
        conn.exec_driver_sql("INSERT INTO replylab_page_visits VALUES ('p1', 'vignette', 1.0, 2.0, 1)")
    SurveyDatabase(url).close()
    columns = {c["name"] for c in inspect(old).get_columns("replylab_page_visits")}
    assert {"focus_lost_count", "focus_lost_seconds", "paste_count", "typing_seconds"} <= columns
    with old.connect() as conn:  # the stored row is kept, its paradata empty
        assert conn.exec_driver_sql("SELECT submits, paste_count FROM replylab_page_visits").all() == [
            (1, None)]


def test_counting_valid_completes_leaves_out_completes_that_fail_the_declared_checks(db):
    # assignment.count: valid_completes; the rule is study.design.validity.passes_declared_checks
    from study import load_study
    from study.design.validity import passes_declared_checks

    tilburg = load_study("tilburg")  # exclude_on: [attention]; attn_1 asks for a 5

    def finish(token, attention):
        row = start(db, token)
        db.submit_page(row["participant_id"], "vignette", {"attn_1": attention}, next_step="debrief",
                       complete=True)
        return row

    passed = finish("token-pass-xxxxxxxxxxxxxxxxxxx", 5)
    failed = finish("token-fail-xxxxxxxxxxxxxxxxxxx", 3)
    seen = counts_seen_by_next_arrival(db, valid_complete=lambda answers, condition: passes_declared_checks(
        answers, tilburg, condition=condition))
    expected = dict.fromkeys(CONDITIONS, 0)
    expected[passed["condition"]] += 1  # the one who failed the attention check fills no place
    assert seen == expected
    assert failed["condition"] in CONDITIONS


def test_verdicts_kept_between_consents_count_each_new_complete_once_and_rightly(db):
    # each consent judges only those completed since the last one; the counts must not drift
    def attention_passed(answers, condition):
        return answers.get("attn_1") == 5

    def counts_days_later(days):  # by then the earlier arrivals that only looked have timed out
        return counts_seen_by_next_arrival(db, valid_complete=attention_passed,
                                           now=time.time() + 86400 * days)

    expected = dict.fromkeys(CONDITIONS, 0)
    for i, attention in enumerate([5, 3, 5, 5, 3, 5, 3]):
        row = start(db, f"token-verdict-{i:02d}-xxxxxxxxxxxxxx")
        assert counts_days_later(i + 1) == expected  # seen while not yet complete (idle by then)
        db.submit_page(row["participant_id"], "vignette", {"attn_1": attention}, next_step="debrief",
                       complete=True)
        expected[row["condition"]] += attention == 5
    assert counts_days_later(100) == expected
    assert sum(expected.values()) == 4
