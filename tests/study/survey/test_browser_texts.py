"""The study texts, the minimum age and the admin pages in a real Chromium, at 390 and 1280 px.

The consent page shows who runs the study (institution, researchers, contact,
ethics review), the privacy information and a consent text that names the
button; the debrief shows the contact again; an age under the consent's minimum
is refused in the participant's language; the language page marks each
language's part of its heading. The admin table shows the participant id that
"Mark excluded" takes and fits a phone; the preview shows each page as a
participant's browser lays it out at that width. Screenshots go to
``test-artifacts/survey/texts-*.png``; axe-core (when installed) checks the admin pages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
import pytest

from study import load_study
from study.survey.bot import walk
from tests.study.survey.conftest import ADMIN_TOKEN, without_reading_delay
from tests.study.survey.test_accessibility import AXE_JS, BLOCKING, WCAG_21_AA
from tests.study.survey.test_browser import (
    CHROMIUM,
    answer_every_item,
    running_server,
    shot,
)

WIDTHS = [390, 1280]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    study = without_reading_delay(load_study("tilburg"))
    with running_server(study, tmp_path_factory.mktemp("texts") / "survey.db") as running:
        yield running


@pytest.fixture(params=WIDTHS)
def width(request):
    return request.param


@pytest.fixture
def page(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 800 else 844})
    yield context.new_page()
    context.close()


def fits(page, width: int) -> bool:
    """Nothing on the page sticks out sideways (no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= width


def visible_text(locator) -> str:
    return " ".join(locator.inner_text().split())


def test_language_page_heading_carries_each_language(page, server, width):
    page.goto(server["url"] + "/")
    parts = page.locator("h1 span[lang]")
    titles = server["study"].title
    assert [(parts.nth(i).get_attribute("lang"), parts.nth(i).inner_text())
            for i in range(parts.count())] == [(code, titles[code]) for code in server["study"].languages]
    assert visible_text(page.locator("h1")) == " / ".join(titles[c] for c in server["study"].languages)
    assert fits(page, width)
    shot(page, f"texts-language-{width}", full=True)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_consent_page_says_who_runs_the_study_and_names_its_button(page, server, width, lang):
    texts = server["study"].texts
    page.goto(server["url"] + f"/?lang={lang}")
    info = page.locator("dl.study-info")
    assert texts.institution[lang] in visible_text(info)
    assert texts.researchers in visible_text(info)
    assert texts.ethics_approval[lang] in visible_text(info)
    contact = info.get_by_role("link", name=texts.contact)
    assert contact.get_attribute("href") == f"mailto:{texts.contact}"
    privacy = visible_text(page.locator("section.privacy"))
    assert "privacy@example.org" in privacy and ("Prolific" in privacy)
    # the consent text says which button to press, in the button's own words
    consent = page.locator("section.consent")
    button = consent.locator("button[value=yes]")
    assert button.inner_text() in visible_text(consent.locator("p").last)
    assert str(texts.minimum_age) in visible_text(consent.locator("p").last)
    # the information comes before the question that asks for consent
    order = page.evaluate("""() => ['dl.study-info', 'section.privacy', 'section.consent button']
        .map(s => document.querySelector(s).getBoundingClientRect().top)""")
    assert order == sorted(order)
    assert fits(page, width)
    shot(page, f"texts-{lang}-{width}-consent", full=True)


def fill_age_and_send(page, age: str) -> None:
    answer_every_item(page, skip={"age"})
    page.locator("#input-age").fill(age)
    with page.expect_navigation():
        page.locator("button[type=submit]").click()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_age_under_the_minimum_is_refused_and_the_debrief_gives_the_contact(page, server, width, lang):
    study = server["study"]
    page.goto(server["url"] + f"/?lang={lang}&PROLIFIC_PID=age{lang}{width}")
    with page.expect_navigation():
        page.locator("button[value=yes]").click()
    with page.expect_navigation():
        page.locator("#next").click()
    while not page.locator("#input-age").count():
        answer_every_item(page)
        with page.expect_navigation():
            page.locator("button[type=submit]").click()
    fill_age_and_send(page, str(study.texts.minimum_age - 1))
    message = page.locator("#error-age").inner_text()
    assert message == {"en": "This study is for people aged 18 or older, as the information at the "
                             "start said. If you are younger, please stop here and close this window.",
                       "nl": "Dit onderzoek is voor mensen van 18 jaar of ouder, zoals in de informatie "
                             "aan het begin stond. Ben je jonger, stop dan hier en sluit dit venster."}[lang]
    assert page.locator("#input-age").get_attribute("aria-invalid") == "true"
    assert fits(page, width)
    shot(page, f"texts-{lang}-{width}-age-refused", full=True)
    db = study_db(server)
    (participant,) = db.participants_by_prolific("tilburg", pid=f"age{lang}{width}")
    assert "age" not in db.answers_of(participant["participant_id"])  # nothing of the page kept

    fill_age_and_send(page, str(study.texts.minimum_age))
    while page.locator("fieldset.item").count():
        answer_every_item(page)
        with page.expect_navigation():
            page.locator("button[type=submit]").click()
    assert db.answers_of(participant["participant_id"])["age"] == study.texts.minimum_age
    # the debrief: who to write to, and the privacy information one click away
    texts = study.texts
    section = page.locator("section[aria-labelledby=questions-heading]")
    assert section.get_by_role("link", name=texts.contact).get_attribute("href") == f"mailto:{texts.contact}"
    assert texts.researchers in visible_text(section) and texts.institution[lang] in visible_text(section)
    assert not page.locator("details.privacy p").first.is_visible()
    page.locator("details.privacy summary").click()
    assert page.locator("details.privacy p").first.is_visible()
    assert fits(page, width)
    shot(page, f"texts-{lang}-{width}-debrief", full=True)


def study_db(server):
    return server["app"].state.survey.db


def complete_with_a_bot(server, seed: int) -> None:
    async def run():
        async with httpx.AsyncClient(base_url=server["url"]) as client:
            await walk(client, server["study"], lang="en", seed=seed)
    # Playwright's sync API runs an event loop in this thread: the bot gets its own thread
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


def axe_violations(page) -> list[str]:
    """Serious or critical WCAG 2.1 A/AA violations on the page (axe-core), one line each."""
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate("""async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'], iframes: false}))
        .violations.map(v => ({id: v.id, impact: v.impact,
                               targets: v.nodes.map(n => n.target.join(' '))}))""", WCAG_21_AA)
    return [f"{v['id']} ({v['impact']}) at {v['targets']}" for v in found if v["impact"] in BLOCKING]


def test_admin_table_shows_the_id_exclude_takes_and_fits_the_screen(page, server, width):
    complete_with_a_bot(server, seed=width)
    page.goto(server["url"] + f"/admin?token={ADMIN_TOKEN}")
    ids = page.locator("#recent code.participant-id").all_inner_texts()
    known = {row["participant_id"] for row in study_db(server).participant_rows("tilburg")}
    assert ids and set(ids) <= known
    assert fits(page, width)
    for table in ("#counts", "#recent"):
        assert page.locator(table).evaluate("t => t.getBoundingClientRect().right") <= width
    if AXE_JS.exists():
        assert axe_violations(page) == []
    shot(page, f"texts-admin-{width}", full=True)
    excluded_before = int(page.locator("#counts tr:last-child td").nth(4).inner_text())
    page.locator("#exclude-id").fill(ids[0])
    with page.expect_navigation():
        page.get_by_role("button", name="Mark excluded").click()
    statuses = {row["participant_id"]: row["status"] for row in study_db(server).participant_rows("tilburg")}
    assert statuses[ids[0]] == "excluded"
    assert int(page.locator("#counts tr:last-child td").nth(4).inner_text()) == excluded_before + 1


def test_admin_preview_shows_the_pages_as_participants_see_them(page, server, width):
    study = server["study"]
    before = study_db(server).participant_rows("tilburg", include_tests=True)
    page.goto(server["url"] + f"/admin?token={ADMIN_TOKEN}")
    page.goto(server["url"] + "/admin/preview/private/nl")
    frames = page.locator("iframe.page-preview")
    expected = 1 + len(study.questionnaire.pages) + 3  # consent, vignette, pages, debrief, end
    assert frames.count() == expected
    page.wait_for_function("""n => [...document.querySelectorAll('iframe.page-preview')]
        .filter(f => f.contentDocument && f.contentDocument.readyState === 'complete'
                     && f.offsetHeight > 100).length === n""", arg=expected)
    documents = [frame.content_frame() for frame in frames.element_handles()]
    consent, vignette = documents[0], documents[1]
    assert consent.locator("button[value=yes]").inner_text() == study.texts.consent_button_text("nl")
    assert consent.locator("dl.study-info").count() == 1
    assert vignette.locator(".rl-vignette").count() == 1
    assert documents[-1].locator("#completion-code").inner_text() == study.completion.code
    attitude = next(doc for doc in documents if doc.locator("#item-att_1").count())
    # a frame is as wide as a participant's screen would be (up to the survey's column), so
    # the rating scales take the layout they take for participants at this width
    inner = attitude.evaluate("document.documentElement.clientWidth")
    assert inner == (min(704, width) - 2)
    poles_shown = attitude.locator("#item-att_1 .pole").first.is_visible()
    assert poles_shown == (width >= 1000)
    frame_heights = frames.evaluate_all("fs => fs.map(f => [f.offsetHeight, f.contentDocument.documentElement.scrollHeight])")
    assert all(abs(outer - inner) <= 4 for outer, inner in frame_heights), frame_heights
    assert fits(page, width)
    if AXE_JS.exists():
        assert axe_violations(page) == []
    shot(page, f"texts-admin-preview-{width}", full=True)
    # the frames cannot send a form: pressing a button stores and counts nothing
    consent.locator("button[value=yes]").click()
    page.wait_for_timeout(300)
    assert page.url.endswith("/admin/preview/private/nl")
    assert study_db(server).participant_rows("tilburg", include_tests=True) == before
