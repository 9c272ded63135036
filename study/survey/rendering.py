"""HTML rendering for the survey: one Jinja2 environment, compiled templates cached.

Autoescaping is on for every template, so anything a participant typed is
escaped wherever it is shown. Study texts (welcome, consent, debrief) are
markdown rendered with raw HTML disabled.

>>> markdown_to_html("**Hi** <b>there</b>")
Markup('<p><strong>Hi</strong> &lt;b&gt;there&lt;/b&gt;</p>\\n')
>>> ui("nl")["next"]
'Volgende'

The consent page (:func:`welcome_page`) is rendered here so that the survey and the
researcher's preview show the same page.
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
        "consent_no": "I do not want to take part",
        "study_info_heading": "Who runs this study",
        "institution": "Institution",
        "researchers": "Researchers",
        "contact": "Contact",
        "ethics_approval": "Ethics review",
        "privacy_heading": "Your data",
        "consent_heading": "Your consent",
        "questions_heading": "Questions or changed your mind?",
        "below_minimum_age": "This study is for people aged {n} or older, as the information at the start said. "
                             "If you are younger, please stop here and close this window.",
        "next": "Next",
        "finish": "Finish",
        "read_first": "Please take a moment to read the situation first; the button works in {seconds} seconds.",
        "fix_errors": "Some answers need your attention; they are marked below.",
        "declined_title": "Thank you",
        "done_title": "Thank you for taking part",
        "your_code": "Your completion code",
        "continue_prolific": "Return to Prolific",
        "withdrawal_heading": "Changed your mind?",
        "withdrawal_text": "This is your personal code. If you later want your answers removed, send it to the researchers (their address is in the study information); with it they can find your answers, and nobody else's.",
        "already_done": "You have already completed this study. Thank you!",
        "already_answered": "You had already answered that page, so your earlier answers were kept. "
                            "Please continue here.",
        "debrief_title": "About this study",
        "conditions_intro": "Participants were shown one of these versions:",
        "not_selected": "not answered",
        "optional": "optional",
        "required": "required",
        "required_note": "Questions marked * need an answer.",
        "preview": "Preview: nothing you do here is counted.",
        "error_heading": "Something went wrong",
        "back_to_survey": "Back to the survey",
        "cookies_needed": "This survey needs cookies to keep your answers. Please allow cookies for this site and start again.",
        "form_expired": "This page has expired or did not come from this survey. Go back to the survey, reload the page and send it again; your earlier answers are kept.",
        "no_session": "We could not find your survey in this browser. This happens when cookies were cleared, or when you continued on another device: if so, please finish there. Otherwise start again with the link you were given.",
        "not_accepted": "The page could not be read, so nothing was stored. Please go back to the survey and send the page again.",
        "too_large": "Your answers were too long to send (at most {max_bytes} bytes per page). Go back, shorten the longest answer and send the page again.",
        "not_found": "This page does not exist in the survey.",
        "unavailable": "The survey cannot reach its database for a moment, so this page was not loaded or saved. Your earlier answers are kept. Please wait a minute, then go back to the survey and reload the page.",
        "server_error": "Something went wrong on our side, and this page was not loaded or saved. Your earlier answers are kept. Please go back to the survey and reload the page; if it happens again, contact the researchers.",
        "not_yet": "This page cannot be sent yet: please answer the pages before it first. Nothing was stored.",
        "unknown_language": "This survey is not available in that language. Please start again with the link you were given.",
        "consent_missing": "Please choose one of the two buttons to say whether you want to take part.",
        "bad_link": "The link you followed is not complete or has been changed. Please use the link you were given.",
        "progress": "Page {k} of {n}",
        "error_prefix": "Error",
        "vignette_heading": "The situation",
        "your_answer": "Your answer",
        "min_chars": "Please write at least {n} characters.",
        "max_chars": "At most {n} characters.",
        "chars_typed": "{count} characters",
        "too_long_now": "that is more than {n}; please shorten your answer before you send it.",
        "can_continue": "The button works now; you can go on.",
        "sent_too_early": "You sent this page before the reading time was up. Please read the situation, then send the page again.",
    },
    "nl": {
        "choose_language": "Kies je taal",
        "consent_no": "Ik doe niet mee",
        "study_info_heading": "Wie doet dit onderzoek",
        "institution": "Instelling",
        "researchers": "Onderzoekers",
        "contact": "Contact",
        "ethics_approval": "Ethische toetsing",
        "privacy_heading": "Je gegevens",
        "consent_heading": "Je toestemming",
        "questions_heading": "Vragen, of toch liever niet?",
        "below_minimum_age": "Dit onderzoek is voor mensen van {n} jaar of ouder, zoals in de informatie aan het begin stond. "
                             "Ben je jonger, stop dan hier en sluit dit venster.",
        "next": "Volgende",
        "finish": "Afronden",
        "read_first": "Lees eerst rustig de situatie; de knop werkt over {seconds} seconden.",
        "fix_errors": "Enkele antwoorden vragen je aandacht; ze zijn hieronder gemarkeerd.",
        "declined_title": "Bedankt",
        "done_title": "Bedankt voor je deelname",
        "your_code": "Je voltooiingscode",
        "continue_prolific": "Terug naar Prolific",
        "withdrawal_heading": "Toch liever niet?",
        "withdrawal_text": "Dit is je persoonlijke code. Wil je later dat je antwoorden worden verwijderd, stuur de code dan naar de onderzoekers (hun adres staat in de informatie over het onderzoek); daarmee vinden ze jouw antwoorden, en die van niemand anders.",
        "already_done": "Je hebt dit onderzoek al afgerond. Bedankt!",
        "already_answered": "Die pagina had je al beantwoord; je eerdere antwoorden zijn bewaard. "
                            "Ga hier verder.",
        "debrief_title": "Over dit onderzoek",
        "conditions_intro": "Deelnemers kregen een van deze versies te zien:",
        "not_selected": "niet beantwoord",
        "optional": "optioneel",
        "required": "verplicht",
        "required_note": "Vragen met een * zijn verplicht.",
        "preview": "Voorbeeldweergave: niets wat je hier doet wordt meegeteld.",
        "error_heading": "Er ging iets mis",
        "back_to_survey": "Terug naar de vragenlijst",
        "cookies_needed": "Deze vragenlijst heeft cookies nodig om je antwoorden te bewaren. Sta cookies toe voor deze site en begin opnieuw.",
        "form_expired": "Deze pagina is verlopen of kwam niet van deze vragenlijst. Ga terug naar de vragenlijst, laad de pagina opnieuw en verstuur hem nog eens; je eerdere antwoorden zijn bewaard.",
        "no_session": "We konden je vragenlijst niet vinden in deze browser. Dat gebeurt als cookies zijn gewist, of als je op een ander apparaat verder bent gegaan: rond hem dan daar af. Begin anders opnieuw met de link die je kreeg.",
        "not_accepted": "De pagina kon niet worden gelezen, dus er is niets opgeslagen. Ga terug naar de vragenlijst en verstuur de pagina opnieuw.",
        "too_large": "Je antwoorden waren te lang om te versturen (hoogstens {max_bytes} bytes per pagina). Ga terug, maak het langste antwoord korter en verstuur de pagina opnieuw.",
        "not_found": "Deze pagina bestaat niet in de vragenlijst.",
        "unavailable": "De vragenlijst kan even niet bij zijn database, dus deze pagina is niet geladen of opgeslagen. Je eerdere antwoorden zijn bewaard. Wacht een minuut, ga dan terug naar de vragenlijst en laad de pagina opnieuw.",
        "server_error": "Er ging aan onze kant iets mis, en deze pagina is niet geladen of opgeslagen. Je eerdere antwoorden zijn bewaard. Ga terug naar de vragenlijst en laad de pagina opnieuw; gebeurt het weer, neem dan contact op met de onderzoekers.",
        "not_yet": "Deze pagina kan nog niet worden verstuurd: beantwoord eerst de pagina's ervoor. Er is niets opgeslagen.",
        "unknown_language": "Deze vragenlijst is niet beschikbaar in die taal. Begin opnieuw met de link die je kreeg.",
        "consent_missing": "Kies een van de twee knoppen om aan te geven of je wilt meedoen.",
        "bad_link": "De link die je volgde is niet compleet of is veranderd. Gebruik de link die je kreeg.",
        "progress": "Pagina {k} van {n}",
        "error_prefix": "Fout",
        "vignette_heading": "De situatie",
        "your_answer": "Je antwoord",
        "min_chars": "Schrijf minstens {n} tekens.",
        "max_chars": "Maximaal {n} tekens.",
        "chars_typed": "{count} tekens",
        "too_long_now": "dat is meer dan {n}; maak je antwoord korter voordat je het verstuurt.",
        "can_continue": "De knop werkt nu; je kunt verder.",
        "sent_too_early": "Je verstuurde deze pagina voordat de leestijd om was. Lees de situatie en verstuur de pagina daarna opnieuw.",
    },
}

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def preferred_language(accept_language: str | None, languages: list[str]) -> str:
    """The first of ``languages`` the browser asks for (``Accept-Language``), else the first.

    >>> preferred_language("de-DE,nl;q=0.8,en;q=0.5", ["en", "nl"])
    'nl'
    >>> preferred_language(None, ["nl", "en"])
    'nl'
    """
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in languages:
            return code
    return languages[0]


def ui(lang: str) -> dict[str, str]:
    """The interface strings (buttons, notices) in ``lang`` (English if unknown)."""
    return UI_TEXT.get(lang, UI_TEXT["en"])


@lru_cache(maxsize=1)
def _markdown():
    return MarkdownIt("commonmark", {"html": False})


@lru_cache(maxsize=1024)
def markdown_to_html(text: str) -> Markup:
    """Render a study text (markdown) to safe HTML; raw HTML in it is escaped.

    The study's texts are few and fixed, so each is rendered once per process.

    >>> str(markdown_to_html("**Thank you**"))
    '<p><strong>Thank you</strong></p>\\n'
    """
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


def welcome_page(study, lang: str, *, csrf: str, prolific: dict[str, str | None],
                 preview: bool = False) -> str:
    """The page that asks for consent: the welcome text, who runs the study, the privacy
    information, the consent text and its two buttons (the consent one in the study's words).

    >>> from study import load_study
    >>> html = welcome_page(load_study("tilburg"), "en", csrf="x", prolific={})
    >>> 'value="yes">I agree to take part</button>' in html and "mailto:" in html
    True
    """
    return render_page(
        "welcome.html", lang=lang, t=ui(lang), title=study.title[lang], texts=study.texts,
        consent_button=study.texts.consent_button_text(lang), csrf=csrf, prolific=prolific,
        preview=preview)
