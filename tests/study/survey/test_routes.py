"""Route tests of the participant flow on a real SQLite file, through the ASGI app."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from markupsafe import escape

from study.survey.app import create_app
from study.survey.bot import CSRF, walk
from study.survey.export import build_export_table
from study.survey.rendering import ui
from study.survey.sessions import SESSION_COOKIE, withdrawal_code
from tests.study.survey.conftest import ADMIN_TOKEN, client_for, without_reading_delay


def csrf_of(page) -> str:
    return CSRF.search(page.text).group(1)


async def consent(client, lang="en", **query):
    page = await client.get("/", params={"lang": lang, **query}, follow_redirects=True)
    assert page.status_code == 200, page.text
    response = await client.post("/consent", data={
        "csrf_token": csrf_of(page), "lang": lang, "consent": "yes", **query})
    assert response.status_code == 303
    return response


def participant_of(app, client) -> dict:
    token = client.cookies[SESSION_COOKIE]
    return app.state.survey.db.participant_by_session(token)


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_bot_completes_and_every_answer_is_stored(app, client, tilburg, lang):
    run = await walk(client, tilburg, lang=lang, seed=3)
    participant = participant_of(app, client)
    assert participant["status"] == "complete" and participant["lang"] == lang
    assert participant["condition"] in tilburg.condition_names
    assert app.state.survey.db.answers_of(participant["participant_id"]) == run.committed
    assert set(run.committed) == set(tilburg.questionnaire.item_ids)
    # without Prolific ids there is no way back to Prolific; everyone sees the codes
    assert run.redirect is None and run.completion_code == tilburg.completion.code


async def test_only_prolific_participants_are_sent_back_with_the_code_after_seeing_it(app, tilburg):
    async with client_for(app) as client:
        run = await walk(client, tilburg, lang="en", seed=4, query={"PROLIFIC_PID": "pp1", "STUDY_ID": "s",
                                                                    "SESSION_ID": "se1"})
        assert run.completion_code == tilburg.completion.code
        assert run.redirect == tilburg.completion.redirect_url.replace("{code}", tilburg.completion.code)
        done = await client.get("/", follow_redirects=True)
        participant = participant_of(app, client)
    code = withdrawal_code(app.state.survey.secret, participant["participant_id"])
    assert f'id="withdrawal-code">{code}<' in done.text  # the participant's own code
    data = build_export_table(app.state.survey.db, tilburg).set_index("participant_id")
    assert data.loc[participant["participant_id"], "withdrawal_code"] == code  # how the researcher finds it


async def test_a_stale_tab_cannot_overwrite_answers_even_after_completion(app_on_each_database, tilburg):
    # The reported bug: after completing, the first rating page posted again from an old
    # tab with every answer changed overwrote the stored answers (and counted 2 submits).
    app = app_on_each_database
    db = app.state.survey.db
    async with client_for(app) as client:
        await consent(client, lang="nl")
        page = await client.get("/", follow_redirects=True)
        await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
        stale_tab = await client.get("/", follow_redirects=True)  # the first rating page, kept open in a second tab
        assert 'action="/page/page_attitude"' in stale_tab.text
        run = await walk(client, tilburg, lang="nl", seed=5)  # the participant finishes
        participant = participant_of(app, client)
        assert participant["status"] == "complete"
        before = build_export_table(db, tilburg).set_index("participant_id")
        changed = {f"att_{i}": str(run.committed[f"att_{i}"] % 7 + 1) for i in range(1, 6)}
        assert all(changed[k] != str(run.committed[k]) for k in changed)
        response = await client.post("/page/page_attitude",
                                     data={"csrf_token": csrf_of(stale_tab), **changed})
        assert response.status_code == 303 and response.headers["location"] == "/page/done?answered=1"
        shown = await client.get(response.headers["location"])
        assert "Die pagina had je al beantwoord" in shown.text
        assert participant_of(app, client)["step"] == participant["step"]
    after = build_export_table(db, tilburg).set_index("participant_id")
    pd.testing.assert_frame_equal(after, before)
    assert db.answers_of(participant["participant_id"]) == run.committed
    visits = {v["page_id"]: v["submits"] for v in db.page_visit_rows(tilburg.id)}
    assert visits["page_attitude"] == 1


async def test_entry_offers_languages_and_keeps_prolific_ids(client):
    page = await client.get("/", params={"PROLIFIC_PID": "abc123", "STUDY_ID": "s1"}, follow_redirects=True)
    assert page.status_code == 200
    links = re.findall(r'href="(/\?[^"]+)"', page.text)
    assert len(links) == 2 and all("PROLIFIC_PID=abc123" in link for link in links)
    assert {"lang=nl", "lang=en"} == {re.search(r"lang=\w+", link).group() for link in links}


async def test_session_cookie_is_httponly_and_samesite(client):
    page = await client.get("/", params={"lang": "en"}, follow_redirects=True)
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


async def test_decline_keeps_only_a_count(app, client):
    page = await client.get("/", params={"lang": "nl", "PROLIFIC_PID": "decliner1"}, follow_redirects=True)
    response = await client.post("/consent", data={
        "csrf_token": csrf_of(page), "lang": "nl", "consent": "no", "PROLIFIC_PID": "decliner1"})
    assert response.status_code == 200
    assert "niets van je opgeslagen" in response.text
    db = app.state.survey.db
    assert db.study_row("tilburg")["declines"] == 1
    assert db.participant_rows("tilburg", include_tests=True) == []


async def test_invalid_answer_shows_message_and_keeps_other_answers(app, client, tilburg):
    await consent(client)
    page = await client.get("/", follow_redirects=True)
    await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
    page = await client.get("/", follow_redirects=True)
    assert 'action="/page/page_attitude"' in page.text
    form = {"csrf_token": csrf_of(page), "att_1": "7", "att_2": "2", "att_3": "9",
            "att_4": "4"}  # att_3 out of range, att_5 missing
    response = await client.post("/page/page_attitude", data=form)
    assert response.status_code == 422
    html = response.text
    assert 'id="error-att_3"' in html and 'id="error-att_5"' in html
    assert 'id="error-att_1"' not in html
    for item, value in (("att_1", "7"), ("att_2", "2"), ("att_4", "4")):
        assert re.search(rf'name="{item}" value="{value}" checked', html), item
    participant = participant_of(app, client)
    assert app.state.survey.db.answers_of(participant["participant_id"]) == {}
    assert participant["step"] == "page_attitude"


async def test_reload_back_button_and_restart_keep_answers_and_condition(app, client, tilburg,
                                                                         db_url):
    await consent(client)
    first = participant_of(app, client)
    page = await client.get("/", follow_redirects=True)
    await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
    page = await client.get("/", follow_redirects=True)
    answers = {f"att_{i}": str(i) for i in range(1, 6)}
    assert (await client.post("/page/page_attitude",
                              data={"csrf_token": csrf_of(page), **answers})).status_code == 303
    reloaded = await client.get("/", follow_redirects=True)
    assert 'action="/page/page_reason"' in reloaded.text
    # back button: the old page is sent again with a changed answer; it is read-only now
    changed = {**answers, "att_2": "6"}
    response = await client.post("/page/page_attitude",
                                  data={"csrf_token": csrf_of(reloaded), **changed})
    assert response.status_code == 303
    assert response.headers["location"] == "/page/page_reason?answered=1"
    after = participant_of(app, client)
    assert after["step"] == "page_reason" and after["condition"] == first["condition"]
    assert app.state.survey.db.answers_of(after["participant_id"])["att_2"] == 2
    # a server restart: a new app on the same database file, the same browser cookie
    restarted = create_app(tilburg, db_url, admin_token=ADMIN_TOKEN)
    async with client_for(restarted) as browser:
        browser.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
        page = await browser.get("/", follow_redirects=True)
        assert 'action="/page/page_reason"' in page.text
        response = await browser.post("/page/page_reason", data={
            "csrf_token": csrf_of(page), "reason": "They want to look helpful."})
        assert response.status_code == 303  # CSRF secret survived the restart
    restarted.state.survey.db.close()
    final = participant_of(app, client)
    step_ids = app.state.survey.step_ids
    expected = step_ids[step_ids.index("page_reason") + 1]
    assert final["condition"] == first["condition"] and final["step"] == expected


async def test_prolific_ids_stored_resume_by_session_and_no_second_completion(app, tilburg):
    query = {"PROLIFIC_PID": "pidA1", "STUDY_ID": "studyX", "SESSION_ID": "sessA1"}
    async with client_for(app) as phone:
        await consent(phone, **query)
        started = participant_of(app, phone)
    assert (started["prolific_pid"], started["prolific_study_id"],
            started["prolific_session_id"]) == ("pidA1", "studyX", "sessA1")
    async with client_for(app) as laptop:  # lost cookie: the Prolific link resumes
        page = await laptop.get("/", params=query, follow_redirects=True)
        assert 'action="/page/vignette"' in page.text
        run_rest = await laptop.post("/page/vignette", data={"csrf_token": csrf_of(page)})
        assert run_rest.status_code == 303
        assert participant_of(app, laptop)["participant_id"] == started["participant_id"]
    async with client_for(app) as other:
        await walk(other, tilburg, lang="en", seed=5, query={"PROLIFIC_PID": "pidB2"})
    async with client_for(app) as again:
        response = await again.get("/", params={"lang": "en", "PROLIFIC_PID": "pidB2"}, follow_redirects=True)
        assert response.status_code == 409
        assert "already completed" in response.text
    assert len(app.state.survey.db.participants_by_prolific("tilburg", pid="pidB2")) == 1


@pytest.mark.parametrize("bad_query", [{"PROLIFIC_PID": "<script>"}, {"SESSION_ID": "a" * 65}])
async def test_malformed_prolific_ids_are_refused(client, bad_query):
    response = await client.get("/", params={"lang": "en", **bad_query}, follow_redirects=True)
    assert response.status_code == 400
    assert "<script>" not in response.text


async def test_minimum_viewing_time_is_enforced_without_javascript(tilburg, tmp_path):
    import asyncio

    study = without_reading_delay(tilburg, seconds=1.0)
    app = create_app(study, f"sqlite:///{tmp_path / 'view.db'}", admin_token=ADMIN_TOKEN)
    async with client_for(app) as client:
        await consent(client)
        page = await client.get("/", follow_redirects=True)
        assert 'data-wait="' in page.text and 'data-wait="0' not in page.text
        too_soon = await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
        assert too_soon.status_code == 422
        assert participant_of(app, client)["step"] == "vignette"
        # said so, with the time left (not the full minimum) and an error title
        assert "before the reading time was up" in too_soon.text
        assert re.search(r'<span id="seconds-left">1</span>', too_soon.text)
        assert re.search(r"<title>Error: The situation – ", too_soon.text)
        await asyncio.sleep(1.05)
        later = await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
        assert later.status_code == 303
        assert participant_of(app, client)["step"] == "page_attitude"
    app.state.survey.db.close()


async def test_every_page_has_its_own_title_one_h1_and_its_progress(app, client, tilburg):
    await consent(client, lang="en")
    titles = []
    steps = app.state.survey.step_ids
    while True:
        page = await client.get("/", follow_redirects=True)
        title = re.search(r"<title>(.*?)</title>", page.text).group(1)
        assert page.text.count("<h1>") == 1, title
        step = participant_of(app, client)["step"]
        if step == "done":
            break
        titles.append(title)
        k = steps.index(step) + 1
        assert f"Page {k} of {len(steps) - 1}" in page.text, title
        if step.startswith("page_"):
            page_def = app.state.survey.steps_by_id[step].page
            if page_def.intro:  # the instructions written in the questionnaire file are shown
                assert str(escape(" ".join(page_def.intro["en"].split()))) in " ".join(page.text.split())
        action = re.search(r'action="(/page/[^"]+)"', page.text).group(1)
        form = {"csrf_token": csrf_of(page)}
        step_def = app.state.survey.steps_by_id[step]
        for item in step_def.items:
            form[item.id] = {"free_text": "Om hun naam te beschermen.", "number": "30"}.get(
                item.type, "1" if item.type != "single_choice" else item.options[0].value)
        response = await client.post(action, data=form)
        assert response.status_code == 303, (title, response.text[:300])
    assert len(set(titles)) == len(titles), titles


async def test_no_ip_address_is_stored_by_default(app, client):
    await consent(client)
    assert participant_of(app, client)["ip_address"] is None


async def test_ip_address_is_stored_when_the_study_asks(tilburg, tmp_path):
    application = create_app(tilburg.model_copy(update={"store_ip": True}),
                             f"sqlite:///{tmp_path / 'ip.db'}", admin_token=ADMIN_TOKEN)
    async with client_for(application) as ip_client:
        await consent(ip_client)
        assert participant_of(application, ip_client)["ip_address"] is not None
    application.state.survey.db.close()


async def test_double_consent_assigns_once(app, client):
    page = await client.get("/", params={"lang": "en"}, follow_redirects=True)
    form = {"csrf_token": csrf_of(page), "lang": "en", "consent": "yes"}
    first = await client.post("/consent", data=form)
    second = await client.post("/consent", data=form)
    assert first.status_code == second.status_code == 303
    assert app.state.survey.db.study_row("tilburg")["n_assigned"] == 1


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_error_pages_speak_the_browsers_language_and_lead_back(client, lang):
    t = ui(lang)
    header = {"accept-language": f"{lang};q=0.9,de;q=0.5"}
    cases = [
        (await client.post("/page/page_attitude", data={"x": "1"}, headers=header), 403, "no_session"),
        (await client.post("/page/x", content=b"a=" + b"x" * 100_000, headers={
            **header, "content-type": "application/x-www-form-urlencoded"}), 413, "too_large"),
        (await client.get("/no/such/page", headers=header), 404, "not_found"),
    ]
    for response, status, key in cases:
        assert response.status_code == status, key
        assert f'<html lang="{lang}">' in response.text, key
        assert f"<title>{t['error_prefix']}: {t['error_heading']}</title>" in response.text, key
        expected = t[key].format(max_bytes=64 * 1024) if key == "too_large" else t[key]
        assert str(escape(expected)) in response.text, key
        assert f'<a href="/">{t["back_to_survey"]}</a>' in response.text, key


async def test_each_page_has_its_own_address_and_only_the_current_one_is_shown(client, tilburg):
    response = await consent(client)
    assert response.headers["location"] == "/page/vignette"
    page = await client.get("/page/vignette")
    assert page.status_code == 200 and 'action="/page/vignette"' in page.text
    assert (await client.get("/page/vignette")).text == page.text  # reload: the same page
    # a later page cannot be skipped to; an unknown one is not found
    ahead = await client.get("/page/debrief")
    assert ahead.status_code == 303 and ahead.headers["location"] == "/page/vignette"
    assert (await client.get("/page/no_such_page")).status_code == 404
    sent = await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
    assert sent.headers["location"] == "/page/page_attitude"
    # back to the vignette (the back button): read-only now, so it leads to the current page
    back = await client.get("/page/vignette")
    assert back.status_code == 303 and back.headers["location"] == "/page/page_attitude?answered=1"
    current = await client.get(back.headers["location"])
    assert escape(ui("en")["already_answered"]) in current.text
    # "/" leads a returning participant to the current page
    entry = await client.get("/")
    assert entry.status_code == 303 and entry.headers["location"] == "/page/page_attitude"
    # without a session there is no page to show
    async with client_for(client._transport.app) as stranger:
        refused = await stranger.get("/page/vignette")
        assert refused.status_code == 403


async def test_without_javascript_no_paradata_are_stored_or_guessed(app, client, tilburg):
    await walk(client, tilburg, lang="en", seed=8)  # the bot runs no script, like a browser without
    participant = participant_of(app, client)
    visits = [v for v in app.state.survey.db.page_visit_rows("tilburg")
              if v["participant_id"] == participant["participant_id"]]
    assert len(visits) == len(app.state.survey.step_ids)
    assert all(v[c] is None for v in visits for c in ("focus_lost_count", "focus_lost_seconds",
                                                       "paste_count", "typing_seconds"))
    row = build_export_table(app.state.survey.db, tilburg).set_index("participant_id").loc[
        participant["participant_id"]]
    assert all(pd.isna(row[c]) for c in ("focus_lost_count", "paste_count", "typing_seconds"))


async def test_paradata_sent_with_a_page_are_stored_and_summed_and_nonsense_is_dropped(
        app, client, tilburg):
    await consent(client)
    page = await client.get("/page/vignette")
    await client.post("/page/vignette", data={"csrf_token": csrf_of(page), "_focus_lost_count": "2",
                                              "_focus_lost_seconds": "3.5"})
    page = await client.get("/page/page_attitude")
    answers = {f"att_{i}": "4" for i in range(1, 6)}
    await client.post("/page/page_attitude", data={
        "csrf_token": csrf_of(page), **answers, "_focus_lost_count": "1",
        "_focus_lost_seconds": "-4", "_paste_count": "nan"})
    participant = participant_of(app, client)
    visits = {v["page_id"]: v for v in app.state.survey.db.page_visit_rows("tilburg")
              if v["participant_id"] == participant["participant_id"]}
    assert (visits["vignette"]["focus_lost_count"], visits["vignette"]["focus_lost_seconds"]) == (2, 3.5)
    assert visits["page_attitude"]["focus_lost_count"] == 1
    assert visits["page_attitude"]["focus_lost_seconds"] is None  # negative: not a measurement
    assert visits["page_attitude"]["paste_count"] is None
    row = build_export_table(app.state.survey.db, tilburg, include_partial=True).set_index(
        "participant_id").loc[participant["participant_id"]]
    assert row["focus_lost_count"] == 3 and row["focus_lost_seconds"] == 3.5
