"""Bad or hostile requests get a clear 4xx and change nothing stored."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from study.survey.bot import CSRF
from study.survey.rendering import ui
from study.survey.sessions import SESSION_COOKIE
from tests.study.survey.test_routes import consent, csrf_of, participant_of


async def at_attitude_page(client):
    await consent(client)
    page = await client.get("/", follow_redirects=True)
    await client.post("/page/vignette", data={"csrf_token": csrf_of(page)})
    return await client.get("/", follow_redirects=True)


def snapshot(app):
    db = app.state.survey.db
    rows = db.participant_rows("tilburg", include_tests=True)
    return rows, {r["participant_id"]: db.answers_of(r["participant_id"]) for r in rows}


GOOD = {f"att_{i}": "4" for i in range(1, 6)}


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"condition": "public"}, 400),  # forged condition
        ({"participant_id": "0123456789abcdef"}, 400),  # forged participant id
        ({"att_1": "\x00\x01binary"}, 400),  # control characters
        ({"att_1": "x" * 20_000}, 400),  # over the field limit
    ],
)
async def test_forged_or_binary_fields_are_refused(app, client, form, status):
    page = await at_attitude_page(client)
    before = snapshot(app)
    response = await client.post("/page/page_attitude",
                                 data={"csrf_token": csrf_of(page), **GOOD, **form})
    assert response.status_code == status
    lang = re.search(r'<html lang="(\w+)"', response.text).group(1)
    assert str(escape(ui(lang)["not_accepted"])) in response.text  # in the participant's language
    assert snapshot(app) == before


async def test_missing_or_wrong_csrf_is_refused(app, client):
    page = await at_attitude_page(client)
    before = snapshot(app)
    assert (await client.post("/page/page_attitude", data=GOOD)).status_code == 403
    wrong = {"csrf_token": "0" * 64, **GOOD}
    assert (await client.post("/page/page_attitude", data=wrong)).status_code == 403
    assert snapshot(app) == before
    assert CSRF.search(page.text)


async def test_a_later_page_cannot_be_sent_early(app, client):
    page = await at_attitude_page(client)
    before = snapshot(app)
    response = await client.post("/page/debrief", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 409
    assert (await client.post("/page/nonexistent", data={"csrf_token": csrf_of(page)})
            ).status_code == 404
    assert snapshot(app) == before


async def test_forged_session_cookie_gets_403(app, client):
    await at_attitude_page(client)
    before = snapshot(app)
    client.cookies.set(SESSION_COOKIE, "A" * 43)
    response = await client.post("/page/page_attitude", data={"csrf_token": "0" * 64, **GOOD})
    assert response.status_code == 403
    assert snapshot(app) == before


async def test_huge_body_is_refused_before_parsing(app, client):
    page = await at_attitude_page(client)
    before = snapshot(app)
    response = await client.post("/page/page_attitude", content=b"a=" + b"x" * 200_000,
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert snapshot(app) == before
    assert csrf_of(page)


async def test_binary_or_json_bodies_are_refused(app, client):
    page = await at_attitude_page(client)
    before = snapshot(app)
    json_body = await client.post("/page/page_attitude", json={"csrf_token": csrf_of(page)})
    assert json_body.status_code == 415
    binary = await client.post("/page/page_attitude", content=bytes(range(256)) * 10,
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert binary.status_code in (400, 403)
    upload = await client.post("/page/page_attitude", data={"csrf_token": csrf_of(page)},
                               files={"att_1": ("a.bin", b"\x00\xff", "application/octet-stream")})
    assert upload.status_code == 400
    assert snapshot(app) == before


async def test_script_in_free_text_is_stored_verbatim_and_escaped_in_admin(app, client, tilburg):
    await at_attitude_page(client)
    page = await client.get("/", follow_redirects=True)
    await client.post("/page/page_attitude", data={"csrf_token": csrf_of(page), **GOOD})
    page = await client.get("/", follow_redirects=True)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = await client.post("/page/page_reason",
                                 data={"csrf_token": csrf_of(page), "reason": attack})
    assert response.status_code == 303
    participant = participant_of(app, client)
    assert app.state.survey.db.answers_of(participant["participant_id"])["reason"] == attack
    admin = await client.get("/admin", params={"token": "test-admin-token"},
                             follow_redirects=True)
    assert admin.status_code == 200
    assert "<script>alert" not in admin.text and "<img src=x" not in admin.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in admin.text


async def test_bad_consent_forms(app, client):
    page = await client.get("/", params={"lang": "en"}, follow_redirects=True)
    token = csrf_of(page)
    assert (await client.post("/consent", data={"csrf_token": token, "lang": "de",
                                                "consent": "yes"})).status_code == 400
    assert (await client.post("/consent", data={"csrf_token": token, "lang": "en",
                                                "consent": "maybe"})).status_code == 400
    assert (await client.post("/consent", data={"csrf_token": token, "lang": "en",
                                                "consent": "yes", "condition": "public"})
            ).status_code == 400
    client.cookies.clear()
    assert (await client.post("/consent", data={"csrf_token": token, "lang": "en",
                                                "consent": "yes"})).status_code == 403
    assert snapshot(app) == ([], {})


async def test_chunked_body_without_length_is_cut_off(app, client):
    await at_attitude_page(client)
    before = snapshot(app)

    async def stream():
        for _ in range(100):
            yield b"att_1=" + b"9" * 2000 + b"&"

    response = await client.post("/page/page_attitude", content=stream(),
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert snapshot(app) == before
