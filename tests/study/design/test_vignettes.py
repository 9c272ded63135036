"""Vignettes: every shipped study renders, self-contained, escaped, semantic; the command writes them."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from study.cli import main
from study.design.loader import load_study, shipped_studies
from study.design.schema import Message
from study.design.vignettes import render_vignette, write_vignettes

STUDY_NAMES = sorted(shipped_studies())
CASES = [
    (name, condition, lang)
    for name in STUDY_NAMES
    for condition in load_study(name).condition_names
    for lang in load_study(name).languages
]
VOID = {"meta", "link", "br", "hr", "img", "input", "source", "path", "circle", "rect"}
EXTERNAL = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:[a-z]+:)?//|url\(|@import""", re.I)


@pytest.fixture(scope="module")
def studies():
    return {name: load_study(name) for name in STUDY_NAMES}


class _Structure(HTMLParser):
    """Records tags with their open ancestors and checks that every element closes."""

    def __init__(self):
        super().__init__()
        self.stack, self.elements, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), tuple(self.stack)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), tuple(self.stack)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def _parse(html):
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return parser.elements


# --- every shipped study, condition and language -------------------------------

def test_shipped_studies_include_the_three_the_tasks_name():
    assert {"tilburg", "webcare-2x2", "tone-of-reply"} <= set(STUDY_NAMES)


@pytest.mark.parametrize(("name", "condition", "lang"), CASES)
def test_each_shipped_vignette_renders_self_contained_and_semantic(studies, name, condition, lang):
    study = studies[name]
    html = render_vignette(study, condition, lang)
    messages = study.vignette.threads[condition][lang]

    assert html.startswith("<!doctype html>")
    assert f'<html lang="{lang}">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "http://" not in html and "https://" not in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "<script" not in html.lower()
    assert str(escape(study.vignette.brand.name)) in html
    for message in messages:
        assert str(escape(message.text)) in html

    elements = _parse(html)
    articles = [e for e in elements if e[0] == "article"]
    assert len(articles) == len(messages)
    headers = [e for e in elements if e[0] == "header"]
    times = [e for e in elements if e[0] == "time"]
    assert len(headers) == len(times) == len(messages)
    assert all("article" in ancestors for _, _, ancestors in headers + times)
    assert all(re.fullmatch(r"PT\d+[HM]", attrs["datetime"]) for _, attrs, _ in times)
    sections = [e for e in elements if e[0] == "section"]
    assert len(sections) == 1 and sections[0][1]["aria-label"].strip()
    assert study.vignette.complainant.name in sections[0][1]["aria-label"]


@pytest.mark.parametrize("name", STUDY_NAMES)
def test_conditions_render_differently(studies, name):
    study = studies[name]
    for lang in study.languages:
        pages = {render_vignette(study, c, lang, standalone=False) for c in study.condition_names}
        assert len(pages) == len(study.condition_names)


def test_tilburg_public_and_private_threads_differ_in_words(studies):
    study = studies["tilburg"]
    for lang in study.languages:
        public = render_vignette(study, "public", lang)
        private = render_vignette(study, "private", lang)
        assert public != private
        last_private = study.vignette.threads["private"][lang][-1].text
        assert str(escape(last_private)) in private and str(escape(last_private)) not in public


def test_fragment_embeds_with_its_own_style_and_no_document(studies):
    fragment = render_vignette(studies["tilburg"], "public", "nl", standalone=False)
    assert fragment.startswith('<section class="rl-vignette" lang="nl"')
    assert "<style>" in fragment and "<html" not in fragment and "<!doctype" not in fragment
    intro = studies["tilburg"].vignette.intro["nl"]
    assert str(escape(intro)) not in fragment
    assert str(escape(intro)) in render_vignette(studies["tilburg"], "public", "nl", standalone=False, intro=True)
    _parse(fragment)


def test_rendering_is_deterministic(studies):
    study = studies["webcare-2x2"]
    condition = study.condition_names[-1]
    assert render_vignette(study, condition, "en") == render_vignette(study, condition, "en")


# --- escaping and configuration -----------------------------------------------

@pytest.fixture()
def tilburg_copy(studies):
    return studies["tilburg"].model_copy(deep=True)


def test_injected_markup_is_escaped(tilburg_copy):
    attack = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    tilburg_copy.vignette.threads["public"]["en"][0] = Message(author="complainant", text=attack)
    tilburg_copy.vignette.brand.name = "Net<b>Link</b>"
    html = render_vignette(tilburg_copy, "public", "en")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Net&lt;b&gt;Link&lt;/b&gt;" in html


def test_brand_and_names_are_configurable(tilburg_copy):
    tilburg_copy.vignette.brand.name = "Glasvezel Zuid"
    tilburg_copy.vignette.brand.handle = "GlasvezelZuid"
    tilburg_copy.vignette.brand.colour = "#f4d35e"
    tilburg_copy.vignette.complainant.name = "Joris"
    tilburg_copy.vignette.threads["public"]["en"].append(
        Message(author="other", text="Same problem here.", name="Femke Bakker"))
    html = render_vignette(tilburg_copy, "public", "en")
    assert "Glasvezel Zuid" in html and "@GlasvezelZuid" in html and "Joris" in html
    assert "--rl-avatar-bg: #f4d35e; --rl-avatar-fg: #111111" in html  # dark text on yellow
    assert ">GZ</span>" in html and ">FB</span>" in html and "Femke Bakker" in html


