"""Vignettes: the social-media thread each participant sees, as HTML.

The words come from the study file (``study.vignette.threads[condition][lang]``);
this module lays them out as a neutral, generic social-media thread: one
``<article>`` per post with a ``<header>`` (initials avatar, name, handle,
relative ``<time>``), the text, and decorative reply/share/like counts. The
HTML is self-contained (inline CSS and SVG, no fonts, images or scripts from
elsewhere), works on a phone, and every text is autoescaped.

>>> from study import load_study
>>> html = render_vignette(load_study("tilburg"), "public", "en")
>>> html.startswith("<!doctype html>") and '<html lang="en">' in html
True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from study.design.loader import load_study
from study.design.posts import UI_TEXT, _posts, _ui, readable_text_colour

__all__ = [
    "LANGUAGE_NAMES",
    "TEMPLATES",
    "UI_TEXT",
    "condition_label",
    "readable_text_colour",
    "render_vignette",
    "vignette_filename",
    "write_vignettes",
]

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


# --- checks -------------------------------------------------------------------

def _resolve_study(study):
    if isinstance(study, (str, Path)):
        return load_study(study)
    return study


def _check_condition_and_lang(study, condition: str, lang: str) -> None:
    names = list(study.condition_names)
    if condition not in names:
        raise ValueError(
            f"unknown condition {condition!r} for study {study.id!r}; valid conditions: {names}"
        )
    languages = list(study.languages)
    if lang not in languages:
        raise ValueError(
            f"unknown language {lang!r} for study {study.id!r}; valid languages: {languages}"
        )


def _thread(study, condition: str, lang: str) -> list:
    threads = study.vignette.threads
    messages = threads.get(condition, {}).get(lang)
    if not messages:
        raise ValueError(
            f"study {study.id!r} has no vignette thread for condition {condition!r} in "
            f"language {lang!r}: add vignette.threads.{condition}.{lang} to the study file"
        )
    return list(messages)



def _context(study, condition: str, lang: str, *, with_style: bool, intro: bool) -> dict:
    vignette = study.vignette
    ui = _ui(lang)
    intro_text = None
    if intro:
        intro_text = (getattr(vignette, "intro", None) or {}).get(lang)
    return {
        "lang": lang,
        "platform": vignette.platform,
        "thread_label": ui["thread_label"].format(
            platform=vignette.platform,
            complainant=vignette.complainant.name,
            brand=vignette.brand.name,
        ),
        "intro": intro_text,
        "posts": _posts(study, _thread(study, condition, lang), lang),
        "with_style": with_style,
        "page_title": f"{vignette.brand.name} · {vignette.platform}",
    }


# --- public API -----------------------------------------------------------------

def render_vignette(study, condition: str, lang: str, *, standalone: bool = True,
                    intro: bool | None = None) -> str:
    """Render one condition's thread in one language as HTML.

    Parameters
    ----------
    study : study.Study or str or Path
        A loaded study (or a shipped study's name or a study file's path,
        which is loaded).
    condition : str
        A condition name from ``study.condition_names``.
    lang : str
        A language from ``study.languages``.
    standalone : bool, default True
        True: a complete HTML document (``<!doctype html>``, ``lang``,
        viewport meta, inline CSS). False: an embeddable ``<section>`` with
        its own scoped ``<style>``, for the survey page.
    intro : bool, optional
        Show ``study.vignette.intro`` above the thread. Default: in the
        standalone document only (the survey shows the intro itself).

    Returns
    -------
    str
        The HTML; every text from the study is autoescaped.

    Raises
    ------
    ValueError
        Unknown condition or language (the message lists the valid ones), a
        condition without a thread in that language, or a malformed colour.

    Examples
    --------
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> fragment = render_vignette(tilburg, "private", "nl", standalone=False)
    >>> fragment.startswith('<section class="rl-vignette" lang="nl"')
    True
    >>> render_vignette(tilburg, "secret", "nl")
    Traceback (most recent call last):
    ...
    ValueError: unknown condition 'secret' for study 'tilburg'; valid conditions: ['public', 'private']
    """
    study = _resolve_study(study)
    _check_condition_and_lang(study, condition, lang)
    show_intro = standalone if intro is None else bool(intro)
    context = _context(study, condition, lang, with_style=not standalone, intro=show_intro)
    template = "vignette.html.j2" if standalone else "vignette_thread.html.j2"
    return _environment().get_template(template).render(context)


def condition_label(study, condition: str, lang: str) -> str:
    """The condition's level labels in ``lang``, joined by ``" × "``.

    Examples
    --------
    >>> from study import load_study
    >>> tilburg = load_study("tilburg")
    >>> condition_label(tilburg, "public", "en") == tilburg.factor("channel").levels[0].label["en"]
    True
    """
    for cell in study.conditions:
        if cell.name == condition:
            labels = []
            for factor in study.factors:
                level_name = cell.levels[factor.name]
                level = next(level for level in factor.levels if level.name == level_name)
                labels.append(level.label.get(lang) or next(iter(level.label.values())))
            return " × ".join(labels)
    raise ValueError(
        f"unknown condition {condition!r} for study {study.id!r}; "
        f"valid conditions: {list(study.condition_names)}"
    )


def vignette_filename(condition: str, lang: str) -> str:
    """The file name of a rendered vignette: ``{condition}.{lang}.html``.

    >>> vignette_filename("public-empathic", "nl")
    'public-empathic.nl.html'
    """
    return f"{condition}.{lang}.html"


def write_vignettes(study, out_dir, langs=None) -> list[Path]:
    """Write every condition in every language, plus an ``index.html``.

    Parameters
    ----------
    study : study.Study or str or Path
        A loaded study (or a shipped study's name or a study file's path).
    out_dir : str or Path
        Folder to write into (created if missing; files there are replaced).
    langs : str or list of str, optional
        Languages to render; default all of ``study.languages``.

    Returns
    -------
    list of Path
        The files written: ``{condition}.{lang}.html`` in condition order,
        then ``index.html``, which links them all with condition labels.

    Raises
    ------
    ValueError
        A language the study does not have (or any error of
        :func:`render_vignette`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in write_vignettes("tilburg", folder, langs="en")]
    ['public.en.html', 'private.en.html', 'index.html']
    """
    study = _resolve_study(study)
    if langs is None:
        languages = list(study.languages)
    elif isinstance(langs, str):
        languages = [langs]
    else:
        languages = list(langs)
    if not languages:
        raise ValueError(f"langs is empty: give one or more of {list(study.languages)}")
    for lang in languages:
        if lang not in study.languages:
            raise ValueError(
                f"unknown language {lang!r} for study {study.id!r}; "
                f"valid languages: {list(study.languages)}"
            )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for condition in study.condition_names:
        for lang in languages:
            path = out / vignette_filename(condition, lang)
            path.write_text(render_vignette(study, condition, lang), encoding="utf-8")
            written.append(path)
    index = out / "index.html"
    index.write_text(_render_index(study, languages), encoding="utf-8")
    written.append(index)
    return written


def _render_index(study, languages: list[str]) -> str:
    lang = languages[0]
    ui = _ui(lang)
    rows = [
        {
            "name": condition,
            "label": condition_label(study, condition, lang),
            "links": [
                {"href": vignette_filename(condition, language), "lang": language,
                 "text": f"{ui['open']} ({language})"}
                for language in languages
            ],
        }
        for condition in study.condition_names
    ]
    title = study.title.get(lang) or next(iter(study.title.values()))
    context = {
        "lang": lang,
        "heading": ui["index_heading"].format(title=title),
        "subtitle": ui["index_subtitle"].format(
            study_id=study.id,
            n_conditions=len(rows),
            languages=", ".join(LANGUAGE_NAMES.get(x, x) for x in languages),
        ),
        "caption": ui["index_caption"],
        "condition_header": ui["condition"],
        "languages": [{"code": x, "name": LANGUAGE_NAMES.get(x, x)} for x in languages],
        "rows": rows,
    }
    return _environment().get_template("vignette_index.html.j2").render(context)
