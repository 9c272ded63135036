"""The researcher's pages: token, counts, preview, test sessions, export download; the CLI."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from html import unescape

import pytest

from study.cli import main
from study.design.vignettes import condition_label
from study.survey.bot import walk
from study.survey.rendering import ui, welcome_page
from study.survey.sessions import ADMIN_COOKIE
from tests.study.survey.conftest import ADMIN_TOKEN, client_for
from tests.study.survey.test_routes import consent, csrf_of


@contextlib.asynccontextmanager
async def admin_client(app):
    async with client_for(app) as client:
        response = await client.get("/admin", params={"token": ADMIN_TOKEN})
        assert response.status_code == 303 and response.headers["location"] == "/admin"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert ADMIN_TOKEN not in response.headers["set-cookie"]  # derived, not the token
        yield client


async def test_admin_needs_the_token(app, client):
    assert (await client.get("/admin")).status_code == 401
    assert (await client.get("/admin", params={"token": "guess"})).status_code == 401
    assert (await client.get("/admin/export.zip")).status_code == 401
    client.cookies.set(ADMIN_COOKIE, "0" * 64)
    assert (await client.get("/admin")).status_code == 401
    bearer = await client.get("/admin", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert bearer.status_code == 200


async def test_dashboard_counts(app, tilburg):
    for i in range(3):
        async with client_for(app) as bot:
            await walk(bot, tilburg, lang="en", seed=i)
    async with client_for(app) as leaver:
        await consent(leaver)
    async with client_for(app) as decliner:
        page = await decliner.get("/", params={"lang": "en"}, follow_redirects=True)
        await decliner.post("/consent", data={"csrf_token": csrf_of(page), "lang": "en",
                                              "consent": "no"})
    async with admin_client(app) as admin:
        page = await admin.get("/admin")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'id="total-complete">3<', html)
    assert re.search(r'id="declined">1<', html)
    rows = dict(re.findall(r'<tr data-condition="(\w+)"><td>\w+</td><td data-label="started">(\d+)</td>', html))
    assert sum(map(int, rows.values())) == 4 and set(rows) == set(tilburg.condition_names)
    assert "Median completion time" in html and "minutes" in html
    assert "Attention check failed" in html


def previewed_pages(html: str) -> list[str]:
    """The pages a preview shows, each as the HTML document of its frame."""
    return [unescape(page) for page in re.findall(r'<iframe class="page-preview"[^>]* srcdoc="([^"]*)"', html)]


async def test_preview_shows_every_page_as_participants_get_it_and_counts_nothing(app, tilburg):
    async with admin_client(app) as admin:
        for condition in tilburg.condition_names:
            for lang in tilburg.languages:
                page = await admin.get(f"/admin/preview/{condition}/{lang}")
                assert page.status_code == 200
                pages = previewed_pages(page.text)
                # the consent page, the vignette, each questionnaire page, debrief and end
                assert len(pages) == len(app.state.survey.steps) + 1
                assert pages[0] == welcome_page(tilburg, lang, csrf="preview", prolific={}, preview=True)
                assert 'class="rl-vignette"' in pages[1] and condition_label(tilburg, condition, lang) \
                    not in pages[1]
                for page_html, step in zip(pages[1:], app.state.survey.steps):
                    assert f'<html lang="{lang}">' in page_html and ui(lang)["preview"] in page_html
                    for item in step.items:  # the real form fields, not a summary
                        assert f'name="{item.id}"' in page_html
                assert f'id="completion-code">{tilburg.completion.code}<' in pages[-1]
                assert 'sandbox="allow-same-origin"' in page.text  # its forms cannot be sent
        assert (await admin.get("/admin/preview/forged/en")).status_code == 404
    assert app.state.survey.db.participant_rows("tilburg", include_tests=True) == []


async def test_test_session_walks_the_survey_but_is_not_counted(app, tilburg):
    async with admin_client(app) as admin:
        dashboard = await admin.get("/admin")
        csrf = csrf_of(dashboard)
        assert (await admin.post("/admin/test-session", data={
            "csrf_token": "0" * 64, "condition": "private", "lang": "nl"})).status_code == 403
        response = await admin.post("/admin/test-session", data={
            "csrf_token": csrf, "condition": "private", "lang": "nl"})
        assert response.status_code == 303
        page = await admin.get("/", follow_redirects=True)
        assert "Voorbeeldweergave" in page.text
    db = app.state.survey.db
    assert db.participant_rows("tilburg") == []
    test_rows = db.participant_rows("tilburg", include_tests=True)
    assert [(r["condition"], r["is_test"]) for r in test_rows] == [("private", True)]
    assert db.study_row("tilburg")["n_assigned"] == 0


async def test_export_download(app, tilburg):
    async with client_for(app) as bot:
        await walk(bot, tilburg, lang="nl", seed=9)
    async with admin_client(app) as admin:
        response = await admin.get("/admin/export.zip")
    assert response.status_code == 200
    names = set(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert {"data.csv", "answers.csv", "codebook.json", "codebook.md", "data.sav",
            "dataset_description.json"} <= names


def test_export_command(app, db_url, tmp_path, capsys):
    out = tmp_path / "cli-out"
    assert main(["export", "--db", db_url, "--study", "tilburg", "--out", str(out)]) == 0
    assert (out / "data.csv").exists() and "0 participants" in capsys.readouterr().out
    missing = f"sqlite:///{tmp_path / 'nope.db'}"
    assert main(["export", "--db", missing, "--study", "tilburg", "--out", str(out)]) == 2
    assert "no such database file" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["serve", "no-such-study"], ["serve", "tilburg", "--port", "0"]])
def test_serve_command_rejects_bad_input(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("replylab serve:")


async def test_researcher_can_exclude_a_participant_by_the_id_the_table_shows(app, tilburg):
    async with client_for(app) as bot:
        await walk(bot, tilburg, lang="en", seed=11)
    db = app.state.survey.db
    async with admin_client(app) as admin:
        dashboard = await admin.get("/admin")
        csrf = csrf_of(dashboard)
        # the latest free-text answers say whose they are, by the id "Mark excluded" takes
        (participant_id,) = re.findall(r'<code class="participant-id">(\w+)</code>', dashboard.text)
        assert participant_id == db.participant_rows("tilburg")[0]["participant_id"]
        forged = await admin.post("/admin/exclude", data={"csrf_token": csrf,
                                                          "participant_id": "ffffffffffffffff"})
        assert forged.status_code == 404
        done = await admin.post("/admin/exclude", data={"csrf_token": csrf,
                                                        "participant_id": participant_id})
        assert done.status_code == 303
        page = await admin.get("/admin")
    assert db.participant_rows("tilburg")[0]["status"] == "excluded"
    assert re.search(r'id="total-complete">0<', page.text)