def test_bad_colour_is_refused_before_it_reaches_the_css(tilburg_copy):
    tilburg_copy.vignette.brand.colour = "red; background: url(//evil)"
    with pytest.raises(ValueError, match=r"vignette.brand.colour must be a colour like"):
        render_vignette(tilburg_copy, "public", "en")


def test_unknown_condition_or_language_lists_the_valid_ones(studies):
    study = studies["webcare-2x2"]
    with pytest.raises(ValueError, match=r"unknown condition 'public' .*valid conditions: \[.*'public-"):
        render_vignette(study, "public", "en")
    with pytest.raises(ValueError, match=r"unknown language 'de' .*valid languages: \[('nl'|'en'), "):
        render_vignette(study, study.condition_names[0], "de")


def test_missing_thread_says_what_to_add(tilburg_copy):
    del tilburg_copy.vignette.threads["private"]["en"]
    with pytest.raises(ValueError, match=r"no vignette thread for condition 'private' in language 'en'"):
        render_vignette(tilburg_copy, "private", "en")


# --- writing files and the command ----------------------------------------------

@pytest.mark.parametrize("name", STUDY_NAMES)
def test_write_vignettes_writes_each_condition_and_language_and_an_index(studies, name, tmp_path):
    study = studies[name]
    written = write_vignettes(study, tmp_path / "out")
    expected = [f"{c}.{lang}.html" for c in study.condition_names for lang in study.languages]
    assert [p.name for p in written] == expected + ["index.html"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in written)
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    hrefs = [attrs["href"] for tag, attrs, _ in _parse(index) if tag == "a"]
    assert sorted(hrefs) == sorted(expected)
    assert not EXTERNAL.search(index)
    index_lang = study.languages[0]
    for condition in study.conditions:
        for factor in study.factors:
            level = next(lv for lv in factor.levels if lv.name == condition.levels[factor.name])
            assert str(escape(level.label[index_lang])) in index


def test_write_vignettes_one_language(studies, tmp_path):
    written = write_vignettes(studies["tilburg"], tmp_path, langs=["en"])
    assert [p.name for p in written] == ["public.en.html", "private.en.html", "index.html"]
    assert '<html lang="en">' in written[-1].read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown language 'fr'"):
        write_vignettes(studies["tilburg"], tmp_path, langs="fr")


def test_command_writes_files_and_prints_them(tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["vignettes", "webcare-2x2", "--out", str(out), "--lang", "nl"]) == 0
    printed = capsys.readouterr().out
    study = load_study("webcare-2x2")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{c}.nl.html" for c in study.condition_names] + ["index.html"])
    assert f"wrote {len(names)} files" in printed
    assert all(name in printed for name in names)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vignettes", "no-such-study", "--out", "{tmp}"], "no-such-study"),
        (["vignettes", "tilburg", "--out", "{tmp}", "--lang", "de"], "--lang 'de'"),
        (["vignettes", "tilburg", "--out", "{tmp}/file.txt/sub"], "--out"),
    ],
)
def test_command_bad_input_exits_2_with_a_message(argv, message, tmp_path, capsys):
    (tmp_path / "file.txt").write_text("not a folder")
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    error = capsys.readouterr().err
    assert error.startswith("replylab vignettes: ") and message in error
    assert "Traceback" not in error


# --- in a real browser, at phone width ----------------------------------------

@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium") and not Path("/usr/bin/chromium").exists(),
                    reason="needs the system Chromium")
def test_vignette_fits_a_phone_screen_without_sideways_scrolling(studies, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    paths = write_vignettes(studies["tilburg"], tmp_path, langs=["nl"])
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            for path in paths[:-1]:
                page.goto(path.as_uri())
                assert page.evaluate("document.documentElement.scrollWidth") <= 360
                assert page.locator("article").count() == len(
                    studies["tilburg"].vignette.threads[path.name.split(".")[0]]["nl"])
                assert page.get_by_role("region").count() == 1  # the thread's accessible name
        finally:
            browser.close()
    assert all(url.startswith("file://") for url in requests)


def test_other_author_without_a_name_gets_a_generic_label(tilburg_copy):
    tilburg_copy.vignette.threads["private"]["nl"].append(Message(author="other", text="Herkenbaar!"))
    html = render_vignette(tilburg_copy, "private", "nl")
    other = html.split('class="rl-post rl-other"')[1]
    assert 'aria-label="Bericht van Andere gebruiker"' in other and "Herkenbaar!" in other
    assert "@andere_gebruiker" in other


@pytest.mark.parametrize("name", STUDY_NAMES)
def test_decorative_counts_are_the_same_in_every_condition_and_language(studies, name):
    # Likes and shares drawn from a post's text differed by condition (a social-proof
    # confound); they depend on the study and the post's position only.
    from study.design.posts import _posts

    study = studies[name]
    counts = set()
    for condition in study.condition_names:
        for lang in study.languages:
            thread = study.vignette.threads[condition]
            messages = thread[lang] if isinstance(thread, dict) else thread
            first_two = _posts(study, messages, lang)[:2]
            counts.add(tuple((post["shares"], post["likes"]) for post in first_two))
    assert len(counts) == 1
