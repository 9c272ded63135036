"""Participant routes: the entry at ``/``, consent, and each page at its own address.

A newcomer gets the welcome page (language, information, consent) at ``/``;
after consent every step has its address, ``/page/<step>``. A form posts to
the address it was shown at and is answered with a redirect to the next
page's address (post/redirect/get), so reload shows the same page again and
never resends a form. ``/`` leads a returning participant to their current
page.

Only the participant's current page can be shown or sent. An earlier page
(the back button, an old tab) is read-only: showing it leads to the current
page; sending it stores nothing and leads to the current page with a note that
the earlier answers were kept. There is no going back to change answers.
Each submit is one committed transaction before the redirect is sent. The
routes call the database's ``*_async`` methods (on PostgreSQL they run on the
event loop, see :mod:`study.survey.db_async`); the rare writes that have none (a
decline, a returning participant's new cookie) run as :meth:`SurveyContext.run`
decides.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from study.design.assignment import assign_condition
from study.design.vignettes import condition_label, render_vignette
from study.survey.context import SurveyContext, SurveyError, survey_context
from study.survey.flow import (
    ANSWERED_FLAG,
    DEBRIEF,
    DONE,
    VIGNETTE,
    last_question_step,
    next_step,
    page_path,
    step_position,
)
from study.survey.forms import (
    BadForm,
    form_to_dict,
    minimum_age_rule,
    read_page_answers,
    reject_hostile_fields,
    split_paradata,
)
from study.survey.rendering import render_page, ui, welcome_page
from study.survey.sessions import (
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    cookie_settings,
    csrf_matches,
    csrf_token,
    looks_like_session_token,
    new_session_token,
    withdrawal_code,
)

router = APIRouter()

PROLIFIC_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PROLIFIC_FIELDS = {"PROLIFIC_PID": "prolific_pid", "STUDY_ID": "prolific_study_id",
                   "SESSION_ID": "prolific_session_id"}
NO_STORE = {"Cache-Control": "no-store"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")



def _session_token(request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    return token if looks_like_session_token(token) else None


def _html(context: SurveyContext, html: str, *, status: int = 200, set_token: str | None = None):
    response = HTMLResponse(html, status_code=status, headers=NO_STORE)
    return _with_cookie(context, response, set_token)


def _redirect(context: SurveyContext, url: str, *, set_token: str | None = None):
    return _with_cookie(context, RedirectResponse(url, status_code=303, headers=NO_STORE), set_token)


def _with_cookie(context: SurveyContext, response, set_token: str | None):
    if set_token:
        response.set_cookie(SESSION_COOKIE, set_token, max_age=SESSION_MAX_AGE,
                            **cookie_settings(context.secure_cookies))
    return response


def _prolific_params(query) -> dict[str, str]:
    params = {}
    for name, column in PROLIFIC_FIELDS.items():
        value = query.get(name)
        if value in (None, ""):
            continue
        if not PROLIFIC_ID.match(value):
            raise SurveyError(400, key="bad_link",
                              detail=f"Query parameter {name}: Prolific ids are letters, digits, "
                                     "'-' and '_' (at most 64).")
        params[column] = value
    return params


async def _read_form(request: Request, lang: str | None = None) -> dict[str, str]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise SurveyError(415, lang=lang, key="not_accepted",
                          detail="Pages must be sent as an HTML form (application/x-www-form-urlencoded).")
    try:
        form = await request.form(max_files=0, max_fields=200)
        return form_to_dict(form.multi_items())
    except BadForm as error:
        raise SurveyError(400, lang=lang, key="not_accepted", detail=str(error)) from None
    except Exception as error:  # malformed multipart or encoding
        raise SurveyError(400, lang=lang, key="not_accepted", detail=type(error).__name__) from error


# -- entry ---------------------------------------------------------------------


async def _resume_by_prolific(context: SurveyContext, prolific: dict, token: str | None):
    """(participant, token) of a returning Prolific participant, or raise if already done."""
    db, study_id = context.db, context.study_id
    rows = []
    if prolific.get("prolific_session_id"):
        rows = await db.participants_by_prolific_async(study_id, session_id=prolific["prolific_session_id"])
    if not rows and prolific.get("prolific_pid"):
        rows = await db.participants_by_prolific_async(study_id, pid=prolific["prolific_pid"])
        if any(row["status"] == "complete" for row in rows):
            lang = rows[-1]["lang"]
            raise SurveyError(409, lang=lang, key="already_done")
    if not rows:
        return None, token
    participant = rows[-1]
    token = token or new_session_token()
    await context.run(db.rebind_session, participant["participant_id"], token)
    return participant, token


async def _entry(context: SurveyContext, query, token: str | None):
    prolific = _prolific_params(query)
    participant = await context.db.participant_by_session_async(token) if token else None
    set_token = None
    if participant is None and prolific:
        participant, new_token = await _resume_by_prolific(context, prolific, token)
        set_token = new_token if new_token != token else None
    if participant is not None:
        return _redirect(context, page_path(participant["step"], answered=bool(query.get("answered"))),
                         set_token=set_token)
    token = token or new_session_token()
    set_token = token if set_token is None else set_token
    languages = context.study.languages
    lang = query.get("lang")
    if lang not in languages:
        lang = languages[0] if len(languages) == 1 else None
    if lang is None:
        links = {code: "/?" + urlencode({**{k: v for k, v in query.items() if k in PROLIFIC_FIELDS},
                                         "lang": code}) for code in languages}
        html = render_page(
            "language.html", lang=context.default_lang(), t=ui(context.default_lang()),
            title=" / ".join(context.study.title[c] for c in languages), languages=languages,
            titles=context.study.title,
            links=links, ui_texts={c: ui(c) for c in languages}, preview=False,
        )
        return _html(context, html, set_token=token)
    html = welcome_page(context.study, lang, csrf=csrf_token(context.secret, token), prolific={
        name: prolific.get(column) for name, column in PROLIFIC_FIELDS.items()})
    return _html(context, html, set_token=token)


@router.get("/", response_class=HTMLResponse)
async def entry(request: Request):
    """The welcome page for a newcomer; a returning participant is led to their current page."""
    context = survey_context(request)
    return await _entry(context, request.query_params, _session_token(request))


@router.get("/page/{step_id}", response_class=HTMLResponse)
async def show_page(request: Request, step_id: str):
    """A page at its own address: the current one is shown, any other leads to it."""
    context = survey_context(request)
    token = _session_token(request)
    if token is None:
        raise SurveyError(403, key="no_session")
    answered = request.url.query == ANSWERED_FLAG
    participant = await context.db.participant_by_session_async(token)
    if participant is None:
        raise SurveyError(403, key="no_session")
    current = participant["step"]
    if step_id != current:
        if step_position(context.step_ids, step_id) < 0:
            raise SurveyError(404, lang=participant["lang"], key="not_found", detail=f"page {step_id!r}")
        earlier = step_position(context.step_ids, step_id) < step_position(context.step_ids, current)
        return _redirect(context, page_path(current, answered=earlier or answered))
    notice = ui(participant["lang"])["already_answered"] if answered else None
    shown_at = await _vignette_shown_at(context, participant)
    return _html(context, render_step(context, participant, token, notice=notice,
                                      vignette_shown_at=shown_at))


async def _vignette_shown_at(context: SurveyContext, participant: dict) -> float | None:
    """When the participant was first shown the vignette, if that is their current step."""
    if context.steps_by_id[participant["step"]].kind != "vignette":
        return None
    return await context.db.page_shown_at_async(participant["participant_id"], VIGNETTE)


# -- rendering a step ----------------------------------------------------------


def _condition_labels(study, lang: str) -> list[str]:
    return [condition_label(study, name, lang) for name in study.condition_names]


def completion_redirect(study) -> str | None:
    """The Prolific completion URL with the code filled in, or None."""
    url = study.completion.redirect_url
    return url.replace("{code}", quote(study.completion.code, safe="")) if url else None


def _page_title(heading: str, study_title: str, t: dict, errors) -> str:
    """A distinct title per page, marked as an error page when answers need attention."""
    title = f"{heading} – {study_title}"
    return f"{t['error_prefix']}: {title}" if errors else title


def render_step(context: SurveyContext, participant: dict, token: str, *,
                errors: dict | None = None, raw: dict | None = None,
                wait_seconds: float = 0.0, notice: str | None = None,
                vignette_shown_at: float | None = None) -> str:
    """The HTML of the participant's current step (with messages after a failed submit,
    or a ``notice`` above the page). On the vignette, ``vignette_shown_at`` (when it was
    first shown; None: not yet) sets the reading time left."""
    step = context.steps_by_id[participant["step"]]
    csrf = csrf_token(context.secret, token)
    if step.kind == "vignette" and errors is None:  # first showing or reload: time spent counts
        minimum = float(context.study.vignette.min_view_seconds or 0)
        shown = vignette_shown_at
        wait_seconds = round(max(0.0, minimum - (time.time() - shown)) if shown else minimum, 1)
    if errors is not None or step.kind == "done":  # answers or codes of this participant
        return _render_step(context, participant, step, csrf, errors=errors, raw=raw,
                            wait_seconds=wait_seconds, notice=notice)
    # Otherwise the page is the same for everyone who sees this step in this cell and
    # language; it is rendered once with a stand-in for the form's CSRF token.
    key = (step.id, participant["lang"], participant["condition"], participant["is_test"],
           notice, wait_seconds)
    page = context.page_cache.get(key)
    if page is None:
        page = _render_step(context, participant, step, CSRF_STAND_IN, errors=None, raw=None,
                            wait_seconds=wait_seconds, notice=notice)
        context.page_cache[key] = page
    return page.replace(CSRF_STAND_IN, csrf)


CSRF_STAND_IN = "csrf-stand-in-" + "0" * 50


def _render_step(context: SurveyContext, participant: dict, step, csrf: str, *,
                 errors: dict | None, raw: dict | None, wait_seconds: float,
                 notice: str | None) -> str:
    study, lang, t = context.study, participant["lang"], ui(participant["lang"])
    counted = [s.id for s in context.steps if s.kind != "done"]
    progress = (counted.index(step.id) + 1, len(counted)) if step.id in counted else None
    common = dict(lang=lang, t=t, csrf=csrf, preview=participant["is_test"], notice=notice,
                  progress=progress)
    if step.kind == "vignette":
        key = (participant["condition"], lang)
        if key not in context.vignette_cache:  # the same HTML for everyone in a cell
            context.vignette_cache[key] = Markup(
                render_vignette(study, participant["condition"], lang, standalone=False))
        return render_page(
            "vignette.html", vignette=context.vignette_cache[key],
            intro=study.vignette.intro[lang], sent_too_early=errors is not None,
            title=_page_title(t["vignette_heading"], study.title[lang], t, errors is not None),
            wait_seconds=wait_seconds, min_view_seconds=float(study.vignette.min_view_seconds or 0),
            **common)
    if step.kind == "questions":
        page_title = step.page.title[lang]
        return render_page(
            "questions.html", step_id=step.id, page_title=page_title,
            page_intro=step.page.intro[lang] if step.page.intro else None,
            title=_page_title(page_title, study.title[lang], t, errors),
            items=step.items, values=raw or {}, errors=errors or {}, **common)
    if step.kind == "debrief":
        return render_page("debrief.html", debrief=study.texts.debrief[lang], texts=study.texts,
                           title=_page_title(t["debrief_title"], study.title[lang], t, False),
                           condition_labels=_condition_labels(study, lang), **common)
    # only participants who came from Prolific are sent back there, after seeing their code
    redirect_url = completion_redirect(study) if participant["prolific_pid"] else None
    return render_page("done.html", code=study.completion.code,
                       withdrawal=withdrawal_code(context.secret, participant["participant_id"]),
                       title=_page_title(t["done_title"], study.title[lang], t, False),
                       redirect_url=redirect_url, **common)


# -- consent -------------------------------------------------------------------

CONSENT_FIELDS = {"lang", "consent", *PROLIFIC_FIELDS}


async def _consent(context: SurveyContext, fields: dict, token: str):
    study, db = context.study, context.db
    lang = fields.get("lang")
    if lang not in study.languages:
        raise SurveyError(400, key="unknown_language",
                          detail=f"language {lang!r}; this study runs in {', '.join(study.languages)}")
    if fields.get("consent") not in ("yes", "no"):
        raise SurveyError(400, lang=lang, key="consent_missing")
    if await db.participant_by_session_async(token):  # a second click or a resent form
        return _redirect(context, "/")
    if fields["consent"] == "no":
        await context.run(db.record_decline, context.study_id)
        html = render_page("message.html", lang=lang, t=ui(lang), title=study.title[lang],
                           heading=ui(lang)["declined_title"], body=None,
                           body_markdown=study.texts.decline[lang], preview=False)
        response = _html(context, html)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    prolific = _prolific_params(fields)
    if prolific.get("prolific_pid") and any(
        row["status"] == "complete"
        for row in await db.participants_by_prolific_async(context.study_id, pid=prolific["prolific_pid"])
    ):
        raise SurveyError(409, lang=lang, key="already_done")
    scheme = study.assignment

    def choose(counts, n_assigned):
        return assign_condition(scheme.scheme, study.condition_names, counts=counts,
                                n_assigned=n_assigned, seed=scheme.seed,
                                block_size=scheme.block_size)

    try:
        await db.start_participant_async(
            context.study_id, session_token=token, lang=lang, choose_condition=choose,
            first_step=context.step_ids[0], timeout_minutes=scheme.timeout_minutes,
            condition_names=study.condition_names, prolific=prolific,
            ip_address=fields.get("_ip") if context.store_ip else None,
            valid_complete=context.valid_complete,
        )
    except IntegrityError:  # the same session consented twice at the same moment
        return _redirect(context, "/")
    return _redirect(context, page_path(context.step_ids[0]))


@router.post("/consent")
async def consent(request: Request):
    """Consent given (assign a condition, start) or declined (count it, keep nothing)."""
    context = survey_context(request)
    token = _session_token(request)
    if token is None:
        raise SurveyError(403, key="cookies_needed")
    fields = await _read_form(request)
    if not csrf_matches(context.secret, token, fields.get("csrf_token")):
        raise SurveyError(403, key="form_expired")
    try:
        fields = reject_hostile_fields(fields, allowed=CONSENT_FIELDS)
    except BadForm as error:
        raise SurveyError(400, key="not_accepted", detail=str(error)) from None
    if context.store_ip and request.client:
        fields["_ip"] = request.client.host
    return await _consent(context, fields, token)


# -- page submits --------------------------------------------------------------


def _read_page(context: SurveyContext, step, fields: dict, lang: str):
    """A sent page's paradata and answers (None for a step without questions); BadForm for a
    field the page does not have."""
    paradata, fields = split_paradata(fields)
    if step.kind == "questions":
        return paradata, read_page_answers(step.items, fields, lang,
                                           minimum_age=minimum_age_rule(context.study))
    reject_hostile_fields(fields, allowed=set())
    return paradata, None


async def _submit(context: SurveyContext, participant: dict, token: str, step_id: str, fields: dict):
    lang = participant["lang"]
    position = step_position(context.step_ids, step_id)
    current = step_position(context.step_ids, participant["step"])
    if position < 0:
        raise SurveyError(404, lang=lang, key="not_found", detail=f"page {step_id!r}")
    if position > current:
        raise SurveyError(409, lang=lang, key="not_yet")
    if position < current:  # a page already answered (an old tab, the back button): read-only
        return _redirect(context, page_path(participant["step"], answered=True))
    step = context.steps[position]
    try:
        paradata, answers = _read_page(context, step, fields, lang)
    except BadForm as error:
        raise SurveyError(400, lang=lang, key="not_accepted", detail=str(error)) from None
    if answers is not None and answers.errors:
        html = render_step(context, participant, token, errors=answers.errors, raw=answers.raw)
        return _html(context, html, status=422)
    values = answers.values if answers is not None else {}
    if step.kind == "vignette":
        shown = await context.db.page_shown_at_async(participant["participant_id"], VIGNETTE) or 0.0
        remaining = float(context.study.vignette.min_view_seconds or 0) - (time.time() - shown)
        if remaining > 0:
            html = render_step(context, participant, token, errors={},
                               wait_seconds=round(remaining, 1))
            return _html(context, html, status=422)
    if step.kind == "done":
        return _redirect(context, page_path(DONE))
    following = next_step(context.step_ids, step_id)
    stored = await context.db.submit_page_async(
        participant["participant_id"], step_id, values, next_step=following,
        complete=step_id == last_question_step(context.step_ids), paradata=paradata,
    )
    if not stored:  # another tab sent this page first: its answers stand
        return _redirect(context, page_path(following, answered=True))
    return _redirect(context, page_path(following))


@router.post("/page/{step_id}")
async def submit_page(request: Request, step_id: str):
    """Store one page's answers (one transaction), then redirect to the next page."""
    context = survey_context(request)
    token = _session_token(request)
    if token is None:
        raise SurveyError(403, key="no_session")
    # the CSRF token is tied to the session cookie, so it can be checked before any lookup
    fields = await _read_form(request)
    if not csrf_matches(context.secret, token, fields.pop("csrf_token", None)):
        raise SurveyError(403, key="form_expired")
    stored = await _submit_at_once(context, token, step_id, fields)
    if stored is not None:
        return stored
    participant = await context.db.participant_by_session_async(token)
    if participant is None:
        raise SurveyError(403, key="no_session")
    return await _submit(context, participant, token, step_id, fields)


async def _submit_at_once(context: SurveyContext, token: str, step_id: str, fields: dict):
    """The usual submit, a valid page that is the participant's current one, with no lookup first.

    The answers are checked before the participant is known (their values do
    not depend on the language, only the messages do), then stored if this page
    is the current page of the session's participant (one statement on
    PostgreSQL). Returns the redirect to the next page, or None whenever
    :func:`_submit` must decide: answers with problems, the vignette (its
    minimum viewing time), a page that is not the current one, no participant.
    """
    step = context.steps_by_id.get(step_id)
    if step is None or step.kind not in ("questions", "debrief"):
        return None
    try:
        paradata, answers = _read_page(context, step, fields, context.default_lang())
    except BadForm:
        return None
    if answers is not None and answers.errors:
        return None
    values = answers.values if answers is not None else {}
    following = next_step(context.step_ids, step_id)
    stored = await context.db.submit_page_by_session_async(
        token, step_id, values, next_step=following,
        complete=step_id == last_question_step(context.step_ids), paradata=paradata)
    return _redirect(context, page_path(following)) if stored else None


__all__ = ["router", "render_step", "completion_redirect", "DEBRIEF", "DONE"]
