"""Accessibility of the participant pages: axe-core in a real Chromium, and the keyboard.

axe-core (npm's ``axe-core``, installed by ``.ci/run`` with ``npm ci`` from the
repository's ``package.json``) is injected with Playwright into every page and
error state a participant can meet, in Dutch and English, at phone (390 px)
and desktop (1280 px) widths, and checked against WCAG 2.1 A and AA: no
violation of serious or critical impact is allowed. Pages that come back with
errors must mark the fields (``aria-invalid``, ``aria-describedby``) and move
the focus to the error summary, and a whole study must be completable with the
keyboard alone. Screenshots of every checked state go to ``test-artifacts/survey/``
(``a11y-<lang>-<width>-*.png``), and axe's full findings to
``test-artifacts/survey/axe-<lang>-<width>.json``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from study import load_study
from tests.study.survey.conftest import without_reading_delay
from tests.study.survey.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    answer_every_item,
    running_server,
    shot,
)

REPOSITORY = Path(__file__).resolve().parents[3]
#: Where ``npm ci`` (``.ci/run``) puts axe-core; ``REPLYLAB_AXE_CORE`` may point elsewhere.
AXE_JS = Path(os.environ.get("REPLYLAB_AXE_CORE",
                             REPOSITORY / "node_modules" / "axe-core" / "axe.min.js"))
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
#: Long enough that axe and a screenshot finish while the vignette's button is still disabled.
READING_SECONDS = 6.0
LANGUAGE_LINK = {"nl": "Nederlands", "en": "English"}
CONSENT = {"nl": ("Ik doe mee", "Ik doe niet mee"),
           "en": ("I agree to take part", "I do not want to take part")}
LOCALE = {"nl": "nl-NL", "en": "en-GB"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]
needs_axe = pytest.mark.skipif(
    not AXE_JS.exists(), reason=f"axe-core is not installed ({AXE_JS} is missing): run `npm ci` "
                                "in the repository (as .ci/run does)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    study = without_reading_delay(load_study("tilburg"), seconds=READING_SECONDS)
    with running_server(study, tmp_path_factory.mktemp("a11y") / "survey.db") as running:
        yield running


@pytest.fixture(scope="module")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def new_tab(browser, lang: str, width: int):
    """A fresh browser (own cookies) asking for ``lang``, ``width`` px wide, and its tab."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 800 else 844},
                                  locale=LOCALE[lang])
    context.route("https://app.prolific.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<h1>Prolific</h1>"))
    return context, context.new_page()


