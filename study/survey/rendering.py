"""HTML rendering for the survey: one Jinja2 environment, compiled templates cached.

Autoescaping is on for every template, so anything a participant typed is
escaped wherever it is shown. Study texts (welcome, consent, debrief) are
markdown rendered with raw HTML disabled.

>>> markdown_to_html("**Hi** <b>there</b>")
Markup('<p><strong>Hi</strong> &lt;b&gt;there&lt;/b&gt;</p>\\n')
>>> ui("nl")["next"]
'Volgende'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

TEMPLATE_DIR = Path(__file__).parent / "templates"

UI_TEXT = {
    "en": {
        "choose_language": "Choose your language",
        "consent_yes": "I agree to take part",
        "consent_no": "I do not want to take part",
        "next": "Next",
        "finish": "Finish",
        "read_first": "Please take a moment to read the situation first; the button works in {seconds} seconds.",
        "fix_errors": "Some answers need your attention; they are marked below.",
        "declined_title": "Thank you",
        "done_title": "Thank you for taking part",
        "your_code": "Your completion code",
        "continue_prolific": "Return to Prolific",
        "already_done": "You have already completed this study. Thank you!",
        "already_answered": "You had already answered that page, so your earlier answers were kept. "
                            "Please continue here.",
        "debrief_title": "About this study",
        "conditions_intro": "Participants were shown one of these versions:",
        "not_selected": "not answered",
        "optional": "optional",
        "preview": "Preview: nothing you do here is counted.",
        "progress": "Page {k} of {n}",
        "error_prefix": "Error",
        "vignette_heading": "The situation",
        "your_answer": "Your answer",
        "min_chars": "Please write at least {n} characters.",
        "max_chars": "At most {n} characters.",
        "chars_typed": "{count} characters",
        "too_long_now": "that is more than {n}; please shorten your answer before you send it.",
        "sent_too_early": "You sent this page before the reading time was up. Please read the situation, then send the page again.",
    },
    "nl": {
        "choose_language": "Kies je taal",
        "consent_yes": "Ik doe mee",
        "consent_no": "Ik doe niet mee",
        "next": "Volgende",
        "finish": "Afronden",
        "read_first": "Lees eerst rustig de situatie; de knop werkt over {seconds} seconden.",
        "fix_errors": "Enkele antwoorden vragen je aandacht; ze zijn hieronder gemarkeerd.",
        "declined_title": "Bedankt",
        "done_title": "Bedankt voor je deelname",
        "your_code": "Je voltooiingscode",
        "continue_prolific": "Terug naar Prolific",
        "already_done": "Je hebt dit onderzoek al afgerond. Bedankt!",
        "already_answered": "Die pagina had je al beantwoord; je eerdere antwoorden zijn bewaard. "
                            "Ga hier verder.",
        "debrief_title": "Over dit onderzoek",
        "conditions_intro": "Deelnemers kregen een van deze versies te zien:",
        "not_selected": "niet beantwoord",
        "optional": "optioneel",
        "preview": "Voorbeeldweergave: niets wat je hier doet wordt meegeteld.",
        "progress": "Pagina {k} van {n}",
        "error_prefix": "Fout",
        "vignette_heading": "De situatie",
        "your_answer": "Je antwoord",
        "min_chars": "Schrijf minstens {n} tekens.",
        "max_chars": "Maximaal {n} tekens.",
        "chars_typed": "{count} tekens",
        "too_long_now": "dat is meer dan {n}; maak je antwoord korter voordat je het verstuurt.",
        "sent_too_early": "Je verstuurde deze pagina voordat de leestijd om was. Lees de situatie en verstuur de pagina daarna opnieuw.",
    },
}

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def ui(lang: str) -> dict[str, str]:
    """The interface strings (buttons, notices) in ``lang`` (English if unknown)."""
    return UI_TEXT.get(lang, UI_TEXT["en"])


@lru_cache(maxsize=1)
def _markdown():
    return MarkdownIt("commonmark", {"html": False})


def markdown_to_html(text: str) -> Markup:
    """Render a study text (markdown) to safe HTML; raw HTML in it is escaped."""
    return Markup(_markdown().render(text or ""))


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared Jinja2 environment (templates are compiled once per process)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown_to_html
    env.globals["language_names"] = LANGUAGE_NAMES
    return env


def render_page(template: str, **context) -> str:
    """Render one template of ``study/survey/templates`` with ``context``."""
    return environment().get_template(template).render(**context)
