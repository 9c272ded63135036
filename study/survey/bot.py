"""A participant bot: walks the real survey over HTTP, page by page, like a browser.

Used by the route tests (with ``httpx.AsyncClient`` on the ASGI app) and by
``benchmarks/survey_load.py`` (over a socket against uvicorn). Answers are
drawn from the questionnaire with a seeded generator, so a run is repeatable;
every answer the server acknowledged is returned, to compare with the export.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from dataclasses import dataclass, field

import httpx
import numpy as np

from study.survey.flow import ANSWERED_FLAG, survey_steps

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
ACTION = re.compile(r'<form method="post" action="(/page/[a-z0-9_]+)"')
WAIT = re.compile(r'data-wait="([0-9.]+)"')
CODE = re.compile(r'id="completion-code">([^<]+)<')
RETURN_LINK = re.compile(r'href="([^"]+)" id="return-to-prolific"')

FREE_TEXT = {
    "nl": "Ik denk dat het bedrijf zo zijn imago wil beschermen en de klant snel wil helpen.",
    "en": "I think the company wants to protect its image and help the customer quickly.",
}


class BotError(Exception):
    """The survey answered the bot with something a participant could not continue from."""


@dataclass
class BotRun:
    """What one bot participant did: its answers (item -> value) and page latencies."""

    lang: str
    answers: dict = field(default_factory=dict)
    committed: dict = field(default_factory=dict)  # answers of pages the server acknowledged
    latencies: list = field(default_factory=list)  # seconds per request
    pages: int = 0
    retries: int = 0
    requests: list = field(default_factory=list)  # (method, url, seconds, finished at)
    completion_code: str | None = None
    redirect: str | None = None


def bot_answer(item, rng: np.random.Generator, lang: str):
    """A plausible, valid answer to ``item`` (as the form string and the stored value)."""
    if item.type in ("likert", "semantic_differential"):
        value = int(rng.integers(1, item.points + 1))
        if item.correct is not None:  # most bots read instructions
            value = int(item.correct) if rng.random() < 0.9 else value
        return str(value), value
    if item.type == "single_choice":
        value = str(rng.choice(item.option_values))
        return value, value
    if item.type == "number":
        low = int(item.min if item.min is not None else 0)
        high = int(item.max if item.max is not None else low + 50)
        value = int(rng.integers(max(low, 18), max(min(high, 70), low) + 1))
        return str(value), value
    text = FREE_TEXT[lang]
    return text, text


async def walk(client, study, *, lang: str, seed: int, pause=(0.0, 0.0), query=None,
               overrides=None, max_retries: int = 0) -> BotRun:
    """Take one participant through the whole survey on ``client`` (an ``httpx.AsyncClient``).

    Parameters
    ----------
    client : httpx.AsyncClient
        With its own cookie jar (one client per participant), ``base_url`` set.
    study : study.design.schema.Study
        The study being served.
    lang : {'nl', 'en'}
    seed : int
        Seeds the answers and pauses.
    pause : (float, float)
        Seconds to wait on each page, drawn uniformly from this range.
    query : dict, optional
        Extra query parameters for the entry (e.g. ``PROLIFIC_PID``).
    overrides : dict, optional
        item id -> form string, to send instead of a drawn answer.
    max_retries : int
        Connection failures tolerated (the bot then resumes from ``/``, as a
        participant reloading the page would); default none.
    """
    rng = np.random.default_rng(seed)
    steps = {step.id: step for step in survey_steps(study)}
    run = BotRun(lang=lang)

    async def request(method, url, **kwargs):
        start = time.perf_counter()
        response = await client.request(method, url, **kwargs)
        run.latencies.append(time.perf_counter() - start)
        run.requests.append((method, url, run.latencies[-1], time.perf_counter()))
        run.pages += 1
        return response

    async def think(minimum: float = 0.0):
        low, high = pause
        seconds = float(rng.uniform(low, high)) if high > 0 else 0.0
        if max(seconds, minimum) > 0:
            await asyncio.sleep(max(seconds, minimum))

    entry_params = {"lang": lang, **(query or {})}
    where = {"url": "/", "params": entry_params}  # the next page to load, as a browser would
    while True:
        try:
            finished = await _one_page(request, think, run, steps, rng, where, overrides)
        except httpx.TransportError:  # server gone (killed, restarting): resume from "/"
            run.retries += 1
            if run.retries > max_retries:
                raise
            where.update(url="/", params=entry_params)
            await asyncio.sleep(min(0.1 * run.retries, 1.0))
            continue
        if finished:
            return run


async def _load(request, where):
    """GET the page ``where`` points at, following redirects as a browser does."""
    page = await request("GET", where["url"], params=where["params"])
    while page.status_code == 303:
        where.update(url=page.headers["location"], params=None)
        page = await request("GET", where["url"])
    _expect(page, 200, "page")
    return page


async def _one_page(request, think, run, steps, rng, where, overrides) -> bool:
    """Show the current page and send it; True once the participant is through."""
    page = await _load(request, where)
    if 'action="/consent"' in page.text:
        await think()
        response = await request("POST", "/consent", data={
            "csrf_token": _csrf(page), "consent": "yes", **where["params"]})
        _expect(response, 303, "consent")
        where.update(url=response.headers["location"], params=None)
        return False
    match = ACTION.search(page.text)
    if match is None:  # the end: the completion code, and the way back to Prolific if any
        code = CODE.search(page.text)
        run.completion_code = code.group(1) if code else None
        link = RETURN_LINK.search(page.text)
        run.redirect = html.unescape(link.group(1)) if link else None
        return True
    action = match.group(1)
    step = steps[action.removeprefix("/page/")]
    form = {"csrf_token": _csrf(page)}
    sent = {}
    for item in step.items:
        text, value = bot_answer(item, rng, run.lang)
        if overrides and item.id in overrides:
            text = value = overrides[item.id]
        form[item.id] = text
        sent[item.id] = value
    wait = WAIT.search(page.text)
    await think(float(wait.group(1)) + 0.05 if wait and float(wait.group(1)) > 0 else 0.0)
    run.answers.update(sent)
    response = await request("POST", action, data=form)
    _expect(response, 303, action)
    location = response.headers["location"]
    where.update(url=location, params=None)
    if location.endswith(ANSWERED_FLAG):  # sent before, by a resumed request
        return False
    run.committed.update(sent)  # the server acknowledged: these answers are on disk
    return False


def _csrf(page) -> str:
    match = CSRF.search(page.text)
    if match is None:
        raise BotError(f"no CSRF token on the page (status {page.status_code})")
    return match.group(1)


def _expect(response, status: int, where: str) -> None:
    if response.status_code != status:
        raise BotError(f"{where}: expected HTTP {status}, got {response.status_code}: "
                       f"{response.text[:300]}")