class AxeAudit:
    """Runs axe on page states, keeps every finding, and takes a screenshot of each state."""

    def __init__(self, axe_source: str, lang: str, width: int, prefix: str = "a11y"):
        self.axe_source, self.lang, self.width, self.prefix = axe_source, lang, width, prefix
        self.findings: dict[str, list[dict]] = {}

    def check(self, page, name: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe_source)
        violations = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                        resultTypes: ['violations']});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                              html: n.html.slice(0, 160)}))}));
            }""", WCAG_21_AA)
        key = f"{len(self.findings) + 1:02d}-{name}"
        self.findings[key] = violations
        shot(page, f"{self.prefix}-{self.lang}-{self.width}-{key}", full=True)

    def blocking(self) -> list[str]:
        """One line per serious or critical violation: page, rule, impact, targets."""
        return [f"{page}: {v['id']} ({v['impact']}: {v['help']}) at "
                + "; ".join(n["target"] for n in v["nodes"])
                for page, violations in self.findings.items()
                for v in violations if v["impact"] in BLOCKING]

    def save(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"axe-{self.prefix}-{self.lang}-{self.width}.json"
        path.write_text(json.dumps(self.findings, indent=1, ensure_ascii=False), encoding="utf-8")


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()


def assert_errors_marked(page) -> None:
    """Every field with an error: aria-invalid, described by its message, listed in the summary,
    and the focus on the summary."""
    assert page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    invalid = page.locator("fieldset.item.invalid").all()
    assert invalid, "a page with errors marks at least one item"
    summary_links = page.locator("#error-summary a").evaluate_all("els => els.map(a => a.hash)")
    assert len(summary_links) == len(invalid)
    for fieldset in invalid:
        item_id = fieldset.get_attribute("id").removeprefix("item-")
        message = page.locator(f"#error-{item_id}")
        assert message.inner_text().strip(), item_id
        fields = fieldset.locator("input:not([type=hidden]), textarea").all()
        assert fields, item_id
        for field in fields:
            assert field.get_attribute("aria-invalid") == "true", item_id
            assert f"error-{item_id}" in field.get_attribute("aria-describedby").split(), item_id
        assert f"#{fields[0].get_attribute('id')}" in summary_links, item_id
    for field in page.locator("fieldset.item:not(.invalid) :is(input, textarea)").all():
        assert field.get_attribute("aria-invalid") is None


def assert_required_marked(page, lang: str) -> None:
    """Each required item says so in its group's or field's accessible name, and visibly."""
    word = {"nl": "verplicht", "en": "required"}[lang]
    for fieldset in page.locator("fieldset.item").all():
        legend = fieldset.locator("legend")
        assert legend.locator(".required-mark").is_visible()
        assert word in fieldset.evaluate("f => f.querySelector('legend').textContent")
        for field in fieldset.locator("input:not([type=hidden]), textarea").all():
            assert field.get_attribute("required") is not None
    assert page.locator(".required-note").is_visible()


def walk_and_audit(browser, server, audit: AxeAudit, lang: str, width: int) -> None:
    """Every page and error state of the study, each checked by ``audit``."""
    url = server["url"]
    context, page = new_tab(browser, lang, width)
    page.goto(f"{url}/?PROLIFIC_PID=a11y{lang}{width}")
    audit.check(page, "language")
    page.get_by_role("link", name=LANGUAGE_LINK[lang]).click()
    page.wait_for_load_state()
    audit.check(page, "consent")
    with page.expect_navigation():
        page.get_by_role("button", name=CONSENT[lang][0]).click()
    # the vignette while its button is still disabled (the check must finish in time)
    assert page.locator("#next").is_disabled()
    audit.check(page, "vignette-waiting")
    assert page.locator("#next").is_disabled(), "axe finished after the reading time: raise READING_SECONDS"
    # sent too early (as without JavaScript): the same page with a message
    with page.expect_navigation():
        page.evaluate("document.getElementById('page-form').submit()")
    assert page.locator("#vignette-too-early").is_visible()
    audit.check(page, "vignette-too-early")
    page.wait_for_function("!document.getElementById('next').disabled", timeout=15000)
    assert page.locator("#read-first").is_hidden()
    audit.check(page, "vignette-ready")
    submit(page)
    number = 0
    while page.locator("fieldset.item").count():
        number += 1
        name = f"questions-{number}"
        assert_required_marked(page, lang)
        audit.check(page, name)
        submit(page)  # nothing answered: every item comes back with a message
        assert page.title().startswith({"nl": "Fout", "en": "Error"}[lang])
        assert_errors_marked(page)
        audit.check(page, f"{name}-errors")
        answer_every_item(page)
        submit(page)
        if number == 1:  # a page already answered, sent again from an old tab
            page.evaluate("""() => { const form = document.querySelector('form');
                                     form.action = '/page/vignette'; form.submit(); }""")
            page.wait_for_url(re.compile(r"answered=1"))
            assert page.locator(".notice[role=status]").is_visible()
            audit.check(page, "already-answered")
    assert number == len(server["study"].questionnaire.pages)
    audit.check(page, "debrief")
    submit(page)
    assert page.locator("#completion-code").is_visible()
    audit.check(page, "done")
    context.close()

    # error states, for a browser that asks for ``lang``
    context, page = new_tab(browser, lang, width)
    page.goto(f"{url}/?PROLIFIC_PID=a11y{lang}{width}")  # a finished Prolific participant returns
    audit.check(page, "error-already-done")
    page.goto(f"{url}/no-such-page")
    assert page.locator("h1").is_visible()
    audit.check(page, "error-404")
    page.goto(f"{url}/?lang={lang}")
    context.clear_cookies()  # the session is gone before the form is sent
    with page.expect_navigation():
        page.get_by_role("button", name=CONSENT[lang][0]).click()
    audit.check(page, "error-post-without-session")
    page.goto(f"{url}/?lang={lang}")
    with page.expect_navigation():
        page.get_by_role("button", name=CONSENT[lang][1]).click()
    audit.check(page, "declined")
    context.close()


@needs_axe
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_passes_axe_wcag21_aa(browser, server, axe_source, lang, width):
    audit = AxeAudit(axe_source, lang, width)
    walk_and_audit(browser, server, audit, lang, width)
    audit.save()
    # 5 states before the questions, each questions page fresh and with errors, the
    # already-answered notice, debrief, end, and 5 error or declined pages
    assert len(audit.findings) == 2 * len(server["study"].questionnaire.pages) + 12
    problems = audit.blocking()
    assert not problems, "axe-core (WCAG 2.1 A/AA) found serious or critical violations:\n" + \
        "\n".join(problems)


@pytest.fixture(scope="module", params=["webcare-2x2", "tone-of-reply"])
def other_study_server(request, tmp_path_factory):
    study = without_reading_delay(load_study(request.param), seconds=READING_SECONDS)
    with running_server(study, tmp_path_factory.mktemp(f"a11y-{request.param}") / "survey.db") as running:
        yield running


@needs_axe
@pytest.mark.slow
@pytest.mark.parametrize(("lang", "width"), [("nl", 390), ("en", 1280)])
def test_the_other_shipped_studies_pass_axe_too(browser, other_study_server, axe_source, lang, width):
    # their own pages: the empathy manipulation (webcare-2x2), three replies and the
    # sincerity scale (tone-of-reply); one language on a phone, the other on a desktop
    study_id = other_study_server["study"].id
    audit = AxeAudit(axe_source, lang, width, prefix=study_id)
    walk_and_audit(browser, other_study_server, audit, lang, width)
    audit.save()
    assert len(audit.findings) == 2 * len(other_study_server["study"].questionnaire.pages) + 12
    problems = audit.blocking()
    assert not problems, f"{study_id}: axe-core found serious or critical violations:\n" + "\n".join(problems)


# -- the keyboard alone ----------------------------------------------------------

FOCUSED = """() => { const e = document.activeElement;
    return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', id: e.id,
            text: (e.innerText || '').trim(), disabled: !!e.disabled}; }"""


def press(page, key: str) -> dict:
    """Press ``key`` and return the element that has the focus then."""
    page.keyboard.press(key)
    return page.evaluate(FOCUSED)


def tab_until(page, matches, *, limit: int = 60) -> dict:
    """Tab forward until the focused element ``matches``; fail when it never does."""
    for _ in range(limit):
        element = press(page, "Tab")
        if matches(element):
            return element
    raise AssertionError(f"Tab never reached the element on {page.url} ({page.title()})")


def enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_page_with_keyboard(page, answer_text: str) -> None:
    """From the focus where it is, Tab through the page answering every item, then send it."""
    n_items = page.locator("fieldset.item").count()
    answered: set[str] = set()
    element = page.evaluate(FOCUSED)
    for _ in range(400):
        if element["type"] == "radio" and element["name"] not in answered:
            page.keyboard.press("Space")  # the first option
            for _ in range(3):  # the arrow keys move the choice: the fourth option
                page.keyboard.press("ArrowDown")
            answered.add(element["name"])
        elif element["type"] == "number" and element["name"] not in answered:
            page.keyboard.type("34")
            answered.add(element["name"])
        elif element["tag"] == "textarea" and element["name"] not in answered:
            page.keyboard.type(answer_text)
            answered.add(element["name"])
        elif element["type"] == "submit" and len(answered) == n_items:
            # Shift-Tab goes back into the last item, Tab returns to the button
            back = press(page, "Shift+Tab")
            assert back["type"] != "submit" and back["tag"] in ("input", "textarea"), back
            assert press(page, "Tab")["type"] == "submit"
            enter_and_wait(page)
            return
        element = press(page, "Tab")
    raise AssertionError(f"the keyboard did not reach every item and the button on {page.url}")


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "width"), [("nl", 1280), ("en", 390)])
def test_whole_study_with_the_keyboard_only(browser, server, lang, width):
    """Tab, Shift-Tab, Space, the arrow keys and Enter: no mouse click from start to Prolific."""
    context, page = new_tab(browser, lang, width)
    page.goto(f"{server['url']}/?PROLIFIC_PID=keyboard{lang}")
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == LANGUAGE_LINK[lang])
    enter_and_wait(page)
    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == CONSENT[lang][0])
    enter_and_wait(page)
    # the vignette's button cannot be reached while it is disabled, and can be afterwards
    page.wait_for_function("!document.getElementById('next').disabled", timeout=15000)
    tab_until(page, lambda e: e["id"] == "next")
    enter_and_wait(page)

    pages = 0
    while page.locator("fieldset.item").count():
        pages += 1
        if pages == 1:  # send it empty: the focus lands on the summary, whose link leads on
            tab_until(page, lambda e: e["type"] == "submit")
            enter_and_wait(page)
            assert page.evaluate(FOCUSED)["id"] == "error-summary"
            shot(page, f"keyboard-{lang}-{width}-1-error-summary-focused")
            first_link = press(page, "Tab")
            assert first_link["tag"] == "a"
            page.keyboard.press("Enter")
            first_field = page.locator("fieldset.item input[type=radio]").first.get_attribute("id")
            page.wait_for_function(f"document.activeElement.id === {json.dumps(first_field)}")
            shot(page, f"keyboard-{lang}-{width}-2-first-field-focused")
        else:
            tab_until(page, lambda e: e["tag"] in ("input", "textarea"))
        answer_page_with_keyboard(page, "Ze willen laten zien dat ze klanten goed helpen.")
        assert not page.locator("#error-summary").count(), f"refused: {page.title()}"
    assert pages >= 8

    tab_until(page, lambda e: e["type"] == "submit")  # the debrief's button
    shot(page, f"keyboard-{lang}-{width}-3-debrief-button-focused")
    enter_and_wait(page)
    assert page.locator("#completion-code").inner_text() == "FIBR2021"
    tab_until(page, lambda e: e["id"] == "return-to-prolific")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"https://app\.prolific\.com/.*cc=FIBR2021"))
    context.close()

    db = server["app"].state.survey.db
    (participant,) = db.participants_by_prolific("tilburg", pid=f"keyboard{lang}")
    assert (participant["status"], participant["lang"]) == ("complete", lang)
    answers = db.answers_of(participant["participant_id"])
    questionnaire = server["study"].questionnaire
    items = [questionnaire.item(i) for page_ in questionnaire.pages for i in page_.items]
    assert set(answers) == {item.id for item in items}
    for item in items:  # Space chose the first point, three presses of ArrowDown the fourth
        if item.type in ("likert", "semantic_differential"):
            assert answers[item.id] == 4, item.id
    assert answers["age"] == 34
