"""Researcher routes under ``/admin``: live counts, preview, test sessions, export download.

The preview shows every page of one condition and language as the survey renders it
for a participant (the same templates, the same code), each in a frame that cannot
send its form, so nothing is stored or counted.

Access needs the admin token (``REPLYLAB_ADMIN_TOKEN`` or the one printed at
start), given once as ``/admin?token=...`` or as ``Authorization: Bearer ...``;
the browser then keeps an HttpOnly cookie derived from it. Comparisons are
constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from study.survey.context import SurveyContext, SurveyError, survey_context
from study.survey.export import export_data
from study.survey.participant_routes import render_step
from study.survey.rendering import render_page, ui, welcome_page
from study.survey.sessions import (
    ADMIN_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    admin_token_matches,
    cookie_settings,
    new_session_token,
)
from study.survey.stats import recent_free_text, survey_stats

router = APIRouter(prefix="/admin")
NO_STORE = {"Cache-Control": "no-store"}



def _admin_cookie_value(context: SurveyContext) -> str:
    message = b"admin:" + context.admin_token.encode("utf-8")
    return hmac.new(context.secret, message, hashlib.sha256).hexdigest()


def _admin_csrf(context: SurveyContext) -> str:
    message = b"admin-csrf:" + _admin_cookie_value(context).encode()
    return hmac.new(context.secret, message, hashlib.sha256).hexdigest()


def _require_admin(request: Request) -> SurveyContext:
    context = survey_context(request)
    header = request.headers.get("authorization", "")
    if header.startswith("Bearer ") and admin_token_matches(context.admin_token, header[7:]):
        return context
    cookie = request.cookies.get(ADMIN_COOKIE)
    if cookie and hmac.compare_digest(cookie.encode(), _admin_cookie_value(context).encode()):
        return context
    raise SurveyError(401, "The admin pages need the admin token: open /admin?token=YOUR_TOKEN "
                           "(set REPLYLAB_ADMIN_TOKEN, or use the token printed at start).")


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request):
    """Counts per condition, timing, attention failures, links to preview and export."""
    token = request.query_params.get("token")
    if token is not None:
        context = survey_context(request)
        if not admin_token_matches(context.admin_token, token):
            raise SurveyError(401, "Wrong admin token. Use the token set in "
                                   "REPLYLAB_ADMIN_TOKEN or printed when the server started.")
        response = RedirectResponse("/admin", status_code=303)  # keep the token out of history
        response.set_cookie(ADMIN_COOKIE, _admin_cookie_value(context), max_age=12 * 3600,
                            **cookie_settings(context.secure_cookies))
        return response
    context = _require_admin(request)
    stats = await run_in_threadpool(survey_stats, context.db, context.study)
    recent = await run_in_threadpool(recent_free_text, context.db, context.study)
    study = context.study
    html = render_page(
        "admin.html", lang="en", t=ui("en"), title=f"replylab admin: {study.id}", preview=False,
        study=study, stats=stats, recent=recent, csrf=_admin_csrf(context),
        languages=study.languages, conditions=study.condition_names,
    )
    return HTMLResponse(html, headers=NO_STORE)


@router.get("/export.zip")
async def export_zip(request: Request, include_partial: bool = False):
    """The export (data.csv, answers.csv, codebook, data.sav, ...) as one zip file."""
    context = _require_admin(request)
    payload = await run_in_threadpool(_export_zip_bytes, context, include_partial)
    name = f"{context.study_id}-export.zip"
    return Response(payload, media_type="application/zip", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})


def _export_zip_bytes(context: SurveyContext, include_partial: bool) -> bytes:
    with tempfile.TemporaryDirectory(prefix="replylab-export-") as tmp:
        export_data(context.db, context.study, tmp, include_partial=include_partial)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).iterdir()):
                archive.write(path, arcname=path.name)
    return buffer.getvalue()


@router.get("/preview/{condition}/{lang}", response_class=HTMLResponse)
async def preview(request: Request, condition: str, lang: str):
    """Every page of one condition and language on one page; nothing is stored or counted."""
    context = _require_admin(request)
    study = context.study
    if condition not in study.condition_names or lang not in study.languages:
        raise SurveyError(404, f"No condition {condition!r} in language {lang!r}: conditions "
                               f"{study.condition_names}, languages {study.languages}.")
    pages = await run_in_threadpool(preview_pages, context, condition, lang)
    html = render_page(
        "admin_preview.html", lang=lang, t=ui(lang), title=f"Preview {condition} ({lang})",
        preview=False, condition=condition, pages=pages,
    )
    return HTMLResponse(html, headers=NO_STORE)


#: Who the preview's pages are rendered for: a test participant who came from Prolific
#: (so the end page shows the way back), never stored.
PREVIEW_PARTICIPANT = {"participant_id": "preview", "is_test": True, "prolific_pid": "preview"}


def preview_pages(context: SurveyContext, condition: str, lang: str) -> list[tuple[str, str]]:
    """(heading, page) of every page a participant in ``condition`` sees in ``lang``, in order:
    the consent page, then each step as :func:`~study.survey.participant_routes.render_step`
    renders it (the vignette as first shown, with its reading time)."""
    t = ui(lang)
    pages = [(t["consent_heading"], welcome_page(context.study, lang, csrf="preview",
                                                 prolific={}, preview=True))]
    for step in context.steps:
        participant = {**PREVIEW_PARTICIPANT, "lang": lang, "condition": condition,
                       "step": step.id}
        heading = {"vignette": t["vignette_heading"], "debrief": t["debrief_title"],
                   "done": t["done_title"]}.get(step.kind)
        pages.append((heading or step.page.title[lang],
                      render_step(context, participant, PREVIEW_PARTICIPANT["participant_id"])))
    return pages


async def _admin_form(request: Request, context: SurveyContext):
    """The submitted admin form, once its CSRF token is checked (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=10)
    if not hmac.compare_digest(str(form.get("csrf_token", "")).encode(),
                               _admin_csrf(context).encode()):
        raise SurveyError(403, "This admin form has expired; reload /admin and try again.")
    return form


@router.post("/test-session")
async def start_test_session(request: Request):
    """Walk the real survey as a flagged test participant (kept out of counts and exports)."""
    context = _require_admin(request)
    form = await _admin_form(request, context)
    condition, lang = form.get("condition"), form.get("lang")
    study = context.study
    if condition not in study.condition_names or lang not in study.languages:
        raise SurveyError(400, f"Choose a condition from {study.condition_names} and a "
                               f"language from {study.languages}.")
    token = new_session_token()
    await run_in_threadpool(
        lambda: context.db.start_participant(
            context.study_id, session_token=token, lang=lang, is_test=True, condition=condition,
            choose_condition=lambda counts, n: condition, first_step=context.step_ids[0],
            timeout_minutes=study.assignment.timeout_minutes, condition_names=study.condition_names,
        )
    )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_MAX_AGE,
                        **cookie_settings(context.secure_cookies))
    return response


@router.post("/exclude")
async def exclude_participant(request: Request):
    """Mark one participant ``excluded`` (kept in the export with that status, not counted)."""
    context = _require_admin(request)
    form = await _admin_form(request, context)
    participant_id = str(form.get("participant_id", "")).strip()
    known = {row["participant_id"] for row in await run_in_threadpool(
        context.db.participant_rows, context.study_id)}
    if participant_id not in known:
        raise SurveyError(404, f"No participant {participant_id!r} in study "
                               f"{context.study_id!r}; copy the id from the export.")
    await run_in_threadpool(context.db.set_status, participant_id, "excluded")
    return RedirectResponse("/admin", status_code=303)
